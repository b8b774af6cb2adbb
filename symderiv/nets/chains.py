"""Chain-rule factors (symbol = formula = output form = numbers = value) from a walk's values.

The formulas are the local rules (the loss's ∂E/∂o, the activation's derivative, Σ w·δ);
the values are the walk's. A factor that depends only on the example and the neuron
(∂E/∂h1, ∂h1/∂z_{h1}, δ) is built once and shared by every chain through that neuron, so
working out every gradient of a network costs one factor per parameter beyond those.
"""

from dataclasses import replace

import sympy as sp

from symderiv.records import dataclass
from symderiv.nets.graph import Graph, is_softmax
from symderiv.nets.losses import ce_softmax_delta, loss_derivative, written_targets
from symderiv.nets.notation import Notation
from symderiv.solution import substitute


@dataclass(frozen=True)
class ChainFactor:
    """One factor of a chain: symbol = formula = output_form = substituted = value."""

    symbol: sp.Expr              # unevaluated ∂E/∂o_1, ∂o_1/∂z_1, ∂z_1/∂w_5
    formula: sp.Expr             # 2(o_1 − y_1), σ(z_1)(1 − σ(z_1)), h_1
    output_form: sp.Expr | None  # o_1(1 − o_1) where the activation has one
    substituted: sp.Expr         # (output_form or formula) with the numbers, unevaluated
    value: sp.Float              # at prec digits (∂z/∂w at an input: the given value)

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
    # δ_n · ∂z_n/∂p, the δ worked once in the backward pass and cited here by name
    cites_delta: bool = False


