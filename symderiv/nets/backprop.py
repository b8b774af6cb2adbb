"""Forward pass, chain-rule gradients and gradient descent, one local rule per neuron.

Each computed neuron n has two symbols: its net input z_n = Σ w·a + b and its output
a_n = f(z_n), written with the neuron's own name (h1, o1). As in micrograd, the backward
walk multiplies each neuron's local derivative by the gradient flowing into it, so nothing
is ever nested and the cost is linear in the number of edges:

    δ_n = ∂E/∂z_n = ∂E/∂a_n · f'(z_n),   ∂E/∂a_h = Σ_k w_hk δ_k,
    ∂E/∂w = δ_target · a_source,         ∂E/∂b = Σ_{n fed by b} δ_n.

The walk runs in one of the arithmetics of :mod:`symderiv.nets.arithmetic` (high precision for
everything a sheet shows, float64 for bulk work). Every value it meets must be a finite
real number within double range (the JSON holds doubles); otherwise it raises
:class:`WalkError` saying which neuron, example and value. Chain-rule factors (symbol =
formula = numbers = value) are built only for the parameters asked for
(:mod:`symderiv.nets.chains`); names are written as :class:`symderiv.nets.notation.Notation` says.
"""

import re
from dataclasses import field
from fractions import Fraction
from typing import Mapping

import mpmath
import sympy as sp

from symderiv.records import dataclass
from symderiv.nets.arithmetic import DOUBLE_MAX, Float64, HighPrecision, NotReal, Symbolic
from symderiv.nets.chains import Chain, ChainBuilder, ChainFactor
from symderiv.nets.graph import Graph, is_softmax
from symderiv.nets.losses import LOSSES, example_weight
from symderiv.nets.network import Network
from symderiv.nets.notation import Notation
from symderiv.nets.optimizers import SGD, Ops, Optimizer, descend

__all__ = ["Chain", "ChainFactor", "ForwardPass", "Gradient", "Notation", "TrainingRun",
           "WalkError", "cited_neurons", "closed_form", "deltas", "deltas_referred", "forward",
           "gradients", "gradients_float", "input_gradients",
           "net_input_expr", "total_loss", "train"]



class WalkError(ValueError):
    """A value of the walk that is not a finite real number within double range.

    ``layer`` (from 1) is set when the layer's activation has no value there (1/z at
    z = 0); otherwise the numbers themselves grew too large.
    """

    def __init__(self, message: str, layer: int | None = None):
        super().__init__(message)
        self.message, self.layer = message, layer


# -- results (plain data) -----------------------------------------------------------------

@dataclass(frozen=True)
class ForwardPass:
    """One example's forward pass. ``a`` includes the inputs (their given exact values)."""

    net_input_expr: dict[str, sp.Expr]   # z_o1 = w5·h1 + w7·h2 + b2 (terms in edge order)
    activation_expr: dict[str, sp.Expr]  # o1 = σ(z_o1); for softmax e^{z_j} / Σ_k e^{z_k}
    z: dict[str, sp.Expr]                # sp.Float at prec digits
    a: dict[str, sp.Expr]
    z_float: dict[str, float]
    a_float: dict[str, float]
    slope: dict[str, sp.Float] = field(default_factory=dict)   # f'(z_n), elementwise neurons


@dataclass(frozen=True)
class Gradient:
    """∂E/∂p = scale · Σ chains (one chain per example and per neuron the parameter feeds:
    a shared bias has one per neuron). ``chains`` is empty for parameters not asked for."""

    parameter: str
    value: sp.Float
    chains: tuple[Chain, ...]
    scale: sp.Rational  # 1, or 1/N for mse over N examples

    @property
    def float(self) -> float:
        return float(self.value)

    @property
    def chain(self) -> tuple[ChainFactor, ...] | None:
        """The factors of the one chain (a weight, one example); None when there are several."""
        return self.chains[0].factors if len(self.chains) == 1 else None


@dataclass(frozen=True)
class TrainingRun:
    """Batch training by an optimiser: ``losses[i]`` before step i+1 (the last after the
    last step); ``parameters[i]``, ``gradients[i]`` and ``states[i]`` (the optimiser's,
    per trained parameter) after and during step i+1."""

    losses: list[sp.Float]
    parameters: list[dict[str, sp.Expr]]
    gradients: list[dict[str, sp.Float]]
    states: list[dict[str, dict[str, sp.Float]]] = field(default_factory=list)

    @property
    def final(self) -> dict[str, sp.Expr]:
        return self.parameters[-1]


# -- the walk -----------------------------------------------------------------------------------

