"""Every example spec, and a set of generated ones (dense, named, deep, softmax, several
examples), compiles in both languages with no line over the margin (no overfull box over
10 pt), and passes its own ``check`` with nothing WRONG and no rounding slip.

Oracles: the TeX log (overfull boxes), the PDF's page count (pdfinfo), and ``symderiv
check`` (an independent re-reading of every chain the sheet prints, in interval
arithmetic).
"""

import itertools
import math
import re
import subprocess

import pytest

from symderiv.check.judge import check_text
from symderiv.problems import solve_sheet
from symderiv.render import pdf
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet_text
from test_bad_specs import BASE

MAX_OVERFULL_PT = 10
CLASSIFIER_PAGES = 8   # the 31-parameter classifier, every gradient, two steps


def _dense(sizes, activations, loss, gradients='"all"', steps=1, examples=None, seed=3):
    layers = ",\n  ".join(
        f'{{ size = {n}, activation = {a}, init = {{ seed = {seed + i}, scale = 0.6 }} }}'
        for i, (n, a) in enumerate(zip(sizes[1:], activations)))
    outputs = [f"n{len(sizes) - 1}_{j}" for j in range(1, sizes[-1] + 1)]
    if examples is None:
        examples = [([0.5 * (-1) ** k for k in range(sizes[0])], [1] + [0] * (sizes[-1] - 1))]
    rows = ",\n  ".join(
        "{ inputs = { " + ", ".join(f"x{k + 1} = {v}" for k, v in enumerate(x)) + " }, "
        "targets = { " + ", ".join(f"{o} = {v}" for o, v in zip(outputs, y)) + " } }"
        for x, y in examples)
    return f"""
[sheet]
title = "generated"
precision = 4
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = {sizes[0]}
layers = [
  {layers}
]
[problem.data]
examples = [
  {rows}
]
[problem.training]
loss = "{loss}"
learning_rate = 0.5
gradients = {gradients}
steps = {steps}
"""


GENERATED = {
    # a wide dense layer, every gradient, three steps (the per-step tables)
    "dense": _dense([4, 6, 3], ['"tanh"', '"sigmoid"'], "mse", steps=3),
    # the seed's named network at 9 decimals, every gradient
    "named": BASE.replace("precision = 4", "precision = 9").replace(
        'gradients = ["w5", "w6"]', 'gradients = "all"\nsteps = 2'),
    # four layers deep, ReLU and ELU and Leaky ReLU (their derivatives as cases on z)
    "deep": _dense([2, 3, 3, 3, 2],
                   ['"relu"', '{ name = "elu", alpha = 1 }',
                    '{ name = "leaky_relu", alpha = 0.1 }', '"sigmoid"'], "half-sse"),
    # a softmax output with cross-entropy, two steps
    "softmax": _dense([3, 5, 4], ['"gelu"', '"softmax"'], "ce", steps=2),
    # three examples through a dense tanh network, some gradients by name
    "examples": _dense([2, 3, 2], ['"tanh"', '"sigmoid"'], "sse",
                       gradients='["w1_1_1", "w1_3_2", "b1_2", "w2_2_3", "b2_1"]',
                       examples=[([1, -0.5], [1, 0]), ([0, 2], [0, 1]), ([-1, 1], [1, 1])]),
    # a circuit of 35 nodes: chains of eighteen ∂-fractions, too wide for one row
    "circuit35": """
[sheet]
title = "35 nodes"
precision = 4
[[problem]]
id = "1"
kind = "graph"
formula = "log(1 + exp(sigmoid(log(1 + exp(sigmoid(x*a + b)*c + d))*e + f)*g + x*h))*(k + m*n) + exp(p)"
values = { x = 0.5, a = -1, b = 0.2, c = 1.5, d = -0.3, e = 2, f = -1, g = 0.7, h = 1, k = 1.5, m = -0.5, n = 2, p = 0.3 }
""",
}


