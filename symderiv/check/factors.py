"""Products read factor by factor, in the order they were written.

``∂e/∂a × ∂a/∂z × ∂z/∂W_1 = ∂e/∂a × \\frac{d}{dz}(…) × x_1``: a chain rule whose sides name
their factors differently is judged factor against factor (the judge decides each pair).
SymPy folds a product as it builds it (``∂e/∂a × 0 × x_1`` is 0, the factors reordered), so
the side is read again without evaluation, and its factors put back in written order.
"""

import sympy as sp

from symderiv.check.substitute import NOWHERE, positions
from symderiv.check.texmath import Unreadable, names_in, printed_in, read


def written_factors(tokens: list, context) -> list | None:
    """The factors of a product as written (two or more), else None."""
    try:
        with sp.evaluate(False):
            value = read(tokens, context)
    except (Unreadable, RecursionError, TypeError, ValueError, AttributeError):
        return None
    if not isinstance(value, sp.Mul):
        return None
    factors = _flat(value)
    if len(factors) < 2:
        return None
    where = positions(tokens, context, value)
    numbers = {f: next((t.start for t in tokens if t.kind == "num" and t.text == str(f)), NOWHERE)
               for f in factors if f.is_Integer}  # a literal factor (0, 2): where it is written

    def first(f):
        leaves = names_in(f) | set(printed_in(f))
        return min((where.get(leaf, NOWHERE) for leaf in leaves), default=numbers.get(f, NOWHERE))
    return sorted(factors, key=first)


def _flat(e) -> list:
    if isinstance(e, sp.Mul):
        return [f for a in e.args for f in _flat(a)]
    return [e]
