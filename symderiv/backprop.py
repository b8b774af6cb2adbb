"""Forward pass, chain-rule gradients and gradient descent, one local rule per neuron.

Each computed neuron n has two symbols: its net input z_n = Σ w·a + b and its output
a_n = f(z_n), written with the neuron's own name (h1, o1). As in micrograd, the backward
walk multiplies each neuron's local derivative by the gradient flowing into it, so nothing
is ever nested and the cost is linear in the number of edges:

    δ_n = ∂E/∂z_n = ∂E/∂a_n · f'(z_n),   ∂E/∂a_h = Σ_k w_hk δ_k,
    ∂E/∂w = δ_target · a_source,         ∂E/∂b = Σ_{n fed by b} δ_n.

The local rules are SymPy expressions (the activation's derivative, the loss's ∂E/∂o).
Two arithmetics walk the same graph with them:
- high precision (:class:`_HighPrecision`): mpmath at ``prec`` digits along the edges, the
  SymPy rules evaluated per neuron; every value a sheet shows comes from here;
- float64 (:class:`_Float64`): the activations' numeric functions, for bulk work
  (:func:`gradients_float`); the tests hold it to the high-precision values.
Chain-rule factors (symbol = formula = numbers = value) are built only for the parameters
asked for, from the values of the walk.
"""

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Mapping

import mpmath
import sympy as sp

from symderiv.expr import symbol
from symderiv.functions import to_elementary
from symderiv.latex import _DENSE_NAME
from symderiv.losses import (LOSSES, ce_softmax_delta, example_weight, loss_derivative,
                             loss_expression)
from symderiv.network import Network

_GUARD = 10  # extra working digits, so results are right to ``prec`` digits
_Z = symbol("z")  # the argument of every activation rule


# -- notation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Notation:
    """Display names: the loss symbol, each neuron's net input and each output's target.

    Defaults: loss E; net input z_{h1} for h1 (z1_2 for the dense neuron n1_2); target
    y_{o1} for o1 (y_2 for the dense output n3_2). The seed would pass
    ``Notation("e", {"o1": "z1", "o2": "z2"}, {"o1": "y1", "o2": "y2"})``.
    """

    loss: str = "E"
    net_inputs: Mapping[str, str] = field(default_factory=dict)
    targets: Mapping[str, str] = field(default_factory=dict)

    @property
    def E(self) -> sp.Symbol:
        return symbol(self.loss)

    def a(self, neuron: str) -> sp.Symbol:
        return symbol(neuron)

    def z(self, neuron: str) -> sp.Symbol:
        dense = _dense_neuron(neuron)
        default = f"z{dense[0]}_{dense[1]}" if dense else f"z_{neuron}"
        return symbol(self.net_inputs.get(neuron, default))

    def y(self, neuron: str) -> sp.Symbol:
        dense = _dense_neuron(neuron)
        return symbol(self.targets.get(neuron, f"y_{dense[1] if dense else neuron}"))


def _dense_neuron(neuron: str) -> tuple[str, str] | None:
    """(layer, j) for the contract's unnamed dense neuron n{l}_{j}, else None."""
    m = _DENSE_NAME.match(neuron)
    return (m.group(2), m.group(3)) if m and m.group(1) == "n" and m.group(4) is None else None


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


