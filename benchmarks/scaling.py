"""How solving a network scales: dense random networks, every gradient at full precision.

Prints parameters, seconds and seconds per parameter for networks of about 100 to 10,000
parameters (inputs d, two tanh layers of width d, four sigmoid outputs; one example, sse),
then the time ratio against the parameter ratio from about 300 to about 1,300 parameters.

    python3 benchmarks/scaling.py [--quick]
"""

import random
import sys
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symderiv.activations import resolve  # noqa: E402
from symderiv.backprop import gradients  # noqa: E402
from symderiv.network import Bias, Edge, Layer, Network  # noqa: E402

WIDTHS = (6, 12, 24, 34, 48, 70)  # 2d² + 6d + 4 parameters: 112 … 10,224
OUTPUTS = 4


def dense_network(d: int, seed: int = 0):
    """Inputs x1..xd, tanh layers of width d, OUTPUTS sigmoid outputs; exact random values."""
    rng = random.Random(seed)
    value = lambda: sp.Rational(rng.randint(-1000, 1000), 1000 * d)  # noqa: E731
    inputs = tuple(f"x{k}" for k in range(1, d + 1))
    sizes = (d, d, OUTPUTS)
    activations = ("tanh", "tanh", "sigmoid")
    layers, weights, biases, previous = [], {}, {}, inputs
    for l, (size, act) in enumerate(zip(sizes, activations), start=1):
        neurons = tuple(f"n{l}_{j}" for j in range(1, size + 1))
        for j, n in enumerate(neurons, start=1):
            for k, source in enumerate(previous, start=1):
                weights[f"w{l}_{j}_{k}"] = Edge(f"w{l}_{j}_{k}", source, n, value())
            biases[f"b{l}_{j}"] = Bias(f"b{l}_{j}", (n,), value())
        layers.append(Layer(neurons, resolve(act, "benchmark")))
        previous = neurons
    network = Network(inputs, tuple(layers), weights, biases)
    example = ({x: sp.Rational(rng.randint(-100, 100), 100) for x in inputs},
               {o: sp.Rational(rng.randint(0, 100), 100) for o in previous})
    return network, [example]


def solve_seconds(d: int, repeats: int = 3) -> tuple[int, float]:
    network, examples = dense_network(d)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = gradients(network, examples, "sse")
        best = min(best, time.perf_counter() - start)
    assert len(result) == len(network.parameters())
    return len(result), best


def main(argv: list[str]) -> int:
    widths = WIDTHS[:4] if "--quick" in argv else WIDTHS
    rows = []
    print(f"{'parameters':>10}  {'seconds':>8}  {'s/parameter':>12}")
    for d in widths:
        count, seconds = solve_seconds(d, repeats=1 if d > 48 else 3)
        rows.append((count, seconds))
        print(f"{count:>10}  {seconds:>8.3f}  {seconds / count:>12.2e}")
    small = min(rows, key=lambda r: abs(r[0] - 300))
    large = min(rows, key=lambda r: abs(r[0] - 1300))
    param_ratio, time_ratio = large[0] / small[0], large[1] / small[1]
    print(f"\n{small[0]} -> {large[0]} parameters: x{param_ratio:.2f} parameters, "
          f"x{time_ratio:.2f} time ({time_ratio / param_ratio:.2f} of the parameter ratio; "
          f"required <= 1.6)")
    print(f"{large[0]} parameters, all gradients: {large[1]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
