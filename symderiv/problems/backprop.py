"""``kind = "backprop"``: a network's forward pass, loss, chain-rule gradients and
gradient-descent updates, as worked steps (symbolic = substituted = value).

The mathematics is :mod:`symderiv.backprop`'s; this module only arranges its results into
:class:`symderiv.solution.BackpropSolution` and puts the numbers into the formulas.
Everything is computed at ``PREC`` digits; the sheet rounds only where it prints.
"""

import sympy as sp

from symderiv import backprop
from symderiv.expr import symbol
from symderiv.losses import example_weight, loss_expression
from symderiv.solution import (BackpropSolution, ChainSteps, ExampleForward, GradientSteps,
                               NeuronSteps, Number, Step, worked)
from symderiv.spec import BackpropProblem

PREC = 50  # significant digits of every computed value


def solve(problem: BackpropProblem) -> BackpropSolution:
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
    grads = backprop.gradients(net, examples, loss_name, wrt=training.gradients, prec=PREC,
                               notation=notation)
    reported = [p for p in net.parameters() if p in training.train or p in training.gradients]
    run = backprop.train(net, examples, loss_name, training.learning_rate, training.train,
                         training.steps, prec=PREC)
    shown = {p: _gradient_steps(grads[p], notation) for p in training.gradients}
    deltas = _deltas_used(net, examples, loss_name, notation, shown)
    rate = Number.of(training.learning_rate)
    updates = {p: _update_step(net.parameters()[p], grads[p], rate, run.parameters[0][p],
                               notation) for p in training.gradients if p in training.train}
    return BackpropSolution(
        problem.id, problem.statement, net, loss_name, notation.E, tuple(forwards), total,
        gradients=shown,
        deltas=deltas,
        all_gradients={p: Number(grads[p].value, grads[p].float) for p in reported},
        learning_rate=rate,
        updates=updates,
        updated={p: Number.of(run.final[p]) for p in training.train},
        losses=tuple(Number.of(v) for v in run.losses),
        steps=training.steps,
        target_symbols=targets)


# -- forward pass -----------------------------------------------------------------------------

def _forward(problem: BackpropProblem, index: int, notation) -> ExampleForward:
    net, example = problem.network, problem.examples[index]
    fp = backprop.forward(net, example.inputs, prec=PREC, notation=notation)
    known = {symbol(k): v for k, v in net.parameters().items()}
    known.update({notation.a(n): fp.a[n] for n in (*net.inputs, *net.neurons)})
    neurons = []
    for n in net.neurons:
        z_expr = fp.net_input_expr[n]
        z = worked(notation.z(n), z_expr, _substitute(z_expr, known),
                   Number(fp.z[n], fp.z_float[n]))
        a_expr = fp.activation_expr[n]
        zs = {notation.z(m): fp.z[m] for m in _layer_of(net, n).neurons}
        a = worked(notation.a(n), a_expr, _substitute(a_expr, zs),
                   Number(fp.a[n], fp.a_float[n]))
        neurons.append(NeuronSteps(n, z, a))
    return ExampleForward({k: Number.of(v) for k, v in example.inputs.items()},
                          {k: Number.of(v) for k, v in example.targets.items()},
                          tuple(neurons), None)


def _layer_of(net, neuron):
    return net.layers[net.layer_of(neuron) - 1]


def _substitute(expr: sp.Expr, values: dict) -> sp.Expr:
    """``expr`` with the numbers put in, kept as written (0.15·0.05 + 0.2·0.1 + 0.35)."""
    with sp.evaluate(False):
        return expr.xreplace({s: values[s] for s in expr.free_symbols if s in values})


# -- loss -----------------------------------------------------------------------------------------

def _loss_expr(net, loss_name, notation):
    outputs = [notation.a(n) for n in net.outputs]
    targets = [notation.y(n) for n in net.outputs]
    logits = loss_name == "ce" and net.layers[-1].activation.elementwise
    return loss_expression(loss_name, outputs, targets, logits=logits)


def _with_loss(forward: ExampleForward, net, example, loss_name, notation, i, count):
    expr = _loss_expr(net, loss_name, notation)
    values = {notation.a(n): forward.activations[n].exact for n in net.outputs}
    values.update({notation.y(n): example[1][n] for n in net.outputs})
    value = backprop.total_loss(net, [example], loss_name, prec=PREC)
    lhs = notation.E if count == 1 else symbol(f"{notation.loss}_{i}")
    step = Step(lhs, expr, _substitute(expr, values), Number.of(value))
    return ExampleForward(forward.inputs, forward.targets, forward.neurons, step)


