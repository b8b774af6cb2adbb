"""The numeric value of an exact number, worked out once in a run.

One value is printed by the sheet at its precision, annotated in a figure, and recorded
in the JSON as a float: an exact expression (σ(−1/2) − σ′(−1/2)/2, Φ(−1)) used to go
through SymPy's ``evalf`` each time, a good share of rendering. Here it is evaluated once,
at ``DIGITS`` significant digits (beyond any digit a sheet prints and a float's 17), and
kept for the life of the process (in memory, never on disk). A request for more digits is
evaluated afresh.
"""

from functools import lru_cache

import sympy as sp

DIGITS = 50


def evaluated(expr: sp.Basic, digits: int) -> sp.Basic:
    """``expr`` evaluated to at least ``digits`` significant digits (a Float for a real
    number; whatever ``evalf`` gives otherwise, for the caller to refuse)."""
    if digits > DIGITS:
        return sp.N(expr, digits)
    return _evaluated(expr)


def as_float(expr) -> float:
    """The float nearest ``expr``'s value (a Float or an exact number)."""
    if isinstance(expr, sp.Float):
        return float(expr)
    if not isinstance(expr, sp.Basic):
        expr = sp.sympify(expr, strict=True)
    return float(evaluated(expr, 17))


@lru_cache(maxsize=4096)
def _evaluated(expr: sp.Basic) -> sp.Basic:
    return sp.N(expr, DIGITS)
