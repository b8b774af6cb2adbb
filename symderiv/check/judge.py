"""Judge every chain of a document: bindings, printed numbers as intervals, identities.

Reading order is document order. A chain that starts with a name defines it: the first
``=`` is not a claim, and afterwards the name holds the first formula it was set equal
to and, at full precision, the narrowest value the chain computed (a computed element is
preferred to the printed result). ``name = number`` alone is a given (exact), unless the
name has a formula that can be evaluated now: then it is a claim (``h_1 = 2`` after
``h_1 = ReLU(x_1 + x_2)`` and ``x_1 = 1, x_2 = 1``). ``f(x) = …`` defines a function.
``∂X/∂Y`` at the head of a chain is a claim when X has a formula in Y.

Every other ``=`` is judged on its own. Both sides evaluated to intervals: ``ok`` when
they meet; ``rounding`` when they meet once every rounded printed number is allowed one
more unit in its last digit; ``WRONG`` otherwise. Sides with free names: an identity,
decided by :func:`symderiv.calculus.verify.decide` after replacing names by the formulas the
document gave them; "not equal" is WRONG only when both sides are in the same names (a
contextual claim such as ∂a/∂z = (1+a)(1−a) is skipped, not condemned). Anything that
cannot be read or evaluated is skipped, with the reason.

Which printed numbers were rounded: a number the document printed earlier as an inexact
result is rounded; a given number (``\\eta = 0.1``, ``--given``, a coefficient in a
formula) or an exactly computed one is exact; any other number is rounded when it has at
least as many decimals as the chain's result (the working precision), else exact.
"""

import itertools
from fractions import Fraction

import mpmath
import sympy as sp

from symderiv.records import dataclass
from symderiv.check import arrays
from symderiv.check import intervals as ivl
from symderiv.check.extract import Statement, is_latex, statements
from symderiv.check.report import (CONDITIONAL, DEFINES, INHERITS, OK, ROUNDING, SEVERITY, SKIPPED,
                                   WRONG, Binding, Item, Link, Report, shorten)
from symderiv.check.report import number as report_number
from symderiv.check.hypothesis import EQUAL_WITHIN, judge_under, read_condition
from symderiv.check.scope import MAX_FORMULA_DEPTH, Missing, Scope
from symderiv.check.factors import written_factors
from symderiv.check.substitute import as_written, pairs, positions
from symderiv.check.texmath import (FunctionHead, Matrix, Printed, Tup, Unreadable, derivative_parts,
                                    exact, names_in, printed_in, read, read_head)
from symderiv.calculus.budget import cpu_clock
from symderiv.calculus.expr import symbol

MAX_CHAINS = 4000          # chains judged per document; the rest are skipped
TIME_BUDGET = 25.0         # CPU seconds for one document; afterwards chains are skipped (a check ends within 30)
IDENTITY_BUDGET = 15.0     # seconds of identity proofs per document
IDENTITY_TIMEOUT = 3.0     # seconds per identity
CHILD_SLACK = 1.5          # beyond it, for the child that proves it to start and answer
MAX_IDENTITY_OPS = 600     # larger identities are skipped
DEFAULT_PRECISION = 4      # decimals of a result when a document shows none
EQUALITIES = ("=", "≈")
MAX_SIGN_CHOICES = 64      # a substitution's ways of placing the signs SymPy folded away


@dataclass
class _Side:
    """An element as read: its expression (or why it could not be read)."""

    index: int
    text: str
    line: int
    value: object = None
    problem: str | None = None
    written: object = None  # the head as written, when ``value`` is the derivative it claims
    tokens: list | None = None  # as lexed (where each leaf was written)

    @property
    def bare(self) -> bool:
        """Just a printed number (maybe negative): a result as printed."""
        return self.problem is None and _bare_number(self.value)


def _bare_number(e) -> bool:
    if isinstance(e, (Printed, sp.Integer)):
        return True
    return isinstance(e, sp.Mul) and len(e.args) == 2 and e.args[0] == -1 \
        and isinstance(e.args[1], (Printed, sp.Integer))


