"""The safe formula parser: what it accepts, and that it builds the right mathematics.

Values are checked numerically against mpmath / math at sample points (an oracle that
shares no code with the parser), never against SymPy's own printed strings.
"""

import math

import mpmath
import pytest
import sympy as sp

from symderiv.errors import InputError
from symderiv.calculus.expr import exact_number, parse_formula, symbol
from symderiv.calculus.functions import Phi, phi
from symderiv.calculus.latex import latex

x, y, z, beta = (symbol(n) for n in ("x", "y", "z", "beta"))
POINTS = (-3.7, -1.25, -0.5, 0.3, 1.0, 2.2, 4.9)


def value_at(expr, **values) -> float:
    subs = {symbol(k): sp.Float(v, 30) for k, v in values.items()}
    return float(sp.N(expr.subs(subs), 30))


def mp_sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


# formula, the same function written for mpmath (the oracle)
FORMULAS = [
    ("x^2 + 3*x - 1", lambda t: t**2 + 3 * t - 1),
    ("x**3/7 - 2^-1", lambda t: t**3 / 7 - mpmath.mpf(1) / 2),
    ("exp(-x^2/2)", lambda t: mpmath.exp(-t**2 / 2)),
    ("log(1 + x^2) + ln(2)", lambda t: mpmath.log(1 + t**2) + mpmath.log(2)),
    ("log(x^2 + 1, 10)", lambda t: mpmath.log10(t**2 + 1)),
    ("sqrt(x^2 + 1)", lambda t: mpmath.sqrt(t**2 + 1)),
    ("abs(x) - min(x, 0, 1) + max(x, -x)", lambda t: abs(t) - min(t, 0, 1) + max(t, -t)),
    ("sin(x)*cos(x) + tan(x/5)", lambda t: mpmath.sin(t) * mpmath.cos(t) + mpmath.tan(t / 5)),
    ("sinh(x/2) + cosh(x/3) - tanh(x)",
     lambda t: mpmath.sinh(t / 2) + mpmath.cosh(t / 3) - mpmath.tanh(t)),
    ("erf(x/sqrt(2))", lambda t: mpmath.erf(t / mpmath.sqrt(2))),
    ("x*sigmoid(1.5*x)", lambda t: t * mp_sigmoid(mpmath.mpf(3) / 2 * t)),
    ("relu(x) + 0.01*relu(-x)", lambda t: max(t, 0) + mpmath.mpf(1) / 100 * max(-t, 0)),
    ("Heaviside(x, 0)*x", lambda t: t if t > 0 else 0),
    ("x*Phi(x)", lambda t: t * mpmath.ncdf(t)),
    ("phi(x) + 2*pi - E", lambda t: mpmath.npdf(t) + 2 * mpmath.pi - mpmath.e),
    ("-(-(x)) + +x", lambda t: 2 * t),
    ("1 + 2*3^2 - 8/4", lambda t: 17),
    ("x − 1 × 2 ÷ 4", lambda t: t - mpmath.mpf(1) / 2),
]


@pytest.mark.parametrize("text, oracle", FORMULAS, ids=[f for f, _ in FORMULAS])
def test_formula_values_match_mpmath(text, oracle):
    expr = parse_formula(text)
    assert expr.free_symbols <= {x}
    for t in POINTS:
        expected = float(oracle(mpmath.mpf(t)))
        assert value_at(expr, x=t) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("text, exact", [
    ("0.15", (3, 20)), ("1e-3", (1, 1000)), ("2.5E2", (250, 1)), (".5", (1, 2)),
    ("1_000.25", (4001, 4)), ("0.1 + 0.2", (3, 10)), ("7", (7, 1)), ("2^-3", (1, 8)),
])
def test_decimals_are_exact(text, exact):
    value = parse_formula(text)
    assert value.is_Rational
    assert (int(value.p), int(value.q)) == exact


def test_caret_is_power_with_power_precedence():
    # ^ is rewritten to **, so it binds tighter than * and is right-associative.
    assert parse_formula("2*x^2") == parse_formula("2*x**2")
    assert parse_formula("2^3^2") == 512
    assert parse_formula("-x^2").subs(x, 3) == -9


def test_symbols_are_real_and_named_as_written():
    expr = parse_formula("beta*alpha + eta*w5 + e")
    names = {s.name for s in expr.free_symbols}
    assert names == {"beta", "alpha", "eta", "w5", "e"}
    assert all(s.is_real for s in expr.free_symbols)
    # lower-case e is a symbol (coursework's loss), E is Euler's number.
    assert parse_formula("e") == symbol("e")
    assert parse_formula("E") is sp.E
    assert parse_formula("pi") is sp.pi
    assert r"\beta" in latex(parse_formula("beta"))


