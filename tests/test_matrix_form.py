"""The dense classifier (examples/classifier.toml): every gradient, both steps and the
matrix form of its backward pass and update, against PyTorch autograd and torch.optim.SGD
in float64; each matrix statement (δ = (W)ᵀδ ⊙ f′(z), ∂E/∂W = δaᵀ, W′ = W − η∂E/∂W)
evaluated from its own printed factors.
"""

import pytest
import sympy as sp

from symderiv.problems import solve_sheet
from symderiv.render.backprop_layout import backprop_layout
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet

TOL = 1e-12


@pytest.fixture(scope="module")
def classifier():
    return solve_sheet(load_sheet(examples_dir() / "classifier.toml")).problems[0]


def torch_run(steps=2):
    """The classifier's spec, written out again here: per step the gradients (by name) and
    the parameters after it."""
    import torch

    W1 = torch.tensor([[0.2, -0.1, 0.4], [-0.3, 0.5, 0.1], [0.6, 0.2, -0.4], [0.1, -0.2, 0.3]],
                      dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([0.1, 0.0, -0.1, 0.2], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor([[0.3, -0.2, 0.5, 0.1], [-0.4, 0.6, 0.2, -0.3], [0.1, 0.3, -0.5, 0.4]],
                      dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor([0.0, 0.1, -0.1], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([1.0, 0.5, -0.5], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64)
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=0.5)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        z2 = W2 @ torch.relu(W1 @ x + b1) + b2
        loss = -(y * torch.log_softmax(z2, dim=0)).sum()
        loss.backward()
        grads = _named(W1.grad, b1.grad, W2.grad, b2.grad)
        opt.step()
        history.append((grads, _named(W1, b1, W2, b2)))
    return history


def _named(W1, b1, W2, b2):
    out = {}
    for l, (W, b) in enumerate(((W1.detach(), b1.detach()), (W2.detach(), b2.detach())), start=1):
        for j in range(W.shape[0]):
            out[f"b{l}_{j + 1}"] = float(b[j])
            for k in range(W.shape[1]):
                out[f"w{l}_{j + 1}_{k + 1}"] = float(W[j, k])
    return out


@pytest.mark.torch
def test_every_gradient_and_both_steps_match_torch(classifier):
    history = torch_run()
    assert len(classifier.step_gradients) == len(history) == 2
    assert len(classifier.all_gradients) == 31
    for (grads, after), ours_g, ours_v in zip(history, classifier.step_gradients,
                                              classifier.step_values):
        assert set(ours_g) == set(grads) == set(ours_v)
        for name in grads:
            assert ours_g[name].value == pytest.approx(grads[name], abs=TOL), name
            assert ours_v[name].value == pytest.approx(after[name], abs=TOL), name
    for name, g in classifier.all_gradients.items():
        assert g.value == pytest.approx(history[0][0][name], abs=TOL)


@pytest.mark.torch
def test_the_matrices_hold_torchs_gradients_and_updates(classifier):
    (grads, after), _ = torch_run()
    assert sorted(classifier.matrices) == [1, 2]
    for l, m in classifier.matrices.items():
        values = {str(s.lhs): s.value.exact for s in (*m.backward, *m.update)}
        dW, W_new = values[f"dW@{l}@E"], values[f"W'@{l}@E"]
        for j in range(dW.rows):
            for k in range(dW.cols):
                name = f"w{l}_{j + 1}_{k + 1}"
                assert float(dW[j, k]) == pytest.approx(grads[name], abs=TOL)
                assert float(W_new[j, k]) == pytest.approx(after[name], abs=TOL)
        db = values[f"db@{l}@E"]
        assert [float(v) for v in db] == pytest.approx(
            [grads[f"b{l}_{j + 1}"] for j in range(db.rows)], abs=TOL)


def test_each_matrix_statement_holds_for_its_printed_factors(classifier):
    for m in classifier.matrices.values():
        for step in (*m.backward, *m.update):
            if step.substituted is None:
                continue
            computed = sp.ImmutableMatrix(step.substituted.doit()).evalf(30)
            difference = (computed - step.value.exact).applyfunc(abs)
            assert max(difference) < 1e-25, step.lhs


def test_a_dense_layer_asked_in_full_shows_matrices_not_its_scalar_rows(classifier):
    layout = backprop_layout(classifier)
    for layer in layout.backward:
        assert layer.matrices and not layer.rows and not layer.gradients
        # each δ still worked once, by name
        assert all(len(rows) == len(classifier.network.layers[layer.number - 1].neurons)
                   for _, rows in layer.deltas)
    assert len(layout.updates) == 4   # W and b of both layers, as matrices