class Checker:
    """Reads a document's statements in order and judges them."""

    def __init__(self, given: dict | None = None, deadline: float | None = None):
        self.scope = Scope()
        self.report = Report()
        self.deadline = deadline if deadline is not None else cpu_clock() + TIME_BUDGET
        self.given = dict(given or {})
        self.section = 0
        self.precision = DEFAULT_PRECISION  # of the chain being judged
        self.aliases: list = []  # an array head's entries' other spellings, bound after its chain
        self.assumptions = None  # a hypothetical's condition, as assumptions (else None)
        self.substituted: list = []  # (name, number) the statement's substitutions gave values
        for name, value in self.given.items():
            self.give(name, value)

    def give(self, name: str, value, record: bool = True) -> None:
        s = symbol(name)
        if names_in(value):
            self.scope.formulas[s] = value
            self.scope.formula_time[s] = -1
            if record:
                self.report.bindings.append(Binding(0, name, "formula", formula=sp.sstr(value)))
            return
        self.scope.bind_value(s, ivl.evaluate(value, _no_names), given=True)
        if value.is_Rational:
            self.scope.note_number(value, "given")
            self.scope.exact_values[s] = value
        if record:
            self.report.bindings.append(Binding(0, name, "given", value=float(value)))

    def check(self, found: list[Statement]) -> Report:
        for n, statement in enumerate(found):
            if n >= MAX_CHAINS or cpu_clock() > self.deadline:
                self._skip(statement, "the document is too long to check in full"
                           if n >= MAX_CHAINS else "time budget used up")
                continue
            if statement.section != self.section:
                self.section = statement.section
                self.scope = self.scope.next_scope()
                for name, value in self.given.items():
                    self.give(name, value, record=False)
            self.scope.clock += 1
            if statement.part != self.scope.part:
                self.scope.forget_substituted()
            self.scope.part = statement.part
            try:
                self.statement(statement)
            except RecursionError:
                self._skip(statement, "nested too deeply")
            except Exception as e:  # noqa: BLE001 - SymPy's evaluation can raise anything;
                # a statement the checker cannot handle is skipped, never a traceback
                self._skip(statement, f"could not evaluate this ({type(e).__name__})")
        return self.report

    def _skip(self, statement: Statement, reason: str) -> None:
        self.report.items.append(Item(statement.line, statement.text, SKIPPED, statement.line,
                                      statement.last_line, reason=reason))

    # -- one statement ------------------------------------------------------------------------
    def statement(self, st: Statement) -> None:
        if st.skip:
            self._skip(st, st.skip)
            return
        self.substituted = []
        if st.conditional and not set(st.relations) & set(EQUALITIES):
            return  # "if $z_1 < 0$": the condition itself, assumed, not a claim
        self.assumptions = read_condition(st.condition, self.scope.context) \
            if st.conditional else None
        sides = [self.read_side(k, e, head=(k == 0)) for k, e in enumerate(st.elements)]
        if st.update and sides[0].problem is None and isinstance(sides[0].value, Tup) \
                and self.scope.context.array_name(sides[0].value):  # W ← W - η∇W: W's new entries
            sides[0].value = symbol(self.scope.context.array_name(sides[0].value))
        assigned = None
        if st.update and sides[0].problem is None and _is_name(sides[0].value) \
                and not sides[0].value.name.endswith(("+", "'", "new")):
            assigned = sides[0].value   # w ← …: judged as w's new value w+, then w is it
            sides[0].value = symbol(assigned.name + "+")
        head = sides[0].value if sides[0].problem is None else None
        if isinstance(head, FunctionHead):
            if self.function_definition(st, sides, head):
                return
            sides[0].value = head.applied
            if head.applied is None:
                sides[0].problem = "cannot read this"
        if _is_name(head) and st.relations[0] in EQUALITIES:
            head = self.array_head(sides)
        if isinstance(head, Tup) and all(_is_name(h) for h in arrays.entries(head)):
            self.tuple_chain(st, sides)
            return
        links = self.chain(st, sides)
        self.finish(st, sides, links)
        new = sides[0].value if assigned is not None else None
        if new in self.scope.values:
            self.scope.bind_value(assigned, self.scope.values[new],
                                  self.scope.exact_values.get(new))

    def read_side(self, k: int, element, head: bool) -> _Side:
        side = _Side(k, element.text, element.line, tokens=element.tokens)
        try:
            side.value = (read_head if head else read)(element.tokens, self.scope.context)
        except Unreadable as e:
            side.problem = f"cannot read {shorten(element.text, 30)!r}: {e}"
        except RecursionError:
            side.problem = "nested too deeply"
        return side

    def array_head(self, sides: list[_Side]):
        """``W^{(1)} = [[0.2, -0.1], …]``, ``δ^{(1)} = (W^T δ) ⊙ f'(z) = [...]``: a name set
        equal to an array stands for its entries (w^{(1)}_{jk}, δ^{(1)}_k), each a chain."""
        name = sides[0].value
        like = next((side.value for side in sides[1:] if side.problem is None
                     and isinstance(side.value, Tup)), None)
        if like is None:
            return name
        entries = arrays.array_of_names(name.name, like)
        self.scope.context.arrays[name.name] = entries
        self.aliases = arrays.aliases(name.name, like)
        sides[0].value = entries
        return entries

    def tuple_chain(self, st: Statement, sides: list[_Side]) -> None:
        """``(i_1, i_2) = (0.05, 0.10)``: one chain per component (a matrix's row by row)."""
        head = sides[0].value
        width = len(arrays.entries(head))
        labels = arrays.entry_labels(head)
        links: list[Link] = []
        parts = []
        for k in range(width):
            component = []
            for side in sides:
                c = _Side(side.index, side.text, side.line, problem=side.problem)
                if side.problem is None:
                    if isinstance(side.value, Tup) and arrays.shape(side.value) == arrays.shape(head) \
                            or isinstance(side.value, Tup) and len(arrays.entries(side.value)) == width \
                            and not isinstance(side.value, Matrix) and not isinstance(head, Matrix):
                        c.value = arrays.entries(side.value)[k]
                    else:
                        c.problem = "cannot match the components of this vector"
                component.append(c)
            parts.append(component)
            for link in self.chain(st, component):
                link.component = k
                if link.status in (WRONG, ROUNDING) and width > 1:
                    link.reason = f"entry {labels[k]} of {_size(head)}"
                links.append(link)
        # An element that cannot be read is one skip, not one per entry.
        seen = set()
        links = [link for link in links if link.status != SKIPPED
                 or (link.index, link.reason) not in seen and not seen.add((link.index, link.reason))]
        self.finish(st, parts[0], links, components=parts)
        for entry, alias in self.aliases:
            if entry in self.scope.values and alias not in self.scope.values:
                self.scope.bind_value(alias, self.scope.values[entry],
                                      self.scope.exact_values.get(entry),
                                      given=entry in self.scope.given_names)
        self.aliases = []

    # -- functions ------------------------------------------------------------------------------
    def function_definition(self, st, sides, head: FunctionHead) -> bool:
        """``f(x) = …`` (two elements, the body in x): define f. True when it was one."""
        if len(sides) != 2 or sides[1].problem or isinstance(sides[1].value, Tup) \
                or st.relations[0] != "=":
            return False
        body = exact(sides[1].value)
        if not set(head.params) & names_in(body):
            return False
        # f(x) = x² defines f even when x has a value: its parameter is a variable.
        known = self.scope.context.function(head.name)
        if known is not None and head.applied is not None and not isinstance(known, sp.Lambda):
            verdict = self.decide(head.applied, body)
            if verdict is not None and verdict.equal:
                link = Link(1, sides[1].line, sides[0].text, sides[1].text, OK,
                            expected=sp.sstr(head.applied), method="identity")
                self.report.items.append(Item(st.line, st.text, OK, st.line, st.last_line,
                                              [link], expected=sp.sstr(head.applied)))
                return True
        self.scope.functions[head.name] = sp.Lambda(head.params, body)
        self.report.bindings.append(Binding(st.line, f"{head.name}({', '.join(p.name for p in head.params)})",
                                            "function", formula=sp.sstr(body)))
        return True

    # -- chains ---------------------------------------------------------------------------------
    def chain(self, st: Statement, sides: list[_Side]) -> list[Link]:
        self.classify_numbers(sides)
        head = sides[0]
        links: list[Link] = []
        first = 1
        if head.problem is None and _is_name(head.value) and st.relations[0] in EQUALITIES:
            name = head.value
            if len(sides) == 2 and sides[1].problem is None and not names_in(sides[1].value):
                formula = self.claimable(name)
                if formula is None and self.states_again(st, name, sides[1]):
                    formula = name  # "h_1 = 0.5933" again: checked against its value
                if formula is not None:
                    link = self.link(sides[1].line, _Side(0, head.text, head.line, formula,
                                                          written=name),
                                     sides[1], st.relations[0])
                    return [link]
                return [Link(1, sides[1].line, head.text, sides[1].text, DEFINES)]
            derivative = self.scope.derivable(name)
            if derivative is not None:
                links.append(self.link(sides[1].line, _Side(0, head.text, head.line, derivative,
                                                   written=name),
                                       sides[1], st.relations[0]))
            else:
                links.append(Link(1, sides[1].line, head.text, sides[1].text, DEFINES))
            first = 2
        for k in range(first, len(sides)):
            if st.relations[k - 1] in EQUALITIES:
                links.append(self.link(sides[k].line, sides[k - 1], sides[k], st.relations[k - 1]))
            else:
                links.append(self.inequality(sides[k].line, sides[k - 1], sides[k],
                                             st.relations[k - 1]))
            links[-1].index = k
        return links

    def claimable(self, name):
        """The formula that ``name = number`` is checked against, if one can be evaluated now."""
        if self.scope.from_earlier_part(name):
            return None
        if name in self.scope.formulas:
            formula = self.scope.formulas[name] if self.scope.current(name) else None
        else:
            formula = self.scope.derivable(name)
        return formula if formula is not None and self._evaluable(formula) else None

    def states_again(self, st: Statement, name, side: _Side) -> bool:
        """Whether ``name = number`` is a claim about the value ``name`` has: it repeats it,
        or the name was computed and nothing says it takes a new value now (an update, a
        new step or example): a wrong result restated under a later heading is a WRONG,
        not a new given. A given (x_1 = 0, then x_1 = 1) may be given again."""
        if st.renews:  # a new value may be stated; the same one is still the same
            return self.restates(name, side, widen=False)
        if self.restates(name, side):
            return True
        return name in self.scope.values and name not in self.scope.given_names \
            and not st.update and not st.conditional and side.problem is None

    def restates(self, name, side: _Side, widen: bool = True) -> bool:
        """Whether ``name = number`` repeats the value ``name`` has (to within a slip in
        the last digit) rather than giving it a new one (x_1 = 0, then x_1 = 1). Under a
        later heading too: a closing list [w_5^+, w_6^+] = [0.3589, 0.4087] restates."""
        if name not in self.scope.values or name in self.scope.given_names \
                or side.problem is not None:
            return False
        try:
            return ivl.meet(self.scope.values[name], self.scope.numeric(side.value, widen=widen))
        except (Missing, ivl.Unevaluable, TypeError, ValueError):
            return False

    def _evaluable(self, expr) -> bool:
        try:
            self.scope.numeric(expr)
            return True
        except (Missing, ivl.Unevaluable, Unreadable, ValueError, TypeError, ZeroDivisionError):
            return False

    def classify_numbers(self, sides: list[_Side]) -> None:
        # The working precision: the decimals of the chain's result, or of most results so
        # far (a result printed "0.25" may be 0.2500 with its zeros dropped).
        last = sides[-1]
        usual = (self.scope.result_decimals.most_common(1)[0][0] if self.scope.result_decimals
                 else DEFAULT_PRECISION)
        precision = usual
        if last.bare and printed_in(last.value):
            precision = max(next(iter(printed_in(last.value))).decimals, usual)
        self.precision = precision
        for side in sides:
            if side.problem is not None or not isinstance(side.value, (sp.Basic, Tup)):
                continue
            in_formula = bool(names_in(side.value))
            for p in printed_in(side.value):
                if side.bare:
                    self.scope.exactness[p] = False
                    continue
                kind = self.scope.numbers.get(p.value)
                if kind == "rounded":
                    self.scope.exactness[p] = False
                elif kind in ("given", "exact") or in_formula:
                    self.scope.exactness[p] = True
                elif self.scope.rounds_a_value(p):
                    self.scope.exactness[p] = False
                elif _tiny_at_significant_digits(p, usual):
                    self.scope.exactness[p] = False
                else:
                    self.scope.exactness[p] = p.decimals < precision

    # -- one link ---------------------------------------------------------------------------------
    def link(self, line: int, left: _Side, right: _Side, relation: str) -> Link:
        out = Link(right.index, line, left.text, right.text, SKIPPED, relation=relation)
        for side in (left, right):
            if side.problem:
                out.reason = side.problem
                return out
        if isinstance(left.value, Tup) and isinstance(right.value, Tup) \
                and len(left.value) == len(right.value):
            return self.vector_link(out, left, right, relation)
        for side in (left, right):
            if isinstance(side.value, (Tup, FunctionHead)) or side.value is None:
                out.reason = "cannot compare a vector or a definition here"
                return out
        try:
            self._judge(out, left, right)
            if out.status in (WRONG, ROUNDING):
                out = self.with_recomputed(out, left, right)
        except (ivl.Unevaluable, Unreadable) as e:
            out.status, out.reason = SKIPPED, f"cannot evaluate: {e}"
        except RecursionError:
            out.status, out.reason = SKIPPED, "nested too deeply"
        except Exception as e:  # noqa: BLE001 - SymPy's and mpmath's failures vary
            out.status, out.reason = SKIPPED, f"cannot evaluate ({type(e).__name__})"
        if self.assumptions is not None and out.status != OK:
            self.under_condition(out, left, right)
        return out

    def inequality(self, line: int, left: _Side, right: _Side, relation: str) -> Link:
        """``0.4315 > 0``, ``-2 < 0``: between numbers, judged on the intervals (too close to
        call at the printed digits: skipped). With a free name (``z_n < 0``) it is a
        condition, not a claim."""
        out = Link(right.index, line, left.text, right.text, SKIPPED, relation=relation,
                   reason="an inequality between formulas (only one between numbers is checked)")
        strict = {"<": "<", r"\lt": "<", ">": ">", r"\gt": ">"}
        loose = {r"\le": "<", r"\leq": "<", r"\leqslant": "<", r"\ge": ">", r"\geq": ">",
                 r"\geqslant": ">"}
        if relation not in strict and relation not in loose or left.problem or right.problem \
                or self.assumptions is not None:
            return out
        try:
            if names_in(left.value) or names_in(right.value):
                return out
            # as written: 0.25 ≤ 0.3 compares those numbers, not what rounds to them
            lo, hi = (self.scope.numeric(exact(side.value)) for side in (left, right))
        except Exception:  # noqa: BLE001 - whatever cannot be evaluated stays unchecked
            return out
        if strict.get(relation, loose.get(relation)) == ">":
            lo, hi = hi, lo   # a > b is b < a
        if ivl.upper(lo) < ivl.lower(hi) or relation in loose and ivl.upper(lo) <= ivl.lower(hi):
            out.status, out.reason, out.method = OK, None, "inequality"
        elif ivl.lower(lo) > ivl.upper(hi) or relation in strict and ivl.lower(lo) >= ivl.upper(hi):
            out.status, out.method = WRONG, "inequality"
            sides = (hi, lo) if strict.get(relation, loose.get(relation)) == ">" else (lo, hi)
            out.reason = "the sides are " + " and ".join(report_number(float(ivl.midpoint(v)))
                                                        for v in sides)
        else:
            out.reason = "the sides are too close to order at the digits printed"
        return out

    def under_condition(self, out: Link, left: _Side, right: _Side) -> None:
        """A hypothetical link that does not hold as a fact, judged assuming its condition
        (an identity inside the hypothetical was judged as usual and holds)."""
        out.status, out.expected, out.printed, out.difference = SKIPPED, None, None, None
        out.counterexample = out.reason = None
        if not self.assumptions:
            out.reason = ("a hypothetical whose condition names no sign or limit to assume: "
                          "write it in the math (z_1 < 0, z \\to \\infty, a \\to \\pm 1) "
                          "to have it judged")
            return
        lhs, rhs = (self.scope.resolve_derivatives(exact(side.value)) for side in (left, right))
        assumed = {a.symbol for a in self.assumptions}
        for _ in range(MAX_FORMULA_DEPTH):  # a → tanh z when the condition is on z
            names = names_in(lhs) | names_in(rhs)
            swap = {n: exact(self.scope.expandable(n)) for n in names - assumed
                    if self.scope.expandable(n) is not None and n not in self.scope.values}
            if names & assumed and not (names - assumed - set(self.scope.values)) or not swap:
                break
            lhs, rhs = (self.scope.resolve_derivatives(e.xreplace(swap)) for e in (lhs, rhs))
        names = names_in(lhs) | names_in(rhs)
        relevant = [a for a in self.assumptions if a.symbol in names]
        known = {n: sp.Float(mpmath.nstr(ivl.midpoint(self.scope.values[n]), 30), 30)
                 for n in names - assumed if n in self.scope.values}
        open_names = sorted(n.name for n in names - assumed - set(known))
        if not relevant or open_names:
            said = "; ".join(a.said for a in self.assumptions)
            out.reason = (f"a hypothetical: its condition ({said}) does not settle "
                          + ", ".join(open_names) + "; give those values or state their "
                          "condition to have it judged" if open_names else
                          f"a hypothetical: its condition ({said}) is on none of its names; "
                          "state the condition on them to have it judged")
            return
        tolerance = EQUAL_WITHIN
        for side in (left, right):
            if side.bare and printed_in(side.value) and out.relation == "≈":
                tolerance = sp.Rational(1, 2) * sp.Rational(10) ** -next(iter(printed_in(side.value))).decimals
        result = self.bounded(judge_under, (lhs.xreplace(known), rhs.xreplace(known), relevant,
                                            tolerance))
        if result is None:
            out.reason = "the limits under its condition took too long"
            return
        for key, value in result.items():
            setattr(out, key, value)
        if out.status != SKIPPED:
            out.method = out.method or "under the condition"

    def with_recomputed(self, out: Link, left: _Side, right: _Side) -> Link:
        """A link through a name whose line was WRONG also holds with the name's right value
        (the document corrected itself): then it is ok. One that computes with a name whose
        line was a rounding slip may use the value printed there (one slip is one flag); one
        that restates the name (``= h_1 = 0.5932``) repeats the slip."""
        names = set().union(*(names_in(side.value) for side in (left, right)))
        right_values = {n: self.scope.wrong_lines[n][1] for n in names if n in self.scope.wrong_lines}
        slipped = {n: self.scope.slips[n][0] for n in names if n in self.scope.slips
                   and n not in (left.value, right.value)}
        tries = [{n: v[min(k, len(v) - 1)] for n, v in right_values.items()}
                 for k in range(max(map(len, right_values.values()), default=0))]
        if slipped:
            tries += [slipped] + [{**t, **slipped} for t in tries]
        best = out
        for values in tries:
            saved = {n: self.scope.values[n] for n in values}
            retry = Link(out.index, out.line, out.left, out.right, SKIPPED, relation=out.relation)
            try:
                self.scope.values.update(values)
                self._judge(retry, left, right)
            finally:
                self.scope.values.update(saved)
            if SEVERITY.get(retry.status, 9) < SEVERITY[best.status]:
                best = retry
        return best

    def computed_values(self, sides: list[_Side]) -> list:
        """The right value of a WRONG chain: computed from the names it is written in
        (w_5 h_1 + …, where the numbers put in may be the slip), else from its numbers."""
        named, numbers, tainted = [], [], []
        for side in sides[1:]:
            if side.problem is None and not side.bare and isinstance(side.value, sp.Basic):
                try:
                    value = self.scope.numeric(side.value)
                except (Missing, ivl.Unevaluable, Unreadable, ValueError, TypeError,
                        ArithmeticError, RecursionError):
                    continue
                names = names_in(side.value)
                carried = names & set(self.scope.wrong_lines)
                (tainted if carried else named if names else numbers).append(value)
        found = named or numbers or tainted
        return [ivl.narrowest(found)] if found else []

    def vector_link(self, out: Link, left: _Side, right: _Side, relation: str) -> Link:
        """[σ(2.0), σ(2.4)] ≈ [0.8808, 0.9084]: every entry judged; the worst one counts."""
        entries = []
        for k, (lv, rv) in enumerate(zip(left.value, right.value)):
            one = [_Side(side.index, side.text, side.line, value) for side, value
                   in ((left, lv), (right, rv))]
            self.classify_numbers(one)
            entries.append((k, self.link(out.line, one[0], one[1], relation)))
        judged = [(k, e) for k, e in entries if e.status in SEVERITY]
        if not judged:
            out.reason = next((e.reason for _, e in entries if e.reason), "no entry could be judged")
            return out
        k, worst = max(judged, key=lambda pair: SEVERITY[pair[1].status])
        for key in ("status", "expected", "printed", "difference", "method", "counterexample"):
            setattr(out, key, getattr(worst, key))
        if worst.status != OK:
            out.reason = f"entry {k + 1} of {len(entries)}"
        return out

    def _judge(self, out: Link, left: _Side, right: _Side) -> None:
        # In d/dx(…) = …, x is a variable, whatever value an earlier line gave it; so is
        # the name a hypothetical's condition is on (if z_1 < 0, …: not z_1's value).
        variables = frozenset(v for side in (left, right)
                              for d in side.value.atoms(sp.Derivative) for v in d.variables)
        variables |= {a.symbol for a in self.assumptions or ()}
        values, missing = [], set()
        for side in (left, right):
            try:
                values.append(self.scope.numeric(side.value, free=variables))
            except Missing as m:
                values.append(None)
                missing |= m.names
        for k, side in enumerate((left, right)):
            # ∂E/∂w_5 (E's formula differentiated) = 0.74 × 0.19 × 0.59: at the document's
            # values, once differentiated (w_5's value is put in only after ∂/∂w_5 is taken).
            other = (left, right)[1 - k]
            if values[k] is None and side.written is not None and not names_in(other.value):
                try:
                    values[k] = self.scope.numeric(side.value)
                except Missing:
                    pass
        if values[0] is not None and values[1] is not None:
            self._compare(out, left, right, *values)
            if out.status in (WRONG, ROUNDING) and bool(names_in(left.value)) != bool(names_in(right.value)):
                # w_5 − η g = 0.4 − 0.5 × 0.0872: which name took the wrong number
                paired = Link(out.index, out.line, out.left, out.right, SKIPPED, reason="")
                self.substitution(paired, left, right)
                if paired.symbol is not None:
                    out.symbol, out.reason = paired.symbol, paired.reason
            return
        lhs, rhs = left.value, right.value
        if not names_in(lhs) or not names_in(rhs):
            out.reason = "no value for " + ", ".join(sorted(missing))
            if not self.factorwise(out, left, right, variables):
                self.substitution(out, left, right)
            return
        written = [side.written if side.written is not None else side.value for side in (left, right)]
        self._identity(out, lhs, rhs, variables, written)
        if out.status == SKIPPED and names_in(lhs) != names_in(rhs):
            factored = Link(out.index, out.line, out.left, out.right, SKIPPED, relation=out.relation)
            if self.factorwise(factored, left, right, variables):
                out.__dict__.update(factored.__dict__)

    def factorwise(self, out: Link, left: _Side, right: _Side, variables: frozenset) -> bool:
        """Two products of as many factors, named differently (a chain rule worked out):
        judged factor against factor. ``∂a/∂z`` against ``d/dz F(z)`` states a = F(z);
        a literal 0 makes the product 0 whatever the other factors. True when it applied."""
        if left.tokens is None or right.tokens is None:
            return False
        sides = [written_factors(side.tokens, self.scope.context) for side in (left, right)]
        if sides[0] is None or sides[1] is None or len(sides[0]) != len(sides[1]) \
                or not all(any(names_in(x) for x in f) for f in sides) \
                or not any(f == g for f, g in zip(*sides)):
            return False  # not a chain rule written twice (it shares a factor)
        verdicts = [self.factor_verdict(out.line, f, g, variables) for f, g in zip(*sides)]
        wrong = next((v for v in verdicts if v.status in (WRONG, ROUNDING)), None)
        unjudged = next((v for v in verdicts if v.status == SKIPPED), None)
        if wrong is not None:
            # Factors are paired by where they were written, which may not be how the author
            # meant them (σ(z)(1 − σ(z)) against e^{-z}/(1 + e^{-z})²): never a WRONG.
            return False
        out.method = "factor by factor"
        if unjudged is not None:
            out.status, out.reason = SKIPPED, f"factor {unjudged.left} against {unjudged.right}: {unjudged.reason}"
        else:
            out.status, out.reason = OK, None
            out.expected = sp.sstr(sp.Mul(*(exact(f) for f in sides[1])))
        return True

    def factor_verdict(self, line: int, f, g, variables: frozenset) -> Link:
        """One factor against the one written in its place."""
        out = Link(0, line, sp.sstr(f), sp.sstr(g), SKIPPED)
        if f == g:
            out.status = OK
            return out
        for a, b in ((f, g), (g, f)):
            parts = derivative_parts(a) if _is_name(a) else None
            if parts is None:
                continue
            x, y = symbol(parts[0]), symbol(parts[1])
            if isinstance(b, sp.Derivative) and b.variables == (y,) and names_in(b.expr) <= {y} \
                    and x not in self.scope.formulas and self.scope.bind_formula(x, b.expr):
                self.report.bindings.append(Binding(line, x.name, "formula",
                                                    formula=sp.sstr(exact(b.expr))))
                out.status = OK  # ∂a/∂z against d/dz F(z): says a = F(z)
                return out
            if self.scope.derivable(a) is None and x not in self.scope.formulas:
                out.reason = (f"{x.name} has no formula in {y.name} before this line: state "
                              f"{x.name} = … first (or give it with --given) to have it judged")
                return out
        if 0 in (f, g):  # ∂a/∂z against 0: true where a is flat (ReLU for z < 0), a condition
            other = self.scope.expandable(f + g) if _is_name(f + g) else f + g
            free = ", ".join(sorted(n.name for n in names_in(self.scope.resolve_derivatives(other))))
            out.reason = (f"0 only for some values of {free or 'its names'}: state the condition "
                          "in the math (if z < 0, …) to have it judged")
            return out
        self._judge(out, _Side(0, out.left, line, f), _Side(1, out.right, line, g))
        if out.status == SKIPPED and out.reason and out.reason.startswith("the sides are in different"):
            out.reason = "not an identity without a condition the math does not state"
        return out

    def substitution(self, out: Link, left: _Side, right: _Side) -> None:
        """``w_5 - \\eta g = 0.3 - 0.1 \\times 0.1415``: each name against the number written
        in its place. A number that contradicts the name's value is WRONG (the name is
        said); a name without a value takes the number (the document just gave it)."""
        symbolic, numeric = (left, right) if names_in(left.value) else (right, left)
        if symbolic.tokens is None or numeric.tokens is None:
            return
        context = self.scope.context
        found = None
        written = (as_written(symbolic.tokens, context, symbolic.value),
                   as_written(numeric.tokens, context, numeric.value), True)
        read_as = (symbolic.value, numeric.value, False)
        # As written first (SymPy folds the 1 of 0.2·1 and the 0 of + 0 away), then as read;
        # last, without the factors that are exactly 1 here (a TA leaves ReLU′(z) = 1 out of
        # (w₁δ₁ + w₂δ₂) when z > 0).
        for s_value, n_value, leading in (written, read_as,
                                          (self._units_left_out(written[0]), written[1], True),
                                          (self._units_left_out(read_as[0]), read_as[1], False)):
            if s_value is None or n_value is None:
                continue
            for p in printed_in(s_value) | printed_in(n_value):
                if p.decimals == 0:
                    self.scope.exactness.setdefault(p, True)  # a whole number as written
            found = pairs(s_value, n_value, positions(symbolic.tokens, context, s_value),
                          positions(numeric.tokens, context, n_value), leading)
            if found is not None:
                break
        if found is None:
            out.reason += " (and the numbers are not put in the formula's places one for one)"
            return
        paired, flips = found
        verdicts = [self._pair_verdict(s, n) for s, n in paired]
        for named, odd in flips:
            # Which factors of a product carry the signs SymPy folded together: the choice
            # that agrees best with the values known, else the fewest, in the order pairs()
            # prefers them.
            choices = [c for size in range(len(named) + 1) if odd is None or size % 2 == odd
                       for c in itertools.combinations(named, size)]
            options = [{k: self._pair_verdict(paired[k][0], -paired[k][1] if k in c else paired[k][1])
                        for k in named} for c in choices[:MAX_SIGN_CHOICES]]
            best = min(options, key=lambda o: sum(v[0] != OK for v in o.values()))
            for k, v in best.items():
                verdicts[k] = v
        worst = max(verdicts, key=lambda v: SEVERITY[v[0]])
        for status, s, known, number, number_expr in verdicts:
            # The document just said what this name is (with --spec, what it left to the
            # problem's data: its number is then graded against them).
            # Only plain names take a number: ∂E/∂w_1 or a name with a formula is derived,
            # and a number put in for it says nothing the document must go on with.
            plain = _is_name(s) and s not in self.scope.formulas and derivative_parts(s) is None
            if plain and (known is None or s not in self.scope.values
                          and s in self.scope.fallback and status == OK):
                # A value, not an exact one: identities keep the name a variable (w_1 in
                # σ(z)(1 − σ(z)) = o(1 − o) is not put in while o stays free).
                self.scope.bind_substituted(s, number)
                self.report.bindings.append(Binding(out.line, s.name, "substituted",
                                                    value=float(ivl.midpoint(number))))
                self.substituted.append((s, number_expr))
        out.method, out.status, out.reason = "substitution", worst[0], None
        if worst[0] == OK:
            out.expected = float(ivl.midpoint(self.scope.numeric(numeric.value)))
            return
        status, s, known, number, number_expr = worst
        out.expected, out.printed = float(ivl.midpoint(known)), float(ivl.midpoint(number))
        out.difference = out.printed - out.expected
        if _is_name(s):
            out.symbol = s.name
            out.reason = (f"{number_expr_text(number_expr)} is put in for {s.name}, whose value "
                          f"is {report_number(out.expected)}")

    def _units_left_out(self, value):
        """``value`` without the factors of its products whose value here is exactly 1 (a
        step at a decided condition, a name given as exactly 1); None when there are none."""
        if value is None:
            return None

        def is_one(factor) -> bool:
            if not names_in(factor):
                return False  # a 1 written as a number is written on both sides
            try:
                v = self.scope.numeric(factor)
            except (Missing, ivl.Unevaluable, TypeError, ValueError):
                return False
            return ivl.is_point(v) and ivl.lower(v) == 1

        def walk(e):
            if isinstance(e, sp.Mul):
                kept = [walk(f) for f in e.args if not is_one(f)]
                return kept[0] if len(kept) == 1 else sp.Mul(*kept, evaluate=False) if kept else sp.Integer(1)
            if isinstance(e, sp.Add):
                return sp.Add(*(walk(a) for a in e.args), evaluate=False)
            return e

        left_out = walk(value)
        return None if left_out == value else left_out

    def _pair_verdict(self, s, number_expr) -> tuple:
        """(status, name, its value or None, the number's interval, the number as written)."""
        number = self.scope.numeric(number_expr)
        try:
            known = self.scope.numeric(s)
        except Missing:
            return OK, s, None, number, number_expr
        if ivl.meet(known, number):
            return OK, s, known, number, number_expr
        wide = ivl.meet(self.scope.numeric(s, widen=True), self.scope.numeric(number_expr, widen=True))
        return (ROUNDING if wide else WRONG), s, known, number, number_expr

    def _compare(self, out: Link, left: _Side, right: _Side, lv, rv) -> None:
        lv, rv = self._as_printed(left, right, lv), self._as_printed(right, left, rv)
        if right.bare and not left.bare:
            reference, shown = lv, rv
        elif left.bare and not right.bare:
            reference, shown = rv, lv
        else:
            reference, shown = (lv, rv) if ivl.width(lv) <= ivl.width(rv) else (rv, lv)
        out.method = "interval"
        out.expected = float(ivl.midpoint(reference))
        if ivl.meet(lv, rv):
            carried = self._as_carried(left, right, lv, rv)
            if carried is None:
                out.status = OK
                self._note_results(left, right, lv, rv)
                return
            reference, lv, rv = carried, *((carried, rv) if right.bare else (lv, carried))
            out.expected = float(ivl.midpoint(reference))
        out.printed = float(ivl.midpoint(shown))
        with mpmath.workprec(ivl.PREC):
            out.difference = float(ivl.midpoint(shown) - ivl.midpoint(reference))
        # A printed result may be off by one unit of its last digit; with no printed
        # result on either side, any printed number may be.
        bare = right.bare or left.bare
        wide_l = self._widened(left, right) if left.bare or not bare else lv
        wide_r = self._widened(right, left) if right.bare or not bare else rv
        out.status = ROUNDING if ivl.meet(wide_l, wide_r) else WRONG
        self._note_results(left, right, lv, rv)

    def _as_carried(self, left: _Side, right: _Side, lv, rv):
        """For ``-\\ln(0.4256) = 0.8542``: the values the numbers put in can give, when they
        do not contain the printed result (else None). A rounded number put in stands for
        itself (as printed) or for the value it rounds (the document's full precision),
        not for anything its rounding allows: -ln(0.42555748…) = 0.85446 and -ln(0.4256)
        = 0.85436 both print 0.8544, and 0.8542 is a slip."""
        if left.bare == right.bare:
            return None
        (put_in, result), shown = ((left, rv), right) if right.bare else ((right, lv), left)
        if not isinstance(put_in.value, sp.Basic) or names_in(put_in.value):
            return None
        rounded = [p for p in printed_in(put_in.value) if not self.scope.exactness.get(p)]
        full = {p: self.scope.full_value(p) for p in rounded}
        # Only where every rounded number's full value is known, and the result is printed
        # no finer than they are (else it was computed from digits the document does not show).
        cut = [p.decimals for p in rounded if full[p] is None or not ivl.meet(full[p], ivl.exact(p.value))]
        if not rounded or None in full.values() \
                or max(p.decimals for p in printed_in(shown.value)) > min(cut, default=99):
            return None
        try:
            as_printed = ivl.evaluate(put_in.value, lambda p: ivl.exact(p.value))
            carried = ivl.evaluate(put_in.value, lambda p: full.get(p) or ivl.exact(p.value))
        except (ivl.Unevaluable, ValueError, TypeError, ArithmeticError):
            return None
        routes = ivl.hull(as_printed, carried)
        return None if ivl.meet(routes, result) else routes

    def _widened(self, side: _Side, other: _Side):
        return self._as_printed(side, other, self.scope.numeric(side.value, widen=True), widen=True)

    def _as_printed(self, side: _Side, other: _Side, value, widen: bool = False):
        """A whole number printed as the result of an inexact computation ("= 1" for
        0.99995, its zeros dropped) stands for what rounds to it at the working precision."""
        if side.bare and not printed_in(side.value) and not other.bare \
                and self.scope.exact_value(other.value) is None:
            half = Fraction(3, 2) if widen else Fraction(1, 2)
            return ivl.printed(self.scope.exact_value(side.value), self.precision, half)
        return value

    def _note_results(self, left: _Side, right: _Side, lv, rv) -> None:
        """Remember how a printed result relates to what it was computed from."""
        for printed_side, other, other_value in ((right, left, lv), (left, right, rv)):
            if not printed_side.bare or other.bare:
                continue
            for p in printed_in(printed_side.value):
                value = p.value if printed_side.value == p else -p.value
                exactly = self.scope.exact_value(other.value) == value
                self.scope.note_number(p.value, "exact" if exactly else "rounded", p.decimals)
                self.scope.result_decimals[p.decimals] += 1

    def _identity(self, out: Link, lhs, rhs, variables: frozenset, written: list) -> None:
        out.method = "identity"
        result = self.bounded(self._identity_verdict, (lhs, rhs, variables, written))
        if result is None:
            out.reason = (f"no answer within {IDENTITY_TIMEOUT + CHILD_SLACK:g} CPU s (or the "
                          "identity budget is used up)")
            return
        for key, value in result.items():
            setattr(out, key, value)

    def _identity_verdict(self, lhs, rhs, variables: frozenset, written: list, seconds: float) -> dict:
        """The Link fields an identity check sets (run in a child process: see bounded)."""
        from symderiv.calculus.verify import decide

        lhs, rhs = self._expand_to_match(exact(lhs), exact(rhs))
        # An integral the document wrote (∫ φ(t) dt) in closed form where SymPy finds one;
        # this runs in the child that is killed at the identity's time bound.
        lhs, rhs = (side.replace(lambda e: isinstance(e, sp.Integral),
                                 lambda e: e.doit(conds="none")) for side in (lhs, rhs))
        # What the link itself names, and what it differentiates by (x in d/dx, z in ∂a/∂z).
        named = set().union(*(names_in(w) for w in written)) | variables
        named |= {symbol(parts[1]) for n in set(named) if (parts := derivative_parts(n))}
        # Names the document gave exact values (targets 1 and 0, inputs) keep them: the
        # claim is about this problem (∂E/∂z = n − y holds for one-hot targets only).
        known = {s: self.scope.exact_values[s] for s in names_in(lhs) | names_in(rhs)
                 if s in self.scope.exact_values and s not in variables}
        lhs, rhs = lhs.xreplace(known), rhs.xreplace(known)
        if sp.count_ops(lhs) + sp.count_ops(rhs) > MAX_IDENTITY_OPS:
            return {"reason": "too large to prove as an identity"}
        verdict = decide(lhs, rhs, timeout=seconds)
        same_names = names_in(lhs) == names_in(rhs)
        if verdict.equal:
            return {"status": OK, "expected": shorten(sp.sstr(lhs), 200)}
        if verdict.equal is False and same_names and not names_in(lhs) - named:
            return {"status": WRONG, "expected": shorten(sp.sstr(lhs), 200),
                    "counterexample": verdict.counterexample}
        if verdict.equal is False and same_names:
            # Refuted only through names the formulas brought in (targets, weights):
            # ∂E/∂z = n − y for softmax needs targets that sum to 1, unstated here.
            context = ", ".join(sorted(s.name for s in names_in(lhs) - named))
            return {"reason": f"not an identity for every value of {context}, which the "
                              "document leaves without values; not judged"}
        if verdict.equal is False:
            only_l = sorted(s.name for s in names_in(lhs) - names_in(rhs))
            only_r = sorted(s.name for s in names_in(rhs) - names_in(lhs))
            plain = next((n for n in only_r + only_l if "/" not in n), (only_r + only_l)[0])
            return {"reason": "the sides are in different names (" + ", ".join(only_l or ["-"])
                              + " vs " + ", ".join(only_r or ["-"]) + "); their relation is "
                              f"not stated in the math: state it with --given '{plain}=…'"}
        return {"reason": f"identity undecided ({verdict.method})"}

    def _expand_to_match(self, lhs, rhs):
        """Put in the formulas of names that only one side has, until both have the same."""
        scope = self.scope
        lhs, rhs = scope.resolve_derivatives(lhs), scope.resolve_derivatives(rhs)
        for _ in range(MAX_FORMULA_DEPTH):
            ln, rn = names_in(lhs), names_in(rhs)
            if ln == rn:
                break
            # A name one side lacks is expanded, unless the other side's own names lead to it.
            reach_l = set().union(set(), *(scope.closure(s) for s in ln - rn))
            reach_r = set().union(set(), *(scope.closure(s) for s in rn - ln))
            swap_l = {s: exact(scope.expandable(s)) for s in ln - rn
                      if scope.expandable(s) is not None and s not in reach_r}
            swap_r = {s: exact(scope.expandable(s)) for s in rn - ln
                      if scope.expandable(s) is not None and s not in reach_l}
            if not swap_l and not swap_r:
                break
            lhs = scope.resolve_derivatives(lhs.xreplace(swap_l))
            rhs = scope.resolve_derivatives(rhs.xreplace(swap_r))
        return exact(lhs), exact(rhs)  # formulas put in may hold printed numbers

    def bounded(self, function, args: tuple):
        """``function(*args, seconds)`` in a forked child killed after its time, within the
        document's identity budget; None when there is no answer. SymPy's algebra (cancel,
        simplify) cannot be interrupted in-process, and one identity must never hang a check."""
        from symderiv.calculus.verify import run_bounded

        remaining = IDENTITY_BUDGET - self.scope.identity_seconds
        if remaining <= 0.2 or cpu_clock() > self.deadline:
            return None
        seconds = min(IDENTITY_TIMEOUT, remaining)
        start = cpu_clock()
        try:
            return run_bounded(function, (*args, seconds), seconds + CHILD_SLACK)
        finally:
            self.scope.identity_seconds += cpu_clock() - start

    def decide(self, lhs, rhs):
        from symderiv.calculus.verify import decide

        return self.bounded(decide, (lhs, rhs))

    # -- after a chain ----------------------------------------------------------------------------
    def finish(self, st: Statement, sides: list[_Side], links: list[Link],
               components: list | None = None) -> None:
        inherited = self.inherited(components or [sides])
        for k, part in enumerate(components or [sides]):
            mine = links if components is None else [link for link in links
                                                      if getattr(link, "component", k) == k]
            if not st.conditional:  # a hypothetical's values are not facts
                self.bind_head(st, part, wrong=any(link.status == WRONG for link in mine),
                               slip=any(link.status == ROUNDING for link in mine))
            for side in part:
                if side.problem is None and isinstance(side.value, sp.Basic) and names_in(side.value):
                    for p in printed_in(side.value):
                        if self.scope.exactness.get(p):
                            self.scope.note_number(p.value, "given")
        judged = [link for link in links if link.status in SEVERITY]
        if all(link.status == DEFINES for link in links):
            return
        if judged:
            worst = max(judged, key=lambda link: SEVERITY[link.status])
            status = worst.status
        else:
            worst, status = None, SKIPPED
        line = worst.line if worst is not None and status in (ROUNDING, WRONG) else st.line
        item = Item(line, st.text, status, st.line, st.last_line, links)
        item.detail = CONDITIONAL if st.conditional else None
        item.inherits = inherited or None
        if inherited:
            item.detail = f"{INHERITS} {min(self.scope.wrong_lines[n][0] for n in self._carried(components or [sides]))}"
        if status in (ROUNDING, WRONG):
            item.expected, item.difference = worst.expected, worst.difference
        elif status == OK:
            value = self.best_value(sides, printed=False)
            if value is not None:
                item.expected = float(ivl.midpoint(value))
                half = float(ivl.width(value) / 2)
                item.uncertainty = half if half > 1e-15 * max(1.0, abs(item.expected)) else None
            else:
                item.expected = next((link.expected for link in links if link.status == OK), None)
            item.note = self.drift(sides, links)
        else:
            reasons = [link.reason for link in links if link.reason]
            item.reason = reasons[0] if reasons else None
        self.report.items.append(item)

    def best_value(self, sides: list[_Side], printed: bool = True):
        computed, shown, carried = [], [], []
        for side in sides[1:]:
            if side.problem is not None or isinstance(side.value, (Tup, FunctionHead)) \
                    or side.value is None:
                continue
            try:
                value = self.scope.numeric(side.value)
            except (Missing, ivl.Unevaluable, Unreadable, ValueError, TypeError,
                    ArithmeticError, RecursionError):
                continue
            if not side.bare and names_in(side.value) & set(self.scope.wrong_lines):
                carried.append(value)  # through a WRONG line's value: a last resort
                continue
            (shown if side.bare else computed).append(value)
        computed = computed or carried
        if computed:
            return ivl.narrowest(computed)
        return shown[-1] if shown and printed else None

    def drift(self, sides: list[_Side], links: list[Link]) -> str | None:
        """A final printed number its own links allow but the chain's full value does not."""
        last = sides[-1]
        if not last.bare or not printed_in(last.value):
            return None
        value = self.best_value(sides)
        p = next(iter(printed_in(last.value)))
        unit = mpmath.mpf(10) ** -p.decimals
        if value is None or ivl.width(value) > unit / 2:
            return None
        shown = self.scope.numeric(last.value)
        if ivl.meet(value, shown):
            return None
        full = ivl.midpoint(value)
        from symderiv.calculus.latex import format_decimal
        from fractions import Fraction
        would = format_decimal(Fraction(str(mpmath.nstr(full, 30, strip_zeros=False))), p.decimals)
        return (f"each link holds, but the chain's full-precision value {mpmath.nstr(full, 10)} "
                f"would print as {would}, not {('-' if last.value != p else '') + p.text} (rounding carried through the chain)")

    def _carried(self, parts: list) -> set:
        """The names of this chain whose value comes from an earlier WRONG line."""
        names = set()
        for part in parts:
            for side in part[1:] if len(part) > 1 else part:
                if side.problem is None and isinstance(side.value, (sp.Basic, Tup)):
                    names |= names_in(side.value)
        return {n for n in names if n in self.scope.wrong_lines}

    def inherited(self, parts: list) -> str | None:
        """Which earlier WRONG lines this chain's names carry (checked with the printed value)."""
        tainted = sorted((self.scope.wrong_lines[n][0], n.name) for n in self._carried(parts))
        if not tainted:
            return None
        return "uses " + ", ".join(f"{name} from line {line}" for line, name in tainted) + \
            ", which was WRONG: checked with the value printed there"

    def bind_head(self, st: Statement, sides: list[_Side], wrong: bool = False,
                  slip: bool = False) -> None:
        head = sides[0]
        if head.problem is not None or not _is_name(head.value) or len(sides) < 2 \
                or st.relations[0] not in EQUALITIES:
            return
        name = head.value
        body = sides[1]
        if len(sides) == 2 and body.problem is None and not names_in(body.value) \
                and not isinstance(body.value, Tup) and st.relations[0] == "=":
            formula = self.claimable(name)
            if formula is None:
                if not self.states_again(st, name, body):  # else it keeps its value
                    self._give(st, name, body)
                return
            self.scope.bind_value(name, self.scope.numeric(formula), self.scope.exact_value(formula))
            return
        if body.problem is None and self.scope.bind_formula(name, body.value):
            self.report.bindings.append(Binding(st.line, name.name, "formula",
                                                formula=sp.sstr(exact(body.value))))
        # A chain binds its name to a value only when it ends in a number (the contract).
        # "≈ 0" states no value to carry on with; "≤ 1" none at all.
        if any(r not in EQUALITIES for r in st.relations):
            return
        approximate = st.relations[-1] == "≈"
        value = self.best_value(sides, printed=not approximate) if sides[-1].bare else None
        self.scope.wrong_lines.pop(name, None)
        self.scope.slips.pop(name, None)
        if wrong and sides[-1].bare:
            # One slip is one flag: later lines are judged with what the document printed
            # (or, where it went on with the right value, with that).
            value = self.scope.numeric(sides[-1].value)
            right = self.computed_values(sides)
            shown = printed_in(sides[-1].value)
            if right and len(shown) == 1 and _exact_at(right[0], next(iter(shown)).decimals):
                # 0.4·1.5 + 0.15 + 0.1 = 0.55: the document's arithmetic is exact, and so is
                # the value it goes on with (not 0.55 ± 0.005, which hides the next slip).
                p = next(iter(shown))
                value = ivl.exact(p.value if sides[-1].value == p else -p.value)
            self.scope.wrong_lines[name] = (st.line, right or [value])
            self.scope.bind_value(name, value)
            self.report.bindings.append(Binding(st.line, name.name, "printed",
                                                value=float(ivl.midpoint(value))))
            return
        if slip and sides[-1].bare and not approximate:
            self.scope.slips[name] = [self.scope.numeric(sides[-1].value)]
        if value is not None and sides[-1].bare and not approximate and not slip:
            # A result printed from rounded operands (0.0386 for 0.038650…) is the value the
            # document goes on with: later lines may use either.
            shown = self.scope.numeric(sides[-1].value)
            if not ivl.meet(value, shown):
                value = ivl.hull(value, shown)
        if value is not None:
            exacts = (self.scope.exact_value(side.value) for side in sides[1:]
                      if side.problem is None and not side.bare)
            self.scope.bind_value(name, value, next((e for e in exacts if e is not None), None))
            self.report.bindings.append(Binding(st.line, name.name, "computed",
                                                value=float(ivl.midpoint(value))))

    def _give(self, st: Statement, name, body: _Side) -> None:
        for p in printed_in(body.value):
            self.scope.exactness[p] = True
            self.scope.note_number(p.value, "given")
        try:
            value = self.scope.numeric(body.value)
        except (Missing, ivl.Unevaluable):
            return
        self.scope.bind_value(name, value, self.scope.exact_value(body.value), given=True)
        self.report.bindings.append(Binding(st.line, name.name, "given",
                                            value=float(ivl.midpoint(value))))