@dataclass
class _Pass:
    """One example through the network in one arithmetic (numbers of that arithmetic)."""

    z: dict
    a: dict
    df: dict          # f'(z_n) for elementwise neurons
    loss: object = None
    grad_a: dict = field(default_factory=dict)   # ∂E/∂a_n
    delta: dict = field(default_factory=dict)    # ∂E/∂z_n


class _Checker:
    """Refuses values that are not finite or beyond double range, naming where they arose."""

    def __init__(self, arith, example: int | None = None):
        self.arith, self.example = arith, example

    def __call__(self, value, what: str, name: str = "", layer: int | None = None):
        """``value``, if finite and within double range; else a WalkError saying that
        ``what`` (with ``{}`` filled by ``name``: formatted only then) is not."""
        if not self.arith.in_range(value):
            raise WalkError(f"{what.format(name)} is {_shown(value)}{self._in()}, beyond the "
                            f"range of a double (about ±{DOUBLE_MAX:.3g})", layer)
        return self.arith.kept(value)

    def _in(self) -> str:
        return "" if self.example is None else f" in example {self.example + 1}"

    def activation(self, graph: Graph, n: str, z, exact_z):
        """(f(z), f'(z), exact f(z) or None), each finite and within double range."""
        layer = graph.layer_index[n]
        try:
            result = self.arith.activate(graph.layer[n].activation, z, exact_z)
        except NotReal as e:
            raise WalkError(f"not real and finite at z = {_shown(z)} for neuron {n}"
                            f"{self._in()}: {e.reason}", layer=layer) from None
        f, df = result[0], result[1]
        if not (self.arith.in_range(f) and self.arith.in_range(df)):
            at = f"(at z = {_shown(z)})"
            self(f, "the output of {} " + at, n, layer)
            self(df, "the derivative of {}'s activation " + at, n, layer)
        return result


def _shown(value) -> str:
    """A value in a message, to 6 digits: 0.308529, 0 (not 0.0), 1e+312, 7.11039e+2470076."""
    return re.sub(r"\.0(?=e|$)", "", mpmath.nstr(mpmath.mpf(value), 6))


def _forward(graph: Graph, arith, params: dict, inputs: dict, exact: dict | None,
             check: _Checker) -> _Pass:
    """``exact``: the parameters known exactly (Fractions), or None for no exact tracking."""
    a = {n: check(arith.number(inputs[n]), "the input {}", n) for n in graph.network.inputs}
    if exact is not None and arith.exact:
        exact = {**exact, **_fractions(inputs)}
    else:
        exact = None
    z, df = {}, {}
    for layer in graph.network.layers:
        for n in layer.neurons:
            total = 0
            for e in graph.incoming[n]:
                total += params[e.name] * a[e.source]
            for b in graph.biases[n]:
                total += params[b.name]
            z[n] = check(total, "the net input of {}", n)
        if is_softmax(layer):
            for n, value in zip(layer.neurons, _softmax(arith, [z[n] for n in layer.neurons])):
                a[n] = value
            continue
        for n in layer.neurons:
            exact_z = _exact_net_input(graph, n, exact) if exact is not None else None
            if exact_z is not None:
                z[n] = arith.number(exact_z)
            a[n], df[n], exact_a = check.activation(graph, n, z[n], exact_z)
            if exact_a is not None:
                exact[n] = exact_a
    return _Pass(z, a, df)


def _fractions(values: Mapping) -> dict[str, Fraction]:
    """The values that are exact rationals, as Fractions (fast exact arithmetic)."""
    out = {}
    for k, v in values.items():
        if isinstance(v, (int, Fraction)):
            out[k] = Fraction(v)
        elif isinstance(v, sp.Basic) and v.is_Rational:
            out[k] = Fraction(int(v.p), int(v.q))
    return out


def _exact_net_input(graph: Graph, n: str, exact: dict) -> Fraction | None:
    total = Fraction(0)
    for e in graph.incoming[n]:
        if e.name not in exact or e.source not in exact:
            return None
        total += exact[e.name] * exact[e.source]
    for b in graph.biases[n]:
        if b.name not in exact:
            return None
        total += exact[b.name]
    return total


def _softmax(arith, zs):
    top = arith.softmax_shift(zs)
    exps = [arith.exp(v - top) for v in zs]
    total = sum(exps)
    return [v / total for v in exps]


