"""What contract §5.5 adds to a backprop solution: the optimiser's steps with their state,
weight decay in the loss and in each gradient, and the gradients of inputs.

Everything is computed here (by :mod:`symderiv.nets.backprop` and
:mod:`symderiv.nets.optimizers`) and arranged as plain data (:class:`TrainingSteps`) for
the partial ``latex/backprop_training.tex.j2``.
"""

import dataclasses
from dataclasses import field

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.nets import backprop
from symderiv.nets.optimizers import SGD
from symderiv.solution import Number, Step

PREC = 50
SHOWN_STEPS = 10   # the state table of a parameter shows at most this many steps
SUMMED_WEIGHTS = 8  # up to this many weights, Σ w² is written out term by term

_t = symbol("t")


def _s(name: str) -> sp.Symbol:
    return symbol(name)


def _minus_step(top, root) -> sp.Expr:
    """w_{t-1} − η·top / (root + ε), in the order torch.optim's documentation writes it."""
    with sp.evaluate(False):
        return sp.Add(_s("w_{t-1}"), -sp.Mul(_s("eta"), top / sp.Add(root, _s("epsilon"))))


# The update rules as a sheet writes them (SymPy's names: mhat_t prints \hat{m}_{t}), per
# optimiser; the numbers come from the optimiser classes, which follow torch.optim.
_RULES = {
    "sgd": lambda: [(_s("w_t"), _s("w_{t-1}") - _s("eta") * _s("g_t"))],
    "momentum": lambda: [
        (_s("b_t"), sp.Add(sp.Mul(_s("beta"), _s("b_{t-1}"), evaluate=False), _s("g_t"),
                           evaluate=False)),
        (_s("w_t"), _s("w_{t-1}") - _s("eta") * _s("b_t"))],
    "nesterov": lambda: [
        (_s("b_t"), sp.Add(sp.Mul(_s("beta"), _s("b_{t-1}"), evaluate=False), _s("g_t"),
                           evaluate=False)),
        (_s("d_t"), sp.Add(_s("g_t"), sp.Mul(_s("beta"), _s("b_t"), evaluate=False),
                           evaluate=False)),
        (_s("w_t"), _s("w_{t-1}") - _s("eta") * _s("d_t"))],
    "rmsprop": lambda: [
        (_s("v_t"), sp.Add(sp.Mul(_s("rho"), _s("v_{t-1}"), evaluate=False),
                           sp.Mul(1 - _s("rho"), _s("g_t") ** 2, evaluate=False),
                           evaluate=False)),
        (_s("w_t"), _minus_step(_s("g_t"), sp.sqrt(_s("v_t"))))],
    "adam": lambda: [
        (_s("m_t"), sp.Add(sp.Mul(_s("beta_1"), _s("m_{t-1}"), evaluate=False),
                           sp.Mul(1 - _s("beta_1"), _s("g_t"), evaluate=False),
                           evaluate=False)),
        (_s("v_t"), sp.Add(sp.Mul(_s("beta_2"), _s("v_{t-1}"), evaluate=False),
                           sp.Mul(1 - _s("beta_2"), _s("g_t") ** 2, evaluate=False),
                           evaluate=False)),
        (_s("mhat_t"), _s("m_t") / (1 - _s("beta_1") ** _t)),
        (_s("vhat_t"), _s("v_t") / (1 - _s("beta_2") ** _t)),
        (_s("w_t"), _minus_step(_s("mhat_t"), sp.sqrt(_s("vhat_t"))))],
}
# a setting's symbol on the sheet
_SETTING_SYMBOLS = {"beta": "beta", "beta1": "beta_1", "beta2": "beta_2", "rho": "rho",
                    "eps": "epsilon"}
# a state's column heading
_STATE_SYMBOLS = {"b": "b_t", "d": "d_t", "v": "v_t", "m": "m_t", "m_hat": "mhat_t",
                  "v_hat": "vhat_t"}


@dataclass(frozen=True)
class StateRow:
    t: int
    gradient: Number
    states: tuple[Number, ...]      # in the optimiser's state_names order
    after: Number                   # the parameter after step t


@dataclass(frozen=True)
class ParameterTrace:
    parameter: str
    start: Number
    rows: tuple[StateRow, ...]


@dataclass(frozen=True)
class TrainingSteps:
    optimizer: str
    settings: tuple[tuple[sp.Expr, Number], ...]     # (symbol, value): η first
    rules: tuple[tuple[sp.Expr, sp.Expr], ...]       # lhs = rhs, symbolic
    state_symbols: tuple[sp.Expr, ...]
    traces: tuple[ParameterTrace, ...]               # the worked parameters
    weight_decay: Number | None = None
    decay_loss: tuple[Step, ...] = ()                # Σ w² = …; Ẽ = E + λ/2 Σ w² = … = value
    decay_gradients: tuple[Step, ...] = ()           # ∂Ẽ/∂w = ∂E/∂w + λ w = … = value
    input_gradients: tuple[Step, ...] = ()           # ∂E/∂x = Σ_k w_xk ∂E/∂z_k = … = value
    objective: Number | None = None                  # the loss with weight decay
    gradients: dict = field(default_factory=dict)    # every reported gradient, decayed
    inputs: dict = field(default_factory=dict)       # ∂E/∂x of the inputs asked
    states_json: dict = field(default_factory=dict)

    @property
    def plain(self) -> bool:
        """Plain SGD without weight decay: the backprop sheet's own update steps say all."""
        return self.optimizer == "sgd" and self.weight_decay is None

    def json(self) -> dict:
        """Beside §3's keys: the optimiser (its name; the states of the worked parameters
        per step), the weight decay. Nothing for plain SGD without decay (§3 as it was)."""
        if self.plain:
            return {}
        out = {"optimizer": self.optimizer}
        if self.weight_decay is not None:
            out["weight_decay"] = self.weight_decay.json()
        if self.states_json:
            out["states"] = self.states_json
        return out


