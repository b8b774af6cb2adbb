"""``kind = "graph"``: a computational graph (contract §5.2), forward and backward gate by
gate (:mod:`symderiv.nets.circuit`), every gradient checked against ``sympy.diff`` of the
whole formula before anything is shown.

The solution holds, per gate, its formula in its operands' names, its value, and per wire
the local derivative, the upstream gradient and their product; per asked variable, the
chain of local derivatives along every path to the output (or, where paths are many, one
step back from the gates it feeds).
"""

from functools import lru_cache

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.errors import InputError
from symderiv.nets.circuit import PREC, CircuitBuilder, CircuitError, evaluate, name_symbol
from symderiv.solution import Number, Step, as_written, substitute, worked

MAX_PATHS = 4             # paths from a variable to the output shown one by one
MAX_FACTORS = 12          # local derivatives on one path, shown one by one (a row holds them)
MAX_GATES = 200           # gates a sheet works out (each is a row of the table)
MAX_EXPANDED_NODES = 20_000  # the stages substituted into one formula, for sympy.diff
TOLERANCE = sp.Float(10, PREC) ** -(PREC - 10)
# Gates whose local derivative reads best in the gate's own output (e^u is the output of
# exp; σ(u)(1 − σ(u)) is g(1 − g)): every function gate; not the arithmetic ones.
_ARITHMETIC = ("add", "mul", "neg", "recip", "pow")


@dataclass(frozen=True)
class Wire:
    """One operand wire into a gate, as the backward pass uses it."""

    source: str
    derivative: sp.Expr       # ∂gate/∂source, unevaluated
    local: Step               # ∂gate/∂source = formula = value
    upstream: Number          # ∂out/∂gate
    gradient: Number          # local × upstream: what the wire carries back to source

    @property
    def source_symbol(self) -> sp.Symbol:
        return name_symbol(self.source)


@dataclass(frozen=True)
class GateRow:
    name: str
    op: str
    operands: tuple           # node names (str) or constants (Number)
    forward: Step             # name = formula in names = numbers = value (None for inputs)
    value: Number
    gradient: Number          # ∂out/∂node
    wires: tuple[Wire, ...]
    stage: bool               # named by the spec (a stage, or a variable)

    @property
    def symbol(self) -> sp.Symbol:
        return name_symbol(self.name)


@dataclass(frozen=True)
class GraphSolution:
    id: str
    statement: str | None
    staged: bool
    stages: tuple[tuple[sp.Symbol, sp.Expr], ...]   # (name, formula) as given
    formula: sp.Expr                                 # the output in the variables only
    values: dict[str, Number]
    output: str
    gates: tuple[GateRow, ...]                       # forward order, inputs included
    gradients: dict[str, Number]                     # every variable, ∂out/∂variable
    wrt: tuple[str, ...]
    chains: dict[str, Step]                          # per asked variable
    verified: bool
    kind: str = "graph"

    def gate(self, name: str) -> GateRow:
        return next(g for g in self.gates if g.name == name)

    @property
    def output_symbol(self) -> sp.Symbol:
        return name_symbol(self.output)

    @property
    def wrt_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(name_symbol(v) for v in self.wrt)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind,
                "value": self.gate(self.output).value.json(),
                "gradients": {k: v.json() for k, v in self.gradients.items()},
                "nodes": [{"name": g.name, "op": g.op,
                           "inputs": [o if isinstance(o, str) else o.json() for o in g.operands],
                           "value": g.value.json(), "gradient": g.gradient.json()}
                          for g in self.gates],
                "wrt": list(self.wrt), "verified": self.verified}


def circuit(problem) -> tuple:
    """The problem's nodes (inputs and gates) in forward order, whatever its values: built
    once per computation, so that a class's variants share it and its local derivatives."""
    return _circuit(problem.stages, frozenset(problem.values), problem.staged,
                    f"problem[{problem.position}]", problem.source)