def test_variables_restrict_the_names():
    assert parse_formula("z*sigmoid(z) + pi", variables={"z"}).free_symbols == {z}
    with pytest.raises(InputError, match="'x' is not a variable here"):
        parse_formula("z*x", "activation", variables={"z"})


def test_diff_differentiates():
    first = parse_formula("diff(x^3*sin(x), x)")
    second = parse_formula("diff(x^3*sin(x), x, 2)")
    for t in POINTS:
        f = lambda s: s**3 * mpmath.sin(s)  # noqa: E731
        assert value_at(first, x=t) == pytest.approx(float(mpmath.diff(f, t)), rel=1e-10)
        assert value_at(second, x=t) == pytest.approx(float(mpmath.diff(f, t, 2)), rel=1e-10)
    assert parse_formula("diff(x*y, y, 0)") == x * y


def test_diff_of_tanh_is_one_minus_tanh_squared():
    expr = parse_formula("diff(tanh(x), x)")
    for t in POINTS:
        assert value_at(expr, x=t) == pytest.approx(float(1 - mpmath.tanh(t) ** 2), rel=1e-12)


def test_swish_with_symbolic_beta():
    expr = parse_formula("x*sigmoid(beta*x)")
    assert expr.free_symbols == {x, beta}
    assert value_at(expr, x=1.3, beta=0.7) == pytest.approx(
        float(1.3 * mp_sigmoid(mpmath.mpf(0.7) * 1.3)), rel=1e-12)


def test_activation_names_come_from_the_registry():
    swish = parse_formula("swish(x, beta)")
    gelu = parse_formula("gelu(x)")
    leaky = parse_formula("leaky_relu(x, 0.1)")
    for t in POINTS:
        mt = mpmath.mpf(t)
        assert value_at(swish, x=t, beta=0.7) == pytest.approx(
            float(mt * mp_sigmoid(mpmath.mpf(0.7) * mt)), rel=1e-12)
        assert value_at(gelu, x=t) == pytest.approx(float(mt * mpmath.ncdf(mt)), rel=1e-12)
        assert value_at(leaky, x=t) == pytest.approx(t if t > 0 else t / 10, rel=1e-12)
    with pytest.raises(InputError, match="'gelu' is a function"):
        parse_formula("gelu + 1")
    with pytest.raises(InputError, match="'softmax' is not a known function"):
        parse_formula("softmax(x)")


@pytest.mark.parametrize("text, same_as", [
    ("0x1F + 0b101", "36"), ("1.e2", "100"), ("x\n+ 1", "x + 1"), ("x·y × 2 − 1", "2*x*y - 1"),
])
def test_other_spellings(text, same_as):
    # Pasted text: other integer bases, a line break, typographic operators.
    assert parse_formula(text) == parse_formula(same_as)


# -- Φ and φ (issue 2, item 2) ---------------------------------------------------------

def test_Phi_prime_is_phi_and_phi_prime_is_minus_x_phi():
    Phi_x, phi_x = parse_formula("Phi(x)"), parse_formula("phi(x)")
    assert isinstance(Phi_x, Phi) and isinstance(phi_x, phi)
    dPhi = parse_formula("diff(Phi(x), x)")
    dphi = parse_formula("diff(phi(x), x)")
    assert dPhi == phi_x
    mpmath.mp.dps = 30
    try:
        for t in POINTS:
            assert value_at(dPhi, x=t) == pytest.approx(
                float(mpmath.diff(mpmath.ncdf, t)), rel=1e-12)
            assert value_at(dphi, x=t) == pytest.approx(
                float(mpmath.diff(mpmath.npdf, t)), rel=1e-12, abs=1e-300)
            assert value_at(dphi, x=t) == pytest.approx(-t * float(mpmath.npdf(t)), rel=1e-12)
    finally:
        mpmath.mp.dps = 15


@pytest.mark.parametrize("t", ["-12.5", "-1", "0.3", "2", "7.25"])
def test_Phi_and_phi_evaluate_to_50_digits(t):
    mpmath.mp.dps = 60
    try:
        want_Phi = mpmath.ncdf(mpmath.mpf(t))
        want_phi = mpmath.npdf(mpmath.mpf(t))
        got_Phi = mpmath.mpf(str(parse_formula(f"Phi({t})").evalf(55)))
        got_phi = mpmath.mpf(str(parse_formula(f"phi({t})").evalf(55)))
        assert abs(got_Phi - want_Phi) <= abs(want_Phi) * mpmath.mpf(10) ** -50
        assert abs(got_phi - want_phi) <= abs(want_phi) * mpmath.mpf(10) ** -50
    finally:
        mpmath.mp.dps = 15


