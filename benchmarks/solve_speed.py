"""How long `symderiv solve --format tex,json` of the built-in sheet takes, start to exit,
against a fresh interpreter's `import sympy` (the issue-14 target: at most 2.5 times),
and where the time goes inside one run.

CPU time (user + system of the child) is the measure: it stays steady on a shared,
loaded machine where wall time does not. Median of ``--runs`` rounds.

    python benchmarks/solve_speed.py [--runs N]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu(args: list[str], env: dict) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def phases() -> list[tuple[str, float]]:
    """One in-process run, timed by phase (CPU seconds of this process)."""
    clock = time.process_time
    out, t = [], clock()

    def mark(name):
        nonlocal t
        now = clock()
        out.append((name, now - t))
        t = now

    import sympy  # noqa: F401
    mark("import sympy")
    from symderiv.commands.solve import _builtin_sheet
    from symderiv.problems import solve_sheet
    mark("import symderiv (spec, problems)")
    sheet = _builtin_sheet()
    mark("load the spec")
    solutions = [solve_sheet(sheet)]
    mark("solve (3 problems)")
    from symderiv.render.latex_sheet import render_sheet
    mark("import the renderer")
    tex = render_sheet(solutions[0])
    mark("render .tex")
    import json
    json.dumps(solutions[0].to_json())
    mark("JSON")
    assert tex
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as out:
        rounds = {"import sympy": [], "solve --format tex,json": []}
        for _ in range(args.runs):
            rounds["import sympy"].append(cpu(["-c", "import sympy"], env))
            rounds["solve --format tex,json"].append(
                cpu(["-m", "symderiv", "solve", "-o", out, "--format", "tex,json"], env))
    base = statistics.median(rounds["import sympy"])
    print(f"median CPU seconds of {args.runs} runs; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'command':<28} {'CPU s':>6} {'× import sympy':>15}")
    for name, seconds in rounds.items():
        median = statistics.median(seconds)
        print(f"{name:<28} {median:6.2f} {median / base:15.1f}")
    print("\none run, in process:")
    for name, seconds in phases():
        print(f"  {name:<34} {seconds:6.2f}")


if __name__ == "__main__":
    main()
