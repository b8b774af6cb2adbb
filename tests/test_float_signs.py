"""Float signs with error bounds (calculus/float_signs.py) are never wrong, and the
extrema scan that uses them finds what the all-mpmath scan finds.

Oracles: SymPy's evalf at 60 digits of the expression at the exact grid point (an
evaluation route that shares nothing with the float evaluator), and the scan with every
point decided by mpmath (the path before floats were trusted).
"""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symderiv.calculus import extrema
from symderiv.calculus.activations import resolve
from symderiv.calculus.float_signs import float_signs
from symderiv.calculus.functions import to_elementary

x = sp.Symbol("x", real=True)
GRID = [sp.Rational(k, 8) for k in range(-96, 97, 5)]   # −12 … 12, exact


def _truth(expr, point) -> int | None:
    # extrema's pieces write erfc as an unevaluated function of that name
    expr = expr.replace(lambda e: getattr(e.func, "__name__", "") == "erfc",
                        lambda e: sp.erfc(*e.args))
    value = sp.N(expr.subs(x, point), 60)
    if not value.is_real or not value.is_finite:
        return None
    return 0 if value == 0 else (1 if value > 0 else -1)


def _assert_never_wrong(expr, points=GRID):
    signs = float_signs(expr, x, [float(p) for p in points])
    assert signs is not None, expr
    for point, sign in zip(points, signs):
        if sign is not None:
            assert sign == _truth(expr, point), (expr, point)
    return signs


_leaves = st.one_of(st.just(x), st.just(x), st.integers(-3, 3).map(sp.Integer),
                    st.sampled_from([sp.Rational(1, 2), sp.sqrt(2), sp.pi, sp.Rational(-7, 3)]))


def _extend(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, st.integers(-3, 3)).map(lambda t: t[0] ** t[1]),
        children.map(lambda c: sp.exp(c / 4)),
        children.map(sp.erf), children.map(sp.erfc), children.map(sp.tanh),
        children.map(lambda c: sp.log(1 + sp.exp(c / 4))),
        children.map(lambda c: sp.sqrt(1 + c**2)),
    )


@settings(max_examples=150, deadline=None)
@given(st.recursive(_leaves, _extend, max_leaves=10))
def test_a_sure_float_sign_is_the_true_sign(expr):
    if x not in expr.free_symbols:
        return
    _assert_never_wrong(expr)


@pytest.mark.parametrize("expr, unsure_at", [
    # 1/2 + erf(u)/2 is about 1e−33 at u = −8.5: floats keep nothing of it
    (sp.Rational(1, 2) + sp.erf(x / sp.sqrt(2)) / 2, sp.Integer(-12)),
    # exp(x) − 1 − x − x²/2 is x³/6 near 0: every float digit lost
    (sp.exp(x) - 1 - x - x**2 / 2, sp.Rational(1, 10**6)),
    # (x + 10¹⁶) − 10¹⁶ is 1 at x = 1; in floats 1 + 10¹⁶ is 10¹⁶
    (sp.Add(x + 10**16, -10**16, evaluate=False), sp.Integer(1)),
])
def test_cancellation_is_unsure_not_guessed(expr, unsure_at):
    assert float_signs(expr, x, [float(unsure_at)]) == [None]


def test_exact_zero_is_left_to_mpmath():
    assert float_signs(x, x, [0.0]) == [None]
    assert float_signs(sp.tanh(x) * sp.exp(x), x, [0.0]) == [None]


def test_an_uncovered_function_gives_no_signs_at_all():
    assert float_signs(sp.sin(x), x, [1.0, 2.0]) is None
    assert float_signs(2**x, x, [1.0]) is None


def test_overflow_is_unsure():
    assert float_signs(sp.exp(x) - sp.exp(x - 1), x, [800.0]) == [None]
    assert float_signs(1 / x, x, [0.0]) == [None]


def _all_mpmath_roots(g, *args, **kwargs):
    """extrema.roots with float signs refused: every point decided by mpmath."""
    original = extrema.float_signs
    extrema.float_signs = lambda *a: None
    try:
        return extrema.roots(g, *args, **kwargs)
    finally:
        extrema.float_signs = original


@pytest.mark.parametrize("spec", ["gelu", "swish", {"name": "swish", "beta": 2},
                                  {"name": "swish", "beta": sp.Rational(1, 2)},
                                  "mish", "softplus", "sigmoid", "tanh", "elu"])
@pytest.mark.parametrize("order", [1, 2])
def test_scan_with_float_signs_finds_what_the_mpmath_scan_finds(spec, order):
    act = resolve(spec, "test")
    g = to_elementary(sp.diff(act.expr(x), x, order))
    for lo, hi in ((-sp.oo, sp.Integer(0)), (sp.Integer(0), sp.oo), (-sp.oo, sp.oo)):
        if g.has(sp.Piecewise) and (lo, hi) == (-sp.oo, sp.oo):
            continue
        piece = extrema._branch_at(g.rewrite(sp.Piecewise), x,
                                   extrema._inner_point(lo, hi)) if g.has(sp.Piecewise) else g
        fast = extrema.roots(piece, x, lo, hi, closed_form=False, window=(-12, 12),
                             density=20)
        slow = _all_mpmath_roots(piece, x, lo, hi, closed_form=False, window=(-12, 12),
                                 density=20)
        assert [r.value for r in fast] == [r.value for r in slow], (spec, order, lo, hi)


def test_the_scans_own_signs_match_high_precision_on_gelu_and_swish_slopes():
    """Every grid point of the sheet's scans (−12 … 12 at step 1/20): the float sign, where
    given, is the sign at 60 digits."""
    points = [sp.Rational(k, 20) for k in range(-240, 241)]
    for spec in ("gelu", {"name": "swish", "beta": sp.Rational(1, 2)}, "swish",
                 {"name": "swish", "beta": 2}):
        g = to_elementary(resolve(spec, "test").derivative(x))
        pieces = extrema._erf_split(g) or (g, g)
        left = _assert_never_wrong(pieces[0], [p for p in points if p < 0])
        right = _assert_never_wrong(pieces[1], [p for p in points if p >= 0])
        assert sum(s is None for s in left + right) <= 2   # floats settle nearly all


def test_extrema_grid_floats_are_the_exact_points_rounded_once():
    # oracle: each point as a Fraction from the decimal ends, rounded by float(Fraction)
    from fractions import Fraction

    import mpmath

    from symderiv.calculus.extrema import _Grid

    for left, right, steps in (("-12", "12", 480), ("-3.5", "7.25", 1000), ("0.1", "0.7", 37)):
        with mpmath.workdps(30):
            grid = _Grid(mpmath.mpf(left), mpmath.mpf(right), steps, -mpmath.inf, mpmath.inf)
        lo, width = Fraction(left), Fraction(right) - Fraction(left)
        assert grid.floats == [float(lo + width * k / steps) for k in range(steps + 1)]
