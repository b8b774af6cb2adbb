"""What a careful TA reading the activations and Boolean sheets asked for, asserted on the
.tex (structure) and against independent oracles: mpmath for the rounded numbers, a truth
table written here for the rows of Gordan's certificate.
"""

import re
import textwrap

import mpmath
import pytest
import sympy as sp

from symderiv.calculus.latex import latex
from symderiv.problems import solve_sheet
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet, load_sheet_text

Z = sp.Symbol("z")


def _sheet(body: str, lang: str):
    return solve_sheet(load_sheet_text(textwrap.dedent(body), "x.toml"), lang)


def test_relu_slope_prints_as_cases_on_z_not_theta():
    tex = latex(sp.Heaviside(Z, 0))
    assert r"\theta" not in tex and r"\begin{cases}" in tex
    body = tex.removeprefix(r"\begin{cases}").removesuffix(r"\end{cases}")
    rows = [row.strip() for row in body.split(r"\\")]
    assert rows == [r"1 & \text{for}\: z > 0", r"0 & \text{otherwise}"]
    # θ(z) = ½ at 0 is a row of its own; θ(z, 1) is 1 for z ≥ 0
    assert r"\frac{1}{2} & \text{for}\: z = 0" in latex(sp.Heaviside(Z))
    assert r"z \geq 0" in latex(sp.Heaviside(Z, 1))


@pytest.fixture(scope="module")
def piecewise_sheets():
    body = """
        [[problem]]
        id = "1"
        kind = "activations"
        functions = ["relu", { name = "elu", alpha = 1 }, { name = "leaky_relu", alpha = 0.1 }]
        tasks = ["derivative", "output-form"]
    """
    return {lang: _sheet(body, lang) for lang in ("zh", "en")}


@pytest.mark.parametrize("lang, when, otherwise", [("zh", "若", "其他"),
                                                   ("en", "if", "otherwise")])
def test_case_splits_speak_the_sheets_language(piecewise_sheets, lang, when, otherwise):
    sheet = piecewise_sheets[lang]
    for text in (render_sheet(sheet, lang), render_markdown(sheet)):
        words = set(re.findall(r"\\text\{([^}]*)\}", text))
        assert {when, otherwise} <= words
        assert not words & ({"if", "for", "otherwise"} if lang == "zh" else {"若", "其他"})
        assert r"\theta" not in text


def test_relu_derivative_is_one_for_positive_z_zero_otherwise(piecewise_sheets):
    tex = render_sheet(piecewise_sheets["en"], "en")
    line = re.search(r"\\operatorname\{ReLU\}'\(z\) = (\\begin\{cases\}.*?\\end\{cases\})\.", tex)
    assert line is not None
    assert re.sub(r"\s+", " ", line[1]) == (r"\begin{cases} 1 & \text{if}\: z > 0 \\"
                                            r"0 & \text{otherwise} \end{cases}")


def test_each_function_heading_stands_on_its_own_line(piecewise_sheets):
    # ReLU has a definition under its name; GELU-like names without one (tanh) must not
    # run the word "Derivative:" into the heading
    body = """
        [[problem]]
        id = "1"
        kind = "activations"
        functions = ["tanh", "relu"]
        tasks = ["derivative"]
    """
    tex = render_sheet(_sheet(body, "en"), "en")
    tanh = re.search(r"\\paragraph\{1\. \$\\tanh\(z\)\$\}\s*(.*)", tex)[1]
    assert tanh.startswith(r"\leavevmode\par\noindent{}")
    relu = re.search(r"\\paragraph\{2\. [^\n]*\}\s*(.*)", tex)[1]
    assert relu.startswith(r"\[ \operatorname{ReLU}(z) =")


def _gelu_slope_max():
    return mpmath.ncdf(mpmath.sqrt(2)) + mpmath.sqrt(2) * mpmath.npdf(mpmath.sqrt(2))


def test_depth_table_keeps_the_zeros_of_rounded_values():
    body = """
        [[problem]]
        id = "1"
        kind = "activations"
        functions = ["sigmoid", "gelu"]
        tasks = ["vanishing"]
    """
    sheet = _sheet(body, "en")
    tex = render_sheet(sheet, "en")
    rows = dict(re.findall(r"^(\d+) & (.*) \\\\$", tex, re.M))
    md_rows = dict(re.findall(r"^\| (\d+) \| (.*) \|$", render_markdown(sheet), re.M))
    with mpmath.workdps(30):
        for layers in (1, 3, 7):
            gelu = _gelu_slope_max() ** layers
            digits = 3 - int(mpmath.floor(mpmath.log10(gelu)))
            sigmoid, shown = rows[str(layers)].split(" & ")
            assert shown == f"${float(gelu):.{digits}f}$"   # 1.290 at L = 3, not 1.29
            assert md_rows[str(layers)].split(" | ")[1] == shown
    # σ′ ≤ 1/4: exact (0.25) when SymPy solves it in its time bound, else 0.2500
    assert rows["1"].split(" & ")[0] in ("$0.25$", "$0.2500$")


