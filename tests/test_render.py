"""The LaTeX rendering layer: escaping, the template environment, figure builders.

Oracles: escaping is checked by decoding the output with TeX's own meaning of each escape
(an independent table) and by a property test over random text; figure layouts are
checked geometrically (label centres apart, inside the page width) on random networks.
"""

import itertools
import re
from types import SimpleNamespace

import jinja2
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symderiv.calculus.activations import resolve
from symderiv.errors import InputError
from symderiv.calculus.latex import TeX
from symderiv.nets.network import Bias, Edge, Layer, Network
from symderiv.render import figures
from symderiv.render.environment import language_strings, make_environment
from symderiv.render.escape import escape_markdown, escape_tex, paragraphs
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown

HOSTILE = r"\input{/etc/passwd} 50% $x_1$ #1 & ~ ^_^ {}"

# What TeX typesets for each escape the sheet may emit (from the LaTeX manual), longest first.
_TYPESET = [(r"\allowbreak{}", ""), (r"\textbackslash{}", "\\"),
            (r"\textasciicircum{}", "^"),
            (r"\textasciitilde{}", "~"), (r"\{", "{"), (r"\}", "}"), (r"\$", "$"),
            (r"\&", "&"), (r"\#", "#"), (r"\_", "_"), (r"\%", "%"),
            # a straight quote as an opening or closing one, as a typesetter sets it
            (r"\textquotedblleft{}", '"'), (r"\textquotedblright{}", '"')]


def typeset(tex: str) -> str:
    """What TeX prints for escaped text, decoding left to right; fails on a live special."""
    out, i = [], 0
    while i < len(tex):
        for code, char in _TYPESET:
            if tex.startswith(code, i):
                out.append(char)
                i += len(code)
                break
        else:
            assert tex[i] not in "\\{}$&#^_%~", f"unescaped {tex[i]!r} at {i} in {tex!r}"
            out.append(tex[i])
            i += 1
    return "".join(out)


# -- escaping ------------------------------------------------------------------------------

def test_hostile_text_is_escaped_to_print_literally():
    escaped = escape_tex(HOSTILE)
    assert isinstance(escaped, TeX)
    assert typeset(escaped) == HOSTILE
    assert r"\input{" not in escaped
    # a long path or command may break after "\" and "/" instead of overflowing the line
    assert escaped.startswith(r"\textbackslash{}\allowbreak{}input\{/\allowbreak{}etc")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_text_typesets_as_itself(text):
    expected = re.sub(r"\r\n|[\r\n\t\v]", " ", text)
    expected = re.sub(r"[\x00-\x08\x0c\x0e-\x1f\x7f]", "", expected)
    assert typeset(escape_tex(text)) == expected


def test_newlines_become_spaces_and_paragraphs_split_at_blank_lines():
    assert escape_tex("a\nb\r\nc\td") == "a b c d"
    assert escape_tex("bell\x07 nul\x00") == "bell nul"
    assert paragraphs("first % one\nline\n\n  \nsecond & two\n") == [
        r"first \% one line", r"second \& two"]


# -- the environment -----------------------------------------------------------------------

def render(source: str, precision: int = 4, **values) -> str:
    return make_environment(precision).from_string(source).render(**values)


def test_plain_values_are_escaped_and_tex_passes():
    out = render("((( a ))) | ((( b ))) | ((( n )))", a=HOSTILE, b=TeX(r"\frac{1}{2}"), n=7)
    left, middle, right = out.split(" | ")
    assert typeset(left) == HOSTILE
    assert middle == r"\frac{1}{2}"
    assert right == "7"


def test_macro_and_set_block_output_is_not_escaped_twice():
    source = ("((* macro m(x) *))\\textbf{((( x )))}((* endmacro *))"
              "((( m('50%') ))) ((* set y *))\\emph{((( '#1' )))}((* endset *))((( y )))")
    assert render(source) == r"\textbf{50\%} \emph{\#1}"


def test_concatenated_text_loses_trust():
    assert render("((( t ~ '%' )))", t=TeX(r"\alpha")) == r"\textbackslash{}\allowbreak{}alpha\%"


@pytest.mark.parametrize("value", [0.5, sp.Rational(1, 3), None, True])
def test_raw_numbers_and_none_are_template_bugs(value):
    with pytest.raises(TypeError):
        render("((( v )))", v=value)