def _backward(graph: Graph, arith, params: dict, targets: dict, loss: str,
              p: _Pass, grads: dict, weight, check: _Checker) -> None:
    """Fill p.loss, p.grad_a, p.delta and add weight·∂E/∂p into ``grads``."""
    out_layer = graph.network.layers[-1]
    outputs = [p.a[n] for n in graph.outputs]
    ys = [arith.number(targets[n]) for n in graph.outputs]
    try:
        if loss == "ce" and is_softmax(out_layer):
            # ce through its softmax layer: ∂E/∂z_j = o_j Σy − y_j (never divides by o_j)
            p.loss, _ = arith.loss("ce", outputs, ys, logits=False)
            total_y = sum(ys)
            for n, o, y in zip(graph.outputs, outputs, ys):
                p.delta[n] = o * total_y - y
        else:
            p.loss, dE = arith.loss(loss, outputs, ys, logits=(loss == "ce"))
            p.grad_a.update(zip(graph.outputs, dE))
    except NotReal as e:
        raise WalkError(f"the loss {loss} is not real and finite{check._in()}: "
                        f"{e.reason}") from None
    check(p.loss, "the loss")
    for layer in reversed(graph.network.layers):
        if layer is not out_layer or not p.delta:
            _layer_delta(layer, p)
        for n in layer.neurons:
            d = check(p.delta[n], "∂E/∂z of {}", n)
            for e in graph.incoming[n]:
                grads[e.name] += weight * d * p.a[e.source]
                # ∂E/∂a of the neuron or input it comes from (inputs: saliency, §5.5)
                p.grad_a[e.source] = p.grad_a.get(e.source, 0) + params[e.name] * d
            for b in graph.biases[n]:
                grads[b.name] += weight * d


def _layer_delta(layer, p: _Pass) -> None:
    ns = layer.neurons
    g = [p.grad_a.get(n, 0) for n in ns]  # a neuron feeding nothing has ∂E/∂a = 0
    if is_softmax(layer):
        # ∂a_k/∂z_j = a_k(δ_kj − a_j), so δ_j = a_j (g_j − Σ_k g_k a_k)
        s = sum(gk * p.a[n] for gk, n in zip(g, ns))
        for gj, n in zip(g, ns):
            p.delta[n] = p.a[n] * (gj - s)
    else:
        for gj, n in zip(g, ns):
            p.delta[n] = gj * p.df[n]


def _check_examples(network: Network, examples) -> None:
    if not examples:
        raise ValueError("at least one example is needed")
    for inputs, targets in examples:
        missing = [n for n in network.inputs if n not in inputs]
        missing += [n for n in network.outputs if n not in targets]
        if missing:
            raise ValueError(f"example lacks values for {', '.join(missing)}")


