"""continuous_at never says True where the function jumps, blows up or is undefined on
one side; where it says True, SymPy's one-sided limits (the oracle) equal the value."""

import random

import pytest
import sympy as sp

from symderiv.calculus.continuity import continuous_at

x = sp.Symbol("x", real=True)
beta = sp.Symbol("beta", positive=True)

CONTINUOUS = [
    beta * x * (1 - 1 / (1 + sp.exp(-beta * x))) / (1 + sp.exp(-beta * x))
    + 1 / (1 + sp.exp(-beta * x)),                                        # Swish′
    sp.sqrt(2) * x * sp.exp(-x**2 / 2) / (2 * sp.sqrt(sp.pi)) + sp.erf(sp.sqrt(2) * x / 2) / 2
    + sp.Rational(1, 2),                                                  # GELU′
    1 - sp.tanh(x)**2, sp.Abs(x), sp.sqrt(x**2 + 1), 2**x, sp.cos(x) / (2 + sp.sin(x)),
]
NOT_SHOWN = [sp.Heaviside(x), 1 / x, sp.sqrt(x), sp.sign(x), x / sp.Abs(x), sp.floor(x),
             sp.exp(1 / x), sp.Piecewise((x, x < 0), (1 + x, True)), sp.log(x), x**x,
             sp.Max(0, x) / x, (x**2) ** sp.Rational(1, 3) / x, sp.Pow(x, -2)]


@pytest.mark.parametrize("expr", CONTINUOUS, ids=str)
def test_continuous_and_its_limits_are_the_value(expr):
    assert continuous_at(expr, x, 0)
    value = expr.subs(x, 0)
    for side in ("-", "+"):
        assert sp.simplify(sp.limit(expr, x, 0, side) - value) == 0


@pytest.mark.parametrize("expr", NOT_SHOWN, ids=str)
def test_jumps_poles_and_one_sided_domains_are_not_shown_continuous(expr):
    assert not continuous_at(expr, x, 0)


def _random_expr(rng, depth):
    if depth == 0:
        return rng.choice([x, x, sp.Integer(rng.randint(-3, 3)), sp.Rational(1, 2)])
    a, b = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    return rng.choice([a + b, a * b, a / b, sp.exp(a), sp.tanh(a), a**2, sp.sqrt(a),
                       sp.erf(a), 1 / (1 + sp.exp(-a)), sp.Abs(a)])


def test_random_expressions_against_sympy_limits():
    """Where the rules say continuous at a point, both one-sided limits (sympy.limit)
    equal the value there: never a wrong True."""
    rng = random.Random(14)
    said_true = 0
    for _ in range(150):
        expr = _random_expr(rng, 3)
        point = sp.Rational(rng.randint(-4, 4), 2)
        if not continuous_at(expr, x, point):
            continue
        said_true += 1
        value = expr.subs(x, point)
        assert value.is_finite
        for side in ("-", "+"):
            assert abs(sp.N(sp.limit(expr, x, point, side) - value, 30)) < 1e-25, (expr, point)
    assert said_true > 40


# -- limits at ±∞ by the algebra of limits: never a wrong value ---------------------------

from symderiv.calculus.continuity import limit_at_infinity  # noqa: E402

