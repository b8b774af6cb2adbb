"""Gradients against PyTorch autograd (float64): random networks up to 4 layers, every
registry activation, every loss, several examples. The torch model is built here from the
network's edges, one scalar leaf per parameter: an implementation independent of backprop."""

import random

import pytest

from symderiv.nets import backprop as bp
from symderiv.nets.losses import LOSSES
from test_backprop import ELEMENTWISE, output_activation, random_examples, random_network

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def torch_activation(act, z):
    p = {k: float(v) for k, v in act.params.items()}
    return {
        "linear": lambda: z,
        "relu": lambda: F.relu(z),
        "leaky_relu": lambda: F.leaky_relu(z, p.get("alpha", 0.01)),
        "sigmoid": lambda: torch.sigmoid(z),
        "tanh": lambda: torch.tanh(z),
        "softplus": lambda: F.softplus(z, beta=p.get("beta", 1.0)),
        "swish": lambda: z * torch.sigmoid(p.get("beta", 1.0) * z),
        "gelu": lambda: F.gelu(z),
        "gelu_tanh": lambda: F.gelu(z, approximate="tanh"),
        "elu": lambda: F.elu(z, alpha=p.get("alpha", 1.0)),
        "selu": lambda: F.selu(z),  # PyTorch's own constants, not the registry's
        "mish": lambda: F.mish(z),
    }[act.name]()


def torch_gradients(network, examples, loss: str) -> dict[str, float]:
    leaves = {k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
              for k, v in network.parameters().items()}
    outputs, targets = [], []
    for inputs, target in examples:
        a = {x: torch.tensor(float(v), dtype=torch.float64) for x, v in inputs.items()}
        for layer in network.layers:
            zs = [sum(leaves[e.name] * a[e.source] for e in network.incoming(n))
                  + sum(leaves[b.name] for b in network.biases_of(n)) for n in layer.neurons]
            if layer.activation.elementwise:
                values = [torch_activation(layer.activation, z) for z in zs]
            else:
                values = torch.softmax(torch.stack(zs), dim=0)
            a.update(zip(layer.neurons, values))
        outputs.append(torch.stack([a[n] for n in network.outputs]))
        targets.append(torch.tensor([float(target[n]) for n in network.outputs],
                                    dtype=torch.float64))
    o, y = torch.stack(outputs), torch.stack(targets)  # examples × outputs
    if loss == "sse":
        E = ((o - y) ** 2).sum()
    elif loss == "half-sse":
        E = 0.5 * ((o - y) ** 2).sum()
    elif loss == "mse":
        E = F.mse_loss(o, y, reduction="mean")
    elif loss == "bce":
        E = F.binary_cross_entropy(o, y, reduction="sum")
    elif loss == "output":  # the outputs themselves, weighted by the selector targets
        E = (y * o).sum()
    elif network.layers[-1].activation.elementwise:
        E = F.cross_entropy(o, y, reduction="sum")  # outputs as logits, soft targets
    else:
        E = -(y * torch.log(o)).sum()
    E.backward()
    return {k: leaf.grad.item() for k, leaf in leaves.items()}


def agree(ours: dict, theirs: dict) -> list[str]:
    """Names whose gradients differ by more than 1e-10 relative (or 1e-13 of the largest)."""
    scale = max(abs(v) for v in theirs.values())
    return [k for k, t in theirs.items()
            if abs(float(ours[k]) - t) > 1e-10 * abs(t) + 1e-13 * scale]


@pytest.mark.parametrize("loss", list(LOSSES))
def test_gradients_agree_with_torch_for_every_activation(loss):
    rng = random.Random(f"torch-{loss}")
    for name in ELEMENTWISE:
        depth = rng.randint(2, 4)
        hidden = [name] + [rng.choice(ELEMENTWISE) for _ in range(depth - 2)]
        rng.shuffle(hidden)
        network = random_network(rng, depth, hidden + [output_activation(rng, loss)],
                                 outputs=rng.randint(2, 3))
        examples = random_examples(rng, network, loss, rng.randint(2, 3))
        theirs = torch_gradients(network, examples, loss)
        exact = {k: g.value for k, g in bp.gradients(network, examples, loss).items()}
        assert agree(exact, theirs) == [], (name, loss)
        assert agree(bp.gradients_float(network, examples, loss), theirs) == [], (name, loss)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_softmax_output_layer_agrees_with_torch(loss):
    rng = random.Random(f"torch-softmax-{loss}")
    for depth in (1, 2, 3, 4):
        hidden = [rng.choice(ELEMENTWISE) for _ in range(depth - 1)]
        network = random_network(rng, depth, hidden + ["softmax"], outputs=3)
        examples = random_examples(rng, network, loss, 3)
        theirs = torch_gradients(network, examples, loss)
        exact = {k: g.value for k, g in bp.gradients(network, examples, loss).items()}
        assert agree(exact, theirs) == [], (depth, loss)
        assert agree(bp.gradients_float(network, examples, loss), theirs) == [], (depth, loss)
