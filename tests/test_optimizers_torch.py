"""Contract §5.5 against PyTorch (float64, autograd + torch.optim): optimisers over
several steps, weight decay as (λ/2)·Σw² over the weights only (torch: weight_decay=λ on
the weights' parameter group, 0 on the biases'), and ∂o/∂(parameters, inputs).

Held out: Mazur's 2-2-2 network (the seed's, targets 0.01/0.99); and random dense
networks with random optimisers and settings (hypothesis).
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symderiv.problems import solve
from symderiv.spec import load_sheet_text

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

MAZUR = """\
[sheet]
title = "t"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = ["i1", "i2"]
layers = [
  { neurons = ["h1", "h2"], activation = "sigmoid" },
  { neurons = ["o1", "o2"], activation = "sigmoid" },
]
[problem.network.weights]
w1 = { from = "i1", to = "h1", value = 0.15 }
w2 = { from = "i1", to = "h2", value = 0.25 }
w3 = { from = "i2", to = "h1", value = 0.20 }
w4 = { from = "i2", to = "h2", value = 0.30 }
w5 = { from = "h1", to = "o1", value = 0.40 }
w6 = { from = "h1", to = "o2", value = 0.45 }
w7 = { from = "h2", to = "o1", value = 0.50 }
w8 = { from = "h2", to = "o2", value = 0.55 }
[problem.network.biases]
b1 = { to = ["h1", "h2"], value = 0.35 }
b2 = { to = ["o1", "o2"], value = 0.60 }
[problem.data]
inputs  = { i1 = 0.05, i2 = 0.10 }
"""
MAZUR_TARGETS = 'targets = { o1 = 0.01, o2 = 0.99 }\n'

TORCH_OPTIMIZERS = {
    "sgd": lambda groups, lr, s: torch.optim.SGD(groups, lr=lr),
    "momentum": lambda groups, lr, s: torch.optim.SGD(groups, lr=lr, momentum=s.get("beta", 0.9)),
    "nesterov": lambda groups, lr, s: torch.optim.SGD(groups, lr=lr, momentum=s.get("beta", 0.9),
                                                      nesterov=True),
    "rmsprop": lambda groups, lr, s: torch.optim.RMSprop(groups, lr=lr, alpha=s.get("rho", 0.99),
                                                         eps=s.get("eps", 1e-8)),
    "adam": lambda groups, lr, s: torch.optim.Adam(groups, lr=lr, betas=(s.get("beta1", 0.9),
                                                                       s.get("beta2", 0.999)),
                                                   eps=s.get("eps", 1e-8)),
}


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * (1 + abs(b))


def mazur_torch():
    t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
    p = {"w1": t(0.15), "w2": t(0.25), "w3": t(0.20), "w4": t(0.30), "w5": t(0.40),
         "w6": t(0.45), "w7": t(0.50), "w8": t(0.55), "b1": t(0.35), "b2": t(0.60)}

    def forward(i1, i2):
        h1 = torch.sigmoid(p["w1"] * i1 + p["w3"] * i2 + p["b1"])
        h2 = torch.sigmoid(p["w2"] * i1 + p["w4"] * i2 + p["b1"])
        o1 = torch.sigmoid(p["w5"] * h1 + p["w7"] * h2 + p["b2"])
        o2 = torch.sigmoid(p["w6"] * h1 + p["w8"] * h2 + p["b2"])
        return o1, o2
    return p, forward


def solved(text):
    return solve(load_sheet_text(text, "t.toml").problems[0]).to_json()


@pytest.mark.parametrize("name,spec_settings", [
    ("momentum", {}), ("nesterov", {"beta": 0.8}), ("rmsprop", {}),
    ("adam", {}), ("adam", {"beta1": 0.5, "beta2": 0.9, "eps": 0.001}), ("sgd", {})])
@pytest.mark.parametrize("decay", [0, 0.01])
def test_mazur_three_steps(name, spec_settings, decay):
    settings_toml = ", ".join(f"{k} = {v}" for k, v in spec_settings.items())
    out = solved(MAZUR + MAZUR_TARGETS + f'[problem.training]\nloss = "half-sse"\n'
                 f'learning_rate = 0.5\nsteps = 3\nweight_decay = {decay}\n'
                 f'optimizer = {{ name = "{name}"{", " + settings_toml if settings_toml else ""} }}\n')
    p, forward = mazur_torch()
    weights = [p[k] for k in p if k.startswith("w")]
    biases = [p["b1"], p["b2"]]
    opt = TORCH_OPTIMIZERS[name]([{"params": weights, "weight_decay": decay},
                                  {"params": biases, "weight_decay": 0}], 0.5, spec_settings)
    losses = []
    for step in range(4):
        o1, o2 = forward(0.05, 0.10)
        loss = 0.5 * ((o1 - 0.01) ** 2 + (o2 - 0.99) ** 2)
        losses.append(float((loss + decay / 2 * sum(w * w for w in weights)).detach()))
        if step == 3:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert all(close(a, b) for a, b in zip(out["losses"], losses)), (out["losses"], losses)
    for k, v in p.items():
        assert close(out["updated"][k], float(v.detach())), k
    if name == "adam":
        assert [s["t"] for s in out["states"]["w5"]] == [1, 2, 3]


def test_mazur_output_gradients_of_o1():
    """∂o1/∂(w1, w5, b1, i1, i2): loss = "output", no targets."""
    out = solved(MAZUR + '[problem.training]\nloss = "output"\noutput = "o1"\n'
                 'learning_rate = 0.1\ngradients = ["w1", "w5", "b1", "i1", "i2"]\n')
    p, forward = mazur_torch()
    i1 = torch.tensor(0.05, dtype=torch.float64, requires_grad=True)
    i2 = torch.tensor(0.10, dtype=torch.float64, requires_grad=True)
    o1, _ = forward(i1, i2)
    o1.backward()
    assert close(out["loss"], float(o1.detach()))
    for name, tensor in [("w1", p["w1"]), ("w5", p["w5"]), ("b1", p["b1"]), ("i1", i1), ("i2", i2)]:
        assert close(out["gradients"][name], float(tensor.grad), 1e-12), name
    assert "i1" in out["gradients"] and "w5" in out["chains"]


# -- random dense networks ------------------------------------------------------------------

def dense_spec(rng, sizes, activation, loss, optimizer, decay, examples, lr, steps):
    layers = []
    matrices = []
    for k in range(1, len(sizes)):
        W = [[round(rng.uniform(-1, 1), 2) for _ in range(sizes[k - 1])] for _ in range(sizes[k])]
        b = [round(rng.uniform(-0.5, 0.5), 2) for _ in range(sizes[k])]
        matrices.append((W, b))
        act = activation if k < len(sizes) - 1 else "sigmoid"
        layers.append(f'{{ size = {sizes[k]}, activation = "{act}", W = {W}, b = {b} }}')
    data = ", ".join("{ inputs = " + str(x) + ", targets = " + str(y) + " }" for x, y in examples)
    name, hyper = optimizer
    hyper_toml = "".join(f", {k} = {v}" for k, v in hyper.items())
    return (f'[sheet]\ntitle = "r"\n[[problem]]\nid = "1"\nkind = "backprop"\n'
            f'[problem.network]\ninputs = {sizes[0]}\nlayers = [{", ".join(layers)}]\n'
            f'[problem.data]\nexamples = [{data}]\n'
            f'[problem.training]\nloss = "{loss}"\nlearning_rate = {lr}\nsteps = {steps}\n'
            f'weight_decay = {decay}\noptimizer = {{ name = "{name}"{hyper_toml} }}\n'), matrices


optimizers = st.sampled_from([
    ("sgd", {}), ("momentum", {}), ("momentum", {"beta": 0.5}), ("nesterov", {}),
    ("rmsprop", {}), ("rmsprop", {"rho": 0.9, "eps": 0.01}), ("adam", {}),
    ("adam", {"beta1": 0.8, "beta2": 0.99})])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), optimizer=optimizers,
       activation=st.sampled_from(["tanh", "sigmoid", "relu"]),
       loss=st.sampled_from(["sse", "half-sse", "mse"]),
       decay=st.sampled_from([0, 0.05]), steps=st.integers(1, 3))
def test_random_networks_match_torch_optim(seed, optimizer, activation, loss, decay, steps):
    rng = random.Random(seed)
    sizes = [rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)]
    examples = [([round(rng.uniform(-1, 1), 2) for _ in range(sizes[0])],
                 [round(rng.uniform(0, 1), 2) for _ in range(sizes[-1])])
                for _ in range(rng.randint(1, 3))]
    text, matrices = dense_spec(rng, sizes, activation, loss, optimizer, decay, examples, 0.3, steps)
    out = solved(text)
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W, _ in matrices]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for _, b in matrices]
    opt = TORCH_OPTIMIZERS[optimizer[0]]([{"params": Ws, "weight_decay": decay},
                                          {"params": bs, "weight_decay": 0}], 0.3, optimizer[1])
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[activation]
    X = torch.tensor([x for x, _ in examples], dtype=torch.float64)
    Y = torch.tensor([y for _, y in examples], dtype=torch.float64)

    def objective():
        a = X
        for k, (W, b) in enumerate(zip(Ws, bs)):
            z = a @ W.T + b
            a = act(z) if k < len(Ws) - 1 else torch.sigmoid(z)
        sq = ((a - Y) ** 2)
        e = {"sse": sq.sum(), "half-sse": 0.5 * sq.sum(), "mse": sq.mean()}[loss]
        return e, e + decay / 2 * sum((W * W).sum() for W in Ws)

    losses = []
    for step in range(steps + 1):
        e, total = objective()
        losses.append(float(total.detach()))
        if step == steps:
            break
        opt.zero_grad()
        e.backward()
        opt.step()
    reported = out["losses"] if steps > 1 else None
    if reported is not None:
        assert all(close(a, b) for a, b in zip(reported, losses)), (reported, losses)
    for k, (W, b) in enumerate(zip(Ws, bs), start=1):
        for j in range(W.shape[0]):
            assert close(out["updated"][f"b{k}_{j + 1}"], float(b[j].detach()))
            for i in range(W.shape[1]):
                assert close(out["updated"][f"w{k}_{j + 1}_{i + 1}"], float(W[j, i].detach()))