def _total_loss(net, examples, loss_name, notation, forwards) -> Step:
    """E = Σ_i E_i (mean for mse), over the examples' own losses."""
    weight = example_weight(loss_name, len(examples))
    parts = [f.loss for f in forwards]
    with sp.evaluate(False):
        symbolic = sp.Add(*[p.lhs for p in parts])
        substituted = sp.Add(*[p.value.exact for p in parts])
        if weight != 1:
            symbolic, substituted = weight * symbolic, weight * substituted
    value = backprop.total_loss(net, examples, loss_name, prec=PREC)
    return Step(notation.E, symbolic, substituted, Number.of(value))


# -- gradients and updates ---------------------------------------------------------------------------

def _factor_step(f: backprop.ChainFactor) -> Step:
    return worked(f.symbol, f.formula, f.substituted, Number(f.value, f.float), f.output_form)


def _gradient_steps(g: backprop.Gradient, notation) -> GradientSteps:
    lhs = sp.Derivative(notation.E, symbol(g.parameter))
    chains = []
    for c in g.chains:
        factors = tuple(_factor_step(f) for f in c.factors)
        # one chain of several is a term of ∂E/∂p, not ∂E/∂p itself: it has no lhs
        with sp.evaluate(False):
            product = Step(lhs if len(g.chains) == 1 else None, sp.Mul(*[f.lhs for f in factors]),
                           sp.Mul(*[f.value.exact for f in factors]), Number(c.value, float(c.value)))
        chains.append(ChainSteps(c.example, c.neuron, factors, product))
    if len(chains) == 1 and g.scale == 1:
        total = chains[0].product
    else:
        # a shared bias or several examples: the chains add up (scaled by 1/N for mse).
        # Over several examples the chains share their symbols, so only the numbers add.
        several = len({c.example for c in chains}) > 1
        with sp.evaluate(False):
            symbolic = None if several else sp.Add(*[c.product.symbolic for c in chains])
            substituted = sp.Add(*[c.product.value.exact for c in chains])
            if g.scale != 1:
                substituted = g.scale * substituted
                symbolic = None if symbolic is None else g.scale * symbolic
        total = Step(lhs, symbolic, substituted, Number(g.value, g.float))
    return GradientSteps(g.parameter, tuple(chains), total)


def _deltas_used(net, examples, loss_name, notation, shown) -> tuple[dict[str, Step], ...]:
    """δ_n = ∂E/∂z_n of each neuron the shown chains refer to (a hidden weight's ∂E/∂h1 is
    w5·δ_o1 + w6·δ_o2), and of those their formulas refer to, per example: the backward
    pass a reader needs, output layer first."""
    z_of = {notation.z(n): n for n in net.neurons}

    def referred(expr) -> set[str]:
        return {z_of[d.variables[0]] for d in expr.atoms(sp.Derivative)
                if d.expr == notation.E and len(d.variables) == 1 and d.variables[0] in z_of}

    wanted = [set() for _ in examples]
    for g in shown.values():
        for c in g.chains:
            for f in c.factors:
                wanted[c.example] |= referred(f.symbolic) if f.symbolic is not None else set()
    if not any(wanted):
        return tuple({} for _ in examples)
    all_deltas = backprop.deltas(net, examples, loss_name, prec=PREC, notation=notation)
    order = [n for layer in reversed(net.layers) for n in layer.neurons]
    out = []
    for i, names in enumerate(wanted):
        todo, seen = list(names), set()
        while todo:                      # δ of a hidden neuron refers to the next layer's
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(referred(all_deltas[i][n].formula))
        out.append({n: _factor_step(all_deltas[i][n]) for n in order if n in seen})
    return tuple(out)


def _update_step(old, gradient: backprop.Gradient, rate: Number, new, notation) -> Step:
    """w' = w − η ∂E/∂w = 0.3 − 0.1·0.1415 = 0.2858 (the first step)."""
    p = symbol(gradient.parameter)
    eta = symbol("eta")
    with sp.evaluate(False):
        symbolic = sp.Add(p, sp.Mul(-1, sp.Mul(eta, sp.Derivative(notation.E, p))))
        substituted = sp.Add(old, sp.Mul(-1, sp.Mul(rate.exact, gradient.value)))
    return Step(symbol(f"{gradient.parameter}'"), symbolic, substituted, Number.of(new))
