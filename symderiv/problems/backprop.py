"""``kind = "backprop"``: a network's forward pass, loss, chain-rule gradients and
gradient-descent updates, as worked steps (symbolic = substituted = value).

The mathematics is :mod:`symderiv.nets.backprop`'s; this module only arranges its results into
:class:`symderiv.solution.BackpropSolution` and puts the numbers into the formulas.
Everything is computed at ``PREC`` digits; the sheet rounds only where it prints.

A sheet works out the chains of at most ``SHEET_CHAINS`` chains' worth of the parameters
asked for (in the spec's order); the gradients of the rest are listed by value.
"""

import sympy as sp

from symderiv.nets import backprop
from symderiv.errors import InputError
from symderiv.calculus.expr import symbol
from symderiv.nets.losses import example_weight, loss_expression, written_targets
from symderiv.nets.notation import LEARNING_RATE
from symderiv.problems.backprop_matrices import layer_matrices
from symderiv.problems.training import optimizer_of, training_steps
from symderiv.solution import (BackpropSolution, ChainSteps, ExampleForward, GradientSteps,
                               NeuronSteps, Number, Step, substitute, worked)
from symderiv.spec import BackpropProblem

PREC = 50  # significant digits of every computed value
SHEET_CHAINS = 64  # chains (parameter × example × path) a sheet works out at most


def solve(problem: BackpropProblem) -> BackpropSolution:
    try:
        return _solve(problem)
    except backprop.WalkError as e:
        raise input_error(problem, e) from None


def input_error(problem, e: backprop.WalkError) -> InputError:
    """A value the network cannot compute, reported against the spec: the layer's
    activation where it has no value, else the problem."""
    where = f"problem[{problem.position}]"
    if e.layer is not None:
        where += f".network.layers[{e.layer}].activation"
    return InputError(problem.source, f"{where}: {e.message}")


def _solve(problem: BackpropProblem) -> BackpropSolution:
    net, training = problem.network, problem.training
    notation = backprop.Notation(training.loss_symbol if training else "E",
                                 problem.notation.net_inputs, problem.notation.targets)
    examples = [(ex.inputs, ex.targets) for ex in problem.examples]
    forwards = [_forward(problem, i, notation) for i in range(len(examples))]
    targets = {n: notation.y(n) for n in net.outputs}
    if training is None:
        return BackpropSolution(problem.id, problem.statement, net, None, None,
                                tuple(forwards), None, target_symbols=targets)

    loss_name = training.loss
    forwards = [_with_loss(f, net, ex, loss_name, notation, i, len(examples))
                for i, (f, ex) in enumerate(zip(forwards, examples), start=1)]
    total = forwards[0].loss if len(forwards) == 1 else _total_loss(net, examples, loss_name,
                                                                     notation, forwards)
    worked_names = _within_budget(net, training.gradients, len(examples))
    cited = backprop.cited_neurons(net, worked_names)
    grads = backprop.gradients(net, examples, loss_name, wrt=worked_names, prec=PREC,
                               notation=notation, cited=cited)
    trained, asked = set(training.train), set(training.gradients)
    reported = [p for p in net.parameters() if p in trained or p in asked]
    run = backprop.train(net, examples, loss_name, training.learning_rate, training.train,
                         training.steps, prec=PREC, optimizer=optimizer_of(training),
                         decay=training.weight_decay)
    extra = training_steps(problem, notation, run, reported, worked_names)
    shown = {p: _gradient_steps(grads[p], notation) for p in worked_names}
    deltas = _deltas_used(net, examples, loss_name, notation, grads, worked_names, cited)
    rate = Number.of(training.learning_rate, given=True)
    given = net.parameters()
    # other optimisers and weight decay: their steps are extra.traces (the training partial)
    updates = {p: _update_step(given[p], grads[p], rate, run.parameters[0][p], notation)
               for p in worked_names if p in trained} if extra.plain else {}
    # the matrix form shows plain gradient descent on one example
    matrices = {} if len(examples) > 1 or not extra.plain else layer_matrices(
        net, examples[0][0], notation.loss, deltas[0],
        {p: g.value for p, g in grads.items()}, set(worked_names), given,
        run.parameters[0], rate, trained, PREC)
    return BackpropSolution(
        problem.id, problem.statement, net, loss_name, notation.E, tuple(forwards), total,
        asked=training.gradients,
        asked_all=asked == set(given),
        gradients=shown,
        listed=tuple(p for p in training.gradients if p not in shown),
        deltas=deltas,
        all_gradients=extra.gradients,
        learning_rate=rate,
        updates=updates,
        updated={p: (Number.of(run.final[p]) if p in trained
                     else Number.of(given[p], given=True)) for p in reported},
        losses=tuple(Number.of(v) for v in run.losses),
        steps=training.steps,
        target_symbols=targets,
        training=extra,
        step_gradients=tuple({p: Number.of(v) for p, v in g.items()} for g in run.gradients),
        step_values=tuple({p: Number.of(v) for p, v in after.items() if p in trained}
                          for after in run.parameters),
        matrices=matrices,
        ce_target_sums=_ce_target_sums(loss_name, examples))


