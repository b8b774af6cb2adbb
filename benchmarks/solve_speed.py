"""How long `symderiv solve --format tex,json` of the built-in sheet takes, start to exit,
against a fresh interpreter's `import sympy` (the issue-14 target: at most 2.5 times),
and where the whole process's time goes.

CPU time (user + system, children included: the bounded proofs run in forked children)
is the measure: it stays steadier on a shared, loaded machine than wall time, printed
beside it. Medians of ``--runs`` rounds. Two ways of running are timed:

- as installed: Python keeps compiled modules (``.pyc``) and symderiv compiled templates
  (:mod:`symderiv.render.template_cache`), here in temporary folders that one uncounted
  run fills first;
- from source: ``PYTHONDONTWRITEBYTECODE=1``, so every run compiles symderiv's modules
  and templates afresh (this development machine sets it for every shell).

The phase table follows runs as installed (``solve_phases.py``: the command's own entry
point, with a clock reading at each phase's edge). Its rows sum to the process's CPU time
as measured from outside: the interpreter's start is the CPU spent before the first line
of the script, and the interpreter's exit is what the process spent after its last
reading (tearing the heap down) beside the forked children's own time.

    python benchmarks/solve_speed.py [--runs N] [--root DIR]

``--root DIR`` times another checkout (``git archive <commit> | tar -x -C DIR``) with this
checkout's scripts.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = Path(__file__).resolve().parent / "solve_phases.py"


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """CPU seconds (children included), wall seconds and standard output of one process."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    done = subprocess.run([sys.executable, *args], cwd=env["PYTHONPATH"], env=env,
                          check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
    wall, after = time.time() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall, done.stdout


def phases(out: str, env: dict) -> list[tuple[str, float, float]]:
    """One run of solve_phases.py: (phase, CPU s, wall s), summing to the whole process."""
    spawned = time.time()
    cpu, wall, text = run([str(PHASES), out], env)
    data = json.loads(text)
    rows, last_cpu, last_wall = [], 0.0, spawned
    for name, at_cpu, at_wall in data["marks"]:
        rows.append((name, at_cpu - last_cpu, at_wall - last_wall))
        last_cpu, last_wall = at_cpu, at_wall
    children = data["children_cpu"]
    rows.append(("interpreter exit (the heap torn down)", cpu - last_cpu - children,
                 spawned + wall - last_wall))
    rows.append(("bounded-proof children (forked)", children, 0.0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout to time (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = str(Path(scratch) / "out")
        solve = ["-m", "symderiv", "solve", "-o", out, "--format", "tex,json"]
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        root = str(args.root.resolve())
        installed = {**base, "PYTHONPATH": root,
                     "PYTHONPYCACHEPREFIX": str(Path(scratch) / "pyc"),
                     "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        source = {**base, "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1"}
        run(solve, installed)   # fills the caches (SymPy's .pyc too, under the prefix)
        run([str(PHASES), out], installed)
        rounds = {"python -c pass": (["-c", "pass"], installed),
                  "python -c 'import sympy'": (["-c", "import sympy"], installed),
                  "solve, as installed": (solve, installed),
                  "solve, from source": (solve, source)}
        times = {name: [] for name in rounds}
        tables = []
        for _ in range(args.runs):
            for name, (command, env) in rounds.items():
                times[name].append(run(command, env)[:2])
            tables.append(phases(out, installed))
    print(f"median of {args.runs} runs; {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}; {root}")
    sympy = statistics.median(cpu for cpu, _ in times["python -c 'import sympy'"])
    print(f"{'command':<46} {'CPU s':>6} {'wall s':>7} {'CPU ÷ import sympy':>19}")
    for name, samples in times.items():
        cpu = statistics.median(c for c, _ in samples)
        wall = statistics.median(w for _, w in samples)
        print(f"{name:<46} {cpu:6.3f} {wall:7.3f} {cpu / sympy:19.2f}")
    print("\nby phase, as installed (median of each row; the rows of one run sum to its "
          "process):")
    print(f"{'phase':<58} {'CPU s':>6} {'wall s':>7}")
    for i, (name, _, _) in enumerate(tables[0]):
        cpu = statistics.median(t[i][1] for t in tables)
        wall = statistics.median(t[i][2] for t in tables)
        print(f"  {name:<56} {cpu:6.3f} {wall:7.3f}")
    totals = [sum(row[1] for row in t) for t in tables]
    walls = [sum(row[2] for row in t) for t in tables]
    print(f"  {'the whole process (median of the sums)':<56} "
          f"{statistics.median(totals):6.3f} {statistics.median(walls):7.3f}")


if __name__ == "__main__":
    main()
