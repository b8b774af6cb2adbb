"""Solve times of ``kind = "graph"`` (circuits of growing size) and of training with each
optimiser (Mazur's network, growing step counts). Prints two tables; not a test.

    python3 benchmarks/graphs_training.py [--runs N]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symderiv.problems import solve  # noqa: E402
from symderiv.spec import load_sheet_text  # noqa: E402

MAZUR = (Path(__file__).resolve().parent.parent / "examples" / "optimizers.toml")


def timed(text: str, runs: int) -> float:
    problem = load_sheet_text(text, "b.toml").problems[0]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        solve(problem)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def circuit(terms: int) -> str:
    # a neuron of `terms` inputs written in elementary gates: 2·terms + 4 gates
    dot = " + ".join(f"w{k}*x{k}" for k in range(terms))
    values = ", ".join(f"w{k} = 0.{k + 1}, x{k} = -0.{k + 2}" for k in range(terms))
    return (f'[[problem]]\nid = "1"\nkind = "graph"\nformula = "1/(1 + exp(-({dot})))"\n'
            f"values = {{ {values} }}\n")


def training(optimizer: str, steps: int) -> str:
    text = MAZUR.read_text(encoding="utf-8")
    first = text.index("[[problem]]")
    second = text.index("[[problem]]", first + 1)
    body = text[first:second]
    body = body[:body.index("[problem.training]")]
    return (body + f'[problem.training]\nloss = "half-sse"\nlearning_rate = 0.1\n'
            f'optimizer = "{optimizer}"\nweight_decay = 0.01\nsteps = {steps}\n'
            f'gradients = ["w5", "w1"]\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print("| circuit (sigmoid neuron of n inputs) | gates | solve, s |")
    print("|---|---:|---:|")
    for n in (2, 5, 10, 20, 40):
        print(f"| n = {n} | {2 * n + 4} | {timed(circuit(n), runs):.3f} |")
    print()
    print("| optimiser (Mazur's network, λ = 0.01) | 1 step, s | 10 steps, s | 100 steps, s |")
    print("|---|---:|---:|---:|")
    for name in ("sgd", "momentum", "nesterov", "rmsprop", "adam"):
        cells = [f"{timed(training(name, s), runs):.3f}" for s in (1, 10, 100)]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
