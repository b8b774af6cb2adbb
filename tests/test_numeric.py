"""calculus.numeric: an exact number's value, evaluated once, against mpmath at 80 digits."""

import mpmath
import pytest
import sympy as sp

from symderiv.calculus.functions import Phi, sigmoid
from symderiv.calculus.numeric import DIGITS, as_float, evaluated

HALF = sp.Rational(1, 2)
CASES = [
    (sigmoid(-HALF), lambda: 1 / (1 + mpmath.exp(mpmath.mpf(1) / 2))),
    (-sigmoid(-1) * (1 - sigmoid(-1)) + sigmoid(-1),
     lambda: (lambda s: s - s * (1 - s))(1 / (1 + mpmath.e))),
    (Phi(-1), lambda: mpmath.ncdf(-1)),
    (sp.sqrt(2) / 2, lambda: mpmath.sqrt(2) / 2),
    (sp.Rational(1, 3), lambda: mpmath.mpf(1) / 3),
]


@pytest.mark.parametrize("expr, oracle", CASES)
def test_values_agree_with_mpmath(expr, oracle):
    with mpmath.workdps(80):
        want = oracle()
        for digits in (17, 34, DIGITS, DIGITS + 20):   # more than DIGITS: evaluated afresh
            got = mpmath.mpf(evaluated(expr, digits)._mpf_)
            assert abs(got - want) <= abs(want) * mpmath.mpf(10) ** (1 - digits)
        assert as_float(expr) == float(want)    # the float nearest the value


def test_a_float_is_itself_and_a_python_number_is_read_strictly():
    assert as_float(sp.Float("0.1", 30)) == 0.1
    assert as_float(3) == 3.0
    with pytest.raises(sp.SympifyError):
        as_float("1/3")   # text is never parsed here
