"""The quick paths the speed work added give what the exact paths give.

Oracles: exact rational rounding written here (for ``format_decimal`` of floats), and
mpmath at 120 digits (for the float-first sign of the extrema scan).
"""

from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symderiv.calculus import extrema
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
