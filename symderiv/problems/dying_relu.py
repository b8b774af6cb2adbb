"""Part ``dying-relu``: a computed example of a ReLU neuron that one large step kills.

A neuron z = Σ Wᵢxᵢ, a = ReLU(z), trained by batch gradient descent on a small data set
with e = Σₙ (aₙ − yₙ)². The toolkit searches a ladder of learning rates for the smallest
one whose first step drives z < 0 on every training input; from then on every gradient is
exactly zero and the neuron stays dead. On the same data it computes both remedies:
Leaky ReLU at the same rate (non-zero gradient; z > 0 again after some steps) and a
smaller rate (the neuron never dies). All arithmetic is exact (rationals).
"""

import math
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from itertools import product

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from symderiv.calculus.activations import resolve
from symderiv.errors import InputError
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import to_elementary
from symderiv.nets.optimizers import SGD, Ops, descend

R = sp.Rational
# Non-negative inputs, as a neuron behind a ReLU layer sees them; targets below the
# neuron's first outputs, so the first gradient pushes the weights down.
DEFAULT_INPUTS = (
    (R(1), R(1, 2), R(1, 5), R(4, 5)),
    (R(2, 5), R(1), R(3, 5), R(3, 10)),
    (R(7, 10), R(1, 5), R(1), R(1, 2)),
)
DEFAULT_TARGETS = (R(1, 2), R(3, 10), R(3, 5))
DEFAULT_WEIGHTS = (R(1, 2), R(2, 5), R(3, 10), R(3, 5))
# Learning rates tried, smallest first: 1, 2, 5 per decade from 0.001 to 500.
LEARNING_RATES = tuple(R(m) * R(10)**k for k in range(-3, 3) for m in (1, 2, 5))
DEAD_STEPS = 10        # steps after the death that show the neuron stays dead
SMALL_RATE_STEPS = 20  # steps the smaller learning rate is trained (and checked alive)
RECOVERY_LIMIT = 200   # the most Leaky-ReLU steps waited for a recovery


@dataclass(frozen=True)
class Example:
    inputs: tuple[sp.Expr, ...]
    target: sp.Expr


@dataclass(frozen=True)
class State:
    """The neuron at one point of training, and the gradient that step computes there.

    Held in the training's own exact numbers (``Fraction``); each value is made a SymPy
    Rational when first read: most states of a run are only ever asked whether the neuron
    is dead, and a few hundred values made Rationals for nothing cost more than the
    training itself."""

    exact_weights: tuple[Fraction, ...]
    exact_preactivations: tuple[Fraction, ...]   # zₙ, one per example
    exact_outputs: tuple[Fraction, ...]          # aₙ
    exact_loss: Fraction
    exact_gradients: tuple[Fraction, ...]        # ∂e/∂Wᵢ

    @cached_property
    def weights(self) -> tuple[sp.Rational, ...]:
        return tuple(map(_rational, self.exact_weights))

    @cached_property
    def preactivations(self) -> tuple[sp.Rational, ...]:
        return tuple(map(_rational, self.exact_preactivations))

    @cached_property
    def outputs(self) -> tuple[sp.Rational, ...]:
        return tuple(map(_rational, self.exact_outputs))

    @cached_property
    def loss(self) -> sp.Rational:
        return _rational(self.exact_loss)

    @cached_property
    def gradients(self) -> tuple[sp.Rational, ...]:
        return tuple(map(_rational, self.exact_gradients))

    @property
    def dead(self) -> bool:
        """z < 0 on every training input: a ReLU neuron outputs 0 and passes no gradient."""
        return all(z < 0 for z in self.exact_preactivations)

    @property
    def alive(self) -> bool:
        return any(z > 0 for z in self.exact_preactivations)


@dataclass(frozen=True)
class Run:
    """Gradient descent at one learning rate; ``states[t]`` is the neuron after t steps."""

    activation: object   # BoundActivation
    learning_rate: sp.Expr
    states: tuple[State, ...]

    @property
    def died_at(self) -> int | None:
        return next((t for t, s in enumerate(self.states) if t and s.dead), None)

    @property
    def recovered_at(self) -> int | None:
        died = self.died_at
        if died is None:
            return None
        return next((t for t in range(died + 1, len(self.states))
                     if self.states[t].alive), None)


