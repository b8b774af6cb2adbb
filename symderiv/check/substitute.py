"""Substitution links (handcalcs' symbolic = substituted): pair each name with its number.

``w_5 - \\eta \\frac{\\partial E}{\\partial w_5} = 0.3 - 0.1 \\times 0.141525`` says w₅ is 0.3,
η is 0.1 and ∂E/∂w₅ is 0.141525: the two trees have one shape, and each name on the
symbolic side stands where a number stands on the other. SymPy orders the terms of a sum
and the factors of a product its own way, so both sides are put back in the order they
were written (by where each leaf's token starts) before they are walked side by side.
Products compare without their signs (SymPy folds ``0.1 \\times (-0.036875)``'s two minus
signs away); a sign left over in a product belongs to one of its factors, which the
caller settles.
"""

import sympy as sp

from symderiv.check.texmath import Occurrence, Printed, Unreadable, _Parser, exact, names_in, printed_in, read

NOWHERE = float("inf")
MAX_LEAVES = 60  # larger substitutions are not paired (each leaf's position is one parse)


def positions(tokens: list, context, value) -> dict:
    """Where each name and printed number of ``value`` (read from ``tokens``) was written."""
    # Read as written, each leaf knows where it stands.
    found: dict = {leaf: leaf.start for leaf in value.atoms(Printed, Occurrence)
                   if leaf.start is not None}
    wanted = names_in(value) - set(found)
    after = 0  # the tokens of a name just read (w_5 inside ∂E/∂w_5) are not leaves of their own
    for k, token in enumerate(tokens):
        if wanted <= set(found) or k > MAX_LEAVES * 8:
            break
        if k < after or token.kind == "num" or token.text in ("(", ")", "{", "}", "+", "-", "^", "_"):
            continue
        parser = _Parser(tokens[k:], context)
        try:
            leaf = parser.primary()
        except (Unreadable, RecursionError, IndexError, TypeError, ValueError, AttributeError):
            continue
        if isinstance(leaf, sp.Symbol):
            after = k + parser.i
        if leaf in wanted and leaf not in found:
            found[leaf] = token.start
    for t in tokens:  # a whole number (the 3 of 3 + 0.018) is placed by its first token
        if t.kind == "num" and t.text.isdigit():
            found.setdefault(sp.Integer(t.text), t.start)
    return found


def as_written(tokens: list, context, value):
    """``value`` read again without SymPy's evaluation, each whole number a printed number of
    its own (``0.2 \\cdot 1 + 0`` keeps its ``1`` and its ``0``, ``-3 \\cdot (-2)`` its two
    signs); None when it cannot be read."""
    # The same token is the same printed number (its exactness is known already).
    known = {p.start: p for p in printed_in(value) if p.start is not None}
    context.as_written = True
    try:
        with sp.evaluate(False):
            written = read(tokens, context)
            if not isinstance(written, sp.Basic):
                return None
            return written.xreplace({p: known[p.start] for p in printed_in(written)
                                     if p.start in known})
    except (Unreadable, RecursionError, TypeError, ValueError, AttributeError):
        return None
    finally:
        context.as_written = False


def pairs(symbolic, numeric, where_s: dict, where_n: dict, leading: bool = False):
    """``([(name or constant, numeric subtree)], flips)``, or None when the trees differ in
    shape. Each entry of ``flips`` is one product's ``(pairs with a name, odd)``: SymPy
    folded its factors' signs into one, so an odd (or, with odd False, even; with odd None,
    any: the base of an even power) number of those pairs take a minus sign; the caller picks which (−0.4 × (−0.664) for w n), trying
    them in the order listed. Read as written, a product's own sign is the leading sign of
    its term (−0.4 · 0.664: w = −0.4, its first factor first: ``leading``); folded by SymPy,
    it most often was a negative number put in last (0.1 × (−0.0369))."""
    out: list = []
    flips: list = []
    if not _walk(symbolic, numeric, where_s, where_n, out, flips):
        return None
    out = [(s.symbol if isinstance(s, Occurrence) else s, n) for s, n in out]
    return out, [(named if leading else named[::-1], odd) for named, odd in flips]


