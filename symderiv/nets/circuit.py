"""Computational graphs as lecturers draw them: a formula split into gates, the values
forward, the gradients backward, one local rule per gate (micrograd's engine).

A gate's own ``formula`` is written in one dummy per operand (``u1*u2`` for a multiply
gate); its local derivatives are that formula's derivatives, so every gate, from ``+`` to
a registry activation, follows the same rule: gradient of an operand += local derivative ×
the gate's gradient (summed where a value feeds several gates).

Formulas come from :func:`symderiv.calculus.expr.parse_written`: the operations in the
order written, so ``x - y`` is an add gate fed by a negate gate and ``1/q`` a reciprocal
gate, whatever order SymPy keeps them in.
"""

import sys
from functools import cached_property

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import Written, function_of
from symderiv.calculus.latex import StageSymbol

PREC = 50  # digits every value and gradient is computed to
DOUBLE_MAX = sys.float_info.max


def name_symbol(name: str) -> StageSymbol:
    """The symbol of a node (input, stage or gate) in the formulas a sheet shows."""
    return StageSymbol(name, real=True)


class CircuitError(ValueError):
    """A formula that cannot be drawn or evaluated as a circuit (``diff``, a value where a
    gate has no finite real value or derivative)."""


@dataclass(frozen=True)
class Gate:
    """One node: an input (``op == "input"``, no operands) or a gate.

    ``operands`` are node names (str) or constants (SymPy numbers), in the order written.
    ``formula`` is the gate's value in ``dummies`` (one per operand that is a node);
    ``shown`` is it in the operands' names, unevaluated, in the order written.
    """

    name: str
    op: str
    operands: tuple
    formula: sp.Expr | None = None
    dummies: tuple[sp.Dummy, ...] = ()
    shown: sp.Expr | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """The node operands (with repeats: x*x has x twice)."""
        return tuple(o for o in self.operands if isinstance(o, str))

    def local(self, i: int) -> sp.Expr:
        """∂(gate)/∂(its i-th node operand), in the dummies."""
        return self._locals[i]

    @cached_property
    def _locals(self) -> tuple[sp.Expr, ...]:
        # once per gate: a class's variants evaluate one circuit at many points
        return tuple(sp.diff(self.formula, d) for d in self.dummies)

    def in_names(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` (in the dummies) written in the operands' names."""
        return expr.xreplace({d: name_symbol(n) for d, n in zip(self.dummies, self.inputs)})


@dataclass(frozen=True)
class Edge:
    """A wire from ``source`` into operand ``index`` (among node operands) of ``gate``."""

    source: str
    gate: str
    index: int
    value: sp.Float        # the source's value
    local: sp.Float        # ∂gate/∂source along this wire
    gradient: sp.Float     # local × the gate's gradient: what this wire carries back


@dataclass(frozen=True)
class Evaluated:
    """A circuit evaluated at one point: values forward, gradients backward."""

    gates: tuple[Gate, ...]                 # forward order, inputs first where they appear
    output: str
    values: dict[str, sp.Float]
    gradients: dict[str, sp.Float]          # ∂output/∂node
    edges: tuple[Edge, ...]                 # in gate order, operands in order

    def gate(self, name: str) -> Gate:
        return next(g for g in self.gates if g.name == name)


class CircuitBuilder:
    """Adds the gates of written formulas, naming the top gate of each ``stage``."""

    def __init__(self, taken=()):
        self.gates: list[Gate] = []
        self.names: dict[str, str] = {}   # a symbol in formulas -> the node it names
        self.taken = set(taken)
        self._counter = 0

    def add(self, written: Written, name: str | None = None) -> str:
        """The gates of ``written``; returns the name of its top node (``name`` if given)."""
        result = self._node(written, name)
        if not isinstance(result, str) or (name is not None and result != name):
            raise CircuitError("it only repeats a value; a stage must compute something")
        if name is not None:
            self.names[name] = name
        return result

    def _fresh(self) -> str:
        while True:
            self._counter += 1
            candidate = f"g{self._counter}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate

    def _gate(self, op, operands, name, build) -> str | sp.Expr:
        operands = tuple(operands)
        if not any(isinstance(o, str) for o in operands):
            return build(*operands)   # constants only: a constant, not a gate
        dummies = tuple(sp.Dummy(f"u{i}", real=True)
                        for i, o in enumerate(operands) if isinstance(o, str))
        slots = iter(dummies)
        formula = build(*(next(slots) if isinstance(o, str) else o for o in operands))
        with sp.evaluate(False):
            shown = build(*(name_symbol(o) if isinstance(o, str) else o for o in operands))
        name = name or self._fresh()
        self.gates.append(Gate(name, op, operands, formula, dummies, shown))
        return name

    def _node(self, w: Written, name: str | None = None):
        """The node name (or constant) that ``w`` computes."""
        if not _mentions_a_name(w):   # numbers only: a constant (y - y is still two gates)
            return w.expr
        if w.op == "symbol":
            return self._symbol(w.expr.name)
        if w.op == "diff":
            raise CircuitError("diff() is not a gate; write the derivative out")
        ops = [self._node(o) for o in w.operands]
        if w.op == "neg":
            return self._gate("neg", ops, name, lambda u: -u)
        if w.op == "+":
            return self._gate("add", ops, name, lambda a, b: a + b)
        if w.op == "-":
            return self._gate("add", [ops[0], self._negated(ops[1])], name, lambda a, b: a + b)
        if w.op == "*":
            return self._gate("mul", ops, name, lambda a, b: a * b)
        if w.op == "/":
            top, bottom = ops
            if not isinstance(bottom, str):
                return self._gate("mul", [top, 1 / bottom], name, lambda a, b: a * b)
            if top == 1:
                return self._gate("recip", [bottom], name, lambda u: 1 / u)
            return self._gate("mul", [top, self._gate("recip", [bottom], None, lambda u: 1 / u)],
                              name, lambda a, b: a * b)
        if w.op == "**":
            base, exponent = ops
            if exponent == -1:
                return self._gate("recip", [base], name, lambda u: 1 / u)
            if base == sp.E:
                return self._gate("exp", [exponent], name, sp.exp)
            return self._gate("pow", ops, name, lambda a, b: a ** b)
        build = function_of(w.op)
        return self._gate(w.op, ops, name, build)

    def _negated(self, operand):
        return -operand if not isinstance(operand, str) else \
            self._gate("neg", [operand], None, lambda u: -u)

    def _symbol(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = name
            self.taken.add(name)
            self.gates.append(Gate(name, "input", ()))
        return self.names[name]


def _mentions_a_name(w: Written) -> bool:
    todo = [w]
    while todo:
        node = todo.pop()
        if node.op == "symbol":
            return True
        todo.extend(node.operands)
    return False


def evaluate(gates, output: str, point: dict) -> Evaluated:
    """Values forward from ``point`` (input name -> exact number), gradients of ``output``
    backward, at PREC digits."""
    values, gradients = {}, {}
    for g in gates:
        if g.op == "input":
            values[g.name] = _finite(sp.sympify(point[g.name], strict=True),
                                     f"the value of {g.name}")
            continue
        args = dict(zip(g.dummies, (values[n] for n in g.inputs)))
        values[g.name] = _finite(g.formula.xreplace(args), f"the value of {g.name}")
    gradients = {g.name: sp.Float(0, PREC + 10) for g in gates}
    gradients[output] = sp.Float(1, PREC + 10)
    edges = []
    for g in reversed(gates):
        args = dict(zip(g.dummies, (values[n] for n in g.inputs)))
        for i, source in enumerate(g.inputs):
            local = _finite(g.local(i).xreplace(args),
                            f"the local derivative of {g.name} with respect to {source}")
            carried = local * gradients[g.name]
            gradients[source] += carried
            edges.append(Edge(source, g.name, i, values[source], local, carried))
    for name, gradient in gradients.items():
        _finite(gradient, f"the gradient of {output} with respect to {name}")
    order = {g.name: k for k, g in enumerate(gates)}
    edges.sort(key=lambda e: (order[e.gate], e.index))
    return Evaluated(tuple(gates), output, values, gradients, tuple(edges))


def _finite(expr: sp.Expr, what: str) -> sp.Float:
    """``expr``'s value, if it is a real number within double range (the JSON holds
    doubles); else a CircuitError saying what it is."""
    value = expr.evalf(PREC + 10)
    if not (value.is_Number and value.is_finite and value.is_extended_real):
        raise CircuitError(f"{what} is not a finite real number here ({value})")
    if abs(value) > DOUBLE_MAX:
        # str(): formatting a Float goes through Decimal, which refuses exponents past 10^6
        shown = str(sp.N(value, 6))
        shown = f"{shown}, " if len(shown) <= 24 else ""
        raise CircuitError(f"{what} is {shown}beyond the range of a double "
                           f"(about ±{DOUBLE_MAX:.3g})")
    return sp.Float(value, PREC + 10)
