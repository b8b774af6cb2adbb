"""Spec loading (contract §1): both layer forms, shared biases, examples, exact decimals,
seeded initialisation, defaults, languages. Bad specs are in test_bad_specs.py."""

import random
import textwrap

import pytest
import sympy as sp

from symderiv.errors import InputError
from symderiv.spec import (INIT_GRID, BackpropProblem, XorProblem, in_language,
                           load_sheet_text)


def sheet(text: str, name: str = "t.toml"):
    return load_sheet_text(textwrap.dedent(text), name)


NAMED = """
[[problem]]
kind = "backprop"
[problem.network]
inputs = ["i1", "i2"]
layers = [{ neurons = ["h1"], activation = "tanh" }, { neurons = ["o1"], activation = "sigmoid" }]
[problem.network.weights]
w1 = { from = "i1", to = "h1", value = 0.15 }
w2 = { from = "i2", to = "h1", value = "sqrt(2)/2" }
w3 = { from = "h1", to = "o1", value = "3/20" }
w4 = { from = "i1", to = "o1", value = -1 }
[problem.network.biases]
b = { to = ["h1", "o1"], value = 0.1 }
[problem.data]
inputs = { i1 = 0.05, i2 = 1e-3 }
targets = { o1 = 0.5 }
[problem.training]
loss = "half-sse"
learning_rate = 0.25
"""


def test_the_builtin_sheet_is_the_seeds_problems_2_and_4(hw6_sheet):
    s = hw6_sheet
    assert s.name == "hw6" and s.source == "hw6.toml"
    assert s.lang == "zh" and s.precision == 4
    assert [p.id for p in s.problems][:2] == ["2", "4"]
    assert [p.position for p in s.problems][:2] == [1, 2]
    xor, bp = s.problems[0], s.problems[1]
    assert isinstance(xor, XorProblem) and xor.prove_linear_impossible
    assert isinstance(bp, BackpropProblem)
    net = bp.network
    edges = {n: (e.source, e.target, e.value) for n, e in net.weights.items()}
    assert edges["w1"] == ("i1", "h1", sp.Rational(3, 20))
    assert edges["w2"] == ("i1", "h2", sp.Rational(1, 4))
    assert edges["w5"] == ("h1", "o1", sp.Rational(3, 10))
    assert edges["w8"] == ("h2", "o2", sp.Rational(11, 20))
    assert net.biases["b1"].targets == ("h1", "h2") and net.biases["b1"].value == sp.Rational(7, 20)
    assert net.biases["b2"].targets == ("o1", "o2") and net.biases["b2"].value == sp.Rational(3, 5)
    assert bp.examples[0].inputs == {"i1": sp.Rational(1, 20), "i2": sp.Rational(1, 10)}
    assert bp.examples[0].targets == {"o1": sp.Rational(3, 25), "o2": sp.Rational(19, 20)}
    t = bp.training
    assert (t.loss, t.loss_symbol, t.learning_rate, t.gradients, t.steps) == (
        "sse", "e", sp.Rational(1, 10), ("w5", "w6"), 1)
    assert t.train == tuple(net.parameters())          # train defaults to "all"
    assert bp.notation.net_inputs == {"o1": "z1", "o2": "z2"}


def test_named_form_exact_values_shared_bias_and_defaults():
    s = sheet(NAMED, "my sheet.toml")
    assert s.title == "my sheet" and s.lang == "en" and s.precision == 4   # defaults
    p = s.problems[0]
    assert p.id == "1" and p.statement is None                              # id: position
    w = p.network.weights
    assert w["w1"].value == sp.Rational(3, 20)           # 0.15 exactly, never 0.1499…
    assert w["w2"].value == sp.sqrt(2) / 2
    assert w["w3"].value == sp.Rational(3, 20)
    assert w["w4"] == w["w4"].__class__("w4", "i1", "o1", sp.Integer(-1))   # skips a layer
    assert p.network.biases["b"].targets == ("h1", "o1")
    assert p.examples[0].inputs["i2"] == sp.Rational(1, 1000)
    assert p.training.loss_symbol == "E" and p.training.steps == 1
    assert p.training.gradients == p.training.train == ("w1", "w2", "w3", "w4", "b")
    assert [layer.activation.name for layer in p.network.layers] == ["tanh", "sigmoid"]


