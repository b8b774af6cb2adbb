"""What a document has said so far: names' values and formulas, functions, printed numbers.

Values are intervals. A name without a value may be evaluated through its formula only
when its formula's names got their values after it was written (``y = h_1 - 2h_2``, then
``h_1 = 2``); a formula written after its names had values is a general definition
(``b = b_3 + b_1 w_5``) and is not evaluated with those older values. ``∂X/∂Y`` is the
derivative of X's formula when it has Y in it. Derivatives are carried out after putting
in the formulas of the names that depend on the variable.
"""

import bisect
import re
from collections import Counter
from fractions import Fraction

import sympy as sp

from symderiv.check import intervals as ivl
from symderiv.check.texmath import Context, Printed, Tup, derivative_parts, names_in, printed_in
from symderiv.calculus.expr import symbol

MAX_FORMULA_DEPTH = 25     # names defined through names …
_INDEXED = re.compile(r"^([A-Za-z]+)(\d[\d_]*)$")  # p2, z2, n2_1: a family's name and index
MAX_EXPANDED_OPS = 3000    # size of an expression with the formulas of its names put in


class Missing(Exception):
    """Names without a value."""

    def __init__(self, names):
        super().__init__(", ".join(sorted(names)))
        self.names = names


class _Named:
    """``name in`` it: the scope has given the name a value or a formula."""

    def __init__(self, scope: "Scope"):
        self.scope = scope

    def __contains__(self, name) -> bool:
        return name in self.scope.values or name in self.scope.formulas