@dataclass(frozen=True)
class DyingRelu:
    inputs: tuple[sp.Symbol, ...]
    weights: tuple[sp.Symbol, ...]
    z: sp.Expr                          # Σ Wᵢxᵢ
    loss_per_example: sp.Expr           # (aₙ − yₙ)²
    loss_slope: sp.Expr                 # ∂e/∂aₙ = 2(aₙ − yₙ)
    gradient_lhs: sp.Expr               # ∂e/∂Wᵢ (unevaluated, i a symbol)
    gradient_formula: sp.Expr           # Σₙ 2(aₙ − yₙ)·∂aₙ/∂zₙ·xₙᵢ
    dead_lhs: sp.Expr                   # ∂e/∂W₁
    examples: tuple[Example, ...]
    initial_weights: tuple[sp.Expr, ...]
    rates_tried: tuple[tuple[sp.Expr, bool], ...]   # (η, dead after one step), up to the kill
    relu: Run                           # at the killing rate
    leaky: Run                          # Leaky ReLU at the same rate, until it recovers
    small: Run                          # ReLU at the largest smaller rate that never dies
    dead_gradients_exact_zero: bool     # every gradient after the death is SymPy's 0
    chain: tuple[sp.Expr, ...]          # ∂e/∂a, ∂a/∂z, ∂z/∂W₁ (unevaluated derivatives)
    dead_slopes: tuple[sp.Expr, ...]    # ∂a/∂z = ReLU′(zₙ) after the step, per example: 0
    dead_factors: tuple[sp.Expr, ...]   # ∂e/∂a, ReLU′(z₁) = 0, ∂z/∂W₁ = x₁ after the step


def solve(examples=None, initial_weights=None, where="dying-relu") -> DyingRelu:
    if examples is None:
        examples = tuple(Example(x, y) for x, y in zip(DEFAULT_INPUTS, DEFAULT_TARGETS))
    if initial_weights is None:
        initial_weights = DEFAULT_WEIGHTS[:len(examples[0].inputs)]
    _check_shapes(examples, initial_weights, where)

    relu = resolve("relu", where)
    leaky = resolve("leaky_relu", where)
    n = len(initial_weights)
    xs = tuple(symbol(f"x{i}") for i in range(1, n + 1))
    ws = tuple(symbol(f"W{i}") for i in range(1, n + 1))
    a, y = symbol("a_n"), symbol("y_n")
    per_example = (a - y)**2
    slope = sp.factor(sp.diff(per_example, a))   # 2(aₙ − yₙ)
    trainer = _Trainer(examples, a, y, slope)

    start = trainer.state(relu, tuple(map(_fraction, initial_weights)))
    if not start.alive:
        raise InputError(where, "the ReLU neuron is already dead at the initial weights "
                                "(z ≤ 0 on every example); give weights it starts alive with")
    tried, kill_rate = [], None
    for rate in LEARNING_RATES:
        dead = trainer.step(relu, start, rate).dead
        tried.append((rate, dead))
        if dead:
            kill_rate = rate
            break
    if kill_rate is None:
        raise InputError(where, f"no learning rate up to {LEARNING_RATES[-1]} kills the ReLU "
                                "neuron in one step; give targets below its first outputs")

    relu_run = trainer.run(relu, initial_weights, kill_rate, 1 + DEAD_STEPS)
    leaky_run = trainer.run(leaky, initial_weights, kill_rate, RECOVERY_LIMIT,
                            until=lambda t, s: t > 1 and s.alive)
    small_run = _largest_safe_rate(trainer, relu, initial_weights, kill_rate, where)
    dead_states = relu_run.states[1:]
    z, e, z_n, index = symbol("z"), symbol("e"), symbol("z_n"), symbol("n")
    term = sp.Mul(slope, sp.Derivative(a, z_n, evaluate=False), symbol("x_ni"), evaluate=False)
    dead_slopes = tuple(relu.derivative(z_n) for z_n in relu_run.states[1].preactivations)
    a1 = symbol("a")
    chain = (sp.Derivative(e, a1, evaluate=False), sp.Derivative(a1, z, evaluate=False),
             sp.Derivative(z, ws[0], evaluate=False))
    return DyingRelu(
        inputs=xs, weights=ws, z=sum(w * x for w, x in zip(ws, xs)),
        loss_per_example=per_example, loss_slope=slope,
        gradient_lhs=sp.Derivative(e, symbol("W_i"), evaluate=False),
        gradient_formula=sp.Sum(term, (index, 1, len(examples))),
        dead_lhs=sp.Derivative(e, ws[0], evaluate=False),
        examples=tuple(examples), initial_weights=tuple(initial_weights),
        rates_tried=tuple(tried), relu=relu_run, leaky=leaky_run, small=small_run,
        dead_gradients_exact_zero=all(g is sp.S.Zero for s in dead_states for g in s.gradients),
        chain=chain,
        dead_slopes=dead_slopes,
        dead_factors=(chain[0], dead_slopes[0], sp.diff(sum(w * x for w, x in zip(ws, xs)), ws[0])),
    )


