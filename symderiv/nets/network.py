"""A feed-forward network as plain data: named neurons, named weighted edges, shared biases.

This module holds the shape only; values are exact SymPy numbers. Forward expressions,
losses and gradients live in :mod:`symderiv.nets.backprop` and :mod:`symderiv.nets.losses`.
The spec loader (:mod:`symderiv.spec`) builds these objects and reports bad specs with
their locations; the checks here guard the library's own callers.
"""

from dataclasses import field

import sympy as sp

from symderiv.records import dataclass


@dataclass(frozen=True)
class Edge:
    """A weight ``name`` on the edge ``source → target``."""

    name: str
    source: str
    target: str
    value: sp.Expr


@dataclass(frozen=True)
class Bias:
    """A bias ``name`` added to each neuron in ``targets`` (one bias may be shared)."""

    name: str
    targets: tuple[str, ...]
    value: sp.Expr


@dataclass(frozen=True)
class Layer:
    """Neurons computed together, all with one activation (a BoundActivation)."""

    neurons: tuple[str, ...]
    activation: object  # symderiv.calculus.activations.BoundActivation


@dataclass(frozen=True)
class Network:
    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    weights: dict[str, Edge] = field(default_factory=dict)  # in the spec's order
    biases: dict[str, Bias] = field(default_factory=dict)

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.layers[-1].neurons

    @property
    def neurons(self) -> tuple[str, ...]:
        """Every computed (non-input) neuron, layer by layer."""
        return tuple(n for layer in self.layers for n in layer.neurons)

    def layer_of(self, neuron: str) -> int:
        """0 for inputs, l for a neuron of layer l (counting from 1)."""
        if neuron in self.inputs:
            return 0
        for index, layer in enumerate(self.layers, start=1):
            if neuron in layer.neurons:
                return index
        raise KeyError(neuron)

    def parameters(self) -> dict[str, sp.Expr]:
        """Every parameter name with its value: weights first, then biases."""
        return {**{n: e.value for n, e in self.weights.items()},
                **{n: b.value for n, b in self.biases.items()}}

    def incoming(self, neuron: str) -> list[Edge]:
        return [e for e in self.weights.values() if e.target == neuron]

    def outgoing(self, neuron: str) -> list[Edge]:
        return [e for e in self.weights.values() if e.source == neuron]

    def biases_of(self, neuron: str) -> list[Bias]:
        return [b for b in self.biases.values() if neuron in b.targets]

    def with_parameters(self, values: dict[str, sp.Expr]) -> "Network":
        """The same network with some parameters replaced (by name)."""
        weights = {n: Edge(n, e.source, e.target, values.get(n, e.value))
                   for n, e in self.weights.items()}
        biases = {n: Bias(n, b.targets, values.get(n, b.value)) for n, b in self.biases.items()}
        return Network(self.inputs, self.layers, weights, biases)