def _size(array) -> str:
    height, width = arrays.shape(array)
    return f"{height}×{width}" if isinstance(array, Matrix) else str(len(array))


def number_expr_text(e) -> str:
    """A substituted number as the document wrote it (0.087225, -0.2)."""
    return sp.sstr(exact(e).evalf(15)).rstrip("0").rstrip(".") if not isinstance(e, Printed) else e.text


def _no_names(s):
    raise ivl.Unevaluable(f"{s} in a given value")


def _tiny_at_significant_digits(p: Printed, precision: int) -> bool:
    """0.0000002187 where the sheet's precision is 4 decimals: a value that would print as
    0 there, written with a few significant digits instead (rounded, like 0.2187), not an
    exact number with ten decimals."""
    whole, point, decimals = p.text.lstrip("+-").partition(".")
    if whole != "0" or not point or not decimals.isdigit():
        return False
    digits = decimals.lstrip("0")
    leading = len(decimals) - len(digits)   # the zeros after the point
    return bool(digits) and leading >= precision and 2 <= len(digits) <= max(precision, 2)


def _exact_at(value, decimals: int) -> bool:
    """Whether an interval is one number with at most ``decimals`` decimals."""
    middle = ivl.midpoint(value) * mpmath.mpf(10) ** decimals
    return ivl.width(value) < mpmath.mpf(10) ** -25 and abs(middle - mpmath.nint(middle)) < 1e-20


def _is_name(e) -> bool:
    return isinstance(e, sp.Symbol) and not isinstance(e, Printed)


def check_text(text: str, given: dict | None = None, latex: bool | None = None,
               filename: str = "") -> Report:
    """Check every chain of a document's text."""
    latex = is_latex(text, filename) if latex is None else latex
    return Checker(given).check(statements(text, latex))
