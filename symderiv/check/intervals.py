"""Printed numbers as intervals, and SymPy expressions evaluated in interval arithmetic.

A number printed with d decimals that was rounded where it was printed stands for every
value that rounds to it: 0.7401 is [0.74005, 0.74015]. Expressions are evaluated with
mpmath's interval context (outward rounding); functions it lacks (tanh, σ, Φ, erf, ReLU,
softplus) are evaluated at their endpoints, which is exact for monotone functions, with
the result widened by a few units of the working precision. φ peaks at 0, so an interval
holding 0 includes the peak.
"""

from fractions import Fraction

import sympy as sp
from mpmath import iv, mp

from symderiv.calculus.functions import SPECIAL_FUNCTIONS, relu

PREC = 113             # bits (quadruple precision): far beyond any printed digit
MAX_MAGNITUDE = 1e200  # larger values are refused rather than carried along
MAX_EXP_ARGUMENT = 1e5

iv.prec = PREC


class Unevaluable(Exception):
    """The expression has no value here (a free name, a pole, a huge number, …)."""


def exact(value) -> "iv.mpf":
    """A rational value as a (tight) interval."""
    value = sp.Rational(value)
    return iv.mpf(int(value.p)) / int(value.q)


def printed(value, decimals: int, half_units: Fraction = Fraction(1, 2)) -> "iv.mpf":
    """The interval a printed decimal stands for: value ± half_units · 10^-decimals."""
    value = Fraction(int(sp.Rational(value).p), int(sp.Rational(value).q))
    width = half_units / 10**decimals
    lo, hi = exact(sp.Rational(value - width)), exact(sp.Rational(value + width))
    return iv.mpf([lower(lo), upper(hi)])


def lower(x) -> "mp.mpf":
    return mp.make_mpf(x._mpi_[0])


def upper(x) -> "mp.mpf":
    return mp.make_mpf(x._mpi_[1])


def midpoint(x) -> "mp.mpf":
    with mp.workprec(PREC):
        return (lower(x) + upper(x)) / 2


def width(x) -> "mp.mpf":
    with mp.workprec(PREC):
        return upper(x) - lower(x)


def is_point(x) -> bool:
    return lower(x) == upper(x)


def gap(x, y) -> "mp.mpf":
    """How far apart two intervals are (0 when they meet)."""
    with mp.workprec(PREC):
        return max(mp.mpf(0), lower(x) - upper(y), lower(y) - upper(x))


def meet(x, y) -> bool:
    return gap(x, y) == 0


def hull(x, y) -> "iv.mpf":
    """The smallest interval holding both."""
    return iv.mpf([min(lower(x), lower(y)), max(upper(x), upper(y))])


def narrowest(values: list) -> "iv.mpf":
    return min(values, key=lambda v: width(v))


def evaluate(expr: sp.Expr, lookup) -> "iv.mpf":
    """``expr`` in interval arithmetic; ``lookup(symbol)`` gives each free symbol's interval."""
    return _Evaluator(lookup).value(expr)


class _Evaluator:
    def __init__(self, lookup):
        self.lookup = lookup

    def value(self, e) -> "iv.mpf":
        result = self._value(e)
        if not (_finite(result)):
            raise Unevaluable("no finite value")
        return result

    def _value(self, e):
        if e.is_Symbol:
            return self.lookup(e)
        if e.is_Rational:
            return exact(e)
        if e is sp.pi:
            return iv.pi
        if e is sp.E:
            return iv.e
        if e.is_Float:
            return exact(sp.Rational(e))
        if e is sp.I:
            raise Unevaluable("not a real number")
        if e.is_Add:
            total = iv.mpf(0)
            for a in e.args:
                total = total + self.value(a)
            return total
        if e.is_Mul:
            product = iv.mpf(1)
            for a in e.args:
                product = product * self.value(a)
            return product
        if e.is_Pow:
            return self._power(*e.args)
        handler = _FUNCTIONS.get(type(e))
        if handler is None:
            raise Unevaluable(f"cannot evaluate {type(e).__name__}")
        return handler(self, *e.args)

    def _power(self, base, exponent):
        b = self.value(base)
        if exponent.is_Integer:
            n = int(exponent)
            if n < 0 and lower(b) <= 0 <= upper(b):
                raise Unevaluable("division by zero")
            return b ** n
        if exponent == sp.Rational(1, 2):
            return _sqrt(b)
        if lower(b) <= 0:
            raise Unevaluable("a power of a number that may be negative")
        return _exp(self.value(exponent) * iv.log(b))


def _finite(x) -> bool:
    try:
        lo, hi = lower(x), upper(x)
    except (AttributeError, TypeError):
        return False
    return mp.isfinite(lo) and mp.isfinite(hi) and abs(lo) < MAX_MAGNITUDE and abs(hi) < MAX_MAGNITUDE


def _exp(x):
    if upper(x) > MAX_EXP_ARGUMENT:
        raise Unevaluable("an exponential too large")
    return iv.exp(x)


def _sqrt(x):
    if lower(x) < 0:
        raise Unevaluable("the square root of a number that may be negative")
    return iv.sqrt(x)


