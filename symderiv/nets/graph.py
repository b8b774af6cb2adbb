"""A network's edges indexed per neuron, so the backprop walks touch each edge once."""

import sympy as sp

from symderiv.calculus.expr import symbol
from symderiv.nets.network import Layer, Network


def is_softmax(layer: Layer) -> bool:
    """A layer whose activation mixes its neurons (softmax) rather than acting per neuron."""
    return not layer.activation.elementwise


class Graph:
    """Incoming and outgoing edges, biases and the layer of every neuron."""

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
        self.layer_index = {n: i for i, layer in enumerate(network.layers, start=1)
                            for n in layer.neurons}
        self.outputs = network.outputs

    def net_input_expr(self, neuron: str) -> sp.Expr:
        """w5·h1 + w7·h2 + b2: the terms in edge order, kept as written."""
        terms = [sp.Mul(symbol(e.name), symbol(e.source), evaluate=False)
                 for e in self.incoming[neuron]]
        terms += [symbol(b.name) for b in self.biases[neuron]]
        return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]
