"""kind = "xor": the seed's problem 2 network, a near miss, the linear proof (its
certificates re-checked here from the truth table alone), and design mode.

The oracles are independent of symderiv's evaluation: a plain-Python forward pass over
the Network data (activations applied by hand), the XOR truth table written out here,
and random numeric parameter values for the linear collapse.
"""

import random
import textwrap
from fractions import Fraction

import pytest
import sympy as sp

from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import latex
from symderiv.problems import solve, solve_sheet
from symderiv.problems.xor import collapse_linear, design_network
from symderiv.spec import load_sheet_text

XOR = {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}
HAND = {"relu": lambda z: max(z, 0), "linear": lambda z: z, "identity": lambda z: z}


def plain_forward(network, x1, x2, activation=None):
    """The network evaluated with Fractions, one neuron at a time, from its edges."""
    values = {network.inputs[0]: Fraction(x1), network.inputs[1]: Fraction(x2)}
    for layer in network.layers:
        f = HAND[activation or layer.activation.name]
        for n in layer.neurons:
            z = sum((Fraction(str(e.value)) * values[e.source]
                     for e in network.weights.values() if e.target == n), Fraction(0))
            z += sum((Fraction(str(b.value)) for b in network.biases.values() if n in b.targets),
                     Fraction(0))
            values[n] = f(z)
    return values


def solve_text(text: str):
    return solve_sheet(load_sheet_text(textwrap.dedent(text), "x.toml")).problems


@pytest.fixture(scope="module")
def seed_problem2(hw6_problem):
    return solve(hw6_problem("2"))


def test_the_seeds_network_solves_xor(seed_problem2):
    p = seed_problem2
    assert p.solves_xor and p.exact and not p.designed
    assert [(r.x1, r.x2) for r in p.rows] == list(XOR)
    for r in p.rows:
        oracle = plain_forward(p.network, r.x1, r.x2)
        assert r.expected == XOR[r.x1, r.x2]
        assert r.y.exact == oracle["y"] == r.expected
        assert {k: v.exact for k, v in r.hidden.items()} == {"h1": oracle["h1"], "h2": oracle["h2"]}
    data = p.to_json()
    assert data["solves_xor"] is True and data["linear_impossible"] is True
    assert data["truth_table"][3] == {"x1": 1, "x2": 1, "hidden": {"h1": 2.0, "h2": 1.0},
                                      "y": 0.0, "expected": 0}


NEAR_MISS = """
    [[problem]]
    kind = "xor"
    [problem.network]
    inputs = ["x1", "x2"]
    layers = [{ neurons = ["h1", "h2"], activation = "relu" },
              { neurons = ["y"], activation = "linear" }]
    [problem.network.weights]
    w1 = { from = "x1", to = "h1", value = 1 }
    w2 = { from = "x2", to = "h1", value = 1 }
    w3 = { from = "x1", to = "h2", value = 1 }
    w4 = { from = "x2", to = "h2", value = 1 }
    w5 = { from = "h1", to = "y", value = 1 }
    w6 = { from = "h2", to = "y", value = WEIGHT }
    [problem.network.biases]
    b1 = { to = ["h1"], value = 0 }
    b2 = { to = ["h2"], value = -1 }
    b3 = { to = ["y"], value = 0 }
"""


def test_a_near_miss_does_not_solve_xor():
    (p,) = solve_text(NEAR_MISS.replace("WEIGHT", "-1"))    # y = h1 − h2
    assert not p.solves_xor and not p.exact
    wrong = [(r.x1, r.x2) for r in p.rows if not r.correct]
    assert wrong == [(1, 1)]
    row = p.rows[3]
    assert row.y.exact == plain_forward(p.network, 1, 1)["y"] == 1
    assert row.predicted == 1 and row.expected == 0
    assert p.to_json()["solves_xor"] is False


def test_an_output_exactly_at_the_threshold_is_not_a_solution():
    (p,) = solve_text(NEAR_MISS.replace("WEIGHT", "-1.5"))  # y(1,1) = 2 − 1.5 = 1/2
    row = p.rows[3]
    assert row.y.exact == sp.Rational(1, 2) and row.predicted is None
    assert not p.solves_xor


