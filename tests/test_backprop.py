"""backprop and losses against independent oracles: a hand-coded mpmath computation of the
seed's network, mpmath central differences, the fully nested sympy.diff on small networks,
and a hand-coded gradient-descent loop. Expected values are computed here, never copied."""

import random

import mpmath
import pytest
import sympy as sp

from symderiv.nets import backprop as bp
from symderiv.calculus.activations import names, resolve
from symderiv.calculus.expr import symbol
from symderiv.nets.losses import LOSSES, ce_softmax_delta, loss_derivative, loss_expression
from symderiv.nets.network import Bias, Edge, Layer, Network

R = sp.Rational
ELEMENTWISE = [n for n in names() if n != "softmax"]


# -- the seed's 2-2-2 network (the homework's problem 4), built from the brief's wiring ----------

def seed_network() -> tuple[Network, list]:
    wiring = {"w1": ("i1", "h1", "0.15"), "w2": ("i1", "h2", "0.25"),
              "w3": ("i2", "h1", "0.20"), "w4": ("i2", "h2", "0.30"),
              "w5": ("h1", "o1", "0.30"), "w6": ("h1", "o2", "0.50"),
              "w7": ("h2", "o1", "0.45"), "w8": ("h2", "o2", "0.55")}
    sigmoid = resolve("sigmoid", "test")
    network = Network(
        ("i1", "i2"), (Layer(("h1", "h2"), sigmoid), Layer(("o1", "o2"), sigmoid)),
        {k: Edge(k, s, t, R(v)) for k, (s, t, v) in wiring.items()},
        {"b1": Bias("b1", ("h1", "h2"), R("0.35")), "b2": Bias("b2", ("o1", "o2"), R("0.60"))})
    return network, [({"i1": R("0.05"), "i2": R("0.10")}, {"o1": R("0.12"), "o2": R("0.95")})]


SEED_NOTATION = bp.Notation("e", {"o1": "z1", "o2": "z2"}, {"o1": "y1", "o2": "y2"})


def seed_by_hand():
    """The seed's forward pass, loss, gradients and one update, written out in mpmath."""
    mp = mpmath.mp
    d = lambda s: mpmath.mpf(s)  # noqa: E731  (decimal strings, exact to mp.dps)
    sig = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
    w = {k: d(v) for k, v in dict(w1="0.15", w2="0.25", w3="0.20", w4="0.30", w5="0.30",
                                  w6="0.50", w7="0.45", w8="0.55").items()}
    b1, b2, i1, i2, y1, y2 = d("0.35"), d("0.60"), d("0.05"), d("0.10"), d("0.12"), d("0.95")
    zh1 = w["w1"] * i1 + w["w3"] * i2 + b1
    zh2 = w["w2"] * i1 + w["w4"] * i2 + b1
    h1, h2 = sig(zh1), sig(zh2)
    z1 = w["w5"] * h1 + w["w7"] * h2 + b2
    z2 = w["w6"] * h1 + w["w8"] * h2 + b2
    o1, o2 = sig(z1), sig(z2)
    e = (o1 - y1) ** 2 + (o2 - y2) ** 2
    de_do1, de_do2 = 2 * (o1 - y1), 2 * (o2 - y2)
    do1_dz1, do2_dz2 = o1 * (1 - o1), o2 * (1 - o2)
    d1, d2 = de_do1 * do1_dz1, de_do2 * do2_dz2
    dh1, dh2 = w["w5"] * d1 + w["w6"] * d2, w["w7"] * d1 + w["w8"] * d2
    dz_h1, dz_h2 = dh1 * h1 * (1 - h1), dh2 * h2 * (1 - h2)
    grads = {"w1": dz_h1 * i1, "w2": dz_h2 * i1, "w3": dz_h1 * i2, "w4": dz_h2 * i2,
             "w5": d1 * h1, "w6": d2 * h1, "w7": d1 * h2, "w8": d2 * h2,
             "b1": dz_h1 + dz_h2, "b2": d1 + d2}
    params = {**w, "b1": b1, "b2": b2}
    updated = {k: params[k] - d("0.1") * g for k, g in grads.items()}
    return dict(z={"h1": zh1, "h2": zh2, "o1": z1, "o2": z2},
                a={"h1": h1, "h2": h2, "o1": o1, "o2": o2}, loss=e, grads=grads,
                chains={"w5": [de_do1, do1_dz1, h1], "w6": [de_do2, do2_dz2, h1]},
                updated=updated)