def _chain(stages: int, staged: bool, offset: bool) -> str:
    """A long chain of sigmoid neurons s_i = σ(s_{i-1}·a_i + b_i), then ·g (+ h): five nodes
    a stage, two of them inputs stacked down the left, so the circuit is as tall as it is
    wide. As one nested formula or as named stages."""
    values, rows, prev = {"x": "0.5"}, [], "x"
    for i in range(stages):
        values[f"a{i}"] = str((-1) ** i * (5 + i % 5) / 10)
        values[f"b{i}"] = str(((i % 3) - 1) / 10)
        rows.append((f"s{i}", f"sigmoid({prev}*a{i} + b{i})"))
        prev = f"s{i}" if staged else rows[-1][1]
    values.update(g="1.5", **({"h": "-0.5"} if offset else {}))
    last = f"({prev})*g" + (" + h" if offset else "")
    given = ", ".join(f"{n} = {v}" for n, v in values.items())
    head = f'[sheet]\ntitle = "chain"\nprecision = 4\n[[problem]]\nid = "1"\nkind = "graph"\n'
    if not staged:
        return head + f'formula = "{last}"\nvalues = {{ {given} }}\n'
    rows.append(("f", last))
    listed = ",\n  ".join(f'{{ name = "{n}", formula = "{f}" }}' for n, f in rows)
    return head + f"values = {{ {given} }}\nstages = [\n  {listed}\n]\n"


# a circuit of 38 nodes, taller than the page as laid out (a 59.6 pt overfull vbox once),
# and one of 60 nodes, deeper and wider still: each drawing is scaled to fit the page
GENERATED["circuit38"] = _chain(7, staged=False, offset=False)
GENERATED["circuit60"] = _chain(11, staged=True, offset=True)


def _specs():
    out = {p.stem: p.read_text(encoding="utf-8") for p in sorted(examples_dir().glob("*.toml"))}
    out.update({f"generated-{k}": v for k, v in GENERATED.items()})
    return out


SPECS = _specs()


@pytest.fixture(scope="module")
def solved():
    cache = {}

    def get(name, lang):
        if (name, lang) not in cache:
            cache[name, lang] = solve_sheet(load_sheet_text(SPECS[name], f"{name}.toml"), lang)
        return cache[name, lang]

    return get


def _pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


