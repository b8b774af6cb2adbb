"""How a sheet writes a network's quantities: the loss, each neuron's net input and target.

Defaults: loss E; net input z_{h1} for h1 (z1_2 for the dense neuron n1_2); target y_{o1}
for o1 (y_2 for the dense output n3_2). The seed writes z1, z2 and y1, y2; a spec chooses
such names in ``[problem.notation]``. The spec reader (:mod:`symderiv.spec`) uses the same
defaults to refuse names that would print like a generated one.
"""

from dataclasses import field
from typing import Mapping

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import _DENSE_NAME

LEARNING_RATE = "eta"  # the learning rate η in update steps


def dense_neuron(neuron: str) -> tuple[str, str] | None:
    """(layer, j) for the contract's unnamed dense neuron n{l}_{j}, else None."""
    m = _DENSE_NAME.match(neuron)
    return (m.group(2), m.group(3)) if m and m.group(1) == "n" and m.group(4) is None else None


def default_net_input(neuron: str) -> str:
    dense = dense_neuron(neuron)
    return f"z{dense[0]}_{dense[1]}" if dense else f"z_{neuron}"


def default_target(neuron: str) -> str:
    """y_{o1} for o1, y_2 for n3_2; an output named y has the target t (not y_y)."""
    if neuron == "y":
        return "t"
    dense = dense_neuron(neuron)
    return f"y_{dense[1] if dense else neuron}"


@dataclass(frozen=True)
class Notation:
    """Display names: the loss symbol, each neuron's net input and each output's target.

    The seed would pass ``Notation("e", {"o1": "z1", "o2": "z2"}, {"o1": "y1", "o2": "y2"})``.
    """

    loss: str = "E"
    net_inputs: Mapping[str, str] = field(default_factory=dict)
    targets: Mapping[str, str] = field(default_factory=dict)
    # symbols are made once per name: sheets with thousands of parameters ask often
    _symbols: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def symbol(self, name: str) -> sp.Symbol:
        """The symbol of a spec name (a neuron, an input, a parameter)."""
        made = self._symbols.get(name)
        if made is None:
            made = self._symbols[name] = symbol(name)
        return made

    @property
    def E(self) -> sp.Symbol:
        return self.symbol(self.loss)

    def a(self, neuron: str) -> sp.Symbol:
        return self.symbol(neuron)

    def z(self, neuron: str) -> sp.Symbol:
        return self.symbol(self.net_inputs.get(neuron) or default_net_input(neuron))

    def y(self, neuron: str) -> sp.Symbol:
        return self.symbol(self.targets.get(neuron) or default_target(neuron))
