"""f(x₀), f′(x₀) and f″(x₀) of an expression at one point, in mpmath, by the chain rule.

Each node of the tree is evaluated to its second-order jet (value, first and second
derivative in the variable) from its arguments' jets: the local rule per node, as in
micrograd's engine, carried forward instead of backward. The derivatives are exact
(no step size, no truncation); only the working precision's rounding remains, as in any
mpmath evaluation. One walk of the tree costs a fraction of a millisecond, where
differentiating with SymPy and lambdifying the result costs some ten.

Nodes: numbers and constants, the variable, sums, products, powers with a constant
exponent, and exp, erf, erfc, tanh, log of one argument (σ, ReLU, Φ, φ: write them with
:func:`~symderiv.calculus.functions.to_elementary` first). Anything else: None, and the
caller takes SymPy's route.
"""

import mpmath
import sympy as sp

Jet = tuple   # (value, d/dx, d²/dx²), mpmath numbers at the working precision


class _Unsupported(Exception):
    """A node these rules do not cover."""


def second_order(expr: sp.Expr, x: sp.Symbol, at) -> Jet | None:
    """(f, f′, f″) of ``expr`` at x = ``at`` at mpmath's working precision, or None where
    the expression has a node the rules do not cover."""
    try:
        return _Walk(x, mpmath.mpf(at)).jet(expr)
    except _Unsupported:
        return None


class _Walk:
    def __init__(self, x, at):
        self.x, self.at = x, at
        self._done = {}   # a subtree met twice (x in σ(x) and in 1 − σ(x)) is walked once

    def jet(self, node) -> Jet:
        if node not in self._done:
            self._done[node] = self._jet(node)
        return self._done[node]

    def _jet(self, node) -> Jet:
        if node == self.x:
            return self.at, mpmath.mpf(1), mpmath.mpf(0)
        if self.x not in node.free_symbols:
            return _constant(node), mpmath.mpf(0), mpmath.mpf(0)
        if node.is_Add:
            parts = [self.jet(a) for a in node.args]
            return tuple(mpmath.fsum(p[k] for p in parts) for k in range(3))
        if node.is_Mul:
            out = self.jet(node.args[0])
            for a in node.args[1:]:
                out = _product(out, self.jet(a))
            return out
        if node.is_Pow:
            base, exponent = node.args
            if self.x in exponent.free_symbols:
                raise _Unsupported(node)
            return _power(self.jet(base), _constant(exponent))
        rule = _FUNCTIONS.get(type(node).__name__) if len(node.args) == 1 else None
        if rule is None or not isinstance(node, sp.Function):
            raise _Unsupported(node)
        return _compose(rule, self.jet(node.args[0]))


def _constant(node) -> mpmath.mpf:
    if node.is_Integer:
        return mpmath.mpf(int(node))
    if node.is_Rational:
        return mpmath.mpf(int(node.p)) / int(node.q)
    value = node.evalf(mpmath.mp.dps + 5)   # √2, π, e: a few digits beyond the working ones
    if not value.is_Float:
        raise _Unsupported(node)
    return mpmath.mpf(value._mpf_)


def _product(u: Jet, v: Jet) -> Jet:
    # (uv)′ = u′v + uv′, (uv)″ = u″v + 2u′v′ + uv″
    return u[0] * v[0], u[1] * v[0] + u[0] * v[1], u[2] * v[0] + 2 * u[1] * v[1] + u[0] * v[2]


def _power(b: Jet, p) -> Jet:
    # t^p, p t^(p−1), p(p−1) t^(p−2), composed with the base; a term whose coefficient
    # is 0 (t¹, t⁰) is 0 even at t = 0
    if p == int(p):
        n = int(p)
        if n < 0 and b[0] == 0:
            raise _Unsupported(p)
        return _compose(lambda t: (t ** n, n * t ** (n - 1) if n else 0 * t,
                                   n * (n - 1) * t ** (n - 2) if n not in (0, 1) else 0 * t), b)
    if not b[0] > 0:
        raise _Unsupported(p)   # a real power of a non-positive number, or an infinite slope
    return _compose(lambda t: (t ** p, p * t ** (p - 1), p * (p - 1) * t ** (p - 2)), b)


def _compose(g, u: Jet) -> Jet:
    """g(u(x)): (g, g′·u′, g″·u′² + g′·u″), with g(t) given as its own jet at t = u."""
    g0, g1, g2 = g(u[0])
    return g0, g1 * u[1], g2 * u[1] ** 2 + g1 * u[2]


def _exp(t):
    e = mpmath.exp(t)
    return e, e, e


def _erf(t):
    slope = 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-t * t)
    return mpmath.erf(t), slope, -2 * t * slope


def _erfc(t):
    slope = -2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-t * t)
    return mpmath.erfc(t), slope, -2 * t * slope


def _tanh(t):
    v = mpmath.tanh(t)
    slope = 1 - v * v
    return v, slope, -2 * v * slope


def _log(t):
    if not t > 0:
        raise _Unsupported(t)
    return mpmath.log(t), 1 / t, -1 / (t * t)


# by the function's name: extrema writes erfc as an unevaluated function of that name
_FUNCTIONS = {"exp": _exp, "erf": _erf, "erfc": _erfc, "tanh": _tanh, "log": _log}