def close(x, y, tol):
    return abs(mpmath.mpf(sp.Float(x, 60)._mpf_) - y) <= tol * max(1, abs(y))


def test_seed_network_matches_hand_computation():
    with mpmath.workdps(60):
        hand = seed_by_hand()
        network, examples = seed_network()
        fp = bp.forward(network, examples[0][0], notation=SEED_NOTATION)
        for n in network.neurons:
            assert close(fp.z[n], hand["z"][n], 1e-45) and close(fp.a[n], hand["a"][n], 1e-45)
            assert fp.a_float[n] == pytest.approx(float(hand["a"][n]), rel=1e-15)
        assert close(bp.total_loss(network, examples, "sse"), hand["loss"], 1e-45)
        grads = bp.gradients(network, examples, "sse", wrt=["w5", "w6"], notation=SEED_NOTATION)
        assert set(grads) == set(hand["grads"])
        for k, g in grads.items():
            assert close(g.value, hand["grads"][k], 1e-45), k
        for k in ("w5", "w6"):
            assert [close(f.value, v, 1e-45) for f, v in zip(grads[k].chain, hand["chains"][k])] \
                == [True] * 3
        run = bp.train(network, examples, "sse", R(1, 10), steps=1)
        for k, v in hand["updated"].items():
            assert close(run.final[k], v, 1e-12), k


def test_seed_chain_reads_as_the_textbook():
    network, examples = seed_network()
    g = bp.gradients(network, examples, "sse", wrt=["w5"], notation=SEED_NOTATION)["w5"]
    e, o1, y1, z1, h1, w5 = (symbol(n) for n in ("e", "o1", "y1", "z1", "h1", "w5"))
    dE, do, dz = g.chain
    assert (dE.symbol, do.symbol, dz.symbol) == (
        sp.Derivative(e, o1), sp.Derivative(o1, z1), sp.Derivative(z1, w5))
    assert sp.expand(dE.formula - 2 * (o1 - y1)) == 0
    assert sp.expand(do.output_form - o1 * (1 - o1)) == 0
    assert dz.formula == h1 and dz.output_form is None
    fp = bp.forward(network, examples[0][0], notation=SEED_NOTATION)
    assert sp.expand(fp.net_input_expr["o1"] - (symbol("w5") * h1 + symbol("w7") * symbol("h2")
                                                 + symbol("b2"))) == 0
    assert fp.activation_expr["o1"] == resolve("sigmoid", "t").expr(z1)


# -- random networks ---------------------------------------------------------------------------

def random_network(rng: random.Random, depth: int, activations: list, outputs: int = 2,
                   inputs: int = 2, skip: bool = True, share: bool = True) -> Network:
    """Named neurons, every earlier neuron possibly feeding a later one (skip edges),
    some biases shared across neurons, exact random values."""
    value = lambda: R(rng.randint(-900, 900), 1000)  # noqa: E731
    input_names = tuple(f"x{k}" for k in range(1, inputs + 1))
    layers, weights, biases = [], {}, {}
    earlier, previous = list(input_names), input_names
    for l in range(1, depth + 1):
        size = outputs if l == depth else rng.randint(1, 3)
        neurons = tuple(f"u{l}{j}" for j in range(1, size + 1))
        for n in neurons:
            sources = set(previous) | {s for s in earlier if skip and rng.random() < 0.2}
            for s in sorted(sources):
                name = f"w{len(weights) + 1}"
                weights[name] = Edge(name, s, n, value())
        unbiased = list(neurons)
        rng.shuffle(unbiased)
        while unbiased:
            take = rng.randint(1, len(unbiased)) if share else 1
            group, unbiased = unbiased[:take], unbiased[take:]
            name = f"b{len(biases) + 1}"
            biases[name] = Bias(name, tuple(group), value())
        act = activations[l - 1]
        layers.append(Layer(neurons, act if not isinstance(act, str) else resolve(act, "t")))
        earlier += neurons
        previous = neurons
    return Network(input_names, tuple(layers), weights, biases)


