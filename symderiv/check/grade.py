"""Grade a worked solution against the problem it answers (``symderiv check DOC --spec``).

The problem is solved, and every quantity the document states is compared with the
solution, whether or not the document derives it: a student's final list of updated
weights is graded even when no line computes it. Names are matched by the notations people
use (quantities, below); a name with several meanings (o_1: the output, or its target)
takes the one whose value it agrees with. A name the document uses without a value takes
the problem's value when it has only one meaning (y_1, w_5, the seed's z_1).

A stated value agrees when the problem's value lies in what the document's own working
allows (its printed operands rounded, the value it carried) or within half a unit of its
last printed digit; within one and a half units it is a rounding slip; otherwise WRONG,
with the problem's value. When the document's data differ from the problem's (another
learning rate, other weights), that is said once, as the status "data differ", and what
the document derives from its own data is not graded against the problem.
"""


import mpmath
import sympy as sp

from symderiv.records import dataclass
from symderiv.check import intervals as ivl
from symderiv.check.extract import is_latex, statements
from symderiv.check.judge import EQUALITIES, Checker, _is_name, _Side
from symderiv.check.scope import Missing
from symderiv.check.report import (DATA_DIFFER, OK, ROUNDING, SEVERITY, WRONG, Item, Link,
                                   Report, number)
from symderiv.check.texmath import Printed, Tup, derivative_name
from symderiv.calculus.expr import symbol
from symderiv.errors import InputError

LOSS_NAMES = ("E", "Etotal", "Etot", "L", "J", "C", "Loss", "loss")


@dataclass(frozen=True)
class Quantity:
    label: str     # how the report names it: "activation of h1"
    value: object  # mpmath number
    given: bool    # data of the problem (input, target, parameter, rate), not computed
    convention: str = ""  # an error term δ: "+" for δ = ∂E/∂net, "−" for δ = −∂E/∂net


def pick_problem(sheet, problem_id: str | None, where: str = "--spec"):
    """The backprop problem to grade against: the one asked for, or the only one."""
    problems = list(sheet.problems)
    if problem_id is not None:
        chosen = [p for p in problems if p.id == problem_id]
        if not chosen:
            raise InputError("--problem", f"no problem '{problem_id}' in the spec (ids: "
                             + ", ".join(p.id for p in problems) + ")")
        if chosen[0].kind != "backprop":
            raise InputError("--problem", f"problem '{problem_id}' is {chosen[0].kind}; only "
                             "backprop problems are graded")
        return chosen[0]
    backprop = [p for p in problems if p.kind == "backprop"]
    if not backprop:
        raise InputError(where, "has no backprop problem to grade against")
    if len(backprop) > 1:
        raise InputError(where, "has several backprop problems (ids: "
                         + ", ".join(p.id for p in backprop) + "); choose one with --problem ID")
    return backprop[0]