def _ce_target_sums(loss_name, examples) -> tuple[Number, ...] | None:
    """Cross-entropy against targets that are not one-hot (not all 0 or 1, or not summing
    to 1): each example's sum, for the sheet to say how E is taken; else None."""
    if loss_name != "ce":
        return None
    sums = [sp.Add(*targets.values()) for _, targets in examples]
    one_hot = all(total == 1 and all(v in (0, 1) for v in targets.values())
                  for total, (_, targets) in zip(sums, examples))
    return None if one_hot else tuple(Number.of(total, given=True) for total in sums)


def _within_budget(net, asked, examples: int) -> tuple[str, ...]:
    """The first parameters asked for whose chains add up to at most SHEET_CHAINS (one
    parameter at least): a weight has one chain per example, a bias one per neuron it feeds
    and example."""
    chosen, used = [], 0
    for p in asked:
        paths = 1 if p in net.weights else len(net.biases[p].targets)
        used += paths * examples
        if chosen and used > SHEET_CHAINS:
            break
        chosen.append(p)
    return tuple(chosen)


# -- forward pass -----------------------------------------------------------------------------

def _forward(problem: BackpropProblem, index: int, notation) -> ExampleForward:
    net, example = problem.network, problem.examples[index]
    fp = backprop.forward(net, example.inputs, prec=PREC, notation=notation)
    known = {notation.symbol(k): v for k, v in net.parameters().items()}
    known.update({notation.a(n): fp.a[n] for n in (*net.inputs, *net.neurons)})
    neurons = []
    for layer in net.layers:
        zs = {notation.z(m): fp.z[m] for m in layer.neurons}
        for n in layer.neurons:
            z_expr = fp.net_input_expr[n]
            z = worked(notation.z(n), z_expr, substitute(z_expr, known),
                       Number(fp.z[n], fp.z_float[n]))
            a_expr = fp.activation_expr[n]
            a = worked(notation.a(n), a_expr, substitute(a_expr, zs),
                       Number(fp.a[n], fp.a_float[n]))
            neurons.append(NeuronSteps(n, z, a))
    return ExampleForward({k: Number.of(v, given=True) for k, v in example.inputs.items()},
                          {k: Number.of(v, given=True) for k, v in example.targets.items()},
                          tuple(neurons), None)


# -- loss -----------------------------------------------------------------------------------------

def _loss_expr(net, loss_name, notation, example_targets):
    outputs = [notation.a(n) for n in net.outputs]
    targets = written_targets(loss_name, [notation.y(n) for n in net.outputs],
                              [example_targets[n] for n in net.outputs])
    logits = loss_name == "ce" and net.layers[-1].activation.elementwise
    return loss_expression(loss_name, outputs, targets, logits=logits)


def _with_loss(forward: ExampleForward, net, example, loss_name, notation, i, count):
    expr = _loss_expr(net, loss_name, notation, example[1])
    values = {notation.a(n): forward.activations[n].exact for n in net.outputs}
    values.update({notation.y(n): example[1][n] for n in net.outputs})
    value = backprop.total_loss(net, [example], loss_name, prec=PREC)
    lhs = notation.E if count == 1 else symbol(f"{notation.loss}_{i}")
    step = worked(lhs, expr, substitute(expr, values), Number.of(value))
    # loss = "output": the selector targets are no data of the question
    targets = {} if loss_name == "output" else forward.targets
    return ExampleForward(forward.inputs, targets, forward.neurons, step)


def _total_loss(net, examples, loss_name, notation, forwards) -> Step:
    """E = Σ_i E_i (mean for mse), over the examples' own losses."""
    weight = example_weight(loss_name, len(examples))
    parts = [f.loss for f in forwards]
    symbolic = sp.Add(*[p.lhs for p in parts], evaluate=False)
    substituted = sp.Add(*[p.value.exact for p in parts], evaluate=False)
    if weight != 1:
        symbolic = sp.Mul(weight, symbolic, evaluate=False)
        substituted = sp.Mul(weight, substituted, evaluate=False)
    value = backprop.total_loss(net, examples, loss_name, prec=PREC)
    return Step(notation.E, symbolic, substituted, Number.of(value))


