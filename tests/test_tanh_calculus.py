"""tanh-vanishing's calculus of polynomials in tanh z against SymPy's general route on
the same functions (diff, solveset over the reals, continuous_domain) and mpmath."""

import mpmath
import pytest
import sympy as sp
from sympy.calculus.util import continuous_domain

from symderiv.calculus.expr import symbol
from symderiv.problems import tanh_vanishing

z = symbol("z")
T = sp.tanh(z)

CASES = [
    1 - T**2,                       # tanh′: the sheet's own
    T * (1 - T**2),                 # tanh″ / (−2)
    T**3 - T / 2,                   # zeros at ±1/√2: artanh of an algebraic number
    (1 - T**2) * (T - sp.Rational(1, 3)),
    T,
    3 * T**4 - 2 * T**2 + 1,
    sp.Integer(5),                  # constant: every z critical, the general route
]


@pytest.mark.parametrize("f", CASES)
def test_critical_points_match_sympys_route(f):
    critical, curvature, smooth = tanh_vanishing._critical_points(f, z)
    slope = sp.diff(f, z)
    want = sp.solveset(slope, z, sp.S.Reals)
    assert critical == want or sp.simplify(critical.symmetric_difference(want)) == sp.S.EmptySet
    assert smooth == (continuous_domain(slope, z, sp.S.Reals) == sp.S.Reals)
    if isinstance(want, sp.FiniteSet) and len(want) == 1:
        (c,) = want
        assert sp.simplify(curvature - sp.diff(f, z, 2).subs(z, c)) == 0
    else:
        assert curvature is sp.nan


@pytest.mark.parametrize("f", CASES[:-1])
def test_real_zeros_are_zeros_and_all_of_them(f):
    zeros = tanh_vanishing._real_zeros(f, z)
    assert zeros == sp.solveset(f, z, sp.S.Reals) or all(
        abs(sp.N(f.subs(z, c), 30)) < 1e-25 for c in zeros)
    # every sign change of f on a fine grid lies next to one of them (mpmath)
    g = sp.lambdify(z, f, "mpmath")
    grid = [mpmath.mpf(k) / 50 for k in range(-400, 401)]
    changes = [(a + b) / 2 for a, b in zip(grid, grid[1:]) if g(a) * g(b) < 0]
    for x in changes:
        assert any(abs(x - mpmath.mpf(sp.N(c, 30))) < 0.05 for c in zeros)


def test_the_sheets_bound_proof():
    b = tanh_vanishing.solve().bound
    assert b.critical_points == sp.FiniteSet(0) and b.curvature_at_max == -2
    assert b.maximum == 1 and b.a_zero_at == sp.FiniteSet(0) and b.gap_zero_at == sp.FiniteSet(0)
