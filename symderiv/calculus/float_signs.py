"""The sign of an expression at many points, in machine floats, where floats are sure of it.

Every node of the expression is evaluated over the whole grid at once (one list per
node), each value carrying a bound on its absolute error: its arguments' errors carried
through the operation (exactly for sums, products and powers; by the largest slope on
the uncertainty interval for exp, erf, erfc, tanh, log) plus the rounding of the
operation itself (half an ulp for + and ×, ``LIBRARY_ULPS`` for a math-library call).
A sign is sure where the value exceeds its bound ``SAFETY`` times; elsewhere
(cancellation, an exact zero, overflow, a value below ``TINY``) the answer is None and
the caller asks mpmath. An expression with a node outside these rules has no float signs
at all (None), never a guessed one.

This is what makes a scan of a few hundred points cost milliseconds: one mpmath
evaluation per point is a tenth of a millisecond, and the sign is usually never in doubt.
"""

import math

import sympy as sp

U = 2.0 ** -53           # unit roundoff: one rounding of + or × errs by at most U·|result|
LIBRARY_ULPS = 8         # math.exp/erf/erfc/tanh/log err by a few ulps; taken as 8 (16 U)
SAFETY = 4.0             # |value| > SAFETY·bound: the float's sign is the true sign
TINY = 1e-280            # absolute error floor: subnormal results keep no relative precision
_TWO_OVER_ROOT_PI = 2 / math.sqrt(math.pi)   # the largest slope of erf and erfc
_INF = math.inf


class _Unsupported(Exception):
    """A node the error rules do not cover."""


def float_signs(expr: sp.Expr, z: sp.Symbol, xs: list[float],
                slack: float = 0.0) -> list[int | None] | None:
    """Per point of ``xs``: +1 or −1 where floats are sure of the sign of ``expr`` at z = x,
    None where they are not; None for the whole grid if ``expr`` has a node the error
    rules do not cover (a function other than exp, erf, erfc, tanh, log, a power with
    a variable exponent). Each x is the float nearest the point meant, give or take
    ``slack``."""
    try:
        values, errors = _Grid(z, xs, slack).eval(expr)
    except _Unsupported:
        return None
    return [_sure(v, e) for v, e in zip(values, errors)]


def _sure(v: float, e: float) -> int | None:
    if not math.isfinite(v) or not abs(v) > SAFETY * e:   # NaN bounds compare False
        return None
    return 1 if v > 0 else -1


class _Grid:
    def __init__(self, z, xs, slack):
        self.z, self.xs, self.n, self.slack = z, xs, len(xs), slack

    def eval(self, node) -> tuple[list[float], list[float]]:
        """(values, error bounds) of ``node`` at every point."""
        if self.z not in node.free_symbols:
            v = _constant(node)
            return [v] * self.n, [U * abs(v)] * self.n
        if node == self.z:   # the grid point as a float: one rounding of the exact point
            return list(self.xs), [U * abs(x) + self.slack for x in self.xs]
        if node.is_Add or node.is_Mul:
            const, rest = node.as_independent(self.z, as_Add=node.is_Add)
            parts = [self.eval(a) for a in (rest.args if type(rest) is type(node) else (rest,))]
            if const != (0 if node.is_Add else 1):
                parts.append(self.eval(const))
            return _add(parts) if node.is_Add else _mul(parts)
        if node.is_Pow:
            return self._pow(*node.args)
        rule = _FUNCTIONS.get(node.func.__name__) if len(node.args) == 1 else None
        if rule is None or not isinstance(node, sp.Function):
            raise _Unsupported(node)
        values, errors = self.eval(node.args[0])
        out = [rule(a, e) for a, e in zip(values, errors)]
        return [v for v, _ in out], [e for _, e in out]

    def _pow(self, base, exponent):
        if self.z in exponent.free_symbols:
            raise _Unsupported(exponent)
        p = _constant(exponent)
        values, errors = self.eval(base)
        rule = _integer_power if exponent.is_Integer else _real_power
        out = [rule(b, e, p) for b, e in zip(values, errors)]
        return [v for v, _ in out], [e for _, e in out]


def _constant(node) -> float:
    value = sp.N(node, 20)
    if not value.is_real or not value.is_finite:
        raise _Unsupported(node)
    return float(value)