def test_dense_form_names_and_matrix_orientation():
    s = sheet("""
        [[problem]]
        kind = "backprop"
        [problem.network]
        inputs = 3
        layers = [
          { size = 2, activation = { name = "leaky_relu", alpha = 0.2 }, W = [[1, 2, 3], [4, 5, 6]], b = [7, 8] },
          { neurons = ["out"], activation = "z*sigmoid(1.5*z)", W = [["1/3", -0.5]], b = [0] },
        ]
        [problem.data]
        inputs = [1, 2, 3]
    """)
    net = s.problems[0].network
    assert net.inputs == ("x1", "x2", "x3")
    assert net.layers[0].neurons == ("n1_1", "n1_2") and net.layers[1].neurons == ("out",)
    # W[j][k]: neuron j of the layer, from neuron k of the layer before
    w = net.weights
    assert (w["w1_2_3"].source, w["w1_2_3"].target, w["w1_2_3"].value) == ("x3", "n1_2", 6)
    assert (w["w1_1_2"].source, w["w1_1_2"].target, w["w1_1_2"].value) == ("x2", "n1_1", 2)
    assert (w["w2_1_1"].source, w["w2_1_1"].value) == ("n1_1", sp.Rational(1, 3))
    assert w["w2_1_2"].value == sp.Rational(-1, 2)
    assert net.biases["b1_2"].targets == ("n1_2",) and net.biases["b1_2"].value == 8
    assert net.layers[0].activation.params["alpha"] == sp.Rational(1, 5)
    assert s.problems[0].training is None and s.problems[0].examples[0].targets == {}


def test_seeded_initialisation_follows_the_documented_draw():
    text = """
        [[problem]]
        kind = "backprop"
        [problem.network]
        inputs = 2
        layers = [{ size = 3, activation = "tanh", init = { seed = 7, scale = 0.5 } },
                  { size = 1, activation = "sigmoid", init = { seed = 8, scale = 2 } }]
        [problem.data]
        inputs = [0, 1]
    """
    first, again = sheet(text).problems[0].network, sheet(text).problems[0].network
    assert first.parameters() == again.parameters()
    # The oracle: random.Random(seed).randint(-G, G) * scale / G, W row by row, then b.
    rng = random.Random(7)
    expected = [sp.Rational(1, 2) * sp.Rational(rng.randint(-INIT_GRID, INIT_GRID), INIT_GRID)
                for _ in range(3 * 2 + 3)]
    layer1 = [first.weights[f"w1_{j}_{k}"].value for j in (1, 2, 3) for k in (1, 2)]
    layer1 += [first.biases[f"b1_{j}"].value for j in (1, 2, 3)]
    assert layer1 == expected
    rng = random.Random(8)
    expected2 = [2 * sp.Rational(rng.randint(-INIT_GRID, INIT_GRID), INIT_GRID) for _ in range(4)]
    assert [first.weights[f"w2_1_{k}"].value for k in (1, 2, 3)] + [first.biases["b2_1"].value] \
        == expected2
    assert all(abs(v) <= 2 for v in first.parameters().values())
    assert len(set(first.parameters().values())) > 8      # really drawn, not constant


def test_init_fills_only_what_is_not_given_and_bias_false():
    net = sheet("""
        [[problem]]
        kind = "backprop"
        [problem.network]
        inputs = 2
        layers = [{ size = 2, activation = "relu", W = [[1, 0], [0, 1]], init = { seed = 1, scale = 1 } },
                  { size = 1, activation = "linear", W = [[1, 1]], bias = false }]
        [problem.data]
        inputs = [1, 1]
    """).problems[0].network
    assert net.weights["w1_1_1"].value == 1 and net.weights["w1_1_2"].value == 0
    assert set(net.biases) == {"b1_1", "b1_2"}                   # no b2_1: bias = false
    rng = random.Random(1)
    assert net.biases["b1_1"].value == sp.Rational(rng.randint(-INIT_GRID, INIT_GRID), INIT_GRID)


def test_several_examples_lists_and_mse():
    p = sheet("""
        [[problem]]
        id = 7
        kind = "backprop"
        statement = { en = "Fit it.", zh = "拟合。" }
        [problem.network]
        inputs = ["a"]
        layers = [{ neurons = ["y"], activation = "linear" }]
        [problem.network.weights]
        w = { from = "a", to = "y", value = 2 }
        [problem.network.biases]
        c = { to = "y", value = 0 }
        [problem.data]
        examples = [{ inputs = { a = 1 }, targets = { y = 3 } }, { inputs = [2], targets = [5] }]
        [problem.training]
        loss = "mse"
        learning_rate = "1/8"
        gradients = ["w"]
        train = ["w"]
        steps = 10
    """).problems[0]
    assert p.id == "7"
    assert [e.inputs["a"] for e in p.examples] == [1, 2]
    assert [e.targets["y"] for e in p.examples] == [3, 5]
    assert p.training.train == ("w",) and p.training.steps == 10
    assert p.training.learning_rate == sp.Rational(1, 8)
    assert p.statement_in("zh", "en") == "拟合。"
    assert p.statement_in("en", "zh") == "Fit it."