def test_Phi_and_phi_rewrite_to_erf_and_exp():
    Phi_erf = parse_formula("Phi(x)").rewrite(sp.erf)
    phi_exp = parse_formula("phi(x)").rewrite(sp.exp)
    assert not Phi_erf.has(Phi) and Phi_erf.has(sp.erf)
    assert not phi_exp.has(phi) and phi_exp.has(sp.exp)
    for t in POINTS:
        assert value_at(Phi_erf, x=t) == pytest.approx(float(mpmath.ncdf(t)), rel=1e-13)
        assert value_at(phi_exp, x=t) == pytest.approx(float(mpmath.npdf(t)), rel=1e-13)


def test_Phi_and_phi_print_as_textbook_letters():
    assert r"\Phi\left(" in latex(parse_formula("Phi(x)"))
    assert r"\varphi\left(" in latex(parse_formula("phi(x)"))
    gelu_prime = latex(parse_formula("diff(x*Phi(x), x)"))
    assert r"\Phi" in gelu_prime and r"\varphi" in gelu_prime


# -- exact_number ----------------------------------------------------------------------

@pytest.mark.parametrize("value, exact", [
    (3, sp.Integer(3)), (-2, sp.Integer(-2)), (0.15, sp.Rational(3, 20)),
    (1e-05, sp.Rational(1, 100000)), (0.1, sp.Rational(1, 10)), ("3/20", sp.Rational(3, 20)),
    (-0.5, sp.Rational(-1, 2)), (-2.5e-3, sp.Rational(-1, 400)), (-0.0, sp.Integer(0)),
    ("0.35", sp.Rational(7, 20)),
])
def test_exact_number_is_exact(value, exact):
    assert exact_number(value, "spec") == exact


def test_exact_number_accepts_closed_forms():
    half_root2 = exact_number("sqrt(2)/2", "spec")
    assert float(half_root2) == pytest.approx(math.sqrt(2) / 2, rel=1e-15)
    assert float(exact_number("exp(-1) + pi", "spec")) == pytest.approx(math.exp(-1) + math.pi)


@pytest.mark.parametrize("value, message", [
    (True, "expected a number"), (None, "expected a number"), ([1], "expected a number"),
    (float("nan"), "not a finite number"), (float("inf"), "not a finite number"),
    ("x + 1", "contains x"), ("sqrt(-2)", "not real"), ("1/0", "divides by zero"),
    ("log(0)", "not finite"), ("", "empty"),
])
def test_exact_number_refuses(value, message):
    with pytest.raises(InputError, match=message) as caught:
        exact_number(value, "problem.eta")
    assert caught.value.where == "problem.eta"


# -- numbers too large or too close to 0 (finding 29b: the refusal says which) ----------

@pytest.mark.parametrize("formula, says", [
    ("x**(10**-1000)", "'10**-1000' is too close to 0"),
    ("(10/3)**-1000", "too close to 0"),
    ("0.1**1000", "too close to 0"),
    ("x*10**-600*10**-600", "too close to 0"),
    ("1e-1001", "'1e-1001' is too close to 0"),
    ("10**1000", "'10**1000' is too large a number"),
    ("x*10**600*10**600", "too large a number"),
    ("1e1001", "'1e1001' is too large"),
])
def test_a_number_out_of_reach_is_called_large_or_near_zero_as_it_is(formula, says):
    with pytest.raises(InputError) as caught:
        parse_formula(formula, "LHS")
    what = caught.value.what
    assert says in what
    # never "large" for a tiny number, never "close to 0" for a huge one
    assert ("large" in what) != ("close to 0" in what)


def test_numbers_just_within_the_digit_bound_are_exact():
    # 10^999 has 1000 digits; 10^-999 a 1000-digit denominator: both are allowed, exactly
    assert parse_formula("10**999") == sp.Integer(10) ** 999
    assert parse_formula("x**(10**-999)") == x ** sp.Rational(1, 10 ** 999)
    with mpmath.workdps(1100):
        assert mpmath.mpf(parse_formula("10**-999").q) == mpmath.mpf(10) ** 999
