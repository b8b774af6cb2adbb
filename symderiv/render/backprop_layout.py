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

from dataclasses import replace

import sympy as sp

from symderiv.records import dataclass
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
class BackwardLayer:
    """One layer of the backward pass, as a TA writes it: the δ of its neurons (per
    example), then the gradients of the parameters that feed it."""

    number: int                                  # the layer, from 1
    output: bool
    deltas: tuple[tuple[int, tuple[Step, ...]], ...]   # (example from 1, its δ rows)
    matrices: tuple[Step, ...]                   # a dense layer's pass in matrix form
    rows: tuple[Step, ...]                       # gradients of one row each (δ cited)
    gradients: tuple[str, ...]                   # the other worked parameters into it


@dataclass(frozen=True)
class BackpropLayout:
    examples: tuple[ExampleRows, ...]
    deltas: tuple[tuple[Step, ...], ...]         # per example (empty where none is needed)
    chains: dict[str, tuple[ChainRows, ...]]     # per worked parameter
    backward: tuple[BackwardLayer, ...] = ()     # from the output layer back
    totals: dict[str, Step] | None = None        # per worked parameter, its ∂E/∂p row
    chained: bool = False                        # some chain is worked factor by factor
    updates: tuple[Step, ...] = ()               # step 1: scalar, then per dense layer
    step_groups: tuple[tuple[int, ...], ...] = ()   # steps (from 1) per table, a few each
    cited: bool = False                          # some chain cites its neuron's δ
    objective: sp.Expr | None = None             # what the step tables hold: E, or Ẽ with decay


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
                                          for s in _shown_steps(c)))
                          for c in g.chains)
              for name, g in solution.gradients.items()}
    totals = {name: _total(g, chains[name]) for name, g in solution.gradients.items()}
    covered = _in_matrices(solution)
    every = [c for p, g in solution.gradients.items() if p not in covered for c in g.chains]
    updates = tuple(u for p, u in solution.updates.items() if p not in covered)
    updates += tuple(u for m in solution.matrices.values() for u in m.update)
    return BackpropLayout(examples, deltas, chains,
                          _backward(solution, names, chains, totals, covered), totals,
                          chained=not all(c.cites_delta for c in every),
                          cited=any(c.cites_delta for c in every), updates=updates,
                          step_groups=_step_groups(solution), objective=_objective(solution))


def _objective(solution):
    """The loss the step tables hold: with weight decay Ẽ = E + (λ/2)Ω (the last row of
    the decay's working), else the loss itself."""
    training = solution.training
    if training is not None and training.decay_loss:
        return training.decay_loss[-1].lhs
    return solution.loss_symbol


STEPS_PER_TABLE = 3  # step columns (gradient, value) that fit the page's width


def _step_groups(solution) -> tuple[tuple[int, ...], ...]:
    steps = list(range(1, len(solution.step_values) + 1)) if solution.steps > 1 else []
    return tuple(tuple(steps[i:i + STEPS_PER_TABLE])
                 for i in range(0, len(steps), STEPS_PER_TABLE))


def _in_matrices(solution) -> set[str]:
    """The parameters a dense layer's matrices show in place of their scalar rows: when
    the spec asks for every gradient (named parameters keep their scalar chains)."""
    if not solution.asked_all:
        return set()
    return {p for m in solution.matrices.values() for p in m.parameters}


def _shown_steps(chain) -> tuple[Step, ...]:
    # a chain citing its neuron's δ is one line: ∂E/∂w = δ·h1 = 0.0739·0.5933 = 0.0438
    return (chain.product,) if chain.cites_delta else (*chain.factors, chain.product)


def _total(gradient, chains) -> Step:
    """∂E/∂p as its row: over several chains that each cite a δ, the sum of their products
    written out (∂E_1/∂z^{(1)} x^{(1)} + ∂E_2/∂z^{(2)} x^{(2)}), so one row says it all."""
    total = gradient.total
    if len(chains) < 2 or not all(c.cites_delta for c in gradient.chains):
        return total
    symbolic = sp.Add(*[c.steps[-1].symbolic for c in chains], evaluate=False)
    if total.substituted is not None and total.substituted.is_Mul:   # mse: 1/N · Σ
        symbolic = sp.Mul(total.substituted.args[0], symbolic, evaluate=False)
    return replace(total, symbolic=symbolic)


def _backward(solution, names, chains, totals, covered) -> tuple[BackwardLayer, ...]:
    """The δ rows, matrices and worked gradients grouped by layer, output layer first."""
    network = solution.network
    layer_of = {n: i for i, layer in enumerate(network.layers, start=1) for n in layer.neurons}

    def into(p):
        return layer_of[network.weights[p].target if p in network.weights
                        else network.biases[p].targets[0]]

    out = []
    for number in range(len(network.layers), 0, -1):
        deltas = tuple((i + 1, tuple(_renamed_step(d, names[i]) for n, d in per_example.items()
                                     if layer_of[n] == number))
                       for i, per_example in enumerate(solution.deltas))
        deltas = tuple((i, rows) for i, rows in deltas if rows)
        grads = [p for p in solution.gradients if into(p) == number and p not in covered]
        one_row = [p for p in grads if all(c.cites_delta for c in solution.gradients[p].chains)]
        rows = tuple(chains[p][0].steps[0] if len(chains[p]) == 1 else totals[p]
                     for p in one_row)
        grads = tuple(p for p in grads if p not in one_row)
        matrices = solution.matrices[number].backward if number in solution.matrices else ()
        if deltas or grads or rows or matrices:
            out.append(BackwardLayer(number, number == len(network.layers), deltas, matrices,
                                     rows, grads))
    return tuple(out)


def _example_names(solution, example) -> dict:
    """Each quantity of ``example`` (its inputs, targets, net inputs and outputs) → its
    example-indexed symbol. The example's number is found by position."""
    number = solution.examples.index(example) + 1
    plain = [symbol(name) for name in example.inputs]
    plain += [solution.target_symbols.get(o, symbol(o)) for o in example.targets]
    plain += [s.lhs for n in example.neurons for s in (n.z, n.a)]
    names = {s: ExampleSymbol(s, number) for s in plain if isinstance(s, sp.Symbol)}
    if example.loss is not None and solution.loss_symbol is not None:
        # one example's δ is ∂E_n/∂z, a term of ∂E/∂z: its loss is E_n
        names[solution.loss_symbol] = example.loss.lhs
    return names


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