_SWISH1 = x * (1 - 1 / (1 + sp.exp(-x))) / (1 + sp.exp(-x)) + 1 / (1 + sp.exp(-x))
SETTLED = [   # (expr, end, the limit the rules must find)
    (sp.sqrt(2) * x * sp.exp(-x**2 / 2) / (2 * sp.sqrt(sp.pi)) + sp.erf(sp.sqrt(2) * x / 2) / 2
     + sp.Rational(1, 2), -sp.oo, 0),                                     # GELU′
    (sp.erf(sp.sqrt(2) * x / 2) / 2 + sp.Rational(1, 2), -sp.oo, 0),     # Φ
    (x**3 * sp.exp(-x), sp.oo, 0), (x * sp.exp(x), -sp.oo, 0), (sp.exp(x) / x, -sp.oo, 0),
    (x - x**2, -sp.oo, -sp.oo), (x * sp.tanh(x), -sp.oo, sp.oo), (sp.atan(x) + 1, sp.oo,
                                                                    sp.pi / 2 + 1),
    (sp.erfc(x) * 3, -sp.oo, 6), (1 / (1 + sp.exp(-x)), -sp.oo, 0),
    (_SWISH1, -sp.oo, 0),                                                 # Swish′ (β = 1)
    (x**2 / (1 + sp.exp(x**2 - 3 * x)), -sp.oo, 0), (x / (sp.exp(-x) - 5)**2, -sp.oo, 0),
    (x * sp.tanh(x) * sp.exp(-x**2), sp.oo, 0), (x / (1 + sp.exp(-x)), sp.oo, sp.oo),
    (x * sp.exp(x) / (1 + sp.exp(x)), -sp.oo, 0),
]
UNSETTLED = [   # indeterminate forms the rules leave to Gruntz
    (_SWISH1, sp.oo), (x - x**2, sp.oo), (x / (1 + sp.exp(sp.sqrt(x**2 + 1))), sp.oo),
    (x * sp.exp(x) / (1 + sp.exp(x)), sp.oo), (sp.exp(x) / x, sp.oo),
    (sp.sin(x), sp.oo), (x * sp.sin(1 / x), sp.oo), ((1 + 1 / x) ** x, sp.oo),
    (sp.exp(x) - sp.exp(2 * x), sp.oo), (x * (sp.exp(-x) + 1 / x**2), sp.oo),
    (x * (sp.exp(1 / x) - 1), sp.oo), (sp.exp(x) * sp.exp(-x**2) * sp.sin(x), -sp.oo),
]


@pytest.mark.parametrize("expr, end, want", SETTLED, ids=str)
def test_the_algebra_of_limits_finds_what_sympy_limit_finds(expr, end, want):
    assert limit_at_infinity(expr, x, end) == want == sp.limit(expr, x, end)


@pytest.mark.parametrize("expr, end", UNSETTLED, ids=str)
def test_indeterminate_forms_are_left_unsettled(expr, end):
    assert limit_at_infinity(expr, x, end) is None


def _random_expr(rng, depth):
    if depth == 0:
        return rng.choice([x, x, sp.Integer(rng.randint(-3, 3)), sp.Rational(1, 2), sp.pi])
    a, b = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    return rng.choice([a + b, a - b, a * b, a / b if b != 0 else a, a**2, sp.exp(a),
                       sp.exp(-a**2), sp.erf(a), sp.tanh(a), sp.atan(a), 1 / (1 + sp.exp(a)),
                       a / (2 + sp.exp(b)), a * b / (1 - sp.exp(a)) ** 2])


def _oracle(expr, end):
    try:
        want = sp.limit(expr, x, end)
    except (ValueError, NotImplementedError):   # SymPy gives up on some: no verdict
        return None
    # a number or ±oo; not oo·sign(…) left unevaluated, nor Limit(…), nor AccumBounds
    return want if want in (sp.oo, -sp.oo) or (want.is_number and want.is_finite) else None


def _far_values_agree(expr, end, got) -> bool:
    side = 1 if end == sp.oo else -1
    near, far = (sp.N(expr.subs(x, side * 10**k), 40) for k in (3, 6))
    if got.is_infinite:
        return (far > 0) == (got > 0) and abs(far) > abs(near) > 10
    return abs(far - got) < 1e-3 and abs(far - got) <= abs(near - got)


@pytest.mark.slow
def test_random_expressions_never_get_a_wrong_limit():
    """Where the rules answer, sympy.limit (the oracle) agrees where it answers too; 150
    random trees."""
    rng = random.Random(14)
    answered = 0
    for _ in range(150):
        expr = _random_expr(rng, rng.randint(1, 3))
        for end in (-sp.oo, sp.oo):
            got = limit_at_infinity(expr, x, end)
            want = _oracle(expr, end) if got is not None else None
            if want is not None and not want.has(sp.AccumBounds):   # the oracle settled it
                answered += 1
                if not (got == want or (got.is_finite and abs(sp.N(got - want, 30)) < 1e-25)):
                    # sympy.limit has its own bugs: the values far out settle who is right
                    assert _far_values_agree(expr, end, got), (expr, end, got, want)
    assert answered > 50
