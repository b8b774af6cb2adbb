"""How long `symderiv solve --format tex,json` of the built-in sheet takes, start to exit,
against a fresh interpreter's `import sympy` (the issue-14 target: at most 2.5 times),
and where the time goes inside one run.

CPU time (user + system, children included: the bounded proofs run in forked children)
is the measure: it stays steadier on a shared, loaded machine than wall time. Median of
``--runs`` rounds. Two ways of running are timed:

- as installed: Python keeps compiled modules (``.pyc``) and symderiv compiled templates
  (:mod:`symderiv.render.template_cache`), here in temporary folders that one uncounted
  run fills first;
- from source: ``PYTHONDONTWRITEBYTECODE=1``, so every run compiles symderiv's modules
  and templates afresh (this development machine sets it for every shell).

    python benchmarks/solve_speed.py [--runs N] [--root DIR]

``--root DIR`` times another checkout (``git archive <commit> | tar -x -C DIR``); the
phase table then needs ``api.load`` there.
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
    subprocess.run([sys.executable, *args], cwd=env["PYTHONPATH"], env=env, check=True,
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
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout to time (default: this one)")
    parser.add_argument("--phases", action="store_true",
                        help="only print the in-process phase table (run by main)")
    args = parser.parse_args()
    if args.phases:
        print_phases()
        return
    solve = ["-m", "symderiv", "solve", "-o", None, "--format", "tex,json"]
    with tempfile.TemporaryDirectory() as scratch:
        solve[4] = str(Path(scratch) / "out")
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        root = str(args.root.resolve())
        installed = {**base, "PYTHONPATH": root,
                     "PYTHONPYCACHEPREFIX": str(Path(scratch) / "pyc"),
                     "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        source = {**base, "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1"}
        cpu(solve, installed)   # fills the caches (SymPy's .pyc too, under the prefix)
        rounds = {"import sympy": [], "solve, as installed": [], "solve, from source": []}
        for _ in range(args.runs):
            rounds["import sympy"].append(cpu(["-c", "import sympy"], installed))
            rounds["solve, as installed"].append(cpu(solve, installed))
            rounds["solve, from source"].append(cpu(solve, source))
        sympy = statistics.median(rounds["import sympy"])
        print(f"median CPU seconds of {args.runs} runs; {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.2f}")
        print(f"{'command':<44} {'CPU s':>6} {'× import sympy':>15}")
        for name, seconds in rounds.items():
            median = statistics.median(seconds)
            print(f"{name:<44} {median:6.2f} {median / sympy:15.1f}")
        print("\none run as installed, in process (CPU s of that process):", flush=True)
        subprocess.run([sys.executable, __file__, "--phases"], cwd=root, env=installed,
                       check=True)


def print_phases() -> None:
    table, forks, child_cpu = phases()
    for name, seconds in table:
        print(f"  {name:<40} {seconds:6.2f}")
    print(f"  {'sum':<40} {sum(s for _, s in table):6.2f}")
    print(f"  bounded-proof children: {forks} forks, {child_cpu:.2f} CPU s")


if __name__ == "__main__":
    main()
