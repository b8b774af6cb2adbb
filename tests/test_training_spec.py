"""Contract §5.5's keys in specs: bad values are one error line naming the key (exit 2,
nothing written); the optimiser rules on their own against hand-iterated recurrences in
exact fractions (an oracle independent of mpmath and torch)."""

from fractions import Fraction

import pytest

from symderiv.cli import main
from symderiv.nets.optimizers import Adam, Momentum, Nesterov, Ops, SGD, descend

SPEC = """\
[sheet]
title = "t"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = ["i1", "i2"]
layers = [ { neurons = ["h1"], activation = "sigmoid" }, { neurons = ["o1", "o2"], activation = "sigmoid" } ]
[problem.network.weights]
w1 = { from = "i1", to = "h1", value = 0.15 }
w2 = { from = "i2", to = "h1", value = 0.25 }
w3 = { from = "h1", to = "o1", value = 0.4 }
w4 = { from = "h1", to = "o2", value = 0.45 }
[problem.network.biases]
b1 = { to = ["h1"], value = 0.35 }
b2 = { to = ["o1", "o2"], value = 0.6 }
[problem.data]
inputs  = { i1 = 0.05, i2 = 0.10 }
{targets}
[problem.training]
learning_rate = 0.5
{training}
"""

BAD = {
    "adam beta1 = 1": ('targets = { o1 = 0.01, o2 = 0.99 }',
                       'loss = "sse"\noptimizer = { name = "adam", beta1 = 1 }',
                       "training.optimizer.beta1: must be at least 0 and below 1, got 1"),
    "negative decay": ('targets = { o1 = 0.01, o2 = 0.99 }', 'loss = "sse"\nweight_decay = -0.1',
                       "training.weight_decay: must be 0 or more"),
    "output no neuron": ("", 'loss = "output"\noutput = "o3"', "training.output: no neuron 'o3'"),
    "output hidden": ("", 'loss = "output"\noutput = "h1"', "'h1' is not in the output layer"),
    "output missing": ("", 'loss = "output"', 'loss = "output" needs output'),
    "unknown optimizer": ('targets = { o1 = 0.01, o2 = 0.99 }', 'loss = "sse"\noptimizer = "adma"',
                          "unknown optimizer 'adma' (did you mean 'adam'?)"),
    "unknown setting": ('targets = { o1 = 0.01, o2 = 0.99 }',
                        'loss = "sse"\noptimizer = { name = "sgd", beta = 0.9 }',
                        "optimizer.beta: unknown setting of sgd"),
    "eps zero": ('targets = { o1 = 0.01, o2 = 0.99 }',
                 'loss = "sse"\noptimizer = { name = "rmsprop", eps = 0 }', "must be positive"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_training_keys(case, tmp_path, capsys):
    targets, training, message = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(SPEC.replace("{targets}", targets).replace("{training}", training),
                    encoding="utf-8")
    out = tmp_path / "out"
    code = main(["solve", str(spec), "-o", str(out), "--format", "tex,json"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("symderiv: error: bad.toml: problem[1].training"), err
    assert message in err, err
    assert not out.exists() or not any(out.iterdir())


def test_momentum_and_nesterov_by_hand():
    """f(p) = p² from p = 1, gradient 2p: the recurrences written out in fractions."""
    ops = Ops(Fraction)
    lr, beta = Fraction(1, 10), Fraction(9, 10)
    for kind in (Momentum, Nesterov):
        points = descend({"p": Fraction(1)}, ["p"], lambda v: (v["p"] ** 2, {"p": 2 * v["p"]}),
                         kind(lr, beta), ops)
        got = [next(points).parameters["p"] for _ in range(4)]
        p, b, want = Fraction(1), None, [Fraction(1)]
        for _ in range(3):
            g = 2 * p
            b = g if b is None else beta * b + g
            p = p - lr * ((g + beta * b) if kind is Nesterov else b)
            want.append(p)
        assert got == want, kind.name


def test_adam_first_step_is_lr_times_sign():
    """Adam's first step is η·g/(|g| + ε′) whatever the gradient's size (bias correction)."""
    ops = Ops(Fraction, sqrt=lambda x: Fraction(x.numerator ** 0.5) / Fraction(x.denominator ** 0.5))
    for g in (Fraction(3), Fraction(-1, 1000)):
        points = descend({"p": Fraction(0)}, ["p"], lambda v, g=g: (0, {"p": g}),
                         Adam(Fraction(1, 100), eps=Fraction(0)), ops)
        next(points)
        after = next(points)
        assert after.parameters["p"] == -Fraction(1, 100) * (1 if g > 0 else -1)
        assert after.states["p"]["m_hat"] == g


def test_sgd_is_plain_descent():
    points = descend({"a": Fraction(2), "b": Fraction(5)}, ["a"],
                     lambda v: (0, {"a": Fraction(1), "b": Fraction(1)}), SGD(Fraction(1, 2)),
                     Ops(Fraction))
    next(points)
    assert next(points).parameters == {"a": Fraction(3, 2), "b": Fraction(5)}