class Scope:
    """What one problem of the document has said so far: values, formulas, functions.

    Printed numbers (``numbers``, ``exactness``) are shared by the whole document.
    """

    def __init__(self, numbers: dict | None = None, exactness: dict | None = None,
                 result_decimals: Counter | None = None):
        self.values: dict = {}      # symbol -> interval
        self.formulas: dict = {}    # symbol -> expression
        self.functions: dict = {}   # function key -> Lambda
        self.numbers: dict = numbers if numbers is not None else {}  # value -> given|exact|rounded
        self.exactness: dict = exactness if exactness is not None else {}  # Printed -> exact?
        self.exact_values: dict = {}  # symbol -> Rational, for names known exactly
        self.result_decimals: Counter = result_decimals if result_decimals is not None else Counter()
        self.context = Context(self.functions, names=_Named(self))
        self.identity_seconds = 0.0
        self.clock = 0              # statements read so far
        self.value_time: dict = {}  # symbol -> when its value was set
        self.given_names: set = set()  # names whose value was given, not computed
        self.formula_time: dict = {}
        self.computed: list = []    # (midpoint, half width, order, symbol) of computed values, sorted
        self.computed_value: dict = {}  # symbol -> the value its entry in ``computed`` holds
        self.part = 0               # the heading the statement being read is under
        self.bound_part: dict = {}  # symbol -> the part it was last bound in
        self.rounded_decimals: dict = {}  # value -> most decimals it was printed with, rounded
        self.wrong_lines: dict = {}  # symbol -> line of the WRONG chain its value comes from
        self.slips: dict = {}  # symbol -> [the value printed on its rounding-slip line]
        self.fallback: dict = {}  # symbol -> interval from a spec, for names the document leaves open
        self.fallback_used: set = set()  # names that took the spec's value
        self.substituted: set = set()  # names whose value is a number a substitution put in

    def next_scope(self) -> "Scope":
        fresh = Scope(self.numbers, self.exactness, self.result_decimals)
        fresh.rounded_decimals = self.rounded_decimals
        fresh.fallback = self.fallback
        fresh.fallback_used = self.fallback_used
        fresh.identity_seconds, fresh.clock = self.identity_seconds, self.clock
        fresh.part = self.part
        return fresh

    # -- printed numbers ------------------------------------------------------------------
    def note_number(self, value, kind: str, decimals: int | None = None) -> None:
        if kind == "rounded" and decimals is not None:
            self.rounded_decimals[value] = max(decimals, self.rounded_decimals.get(value, decimals))
        if self.numbers.get(value) == "rounded" and kind != "rounded":
            return
        if kind == "given" and value in self.numbers:
            return
        self.numbers[value] = kind

    def printed_interval(self, p: Printed, widen: bool):
        if self.exactness.get(p, False):
            return ivl.exact(p.value)
        # 0.0 after the same result printed 0.0000 stands for that result, not for ±0.05.
        decimals = max(p.decimals, self.rounded_decimals.get(p.value, p.decimals))
        return ivl.printed(p.value, decimals, Fraction(3, 2) if widen else Fraction(1, 2))

    def rounds_a_value(self, p: Printed) -> bool:
        """Whether ``p`` is a value the document computed, rounded or cut to fewer digits
        (0.59326999 for h_1 = 0.593269992…): it then stands for that value, not exactly for
        itself."""
        if p.decimals < 3:
            return False
        unit, shown = 10.0 ** -p.decimals, float(p.value)
        k = bisect.bisect_left(self.computed, (shown - unit,))
        while k < len(self.computed) and self.computed[k][0] <= shown + unit:
            middle, half, _, name = self.computed[k]
            k += 1
            if self.values.get(name) is not self.computed_value.get(name) or half >= unit:
                continue  # since rebound, or too rough to tell
            if abs(middle - shown) > half * 1.001 + 1e-300:
                return True
        return False

    def full_value(self, p: Printed):
        """The value (of either sign) the document computed and printed rounded as ``p``,
        when it is known to well within ``p``'s last digit; else None."""
        unit = 10.0 ** -p.decimals
        for shown, sign in ((float(p.value), 1), (-float(p.value), -1)):
            k = bisect.bisect_left(self.computed, (shown - unit / 2,))
            while k < len(self.computed) and self.computed[k][0] <= shown + unit / 2:
                middle, half, _, name = self.computed[k]
                k += 1
                if self.values.get(name) is self.computed_value.get(name) and half < unit / 10:
                    return sign * self.computed_value[name]
        return None

    # -- names ------------------------------------------------------------------------------
    def derivable(self, s: sp.Symbol):
        """For ``dX/dY`` where X has a formula in Y: the derivative (unevaluated), else None."""
        parts = derivative_parts(s)
        if parts is None:
            return None
        x, y = symbol(parts[0]), symbol(parts[1])
        if "_" in parts[1]:
            # ∂E/∂z^{(2)}_{1}: the label may be an example's, and E that example's loss E_n
            # (multi-example sheets print ∂E_n/∂z as ∂E/∂z until issue 14); read as a name only.
            return None
        if x in self.formulas and y in self.closure(x):
            return sp.Derivative(self.formulas[x], y)
        return None

    def softmax_member(self, s):
        """``p_2``'s formula when the document wrote only ``p_1 = e^{z_1}/S`` (S, or the
        sum written out, being e^{z_1} + e^{z_2} + …): the softmax rule gives every member
        of the family its own, ``e^{z_2}/S``. None when ``s`` is not such a member."""
        own = _INDEXED.match(s.name)
        if own is None or s in self.formulas:
            return None
        for name, formula in list(self.formulas.items()):
            sibling = _INDEXED.match(name.name)
            if sibling is None or sibling[1] != own[1] or sibling[2] == own[2]:
                continue
            numerator, denominator = formula.as_numer_denom()
            if not (isinstance(numerator, sp.exp) and isinstance(numerator.args[0], sp.Symbol)):
                continue
            logit = _INDEXED.match(numerator.args[0].name)
            if logit is None or logit[2] != sibling[2]:
                continue
            total = self.formulas.get(denominator, denominator)
            member = sp.exp(symbol(logit[1] + own[2]))
            if isinstance(total, sp.Add) and numerator in total.args and member in total.args:
                return member / denominator
        return None

    def closure(self, s: sp.Symbol, depth: int = 0) -> set:
        """Every name ``s`` is defined through (formulas, and X of ∂X/∂Y)."""
        seen: set = set()
        stack = [s]
        while stack and len(seen) < 5000:
            n = stack.pop()
            deps = set()
            if n in self.formulas:
                deps = names_in(self.formulas[n])
            elif (member := self.softmax_member(n)) is not None:
                deps = names_in(member)
            else:
                parts = derivative_parts(n)
                if parts:
                    deps = {symbol(parts[0]), symbol(parts[1])}
            for d in deps - seen:
                seen.add(d)
                stack.append(d)
        return seen

    def value_of(self, s, visiting: frozenset = frozenset(), widen: bool = False):
        if isinstance(s, Printed):
            return self.printed_interval(s, widen)
        if s in self.values:
            return self.values[s]
        if s in visiting or len(visiting) > MAX_FORMULA_DEPTH:
            raise Missing({s.name})
        if s in self.formulas and self.current(s):
            return self.numeric(self.formulas[s], visiting | {s})
        derivative = self.derivable(s)
        if derivative is not None:
            return self.numeric(derivative, visiting | {s})
        member = self.softmax_member(s)
        if member is not None:
            return self.numeric(member, visiting | {s})
        if s in self.fallback and s not in self.formulas:
            self.fallback_used.add(s)
            return self.fallback[s]
        raise Missing({s.name})

    # -- evaluation ------------------------------------------------------------------------------
    def numeric(self, expr, visiting: frozenset = frozenset(), widen: bool = False,
                free: frozenset = frozenset()):
        """The interval of ``expr`` with the names' values; raises Missing / Unevaluable.

        Names in ``free`` stay variables even when they have a value."""
        expr = self.resolve_derivatives(expr)
        missing = {s.name for s in names_in(expr) & free}
        for s in names_in(expr) - free:
            try:
                self.value_of(s, visiting)
            except Missing as m:
                missing |= m.names
        if missing:
            if isinstance(expr, sp.Mul) and any(self._is_zero(f, visiting, free) for f in expr.args):
                # ReLU′(z)·(w₁δ₁ + …) at z < 0 is 0 whatever the w are
                return ivl.exact(0)
            raise Missing(missing)
        return ivl.evaluate(expr, lambda s: self.value_of(s, visiting, widen))

    def _is_zero(self, factor, visiting: frozenset, free: frozenset) -> bool:
        try:
            v = self.numeric(factor, visiting, free=free)
        except (Missing, ivl.Unevaluable, TypeError, ValueError):
            return False
        return ivl.is_point(v) and ivl.lower(v) == 0

    def resolve_derivatives(self, expr):
        """Every d/dx(…) carried out, after putting in the formulas of names that depend on x."""
        if not isinstance(expr, sp.Basic) or not expr.has(sp.Derivative):
            return expr

        def carry_out(d):
            operand = d.expr
            for v, n in d.variable_count:
                operand = sp.diff(self.expand_dependents(operand, v), v, n)
            return operand
        return expr.replace(lambda e: isinstance(e, sp.Derivative), carry_out)

    def expand_dependents(self, expr, variable):
        for _ in range(MAX_FORMULA_DEPTH):
            swap = {}
            for s in names_in(expr):
                if s == variable:
                    continue
                if s in self.formulas and variable in self.closure(s) | names_in(self.formulas[s]):
                    swap[s] = self.formulas[s]
                elif self.derivable(s) is not None and variable in self.closure(s):
                    swap[s] = self.derivable(s)
                elif (member := self.softmax_member(s)) is not None and variable in self.closure(s):
                    swap[s] = member
            if not swap:
                return self.resolve_derivatives(expr)
            expr = self.resolve_derivatives(expr.xreplace(swap))
            # Differentiating a deep network's nested loss explodes (DESIGN: 34 s at depth 4).
            if sp.count_ops(expr) > MAX_EXPANDED_OPS:
                raise ivl.Unevaluable("too large once the formulas of its names are put in")
        raise ivl.Unevaluable("names defined through each other")

    def current(self, s, depth: int = 0) -> bool:
        """Whether ``s``'s formula may be evaluated: each of its names got its value after
        the formula was written (``y = h_1 - 2h_2``, then ``h_1 = 2``), or is itself current.
        A formula written after its names had values is a general definition (``b = b_3 +
        b_1 w_5``) and is not evaluated with values that came before it."""
        if depth > MAX_FORMULA_DEPTH or s not in self.formulas:
            return False
        written = self.formula_time.get(s, -1)
        for n in names_in(self.formulas[s]):
            if n in self.values:
                if self.value_time.get(n, -1) <= written:
                    return False
            elif n in self.formulas:
                if not self.current(n, depth + 1):
                    return False
            elif self.derivable(n) is None:
                return False
        return True

    def expandable(self, s) -> object:
        if s in self.formulas:
            return self.formulas[s]
        derivative = self.derivable(s)
        return derivative if derivative is not None else self.softmax_member(s)

    # -- bindings ------------------------------------------------------------------------------
    def from_earlier_part(self, s) -> bool:
        """Whether ``s`` was last bound before the current heading."""
        return s in self.bound_part and self.bound_part[s] < self.part

    def bind_substituted(self, s, value) -> None:
        """``s`` is the number a substitution put in its place, until the name is given
        again or a new part starts (a sheet reuses w_5 step by step)."""
        self.bind_value(s, value, None, given=True)
        self.substituted.add(s)

    def forget_substituted(self) -> None:
        for s in self.substituted:
            for table in (self.values, self.exact_values, self.value_time, self.bound_part):
                table.pop(s, None)
            self.given_names.discard(s)
        self.substituted = set()

    def bind_value(self, s, value, exact_value=None, given: bool = False) -> None:
        self.substituted.discard(s)
        self.values[s] = value
        self.bound_part[s] = self.part
        if not given:
            entry = (float(ivl.midpoint(value)), float(ivl.width(value)) / 2, len(self.computed), s)
            bisect.insort(self.computed, entry)
            self.computed_value[s] = value
        self.value_time[s] = self.clock
        (self.given_names.add if given else self.given_names.discard)(s)
        if exact_value is not None:
            self.exact_values[s] = exact_value
        else:
            self.exact_values.pop(s, None)

    def exact_value(self, expr):
        """The exact rational value of ``expr`` (no rounded number in it), else None."""
        if not isinstance(expr, sp.Basic) or isinstance(expr, Tup) or expr.has(sp.Derivative):
            return None
        swap = {}
        for p in printed_in(expr):
            if not self.exactness.get(p):
                return None
            swap[p] = p.value
        for n in names_in(expr):
            if n not in self.exact_values:
                return None
            swap[n] = self.exact_values[n]
        value = expr.xreplace(swap) if swap else expr
        return value if value.is_Rational else None

    def bind_formula(self, s, formula) -> bool:
        if not isinstance(formula, sp.Basic) or isinstance(formula, Tup):
            return False
        if not names_in(formula) or s in names_in(formula):
            return False
        if any(s in self.closure(n) for n in names_in(formula)):
            return False
        self.formulas[s] = formula
        self.formula_time[s] = self.clock
        self.bound_part[s] = self.part
        return True