def test_swish_slope_in_the_builtin_sheet_keeps_four_places():
    sheet = solve_sheet(load_sheet(examples_dir() / "hw6.toml"), "en")
    tex = render_sheet(sheet, "en")
    with mpmath.workdps(30):
        s = 1 / (1 + mpmath.exp(mpmath.mpf("0.5")))      # σ(−1/2)
        slope = s - mpmath.mpf("0.5") * s * (1 - s)      # d/dx xσ(x/2) at x = −1
    row = re.search(r"\\operatorname\{Swish\}_\{\\beta = 0\.5\}\$ & \$([^$]+)\$ & \$([^$]+)\$", tex)
    assert row[2] == f"{float(slope):.4f}" == "0.2600"


XNOR = {(0, 0): 1, (0, 1): 0, (1, 0): 0, (1, 1): 1}


def test_certificate_rows_are_strict_only_where_the_target_is_one():
    body = """
        [[problem]]
        id = "1"
        kind = "boolean"
        function = "xnor"
        prove_linear = true
    """
    for lang in ("zh", "en"):
        sheet = _sheet(body, lang)
        tex = render_sheet(sheet, lang)
        rows = re.findall(r"(>|\\geq) 0 & \(x_\{1\} = (\d), x_\{2\} = (\d)\)", tex)
        assert len(rows) == 4
        for relation, x1, x2 in rows:
            assert relation == (">" if XNOR[int(x1), int(x2)] == 1 else r"\geq")
        md = render_markdown(sheet)
        assert len(re.findall(r"^\d\. \$.* \\geq 0\$$", md, re.M)) == 2
        assert len(re.findall(r"^\d\. \$.* > 0\$$", md, re.M)) == 2


@pytest.mark.parametrize("table, shape", [
    ('function = "and"', "line"),
    ('truth_table = [[0,0,0,0],[0,0,1,0],[0,1,0,0],[0,1,1,1],[1,0,0,0],[1,0,1,1],[1,1,0,1],'
     '[1,1,1,1]]', "plane")])
def test_separator_is_a_line_for_two_inputs_a_plane_for_three(table, shape):
    body = f"""
        [[problem]]
        id = "1"
        kind = "boolean"
        {table}
        prove_linear = true
    """
    tex = render_sheet(_sheet(body, "en"), "en")
    assert f"Yes: the {shape} $" in tex and "(plane)" not in tex
    zh = render_sheet(_sheet(body, "zh"), "zh")
    assert ("能：直线 $" if shape == "line" else "能：平面 $") in zh


def test_figures_of_a_problem_without_parts_are_not_labelled_a():
    body = """
        [[problem]]
        id = "7"
        kind = "boolean"
        function = "nand"
    """
    tex = render_sheet(_sheet(body, "en"), "en")
    captions = re.findall(r"\\captionof\{figure\}\{([^}]*)\}", tex)
    assert captions and all("(a)" not in c for c in captions)


BIG_CIRCUIT = """
    [[problem]]
    id = "1"
    kind = "graph"
    formula = "sigmoid(w1*x1 + w2*x2 + b1)*tanh(w3*x1 - w4*x2 + b2) + log(1 + exp(u*v)) + (x1*x2 + w1*w2)**2 / (1 + exp(-(b1 + b2))) + max(u, v)*relu(w3 - w4) + exp(-x1*x1)"
    values = { w1 = 0.5, w2 = -1.2, w3 = 0.3, w4 = 0.8, x1 = 1.5, x2 = -0.7, b1 = 0.1, b2 = -0.2, u = 0.4, v = -1.1 }
"""