# -- gradients and updates ---------------------------------------------------------------------------

def _factor_step(f: backprop.ChainFactor, made: dict) -> Step:
    # chains through one neuron share their first factors: one Step each
    if id(f) not in made:
        made[id(f)] = (f, worked(f.symbol, f.formula, f.substituted, Number(f.value, f.float),
                                 f.output_form))
    return made[id(f)][1]


def _gradient_steps(g: backprop.Gradient, notation, made: dict | None = None) -> GradientSteps:
    made = {} if made is None else made
    lhs = sp.Derivative(notation.E, notation.symbol(g.parameter))
    chains = []
    for c in g.chains:
        factors = tuple(_factor_step(f, made) for f in c.factors)
        # one chain of several is a term of ∂E/∂p, not ∂E/∂p itself: it has no lhs
        own = lhs if len(g.chains) == 1 else None
        if c.cites_delta:   # δ_n · a_source: the δ by name, ∂z/∂p as its formula (x1, h1)
            delta, dz = factors
            last = c.factors[-1].formula
            symbolic = delta.lhs if last == 1 else sp.Mul(delta.lhs, last, evaluate=False)
            product = worked(own, symbolic, sp.Mul(*[f.value.exact for f in factors],
                                                   evaluate=False) if last != 1 else None,
                             Number(c.value, float(c.value)))
        else:
            product = Step(own, sp.Mul(*[f.lhs for f in factors], evaluate=False),
                           sp.Mul(*[f.value.exact for f in factors], evaluate=False),
                           Number(c.value, float(c.value)))
        chains.append(ChainSteps(c.example, c.neuron, factors, product, c.cites_delta))
    if len(chains) == 1 and g.scale == 1:
        total = chains[0].product
    else:
        # a shared bias or several examples: the chains add up (scaled by 1/N for mse).
        # Over several examples the chains share their symbols, so only the numbers add.
        several = len({c.example for c in chains}) > 1
        symbolic = None if several else sp.Add(*[c.product.symbolic for c in chains],
                                               evaluate=False)
        substituted = sp.Add(*[c.product.value.exact for c in chains], evaluate=False)
        if g.scale != 1:
            substituted = sp.Mul(g.scale, substituted, evaluate=False)
            symbolic = None if symbolic is None else sp.Mul(g.scale, symbolic, evaluate=False)
        total = Step(lhs, symbolic, substituted, Number(g.value, g.float))
    return GradientSteps(g.parameter, tuple(chains), total)


def _deltas_used(net, examples, loss_name, notation, grads, worked_names, cited
                 ) -> tuple[dict[str, Step], ...]:
    """δ_n = ∂E/∂z_n of each neuron the worked chains refer to (a hidden weight's ∂E/∂h1
    is w5·δ_o1 + w6·δ_o2), and of those their formulas refer to, per example: the
    backward pass a reader needs, output layer first."""
    z_of = {notation.z(n): n for n in net.neurons}
    wanted = [set(cited) for _ in examples]
    seen = set()
    for p in worked_names:
        for c in grads[p].chains:
            for f in c.factors:
                if id(f) not in seen:   # factors through one neuron are shared
                    seen.add(id(f))
                    wanted[c.example] |= backprop.deltas_referred(f.formula, notation.E, z_of)
    if not any(wanted):
        return tuple({} for _ in examples)
    found = backprop.deltas(net, examples, loss_name, prec=PREC, notation=notation, of=wanted)
    made = {}
    return tuple({n: _factor_step(d, made) for n, d in per_example.items()}
                 for per_example in found)


def _update_step(old, gradient: backprop.Gradient, rate: Number, new, notation) -> Step:
    """w' = w − η ∂E/∂w = 0.3 − 0.1·0.1415 = 0.2858 (the first step)."""
    p = notation.symbol(gradient.parameter)
    eta = notation.symbol(LEARNING_RATE)
    minus = sp.Integer(-1)
    symbolic = sp.Add(p, sp.Mul(minus, sp.Mul(eta, sp.Derivative(notation.E, p),
                                              evaluate=False), evaluate=False), evaluate=False)
    substituted = sp.Add(old, sp.Mul(minus, sp.Mul(rate.exact, gradient.value, evaluate=False),
                                     evaluate=False), evaluate=False)
    return Step(symbol(f"{gradient.parameter}'"), symbolic, substituted, Number.of(new))