def test_texts_per_language_fall_back_to_the_sheets_language():
    assert in_language("same", "zh", "en") == "same"
    assert in_language({"zh": "甲", "en": "A"}, "en", "zh") == "A"
    assert in_language({"zh": "甲"}, "en", "zh") == "甲"
    assert in_language(None, "en", "zh") is None


def test_xor_design_mode_and_given_network():
    s = sheet("""
        [[problem]]
        kind = "xor"
        hidden = 3
        [[problem]]
        kind = "xor"
        prove_linear_impossible = true
        [problem.network]
        inputs = 2
        layers = [{ size = 2, activation = "relu", W = [[1, 1], [1, 1]], b = [0, -1] },
                  { size = 1, activation = "linear", W = [[1, -2]], b = [0] }]
    """)
    design, given = s.problems
    assert design.network is None and design.hidden == 3 and design.activation.name == "relu"
    assert not design.prove_linear_impossible
    assert given.network.inputs == ("x1", "x2") and given.prove_linear_impossible


def test_activations_problem_passes_its_options_through():
    p = sheet("""
        [[problem]]
        id = "5"
        kind = "activations"
        parts = ["swish-gelu", "dying-relu"]
        range = [-3, "5/2"]
        beta = 1.5
    """).problems[0]
    assert p.parts == ("swish-gelu", "dying-relu")
    assert p.range == (-3, sp.Rational(5, 2)) and p.beta == sp.Rational(3, 2)
    default = sheet('[[problem]]\nkind = "activations"\n').problems[0]
    assert default.parts == ("tanh-vanishing", "dying-relu", "swish-gelu") and default.beta is None


@pytest.mark.parametrize("loss,activation,targets", [
    ("bce", "sigmoid", "{ o = 1 }"),
    ("ce", "softmax", "{ o = 1 }"),
    ("ce", "linear", "{ o = 0.5 }"),     # ce on logits, as PyTorch reads them
])
def test_probability_losses_accept_their_outputs(loss, activation, targets):
    p = sheet(f"""
        [[problem]]
        kind = "backprop"
        [problem.network]
        inputs = ["x"]
        layers = [{{ neurons = ["o"], activation = "{activation}" }}]
        [problem.network.weights]
        w = {{ from = "x", to = "o", value = 1 }}
        [problem.network.biases]
        b = {{ to = ["o"], value = 0 }}
        [problem.data]
        inputs = {{ x = 1 }}
        targets = {targets}
        [problem.training]
        loss = "{loss}"
        learning_rate = 1
    """).problems[0]
    assert p.training.loss == loss


def test_problems_know_their_file_and_names_may_differ_only_in_print(hw6_sheet):
    # the file name travels with each problem, so that an error found while solving it
    # names the spec like a loading error does
    s = sheet(NAMED, "named.toml")
    assert [p.source for p in s.problems] == ["named.toml"]
    # the seed's own notation (z1, z2 for the net inputs, y1, y2 for the targets, loss e)
    # prints unlike every name of its network
    hw6 = hw6_sheet
    assert hw6.problems[1].notation.net_inputs == {"o1": "z1", "o2": "z2"}
    # names SymPy prints alike are caught however they are spelt: alpha1 and alpha_1
    with pytest.raises(InputError) as caught:
        sheet(NAMED.replace("w4 = {", "alpha_1 = {").replace("w3 = {", "alpha1 = {"))
    assert caught.value.what == ("problem[1].network.weights.alpha_1: the weight alpha_1 would "
                                 r"print as $\alpha_{1}$, the same as the weight alpha1; "
                                 "choose another name")


def test_bounds_allow_the_largest_values_they_name():
    # the bounds are inclusive: 10^6 as a value, 1000 as an init scale, 100 as β
    big = NAMED.replace("value = -1 }", 'value = "10^6" }').replace(
        "learning_rate = 0.25", "learning_rate = 1000000")
    (p,) = sheet(big).problems
    assert p.network.weights["w4"].value == 10**6 and p.training.learning_rate == 10**6
    (a,) = sheet('[[problem]]\nkind = "activations"\nbeta = 100\n').problems
    assert a.beta == 100
    dense = sheet("""
        [[problem]]
        kind = "backprop"
        [problem.network]
        inputs = 1
        layers = [{ size = 1, activation = "tanh", init = { seed = 1, scale = 1000 } }]
        [problem.data]
        inputs = [1]
    """)
    value = dense.problems[0].network.weights["w1_1_1"].value
    assert abs(value) <= 1000 and (value * INIT_GRID / 1000).is_Integer