@lru_cache(maxsize=32)
def _circuit(stages, variables, staged, where, source) -> tuple:
    builder = CircuitBuilder(taken=set(variables) | {n for n, _ in stages})
    for k, (name, written) in enumerate(stages, start=1):
        try:
            builder.add(written, name)
        except CircuitError as e:
            at = f"{where}.stages[{k}].formula" if staged else f"{where}.formula"
            raise InputError(source, f"{at}: {e}") from None
    gates = sum(1 for g in builder.gates if g.op != "input")
    if gates > MAX_GATES:
        raise InputError(source, f"{where}: the computation has {gates} gates; a sheet "
                         f"works out at most {MAX_GATES}")
    return tuple(builder.gates)


def solve(problem) -> GraphSolution:
    where = f"problem[{problem.position}]"
    output = problem.stages[-1][0]
    try:
        run = evaluate(circuit(problem), output, problem.values)
    except CircuitError as e:
        raise InputError(problem.source, f"{where}: at the given values, {e}") from None
    formula = _check_against_diff(problem, run, where)
    gates = tuple(_row(g, run, problem) for g in run.gates)
    gradients = {v: Number.of(run.gradients[v]) for v in problem.values}
    chains = {v: _chain(v, run, gates) for v in problem.wrt}
    return GraphSolution(
        problem.id, problem.statement, problem.staged,
        tuple((name_symbol(n), _in_names(w.as_written())) for n, w in problem.stages),
        formula,
        {k: Number.of(v, given=True) for k, v in problem.values.items()},
        output, gates, gradients, problem.wrt, chains, verified=True)


# -- the independent check ------------------------------------------------------------------

def _check_against_diff(problem, run, where) -> sp.Expr:
    """The output as one formula of the variables; every variable's and every stage's
    gradient from the walk must equal sympy.diff of it (for a stage: of the output written
    through that stage, the stages after it substituted)."""
    _check_size(problem, where)
    expanded, derivatives = _derivatives(problem.stages, tuple(problem.values))
    point = {symbol(k): sp.sympify(v, strict=True).evalf(PREC + 10) for k, v in problem.values.items()}
    for variable, derivative, through in derivatives:
        at = {**point, **{s: sp.Float(run.values[s.name], PREC + 10) for s in through}}
        want = derivative.xreplace(at).evalf(PREC)
        got = run.gradients[variable.name]
        if not (want.is_Number and abs(want - got) <= TOLERANCE * (1 + abs(want))):
            raise AssertionError(f"{where}: ∂{problem.stages[-1][0]}/∂{variable} walked "
                                 f"{got}, sympy.diff {want}")
    return expanded


@lru_cache(maxsize=32)
def _derivatives(stages, variables) -> tuple:
    """The output in the variables, and (name, sympy.diff of the output by it, the stages
    whose values the check puts in) per stage and variable: once per computation, as a
    class's variants differ in the values only."""
    stages = [(symbol(n), w.expr) for n, w in stages]
    expanded = stages[-1][1]
    found = []
    for k in range(len(stages) - 2, -1, -1):
        name, _ = stages[k]
        found.append((name, sp.diff(expanded, name), tuple(s for s, _ in stages[:k + 1])))
        expanded = expanded.xreplace({name: stages[k][1]})
    found.extend((symbol(v), sp.diff(expanded, symbol(v)), ()) for v in variables)
    return expanded, tuple(found)


def _check_size(problem, where) -> None:
    """Stages reusing stages can expand to a formula exponentially larger than the spec."""
    size = {}
    for name, w in problem.stages:
        size[name] = _count(w, size)
        if size[name] > MAX_EXPANDED_NODES:
            raise InputError(problem.source, f"{where}.stages: written out in the variables, "
                             f"the stages make a formula of more than {MAX_EXPANDED_NODES:,} "
                             "parts, too large to check the gradients against")


def _count(w, size) -> int:
    if w.op == "symbol":
        return size.get(w.expr.name, 1)
    return 1 + sum(_count(o, size) for o in w.operands)


# -- arranging the walk ----------------------------------------------------------------------