def test_undefined_values_raise():
    with pytest.raises(jinja2.UndefinedError):
        render("((( missing )))")


def test_num_rounds_half_away_from_zero_at_the_sheet_precision():
    # 0.74005 is exact here: it rounds up, as a TA rounds (a float would be 0.74004999…).
    assert render("((( x|num )))", x=sp.Rational(74005, 100000)) == "0.7401"
    assert render("((( x|num )))", precision=2, x=sp.Rational(-1, 8)) == "-0.13"
    assert render("((( x|num(3, keep_zeros=True) )))", x=0.5) == "0.500"
    assert render("((( x|num )))", x=sp.sqrt(2)) == "1.4142"


def test_math_uses_the_one_printer():
    z = sp.Symbol("z", real=True)
    assert render("((( e|math )))", e=sp.Rational(3, 20) * z) == r"\frac{3 z}{20}"
    assert render("((( e|math(rounded=True) )))", e=sp.Rational(3, 20) * z) == "0.15 z"


def test_fill_escapes_its_values_but_not_the_string():
    out = render("((( s|fill(id=i) )))", s=TeX(r"\textbf{Problem {id}}"), i="4 & 5")
    assert out == r"\textbf{Problem 4 \& 5}"


def test_language_strings_are_trusted_and_complete_in_every_language():
    env = make_environment(4)
    zh, en = language_strings(env, "zh"), language_strings(env, "en")
    assert "ctexart" in zh["documentclass"] and "article" in en["documentclass"]
    assert isinstance(zh["problem"], TeX)

    def keys(d, prefix=""):
        return {prefix + k for k, v in d.items()} | {
            k2 for k, v in d.items() if isinstance(v, dict) for k2 in keys(v, prefix + k + ".")}

    assert keys(zh) == keys(en)
    with pytest.raises(InputError, match="fr"):
        language_strings(env, "fr")


# -- --templates -------------------------------------------------------------------------

def empty_sheet(title=HOSTILE, lang="en"):
    return SimpleNamespace(title=title, lang=lang, precision=4, problems=())


def test_the_sheet_has_a_preamble_a_title_and_a_document():
    tex = render_sheet(empty_sheet())
    assert tex.startswith(r"\documentclass[a4paper,11pt]{article}")
    assert tex.rstrip().endswith(r"\end{document}")
    title = re.search(r"\\Large\\bfseries (.*)\}", tex).group(1)
    assert typeset(title) == HOSTILE
    assert "ctexart" in render_sheet(empty_sheet(lang="zh"))


def test_templates_dir_overrides_one_block_and_inherits_the_rest(tmp_path):
    (tmp_path / "latex").mkdir()
    (tmp_path / "latex" / "sheet.tex.j2").write_text(
        '((* extends "latex/base.tex.j2" *))\n'
        "((* block title *))\\section*{OVERRIDDEN ((( sheet.title ))) END}((* endblock *))\n")
    tex = render_sheet(empty_sheet(), templates=tmp_path)
    assert r"\section*{OVERRIDDEN " in tex
    assert typeset(tex.split("OVERRIDDEN ")[1].split(" END}")[0]) == HOSTILE
    assert r"\usepackage{tikz}" in tex  # the packages block came from the built-in base


def test_templates_dir_overrides_language_strings(tmp_path):
    (tmp_path / "latex" / "lang").mkdir(parents=True)
    (tmp_path / "latex" / "lang" / "en.toml").write_text(
        (make_environment(4).loader.get_source(make_environment(4), "latex/lang/en.toml")[0])
        .replace("{article}", "{report}"))
    assert r"{report}" in render_sheet(empty_sheet(), templates=tmp_path)


