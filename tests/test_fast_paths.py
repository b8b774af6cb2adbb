"""The quick paths the speed work added give what the exact paths give.

Oracles: exact rational rounding written here (for ``format_decimal`` of floats), and
mpmath at 120 digits (for the float-first sign of the extrema scan).
"""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symderiv.calculus import extrema
from symderiv.calculus.functions import sigmoid
from symderiv.calculus.latex import format_decimal


def _rounded_half_away(value: float, places: int) -> str:
    exact = Fraction(value)
    units = abs(exact) * 10**places
    n = int(units) + (1 if units - int(units) >= Fraction(1, 2) else 0)
    text = str(n).rjust(places + 1, "0")
    whole, decimals = (text[:-places], text[-places:].rstrip("0")) if places else (text, "")
    sign = "-" if exact < 0 and n else ""
    return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                 st.integers(-10**7, 10**7).map(lambda k: k / 2**14),   # exact ties
                 st.integers(-10**7, 10**7).map(lambda k: k / 10**5)),
       st.integers(0, 25))
def test_format_decimal_of_a_float_rounds_its_exact_value(value, places):
    assert format_decimal(value, places) == _rounded_half_away(value, places)


def test_ties_round_away_from_zero():
    assert [format_decimal(v, 2) for v in (0.125, -0.125, 0.375, 2.5e-3)] == \
        ["0.13", "-0.13", "0.38", "0"]   # 2.5e-3 is a little below 0.0025 in binary
    assert format_decimal(-0.00004, 4) == "0"   # never "-0"


def test_float_first_sign_survives_cancellation():
    """exp(x) − 1 − x − x²/2 is x³/6 + … near 0: machine floats lose every digit there,
    so the scan must not believe them; far out the floats are right and suffice."""
    x = sp.Symbol("x", real=True)
    g = sp.exp(x) - 1 - x - x**2 / 2
    f, quick = extrema._mp_function(g, x), extrema._float_function(g, x)
    for point in ("-1e-6", "1e-6", "-3e-5", "2e-7", "-2", "3", "-0.5"):
        with mpmath.workdps(120):
            truth = mpmath.sign(mpmath.exp(mpmath.mpf(point)) - 1 - mpmath.mpf(point)
                                - mpmath.mpf(point)**2 / 2)
        with mpmath.workdps(extrema.DIGITS):
            assert extrema._sign(f, mpmath.mpf(point), quick) == truth, point


def test_roots_with_cancelling_floats_match_mpmath():
    """Roots where the float evaluation of x²·(eˣ − 1 − x) − 10⁻¹² cancels (about ±0.0012,
    where it is x⁴/2 ± …): found, and refined as mpmath's findroot at 60 digits finds them."""
    x = sp.Symbol("x", real=True)
    g = x**2 * (sp.exp(x) - 1 - x) - sp.Rational(1, 10**12)
    found = extrema.roots(g, x, closed_form=False, window=(-1, 1), density=1000)
    with mpmath.workdps(60):
        h = lambda t: t**2 * (mpmath.exp(t) - 1 - t) - mpmath.mpf(10)**-12  # noqa: E731
        truth = [mpmath.findroot(h, mpmath.mpf(guess)) for guess in ("-0.0012", "0.0012")]
    assert len(found) == 2
    for r, t in zip(found, truth):
        assert abs(r.mp - t) < mpmath.mpf(10)**-35


# -- verify: identities in one exponential, proved in process ------------------------------