@pytest.mark.tex
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_sheet_compiles_within_the_margins(solved, name, lang, tmp_path):
    run = pdf.run_latex(render_sheet(solved(name, lang)))
    assert run.pdf is not None, run.error
    overfull = [float(w) for w in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too", run.log)]
    assert max(overfull, default=0) <= MAX_OVERFULL_PT, overfull
    if name == "classifier":
        assert _pages(run.pdf, tmp_path) <= CLASSIFIER_PAGES


@pytest.mark.parametrize("fmt", ["tex", "md"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_sheet_passes_its_own_check(solved, name, fmt):
    sheet = solved(name, "en")
    text = render_sheet(sheet) if fmt == "tex" else render_markdown(sheet)
    report = check_text(text, latex=fmt == "tex")
    bad = [i.data() for i in report.items if i.status in ("WRONG", "rounding")]
    assert not bad
    if 'kind = "backprop"' in SPECS[name]:
        assert report.checked > 10   # the forward pass and the chains were read, not skipped


# -- formula activations: whatever a formula prints, the sheet still checks ------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

FORMULA_PARTS = ["1/z", "2/z", "z**(-2)", "exp(-z)", "-z", "z*sigmoid(z)", "tanh(-z)",
                 "1*tanh(z)", "sigmoid(z)**2", "-sigmoid(z)", "z**2", "1/(1 + z**2)",
                 "z*tanh(z)", "sigmoid(-2*z)", "erf(z)", "z/(1 + abs(z))"]


@st.composite
def formula_sheets(draw):
    """The seed's network with a random formula on each layer, random signs of the biases
    (negative net inputs), random parameters asked for."""
    hidden = draw(st.sampled_from(FORMULA_PARTS))
    scale = draw(st.sampled_from(["1", "-1", "0.5", "3"]))
    output = f"{scale}*{draw(st.sampled_from(FORMULA_PARTS))}"
    spec = BASE.replace('{ neurons = ["h1", "h2"], activation = "sigmoid" }',
                        f'{{ neurons = ["h1", "h2"], activation = "{hidden}" }}')
    spec = spec.replace('{ neurons = ["o1", "o2"], activation = "sigmoid" }',
                        f'{{ neurons = ["o1", "o2"], activation = "{output}" }}')
    b1, b2 = draw(st.sampled_from(["0.35", "-1.2", "2.5"])), draw(st.sampled_from(["0.6", "-2.6"]))
    spec = spec.replace("value = 0.35 }", f"value = {b1} }}").replace("value = 0.60 }",
                                                                    f"value = {b2} }}")
    asked = draw(st.lists(st.sampled_from(["w1", "w4", "w5", "w6", "b1", "b2"]), min_size=1,
                          max_size=4, unique=True))
    return spec.replace('gradients = ["w5", "w6"]', f"gradients = {asked!r}".replace("'", '"'))


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_sheets())
def test_a_sheet_with_formula_activations_passes_its_own_check(spec):
    from symderiv.errors import InputError

    try:
        sheet = solve_sheet(load_sheet_text(spec, "formula.toml"), "en")
    except InputError:
        return   # a value the formula cannot take (1/z at 0): refused, nothing to check
    for fmt in ("tex", "md"):
        text = render_sheet(sheet) if fmt == "tex" else render_markdown(sheet)
        report = check_text(text, latex=fmt == "tex")
        assert not [i.data() for i in report.items if i.status in ("WRONG", "rounding")], spec
        assert report.checked > 10


@pytest.mark.parametrize("formula", ["erf(z)", "z/(1 + abs(z))"])
def test_erf_and_softsign_sheets_pass_their_own_check(formula):
    # once refused by solve: erf printed erfinv(o₁), softsign's derivative printed
    # \operatorname{sign}, which check did not read
    spec = BASE.replace('activation = "sigmoid"', f'activation = "{formula}"')
    sheet = solve_sheet(load_sheet_text(spec, "formula.toml"), "en")
    for fmt in ("tex", "md"):
        text = render_sheet(sheet) if fmt == "tex" else render_markdown(sheet)
        report = check_text(text, latex=fmt == "tex")
        assert not [i.data() for i in report.items if i.status in ("WRONG", "rounding")]
        assert report.checked > 10


# -- no page holds only a figure -----------------------------------------------------------

def _page_texts(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.tex
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_of_the_activations_sheet_holds_only_a_figure(solved, lang, tmp_path):
    # a plot's page holds tick labels, a legend and a caption: short lines. A page of the
    # sheet's own text has a sentence or a table row (the oracle: pdftotext's lines).
    run = pdf.run_latex(render_sheet(solved("activations", lang)))
    assert run.pdf is not None, run.error
    for number, page in enumerate(_page_texts(run.pdf, tmp_path), start=1):
        prose = [line for line in page.splitlines()
                 if len(line.strip()) >= 20 and not re.match(r"\s*(图|Figure)\s*\d", line)]
        assert prose, f"page {number} holds only a figure:\n{page}"


# -- a long circuit: gates apart, the drawing within the text block -----------------------

@pytest.mark.parametrize("name", ["circuit35", "circuit38", "circuit60"])
def test_a_long_circuit_keeps_its_gates_apart_and_fits_the_page(solved, name):
    from symderiv.render.circuit_figure import circuit

    drawn = circuit(solved(f"generated-{name}", "en").problems[0])
    # the oracle: the node centres, measured here in the drawing's own cm; a node is 7 mm
    # across, so two centres closer than that overlap whatever the scale
    points = [(n.x, n.y) for n in drawn.nodes]
    closest = min(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5
                  for i, (ax, ay) in enumerate(points) for bx, by in points[i + 1:])
    assert closest >= 0.9
    # scaled, the drawing spans no more than the text block (16 cm by 24.7 cm on A4 with
    # 2.5 cm margins), nodes and the output's name included
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    width = (max(drawn.end_x, *xs) - min(xs) + 0.35 + 0.6) * drawn.scale
    height = (max(ys) - min(ys) + 0.7 + 0.4) * drawn.scale
    assert width <= 16 and height <= 24.7 * 0.6, (width, height)


# -- xor in design mode: asked for more hidden neurons than it needs, the sheet says so ---

@pytest.mark.parametrize("hidden", [2, 3, 5])
def test_a_designed_xor_says_when_fewer_hidden_neurons_suffice(hidden):
    spec = f'[sheet]\ntitle = "xor"\n[[problem]]\nid = "1"\nkind = "xor"\nhidden = {hidden}\n'
    for lang, said in (("en", f"You asked for {hidden} hidden neurons; 2 are enough here."),
                       ("zh", f"题目要求 {hidden} 个隐藏神经元；此处 2 个已足够。")):
        sheet = solve_sheet(load_sheet_text(spec, "xor.toml"), lang)
        network = sheet.problems[0].network
        # the oracle: the network itself, run on the four inputs by hand (ReLU hidden layer,
        # linear output), and the count of its hidden neurons that reach the output
        params = {k: float(v) for k, v in network.parameters().items()}
        hidden_names = network.layers[0].neurons
        for x1, x2, want in ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)):
            xs = dict(zip(network.inputs, (x1, x2)))
            h = {n: max(0.0, sum(params[e.name] * xs[e.source] for e in network.weights.values()
                                 if e.target == n)
                        + sum(params[b.name] for b in network.biases.values() if n in b.targets))
                 for n in hidden_names}
            (out,) = network.outputs
            y = (sum(params[e.name] * h[e.source] for e in network.weights.values() if e.target == out)
                 + sum(params[b.name] for b in network.biases.values() if out in b.targets))
            assert y == pytest.approx(want)
        used = sum(1 for e in network.weights.values() if e.source in hidden_names and params[e.name])
        assert used == len(hidden_names) == 2
        for text in (render_sheet(sheet), render_markdown(sheet)):
            assert (said in text) == (hidden > used)


# -- a named 2-2-1 or 2-2-2 network: every weight's label legible on its own edge ---------

def _label_segments(diagram):
    """Each label as the stretch of its edge it covers (sloped, it lies along the edge):
    its centre at ``pos``, its length estimated at 0.2 cm a printed character."""
    at = {n.id: (n.x, n.y) for n in diagram.nodes}
    for a in diagram.arrows:
        (x0, y0), (x1, y1) = at[a.source], at[a.target]
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        shown = re.sub(r"\\[A-Za-z]+|[{}_ ]", "", a.label)
        half = 0.1 * len(shown) / length   # half the label, as a fraction of the edge
        yield a, [(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
                  for t in (a.pos - half + k * half / 5 for k in range(11))]


@pytest.mark.parametrize("name, problem", [("hw6", 0), ("hw6", 1)])
def test_weight_labels_of_a_small_named_network_stay_apart(solved, name, problem):
    from symderiv.render.figures import network_diagram

    network = solved(name, "en").problems[problem].network
    assert len(network.layers[0].neurons) == 2 and len(network.inputs) == 2
    diagram = network_diagram(network)
    segments = list(_label_segments(diagram))
    assert len(segments) == len(network.weights)
    for (a, pa), (b, pb) in itertools.combinations(segments, 2):
        # 0.3 cm: a \footnotesize line, so two labels never touch (the oracle: geometry)
        gap = min(math.dist(p, q) for p in pa for q in pb)
        assert gap >= 0.3, (a.label, b.label, gap)
    for a, points in segments:
        # clear of every node (9 mm across) and of the point where two edges cross
        assert all(math.dist(p, (n.x, n.y)) >= 0.45 for p in points for n in diagram.nodes)