def test_bad_templates_are_reported_as_input_errors(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        render_sheet(empty_sheet(), templates=tmp_path / "missing")
    (tmp_path / "latex").mkdir()
    (tmp_path / "latex" / "sheet.tex.j2").write_text("((* if *))")
    with pytest.raises(InputError, match=r"sheet\.tex\.j2:1"):
        render_sheet(empty_sheet(), templates=tmp_path)


ATTACKS = ["''.__class__.__mro__", "sheet.__class__.__init__.__globals__",
           "[].__class__.__base__.__subclasses__()", "lipsum.__globals__",
           "cycler.__init__.__globals__.os"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_templates_folder_cannot_reach_python(tmp_path, attack):
    # A course's --templates folder is not ours: the sandbox refuses Python internals.
    (tmp_path / "latex").mkdir()
    (tmp_path / "latex" / "sheet.tex.j2").write_text(f"((( {attack} )))")
    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "sheet.md.j2").write_text(f"{{{{ {attack} }}}}")
    with pytest.raises(InputError, match="template"):
        render_sheet(empty_sheet(), templates=tmp_path)
    with pytest.raises(InputError, match="template"):
        render_markdown(empty_sheet(), templates=tmp_path)


def test_the_sandbox_refuses_an_attack_through_the_command_line(run_cli, tmp_path):
    (tmp_path / "tpl" / "latex").mkdir(parents=True)
    (tmp_path / "tpl" / "latex" / "sheet.tex.j2").write_text(
        "((( ''.__class__.__mro__[1].__subclasses__() )))")
    r = run_cli("solve", "--format", "tex", "--templates", tmp_path / "tpl", "-o", tmp_path / "o")
    assert r.returncode == 2 and r.stderr.startswith("symderiv: error: templates")
    assert "Traceback" not in r.stderr and not (tmp_path / "o").exists()


# -- Markdown escaping ---------------------------------------------------------------------

MD_HOSTILE = ("*bold* _it_ [x](javascript:alert(1)) $x_1$ <b>hi</b> &amp; `code` # h\n"
              "- item\n1. one\n> quote | a | b | ~~s~~ \\ ! === +")
_ENTITY = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}


def markdown_shows(text: str) -> str:
    """What a Markdown reader shows for escaped text, decoding left to right; fails on a
    character that would be live markup (CommonMark: any ASCII punctuation may be escaped):
    * _ [ ] $ < > ` # | ~ \\ & ^ anywhere; - + = or "1." "1)" where the line starts. ( ) !
    : are markup only after ] or < (links, images, autolinks), never live here."""
    lead = re.match(r"\s*(\d+[.)]|[-+=])", text)
    assert not lead, f"live {lead[1]!r} at the start of {text!r}"
    out, i = [], 0
    while i < len(text):
        entity = next((e for e in _ENTITY if text.startswith(e, i)), None)
        if entity:
            out.append(_ENTITY[entity])
            i += len(entity)
        elif text[i] == "\\":
            assert i + 1 < len(text) and not text[i + 1].isalnum(), f"lone backslash at {i}"
            out.append(text[i + 1])
            i += 2
        else:
            assert text[i] not in "*_[]$<>`#|~\\&^", f"live {text[i]!r} at {i} in {text!r}"
            out.append(text[i])
            i += 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_text_shows_as_itself_in_markdown(text):
    assert markdown_shows(escape_markdown(text)) == text


def test_titles_ids_and_statements_print_literally_in_markdown():
    problem = SimpleNamespace(kind="no-layout", id="4 *x* [y](z)", statement=MD_HOSTILE,
                              to_json=lambda: {})
    sheet = SimpleNamespace(title=MD_HOSTILE, lang="en", precision=4, problems=(problem,))
    md = render_markdown(sheet)
    lines = md.splitlines()
    assert lines[0].startswith("# ")
    assert markdown_shows(lines[0][2:]) == MD_HOSTILE.replace("\n", " ")
    heading = next(line for line in lines if line.startswith("## "))
    assert markdown_shows(heading[3:].removeprefix("Problem ")) == problem.id
    statement = next(line for line in lines if "bold" in line and line is not lines[0])
    assert markdown_shows(statement) == MD_HOSTILE.replace("\n", " ")


# -- figures -------------------------------------------------------------------------------

SIGMOID = resolve("sigmoid", "test")