def _row(gate, run, problem) -> GateRow:
    named = gate.op == "input" or any(gate.name == n for n, _ in problem.stages)
    value = Number.of(run.values[gate.name], given=gate.op == "input")
    operands = tuple(o if isinstance(o, str) else Number.of(o, given=True)
                     for o in gate.operands)
    if gate.op == "input":
        return GateRow(gate.name, gate.op, (), None, value, Number.of(run.gradients[gate.name]),
                       (), True)
    me = name_symbol(gate.name)
    in_names = gate.in_names(gate.formula)
    shown = gate.shown
    numbers = {name_symbol(n): _shown(run, n, problem) for n in gate.inputs}
    substituted = substitute(shown, numbers)
    forward = worked(me, shown, substituted, value)
    wires = []
    upstream = Number.of(run.gradients[gate.name])
    for edge in (e for e in run.edges if e.gate == gate.name):
        local = gate.in_names(gate.local(edge.index))
        if gate.op not in _ARITHMETIC:
            local = local.xreplace({in_names: me})
        derivative = sp.Derivative(me, name_symbol(edge.source), evaluate=False)
        local_numbers = substitute(local, {**numbers, me: _shown(run, gate.name, problem)})
        wires.append(Wire(edge.source, derivative,
                          worked(derivative, local, local_numbers, Number.of(edge.local)),
                          upstream, Number.of(edge.gradient)))
    return GateRow(gate.name, gate.op, operands, forward, value,
                   Number.of(run.gradients[gate.name]), tuple(wires), named)


def _in_names(expr: sp.Expr) -> sp.Expr:
    """A formula as written, in the names a sheet shows (left unevaluated: in order)."""
    with sp.evaluate(False):
        return expr.xreplace({s: name_symbol(s.name) for s in expr.free_symbols})


def _shown(run, name, problem):
    """A node's value as it goes into a shown formula: a given value exactly, else the
    computed Float (rounded where it is printed)."""
    return problem.values[name] if name in problem.values else run.values[name]


def _chain(variable: str, run, gates) -> Step:
    """∂out/∂variable: the product of local derivatives along each path to the output,
    summed over the paths; with more than MAX_PATHS paths, or a path of more than
    MAX_FACTORS gates (a long chain: its product of tiny factors reads as nothing, and
    the backward table already holds each gate's gradient), one step back instead:
    Σ over the gates it feeds of ∂out/∂gate · ∂gate/∂variable."""
    out = name_symbol(run.output)
    lhs = sp.Derivative(out, name_symbol(variable), evaluate=False)
    paths = _paths(variable, run, MAX_PATHS + 1)
    if len(paths) <= MAX_PATHS and max(map(len, paths)) <= MAX_FACTORS:
        terms = [[(sp.Derivative(name_symbol(e.gate), name_symbol(e.source), evaluate=False), e.local)
                  for e in reversed(path)] for path in paths]
    else:
        terms = [[(sp.Derivative(out, name_symbol(e.gate), evaluate=False), run.gradients[e.gate]),
                  (sp.Derivative(name_symbol(e.gate), name_symbol(e.source), evaluate=False), e.local)]
                 for e in run.edges if e.source == variable]
    symbolic = _sum_of_products([[d for d, _ in t] for t in terms])
    numbers = _sum_of_products([[v for _, v in t] for t in terms])
    if symbolic == lhs:   # the variable feeds the output gate directly: one factor
        symbolic = None
    return worked(lhs, symbolic, numbers, Number.of(run.gradients[variable]))


def _sum_of_products(terms) -> sp.Expr:
    products = [t[0] if len(t) == 1 else sp.Mul(*map(as_written, t), evaluate=False)
                for t in terms]
    return products[0] if len(products) == 1 else sp.Add(*products, evaluate=False)


def _paths(variable: str, run, limit: int) -> list[list]:
    """Paths (lists of edges, variable first) to the output; stops at ``limit`` paths."""
    leaving = {}
    for e in run.edges:
        leaving.setdefault(e.source, []).append(e)
    found, stack = [], [(variable, [])]
    while stack and len(found) < limit:
        node, path = stack.pop()
        if node == run.output:
            found.append(path)
            continue
        for e in reversed(leaving.get(node, [])):
            stack.append((e.gate, path + [e]))
    return found
