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


# -- limits at ±∞ by the algebra of limits ---------------------------------------------------

# monotone and continuous on the extended reals: SymPy's value at ±oo is the limit there
_EXTENDED = (sp.exp, sp.erf, sp.erfc, sp.tanh, sp.atan)


def limit_at_infinity(expr: sp.Expr, x: sp.Symbol, end: sp.Expr) -> sp.Expr | None:
    """lim expr as x → end (±oo, x real) where the algebra of limits settles it from the
    parts' limits, in microseconds: sums and products of limits that are not ∞ − ∞ or
    0·∞, integer powers, and continuous functions of a limit (exp, erf, erfc, tanh, atan,
    whose values at ±oo are their limits). One indeterminate form is settled too: a
    product of polynomials in x, bounded factors and an exponentially decaying factor
    tends to 0 (the exponential wins: |xᵏe^P| = e^{k log|x| + P}, and a polynomial P → −∞
    falls at least linearly; see :func:`_exponential_wins`). None where the rules do not
    settle it (then Gruntz's algorithm), never a guess."""
    value = _limit(expr, x, end)
    return value if value is not None and (value.is_number or value in (sp.oo, -sp.oo)) \
        else None


def _limit(e, x, end):
    if x not in e.free_symbols:
        return e if e.is_finite is True else None
    if e == x:
        return end
    if e.is_Add or e.is_Mul:
        parts = [_limit(a, x, end) for a in e.args]
        if any(p is None for p in parts):
            return _exponential_wins(e, x, end) if e.is_Mul else None
        infinite = [p for p in parts if p.is_infinite]
        if e.is_Add:
            return None if sp.oo in infinite and -sp.oo in infinite else sp.Add(*parts)
        if infinite and any(p.is_zero for p in parts):
            return _exponential_wins(e, x, end)
        return sp.Mul(*parts)
    if e.is_Pow:
        base, exponent = e.args
        if not exponent.is_Integer:
            return None
        b = _limit(base, x, end)
        if b is None or (b.is_zero and exponent.is_negative):   # 1/0: the sign is unknown
            return None
        return b ** exponent
    if isinstance(e, _EXTENDED):
        inner = _limit(e.args[0], x, end)
        return None if inner is None else e.func(inner)
    return None


def _exponential_wins(e, x, end):
    """0 for a product of polynomials in x, factors with a finite limit, and at least one
    factor that decays exponentially: e^P with P → −∞, or (c + e^Q)^−k with Q → +∞ (at
    most 2^k e^{−kQ} once e^Q ≥ 2|c|), P and Q polynomials (falling or rising at least
    linearly, so they outrun any power of x); None otherwise."""
    decaying = False
    for f in e.args:
        if _decays(f, x, end):
            decaying = True
        elif not f.is_polynomial(x) and _limit(f, x, end) in (None, sp.oo, -sp.oo):
            return None
    return sp.S.Zero if decaying else None


def _decays(f, x, end) -> bool:
    if isinstance(f, sp.exp):
        return f.args[0].is_polynomial(x) and _limit(f.args[0], x, end) == -sp.oo
    if f.is_Pow and f.exp.is_Integer and f.exp.is_negative and f.base.is_Add:
        const, rest = f.base.as_independent(x, as_Add=True)
        return (isinstance(rest, sp.exp) and const.is_finite is True
                and rest.args[0].is_polynomial(x) and _limit(rest.args[0], x, end) == sp.oo)
    return False