def seed_problem4_network() -> Network:
    values = dict(w1=".15", w2=".25", w3=".2", w4=".3", w5=".3", w6=".5", w7=".45", w8=".55")
    ends = dict(w1=("i1", "h1"), w2=("i1", "h2"), w3=("i2", "h1"), w4=("i2", "h2"),
                w5=("h1", "o1"), w6=("h1", "o2"), w7=("h2", "o1"), w8=("h2", "o2"))
    return Network(("i1", "i2"), (Layer(("h1", "h2"), SIGMOID), Layer(("o1", "o2"), SIGMOID)),
                   {k: Edge(k, *ends[k], sp.Rational(v)) for k, v in values.items()},
                   {"b1": Bias("b1", ("h1", "h2"), sp.Rational("0.35")),
                    "b2": Bias("b2", ("o1", "o2"), sp.Rational("0.6"))})


def dense_network(sizes, activation=SIGMOID) -> Network:
    names = [[f"x{k}" for k in range(1, sizes[0] + 1)]] + [
        [f"n{l}_{j}" for j in range(1, n + 1)] for l, n in enumerate(sizes[1:], start=1)]
    weights, biases = {}, {}
    for l in range(1, len(sizes)):
        for j, target in enumerate(names[l], start=1):
            for k, source in enumerate(names[l - 1], start=1):
                name = f"w{l}_{j}_{k}"
                weights[name] = Edge(name, source, target, sp.Rational(j - k, 10))
            biases[f"b{l}_{j}"] = Bias(f"b{l}_{j}", (target,), sp.Rational(j, 100))
    layers = tuple(Layer(tuple(n), activation) for n in names[1:])
    return Network(tuple(names[0]), layers, weights, biases)


def test_seed_network_diagram_has_every_weight_bias_and_activation():
    d = figures.network_diagram(seed_problem4_network())
    labels = {a.label for a in d.arrows}
    assert labels == {"w_{1} = 0.15", "w_{2} = 0.25", "w_{3} = 0.2", "w_{4} = 0.3",
                      "w_{5} = 0.3", "w_{6} = 0.5", "w_{7} = 0.45", "w_{8} = 0.55"}
    assert [(b.label, b.shared, len(b.targets)) for b in d.biases] == [
        ("b_{1} = 0.35", True, 2), ("b_{2} = 0.6", True, 2)]
    assert [c.label for c in d.activations] == [r"\sigma", r"\sigma"]
    assert [n.role for n in d.nodes] == ["input"] * 2 + ["neuron"] * 4
    assert all(re.fullmatch(r"[nb]\d+", i) for i in [n.id for n in d.nodes] + [b.id for b in d.biases])
    assert not d.matrices and not d.values


def test_single_neuron_diagram_names_symbolic_weights_once():
    W = [sp.Symbol(f"W{k}", real=True) for k in range(1, 5)]
    net = Network(tuple(f"x{k}" for k in range(1, 5)), (Layer(("a",), resolve("tanh", "t")),),
                  {f"W{k}": Edge(f"W{k}", f"x{k}", "a", W[k - 1]) for k in range(1, 5)}, {})
    d = figures.network_diagram(net, output_labels={"a": TeX("e")})
    assert sorted(a.label for a in d.arrows) == ["W_{1}", "W_{2}", "W_{3}", "W_{4}"]
    assert [(o.label, o.x > d.nodes[-1].x) for o in d.outputs] == [("e", True)]
    assert [c.label for c in d.activations] == [r"\tanh"]


def test_a_dense_layer_is_drawn_as_one_matrix_named_over_its_edges():
    # edge labels of a dense layer would stack on one another: none, the matrix name over
    # the bundle, the values in W^{(l)} under the diagram; a wide layer packs its neurons
    d = figures.network_diagram(dense_network((3, 12, 3)))
    assert all(a.label is None for a in d.arrows)
    assert [b.label for b in d.bundles] == ["W^{(1)}", "W^{(2)}"]
    assert [m.weights.label for m in d.matrices] == ["W^{(1)}", "W^{(2)}"]
    hidden = [n.y for n in d.nodes if n.label.startswith("n^{(1)}")]
    assert len(hidden) == 12 and max(hidden) - min(hidden) <= figures.COLUMN_HEIGHT + 1e-9
    # a named-edge network keeps its labels (the seed's figure)
    from symderiv.spec import load_sheet_text
    from test_bad_specs import BASE

    seed = load_sheet_text(BASE, "seed.toml").problems[0].network
    named = figures.network_diagram(seed)
    assert all(a.label is not None for a in named.arrows) and not named.bundles


