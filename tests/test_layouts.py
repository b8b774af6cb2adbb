"""Sheets with several examples, Swish with its β, and what the templates get laid out.

Oracles: ``symderiv check`` (an independent re-derivation of every chain the sheet prints,
in interval arithmetic) on the rendered LaTeX and Markdown; the solution's own values for
the layout (every neuron's rows once, softmax net inputs before the outputs that use them).
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sympy as sp

from symderiv.check.judge import check_text
from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import ExampleSymbol, latex
from symderiv.problems import solve_sheet
from symderiv.render import pdf
from symderiv.render.backprop_layout import backprop_layout
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown
from symderiv.spec import load_sheet_text
from test_bad_specs import BASE

def _seed_network_with(output: str, data: str, training: str) -> str:
    """The seed's problem-4 network (test_bad_specs.BASE) with another output activation,
    data and training."""
    spec = BASE.replace('{ neurons = ["o1", "o2"], activation = "sigmoid" }',
                        f'{{ neurons = ["o1", "o2"], activation = "{output}" }}')
    head, _ = spec.split("[problem.data]")
    return head + data + training


SOFTMAX_TWO_EXAMPLES = _seed_network_with("softmax", """[problem.data]
examples = [ { inputs = { i1 = 0, i2 = 1 }, targets = { o1 = 1, o2 = 0 } },
             { inputs = { i1 = 1, i2 = 0 }, targets = { o1 = 0, o2 = 1 } } ]
""", """[problem.training]
loss = "ce"
loss_symbol = "e"
learning_rate = 0.1
gradients = ["w1", "w5", "b2"]
steps = 2
""")

DENSE_TWO_EXAMPLES = """
[sheet]
title = "dense"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = 3
layers = [
  { size = 2, activation = "tanh", W = [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]], b = [0.1, 0.2] },
  { size = 2, activation = "sigmoid", init = { seed = 0, scale = 0.5 } },
]
[problem.data]
examples = [ { inputs = { x1 = 0, x2 = 1, x3 = 0.5 }, targets = { n2_1 = 1, n2_2 = 0 } },
             { inputs = { x1 = 1, x2 = 0, x3 = -0.5 }, targets = { n2_1 = 0, n2_2 = 1 } } ]
