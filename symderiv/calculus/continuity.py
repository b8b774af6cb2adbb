"""Is an expression continuous at a point? Settled from its structure, in microseconds.

A sum, product or quotient of continuous functions is continuous where each part is
defined and no denominator is 0; so is a continuous function (exp, erf, sin, tanh, …)
of a continuous argument, and a power with a positive base. Then the limit at the point
is the value there, and ``sympy.limit`` (tenths of a second each) is not needed. Anything
the rules do not cover answers False ("not shown"), never a wrong True.
"""

import sympy as sp

# continuous on all of ℝ, so continuous wherever their argument is
_EVERYWHERE = (sp.exp, sp.erf, sp.erfc, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.atan,
               sp.Abs)


def continuous_at(expr: sp.Expr, x: sp.Symbol, point: sp.Expr) -> bool:
    """True when ``expr`` (real ``x``) is shown continuous at ``x = point``."""
    if x not in expr.free_symbols:   # a constant: continuous where it is a finite number
        return expr.is_finite is True
    if expr == x:
        return True
    if expr.is_Add or expr.is_Mul:
        return all(continuous_at(a, x, point) for a in expr.args)
    if isinstance(expr, _EVERYWHERE):
        return continuous_at(expr.args[0], x, point)
    if expr.is_Pow:
        base, exponent = expr.args
        if x in exponent.free_symbols:   # b^u(x) = exp(u log b) for a constant b > 0
            return x not in base.free_symbols and base.is_positive is True \
                and continuous_at(exponent, x, point)
        if not continuous_at(base, x, point):
            return False
        if exponent.is_integer and exponent.is_nonnegative:
            return True
        at = base.subs(x, point)
        if exponent.is_integer:
            return at.is_zero is False and at.is_finite is True
        return at.is_positive is True and at.is_finite is True
    return False
