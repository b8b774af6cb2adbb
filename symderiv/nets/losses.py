"""Losses for one example as SymPy expressions, with their derivatives as a textbook writes them.

Over several examples a loss is summed, except ``mse``, which is averaged: the total is
``example_weight(name, count) * Σ_examples loss_expression(...)`` (contract §1).

``ce`` is softmax cross-entropy, −Σ y log softmax(u). Which u depends on the output layer:
- after a ``softmax`` output layer, the outputs o already are softmax(z), so
  E = −Σ y log o, and through the layer ∂E/∂z_j = o_j·Σ_k y_k − y_j, which is o_j − y_j
  for targets that sum to 1 (:func:`ce_softmax_delta`); softmax is never applied twice;
- after any other output layer the outputs are logits (as PyTorch's ``CrossEntropyLoss``
  reads them): E = −Σ_k y_k (o_k − log Σ_j e^{o_j}) (``logits=True`` below).
"""

import sympy as sp

from symderiv.records import dataclass


@dataclass(frozen=True)
class Loss:
    name: str
    description: str
    averaged: bool  # True: mean over examples (and outputs); False: summed


LOSSES: dict[str, Loss] = {
    "sse": Loss("sse", "sum of squared errors Σ(o−y)²", False),
    "half-sse": Loss("half-sse", "half the sum of squared errors ½Σ(o−y)²", False),
    "mse": Loss("mse", "mean squared error over outputs and examples", True),
    "bce": Loss("bce", "binary cross-entropy Σ −[y log o + (1−y) log(1−o)]", False),
    "ce": Loss("ce", "softmax cross-entropy −Σ y log softmax(z)", False),
    # One output's value itself (saliency, "∂o1/∂w1"): the spec's ``output`` becomes the
    # selector targets y = 1 there and 0 elsewhere, so E = Σ y·o = that output.
    "output": Loss("output", "one output's value Σ y·o (y selects the output)", False),
}


def _check(name: str) -> None:
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}")


def _scaled(coefficient, expr: sp.Expr) -> sp.Expr:
    """coefficient·expr kept as written: SymPy would distribute 2(o−y) into 2o − 2y."""
    coefficient = sp.sympify(coefficient, strict=True)
    if coefficient == 1:
        return expr
    return sp.Mul(coefficient, expr, evaluate=False)


def _log_sum_exp(outputs) -> sp.Expr:
    return sp.log(sp.Add(*[sp.exp(o) for o in outputs]))


def loss_expression(name: str, outputs, targets, logits: bool = False) -> sp.Expr:
    """The loss of one example; ``outputs`` and ``targets`` are matching lists of symbols.

    ``logits`` matters for ``ce`` only: True when the outputs are not yet probabilities.
    """
    _check(name)
    if len(outputs) != len(targets):
        raise ValueError("one target per output")
    squares = sp.Add(*[(o - y) ** 2 for o, y in zip(outputs, targets)])
    if name == "sse":
        return squares
    if name == "half-sse":
        return _scaled(sp.Rational(1, 2), squares)
    if name == "mse":
        return _scaled(sp.Rational(1, len(outputs)), squares)
    if name == "bce":
        return -sp.Add(*[y * sp.log(o) + (1 - y) * sp.log(1 - o)
                         for o, y in zip(outputs, targets)])
    if name == "output":
        return sp.Add(*[y * o for o, y in zip(outputs, targets)])
    if logits:
        return -sp.Add(*[y * (o - _log_sum_exp(outputs)) for o, y in zip(outputs, targets)])
    return -sp.Add(*[y * sp.log(o) for o, y in zip(outputs, targets)])


def written_targets(name: str, symbols: list, values: list) -> list:
    """The targets as a loss is written: their symbols (y_1), except for ``output``, whose
    targets only select the output (1 there, 0 elsewhere) and are written as those numbers,
    so that its loss reads E = o_1 and ∂E/∂o_1 = 1."""
    return list(values) if name == "output" else list(symbols)


def loss_derivative(name: str, output, outputs, targets, logits: bool = False) -> sp.Expr:
    """∂E/∂o for the output ``output`` (one of ``outputs``), written as a textbook writes it."""
    _check(name)
    k = list(outputs).index(output)
    o, y = outputs[k], targets[k]
    if name == "sse":
        return _scaled(2, o - y)
    if name == "half-sse":
        return o - y
    if name == "mse":
        return _scaled(sp.Rational(2, len(outputs)), o - y)
    if name == "bce":
        return (o - y) / (o * (1 - o))
    if name == "output":
        return y
    if logits:
        softmax = sp.exp(o) / sp.Add(*[sp.exp(u) for u in outputs])
        return softmax * sp.Add(*targets) - y
    return -y / o


def ce_softmax_delta(output, outputs, targets, one_hot: bool) -> sp.Expr:
    """∂E/∂z_j of ``ce`` through a softmax output layer: o_j − y_j when the targets sum
    to 1 (``one_hot``, e.g. a one-hot or probability target), else o_j·Σ_k y_k − y_j."""
    k = list(outputs).index(output)
    if one_hot:
        return outputs[k] - targets[k]
    return outputs[k] * sp.Add(*targets) - targets[k]


def example_weight(name: str, count: int) -> sp.Rational:
    """The factor in front of the sum over ``count`` examples: 1/count for mse, else 1."""
    _check(name)
    return sp.Rational(1, count) if LOSSES[name].averaged else sp.Integer(1)