[problem.training]
loss = "mse"
learning_rate = 0.5
gradients = ["w1_1_1", "w2_2_1", "b2_1"]
"""

SWISH_BETA = """
[sheet]
title = "swish"
[[problem]]
id = "5"
kind = "activations"
beta = 1.5
parts = ["swish-gelu"]
"""


def solved(text: str, lang: str = "en"):
    return solve_sheet(load_sheet_text(text, "sheet.toml"), lang)


@pytest.fixture(scope="module")
def several():
    return {name: solved(text) for name, text in
            (("softmax", SOFTMAX_TWO_EXAMPLES), ("dense", DENSE_TWO_EXAMPLES))}


@pytest.mark.parametrize("name", ["softmax", "dense"])
@pytest.mark.parametrize("fmt", ["tex", "md"])
def test_a_sheet_with_several_examples_passes_its_own_check(several, name, fmt):
    sheet = several[name]
    text = render_sheet(sheet) if fmt == "tex" else render_markdown(sheet)
    report = check_text(text, latex=fmt == "tex")
    assert report.count("WRONG") == 0 and report.count("rounding") == 0, \
        [i.data() for i in report.items if i.status in ("WRONG", "rounding")]
    # the forward passes, each δ (once) and the chains were read, not skipped
    assert report.checked >= 35


def test_each_example_has_names_of_its_own(several):
    tex = render_sheet(several["softmax"])
    for n in (1, 2):
        assert rf"h_{{1}}^{{[{n}]}} &= \sigma\left(z_{{h1}}^{{[{n}]}}\right)" in tex
        assert rf"\left( i_{{1}}^{{[{n}]}}, i_{{2}}^{{[{n}]}}\right)" in tex
        # one example's δ is a term of the loss of that example: ∂e_n/∂z^{[n]}
        assert rf"\frac{{\partial e_{{{n}}}}}{{\partial z_{{o1}}^{{[{n}]}}}}" in tex
    assert r"n^{(1)[2]}_{2}" in render_sheet(several["dense"])   # dense: the layer keeps (l)


def test_one_example_keeps_the_plain_names():
    sheet = solved(SOFTMAX_TWO_EXAMPLES.replace(
        "{ inputs = { i1 = 0, i2 = 1 }, targets = { o1 = 1, o2 = 0 } },", ""))
    tex = render_sheet(sheet)
    assert "^{(1)}" not in tex and r"h_{1} &= \sigma\left(z_{h1}\right)" in tex


def test_the_layout_shows_every_neuron_once_softmax_inputs_first(several):
    solution = several["softmax"].problems[0]
    layout = backprop_layout(solution)
    for ex, rows in zip(solution.examples, layout.examples):
        shown = [s for layer in rows.layers for s in layer.steps]
        assert [s.value for s in shown] == [v for layer in rows.layers for v in
                                            [s.value for s in layer.steps]]
        assert sorted(s.value.value for s in shown) == sorted(
            v.value for n in ex.neurons for v in (n.z.value, n.a.value))
        hidden, output = rows.layers
        assert not hidden.output and output.output
        names = [s.lhs for s in output.steps]
        assert all(isinstance(s, ExampleSymbol) for s in names)
        # softmax: both net inputs before either output (each output uses both)
        assert [latex(s.base) for s in names] == ["z_{o1}", "z_{o2}", "o_{1}", "o_{2}"]
        # sigmoid: each neuron's z then its a
        assert [latex(s.lhs.base) for s in hidden.steps] == ["z_{h1}", "h_{1}", "z_{h2}",
                                                              "h_{2}"]
        assert all(s.example == rows.number for s in names)


def test_renaming_keeps_the_form_of_each_step(several):
    solution = several["softmax"].problems[0]
    layout = backprop_layout(solution)
    original = solution.examples[1].neurons[2].z.symbolic           # w5 h1 + w7 h2 + b2
    renamed = layout.examples[1].layers[1].steps[0].symbolic
    assert latex(renamed, order="none") == latex(original, order="none").replace(
        "h_{1}", "h_{1}^{[2]}").replace("h_{2}", "h_{2}^{[2]}")
    back = renamed.xreplace({s: s.base for s in renamed.atoms(ExampleSymbol)})
    assert sp.simplify(back - original) == 0


@pytest.mark.parametrize("fmt", ["tex", "md"])
def test_swish_is_named_with_its_beta(fmt):
    sheet = solved(SWISH_BETA)
    text = render_sheet(sheet) if fmt == "tex" else render_markdown(sheet)
    assert r"\operatorname{Swish}_{1.5}{\left(x \right)}" in text
    assert r"\operatorname{Swish}{\left(x \right)}" not in text   # that is β = 1
    report = check_text(text, latex=fmt == "tex")
    assert report.count("WRONG") == 0, [i.data() for i in report.items if i.status == "WRONG"]


def test_a_symbolic_beta_is_shown_and_beta_1_is_plain_swish():
    from symderiv.render.activations_layout import swish_named

    x, beta = sp.symbols("x beta")
    assert latex(swish_named(x, beta)) == r"\operatorname{Swish}_{\beta}{\left(x \right)}"
    assert latex(swish_named(x, sp.Integer(1))) == r"\operatorname{Swish}{\left(x \right)}"


def test_templates_select_and_index_nothing_themselves():
    # review finding 28: the layout and the figure builder name what the templates show
    from symderiv.resources import templates_dir

    dying = (templates_dir() / "latex" / "activations_dying.tex.j2").read_text()
    backprop = (templates_dir() / "latex" / "backprop.tex.j2").read_text()
    assert "d.chain[" not in dying and "f.z_definition" in dying
    assert "in layer.neurons" not in backprop and "layer.steps" in backprop


MANY_PARAMETERS = """
[sheet]
title = "many"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = 6
layers = [ { size = 8, activation = "tanh", init = { seed = 1, scale = 0.5 } },
           { size = 3, activation = "sigmoid", init = { seed = 2, scale = 0.5 } } ]
[problem.data]
inputs = { x1 = 0.1, x2 = 0.2, x3 = 0.3, x4 = 0.4, x5 = 0.5, x6 = 0.6 }
targets = { n2_1 = 1, n2_2 = 0, n2_3 = 0 }
[problem.training]
loss = "mse"
learning_rate = 0.5
gradients = "all"
"""


def rounded(x: float, places: int = 4) -> str:
    """A computed value as a sheet prints it: at ``places``, trailing zeros kept."""
    text = str(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    return "0" if x == 0 else text.replace("-0.0000", "0.0000")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_parameters_beyond_the_worked_chains_are_tabled_with_their_values(lang):
    sheet = solved(MANY_PARAMETERS, lang)
    solution = sheet.problems[0]
    assert solution.listed and solution.asked_all
    tex = render_sheet(sheet)
    assert ("all 83 parameters" if lang == "en" else "全部 83 个参数") in tex
    table = tex.split(r"\endhead")[1].split(r"\bottomrule")[0]
    rows = [r for r in table.split("\\\\") if r.strip()]
    assert len(rows) == len(solution.listed)
    for name, row in zip(solution.listed, rows):
        cells = [c.strip().strip("$") for c in row.split("&")]
        assert cells == [latex(symbol(name)), rounded(solution.all_gradients[name].value),
                         rounded(solution.updated[name].value)]
        # the update is plain gradient descent from the given value
        given = float(solution.network.parameters()[name])
        assert solution.updated[name].value == pytest.approx(
            given - 0.5 * solution.all_gradients[name].value, abs=1e-12)


@pytest.mark.tex
def test_a_sheet_with_tabled_parameters_compiles():
    run = pdf.run_latex(render_sheet(solved(MANY_PARAMETERS, "zh")))
    assert run.pdf is not None, run.error
