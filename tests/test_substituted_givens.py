"""Every given shows where it is substituted, a weight or input of 1 or −1 too (handcalcs:
symbolic = substituted = result). SymPy writes −x as (−1)·x, so w·x at w = −1, x = 0.8
once printed as −0.8, and at x = 1 as −1, a factor gone.

Oracles: the spec's own numbers (each printed line holds the givens of its formula, in
the formula's order), a forward pass written here in mpmath (the printed line, read back
by a small reader of this file's own, evaluates to it), and the ``check`` command's
reader of the whole sheet (0 WRONG).
"""

import ast
import re
import tomllib
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp

import symderiv as sd
from symderiv.calculus.latex import latex
from symderiv.check.judge import check_text
from symderiv.solution import as_written, substitute

SPEC = Path(__file__).resolve().parent / "data" / "unit_weights.toml"
U = sp.UnevaluatedExpr


def read_back(tex: str) -> Fraction:
    """A printed substituted line (numbers, +, −, \\cdot, parentheses) as an exact value."""
    text = (tex.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\cdot", "*"))
    assert re.fullmatch(r"[0-9.+\-*() ]+", text), text

    def value(node):
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant):
            return Fraction(str(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = value(node.left), value(node.right)
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
        raise AssertionError(ast.dump(node))
    return value(ast.parse(text, mode="eval"))


def magnitudes(tex: str) -> list[Fraction]:
    return [Fraction(m) for m in re.findall(r"\d+(?:\.\d+)?", tex)]


@pytest.fixture(scope="module")
def spec():
    return tomllib.loads(SPEC.read_text(encoding="utf-8"))["problem"][0]


@pytest.fixture(scope="module")
def solution():
    return sd.solve(sd.load(SPEC))[0]


def oracle_forward(spec) -> dict[str, mpmath.mpf]:
    """z and a of every neuron, by the definitions, in mpmath at 40 digits."""
    net, data = spec["network"], spec["data"]
    z = {}
    with mpmath.workdps(40):
        value = {k: mpmath.mpf(str(v)) for k, v in data["inputs"].items()}
        for layer in net["layers"]:
            for n in layer["neurons"]:
                total = sum(mpmath.mpf(str(w["value"])) * value[w["from"]]
                            for w in net["weights"].values() if w["to"] == n)
                total += sum(mpmath.mpf(str(b["value"])) for b in net["biases"].values()
                             if n in b["to"])
                z[n] = total
                value[n] = 1 / (1 + mpmath.exp(-total))
    return z


def givens_in_order(spec, neuron, forward) -> list[Fraction]:
    """|w|, |input| for each edge into ``neuron`` (the spec's order), then |b|; hidden
    outputs as printed at 4 places."""
    net, inputs = spec["network"], spec["data"]["inputs"]
    out = []
    for w in net["weights"].values():
        if w["to"] == neuron:
            source = w["from"]
            x = (Fraction(str(inputs[source])) if source in inputs
                 else Fraction(mpmath.nstr(1 / (1 + mpmath.exp(-forward[source])), 4)))
            out += [abs(Fraction(str(w["value"]))), abs(x)]
    out += [abs(Fraction(str(b["value"]))) for b in net["biases"].values() if neuron in b["to"]]
    return out


def test_the_spec_has_what_it_is_for(spec):
    weights = [w["value"] for w in spec["network"]["weights"].values()]
    assert -1 in weights and 1 in weights and 1 in spec["data"]["inputs"].values()


@pytest.mark.parametrize("neuron", ["h1", "h2", "o"])
def test_every_given_shows_in_the_substituted_net_input(spec, solution, neuron):
    forward = oracle_forward(spec)
    step = next(n.z for n in solution.examples[0].neurons if n.neuron == neuron)
    tex = latex(step.substituted, decimals=4, order="none")
    assert magnitudes(tex) == givens_in_order(spec, neuron, forward), tex
    # givens only: z to 30 digits; hidden outputs rounded to 4 places (|w| ≤ 1, two of them)
    tolerance = Fraction(1, 10**30) if neuron.startswith("h") else Fraction(1, 10**4)
    assert abs(read_back(tex) - Fraction(mpmath.nstr(forward[neuron], 35))) <= tolerance


def test_a_weight_of_minus_one_is_a_factor_in_the_hidden_delta(solution):
    # ∂E/∂z_h1 = h1(1 − h1) w5 ∂E/∂z_o with w5 = −1: the −1 shows as a factor
    step = solution.deltas[0]["h1"]
    tex = latex(step.substituted, decimals=4, order="none")
    assert r"\left(-1\right) \cdot" in tex, tex


def test_the_sheet_passes_its_own_check():
    for fmt in ("tex", "md"):
        report = check_text(sd.render(sd.load(SPEC), format=fmt), latex=fmt == "tex")
        assert report.count("WRONG") == report.count("rounding") == 0
        assert report.count("ok") >= 20


W, X, B = sp.symbols("w x b")


@pytest.mark.parametrize("w, x, b, shown", [
    (-1, 1, sp.Rational(1, 10), r"\left(-1\right) \cdot 1 + 0.1"),
    (1, -1, 0, r"1 \cdot \left(-1\right) + 0"),
    (-1, -1, -1, r"\left(-1\right) \cdot \left(-1\right) - 1"),
    (sp.Rational(2, 5), 1, -1, r"0.4 \cdot 1 - 1"),
    (1, 1, 1, r"1 \cdot 1 + 1"),
])
def test_unit_givens_print_as_factors(w, x, b, shown):
    formula = sp.Add(sp.Mul(W, X, evaluate=False), B, evaluate=False)   # as a spec writes it
    printed = latex(substitute(formula, {W: sp.sympify(w), X: sp.sympify(x),
                                           B: sp.sympify(b)}), decimals=4, order="none")
    assert printed == shown
    assert read_back(printed) == Fraction(str(w)) * Fraction(str(x)) + Fraction(str(b))


def test_sympys_own_minus_sign_stays_a_sign():
    # y − o at o = 0.8: the −1 is the formula's, not a value put in
    o, y = sp.symbols("o y")
    assert latex(substitute(y - o, {y: sp.Integer(1), o: sp.Rational(4, 5)}),
                 decimals=4, order="none") == r"1 - 0.8"
    # a computed −1.0 leading a product is a factor, not a sign
    assert latex(sp.Mul(sp.Float(-1), sp.Float("0.25"), evaluate=False), decimals=4,
                 order="none") == \
        r"-1 \cdot 0.2500"
    assert as_written(sp.Rational(1, 2)) == sp.Rational(1, 2)
    assert isinstance(as_written(sp.Integer(-1)), U)