def optimizer_of(training):
    """The training's optimiser at its learning rate (``learning_rate`` is the one source:
    variants draw it anew after the spec was read)."""
    return dataclasses.replace(training.optimizer or SGD(training.learning_rate),
                               lr=training.learning_rate)


def training_steps(problem, notation, run, reported, worked) -> TrainingSteps:
    """The extra steps of ``problem``'s training (``run``: backprop.train's, with the
    optimiser and weight decay), for the parameters ``worked`` out on the sheet."""
    net, training = problem.network, problem.training
    optimizer = optimizer_of(training)
    examples = [(ex.inputs, ex.targets) for ex in problem.examples]
    decay = training.weight_decay
    given = net.parameters()
    trained = [p for p in worked if p in training.train]
    traces = tuple(_trace(p, given[p], run) for p in trained)
    settings = ((_s("eta"), Number.of(training.learning_rate, given=True)),) + tuple(
        (_s(_SETTING_SYMBOLS[k]), Number.of(v, given=True))
        for k, v in optimizer.hyperparameters().items())
    state_names = type(optimizer).state_names
    states_json = {p: [{"t": t + 1, "gradient": float(run.gradients[t][p]),
                        **{n: float(run.states[t][p][n]) for n in state_names}}
                       for t in range(len(run.states))] for p in trained}
    plain_grads = backprop.gradients(net, examples, training.loss, prec=PREC)
    decayed = backprop.gradients(net, examples, training.loss, prec=PREC, decay=decay)
    gradients = {p: Number(decayed[p].value, decayed[p].float) for p in reported}
    inputs = backprop.input_gradients(net, examples, training.loss, training.input_gradients,
                                      prec=PREC, notation=notation)
    decay_loss, decay_steps, objective = (), (), None
    if decay:
        decay_loss, objective = _decay_loss(net, examples, training, notation, decay)
        decay_steps = tuple(_decay_gradient(p, given[p], plain_grads[p], decayed[p], decay,
                                            notation) for p in worked if p in net.weights)
    return TrainingSteps(
        optimizer.name, settings, tuple(_RULES[optimizer.name]()),
        tuple(_s(_STATE_SYMBOLS[n]) for n in state_names), traces,
        Number.of(decay, given=True) if decay else None, decay_loss, decay_steps,
        tuple(_input_step(x, g, notation) for x, g in inputs.items()), objective,
        gradients, {x: Number(g.value, g.float) for x, g in inputs.items()}, states_json)


def _trace(p, start, run) -> ParameterTrace:
    rows = tuple(StateRow(t + 1, Number.of(run.gradients[t][p]),
                          tuple(Number.of(v) for v in run.states[t][p].values()),
                          Number.of(run.parameters[t][p]))
                 for t in range(min(SHOWN_STEPS, len(run.states))))
    return ParameterTrace(p, Number.of(start, given=True), rows)


def _decay_loss(net, examples, training, notation, decay):
    """Ω = Σ w² over the weights (written out for a few), then Ẽ = E + (λ/2)·Ω."""
    plain = backprop.total_loss(net, examples, training.loss, prec=PREC)
    total = backprop.total_loss(net, examples, training.loss, prec=PREC, decay=decay)
    given = net.parameters()
    squares = sum(given[w] ** 2 for w in net.weights)
    lam = _s("lambda")
    omega = _s("Omega")   # Ω = Σ w², the regulariser
    written = numbers = None
    if len(net.weights) <= SUMMED_WEIGHTS:
        written = sp.Add(*[notation.symbol(w) ** 2 for w in net.weights], evaluate=False)
        with sp.evaluate(False):
            numbers = sp.Add(*[given[w] ** 2 for w in net.weights])
    rows = [Step(omega, written, numbers, Number.of(squares))]
    symbolic = sp.Add(notation.E, sp.Mul(lam / 2, omega, evaluate=False), evaluate=False)
    numbers = sp.Add(plain, sp.Mul(decay, sp.Rational(1, 2), squares, evaluate=False),
                     evaluate=False)
    rows.append(Step(_s(f"{notation.loss}tilde"), symbolic, numbers, Number.of(total)))
    return tuple(rows), Number.of(total)


def _decay_gradient(p, value, plain, decayed, decay, notation) -> Step:
    """∂Ẽ/∂w = ∂E/∂w + λ·w."""
    w = notation.symbol(p)
    lhs = sp.Derivative(_s(f"{notation.loss}tilde"), w, evaluate=False)
    symbolic = sp.Add(sp.Derivative(notation.E, w, evaluate=False),
                      sp.Mul(_s("lambda"), w, evaluate=False), evaluate=False)
    numbers = sp.Add(plain.value, sp.Mul(decay, value, evaluate=False), evaluate=False)
    return Step(lhs, symbolic, numbers, Number(decayed.value, decayed.float))


def _input_step(x, g, notation) -> Step:
    """∂E/∂x = Σ_k w_xk ∂E/∂z_k (one example; over several, their sum)."""
    lhs = sp.Derivative(notation.E, notation.symbol(x), evaluate=False)
    if len(g.chains) == 1:
        f = g.chains[0].factors[0]
        return Step(lhs, f.formula, f.substituted, Number(g.value, g.float))
    numbers = sp.Add(*[c.value for c in g.chains], evaluate=False)
    if g.scale != 1:
        numbers = sp.Mul(g.scale, numbers, evaluate=False)
    return Step(lhs, None, numbers, Number(g.value, g.float))