def _log(x):
    if lower(x) <= 0:
        raise Unevaluable("the logarithm of a number that may not be positive")
    return iv.log(x)


def _monotone(function, x, increasing: bool = True):
    """f over [a, b] for a monotone f: [f(a), f(b)], widened outward by a few ulps."""
    with mp.workprec(PREC + 40):
        fa, fb = function(lower(x)), function(upper(x))
        if not increasing:
            fa, fb = fb, fa
        slack = mp.mpf(2) ** (-PREC) * (abs(fa) + abs(fb) + mp.mpf(2) ** (-PREC))
        return iv.mpf([fa - slack, fb + slack])


def _guarded(function, bound: float = 1e6):
    def apply(t):
        if abs(t) > bound:
            raise Unevaluable("an argument too large")
        return function(t)
    return apply


def _peaked(function):
    """f over [a, b] for an f increasing up to 0 and decreasing after (φ)."""
    def apply(ev, x):
        x = ev.value(x)
        lo, hi = lower(x), upper(x)
        if lo >= 0:
            return _monotone(function, x, increasing=False)
        if hi <= 0:
            return _monotone(function, x)
        with mp.workprec(PREC + 40):
            floor = min(function(lo), function(hi))
            peak = function(mp.mpf(0))
            slack = mp.mpf(2) ** (-PREC)
            return iv.mpf([floor - slack, peak + slack])
    return apply


def _relu(ev, x):
    x = ev.value(x)
    return iv.mpf([max(mp.mpf(0), lower(x)), max(mp.mpf(0), upper(x))])


def _abs(ev, x):
    x = ev.value(x)
    lo, hi = lower(x), upper(x)
    if lo >= 0:
        return x
    if hi <= 0:
        return -x
    return iv.mpf([0, max(-lo, hi)])


def _extreme(pick):
    def apply(ev, *args):
        values = [ev.value(a) for a in args]
        return iv.mpf([pick(lower(v) for v in values), pick(upper(v) for v in values)])
    return apply


def _heaviside(ev, x, h0=sp.Integer(0)):
    x = ev.value(x)
    at_zero = float(h0)

    def step(t):
        return mp.mpf(1) if t > 0 else (mp.mpf(0) if t < 0 else mp.mpf(at_zero))
    lo, hi = lower(x), upper(x)
    values = [step(lo), step(hi)] + ([mp.mpf(at_zero)] if lo <= 0 <= hi else [])
    return iv.mpf([min(values), max(values)])


def _integral(ev, integrand, limits):
    """∫ f(t) dt with mpmath's quad at each end of the bounds' intervals; the integrand's other
    names at their midpoints. Exact enough for a printed digit, not a proof."""
    t, a, b = limits
    others = {s: ev.value(s) for s in integrand.free_symbols - {t}}
    if any(width(v) > mp.mpf(10) ** -12 * (1 + abs(midpoint(v))) for v in others.values()):
        raise Unevaluable("an integral of a quantity known only roughly")
    body = integrand.xreplace({s: sp.Float(str(midpoint(v)), 40) for s, v in others.items()})
    f = sp.lambdify(t, body, modules=[_QUAD_FUNCTIONS, "mpmath"])
    ends = [[-mp.inf] if a == -sp.oo else _ends(ev.value(a)),
            [mp.inf] if b == sp.oo else _ends(ev.value(b))]
    with mp.workdps(30):
        values = [mp.quad(f, [lo, hi]) for lo in ends[0] for hi in ends[1]]
        if not all(mp.isfinite(v) for v in values):
            raise Unevaluable("the integral has no finite value")
        slack = mp.mpf(10) ** -25 * (1 + max(abs(v) for v in values))
        return iv.mpf([min(values) - slack, max(values) + slack])


def _ends(x) -> list:
    return [lower(x)] if is_point(x) else [lower(x), upper(x)]


def _by_endpoints(function, increasing=True):
    def apply(ev, x):
        return _monotone(_guarded(function), ev.value(x), increasing)
    return apply


_FUNCTIONS = {
    sp.exp: lambda ev, x: _exp(ev.value(x)),
    sp.log: lambda ev, x: _log(ev.value(x)),
    sp.sin: lambda ev, x: iv.sin(ev.value(x)),
    sp.cos: lambda ev, x: iv.cos(ev.value(x)),
    sp.tanh: _by_endpoints(mp.tanh),
    sp.sinh: _by_endpoints(mp.sinh),
    sp.atan: _by_endpoints(mp.atan),
    sp.erf: _by_endpoints(mp.erf),
    # σ, Φ, φ by the shape their classes declare; ReLU exactly (no guard on its size)
    **{f: (_by_endpoints(f.mp_value) if f.interval_shape == "increasing"
           else _peaked(f.mp_value)) for f in SPECIAL_FUNCTIONS},
    relu: _relu,
    sp.Abs: _abs,
    sp.Max: _extreme(max),
    sp.Min: _extreme(min),
    sp.Heaviside: _heaviside,
    sp.Integral: _integral,
}
_QUAD_FUNCTIONS = {f.__name__: f.mp_value for f in SPECIAL_FUNCTIONS}