def test_a_big_circuit_is_drawn_bare_and_its_formula_breaks():
    sheet = _sheet(BIG_CIRCUIT, "en")
    gates = [g for g in sheet.problems[0].gates if g.op != "input"]
    assert len(gates) > 20
    tex = render_sheet(sheet, "en")
    figure = tex[tex.index(r"\begin{tikzpicture}"):tex.index(r"\end{tikzpicture}")]
    assert "node[wire value]" not in figure and figure.count(r"\draw[wire]") == \
        sum(len(g.wires) for g in gates) + 1
    assert "too many for numbers on the wires" in tex
    formula = re.search(r"\\begin\{align\*\}\n  f &= (.*?)\\end\{align\*\}", tex, re.S)[1]
    assert formula.count(r"\\") >= 1             # broken between its terms
    # ten values: a list that may break between them, not one unbreakable tuple
    assert "Evaluate it at $w_{1} = 0.5$, $w_{2} = -1.2$," in tex


def test_a_small_circuit_keeps_its_numbers_on_the_wires():
    sheet = solve_sheet(load_sheet(examples_dir() / "circuits.toml"), "en")
    tex = render_sheet(sheet, "en")
    assert tex.count("node[wire value]") > 10 and "too many for numbers" not in tex


def test_xor_figure_names_each_weight_the_formulas_use():
    import tomllib

    spec = tomllib.loads((examples_dir() / "hw6.toml").read_text())
    xor = next(p for p in spec["problem"] if p["kind"] == "xor")
    sheet = solve_sheet(load_sheet(examples_dir() / "hw6.toml"), "zh")
    tex = render_sheet(sheet, "zh")
    figure = tex[tex.index(r"\begin{tikzpicture}"):tex.index(r"\end{tikzpicture}")]
    labels = dict(re.findall(r"node\[weight[^\]]*\] \{\$w_\{(\d)\} = (-?\d+)\$\}", figure))
    assert labels == {name[1:]: str(w["value"]) for name, w in xor["network"]["weights"].items()}


def test_why_there_is_no_output_form_is_said_in_the_sheets_language():
    # z + tanh z rises everywhere (f′ = 2 − tanh² z ≥ 1) but has no closed-form inverse
    body = """
        [[problem]]
        id = "1"
        kind = "activations"
        functions = [{ label = "f", formula = "z + tanh(z)" }]
        tasks = ["output-form"]
    """
    zh = render_sheet(_sheet(body, "zh"), "zh")
    assert "不存在用 $a$ 表示的形式（未找到闭式的反函数）。" in zh and "found" not in zh
    en = render_sheet(_sheet(body, "en"), "en")
    assert "There is no form in terms of $a$ (no closed-form inverse found)." in en


def test_a_prime_in_user_text_prints_as_a_math_prime():
    # Latin Modern's text fonts have no U+2032: XeTeX would drop it ("Missing character")
    from symderiv.render.escape import escape_tex

    assert escape_tex("f′(z), f″") == r"f\ensuremath{'}(z), f\ensuremath{''}"


def _distance(p, a, b):
    # from point p to the segment a–b, in the plane
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


@pytest.mark.parametrize("source", ["circuits", "big"])
def test_no_wire_runs_through_a_gate_it_does_not_feed(source):
    from symderiv.render.circuit_figure import circuit

    if source == "big":
        problems = _sheet(BIG_CIRCUIT, "en").problems
    else:
        problems = solve_sheet(load_sheet(examples_dir() / "circuits.toml"), "en").problems
    for problem in problems:
        drawn = circuit(problem)
        at = {n.id: (n.x, n.y) for n in drawn.nodes}
        for w in drawn.wires:
            points = [at[w.source], *w.bends, at[w.target]]
            for node, centre in at.items():
                # the gates of the columns the wire crosses (beside its ends, a steep
                # wire may pass a neighbour closely in a crowded circuit)
                if not at[w.source][0] < centre[0] < at[w.target][0]:
                    continue
                # a gate is drawn 7 mm across: a wire keeps 2 mm clear of its rim (in a
                # big, bare circuit, clear of the gate itself)
                clear = 0.55 if drawn.labelled else 0.36
                assert all(_distance(centre, a, b) > clear
                           for a, b in zip(points, points[1:])), (problem.id, w, node)


@pytest.mark.parametrize("function, needed", [("and", 1), ("xnor", 2)])
def test_the_count_of_hidden_neurons_takes_its_noun_in_the_right_number(function, needed):
    body = f"""
        [[problem]]
        id = "1"
        kind = "boolean"
        function = "{function}"
    """
    sheet = _sheet(body, "en")
    assert sheet.problems[0].needed == needed
    noun = "neuron" if needed == 1 else "neurons"
    assert f"uses {needed} hidden {noun}." in render_sheet(sheet, "en")
    assert f"uses {needed} hidden {noun})" in render_markdown(sheet)
    assert "neuron(s)" not in render_sheet(sheet, "en") + render_markdown(sheet)