def random_examples(rng: random.Random, network: Network, loss: str, count: int) -> list:
    examples = []
    for _ in range(count):
        inputs = {x: R(rng.randint(-100, 100), 50) for x in network.inputs}
        if loss == "ce":
            raw = [rng.randint(0, 10) for _ in network.outputs]
            if rng.random() < 0.5:  # a one-hot class, or weights that need not sum to 1
                raw = [1 if k == rng.randrange(len(raw)) else 0 for k in range(len(raw))]
                raw = raw if any(raw) else [1] + raw[1:]
            targets = {o: R(v, 10) for o, v in zip(network.outputs, raw)}
        else:
            targets = {o: R(rng.randint(1, 99), 100) for o in network.outputs}
        examples.append((inputs, targets))
    return examples


def output_activation(rng: random.Random, loss: str) -> str:
    """An output activation that the loss can take (bce needs outputs in (0, 1))."""
    if loss == "bce":
        return rng.choice(["sigmoid", "softmax"])
    if loss == "ce":
        return rng.choice(["softmax", "softmax", "linear", "tanh"])
    return rng.choice(ELEMENTWISE + ["softmax"])


# -- an independent evaluation of the loss, for finite differences -------------------------------

def mp_activation(act, z):
    if not act.elementwise:
        raise AssertionError("softmax is done per layer")
    return mpmath.mpf(sp.Float(act.expr(sp.Float(z, mpmath.mp.dps)).evalf(mpmath.mp.dps),
                               mpmath.mp.dps)._mpf_)


def mp_loss(network: Network, examples, loss: str, params: dict):
    total = 0
    for inputs, targets in examples:
        a = {x: mpmath.mpf(sp.Float(v, mpmath.mp.dps)._mpf_) for x, v in inputs.items()}
        for layer in network.layers:
            zs = []
            for n in layer.neurons:
                zs.append(sum(params[e.name] * a[e.source] for e in network.incoming(n))
                          + sum(params[b.name] for b in network.biases_of(n)))
            if layer.activation.elementwise:
                a.update({n: mp_activation(layer.activation, z) for n, z in zip(layer.neurons, zs)})
            else:
                exps = [mpmath.exp(z) for z in zs]
                a.update({n: v / sum(exps) for n, v in zip(layer.neurons, exps)})
        o = [a[n] for n in network.outputs]
        y = [mpmath.mpf(sp.Float(targets[n], mpmath.mp.dps)._mpf_) for n in network.outputs]
        if loss in ("sse", "half-sse", "mse"):
            sq = sum((oi - yi) ** 2 for oi, yi in zip(o, y))
            total += {"sse": sq, "half-sse": sq / 2, "mse": sq / len(o) / len(examples)}[loss]
        elif loss == "bce":
            total -= sum(yi * mpmath.log(oi) + (1 - yi) * mpmath.log(1 - oi) for oi, yi in zip(o, y))
        elif network.layers[-1].activation.elementwise:  # ce on logits
            lse = mpmath.log(sum(mpmath.exp(oi) for oi in o))
            total -= sum(yi * (oi - lse) for oi, yi in zip(o, y))
        else:
            total -= sum(yi * mpmath.log(oi) for oi, yi in zip(o, y))
    return total


def finite_differences(network, examples, loss) -> dict:
    """Central differences at 40 digits with step 1e-15: error about 1e-30 × f'''."""
    h = mpmath.mpf("1e-15")
    with mpmath.workdps(40):
        base = {k: mpmath.mpf(sp.Float(v, 40)._mpf_) for k, v in network.parameters().items()}
        out = {}
        for k in base:
            up, down = dict(base), dict(base)
            up[k] += h
            down[k] -= h
            out[k] = sp.Float((mp_loss(network, examples, loss, up)
                               - mp_loss(network, examples, loss, down)) / (2 * h), 40)
        return out


CASES = [(seed, loss) for loss in LOSSES for seed in range(2)]


@pytest.mark.parametrize("seed,loss", CASES)
def test_gradients_match_finite_differences(seed, loss):
    rng = random.Random(f"fd-{loss}-{seed}")
    depth = rng.randint(1, 4)
    acts = [rng.choice(ELEMENTWISE) for _ in range(depth - 1)] + [output_activation(rng, loss)]
    network = random_network(rng, depth, acts, outputs=rng.randint(1, 3) if loss != "ce" else 3)
    examples = random_examples(rng, network, loss, rng.randint(1, 3))
    fd = finite_differences(network, examples, loss)
    grads = bp.gradients(network, examples, loss)
    floats = bp.gradients_float(network, examples, loss)
    scale = max(1, max(abs(v) for v in fd.values()))
    for k, v in fd.items():
        assert abs(grads[k].value - v) <= 1e-20 * scale, k
        assert floats[k] == pytest.approx(float(v), rel=1e-9, abs=float(1e-12 * scale)), k