def _largest_safe_rate(trainer, relu, weights, kill_rate, where) -> Run:
    """The largest tried rate below the killing one: alive after every step, loss falling."""
    for rate in sorted((r for r in LEARNING_RATES if r < kill_rate), reverse=True):
        run = trainer.run(relu, weights, rate, SMALL_RATE_STEPS)
        losses = [s.loss for s in run.states]
        if (all(s.alive for s in run.states)
                and all(b <= a for a, b in zip(losses, losses[1:]))):
            return run
    raise InputError(where, "no smaller learning rate keeps the ReLU neuron alive")


class _Trainer:
    """Batch gradient descent on e = Σₙ (aₙ − yₙ)², the chain rule per example.

    Exact rational arithmetic in Python's ``Fraction`` (SymPy's Rational is exact too, and
    an order of magnitude slower per operation over a few hundred steps). The activation,
    its derivative and the loss slope are SymPy's expressions, made Python functions of
    rationals once (:class:`_Exact`).
    """

    def __init__(self, examples, a, y, slope):
        self.examples = examples
        self._slope = _Exact(slope, (a, y))
        self._inputs = [tuple(_fraction(x) for x in ex.inputs) for ex in examples]
        # the inputs as integers over one denominator, for the sums Σᵢ wᵢxₙᵢ and Σₙ uₙxₙᵢ
        self._input_denominator = math.lcm(*(x.denominator for xs in self._inputs for x in xs))
        self._input_numerators = [tuple(x.numerator * (self._input_denominator // x.denominator)
                                        for x in xs) for xs in self._inputs]
        self._targets = [_fraction(ex.target) for ex in examples]
        self._activations = {}
        self._states = {}

    def state(self, act, weights: tuple[Fraction, ...]) -> State:
        """The state at these weights; each is worked out once (every run starts from the
        same weights, and the ladder's killing step is the first of the ReLU run)."""
        # keyed by the integers: a Fraction's hash is a modular inverse of its denominator
        key = (act.name, tuple(act.params.items()),
               tuple((w.numerator, w.denominator) for w in weights))
        if key not in self._states:
            self._states[key] = self._evaluate(act, weights)
        return self._states[key]

    def _evaluate(self, act, ws: tuple[Fraction, ...]) -> State:
        f, df = self._compiled(act)
        zs = [self._combination(ws, xs) for xs in self._input_numerators]
        outs = [f(z) for z in zs]
        loss = sum((o - y) ** 2 for o, y in zip(outs, self._targets))
        upstream = [self._slope(o, y) * df(z) for z, o, y in zip(zs, outs, self._targets)]
        grads = [self._combination(upstream, column) for column in zip(*self._input_numerators)]
        return State(ws, tuple(zs), tuple(outs), Fraction(loss), tuple(grads))

    def _combination(self, coefficients: list[Fraction], numerators) -> Fraction:
        """Σ cₖxₖ for inputs xₖ = numeratorₖ / the inputs' denominator, in integers over one
        common denominator and reduced once at the end (the weights' fractions run to
        hundreds of digits; reducing after every product and sum is most of the cost)."""
        common = math.lcm(*(c.denominator for c in coefficients))
        total = sum(c.numerator * (common // c.denominator) * x
                    for c, x in zip(coefficients, numerators))
        return Fraction(total, common * self._input_denominator)

    def _compiled(self, act):
        key = (act.name, tuple(act.params.items()))
        if key not in self._activations:
            z = symbol("z")
            self._activations[key] = (_Exact(act.expr(z), (z,)), _Exact(act.derivative(z), (z,)))
        return self._activations[key]

    def step(self, act, state: State, rate) -> State:
        return self.run(act, state.exact_weights, rate, 1).states[-1]

    def run(self, act, weights, rate, steps, until=None) -> Run:
        """Plain gradient descent (the one loop, :func:`symderiv.nets.optimizers.descend`)
        in exact fractions, for ``steps`` steps or until ``until(t, state)``."""
        def objective(ws):
            state = self.state(act, tuple(ws[i] for i in range(len(ws))))
            return state, dict(enumerate(state.exact_gradients))

        start = {i: _exact(w) for i, w in enumerate(weights)}
        states = []
        for point in descend(start, range(len(weights)), objective, SGD(rate), Ops(_fraction)):
            states.append(point.value)
            if point.t == steps or (point.t and until is not None and until(point.t, point.value)):
                break
        return Run(act, rate, tuple(states))


class _FractionPrinter(PythonCodePrinter):
    """Python source with every rational constant a Fraction (1/100 would be a float)."""

    def _print_Rational(self, expr):
        return f"Fraction({expr.p}, {expr.q})"

    _print_Half = _print_Rational


class _Exact:
    """A SymPy expression (ReLU, Leaky ReLU, their derivatives, the loss slope) as a Python
    function of exact rationals: lambdify with Fraction constants, piecewise functions as
    conditionals; some fifty times faster per call than substituting into the expression.
    Checked against SymPy's own substitution at a few points when made."""

    CHECK_POINTS = (sp.Rational(-3, 2), sp.S.Zero, sp.Rational(1, 3), sp.Integer(2))

    def __init__(self, expr: sp.Expr, variables: tuple[sp.Symbol, ...]):
        code = to_elementary(expr).rewrite(sp.Piecewise)
        self._function = sp.lambdify(variables, code, modules=[{"Fraction": Fraction}],
                                     printer=_FractionPrinter, docstring_limit=-1)
        for point in product(self.CHECK_POINTS, repeat=len(variables)):
            want = expr.xreplace(dict(zip(variables, point)))
            if self(*map(_fraction, point)) != _fraction(want):
                raise AssertionError(f"{expr} compiled differs from SymPy at {point}")

    def __call__(self, *values: Fraction) -> Fraction:
        result = self._function(*values)
        if isinstance(result, bool) or not isinstance(result, (int, Fraction)):
            raise TypeError(f"not an exact rational: {result!r}")
        return Fraction(result)


def _fraction(value: sp.Expr) -> Fraction:
    if not value.is_Rational:   # spec numbers are exact; ReLU keeps them rational
        raise TypeError(f"dying-relu trains in exact rationals, not {value!r}")
    return Fraction(int(value.p), int(value.q))


def _exact(value) -> Fraction:
    return value if isinstance(value, Fraction) else _fraction(value)


def _rational(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def _check_shapes(examples, weights, where) -> None:
    if not examples:
        raise InputError(where, "needs at least one training example")
    sizes = {len(ex.inputs) for ex in examples}
    if sizes != {len(weights)}:
        raise InputError(where, f"every example needs {len(weights)} inputs, one per weight")
