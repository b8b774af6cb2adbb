"""How long ``functions``/``tasks`` take per activation (contract §5.3), and why.

For each function: the analysis of f′ (sup, inf, saturation, dead region) and of f
(minimum, falling intervals), in wall seconds, and how many of the bounded
``sympy.solve`` calls that name roots in closed form gave nothing (timed out at
``extrema.SOLVE_SECONDS``, or failed at once). Median of ``--runs`` runs in this process.

    python benchmarks/activation_tasks.py [--runs N] [NAME ...]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symderiv.calculus import extrema  # noqa: E402
from symderiv.calculus.activations import Z, resolve  # noqa: E402

DEFAULT = ["sigmoid", "tanh", "softplus", "gelu", "elu", "relu", "swish", "mish"]


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("names", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    timeouts = {"n": 0}
    bounded = extrema.run_bounded

    def counting(function, call_args, seconds):
        result = bounded(function, call_args, seconds)
        if result is None and function is extrema._real_solutions:
            timeouts["n"] += 1
        return result

    extrema.run_bounded = counting
    print(f"| function | f′ analysis (s) | f analysis (s) | closed-form solves that gave nothing "
          f"(timed out at {extrema.SOLVE_SECONDS:g} s, or failed) |")
    print("|---|---:|---:|---:|")
    total = 0.0
    for name in args.names:
        act = resolve(name, "bench")
        slopes, shapes = [], []
        for _ in range(args.runs):
            timeouts["n"] = 0
            slopes.append(timed(extrema.analyse, act.derivative(Z), Z)[0])
            shapes.append(timed(extrema.analyse, act.expr(Z), Z)[0])
        s, f = statistics.median(slopes), statistics.median(shapes)
        total += s + f
        print(f"| {name} | {s:.2f} | {f:.2f} | {timeouts['n']} |")
    print(f"| all | {total:.2f} | | |")


if __name__ == "__main__":
    main()