def test_every_activation_against_finite_differences():
    rng = random.Random("every-activation")
    for name in ELEMENTWISE + [{"name": "leaky_relu", "alpha": R(1, 5)},
                               {"name": "swish", "beta": sp.Integer(2)}]:
        act = resolve(name, "test")
        network = random_network(rng, 2, [act, act], outputs=2)
        examples = random_examples(rng, network, "sse", 2)
        fd = finite_differences(network, examples, "sse")
        grads = bp.gradients(network, examples, "sse")
        for k, v in fd.items():
            assert abs(grads[k].value - v) <= 1e-20, (name, k)


# -- the fully nested loss, differentiated by SymPy ------------------------------------------

def nested_loss(network: Network, examples, loss: str):
    """The loss with every neuron expanded into its inputs: a function of the parameters."""
    params = {k: symbol(k) for k in network.parameters()}
    total = 0
    for inputs, targets in examples:
        a = dict(inputs)
        for layer in network.layers:
            zs = [sum(params[e.name] * a[e.source] for e in network.incoming(n))
                  + sum(params[b.name] for b in network.biases_of(n)) for n in layer.neurons]
            if layer.activation.elementwise:
                a.update({n: layer.activation.expr(z) for n, z in zip(layer.neurons, zs)})
            else:
                total_exp = sum(sp.exp(z) for z in zs)
                a.update({n: sp.exp(z) / total_exp for n, z in zip(layer.neurons, zs)})
        o, y = [a[n] for n in network.outputs], [targets[n] for n in network.outputs]
        if loss == "ce" and not network.layers[-1].activation.elementwise:
            total += -sum(yi * sp.log(oi) for oi, yi in zip(o, y))
        elif loss == "ce":
            total += -sum(yi * sp.log(sp.exp(oi) / sum(sp.exp(u) for u in o)) for oi, yi in zip(o, y))
        elif loss == "bce":
            total += -sum(yi * sp.log(oi) + (1 - yi) * sp.log(1 - oi) for oi, yi in zip(o, y))
        else:
            sq = sum((oi - yi) ** 2 for oi, yi in zip(o, y))
            total += {"sse": sq, "half-sse": sq / 2, "mse": sq / len(o) / len(examples)}[loss]
    return total, params


@pytest.mark.slow
@pytest.mark.parametrize("loss", list(LOSSES))
def test_gradients_match_nested_sympy_diff(loss):
    rng = random.Random(f"nested-{loss}")
    for depth in (1, 2):
        acts = [rng.choice(["tanh", "sigmoid", "softplus", "elu", "swish"])] * (depth - 1)
        network = random_network(rng, depth, acts + [output_activation(rng, loss)], outputs=2)
        examples = random_examples(rng, network, loss, 2)
        E, params = nested_loss(network, examples, loss)
        values = {params[k]: v for k, v in network.parameters().items()}
        grads = bp.gradients(network, examples, loss, prec=40)
        for k, s in params.items():
            expected = sp.diff(E, s).xreplace(values).evalf(40)
            assert abs(grads[k].value - expected) <= sp.Float("1e-30") * max(1, abs(expected)), k


# -- shared biases -------------------------------------------------------------------------------

def test_shared_bias_is_the_sum_of_its_unshared_parts():
    rng = random.Random("shared")
    network = random_network(rng, 3, ["tanh", "sigmoid", "sigmoid"], outputs=2, share=False)
    examples = random_examples(rng, network, "sse", 2)
    # share one value across the first hidden layer and the outputs
    targets = network.layers[0].neurons + network.outputs
    value = R(3, 10)
    split = {b.name: Bias(b.name, b.targets, value if b.targets[0] in targets else b.value)
             for b in network.biases.values()}
    unshared = Network(network.inputs, network.layers, network.weights, split)
    kept = {k: b for k, b in split.items() if b.targets[0] not in targets}
    shared = Network(network.inputs, network.layers, network.weights,
                     {**kept, "s": Bias("s", targets, value)})
    g_split = bp.gradients(unshared, examples, "sse")
    g_shared = bp.gradients(shared, examples, "sse", wrt=["s"])
    parts = sum(g_split[k].value for k, b in split.items() if k not in kept)
    assert abs(g_shared["s"].value - parts) < 1e-45
    assert len(g_shared["s"].chains) == len(targets) * len(examples)
    for k in kept:
        assert abs(g_shared[k].value - g_split[k].value) < 1e-45


