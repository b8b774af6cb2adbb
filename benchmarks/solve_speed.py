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


def phases() -> tuple[list[tuple[str, float]], int, float]:
    """One in-process run of what `solve --format tex,json` does, timed by phase (CPU
    seconds of this process), and the bounded-proof children it forked with their CPU."""
    clock = time.process_time
    out, t = [], clock()

    def mark(name):
        nonlocal t
        now = clock()
        out.append((name, now - t))
        t = now

    import sympy  # noqa: F401
    mark("import sympy")
    from symderiv import api, problems
    from symderiv.calculus import verify
    mark("import symderiv (api, problems)")
    forks = _count_forks(verify)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sheet = api.load()
    mark("load the spec")
    solve_one = problems.solve

    def solve_timed(problem):   # solve_sheet's own loop, with a mark after each problem
        solution = solve_one(problem)
        mark(f"solve problem {problem.id} ({problem.kind})")
        return solution

    problems.solve = solve_timed
    solved = problems.solve_sheet(sheet)
    problems.solve = solve_one
    from symderiv.render.latex_sheet import render_sheet
    mark("import the renderer")
    tex = render_sheet(solved)
    mark("render .tex")
    import json
    json.dumps(solved.to_json())
    mark("JSON")
    assert tex
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
    return out, forks[0], child_cpu


def _count_forks(verify) -> list[int]:
    """How many children verify.run_bounded forks from here on (a list, counted in place)."""
    count = [0]
    original = verify.run_bounded

    def counted(*args, **kwargs):
        count[0] += 1
        return original(*args, **kwargs)

    verify.run_bounded = counted
    return count


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
    print("\none run, in process (CPU s of this process):")
    table, forks, child_cpu = phases()
    for name, seconds in table:
        print(f"  {name:<40} {seconds:6.2f}")
    print(f"  {'sum':<40} {sum(s for _, s in table):6.2f}")
    print(f"  bounded-proof children: {forks} forks, {child_cpu:.2f} CPU s")


if __name__ == "__main__":
    main()