def test_a_sigmoid_network_solves_xor_by_threshold_but_not_exactly():
    (p,) = solve_text("""
        [[problem]]
        kind = "xor"
        [problem.network]
        inputs = 2
        layers = [{ size = 2, activation = "relu", W = [[1, 1], [1, 1]], b = [0, -1] },
                  { size = 1, activation = "sigmoid", W = [[10, -20]], b = [-5] }]
    """)
    assert p.solves_xor and not p.exact
    for r in p.rows:
        assert (r.y.value > 0.5) == bool(XOR[r.x1, r.x2])


def test_the_linear_proof_and_its_certificates(seed_problem2):
    proof = seed_problem2.proof
    assert proof is not None and proof.holds
    collapse = proof.collapse
    assert collapse.linear
    # The collapse agrees with the network evaluated with identity activations, at random
    # parameter values and random inputs (an independent evaluation).
    rng = random.Random(3)
    x1, x2 = symbol("x1"), symbol("x2")
    for _ in range(5):
        values = {p: Fraction(rng.randint(-9, 9), rng.randint(1, 5))
                  for p in seed_problem2.network.parameters()}
        net = seed_problem2.network.with_parameters({k: sp.Rational(v.numerator, v.denominator)
                                                     for k, v in values.items()})
        a, b = Fraction(rng.randint(-5, 5), 3), Fraction(rng.randint(-5, 5), 7)
        direct = plain_forward(net, a, b, activation="identity")["y"]
        subs = {symbol(k): sp.Rational(v.numerator, v.denominator) for k, v in values.items()}
        subs.update({x1: sp.Rational(a.numerator, a.denominator),
                     x2: sp.Rational(b.numerator, b.denominator)})
        assert collapse.expanded.xreplace(subs) == direct
        model = collapse.model.xreplace({k: v.xreplace(subs)
                                         for k, v in collapse.coefficients.items()})
        assert model.xreplace(subs) == direct

    # Exact equalities: the multipliers c annihilate the rows (x1, x2, 1) of the truth table
    # and not the targets, so Σ cᵢ·(equation i) reads 0 = Σ cᵢ tᵢ ≠ 0.
    eq = proof.equalities
    assert eq.solutions == sp.EmptySet
    c = [int(v) for v in eq.multipliers]
    rows = list(XOR)
    assert any(c)
    for column in (lambda p: p[0], lambda p: p[1], lambda p: 1):
        assert sum(ci * column(p) for ci, p in zip(c, rows)) == 0
    assert sum(ci * XOR[p] for ci, p in zip(c, rows)) == eq.combination_rhs != 0

    # Threshold classifier: λ ≥ 0, not all 0, with Σ λᵢ sᵢ (x1, x2, 1) = 0 where sᵢ = ±1
    # is the side each point must lie on: the strict inequalities add up to 0 > 0.
    sep = proof.separation
    lam = [sp.Rational(v) for v in sep.multipliers]
    assert all(v >= 0 for v in lam) and any(v > 0 for v in lam)
    signs = [1 if XOR[p] else -1 for p in rows]
    for column in (lambda p: p[0], lambda p: p[1], lambda p: 1):
        assert sum(l * s * column(p) for l, s, p in zip(lam, signs, rows)) == 0
    assert sp.expand(sep.larger - sep.smaller) == 0
    assert sep.threshold == sp.Rational(1, 2)
    # built unevaluated: SymPy's own evaluation leaves every one as it is (undecided)
    for inequality in sep.inequalities:
        assert inequality.func(*inequality.args) == inequality
        assert isinstance(inequality, (sp.StrictGreaterThan, sp.StrictLessThan))


