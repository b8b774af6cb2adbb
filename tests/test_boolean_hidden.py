"""A Boolean design asked for more hidden neurons than its construction needs: the network
uses neurons that compute something, never rows of zeros, and the sheet says why fewer
suffice.

Oracle: brute force. The designed network's parameters are read off its edges and run
here, in exact integers with a ReLU written in this file, on every row of the table.
"""

import itertools
from fractions import Fraction

import pytest

import symderiv as sd
from symderiv.problems.boolean import FUNCTIONS, design

# a few tables beyond the named functions: majority, "x1 and not x2", a 3-input mixed one
EXTRA = {
    "majority3": lambda xs: int(sum(xs) >= 2),
    "x1_and_not_x2": lambda xs: int(xs[0] and not xs[1]),
    "mixed3": lambda xs: int((xs[0] and not xs[2]) or (xs[1] and xs[2])),
}
FUNCS = {**FUNCTIONS, **EXTRA}


def table_of(name, n):
    return tuple((xs, FUNCS[name](xs)) for xs in itertools.product((0, 1), repeat=n))


def run(network, xs) -> Fraction:
    """The network's output at ``xs`` by brute force: Σ w·a + b per neuron, layer by layer."""
    value = dict(zip(network.inputs, map(Fraction, xs)))
    for layer in network.layers:
        for n in layer.neurons:
            z = sum(Fraction(str(e.value)) * value[e.source] for e in network.weights.values()
                    if e.target == n)
            z += sum(Fraction(str(b.value)) for b in network.biases.values() if n in b.targets)
            value[n] = max(z, Fraction(0)) if layer is not network.layers[-1] else z
    return value[network.layers[-1].neurons[0]]


CASES = [(name, n, hidden) for name in FUNCS for n in (2, 3) for hidden in (2, 3, 4)
         if not (name in EXTRA and n != (3 if name.endswith("3") else 2))]


@pytest.mark.parametrize("name, n, hidden", CASES)
def test_the_designed_network_computes_the_table_with_no_idle_neuron(name, n, hidden):
    table = table_of(name, n)
    try:
        network, _, used = design(table, hidden)
    except ValueError:   # fewer than the construction needs: refused, and said so
        assert hidden < 4
        return
    for xs, y in table:
        assert run(network, xs) == y, (xs, y)
    (hidden_layer,) = network.layers[:-1]
    assert len(hidden_layer.neurons) == used <= hidden
    for h in hidden_layer.neurons:   # each neuron takes part: some weight in, its weight out
        assert any(e.value != 0 for e in network.weights.values() if e.target == h)
        assert any(e.value != 0 for e in network.weights.values() if e.source == h)


def test_the_sheet_says_why_fewer_neurons_suffice():
    spec = """
[sheet]
title = "t"
[[problem]]
id = "1"
kind = "boolean"
function = "xor"
hidden = 3
"""
    (solution,) = sd.solve(sd.loads(spec))
    assert solution.to_json()["hidden_asked"] == 3
    assert solution.to_json()["hidden_needed"] == len(solution.network.layers[0].neurons) == 2
    for lang, words in (("en", "You asked for 3 hidden neurons; 2 are enough"),
                        ("zh", "题目要求 3 个隐藏神经元；此处 2 个已足够")):
        for fmt in ("tex", "md"):
            assert words in sd.render(sd.loads(spec), format=fmt, lang=lang)


def test_a_construction_that_uses_exactly_the_neurons_asked_is_chosen():
    # majority of three: by s = x1 + x2 + x3 the slopes of g = (0, 0, 1, 1) change at
    # s = 1 and s = 2 (2 neurons); one neuron per row on the rarer side takes 4
    table = table_of("majority3", 3)
    assert design(table, 4)[1:] == ("rows", 4)
    assert design(table, 2)[1:] == design(table, 3)[1:] == ("symmetric", 2)
