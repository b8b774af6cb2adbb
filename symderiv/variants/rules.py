"""What a variant asks (the numbers a student answers) and when a draw is rejected.

A draw is rejected (contract §5.7) when a ReLU neuron outputs 0 on every example (dead:
every gradient through it is 0), when a sigmoid or tanh neuron has |z| > SATURATION on an
example (saturated: its derivative is below 0.018), or when an asked answer rounds to 0
at the sheet's precision; a graph's draw also when its formula has no finite real value
or gradient there (undefined: a division by zero, the log of a non-positive number, an
overflow). A repeat of an earlier variant is found before solving
(:mod:`symderiv.variants.batch`). Only the problems that draw are judged: a fixed
problem is the same for every student.
"""


import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.nets import backprop
from symderiv.nets.circuit import CircuitError, evaluate
from symderiv.problems import graph
from symderiv.problems.backprop import PREC
from symderiv.solution import Number

REASONS = ("repeat", "dead-relu", "saturated", "rounds-to-zero", "undefined")  # the JSON's order
KIND_REASONS = {"backprop": ("repeat", "dead-relu", "saturated", "rounds-to-zero"),
                "graph": ("repeat", "rounds-to-zero", "undefined")}
SATURATION = 4
DEAD_AT_ZERO = ("relu",)   # leaky ReLU, ELU and friends pass a gradient below 0


@dataclass(frozen=True)
class Answer:
    """One asked number: ``key`` (``output.o1``, ``loss``, ``gradient.w5``, ``updated.w5``;
    ``output.o1[2]`` for example 2 of several), ``lhs`` (SymPy, for its label), ``example``
    (from 1, for a quantity of one example of several; else None)."""

    key: str
    lhs: sp.Expr
    number: Number
    example: int | None = None


def reasons(problems) -> tuple[str, ...]:
    """The reasons a draw of these problems can be rejected for, in REASONS' order."""
    found = {r for p in problems for r in KIND_REASONS[p.kind]}
    return tuple(r for r in REASONS if r in found)


def answers(solution) -> tuple[Answer, ...]:
    """The numbers a problem asks for. Backprop: every output, the loss, each asked
    gradient and (with a learning rate) each asked parameter after descent. Graph: the
    output's value and its gradient with respect to each asked variable."""
    if solution.kind == "graph":
        out = solution.output_symbol
        return (Answer("value", out, solution.gate(solution.output).value),
                *(Answer(f"gradient.{v}", sp.Derivative(out, s), solution.gradients[v])
                  for v, s in zip(solution.wrt, solution.wrt_symbols)))
    if solution.kind != "backprop":
        return ()
    several = len(solution.examples) > 1
    found = []
    for i, ex in enumerate(solution.examples, start=1):
        by_neuron = {n.neuron: n for n in ex.neurons}
        for n in solution.network.outputs:
            key = f"output.{n}[{i}]" if several else f"output.{n}"
            found.append(Answer(key, by_neuron[n].a.lhs, ex.activations[n],
                                i if several else None))
    if solution.loss is None:
        return tuple(found)
    found.append(Answer("loss", solution.loss.lhs, solution.loss.value))
    for p in solution.asked:
        found.append(Answer(f"gradient.{p}", sp.Derivative(solution.loss_symbol, symbol(p)),
                            solution.all_gradients[p]))
    if solution.learning_rate is not None:
        for p in solution.asked:
            if not solution.updated[p].given:   # trained: a computed value
                found.append(Answer(f"updated.{p}", symbol(f"{p}'"), solution.updated[p]))
    return tuple(found)


def forward_rejection(problem) -> str | None:
    """Why a drawn problem is unfit, judged from its forward pass alone (dead-relu,
    saturated; a graph: undefined), or None: most rejected draws are caught here, before
    the gradients are worked and checked."""
    if problem.kind == "graph":
        try:
            evaluate(graph.circuit(problem), problem.stages[-1][0], problem.values)
        except CircuitError:
            return "undefined"
        return None
    if problem.kind != "backprop":
        return None
    try:
        passes = [backprop.forward(problem.network, ex.inputs, prec=PREC)
                  for ex in problem.examples]
    except backprop.WalkError:
        return None     # solving reports it, against the spec
    return _neurons_rejection(problem.network, [(fp.z, fp.a) for fp in passes])


def rejection(solution, precision: int) -> str | None:
    """Why this solved problem is not fit to hand out (a REASONS entry), or None."""
    if solution.kind == "graph":
        return _rounds_to_zero(solution, precision)
    if solution.kind != "backprop":
        return None
    passes = [({n: v.exact for n, v in ex.preactivations.items()},
               {n: v.exact for n, v in ex.activations.items()}) for ex in solution.examples]
    reason = _neurons_rejection(solution.network, passes)
    if reason is not None:
        return reason
    return _rounds_to_zero(solution, precision)


def _rounds_to_zero(solution, precision: int) -> str | None:
    half_unit = sp.Rational(1, 2 * 10**precision)
    if any(abs(a.number.exact) < half_unit for a in answers(solution)):
        return "rounds-to-zero"
    return None


def _neurons_rejection(network, passes) -> str | None:
    """``passes``: per example, (net input, output) of every neuron, exactly."""
    for layer in network.layers:
        name = getattr(layer.activation, "name", None)
        for n in layer.neurons:
            if name in DEAD_AT_ZERO and all(a[n] == 0 for _, a in passes):
                return "dead-relu"
            if name in ("sigmoid", "tanh") and any(abs(z[n]) > SATURATION for z, _ in passes):
                return "saturated"
    return None
