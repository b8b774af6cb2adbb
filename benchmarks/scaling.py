"""How solving a network scales: dense random networks, every gradient at full precision.

Two tables for networks of about 100 to 10,000 parameters (inputs d, two tanh layers of
width d, four sigmoid outputs; one example, sse, gradients = "all"):

1. the raw gradients (``symderiv.nets.backprop.gradients``, values only), with the time ratio
   against the parameter ratio from about 300 to about 1,300 parameters;
2. the real ``solve`` path, as ``symderiv solve`` runs it: the spec's text loaded and
   validated, the sheet solved (forward steps, worked chains, updates), the JSON written,
   and the .tex rendered, each timed on its own.

    python3 benchmarks/scaling.py [--quick]
"""

import json
import random
import sys
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symderiv.calculus.activations import resolve  # noqa: E402
from symderiv.nets.backprop import gradients  # noqa: E402
from symderiv.nets.network import Bias, Edge, Layer, Network  # noqa: E402
from symderiv.problems import solve_sheet  # noqa: E402
from symderiv.render.latex_sheet import render_sheet  # noqa: E402
from symderiv.spec import load_sheet_text  # noqa: E402

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


def dense_spec(d: int, seed: int = 0) -> str:
    """The same shape as a spec (seeded init), as a user would write it."""
    rng = random.Random(seed)
    inputs = ", ".join(str(sp.Rational(rng.randint(-100, 100), 100).evalf(3)) for _ in range(d))
    targets = ", ".join(str(rng.randint(0, 100) / 100) for _ in range(OUTPUTS))
    scale = round(1 / d, 4)
    return f"""
[[problem]]
kind = "backprop"
[problem.network]
inputs = {d}
layers = [{{ size = {d}, activation = "tanh", init = {{ seed = 1, scale = {scale} }} }},
          {{ size = {d}, activation = "tanh", init = {{ seed = 2, scale = {scale} }} }},
          {{ size = {OUTPUTS}, activation = "sigmoid", init = {{ seed = 3, scale = {scale} }} }}]
[problem.data]
inputs = [{inputs}]
targets = [{targets}]
[problem.training]
loss = "sse"
learning_rate = 0.1
gradients = "all"
"""


def gradient_seconds(d: int, repeats: int = 3) -> tuple[int, float]:
    network, examples = dense_network(d)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = gradients(network, examples, "sse")
        best = min(best, time.perf_counter() - start)
    assert len(result) == len(network.parameters())
    return len(result), best


def solve_seconds(d: int) -> dict:
    """Seconds of each step of ``symderiv solve`` on the spec of width d (one run)."""
    text = dense_spec(d)
    times = {}
    start = time.perf_counter()
    sheet = load_sheet_text(text, f"dense{d}.toml")
    times["load"] = time.perf_counter() - start
    start = time.perf_counter()
    solution = solve_sheet(sheet)
    times["solve"] = time.perf_counter() - start
    start = time.perf_counter()
    data = json.dumps(solution.to_json(), ensure_ascii=False, indent=2, allow_nan=False)
    times["json"] = time.perf_counter() - start
    start = time.perf_counter()
    tex = render_sheet(solution)
    times["tex"] = time.perf_counter() - start
    times["parameters"] = len(sheet.problems[0].network.parameters())
    times["json_kb"], times["tex_kb"] = len(data) / 1024, len(tex.encode()) / 1024
    return times


def main(argv: list[str]) -> int:
    widths = WIDTHS[:4] if "--quick" in argv else WIDTHS
    print("1. raw gradients (symderiv.nets.backprop.gradients, values only)\n")
    rows = []
    print(f"{'parameters':>10}  {'seconds':>8}  {'s/parameter':>12}")
    for d in widths:
        count, seconds = gradient_seconds(d, repeats=1 if d > 48 else 3)
        rows.append((count, seconds))
        print(f"{count:>10}  {seconds:>8.3f}  {seconds / count:>12.2e}")
    small = min(rows, key=lambda r: abs(r[0] - 300))
    large = min(rows, key=lambda r: abs(r[0] - 1300))
    param_ratio, time_ratio = large[0] / small[0], large[1] / small[1]
    print(f"\n{small[0]} -> {large[0]} parameters: x{param_ratio:.2f} parameters, "
          f"x{time_ratio:.2f} time ({time_ratio / param_ratio:.2f} of the parameter ratio; "
          f"required <= 1.6)")
    print(f"{large[0]} parameters, all gradients: {large[1]:.2f} s")

    print("\n2. the solve path (spec text -> Sheet -> Solution -> JSON, and -> .tex), "
          "gradients = \"all\"\n")
    print(f"{'parameters':>10}  {'load s':>7}  {'solve s':>7}  {'json s':>7}  {'tex s':>7}  "
          f"{'total s':>7}  {'json KB':>8}  {'tex KB':>8}")
    for d in widths:
        t = solve_seconds(d)
        total = t["load"] + t["solve"] + t["json"] + t["tex"]
        print(f"{t['parameters']:>10}  {t['load']:>7.2f}  {t['solve']:>7.2f}  {t['json']:>7.2f}  "
              f"{t['tex']:>7.2f}  {total:>7.2f}  {t['json_kb']:>8.0f}  {t['tex_kb']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