# -- chains, deltas and their formulas ---------------------------------------------------------

def numeric(expr) -> sp.Float:
    """A substituted formula (numbers only) evaluated; its free symbols must be gone."""
    assert not expr.free_symbols, expr
    return sp.N(expr.doit(), 40)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_every_chain_multiplies_out_and_every_formula_evaluates_to_its_value(loss):
    rng = random.Random(f"chains-{loss}")
    acts = [rng.choice(ELEMENTWISE), rng.choice(ELEMENTWISE), output_activation(rng, loss)]
    network = random_network(rng, 3, acts, outputs=2 if loss != "ce" else 3)
    examples = random_examples(rng, network, loss, 2)
    grads = bp.gradients(network, examples, loss, wrt="all")
    for k, g in grads.items():
        total = sum(c.value for c in g.chains)
        assert abs(g.scale * total - g.value) <= 1e-40 * max(1, abs(g.value)), k
        for chain in g.chains:
            assert abs(sp.Mul(*[f.value for f in chain.factors]) - chain.value) <= 1e-40
            for f in chain.factors:
                assert abs(numeric(f.substituted) - f.value) <= 1e-40 * max(1, abs(f.value)), \
                    (k, f.symbol)
    for per_example in bp.deltas(network, examples, loss):
        for n, d in per_example.items():
            assert d.symbol == sp.Derivative(symbol("E"), bp.Notation().z(n))
            assert abs(numeric(d.substituted) - d.value) <= 1e-40 * max(1, abs(d.value)), n


def test_chain_without_request_is_empty_and_unknown_names_are_refused():
    network, examples = seed_network()
    grads = bp.gradients(network, examples, "sse")
    assert all(g.chains == () and g.chain is None for g in grads.values())
    with pytest.raises(ValueError):
        bp.gradients(network, examples, "sse", wrt=["w9"])
    with pytest.raises(ValueError):
        bp.gradients(network, examples, "hinge")


# -- losses -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("logits", [False, True])
def test_loss_derivative_is_the_derivative_of_the_loss(name, logits):
    outputs = [symbol(f"o{k}") for k in range(3)]
    targets = [symbol(f"y{k}") for k in range(3)]
    E = loss_expression(name, outputs, targets, logits)
    point = {**dict(zip(outputs, [R(1, 5), R(1, 2), R(7, 10)])),
             **dict(zip(targets, [R(1, 10), R(3, 5), R(3, 10)]))}
    for o in outputs:
        derived = sp.diff(E, o).evalf(30, subs=point)
        written = loss_derivative(name, o, outputs, targets, logits).evalf(30, subs=point)
        assert abs(derived - written) < 1e-25


def test_ce_through_softmax_is_softmax_minus_target():
    zs = [symbol(f"z{k}") for k in range(3)]
    os_ = [symbol(f"o{k}") for k in range(3)]
    ys = [symbol(f"y{k}") for k in range(3)]
    softmax = [sp.exp(z) / sum(sp.exp(u) for u in zs) for z in zs]
    E = loss_expression("ce", softmax, ys)
    for one_hot, y_values in ((True, [0, 1, 0]), (False, [R(1, 5), R(1, 2), R(2, 5)])):
        point = {**dict(zip(zs, [R(1, 3), R(-1, 2), R(2)])), **dict(zip(ys, y_values))}
        for j, z in enumerate(zs):
            expected = sp.diff(E, z).evalf(30, subs=point)
            delta = ce_softmax_delta(os_[j], os_, ys, one_hot).xreplace(dict(zip(os_, softmax)))
            assert abs(delta.evalf(30, subs=point) - expected) < 1e-25


def test_mse_averages_over_outputs_and_examples():
    rng = random.Random("mse")
    network = random_network(rng, 2, ["tanh", "sigmoid"], outputs=3)
    examples = random_examples(rng, network, "mse", 4)
    sse = bp.total_loss(network, examples, "sse")
    assert abs(bp.total_loss(network, examples, "mse") - sse / 12) < 1e-45
    g_sse, g_mse = bp.gradients(network, examples, "sse"), bp.gradients(network, examples, "mse")
    for k in g_sse:
        assert abs(g_mse[k].value - g_sse[k].value / 12) < 1e-45
        assert g_mse[k].scale == R(1, 4)


