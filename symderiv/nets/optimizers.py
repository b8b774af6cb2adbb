"""Optimisers as data: one small class each, with PyTorch's update rule and defaults
(``torch.optim``: SGD, SGD with momentum, with Nesterov momentum, RMSprop, Adam), and the
one gradient-descent loop (:func:`descend`) every trainer in symderiv runs.

An optimiser never sees the loss: ``update`` takes a parameter, its gradient, the
parameter's state from the last step (empty at first) and the step number t (from 1), and
returns the new value with the new state. The state holds what a sheet shows (the momentum
buffer b; m, v and their bias corrections m̂, v̂). Numbers are those of an arithmetic
(:mod:`symderiv.nets.arithmetic`'s ``number``, and ``sqrt`` for the adaptive ones), so
the same rule runs in 50-digit mpmath, in float64 or in exact fractions.

Weight decay is not here: it is part of the loss ((λ/2)·Σw² over the weights), so every
optimiser sees it in the gradient, as PyTorch's ``weight_decay`` adds λ·w there.
"""

from dataclasses import field, fields
from typing import Callable, ClassVar, Iterator

import sympy as sp

from symderiv.records import dataclass


@dataclass(frozen=True)
class Ops:
    """The arithmetic an update runs in: ``number`` turns a given value into one of its
    numbers; ``sqrt`` is needed by RMSprop and Adam only."""

    number: Callable
    sqrt: Callable | None = None


@dataclass(frozen=True)
class Optimizer:
    lr: object
    name: ClassVar[str] = ""
    state_names: ClassVar[tuple[str, ...]] = ()   # what ``update`` keeps, in order

    def hyperparameters(self) -> dict:
        """The settings besides the learning rate, by the spec's names."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "lr"}

    def update(self, p, g, state: dict, t: int, ops: Ops):
        raise NotImplementedError


@dataclass(frozen=True)
class SGD(Optimizer):
    """p ← p − η g."""

    name: ClassVar[str] = "sgd"

    def update(self, p, g, state, t, ops):
        return p - ops.number(self.lr) * g, {}


@dataclass(frozen=True)
class Momentum(Optimizer):
    """b ← g at the first step, else β b + g; p ← p − η b (torch.optim.SGD, momentum=β,
    dampening 0)."""

    beta: object = field(default_factory=lambda: _decimal("0.9"))
    name: ClassVar[str] = "momentum"
    state_names: ClassVar[tuple[str, ...]] = ("b",)

    def buffer(self, g, state, t, ops):
        return g if t == 1 else ops.number(self.beta) * state["b"] + g

    def update(self, p, g, state, t, ops):
        b = self.buffer(g, state, t, ops)
        return p - ops.number(self.lr) * b, {"b": b}


@dataclass(frozen=True)
class Nesterov(Momentum):
    """b as for momentum; p ← p − η (g + β b) (torch.optim.SGD, nesterov=True)."""

    name: ClassVar[str] = "nesterov"
    state_names: ClassVar[tuple[str, ...]] = ("b", "d")

    def update(self, p, g, state, t, ops):
        b = self.buffer(g, state, t, ops)
        d = g + ops.number(self.beta) * b
        return p - ops.number(self.lr) * d, {"b": b, "d": d}


@dataclass(frozen=True)
class RMSprop(Optimizer):
    """v ← ρ v + (1 − ρ) g² (v starts at 0); p ← p − η g / (√v + ε) (torch.optim.RMSprop,
    whose ρ is called alpha)."""

    rho: object = field(default_factory=lambda: _decimal("0.99"))
    eps: object = field(default_factory=lambda: _decimal("1e-8"))
    name: ClassVar[str] = "rmsprop"
    state_names: ClassVar[tuple[str, ...]] = ("v",)

    def update(self, p, g, state, t, ops):
        rho = ops.number(self.rho)
        v = rho * state.get("v", 0 * g) + (1 - rho) * g * g
        return p - ops.number(self.lr) * g / (ops.sqrt(v) + ops.number(self.eps)), {"v": v}


@dataclass(frozen=True)
class Adam(Optimizer):
    """m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g² (both from 0), m̂ = m / (1 − β₁ᵗ),
    v̂ = v / (1 − β₂ᵗ); p ← p − η m̂ / (√v̂ + ε) (torch.optim.Adam)."""

    beta1: object = field(default_factory=lambda: _decimal("0.9"))
    beta2: object = field(default_factory=lambda: _decimal("0.999"))
    eps: object = field(default_factory=lambda: _decimal("1e-8"))
    name: ClassVar[str] = "adam"
    state_names: ClassVar[tuple[str, ...]] = ("m", "v", "m_hat", "v_hat")

    def update(self, p, g, state, t, ops):
        b1, b2 = ops.number(self.beta1), ops.number(self.beta2)
        m = b1 * state.get("m", 0 * g) + (1 - b1) * g
        v = b2 * state.get("v", 0 * g) + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        step = ops.number(self.lr) * m_hat / (ops.sqrt(v_hat) + ops.number(self.eps))
        return p - step, {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    o.name: o for o in (SGD, Momentum, Nesterov, RMSprop, Adam)}


def _decimal(text: str) -> sp.Rational:
    # Defaults are exact decimals as a spec writes them (0.9 is 9/10), like every given.
    return sp.Rational(text)


@dataclass(frozen=True)
class Point:
    """Where a descent is at step t (t = 0: the start): the parameters, what the objective
    said there (``value``: the loss, or a richer record), the gradients it gave, and each
    trained parameter's optimiser state after the update that led here."""

    t: int
    parameters: dict
    value: object
    gradients: dict
    states: dict


def descend(parameters: dict, trained, objective, optimizer: Optimizer,
            ops: Ops) -> Iterator[Point]:
    """Gradient descent, step after step, for as long as the caller takes points.

    ``objective(parameters) -> (value, gradients)`` is evaluated at the parameters as they
    are at the start of each step; then every trained parameter is updated at once.
    """
    params, states = dict(parameters), {k: {} for k in trained}
    t = 0
    while True:
        value, grads = objective(params)
        yield Point(t, params, value, grads, states)
        t += 1
        updated, new_states = {}, {}
        for k in trained:
            updated[k], new_states[k] = optimizer.update(params[k], grads[k], states[k], t, ops)
        params, states = {**params, **updated}, new_states
