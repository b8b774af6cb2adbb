"""Dense layers in matrix form, as a course writes the backward pass and the update:

    δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)} ⊙ f′(z^{(l)}),   ∂E/∂W^{(l)} = δ^{(l)} (a^{(l−1)})ᵀ,
    ∂E/∂b^{(l)} = δ^{(l)},   W′^{(l)} = W^{(l)} − η ∂E/∂W^{(l)}.

Each is a Step (symbolic = matrices with the numbers = value) whose values are matrices
of the numbers the scalar walk computed: the same δ, the same gradients, nothing new.
One example only (over several the gradient is a sum of such products).
"""

import math

import sympy as sp

from symderiv.calculus.latex import layer_matrix
from symderiv.nets import backprop
from symderiv.nets.graph import dense_matrix
from symderiv.nets.notation import LEARNING_RATE, dense_neuron
from symderiv.solution import LayerMatrices, Number, Step

MATRIX_COLUMNS = 6   # widest W (and Wᵀ) printed; a wider layer keeps its scalar rows


def layer_matrices(net, inputs: dict, loss: str, deltas: dict, gradients: dict, worked,
                   given: dict, after: dict, rate: Number | None, trained, prec: int
                   ) -> dict[int, LayerMatrices]:
    """The matrix form of every dense layer whose weights are all in ``worked`` with
    their δ in ``deltas`` (one example's δ Steps by neuron); ``after``: the parameters
    after the first step."""
    fp = backprop.forward(net, inputs, prec=prec)
    out = {}
    count = len(net.layers)
    for number in range(1, count + 1):
        dense = dense_matrix(net, number)
        layer = net.layers[number - 1]
        if dense is None or not all(n in deltas for n in layer.neurons):
            continue
        names, biases = dense
        if len(names) > MATRIX_COLUMNS or len(names[0]) > MATRIX_COLUMNS:
            continue
        if not all(w in worked for row in names for w in row):
            continue
        before = net.inputs if number == 1 else net.layers[number - 2].neurons
        delta = _column([deltas[n].value.exact for n in layer.neurons])
        steps = []
        following = dense_matrix(net, number + 1) if number < count else None
        if following is not None and layer.activation.elementwise:
            nxt = net.layers[number]
            if all(n in deltas for n in nxt.neurons):
                steps.append(_delta_step(number, following[0], given, nxt, deltas,
                                         [fp.slope[n] for n in layer.neurons], loss, delta))
        a_before = _column([fp.a[n] for n in before])
        gradient = sp.ImmutableMatrix([[gradients[w] for w in row] for row in names])
        dW = layer_matrix("dW", number, *gradient.shape, loss=loss)
        # the outputs of the layer before by the name its neurons have (n^{(1)}), x for inputs
        outputs = "n" if number > 1 and dense_neuron(before[0]) else "a"
        steps.append(Step(dW, sp.MatMul(layer_matrix("delta", number, delta.rows, 1, loss=loss),
                                        sp.Transpose(layer_matrix(outputs, number - 1,
                                                                  a_before.rows, 1)),
                                        evaluate=False),
                          sp.MatMul(delta, a_before.T, evaluate=False), _matrix(gradient)))
        params = [w for row in names for w in row]
        if biases is not None:
            params += list(biases)
            steps.append(Step(layer_matrix("db", number, delta.rows, 1, loss=loss),
                              layer_matrix("delta", number, delta.rows, 1, loss=loss),
                              None, _matrix(_column([gradients[b] for b in biases]))))
        update = ()
        if rate is not None and all(p in trained for p in params):
            update = tuple(_update(kind, number, rows, given, after, gradients, rate, loss)
                           for kind, rows in (("W", names),
                                              ("b", None if biases is None
                                               else tuple((b,) for b in biases)))
                           if rows is not None)
        out[number] = LayerMatrices(number, tuple(params), tuple(steps), update)
    return out


def _column(values) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([[v] for v in values])


def _matrix(m: sp.ImmutableMatrix) -> Number:
    # a matrix has no one float; nothing writes it to JSON
    return Number(m, math.nan)


def _delta_step(number, following, given, nxt, deltas, slopes, loss, delta) -> Step:
    """δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)} ⊙ f′(z^{(l)})."""
    W = sp.ImmutableMatrix([[given[w] for w in row] for row in following])
    d_next = _column([deltas[n].value.exact for n in nxt.neurons])
    symbolic = sp.HadamardProduct(
        sp.MatMul(sp.Transpose(layer_matrix("W", number + 1, *W.shape)),
                  layer_matrix("delta", number + 1, d_next.rows, 1, loss=loss), evaluate=False),
        layer_matrix("slope", number, delta.rows, 1))
    substituted = sp.HadamardProduct(sp.MatMul(W.T, d_next, evaluate=False),
                                     _column(slopes))
    return Step(layer_matrix("delta", number, delta.rows, 1, loss=loss), symbolic,
                substituted, _matrix(delta))


def _update(kind, number, rows, given, after, gradients, rate, loss) -> Step:
    """W'^{(l)} = W^{(l)} − η ∂E/∂W^{(l)} = [W] − η [∂E/∂W] = [W']."""
    old = sp.ImmutableMatrix([[given[p] for p in row] for row in rows])
    grad = sp.ImmutableMatrix([[gradients[p] for p in row] for row in rows])
    new = sp.ImmutableMatrix([[after[p] for p in row] for row in rows])
    shape = old.shape
    eta = sp.Symbol(LEARNING_RATE)
    symbolic = sp.MatAdd(layer_matrix(kind, number, *shape),
                         sp.MatMul(-1, eta, layer_matrix("d" + kind, number, *shape, loss=loss),
                                   evaluate=False), evaluate=False)
    substituted = sp.MatAdd(old, sp.MatMul(-1, rate.exact, grad, evaluate=False),
                            evaluate=False)
    return Step(layer_matrix(kind + "'", number, *shape), symbolic, substituted, _matrix(new))
