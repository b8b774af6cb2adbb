"""How numbers print: computed values rounded at the sheet's precision (quickly, whatever
their size), given values exactly.

Oracle: Python's ``decimal`` module (ROUND_HALF_UP at 80 digits, exponents unbounded),
fed the value's own digits from mpmath; it shares no code with symderiv's formatter.
"""

import re
import time
from types import SimpleNamespace
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symderiv.calculus.latex import (SCIENTIFIC_FROM, format_given, format_number, format_significant,
                            latex)
from symderiv.render.environment import make_environment
from symderiv.solution import Number

_CONTEXT = Context(prec=80, Emax=10**18 - 1, Emin=-(10**18) + 1, rounding=ROUND_HALF_UP)


def decimal_of(value) -> Decimal:
    """The value as a Decimal, from mpmath's 80 digits (or exactly, for rationals)."""
    with localcontext(_CONTEXT):
        if isinstance(value, Fraction):
            return Decimal(value.numerator) / Decimal(value.denominator)
        x = mpmath.mpf(value._mpf_) if isinstance(value, sp.Float) else mpmath.mpf(value)
        return Decimal(mpmath.nstr(x, 80, min_fixed=1, max_fixed=0, strip_zeros=False))


def expected_text(value, places: int) -> str:
    r"""What the sheet must show: fixed point below 10^15, else m \times 10^{e}."""
    with localcontext(_CONTEXT):
        d = decimal_of(value)
        if abs(d) >= SCIENTIFIC_FROM:
            exponent = d.adjusted()
            mantissa = d.scaleb(-exponent).quantize(Decimal(1).scaleb(-places))
            if abs(mantissa) >= 10:
                exponent += 1
                mantissa = d.scaleb(-exponent).quantize(Decimal(1).scaleb(-places))
            text = _plain(mantissa)
            return rf"{text} \times 10^{{{exponent}}}"
        return _plain(d.quantize(Decimal(1).scaleb(-places)))


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def huge_and_tiny():
    """Values far outside double range, as SymPy Floats (made from mpmath, not from strings)."""
    return [sp.Float(mpmath.mpf(s)) for s in
            ("8e-963352019757", "-8e963352019757", "1.23456789e300", "-9.99996e20",
             "4.4e-400", "-5.6e-30", "7.000049999e15", "9.99995e14")]


@pytest.mark.parametrize("value", huge_and_tiny(), ids=str)
@pytest.mark.parametrize("places", [0, 2, 4, 9])
def test_huge_and_tiny_floats_round_quickly_and_correctly(value, places):
    start = time.perf_counter()
    shown = format_number(value, places)
    in_step = latex(value * sp.Symbol("x"), decimals=places)
    assert time.perf_counter() - start < 2, "formatting must not expand the value exactly"
    assert shown == expected_text(value, places)
    # the printer rounds the same way, keeping the zeros of a computed value, except that a
    # value that is not 0 never prints as 0 in a worked step: ``places`` significant digits
    stepped = format_number(value, places, keep_zeros=True, nonzero=True)
    assert stepped.lstrip("-") in in_step
    if places and not shown.strip("-0."):
        mantissa = re.match(r"-?[\d.]+", stepped)[0]
        exponent = re.search(r"10\^\{(-?\d+)\}", stepped)
        read = mpmath.mpf(mantissa) * (mpmath.mpf(10) ** int(exponent[1]) if exponent else 1)
        # the oracle: mpmath, the printed digits read back, within half a unit of the last
        digits = len(mantissa.lstrip("-0.").replace(".", ""))
        assert digits == places and read * value > 0
        assert abs(read - value) <= abs(read) * mpmath.mpf(10) ** (1 - places) / 2


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64),
       st.integers(min_value=0, max_value=12))
def test_any_double_prints_as_decimal_rounds_it(value, places):
    assert format_number(value, places) == expected_text(mpmath.mpf(value), places)


@settings(max_examples=200, deadline=None)
@given(st.fractions(), st.integers(min_value=0, max_value=8))
def test_exact_rationals_round_half_away_from_zero(value, places):
    assert format_number(value, places) == expected_text(value, places)
    assert format_number(sp.Rational(value.numerator, value.denominator), places) == \
        expected_text(value, places)


def test_significant_digits_switch_to_scientific_outside_their_range():
    assert format_significant(sp.Float("0.78641", 30), 4) == "0.7864"
    assert format_significant(sp.Float(mpmath.mpf("8.7379e-21")), 4) == r"8.738 \times 10^{-21}"
    assert format_significant(sp.Float(mpmath.mpf("-1e300")), 4) == r"-1.000 \times 10^{300}"
    assert format_significant(0, 4) == "0"


@pytest.mark.parametrize("value", [sp.oo, sp.nan, sp.zoo, sp.I])
def test_values_that_are_not_finite_reals_are_refused(value):
    with pytest.raises(ValueError):
        format_number(value, 4)


# -- given values are printed exactly ---------------------------------------------------------

@pytest.mark.parametrize("places", [0, 1, 2, 4])
def test_given_decimals_are_never_rounded(places):
    computed = sp.Float("0.59326999210718725517", 50)
    for text in ("0.1", "0.15", "-0.0375", "12.5", "3"):
        value = sp.Rational(text)
        assert format_given(value, places) == text
        # in a worked step (a substituted form) as well: the given in full, the computed
        # value at the precision
        step = sp.Mul(value, computed, evaluate=False)
        assert latex(step, decimals=places, order="none") == \
            rf"{text} \cdot {format_number(computed, places)}"


def test_given_values_that_have_no_short_decimal_stay_exact():
    assert format_given(sp.Rational(1, 3), 4) == r"\frac{1}{3}"
    assert format_given(sp.Rational(-2, 7), 2) == r"- \frac{2}{7}"
    assert format_given(sp.sqrt(2) / 2, 4) == latex(sp.sqrt(2) / 2)
    # a given far too wide to write out is rounded like any number
    assert format_given(sp.Rational(10**300, 3), 4) == r"3.3333 \times 10^{299}"


def test_templates_print_givens_exactly_and_computed_values_at_the_precision():
    env = make_environment(precision=0)
    eta, z = sp.Rational(1, 10), sp.Float("0.37750000000000000000", 50)
    # a solution's Number marked given (duck-typed: exact, given) prints exactly
    out = env.from_string("((( eta|given ))) ((( z|num ))) ((( n|num ))) ((( m|num )))").render(
        eta=eta, z=z, n=SimpleNamespace(exact=eta, given=True), m=Number(eta, 0.1))
    assert out == "0.1 0 0.1 0"
    assert env.from_string("((( s|math(rounded=True) )))").render(
        s=sp.Add(sp.Mul(sp.Rational(3, 20), z, evaluate=False), sp.Rational(7, 20),
                 evaluate=False)) == r"0.15 \cdot 0 + 0.35"


def test_an_exact_irrational_given_prints_exactly_in_a_worked_step():
    half_root = sp.sqrt(2) / 2
    step = sp.Add(sp.Mul(sp.Rational(3, 20), half_root, evaluate=False),
                  sp.Mul(sp.pi / 10, sp.Float("0.5932699921", 50), evaluate=False),
                  evaluate=False)
    assert latex(step, decimals=4, order="none") == \
        r"0.15 \cdot \frac{\sqrt{2}}{2} + \frac{\pi}{10} \cdot 0.5933"
    assert latex(half_root, decimals=4) == r"\frac{\sqrt{2}}{2}"
    assert latex(sp.Rational(3, 20) * sp.Symbol("i_1"), decimals=4) == "0.15 i_{1}"
