"""What a backprop sheet lays out, arranged for its templates (LaTeX and Markdown alike).

A :class:`~symderiv.solution.BackpropSolution` holds each example's neurons in layer
order; the templates need them per layer and, in a layer whose activation couples its
neurons (softmax), every net input before the first output that uses them. With several
examples, each example's quantities (inputs, targets, net inputs, outputs, the δ and the
chains that use them) are renamed to symbols of their own (h_1^{(2)} for h_1 in example
2: :class:`~symderiv.calculus.latex.ExampleSymbol`), so the sheet never states two values for one
name and a reader, or ``symderiv check``, can tell them apart. One example keeps the
plain names. The Solution itself is not changed; this is notation only.
"""

from dataclasses import dataclass, replace

import sympy as sp

from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import ExampleSymbol
from symderiv.solution import Number, Step


@dataclass(frozen=True)
class LayerRows:
    number: int                         # the layer, from 1
    output: bool                        # the output layer
    steps: tuple[Step, ...]             # z and a of its neurons, in the order shown


@dataclass(frozen=True)
class ExampleRows:
    number: int                         # the example, from 1
    inputs: tuple[tuple[sp.Expr, Number], ...]   # (symbol, value)
    targets: tuple[tuple[sp.Expr, Number], ...]  # (symbol as the loss writes it, value)
    layers: tuple[LayerRows, ...]
    loss: Step | None                   # the example's own loss (several examples)


@dataclass(frozen=True)
class ChainRows:
    example: int                        # from 1
    neuron: sp.Expr                     # the neuron the chain goes through, as a symbol
    steps: tuple[Step, ...]             # its factors, then their product


@dataclass(frozen=True)
class BackpropLayout:
    examples: tuple[ExampleRows, ...]
    deltas: tuple[tuple[Step, ...], ...]         # per example (empty where none is needed)
    chains: dict[str, tuple[ChainRows, ...]]     # per worked parameter


def backprop_layout(solution) -> BackpropLayout:
    several = len(solution.examples) > 1
    names = [_example_names(solution, ex) if several else {} for ex in solution.examples]
    examples = tuple(
        ExampleRows(n + 1, *_givens(solution, ex, names[n]),
                    _layers(solution.network, ex, names[n]), _renamed_step(ex.loss, names[n]))
        for n, ex in enumerate(solution.examples))
    deltas = tuple(tuple(_renamed_step(d, names[n]) for d in per_example.values())
                   for n, per_example in enumerate(solution.deltas))
    chains = {name: tuple(ChainRows(c.example + 1,
                                    _renamed(symbol(c.neuron), names[c.example]),
                                    tuple(_renamed_step(s, names[c.example])
                                          for s in (*c.factors, c.product)))
                          for c in g.chains)
              for name, g in solution.gradients.items()}
    return BackpropLayout(examples, deltas, chains)


def _example_names(solution, example) -> dict:
    """Each quantity of ``example`` (its inputs, targets, net inputs and outputs) → its
    example-indexed symbol. The example's number is found by position."""
    number = solution.examples.index(example) + 1
    plain = [symbol(name) for name in example.inputs]
    plain += [solution.target_symbols.get(o, symbol(o)) for o in example.targets]
    plain += [s.lhs for n in example.neurons for s in (n.z, n.a)]
    return {s: ExampleSymbol(s, number) for s in plain if isinstance(s, sp.Symbol)}


def _givens(solution, example, names) -> tuple[tuple, tuple]:
    inputs = [(symbol(k), v) for k, v in example.inputs.items()]
    targets = [(solution.target_symbols.get(k, symbol(k)), v) for k, v in example.targets.items()]
    return tuple(tuple((_renamed(s, names), v) for s, v in pairs) for pairs in (inputs, targets))


def _layers(network, example, names) -> tuple[LayerRows, ...]:
    by_neuron = {n.neuron: n for n in example.neurons}
    rows = []
    for number, layer in enumerate(network.layers, start=1):
        shown = [by_neuron[n] for n in layer.neurons if n in by_neuron]
        if layer.activation.elementwise:   # z, a of each neuron in turn
            steps = [s for n in shown for s in (n.z, n.a)]
        else:                              # softmax: every z before the outputs
            steps = [n.z for n in shown] + [n.a for n in shown]
        rows.append(LayerRows(number, number == len(network.layers),
                              tuple(_renamed_step(s, names) for s in steps)))
    return tuple(rows)


def _renamed_step(step: Step | None, names: dict) -> Step | None:
    if step is None or not names:
        return step
    return replace(step, lhs=_renamed(step.lhs, names), symbolic=_renamed(step.symbolic, names),
                   substituted=_renamed(step.substituted, names),
                   output_form=_renamed(step.output_form, names))


def _renamed(expr, names: dict):
    """``expr`` with ``names`` put in, rebuilt without evaluation: the terms keep the order
    and the form they were built in (xreplace would re-sort a sum by the new names)."""
    if expr is None or not names:
        return expr
    if expr in names:
        return names[expr]
    if not expr.args or not (expr.atoms(sp.Symbol) & names.keys()):  # ∂e/∂z binds z:
        return expr                                                     # not free, but named
    args = [_renamed(a, names) for a in expr.args]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)
