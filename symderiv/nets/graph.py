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


def dense_matrix(network: Network, number: int) -> tuple[tuple[tuple[str, ...], ...],
                                                         tuple[str, ...] | None] | None:
    """Layer ``number`` (from 1) as a dense layer: the names of W (row j: the weights into
    its neuron j, column k: from neuron k of the layer before) and of b (None without
    biases), when every neuron of the layer before feeds every neuron of it through the
    contract's w{l}_{j}_{k} and each has its own b{l}_{j}; else None."""
    layer = network.layers[number - 1]
    before = network.inputs if number == 1 else network.layers[number - 2].neurons
    rows = []
    for j, target in enumerate(layer.neurons, start=1):
        row = []
        for k, source in enumerate(before, start=1):
            edge = network.weights.get(f"w{number}_{j}_{k}")
            if edge is None or (edge.source, edge.target) != (source, target):
                return None
            row.append(edge.name)
        rows.append(tuple(row))
    if len(network.weights) and sum(1 for e in network.weights.values()
                                    if e.target in layer.neurons) != len(rows) * len(before):
        return None
    biases = [network.biases.get(f"b{number}_{j}") for j in range(1, len(layer.neurons) + 1)]
    if all(b is None for b in biases):
        return tuple(rows), None
    if any(b is None or b.targets != (n,) for b, n in zip(biases, layer.neurons)):
        return None
    return tuple(rows), tuple(b.name for b in biases)