def test_a_deeper_architecture_still_collapses_to_a_line():
    (p,) = solve_text("""
        [[problem]]
        kind = "xor"
        prove_linear_impossible = true
        [problem.network]
        inputs = 2
        layers = [{ size = 3, activation = "tanh", init = { seed = 1, scale = 1 } },
                  { size = 2, activation = "relu", init = { seed = 2, scale = 1 } },
                  { size = 1, activation = "sigmoid", init = { seed = 3, scale = 1 } }]
    """)
    collapse = p.proof.collapse
    assert collapse.linear and p.proof.holds
    # ω1 sums one product of weights per path from x1 to the output: 3 · 2 · 1 = 6 paths
    assert len(sp.Add.make_args(collapse.coefficients[symbol("omega1")])) == 6


@pytest.mark.parametrize("hidden", [2, 3, 7])
def test_design_mode_builds_a_verified_relu_network(hidden):
    (p,) = solve_text(f"""
        [[problem]]
        kind = "xor"
        hidden = {hidden}
        prove_linear_impossible = true
    """)
    assert p.designed and p.solves_xor and p.exact and p.proof.holds
    assert p.network.layers[0].activation.name == "relu"
    # no neuron of zeros pads the layer: each one asked for or fewer, every one used
    hidden_neurons = p.network.layers[0].neurons
    assert len(hidden_neurons) <= hidden
    for h in hidden_neurons:
        assert any(e.value != 0 for e in p.network.weights.values() if e.source == h)
    for (x1, x2), target in XOR.items():
        assert plain_forward(p.network, x1, x2)["y"] == target


def test_the_design_for_two_neurons_is_the_classic_one():
    net = design_network(2)
    w = {k: e.value for k, e in net.weights.items()}
    b = {k: v.value for k, v in net.biases.items()}
    # h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 − 1), y = h1 − 2 h2
    assert [w["w1_1_1"], w["w1_1_2"], b["b1_1"]] == [1, 1, 0]
    assert [w["w1_2_1"], w["w1_2_2"], b["b1_2"]] == [1, 1, -1]
    assert [w["w2_1_1"], w["w2_1_2"], b["b2_1"]] == [1, -2, 0]


NAMED_INPUTS = """
    [[problem]]
    kind = "xor"
    prove_linear_impossible = true
    [problem.network]
    inputs = [INPUTS]
    layers = [{ size = 3, activation = "linear", init = { seed = 3, scale = 1 } },
              { size = 2, activation = "tanh", init = { seed = 4, scale = 2 } },
              { size = 1, activation = "sigmoid", init = { seed = 5, scale = 1 } }]
"""


@pytest.mark.parametrize("inputs", [("b", "c"), ("omega1", "omega2"), ("a", "b_1")])
def test_the_linear_model_never_borrows_a_name_of_the_network(inputs):
    # y = ω1 x1 + ω2 x2 + b with inputs named b (or ω1, ω2) must not mix the model's
    # unknowns with the inputs: the proof goes through as for inputs u, v, with the same
    # coefficients, in names that print unlike every name of the network
    (named,) = solve_text(NAMED_INPUTS.replace("INPUTS", ", ".join(f'"{n}"' for n in inputs)))
    (plain,) = solve_text(NAMED_INPUTS.replace("INPUTS", '"u", "v"'))
    assert named.proof.holds and plain.proof.holds
    net = named.network
    printed = {str(latex(symbol(n))) for n in (*net.inputs, *net.neurons, *net.parameters())}
    unknowns = list(named.proof.collapse.coefficients)
    assert len(unknowns) == 3
    assert not {str(latex(u)) for u in unknowns} & printed
    u, v = symbol("u"), symbol("v")
    x1, x2 = (symbol(n) for n in inputs)
    # the same coefficients, and the model in the network's own inputs
    assert list(named.proof.collapse.coefficients.values()) == \
        list(plain.proof.collapse.coefficients.values())
    w1, w2, b = unknowns
    assert named.proof.collapse.model == w1 * x1 + w2 * x2 + b
    assert plain.proof.collapse.model.free_symbols == set(plain.proof.collapse.coefficients) | {u, v}
    assert named.to_json()["linear_impossible"] is True