def _walk(network: Network, examples, loss: str, arith, params=None, decay=0):
    """All examples through the network: (passes, total loss, gradient of every parameter).

    ``decay`` λ adds (λ/2)·Σ w² over the weights (not the biases) to the loss, so λ·w to
    each weight's gradient."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    _check_examples(network, examples)
    graph = Graph(network)
    with arith.context():
        given = params or network.parameters()
        values = {k: arith.number(v) for k, v in given.items()}
        exact = _fractions(given)
        weight = arith.number(example_weight(loss, len(examples)))
        grads = {k: 0 * weight for k in values}
        passes, total = [], 0
        for i, (inputs, targets) in enumerate(examples):
            check = _Checker(arith, i)
            p = _forward(graph, arith, values, inputs, exact, check)
            _backward(graph, arith, values, targets, loss, p, grads, weight, check)
            passes.append(p)
            total += p.loss
        total = weight * total
        if decay:
            lam = arith.number(decay)
            for w in network.weights:
                grads[w] += lam * values[w]
                total += lam / 2 * values[w] * values[w]
        check = _Checker(arith)
        for k, g in grads.items():
            check(g, "∂E/∂{}", k)
        return passes, check(total, "the loss"), grads, graph


# -- public API --------------------------------------------------------------------------------

def forward(network: Network, inputs: Mapping[str, sp.Expr], prec: int = 50,
            notation: Notation | None = None) -> ForwardPass:
    """Net inputs and activations of every neuron for one input, symbolically and at prec."""
    notation = notation or Notation()
    arith = HighPrecision(prec)
    graph = Graph(network)
    with arith.context():
        params = {k: arith.number(v) for k, v in network.parameters().items()}
        p = _forward(graph, arith, params, inputs, _fractions(network.parameters()),
                     _Checker(arith))
        z = {n: arith.result(v) for n, v in p.z.items()}
        a = {n: (sp.sympify(inputs[n], strict=True) if n in network.inputs
                 else arith.result(v)) for n, v in p.a.items()}
        slope = {n: arith.result(v) for n, v in p.df.items()}
    return ForwardPass(
        net_input_expr={n: graph.net_input_expr(n) for n in network.neurons},
        activation_expr=_activation_exprs(network, notation),
        z=z, a=a,
        z_float={n: float(v) for n, v in z.items()},
        a_float={n: float(v) for n, v in a.items()},
        slope=slope,
    )


def net_input_expr(network: Network, neuron: str) -> sp.Expr:
    """w5·h1 + w7·h2 + b2: the terms in edge order, kept as written."""
    return Graph(network).net_input_expr(neuron)


def _activation_exprs(network: Network, notation: Notation) -> dict[str, sp.Expr]:
    exprs = {}
    for layer in network.layers:
        if is_softmax(layer):
            total = sp.Add(*[sp.exp(notation.z(n)) for n in layer.neurons])
            for n in layer.neurons:
                exprs[n] = sp.exp(notation.z(n)) / total
        else:
            for n in layer.neurons:
                exprs[n] = layer.activation.expr(notation.z(n))
    return exprs


def total_loss(network: Network, examples, loss: str, prec: int = 50, decay=0) -> sp.Float:
    """The loss summed over the examples (averaged for mse), plus the weight decay term,
    at prec digits."""
    arith = HighPrecision(prec)
    _, total, _, _ = _walk(network, examples, loss, arith, decay=decay)
    with arith.context():
        return arith.result(total)


def gradients(network: Network, examples, loss: str, wrt=None, prec: int = 50,
              notation: Notation | None = None, decay=0,
              cited=frozenset()) -> dict[str, Gradient]:
    """∂E/∂p for every parameter at prec digits; chain-rule factors for those in ``wrt``.

    ``examples``: a list of (inputs, targets) dicts of exact values. ``wrt``: the parameter
    names whose chains a sheet shows, ``"all"``, or None (values only, the bulk route).
    ``cited``: the neurons whose δ the sheet works once; chains through them cite it.
    """
    notation = notation or Notation()
    shown = _shown_parameters(network, wrt)
    arith = HighPrecision(prec)
    passes, _, grads, graph = _walk(network, examples, loss, arith, decay=decay)
    scale = example_weight(loss, len(examples))
    chains = ChainBuilder(graph, examples, loss, passes, arith, notation) if shown else None
    with arith.context():
        return {k: Gradient(k, arith.result(v),
                            chains.of_parameter(k, cited) if k in shown else (), scale)
                for k, v in grads.items()}


def input_gradients(network: Network, examples, loss: str, wrt, prec: int = 50,
                    notation: Notation | None = None) -> dict[str, Gradient]:
    """∂E/∂x for the inputs ``wrt`` (summed over the examples, scaled as the loss is), each
    with its chain per example: ∂E/∂x = Σ_k w_xk ∂E/∂z_k."""
    notation = notation or Notation()
    arith = HighPrecision(prec)
    passes, _, _, graph = _walk(network, examples, loss, arith)
    scale = example_weight(loss, len(examples))
    chains = ChainBuilder(graph, examples, loss, passes, arith, notation)
    out = {}
    with arith.context():
        for x in wrt:
            total = arith.number(scale) * sum(p.grad_a.get(x, 0) for p in passes)
            factors = [chains.grad_a(i, x) for i in range(len(examples))]
            out[x] = Gradient(x, arith.result(total),
                              tuple(Chain((f,), i, x, f.value) for i, f in enumerate(factors)),
                              scale)
    return out


def gradients_float(network: Network, examples, loss: str, decay=0) -> dict[str, float]:
    """∂E/∂p for every parameter in float64 (the fast route; same walk, same rules)."""
    _, _, grads, _ = _walk(network, examples, loss, Float64(), decay=decay)
    return grads


def closed_form(network: Network, examples, loss: str, parameters: Mapping[str, sp.Expr],
                decay=0, inputs=()):
    """(definitions, loss, {parameter or input: ∂E/∂·}) as formulas: ``parameters`` and the
    examples' values are symbols (or numbers). The same walk in :class:`Symbolic`
    arithmetic: each neuron's values are named (``definitions``, in order, each in the names
    before it), so the size stays linear in the edges. ``decay`` and ``inputs`` as in
    :func:`gradients` and :func:`input_gradients`."""
    arith = Symbolic()
    passes, total, grads, _ = _walk(network, examples, loss, arith, dict(parameters),
                                    decay=decay)
    scale = example_weight(loss, len(examples))
    with arith.context():
        for x in inputs:
            grads[x] = arith.number(scale) * sum(p.grad_a.get(x, 0) for p in passes)
    return arith.definitions, total, grads


def deltas(network: Network, examples, loss: str, prec: int = 50,
           notation: Notation | None = None, of=None) -> list[dict[str, ChainFactor]]:
    """δ_n = ∂E/∂z_n per example, in the δ form: δ_o = ∂E/∂o · f'(z_o) and
    δ_h = f'(z_h) Σ_k w_hk δ_k (softmax: its own formula), output layer first.

    ``of``: per example, the neurons whose δ a sheet needs; then only those and every δ
    their formulas refer to (δ_h needs the δ of the neurons h feeds). Default: every neuron.
    """
    notation = notation or Notation()
    arith = HighPrecision(prec)
    passes, _, _, graph = _walk(network, examples, loss, arith)
    chains = ChainBuilder(graph, examples, loss, passes, arith, notation)
    order = [n for layer in reversed(network.layers) for n in layer.neurons]
    z_of = {notation.z(n): n for n in network.neurons}
    out = []
    for i in range(len(examples)):
        todo, seen = list(network.neurons if of is None else of[i]), set()
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(deltas_referred(chains.delta(i, n).formula, notation.E, z_of))
        out.append({n: chains.delta(i, n) for n in order if n in seen})
    return out


def cited_neurons(network: Network, wrt) -> frozenset[str]:
    """The neurons whose δ a sheet works once and cites: those two or more of the chains
    of ``wrt`` go through, those the remaining chains' ∂E/∂a = Σ w δ refer to, and the
    neurons after them, whose δ a cited hidden δ refers to (δ_h = f'(z_h) Σ_k w_hk δ_k)."""
    graph = Graph(network)
    through: dict[str, int] = {}
    for p in wrt:
        targets = ([network.weights[p].target] if p in network.weights
                   else network.biases[p].targets)
        for n in targets:
            through[n] = through.get(n, 0) + 1
    cited = {n for n, count in through.items() if count > 1}
    todo = [e.target for n in through if n not in cited for e in graph.outgoing[n]]
    todo += [e.target for n in cited for e in graph.outgoing[n]]
    while todo:
        n = todo.pop()
        if n not in cited:
            cited.add(n)
            todo.extend(e.target for e in graph.outgoing[n])
    return frozenset(cited)


def deltas_referred(expr: sp.Expr, loss_symbol: sp.Symbol, z_of: dict) -> set[str]:
    """The neurons n whose δ_n = ∂E/∂z_n appears in ``expr`` (``z_of``: z symbol → neuron)."""
    return {z_of[d.variables[0]] for d in expr.atoms(sp.Derivative)
            if d.expr == loss_symbol and len(d.variables) == 1 and d.variables[0] in z_of}


def train(network: Network, examples, loss: str, learning_rate, trained="all",
          steps: int = 1, prec: int = 50, optimizer: Optimizer | None = None,
          decay=0) -> TrainingRun:
    """Batch training: each step takes every gradient at the parameters as they were at
    its start, then the optimiser (default plain SGD at ``learning_rate``) updates every
    trained parameter at once."""
    params = network.parameters()
    names = list(params) if trained == "all" else list(trained)
    unknown = [k for k in names if k not in params]
    if unknown:
        raise ValueError(f"unknown parameters {', '.join(unknown)}")
    optimizer = optimizer or SGD(learning_rate)
    arith = HighPrecision(prec)
    check = _Checker(arith)
    ops = Ops(arith.number, mpmath.sqrt)

    def objective(values):
        _, total, grads, _ = _walk(network, examples, loss, arith, values, decay)
        return total, grads

    losses, history, grad_history, state_history = [], [], [], []
    with arith.context():
        start = {k: arith.number(v) for k, v in params.items()}
        for point in descend(start, names, objective, optimizer, ops):
            losses.append(arith.result(point.value))
            if point.t:
                after = f"{{}} after step {point.t}"
                history.append({**params, **{k: arith.result(check(point.parameters[k],
                                                                  after, k))
                                             for k in names}})
                state_history.append({k: {n: arith.result(v) for n, v in st.items()}
                                      for k, st in point.states.items()})
            if point.t == steps:
                break
            grad_history.append({k: arith.result(point.gradients[k]) for k in names})
    return TrainingRun(losses, history, grad_history, state_history)


def _shown_parameters(network: Network, wrt) -> set:
    if wrt is None:
        return set()
    names = set(network.parameters())
    shown = names if wrt == "all" else set(wrt)
    unknown = shown - names
    if unknown:
        raise ValueError(f"unknown parameters {', '.join(sorted(unknown))}")
    return shown