# -- gradient descent ---------------------------------------------------------------------------

def test_training_matches_a_hand_coded_loop():
    rng = random.Random("train")
    network = random_network(rng, 2, ["tanh", "sigmoid"], outputs=2)
    examples = random_examples(rng, network, "half-sse", 3)
    trained = sorted(network.parameters())[::2]  # every other parameter; the rest stay fixed
    lr = R(1, 2)
    run = bp.train(network, examples, "half-sse", lr, trained=trained, steps=4)
    # the loop: gradients of the nested loss, every trained parameter updated at once
    E, params = nested_loss(network, examples, "half-sse")
    grad_exprs = {k: sp.diff(E, params[k]) for k in trained}
    values = {params[k]: sp.Float(v, 40) for k, v in network.parameters().items()}
    losses = []
    for step in range(4):
        losses.append(E.xreplace(values).evalf(40))
        grads = {k: g.xreplace(values).evalf(40) for k, g in grad_exprs.items()}
        values = {**values, **{params[k]: values[params[k]] - lr * grads[k] for k in trained}}
        for k, s in params.items():
            assert abs(run.parameters[step][k] - values[s]) < 1e-30, (step, k)
        for k in trained:
            assert abs(run.gradients[step][k] - grads[k]) < 1e-30
    losses.append(E.xreplace(values).evalf(40))
    assert len(run.losses) == 5
    assert all(abs(a - b) < 1e-30 for a, b in zip(run.losses, losses))
    assert losses[-1] < losses[0]
    fixed = set(network.parameters()) - set(trained)
    assert all(run.final[k] == network.parameters()[k] for k in fixed)


def test_a_relu_kink_reached_exactly_is_decided_exactly():
    # z_h = 0.1·3 − 0.3 is exactly 0, where rounding would land just above or below;
    # ReLU'(0) = 0 (PyTorch's convention), so nothing flows back through h.
    relu, linear = resolve("relu", "t"), resolve("linear", "t")
    network = Network(("x",), (Layer(("h",), relu), Layer(("o",), linear)),
                      {"w1": Edge("w1", "x", "h", R("0.1")), "w2": Edge("w2", "h", "o", R(2))},
                      {"b1": Bias("b1", ("h",), R("-0.3")), "b2": Bias("b2", ("o",), R(1))})
    examples = [({"x": R(3)}, {"o": R(5)})]
    fp = bp.forward(network, examples[0][0])
    assert fp.z["h"].is_zero and fp.a["h"].is_zero
    E, params = nested_loss(network, examples, "sse")
    grads = bp.gradients(network, examples, "sse", wrt=["w1"])
    for k, s in params.items():
        expected = sp.diff(E, s).xreplace({params[j]: v for j, v in network.parameters().items()})
        assert abs(grads[k].value - expected) < 1e-45, k
    assert grads["w1"].value.is_zero and grads["w1"].chain[1].value.is_zero


# -- exact values that are not rational; values that have no real number ------------------------

def test_irrational_given_values_are_evaluated_not_refused():
    # sqrt(2)/2, π, e as weights, inputs and targets (contract §1: strings holding exact
    # values); the oracle is the nested loss differentiated and evaluated by SymPy.
    tanh, sigmoid = resolve("tanh", "t"), resolve("sigmoid", "t")
    values = {"w1": sp.sqrt(2) / 2, "w2": sp.pi / 4, "w3": -sp.E / 3, "b1": sp.sqrt(3) / 10,
              "b2": R(-1, 7)}
    network = Network(("x",), (Layer(("h",), tanh), Layer(("o1", "o2"), sigmoid)),
                      {"w1": Edge("w1", "x", "h", values["w1"]),
                       "w2": Edge("w2", "h", "o1", values["w2"]),
                       "w3": Edge("w3", "h", "o2", values["w3"])},
                      {"b1": Bias("b1", ("h",), values["b1"]),
                       "b2": Bias("b2", ("o1", "o2"), values["b2"])})
    examples = [({"x": sp.pi / 3}, {"o1": sp.sqrt(2) / 3, "o2": R(1, 4)})]
    E, params = nested_loss(network, examples, "sse")
    at = {params[k]: v for k, v in values.items()}
    grads = bp.gradients(network, examples, "sse", wrt="all")
    for k, s in params.items():
        expected = sp.diff(E, s).xreplace(at).evalf(45)
        assert abs(grads[k].value - expected) <= 1e-40 * max(1, abs(expected)), k
    fp = bp.forward(network, examples[0][0])
    assert abs(fp.z["h"] - (sp.sqrt(2) / 2 * sp.pi / 3 + sp.sqrt(3) / 10).evalf(45)) < 1e-45
    assert fp.a["x"] == sp.pi / 3                 # a given input stays exact
    assert abs(bp.total_loss(network, examples, "sse") - E.xreplace(at).evalf(45)) < 1e-40


