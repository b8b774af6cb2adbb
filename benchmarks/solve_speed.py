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
  and templates afresh (this development machine sets it for every shell); the installed
  packages' ``.pyc`` are read from a copy of the prefix above, and no ``__pycache__`` in
  the checkout is read (whether one is there depends on who ran what in it).

The phase table follows runs as installed (``solve_phases.py``: the command's own entry
point, with a clock reading at each phase's edge). Its rows sum to the process's CPU time
as measured from outside: the interpreter's start is the CPU spent before the first line
of the script, and the interpreter's exit is what the process spent after its last
reading (tearing the heap down) beside the forked children's own time.

    python benchmarks/solve_speed.py [--runs N] [--root DIR] [--before DIR]

``--root DIR`` times another checkout (``git archive <commit> | tar -x -C DIR``) with this
checkout's scripts; ``--before DIR`` times a second one in the same rounds, interleaved,
for a before/after comparison that one minute's load does not skew.
"""

import argparse
import json
import os
import resource
import shutil
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
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="another checkout timed in the same rounds, interleaved (a "
                             "loaded machine changes speed by the minute): a before column")
    args = parser.parse_args()
    roots = [r.resolve() for r in ([args.before] if args.before else []) + [args.root]]
    with tempfile.TemporaryDirectory() as scratch:
        results = [_Timings(root, Path(scratch) / str(i)) for i, root in enumerate(roots)]
        for _ in range(args.runs):
            for timings in results:
                timings.round()
    print(f"median of {args.runs} runs; {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}; " + " against ".join(map(str, roots)))
    heads = ["before", "after"] if args.before else ["this"]
    print(f"{'command':<46}" + "".join(f" {h + ' CPU s':>14} {h + ' wall s':>14}"
                                       for h in heads) + f" {'CPU ÷ import sympy':>19}")
    for name in results[0].commands:
        cells = [t.command_median(name) for t in results]
        ratio = cells[-1][0] / results[-1].command_median(IMPORT_SYMPY)[0]
        print(f"{name:<46}" + "".join(f" {cpu:14.3f} {wall:14.3f}" for cpu, wall in cells)
              + f" {ratio:19.2f}")
    print("\nby phase, as installed (median of each row; the rows of one run sum to its "
          "process):")
    print(f"{'phase':<58}" + "".join(f" {h + ' CPU s':>14} {h + ' wall s':>14}"
                                     for h in heads))
    for name in dict.fromkeys(n for t in results for n in t.phase_names()):
        print(f"  {name:<56}" + "".join(
            "".join(f" {x:14.3f}" for x in t.phase_median(name)) for t in results))
    print(f"  {'the whole process (median of the sums)':<56}" + "".join(
        "".join(f" {x:14.3f}" for x in t.total_median()) for t in results))


IMPORT_SYMPY = "python -c 'import sympy'"


class _Timings:
    """The rounds of one checkout: each command's (CPU, wall) and each phase table."""

    def __init__(self, root: Path, scratch: Path):
        self.out = str(scratch / "out")
        solve = ["-m", "symderiv", "solve", "-o", self.out, "--format", "tex,json"]
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.installed = {**base, "PYTHONPATH": str(root),
                          "PYTHONPYCACHEPREFIX": str(scratch / "pyc"),
                          "XDG_CACHE_HOME": str(scratch / "cache")}
        run(solve, self.installed)   # fills the caches (SymPy's .pyc too, under the prefix)
        run([str(PHASES), self.out], self.installed)
        # From source reads its .pyc from a copy of that prefix without symderiv's: the
        # checkout's own __pycache__ (fresh, stale or none, by who ran what there) is never
        # read, so symderiv's modules are compiled in every run and the installed packages'
        # (SymPy's, in a venv that may lie inside the checkout) are not.
        package = scratch / "pyc" / root.relative_to("/") / "symderiv"
        shutil.copytree(scratch / "pyc", scratch / "pyc-packages",
                        ignore=lambda folder, names: [n for n in names
                                                      if Path(folder, n) == package])
        source = {**base, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1",
                  "PYTHONPYCACHEPREFIX": str(scratch / "pyc-packages")}
        self.commands = {"python -c pass": (["-c", "pass"], self.installed),
                         IMPORT_SYMPY: (["-c", "import sympy"], self.installed),
                         "solve, as installed": (solve, self.installed),
                         "solve, from source": (solve, source)}
        self.times = {name: [] for name in self.commands}
        self.tables = []

    def round(self) -> None:
        for name, (command, env) in self.commands.items():
            self.times[name].append(run(command, env)[:2])
        self.tables.append(phases(self.out, self.installed))

    def command_median(self, name: str) -> tuple[float, float]:
        return tuple(statistics.median(sample[i] for sample in self.times[name])
                     for i in (0, 1))

    def phase_names(self) -> list[str]:
        return [row[0] for row in self.tables[0]]

    def phase_median(self, name: str) -> tuple[float, float]:
        rows = [next((r for r in t if r[0] == name), (name, 0.0, 0.0)) for t in self.tables]
        return tuple(statistics.median(r[i] for r in rows) for i in (1, 2))

    def total_median(self) -> tuple[float, float]:
        return tuple(statistics.median(sum(r[i] for r in t) for t in self.tables)
                     for i in (1, 2))


if __name__ == "__main__":
    main()