def quantities(problem, solution) -> dict[str, list[Quantity]]:
    """Every name a document may use for a quantity of the problem -> what it may mean."""
    data = solution.to_json()
    table: dict[str, list[Quantity]] = {}

    def add(names, label, value, given=False, convention=""):
        q = Quantity(label, mpmath.mpf(value), given, convention)
        for name in map(str, names):
            if all(other.label != label for other in table.setdefault(name, [])):
                table[name].append(q)

    net = problem.network
    for name, edge in net.weights.items():
        add([name], f"weight {name}", float(edge.value), True)
    for name, bias in net.biases.items():
        add([name], f"bias {name}", float(bias.value), True)
    rate = problem.training.learning_rate if problem.training else None
    if rate is not None:
        add(["eta", "lr", "alpha"], "learning rate", float(rate), True)
    layers = net.layers
    symbol_name = str(solution.loss_symbol) if solution.loss_symbol else "E"
    losses = list(LOSS_NAMES) + [symbol_name]
    if len(problem.examples) == 1:
        example = problem.examples[0]
        for k, name in enumerate(net.inputs, 1):
            add([name, f"x{k}", f"i{k}"] + (["x"] if len(net.inputs) == 1 else []),
                f"input {name}", float(example.inputs[name]), True)
        for l, layer in enumerate(layers, 1):
            last = l == len(layers)
            for j, n in enumerate(layer.neurons, 1):
                pre = [f"net{n}", f"z{n}", f"z{j}", f"net{j}", f"z{l}_{j}", f"net{l}_{j}"]
                pre += [str(problem.notation.net_inputs[n])] if n in problem.notation.net_inputs else []
                add(pre, f"net input of {n}", data["preactivations"][n])
                error = solution.deltas[0].get(n) if solution.deltas else None
                if error is not None:  # δ: the error term, in either sign convention
                    value = float(error.value.value)
                    add([derivative_name(loss, p) for loss in losses for p in pre],
                        f"∂{symbol_name}/∂net of {n}", value)
                    deltas = [f"delta{n}", f"delta{j}", f"delta{l}_{j}"]
                    add(deltas, f"δ of {n} (δ = ∂{symbol_name}/∂net)", value, convention="+")
                    add(deltas, f"δ of {n} (δ = −∂{symbol_name}/∂net)", -value, convention="−")
                act = [n, f"out{n}", f"a{n}", f"{n}hat", f"a{j}", f"a{l}_{j}", f"h{l}_{j}"]
                act += [f"o{j}", f"out{j}", f"y{j}hat", f"o{j}hat"] if last else [f"h{j}"]
                act += ["yhat", "ohat", "o", "out"] if last and len(layer.neurons) == 1 else []
                add(act, f"output of {n}", data["activations"][n])
                if last and n in example.targets:
                    target = float(example.targets[n])
                    names = [f"y{j}", f"t{j}", f"target{n}", f"y{n}", f"t{n}", n, f"target{j}"]
                    names += [str(problem.notation.targets[n])] if n in problem.notation.targets else []
                    names += ["y", "t", "target"] if len(layer.neurons) == 1 else []
                    add(names, f"target of {n}", target, True)
                    if solution.loss_name in ("sse", "half-sse"):
                        half = 0.5 if solution.loss_name == "half-sse" else 1
                        term = half * (target - data["activations"][n]) ** 2
                        add([f"E{n}", f"E{j}", f"e{n}"], f"loss term of {n}", term)
    add(losses, "loss", data["loss"])
    for p, value in data.get("gradients", {}).items():
        add([derivative_name(loss, p) for loss in losses], f"∂{symbol_name}/∂{p}", value)
    # w', w^+, w^{new}: after one step (what a worked step shows), and after the last
    # when training takes several.
    first = getattr(solution, "step_values", None)
    first = {p: float(v.value) for p, v in first[0].items()} if first else {}
    for p, value in data.get("updated", {}).items():
        letters = p.rstrip("0123456789")
        names = [f"{p}+", f"{p}'", f"{p}new", f"{p}*"]
        if letters != p:
            names.append(f"{letters}1_{p[len(letters):]}")  # w_5^{(1)}: after one step
        if p in first and first[p] != value:
            add(names, f"{p} after the first step", first[p])
            add(names, f"{p} after the last step", value)
        else:
            add(names, f"{p} after the update", value)
    return table