def one_layer(formula: str, weight, bias=R(0)):
    act = resolve(formula, "t")
    return Network(("x",), (Layer(("n",), act),), {"w": Edge("w", "x", "n", R(weight))},
                   {"b": Bias("b", ("n",), R(bias))})


@pytest.mark.parametrize("formula,weight,z,reason", [
    ("1/z", 0, "0", "division by zero"),
    ("sqrt(z)", -1, "-1", "not real (the value is complex)"),
    ("log(z)", -2, "-2", "not real"),
])
def test_an_activation_without_a_real_value_is_reported_with_its_place(formula, weight, z,
                                                                        reason):
    network = one_layer(formula, weight)
    with pytest.raises(bp.WalkError) as caught:
        bp.gradients(network, [({"x": R(1)}, {"n": R(0)})], "sse")
    assert caught.value.layer == 1
    assert caught.value.message.startswith(f"not real and finite at z = {z} for neuron n "
                                           "in example 1: "), caught.value.message
    assert reason in caught.value.message


def test_values_beyond_double_range_are_refused_before_they_cost_memory():
    # exp(exp(exp(z))) at z = 5 is about 10^(10^64): one more such layer would need more
    # memory than there is; the walk stops at the first value beyond double range instead
    network = one_layer("exp(exp(exp(z)))", 5)
    with pytest.raises(bp.WalkError) as caught:
        bp.forward(network, {"x": R(1)})
    assert caught.value.layer == 1
    assert caught.value.message.startswith("the output of n (at z = 5) is 6.")
    assert "beyond the range of a double" in caught.value.message
    # at z = 10 the inner exp(exp(10)) ≈ 10^9566 is already too large an argument for exp
    # (its result would need 10^9566 digits): refused without being evaluated
    for formula, weight in (("exp(exp(exp(z)))", 10), ("sin(exp(exp(z)))", 10),
                            ("2^(2^z)", 2000)):
        with pytest.raises(bp.WalkError) as caught:
            bp.forward(one_layer(formula, weight), {"x": R(1)})
        assert caught.value.message == (f"not real and finite at z = {weight} for neuron n: "
                                         "an intermediate value is too large to evaluate")
    # a net input beyond double range, from values in range
    linear = resolve("linear", "t")
    layers = tuple(Layer((f"n{k}",), linear) for k in range(1, 61))
    weights = {f"w{k}": Edge(f"w{k}", "x" if k == 1 else f"n{k - 1}", f"n{k}", R(10**6))
               for k in range(1, 61)}
    biases = {f"b{k}": Bias(f"b{k}", (f"n{k}",), R(0)) for k in range(1, 61)}
    deep = Network(("x",), layers, weights, biases)
    with pytest.raises(bp.WalkError) as caught:
        bp.gradients(deep, [({"x": R(1)}, {"n60": R(0)})], "sse")
    # 10^(6k) first exceeds 1.8e308 at k = 52
    assert caught.value.layer is None
    assert caught.value.message.startswith("the net input of n52 is 1e+312 in example 1")


def test_the_split_modules_keep_the_public_api():
    # backprop.py keeps its public names (the display notation, the chain factors and the
    # arithmetic moved to their own modules)
    from symderiv.nets import arithmetic
    from symderiv.nets import chains
    from symderiv.nets import notation
    assert bp.Notation is notation.Notation and bp.ChainFactor is chains.ChainFactor
    for name in ("forward", "gradients", "gradients_float", "deltas", "train", "total_loss",
                 "net_input_expr", "Gradient", "Chain", "TrainingRun", "ForwardPass"):
        assert hasattr(bp, name), name
    assert arithmetic.HighPrecision(30).number(sp.sqrt(2) / 2) == mpmath.sqrt(2) / 2