_x = sp.Symbol("x", real=True)
_b = sp.Symbol("beta", real=True)
_E = sp.exp
_EXPONENTIAL_IDENTITIES = [
    (sp.diff(sp.tanh(_x).rewrite(sp.exp), _x), (1 + sp.tanh(_x)) * (1 - sp.tanh(_x))),
    (sp.tanh(_x), 2 / (1 + _E(-2 * _x)) - 1),
    (sp.sinh(2 * _x), 2 * sp.sinh(_x) * sp.cosh(_x)),
    (sp.cosh(_x / 3)**2 - sp.sinh(_x / 3)**2, sp.Integer(1)),
    (sp.diff(1 / (1 + _E(-_x)), _x), sigmoid(_x) * (1 - sigmoid(_x))),
    # several variables: every exponent a rational multiple of βx (Swish′ with β symbolic)
    (_b * _x * _E(-_b * _x) / (1 + _E(-_b * _x))**2 + 1 / (1 + _E(-_b * _x)),
     _b * _x * sigmoid(_b * _x) * (1 - sigmoid(_b * _x)) + sigmoid(_b * _x)),
    (sp.tanh(_b * _x), 2 * sigmoid(2 * _b * _x) - 1),
    ((1 + _E(_b * _x / 2))**2 * _x * _b, _x * _b * (1 + 2 * _E(_b * _x / 2) + _E(_b * _x))),
    ((_b * _x)**2 * (sp.cosh(_b * _x / 8)**2 - sp.sinh(_b * _x / 8)**2), (_b * _x)**2),
]
_NOT_IDENTITIES = [
    (sp.tanh(_x), 2 / (1 + _E(-_x)) - 1),
    (sp.sinh(2 * _x), sp.sinh(_x) * sp.cosh(_x)),
    (sp.cosh(_x)**2 - sp.sinh(_x)**2, 1 + sp.Rational(1, 10**40)),
    (_E(_x) + _x, _E(_x) + _x + 1),
    (_b * _x * sigmoid(_b * _x) * (1 - sigmoid(_b * _x)), _x * sigmoid(_b * _x) * (1 - sigmoid(_b * _x))),
    (sp.tanh(_b * _x), 2 * sigmoid(_b * _x) - 1),
    (_b * _x * _E(-_b * _x) / (1 + _E(-_b * _x))**2, _b * sigmoid(_b * _x) * (1 - sigmoid(_b * _x))),
    (_b * sp.exp(_b * _x), _b * sp.exp(_b * _x) + sp.Rational(1, 10**40)),
    # other functions are never rewritten into one exponential
    (sp.Function("e")(_x) * _E(_b * _x) + sp.erf(_b * _x), sp.erf(_b * _x)),
    (sp.Abs(_x) * _E(_b * _x), _x * _E(_b * _x)),
]


def _mp_equal_at_random_points(lhs, rhs) -> bool:
    import random
    rng = random.Random(7)
    from symderiv.calculus.functions import to_elementary
    f = sp.lambdify((_x, _b), to_elementary(lhs - rhs), "mpmath")
    with mpmath.workdps(60):
        return all(abs(f(*(mpmath.mpf(rng.uniform(-6, 6)) for _ in "xb"))) < mpmath.mpf(10)**-45
                   for _ in range(20))


@pytest.mark.parametrize("pair", range(len(_EXPONENTIAL_IDENTITIES)))
def test_identities_in_one_exponential_are_proved_in_process(pair):
    from symderiv.calculus import verify
    lhs, rhs = _EXPONENTIAL_IDENTITIES[pair]
    assert _mp_equal_at_random_points(lhs, rhs)            # the oracle: they are equal
    difference = verify._normalized(lhs) - verify._normalized(rhs)
    assert verify._zero_in_one_exponential(difference)
    assert verify.decide(lhs, rhs).method == "rewrite(exp) + cancel"


@pytest.mark.parametrize("pair", range(len(_NOT_IDENTITIES)))
def test_what_is_not_an_identity_is_never_proved_so(pair):
    from symderiv.calculus import verify
    lhs, rhs = _NOT_IDENTITIES[pair]
    difference = verify._normalized(lhs) - verify._normalized(rhs)
    assert not verify._zero_in_one_exponential(difference)
    assert verify.decide(lhs, rhs).equal is not True