@dataclass(frozen=True)
class ChainFactor:
    """One factor of a chain: symbol = formula = output_form = substituted = value."""

    symbol: sp.Expr              # unevaluated ∂E/∂o_1, ∂o_1/∂z_1, ∂z_1/∂w_5
    formula: sp.Expr             # 2(o_1 − y_1), σ(z_1)(1 − σ(z_1)), h_1
    output_form: sp.Expr | None  # o_1(1 − o_1) where the activation has one
    substituted: sp.Expr         # (output_form or formula) with the numbers, unevaluated
    value: sp.Float              # at prec digits

    @property
    def float(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class Chain:
    """The product of ``factors`` for one example and one path into the parameter."""

    factors: tuple[ChainFactor, ...]
    example: int   # index into the examples
    neuron: str    # the neuron whose net input holds the parameter
    value: sp.Float


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
    """Plain batch gradient descent: ``losses[i]`` before step i+1 (the last after the last
    step); ``parameters[i]`` and ``gradients[i]`` after and during step i+1."""

    losses: list[sp.Float]
    parameters: list[dict[str, sp.Expr]]
    gradients: list[dict[str, sp.Float]]

    @property
    def final(self) -> dict[str, sp.Expr]:
        return self.parameters[-1]


# -- the graph, indexed once ----------------------------------------------------------------

class _Graph:
    """Incoming and outgoing edges per neuron, so the walks touch each edge once."""

    def __init__(self, network: Network):
        self.network = network
        self.incoming = {n: [] for n in network.neurons}
        self.outgoing = {n: [] for n in (*network.inputs, *network.neurons)}
        for e in network.weights.values():
            self.incoming[e.target].append(e)
            self.outgoing[e.source].append(e)
        self.biases = {n: [] for n in network.neurons}
        for b in network.biases.values():
            for t in b.targets:
                self.biases[t].append(b)
        self.layer = {n: layer for layer in network.layers for n in layer.neurons}
        self.outputs = network.outputs


# -- arithmetics ------------------------------------------------------------------------------

def _is_softmax(layer) -> bool:
    return not layer.activation.elementwise


class _HighPrecision:
    """mpmath at ``prec`` + guard digits; activations from their SymPy rules.

    A net input known exactly (rational inputs and parameters, rational activations such
    as ReLU on the way) is also kept as a Fraction, and its activation and derivative are
    then taken from the SymPy rule at that exact value: at a kink (ReLU at z = 0 from
    0.1·3 − 0.3) no rounding can pick the wrong side.
    """

    exact = True

    def __init__(self, prec: int):
        self.prec = prec
        self.dps = prec + _GUARD

    def context(self):
        return mpmath.workdps(self.dps)

    def number(self, value) -> mpmath.mpf:
        if isinstance(value, mpmath.mpf):
            return value
        if isinstance(value, Fraction):
            return mpmath.mpf(value.numerator) / value.denominator
        return mpmath.mpf(sp.Float(value, self.dps)._mpf_)

    def exp(self, x):
        return mpmath.exp(x)

    def activate(self, activation, z, exact_z):
        """(f(z), f'(z), f(z) as a Fraction or None)."""
        rule = _mp_rule(activation)
        if exact_z is not None:
            at = {_Z: sp.Rational(exact_z.numerator, exact_z.denominator)}
            fz, dfz = rule.f.xreplace(at), rule.df.xreplace(at)
            return (self._evaluate(fz), self._evaluate(dfz),
                    Fraction(int(fz.p), int(fz.q)) if fz.is_Rational else None)
        return rule.f_at(z, self.dps), rule.df_at(z, self.dps), None

    def _evaluate(self, value: sp.Expr) -> mpmath.mpf:
        return self.number(value.evalf(self.dps))

    def loss(self, name, outputs, targets, logits):
        """(E, [∂E/∂o_k]) for one example."""
        values = _loss_mpmath(name, len(outputs), logits)(*outputs, *targets)
        return values[0], list(values[1:])

    def result(self, x) -> sp.Float:
        return sp.Float(x, self.prec)


class _Float64:
    """Python floats; activations through BoundActivation.numeric / numeric_derivative."""

    exact = False
    prec = None

    def context(self):
        return _NoContext()

    def number(self, value) -> float:
        return float(value)

    def exp(self, x):
        return math.exp(x)

    def activate(self, activation, z, exact_z):
        return float(activation.numeric(z)), float(activation.numeric_derivative(z)), None

    def loss(self, name, outputs, targets, logits):
        values = _loss_float(name, len(outputs), logits)(*outputs, *targets)
        return values[0], list(values[1:])

    def result(self, x) -> float:
        return float(x)


class _NoContext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@dataclass(frozen=True)
class _MpRule:
    """An activation's f and f' in z, with mpmath functions lambdified from them once."""

    f: sp.Expr
    df: sp.Expr
    f_fast: object  # a function of an mpf, or None where lambdify could not be trusted
    df_fast: object

    def f_at(self, z, dps):
        return _at(self.f, self.f_fast, z, dps)

    def df_at(self, z, dps):
        return _at(self.df, self.df_fast, z, dps)


def _at(expr, fast, z, dps):
    if fast is not None:
        return mpmath.mpf(fast(z))
    return mpmath.mpf(sp.Float(expr.xreplace({_Z: sp.Float(z, dps)}).evalf(dps), dps)._mpf_)


_MP_RULES: dict = {}
_PROBES = ("-1.7", "-0.3", "0.45", "2.2")


def _mp_rule(activation) -> _MpRule:
    key = (activation.name, tuple(sorted(activation.params.items(), key=lambda kv: kv[0])))
    if key not in _MP_RULES:
        f, df = activation.expr(_Z), activation.derivative(_Z)
        _MP_RULES[key] = _MpRule(f, df, _trusted_mpmath(f), _trusted_mpmath(df))
    return _MP_RULES[key]


def _trusted_mpmath(expr: sp.Expr):
    """expr lambdified for mpmath, if it matches SymPy's own evaluation at a few points."""
    try:
        fast = sp.lambdify(_Z, to_elementary(expr), modules="mpmath")
        with mpmath.workdps(40):
            for probe in _PROBES:
                slow = sp.Float(expr.xreplace({_Z: sp.Float(probe, 40)}).evalf(40), 40)
                if abs(mpmath.mpf(fast(mpmath.mpf(probe))) - mpmath.mpf(slow._mpf_)) > \
                        mpmath.mpf(10) ** -35 * max(1, abs(mpmath.mpf(slow._mpf_))):
                    return None
    except Exception:  # noqa: BLE001 -- any failure means: evaluate through SymPy instead
        return None
    return fast


@lru_cache(maxsize=None)
def _loss_symbols(count: int):
    return ([symbol(f"o_{k}") for k in range(count)], [symbol(f"y_{k}") for k in range(count)])


@lru_cache(maxsize=None)
def _loss_rules(name: str, count: int, logits: bool):
    outputs, targets = _loss_symbols(count)
    return (loss_expression(name, outputs, targets, logits),
            [loss_derivative(name, o, outputs, targets, logits) for o in outputs])


@lru_cache(maxsize=None)
def _loss_float(name: str, count: int, logits: bool):
    return _loss_lambdified(name, count, logits, "math")


@lru_cache(maxsize=None)
def _loss_mpmath(name: str, count: int, logits: bool):
    return _loss_lambdified(name, count, logits, "mpmath")


def _loss_lambdified(name: str, count: int, logits: bool, module: str):
    outputs, targets = _loss_symbols(count)
    expr, derivatives = _loss_rules(name, count, logits)
    return sp.lambdify([*outputs, *targets], [expr, *derivatives], modules=module)


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


def _forward(graph: _Graph, arith, params: dict, inputs: dict, exact: dict | None) -> _Pass:
    """``exact``: the parameters known exactly (Fractions), or None for no exact tracking."""
    a = {n: arith.number(inputs[n]) for n in graph.network.inputs}
    if exact is not None and arith.exact:
        exact = {**exact, **_fractions(inputs)}
    else:
        exact = None
    z, df = {}, {}
    for layer in graph.network.layers:
        act = layer.activation
        for n in layer.neurons:
            total = 0
            for e in graph.incoming[n]:
                total += params[e.name] * a[e.source]
            for b in graph.biases[n]:
                total += params[b.name]
            z[n] = total
        if _is_softmax(layer):
            for n, value in zip(layer.neurons, _softmax(arith, [z[n] for n in layer.neurons])):
                a[n] = value
            continue
        for n in layer.neurons:
            exact_z = _exact_net_input(graph, n, exact) if exact is not None else None
            if exact_z is not None:
                z[n] = arith.number(exact_z)
            a[n], df[n], exact_a = arith.activate(act, z[n], exact_z)
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


def _exact_net_input(graph: _Graph, n: str, exact: dict) -> Fraction | None:
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
    top = max(zs)  # shifting by the largest keeps float64 from overflowing
    exps = [arith.exp(v - top) for v in zs]
    total = sum(exps)
    return [v / total for v in exps]


def _backward(graph: _Graph, arith, params: dict, targets: dict, loss: str,
              p: _Pass, grads: dict, weight) -> None:
    """Fill p.loss, p.grad_a, p.delta and add weight·∂E/∂p into ``grads``."""
    out_layer = graph.network.layers[-1]
    outputs = [p.a[n] for n in graph.outputs]
    ys = [arith.number(targets[n]) for n in graph.outputs]
    if loss == "ce" and _is_softmax(out_layer):
        # ce through its softmax layer: ∂E/∂z_j = o_j Σy − y_j (never divides by o_j)
        p.loss, _ = arith.loss("ce", outputs, ys, logits=False)
        total_y = sum(ys)
        for n, o, y in zip(graph.outputs, outputs, ys):
            p.delta[n] = o * total_y - y
    else:
        p.loss, dE = arith.loss(loss, outputs, ys, logits=(loss == "ce"))
        p.grad_a.update(zip(graph.outputs, dE))
    for layer in reversed(graph.network.layers):
        if layer is not out_layer or not p.delta:
            _layer_delta(layer, p)
        for n in layer.neurons:
            d = p.delta[n]
            for e in graph.incoming[n]:
                grads[e.name] += weight * d * p.a[e.source]
                if e.source in p.z:  # a computed neuron, not an input
                    p.grad_a[e.source] = p.grad_a.get(e.source, 0) + params[e.name] * d
            for b in graph.biases[n]:
                grads[b.name] += weight * d


def _layer_delta(layer, p: _Pass) -> None:
    ns = layer.neurons
    g = [p.grad_a.get(n, 0) for n in ns]  # a neuron feeding nothing has ∂E/∂a = 0
    if _is_softmax(layer):
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


def _walk(network: Network, examples, loss: str, arith, params=None):
    """All examples through the network: (passes, total loss, gradient of every parameter)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    _check_examples(network, examples)
    graph = _Graph(network)
    with arith.context():
        given = params or network.parameters()
        values = {k: arith.number(v) for k, v in given.items()}
        exact = _fractions(given)
        weight = arith.number(example_weight(loss, len(examples)))
        grads = {k: 0 * weight for k in values}
        passes, total = [], 0
        for inputs, targets in examples:
            p = _forward(graph, arith, values, inputs, exact)
            _backward(graph, arith, values, targets, loss, p, grads, weight)
            passes.append(p)
            total += p.loss
        return passes, weight * total, grads, graph


# -- public API --------------------------------------------------------------------------------

def forward(network: Network, inputs: Mapping[str, sp.Expr], prec: int = 50,
            notation: Notation | None = None) -> ForwardPass:
    """Net inputs and activations of every neuron for one input, symbolically and at prec."""
    notation = notation or Notation()
    arith = _HighPrecision(prec)
    graph = _Graph(network)
    with arith.context():
        params = {k: arith.number(v) for k, v in network.parameters().items()}
        p = _forward(graph, arith, params, inputs, _fractions(network.parameters()))
        z = {n: arith.result(v) for n, v in p.z.items()}
        a = {n: (sp.sympify(inputs[n], strict=True) if n in network.inputs
                 else arith.result(v)) for n, v in p.a.items()}
    return ForwardPass(
        net_input_expr={n: net_input_expr(graph, n) for n in network.neurons},
        activation_expr=_activation_exprs(network, notation),
        z=z, a=a,
        z_float={n: float(v) for n, v in z.items()},
        a_float={n: float(v) for n, v in a.items()},
    )


def net_input_expr(graph: "_Graph | Network", neuron: str) -> sp.Expr:
    """w5·h1 + w7·h2 + b2: the terms in edge order, kept as written."""
    if isinstance(graph, Network):
        graph = _Graph(graph)
    terms = [sp.Mul(symbol(e.name), symbol(e.source), evaluate=False)
             for e in graph.incoming[neuron]]
    terms += [symbol(b.name) for b in graph.biases[neuron]]
    return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _activation_exprs(network: Network, notation: Notation) -> dict[str, sp.Expr]:
    exprs = {}
    for layer in network.layers:
        if _is_softmax(layer):
            total = sp.Add(*[sp.exp(notation.z(n)) for n in layer.neurons])
            for n in layer.neurons:
                exprs[n] = sp.exp(notation.z(n)) / total
        else:
            for n in layer.neurons:
                exprs[n] = layer.activation.expr(notation.z(n))
    return exprs


def total_loss(network: Network, examples, loss: str, prec: int = 50) -> sp.Float:
    """The loss summed over the examples (averaged for mse), at prec digits."""
    arith = _HighPrecision(prec)
    _, total, _, _ = _walk(network, examples, loss, arith)
    with arith.context():
        return arith.result(total)


def gradients(network: Network, examples, loss: str, wrt=None, prec: int = 50,
              notation: Notation | None = None) -> dict[str, Gradient]:
    """∂E/∂p for every parameter at prec digits; chain-rule factors for those in ``wrt``.

    ``examples``: a list of (inputs, targets) dicts of exact values. ``wrt``: the parameter
    names whose chains a sheet shows, ``"all"``, or None (values only, the bulk route).
    """
    notation = notation or Notation()
    shown = _shown(network, wrt)
    arith = _HighPrecision(prec)
    passes, _, grads, graph = _walk(network, examples, loss, arith)
    scale = example_weight(loss, len(examples))
    chains = _Chains(graph, examples, loss, passes, arith, notation) if shown else None
    with arith.context():
        return {k: Gradient(k, arith.result(v),
                            chains.of_parameter(k) if k in shown else (), scale)
                for k, v in grads.items()}


def gradients_float(network: Network, examples, loss: str) -> dict[str, float]:
    """∂E/∂p for every parameter in float64 (the fast route; same walk, same rules)."""
    _, _, grads, _ = _walk(network, examples, loss, _Float64())
    return grads


def deltas(network: Network, examples, loss: str, prec: int = 50,
           notation: Notation | None = None) -> list[dict[str, ChainFactor]]:
    """δ_n = ∂E/∂z_n for every neuron, per example, in the δ form:
    δ_o = ∂E/∂o · f'(z_o) and δ_h = f'(z_h) Σ_k w_hk δ_k (softmax: its own formula)."""
    notation = notation or Notation()
    arith = _HighPrecision(prec)
    passes, _, _, graph = _walk(network, examples, loss, arith)
    chains = _Chains(graph, examples, loss, passes, arith, notation)
    return [{n: chains.delta(i, n) for n in network.neurons} for i in range(len(examples))]


def train(network: Network, examples, loss: str, learning_rate, trained="all",
          steps: int = 1, prec: int = 50) -> TrainingRun:
    """Plain batch gradient descent: each step takes every gradient at the parameters as
    they were at its start, then updates every trained parameter at once."""
    names = list(network.parameters()) if trained == "all" else list(trained)
    unknown = [k for k in names if k not in network.parameters()]
    if unknown:
        raise ValueError(f"unknown parameters {', '.join(unknown)}")
    arith = _HighPrecision(prec)
    params = dict(network.parameters())
    losses, history, grad_history = [], [], []
    with arith.context():
        lr = arith.number(learning_rate)
        for _ in range(steps):
            _, total, grads, _ = _walk(network, examples, loss, arith, params)
            losses.append(arith.result(total))
            grad_history.append({k: arith.result(grads[k]) for k in names})
            params = {**params, **{k: arith.result(arith.number(params[k]) - lr * grads[k])
                                   for k in names}}
            history.append(params)
        _, total, _, _ = _walk(network, examples, loss, arith, params)
        losses.append(arith.result(total))
    return TrainingRun(losses, history, grad_history)


def _shown(network: Network, wrt) -> set:
    if wrt is None:
        return set()
    names = set(network.parameters())
    shown = names if wrt == "all" else set(wrt)
    unknown = shown - names
    if unknown:
        raise ValueError(f"unknown parameters {', '.join(sorted(unknown))}")
    return shown


# -- chain-rule factors for the parameters a sheet shows -----------------------------------------

class _Chains:
    """Builds ChainFactors from the walk's values; formulas come from the local rules."""

    def __init__(self, graph, examples, loss, passes, arith, notation):
        self.g, self.examples, self.loss = graph, examples, loss
        self.passes, self.arith, self.N = passes, arith, notation
        self.E = notation.E
        self.network = graph.network
        self._lookups = {}

    # values ---------------------------------------------------------------------------
    def _lookup(self, i: int) -> dict:
        """Symbol (or ∂E/∂z, ∂E/∂a) → its value in example i."""
        if i not in self._lookups:
            p, N, res = self.passes[i], self.N, self.arith.result
            inputs, targets = self.examples[i]
            table = {symbol(k): v for k, v in self.network.parameters().items()}
            table.update({N.a(n): inputs[n] for n in self.network.inputs})
            table.update({N.y(n): targets[n] for n in self.network.outputs})
            with self.arith.context():
                for n in self.network.neurons:
                    table[N.a(n)] = res(p.a[n])
                    table[N.z(n)] = res(p.z[n])
                    table[sp.Derivative(self.E, N.z(n))] = res(p.delta[n])
                    if n in p.grad_a:
                        table[sp.Derivative(self.E, N.a(n))] = res(p.grad_a[n])
            self._lookups[i] = table
        return self._lookups[i]

    def _factor(self, i, sym, formula, output_form, value) -> ChainFactor:
        table = self._lookup(i)
        shown = output_form if output_form is not None else formula
        shown = shown.replace(lambda e: isinstance(e, sp.Piecewise),
                              lambda e: _active_branch(e, table))
        atoms = shown.atoms(sp.Symbol, sp.Derivative)
        with sp.evaluate(False):
            substituted = shown.xreplace({s: table[s] for s in atoms if s in table})
        with self.arith.context():
            value = self.arith.result(value)
        return ChainFactor(sym, formula, output_form, substituted, value)

    # local rules ------------------------------------------------------------------------
    def _outputs_and_targets(self):
        return ([self.N.a(n) for n in self.g.outputs], [self.N.y(n) for n in self.g.outputs])

    def grad_a(self, i: int, n: str) -> ChainFactor:
        """∂E/∂a_n: the loss's derivative at an output, Σ_k w_nk δ_k at a hidden neuron."""
        N, p = self.N, self.passes[i]
        if n in self.g.outputs:
            outs, ys = self._outputs_and_targets()
            formula = loss_derivative(self.loss, N.a(n), outs, ys, logits=self.loss == "ce")
        else:
            terms = [sp.Mul(symbol(e.name), sp.Derivative(self.E, N.z(e.target)),
                            evaluate=False) for e in self.g.outgoing[n]]
            formula = sp.Add(*terms, evaluate=False) if len(terms) > 1 else (
                terms[0] if terms else sp.Integer(0))
        return self._factor(i, sp.Derivative(self.E, N.a(n)), formula, None,
                            p.grad_a.get(n, 0))

    def local_derivative(self, i: int, n: str) -> ChainFactor:
        """∂a_n/∂z_n = f'(z_n), with its form in the output a_n where there is one."""
        N, act = self.N, self.g.layer[n].activation
        formula = act.derivative(N.z(n))
        output_form = act.derivative_in_output(N.a(n))
        return self._factor(i, sp.Derivative(N.a(n), N.z(n)), formula, output_form,
                            self.passes[i].df[n])

    def delta(self, i: int, n: str) -> ChainFactor:
        """δ_n = ∂E/∂z_n in the δ form."""
        N, p, layer = self.N, self.passes[i], self.g.layer[n]
        sym = sp.Derivative(self.E, N.z(n))
        if _is_softmax(layer):
            return self._factor(i, sym, self._softmax_delta(i, n), None, p.delta[n])
        upstream, local = self.grad_a(i, n), self.local_derivative(i, n)
        if n in self.g.outputs:
            formula = sp.Mul(upstream.formula, local.formula, evaluate=False)
            output_form = (None if local.output_form is None else
                           sp.Mul(upstream.formula, local.output_form, evaluate=False))
        else:
            formula = sp.Mul(local.formula, upstream.formula, evaluate=False)
            output_form = (None if local.output_form is None else
                           sp.Mul(local.output_form, upstream.formula, evaluate=False))
        return self._factor(i, sym, formula, output_form, p.delta[n])

    def _softmax_delta(self, i: int, n: str) -> sp.Expr:
        N, layer = self.N, self.g.layer[n]
        if n in self.g.outputs and self.loss == "ce":
            outs, ys = self._outputs_and_targets()
            targets = self.examples[i][1]
            one_hot = sp.Add(*[targets[m] for m in self.g.outputs]) == 1
            return ce_softmax_delta(N.a(n), outs, ys, one_hot)
        # δ_j = a_j (∂E/∂a_j − Σ_k ∂E/∂a_k a_k)
        total = sp.Add(*[sp.Mul(sp.Derivative(self.E, N.a(m)), N.a(m), evaluate=False)
                         for m in layer.neurons], evaluate=False)
        return sp.Mul(N.a(n), sp.Add(sp.Derivative(self.E, N.a(n)), -total,
                                     evaluate=False), evaluate=False)

    # chains -----------------------------------------------------------------------------
    def of_parameter(self, name: str) -> tuple[Chain, ...]:
        net = self.network
        if name in net.weights:
            edge = net.weights[name]
            paths = [(edge.target, self.N.a(edge.source))]
        else:
            paths = [(t, sp.Integer(1)) for t in net.biases[name].targets]
        return tuple(self._chain(i, name, n, last)
                     for i in range(len(self.examples)) for n, last in paths)

    def _chain(self, i: int, name: str, n: str, dz_dp: sp.Expr) -> Chain:
        """∂E/∂a_n · ∂a_n/∂z_n · ∂z_n/∂p, or ∂E/∂z_n · ∂z_n/∂p through a softmax layer."""
        if _is_softmax(self.g.layer[n]):
            head = [self.delta(i, n)]
        else:
            head = [self.grad_a(i, n), self.local_derivative(i, n)]
        p = self.passes[i]
        source_value = (p.a[net_source] if (net_source := self._source(name)) else 1)
        last = self._factor(i, sp.Derivative(self.N.z(n), symbol(name)), dz_dp, None,
                            source_value)
        with self.arith.context():
            product = p.delta[n] * source_value
            value = self.arith.result(product)
        return Chain((*head, last), i, n, value)

    def _source(self, name: str) -> str | None:
        edge = self.network.weights.get(name)
        return edge.source if edge else None


def _active_branch(piecewise: sp.Piecewise, table: dict) -> sp.Expr:
    """The piece of a piecewise formula that holds at the example's values (ReLU: 1 or 0)."""
    for expr, condition in piecewise.args:
        if condition.xreplace(table) == sp.true:
            return expr
    return piecewise