def _add(parts):
    """Σ vᵢ: the arguments' errors, plus one rounding per partial sum (each ≤ U·Σ|vᵢ|).
    Summed left to right one argument at a time over the whole grid (a loop per point
    costs twice as much)."""
    rounding = (len(parts) - 1) * U
    (values, errors), rest = parts[0], parts[1:]
    magnitudes = [abs(v) for v in values]
    for v, e in rest:
        values = [a + b for a, b in zip(values, v)]
        errors = [a + b for a, b in zip(errors, e)]
        magnitudes = [a + abs(b) for a, b in zip(magnitudes, v)]
    return values, [e + rounding * m for e, m in zip(errors, magnitudes)]


def _mul(parts):
    """Π vᵢ: |Π vᵢ − Π v′ᵢ| ≤ Π(|vᵢ| + eᵢ) − Π|vᵢ| when |vᵢ − v′ᵢ| ≤ eᵢ, plus one
    rounding per product. Multiplied left to right one argument at a time over the grid."""
    rounding = len(parts) * U
    (values, errors), rest = parts[0], parts[1:]
    widened = [abs(v) + d for v, d in zip(values, errors)]
    for v, e in rest:
        values = [a * b for a, b in zip(values, v)]
        widened = [w * (abs(b) + d) for w, b, d in zip(widened, v, e)]
    # Π|vᵢ| is the same float as |Π vᵢ|
    return values, [(w - abs(value)) * (1 + 4 * U) + rounding * abs(value) + TINY
                    for w, value in zip(widened, values)]


def _integer_power(b, e, p):
    n = int(p)
    try:
        if n >= 0:
            v = b ** n
            bound = (abs(b) + e) ** n - abs(b) ** n
        else:
            if abs(b) <= e:   # the base may be 0
                return math.nan, _INF
            v = b ** n
            bound = (abs(b) - e) ** n - abs(b) ** n
    except (OverflowError, ZeroDivisionError):
        return math.nan, _INF
    return v, bound * (1 + 4 * U) + LIBRARY_ULPS * 2 * U * abs(v) + TINY


def _real_power(b, e, p):
    """b^p for a positive base; the exponent's own rounding moves it by |v log b|·U·|p|."""
    if not b - e > 0:
        return math.nan, _INF
    try:
        v = b ** p
        relative = (1 + e / (b - e)) ** abs(p) - 1
    except OverflowError:
        return math.nan, _INF
    return v, abs(v) * (relative + abs(p * math.log(b)) * U
                        + LIBRARY_ULPS * 2 * U) + TINY


def _library(f, a, slope_bound, e):
    if not (math.isfinite(a) and math.isfinite(e)):
        return math.nan, _INF
    try:
        v = f(a)
    except (OverflowError, ValueError):
        return math.nan, _INF
    return v, slope_bound * e + LIBRARY_ULPS * 2 * U * abs(v) + TINY


def _exp(a, e):
    # exp(a ± e) = exp(a)·exp(±e): |error| ≤ exp(a)·(exp(e) − 1)
    if not a + e < 709:   # overflow (or an unbounded argument)
        return math.nan, _INF
    return _library(math.exp, a, math.exp(a) * math.expm1(e) / e if e else 0.0, e)


def _erf_slope(a, e) -> float:
    """The largest |erf′| = 2/√π·exp(−t²) for t within e of a."""
    nearest = max(0.0, abs(a) - e)
    return _TWO_OVER_ROOT_PI * math.exp(-nearest * nearest)


def _erf(a, e):
    return _library(math.erf, a, _erf_slope(a, e), e)


def _erfc(a, e):
    return _library(math.erfc, a, _erf_slope(a, e), e)


def _tanh(a, e):
    return _library(math.tanh, a, 1.0, e)   # |tanh′| ≤ 1


def _log(a, e):
    if not a - e > 0:
        return math.nan, _INF
    return _library(math.log, a, 1 / (a - e), e)   # |log′| ≤ 1/(a − e) on [a − e, a + e]


# by the function's name: extrema writes erfc as an unevaluated function of that name
_FUNCTIONS = {"exp": _exp, "erf": _erf, "erfc": _erfc, "tanh": _tanh, "log": _log}