class ChainBuilder:
    """Builds ChainFactors from the walk's values (``passes``, one per example)."""

    def __init__(self, graph: Graph, examples, loss: str, passes, arith, notation: Notation):
        self.g, self.examples, self.loss = graph, examples, loss
        self.passes, self.arith, self.N = passes, arith, notation
        self.E = notation.E
        self.network = graph.network
        self._lookups: dict[int, dict] = {}
        self._made: dict[tuple, ChainFactor] = {}   # (kind, example, neuron) -> factor

    # values ---------------------------------------------------------------------------
    def _lookup(self, i: int) -> dict:
        """Symbol (or ∂E/∂z, ∂E/∂a) → its value in example i."""
        if i not in self._lookups:
            p, N, res = self.passes[i], self.N, self.arith.result
            inputs, targets = self.examples[i]
            table = {N.symbol(k): v for k, v in self.network.parameters().items()}
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
        if not shown.is_Atom:
            shown = shown.replace(lambda e: isinstance(e, sp.Piecewise),
                                  lambda e: _active_branch(e, table))
        substituted = substitute(shown, table)
        with self.arith.context():
            value = self.arith.result(value)
        return ChainFactor(sym, formula, output_form, substituted, value)

    def _once(self, kind: str, i: int, n: str, make) -> ChainFactor:
        key = (kind, i, n)
        if key not in self._made:
            self._made[key] = make(i, n)
        return self._made[key]

    # local rules ------------------------------------------------------------------------
    def _outputs_and_targets(self):
        outputs = self.g.outputs
        return ([self.N.a(n) for n in outputs],
                written_targets(self.loss, [self.N.y(n) for n in outputs],
                                [self.examples[0][1][n] for n in outputs]))

    def grad_a(self, i: int, n: str) -> ChainFactor:
        """∂E/∂a_n: the loss's derivative at an output, Σ_k w_nk δ_k at a hidden neuron."""
        return self._once("grad_a", i, n, self._grad_a)

    def _grad_a(self, i: int, n: str) -> ChainFactor:
        N, p = self.N, self.passes[i]
        if n in self.g.outputs:
            outs, ys = self._outputs_and_targets()
            formula = loss_derivative(self.loss, N.a(n), outs, ys, logits=self.loss == "ce")
        else:
            terms = [sp.Mul(N.symbol(e.name), sp.Derivative(self.E, N.z(e.target)),
                            evaluate=False) for e in self.g.outgoing[n]]
            formula = sp.Add(*terms, evaluate=False) if len(terms) > 1 else (
                terms[0] if terms else sp.Integer(0))
        return self._factor(i, sp.Derivative(self.E, N.a(n)), formula, None,
                            p.grad_a.get(n, 0))

    def local_derivative(self, i: int, n: str) -> ChainFactor:
        """∂a_n/∂z_n = f'(z_n), with its form in the output a_n where there is one."""
        return self._once("local", i, n, self._local_derivative)

    def _local_derivative(self, i: int, n: str) -> ChainFactor:
        N, act = self.N, self.g.layer[n].activation
        formula = course_cases(act.derivative(N.z(n)))
        # a case split is read on z, as a course writes ReLU′ (1 if z > 0, else 0), not
        # on the output
        output_form = None if formula.has(sp.Piecewise) else act.derivative_in_output(N.a(n))
        return self._factor(i, sp.Derivative(N.a(n), N.z(n)), formula, output_form,
                            self.passes[i].df[n])

    def delta(self, i: int, n: str) -> ChainFactor:
        """δ_n = ∂E/∂z_n in the δ form: δ_o = ∂E/∂o · f'(z_o), δ_h = f'(z_h) Σ_k w_hk δ_k."""
        return self._once("delta", i, n, self._delta)

    def _delta(self, i: int, n: str) -> ChainFactor:
        N, p, layer = self.N, self.passes[i], self.g.layer[n]
        sym = sp.Derivative(self.E, N.z(n))
        if is_softmax(layer):
            return self._factor(i, sym, self._softmax_delta(i, n), None, p.delta[n])
        upstream, local = self.grad_a(i, n), self.local_derivative(i, n)
        if n in self.g.outputs:
            formula = _times(upstream.formula, local.formula)
            output_form = (None if local.output_form is None or upstream.formula == 0 else
                           _times(upstream.formula, local.output_form))
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
    def of_parameter(self, name: str, cited=frozenset()) -> tuple[Chain, ...]:
        """One chain per example and per neuron the parameter feeds; through a neuron in
        ``cited``, the chain is δ_n · ∂z_n/∂p (its δ worked once, in the backward pass)."""
        net = self.network
        if name in net.weights:
            edge = net.weights[name]
            paths = [(edge.target, self.N.a(edge.source), edge.source)]
        else:
            paths = [(t, sp.Integer(1), None) for t in net.biases[name].targets]
        return tuple(self._chain(i, name, n, last, source, n in cited)
                     for i in range(len(self.examples)) for n, last, source in paths)

    def _chain(self, i: int, name: str, n: str, dz_dp: sp.Expr, source: str | None,
               cites: bool = False) -> Chain:
        """∂E/∂a_n · ∂a_n/∂z_n · ∂z_n/∂p, or ∂E/∂z_n · ∂z_n/∂p through a softmax layer or
        a neuron whose δ is cited."""
        if cites or is_softmax(self.g.layer[n]):
            head = [self.delta(i, n)]
        else:
            head = [self.grad_a(i, n), self.local_derivative(i, n)]
        p = self.passes[i]
        source_value = p.a[source] if source is not None else 1
        last = self._factor(i, sp.Derivative(self.N.z(n), self.N.symbol(name)), dz_dp, None,
                            source_value)
        if source in self.network.inputs:   # ∂z/∂w = x1 = −0.5: the given input, exactly
            last = replace(last, value=sp.sympify(self.examples[i][0][source], strict=True))
        with self.arith.context():
            value = self.arith.result(p.delta[n] * source_value)
        return Chain((*head, last), i, n, value, cites)


def course_cases(expr: sp.Expr) -> sp.Expr:
    """SymPy's step function θ(z, h) written as the cases a course writes: 1 for z > 0,
    h at 0 (where h is not 0), 0 otherwise."""
    def cases(x, h0=sp.S.Half):
        if h0 == 0:
            return sp.Piecewise((1, x > 0), (0, True))
        return sp.Piecewise((1, x > 0), (h0, sp.Eq(x, 0)), (0, True))
    return expr.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: cases(*e.args))


def _times(upstream: sp.Expr, local: sp.Expr) -> sp.Expr:
    """∂E/∂o · f′(z) as written; where ∂E/∂o is 1 (the loss is that output), f′(z) alone;
    where it is 0 (the loss is another output), 0: not 0·σ(z)(1 − σ(z))."""
    if upstream == 0:
        return sp.S.Zero
    return local if upstream == 1 else sp.Mul(upstream, local, evaluate=False)


def _active_branch(piecewise: sp.Piecewise, table: dict) -> sp.Expr:
    """The piece of a piecewise formula that holds at the example's values (ReLU: 1 or 0)."""
    for expr, condition in piecewise.args:
        if condition.xreplace(table) == sp.true:
            return expr
    return piecewise