def label_centres(d):
    where = {n.id: (n.x, n.y) for n in d.nodes}
    for a in d.arrows:
        if a.label is not None:
            (x0, y0), (x1, y1) = where[a.source], where[a.target]
            yield a.label, x0 + a.pos * (x1 - x0), y0 + a.pos * (y1 - y0)


@pytest.mark.parametrize("sizes", [s for n in (2, 3, 4, 5) for s in
                                   itertools.product((1, 2, 3, 4, 6), repeat=n)][::89])
def test_diagrams_up_to_4_layers_of_6_keep_labels_apart_and_fit_the_page(sizes):
    d = figures.network_diagram(dense_network(sizes))
    xs = [n.x for n in d.nodes]
    assert max(xs) - min(xs) <= figures.WIDTH + 1e-9
    centres = list(label_centres(d))
    for (la, xa, ya), (lb, xb, yb) in itertools.combinations(centres, 2):
        # labels are at most ~1.4 cm wide and 0.3 cm high (\footnotesize)
        assert abs(xa - xb) >= 1.4 or abs(ya - yb) >= 0.35, (sizes, la, lb)
    for _, x, y in centres:
        assert all(abs(x - n.x) >= 0.45 + 0.3 or abs(y - n.y) >= 0.45 for n in d.nodes)
    # every layer is either labelled on its edges or shown as a matrix: no weight is lost
    labelled = sum(1 for a in d.arrows if a.label is not None)
    in_matrices = sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)
                      if any(m.weights.label == f"W^{{({i + 1})}}" for m in d.matrices))
    assert labelled + in_matrices == len(d.arrows)


def test_xor_plane_splits_the_inputs_by_class():
    plane = figures.xor_plane([(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)])
    assert set(plane.ones) == {(0.0, 1.0), (1.0, 0.0)}
    assert set(plane.zeros) == {(0.0, 0.0), (1.0, 1.0)}
    assert (plane.x_label, plane.y_label) == ("x_{1}", "x_{2}")


# -- a whole backprop sheet: several examples, hidden and shared-bias gradients, 3 steps --

BIGGER = """
[sheet]
title = "Two examples, hidden gradients, three steps"
lang = "en"

[[problem]]
id = "1"
kind = "backprop"

[problem.network]
inputs = ["x1", "x2", "x3"]
layers = [
  { neurons = ["h1", "h2", "h3"], activation = "tanh" },
  { neurons = ["o1", "o2"], activation = "sigmoid" },
]

[problem.network.weights]
u11 = { from = "x1", to = "h1", value = 0.1 }
u12 = { from = "x2", to = "h1", value = -0.2 }
u13 = { from = "x3", to = "h1", value = 0.3 }
u21 = { from = "x1", to = "h2", value = 0.4 }
u22 = { from = "x2", to = "h2", value = 0.5 }
u23 = { from = "x3", to = "h2", value = -0.6 }
u31 = { from = "x1", to = "h3", value = 0.7 }
u32 = { from = "x2", to = "h3", value = 0.8 }
u33 = { from = "x3", to = "h3", value = 0.9 }
v11 = { from = "h1", to = "o1", value = 0.15 }
v12 = { from = "h2", to = "o1", value = -0.25 }
v13 = { from = "h3", to = "o1", value = 0.35 }
v21 = { from = "h1", to = "o2", value = 0.45 }
v22 = { from = "h2", to = "o2", value = 0.55 }
v23 = { from = "h3", to = "o2", value = -0.65 }

[problem.network.biases]
c = { to = ["h1", "h2", "h3"], value = 0.1 }
d1 = { to = ["o1"], value = 0.2 }
d2 = { to = ["o2"], value = -0.3 }

[problem.data]
examples = [
  { inputs = { x1 = 1, x2 = 0.5, x3 = -1 }, targets = { o1 = 1, o2 = 0 } },
  { inputs = { x1 = 0, x2 = -0.5, x3 = 2 }, targets = { o1 = 0, o2 = 1 } },
]

[problem.training]
loss = "mse"
learning_rate = 0.5
gradients = ["u11", "c", "v23"]
steps = 3
"""


def bigger_sheet_tex(tmp_path, lang="en"):
    from symderiv.problems import solve_sheet
    from symderiv.spec import load_sheet

    (tmp_path / "bigger.toml").write_text(BIGGER)
    return render_sheet(solve_sheet(load_sheet(tmp_path / "bigger.toml"), lang))