def _walk(s, n, where_s, where_n, out, flips) -> bool:
    if not names_in(s):  # a number on both sides: the same number, or another shape
        return not names_in(n) and exact(s) == exact(n)
    if isinstance(s, sp.Symbol) and not isinstance(s, Printed):
        if names_in(n):
            return False
        out.append((s, n))
        return True
    if isinstance(s, sp.Mul):
        (s_sign, s_core), (n_sign, n_core) = _unsigned(s), _unsigned(n)
        start = len(out)
        if not _walk_args(s_core, n_core, where_s, where_n, out, flips, ordered=True):
            return False
        # Only the product's own factors can carry its sign; a name inside a factor (the n
        # of (1 − n)) has its sign settled there.
        direct = {f for f in s_core if isinstance(f, sp.Symbol) and not isinstance(f, Printed)}
        named = [k for k in range(start, len(out)) if out[k][0] in direct]
        if named:
            flips.append((named, s_sign != n_sign))
        return s_sign == n_sign or bool(named)
    if _even_power(s) and _even_power(n) and exact(s.exp) == exact(n.exp) \
            and isinstance(s.base, sp.Symbol) and not isinstance(s.base, Printed):
        # SymPy folds (−0.6588)² to 0.6588²: the number put in for the base may have had
        # either sign, which the caller settles (a flip of any parity).
        start = len(out)
        if not _walk(s.base, n.base, where_s, where_n, out, flips):
            return False
        flips.append((list(range(start, len(out))), None))
        return True
    if s.func != n.func or len(s.args) != len(n.args):
        return False
    return _walk_args(list(s.args), list(n.args), where_s, where_n, out, flips,
                      ordered=isinstance(s, sp.Add))


def _walk_args(s_args, n_args, where_s, where_n, out, flips, ordered: bool) -> bool:
    if len(s_args) != len(n_args):
        return False
    if ordered:
        keys = [_first(a, where_s) for a in s_args]
        if len(set(keys)) < len(keys):
            return False  # o(1 − o)(o − y): the factors' written order is not known
        s_args = sorted(s_args, key=lambda a: _first(a, where_s))
        n_args = sorted(n_args, key=lambda a: _first(a, where_n))
    return all(_walk(a, b, where_s, where_n, out, flips) for a, b in zip(s_args, n_args))


def _even_power(e) -> bool:
    if not isinstance(e, sp.Pow):
        return False
    power = exact(e.exp)
    return power.is_Integer and power.is_even


def _unsigned(e) -> tuple:
    """(sign, the factors but −1) of a product; a lone factor is a product of one. A
    product read as written (unevaluated) may nest: ``-0.4 \\cdot (-0.5)`` is −(0.4·(−0.5))."""
    factors = _factors(e)
    sign = 1
    core = []
    for f in factors:
        if f.is_Number and f.is_negative:
            sign = -sign
            if f != -1:
                core.append(-f)
        else:
            core.append(f)
    return sign, core


def _factors(e, top: bool = True) -> list:
    """A product's factors, nested products flattened; a negated factor read as written
    (the (−0.5) of 0.1 · (−0.5)) stays whole, so its sign stays with it."""
    if isinstance(e, sp.Mul) and (top or not _negated(e)):
        return [f for a in e.args for f in _factors(a, top=False)]
    return [e]


def _negated(e) -> bool:
    return len(e.args) == 2 and e.args[0] == -1 and not isinstance(e.args[1], sp.Mul)


def _first(e, where: dict) -> float:
    if e.is_Integer:
        return where.get(e, NOWHERE)
    leaves = names_in(e) | set(printed_in(e))
    return min((where.get(leaf, NOWHERE) for leaf in leaves), default=NOWHERE)