class GradingChecker(Checker):
    """The checker, and after each statement its stated quantities graded against a problem."""

    def __init__(self, table: dict, problem_id: str, given: dict | None = None):
        super().__init__(given)
        self.table = table
        self.problem_id = problem_id
        self.only_problem = False   # grade only statements under the problem's number
        self.differ: list[str] = []
        self.matched = 0
        self.convention = ""  # δ's sign convention, once a line has shown it
        self.set_fallback()

    def set_fallback(self):
        self.fallback = {}
        for name, options in self.table.items():
            if len(options) == 1:
                value = ivl.iv.mpf(options[0].value)  # a double: exact as a binary number
                self.fallback[symbol(name)] = value
        self.scope.fallback = self.fallback

    def check(self, found):
        self.only_problem = any(st.problem == self.problem_id for st in found)
        return super().check(found)

    def statement(self, st) -> None:
        # The problem's data stand in for names only under the problem (x_1 of another
        # problem is not its input i_1).
        self.scope.fallback = {} if self.only_problem and st.problem != self.problem_id \
            else self.fallback
        super().statement(st)

    def finish(self, st, sides, links, components=None) -> None:
        before = len(self.report.items)
        bindings = len(self.report.bindings)
        super().finish(st, sides, links, components)
        if self.only_problem and st.problem != self.problem_id:
            return
        if st.relations[0] not in EQUALITIES:
            return
        given = {b.name for b in self.report.bindings[bindings:] if b.kind == "given"}
        item = self.report.items[before] if len(self.report.items) > before else None
        graded = []
        for part in components or [sides]:
            head = part[0]
            if head.problem is not None or not _is_name(head.value):
                continue
            link = self.grade(head.value, part, st.line, head.value.name in given,
                              self.formula_value(head.value))
            if link is not None:
                graded.append(link)
        for name, number in self.substituted:  # (ô₁ − y₁)² = (0.7401 − 0.12)²: y₁ is 0.12
            data = all(q.given for q in self.table.get(name.name, []))
            link = self.grade(name, [_Side(0, "", st.line, number)], st.line, data)
            if link is not None:
                graded.append(link)
        if not graded:
            return
        if item is None:
            item = Item(st.line, st.text, OK, st.line, st.last_line,
                        expected=graded[0][0].expected)
            self.report.items.append(item)
        item.links.extend(link for link, _ in graded)
        item.matched = (item.matched or []) + [m for _, m in graded]
        for link, _ in graded:
            if link.status == DATA_DIFFER:  # a WRONG given, said once
                item.status, item.detail, item.reason = WRONG, DATA_DIFFER, link.reason
            elif SEVERITY.get(link.status, 0) > SEVERITY.get(item.status, 0):
                item.status, item.line = link.status, link.line
                item.expected, item.difference = link.expected, link.difference

    def formula_value(self, name):
        """z_1 = w_5 h_1 + w_7 h_2 + b_2 (a formula, no number): its value with the document's
        values and the problem's data for what it leaves open, to grade the formula by."""
        if name in self.scope.values or name not in self.scope.formulas:
            return None
        try:
            return self.scope.numeric(self.scope.formulas[name])
        except (Missing, ivl.Unevaluable, ArithmeticError, TypeError, ValueError):
            return None

    def grade(self, name, part, line: int, given: bool, carried=None):
        options = self.table.get(name.name)
        if not options or name not in self.scope.values and carried is None:
            return None
        if self.convention:  # the document's δ keeps the sign convention it started with
            options = [q for q in options if q.convention in ("", self.convention)] or options
        if self.differ and not given:
            return None  # derived from other data: graded by its own arithmetic only
        carried = self.scope.values[name] if carried is None else carried
        last = part[-1]
        printed = _printed_number(last.value) if last.problem is None else None
        verdicts = [(self.verdict(q.value, carried, printed), q) for q in options]
        order = {OK: 0, ROUNDING: 1, WRONG: 2}
        verdict, q = min(verdicts, key=lambda vq: (order[vq[0]], abs(vq[1].value - ivl.midpoint(carried))))
        shown = float(ivl.midpoint(carried))
        link = Link(len(part), line, name.name, q.label, verdict, expected=float(q.value),
                    relation="spec", method="spec")
        if verdict != OK:
            link.printed = float(printed[0]) if printed is not None else shown
            link.difference = link.printed - float(q.value)
        if verdict == WRONG and given and any(o.given for o in options):
            self.differ.append(f"{name.name} = {number(shown)} (the problem has "
                               f"{number(float(q.value))})")
            if len(self.differ) > 1:
                return None
            link.status = DATA_DIFFER
            link.reason = ("the document's data differ from the problem's: "
                           f"{self.differ[0]}; what it derives from them is checked by its own "
                           "arithmetic only")
            return link, f"{name.name}: {q.label} (data differ)"
        self.matched += 1
        if verdict == OK and q.convention and q.value != 0 and not self.convention:
            self.convention = q.convention
        return link, f"{name.name} → {q.label} = {number(float(q.value))}"

    def verdict(self, value, carried, printed) -> str:
        point = ivl.iv.mpf(value)
        if ivl.meet(point, carried):
            return OK
        if printed is not None:
            if ivl.meet(point, ivl.printed(*printed)):
                return OK
            if ivl.meet(point, ivl.printed(*printed, 1.5)):
                return ROUNDING
        elif ivl.gap(point, carried) <= abs(value) * mpmath.mpf(10) ** -12:
            return OK  # a value given to a double's precision
        return WRONG


def _printed_number(value):
    """(value, decimals) of a printed decimal, negative ones too (-0.0381), else None."""
    sign = 1
    if isinstance(value, sp.Mul) and len(value.args) == 2 and value.args[0] == -1:
        sign, value = -1, value.args[1]
    return (sign * value.value, value.decimals) if isinstance(value, Printed) else None


def grade_text(text: str, sheet, problem_id: str | None = None, given: dict | None = None,
               latex: bool | None = None, filename: str = "") -> Report:
    """Check a document's chains and grade what it states against a problem of ``sheet``."""
    from symderiv.kinds import KINDS

    problem = pick_problem(sheet, problem_id)
    solution = KINDS[problem.kind].solve()(problem)
    checker = GradingChecker(quantities(problem, solution), problem.id, given)
    latex = is_latex(text, filename) if latex is None else latex
    report = checker.check(statements(text, latex))
    report.graded = {"problem": problem.id, "matched": checker.matched,
                     "data_differ": checker.differ,
                     "from_problem": {s.name: " or ".join(q.label for q in checker.table[s.name])
                                      for s in sorted(checker.scope.fallback_used, key=str)}}
    return report


def check(text: str, given: dict | None = None, spec=None, problem: str | None = None,
          filename: str = "") -> Report:
    """The library's check: ``spec`` (a Sheet, or a path to a spec) grades against a problem
    (``problem`` its id); without it, the document's own chains only. For api.check."""
    if spec is None:
        if problem is not None:
            raise InputError("problem", "needs spec")
        from symderiv.check.judge import check_text

        return check_text(text, given, filename=filename)
    if not hasattr(spec, "problems"):
        from symderiv.spec import load_sheet

        spec = load_sheet(spec)
    return grade_text(text, spec, problem, given, filename=filename)