def mse_losses_by_gradient_descent(steps=3, rate="0.5"):
    """The loss before each step and after the last, recomputed with mpmath (finite
    differences for the gradients): an oracle that shares no code with symderiv."""
    import mpmath

    mpmath.mp.dps = 30
    f = mpmath.mpf
    names = ["u11", "u12", "u13", "u21", "u22", "u23", "u31", "u32", "u33",
             "v11", "v12", "v13", "v21", "v22", "v23", "c", "d1", "d2"]
    p = dict(zip(names, map(f, ["0.1", "-0.2", "0.3", "0.4", "0.5", "-0.6", "0.7", "0.8",
                                "0.9", "0.15", "-0.25", "0.35", "0.45", "0.55", "-0.65",
                                "0.1", "0.2", "-0.3"])))
    data = [((1, f("0.5"), -1), (1, 0)), ((0, f("-0.5"), 2), (0, 1))]
    sig = lambda z: 1 / (1 + mpmath.exp(-z))

    def loss(q):
        total = 0
        for x, y in data:
            h = [mpmath.tanh(sum(q[f"u{j}{k}"] * x[k - 1] for k in (1, 2, 3)) + q["c"])
                 for j in (1, 2, 3)]
            o = [sig(sum(q[f"v{j}{k}"] * h[k - 1] for k in (1, 2, 3)) + q[f"d{j}"])
                 for j in (1, 2)]
            total += sum((o[j] - y[j]) ** 2 for j in (0, 1)) / 2
        return total / len(data)

    losses = [loss(p)]
    for _ in range(steps):
        grad = {n: mpmath.diff(lambda v: loss({**p, n: v}), p[n]) for n in names}
        p = {n: p[n] - f(rate) * grad[n] for n in names}
        losses.append(loss(p))
    return losses


def test_a_bigger_backprop_sheet_lays_out_every_part(tmp_path):
    tex = bigger_sheet_tex(tmp_path)
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") > 10
    # both examples' givens, one row each, and each chain of the two-path gradients
    assert r"1 & 1 & 0.5 & -1 & 1 & 0 \\" in tex and r"2 & 0 & -0.5 & 2 & 0 & 1 \\" in tex
    # u11 and v23 cite their neuron's δ (worked once, per example): one row each, the sum
    # over the examples written out; c's six paths (3 neurons × 2 examples) a row each
    assert tex.count(r"&\Rightarrow\quad") == 6
    assert (r"\frac{\partial E}{\partial u_{11}} &= \frac{\frac{\partial E_{1}}{\partial z_{h1}^{[1]}} "
            r"x_{1}^{[1]} + \frac{\partial E_{2}}{\partial z_{h1}^{[2]}} x_{1}^{[2]}}{2}") in tex
    # the loss table: every value recomputed independently, at 4 places with zeros kept
    from decimal import ROUND_HALF_UP, Decimal

    import mpmath

    for value in mse_losses_by_gradient_descent():
        shown = Decimal(mpmath.nstr(value, 25)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert f"& ${shown}$ \\\\" in tex, shown


def test_templates_option_overrides_a_figure_template_from_the_command_line(run_cli, tmp_path):
    (tmp_path / "tpl" / "latex" / "figures").mkdir(parents=True)
    (tmp_path / "tpl" / "latex" / "figures" / "network.tex.j2").write_text(
        "NETWORK-OVERRIDE ((( diagram.nodes|length ))) ((( caption )))\n")
    r = run_cli("solve", "-o", tmp_path / "out", "--format", "tex", "--lang", "en",
                "--templates", tmp_path / "tpl")
    assert r.returncode == 0, r.stderr
    tex = (tmp_path / "out" / "hw6.tex").read_text(encoding="utf-8")
    # seed figure 1 (x1, x2, h1, h2, y) and figure 3 (i1, i2, h1, h2, o1, o2), by the override
    assert "NETWORK-OVERRIDE 5 Problem 2 (a)" in tex and "NETWORK-OVERRIDE 6 Problem 4" in tex
    assert r"\begin{tikzpicture}" in tex  # the XOR plane still comes from the built-in
