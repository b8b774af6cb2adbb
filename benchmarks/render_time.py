"""How long generating the hw6 .tex takes (without compiling it), against importing SymPy.

Every row is measured in fresh interpreters, as a user's `symderiv solve` meets it, and
is the median of ``--runs`` runs (each run times its steps in order: the first problem
pays for what SymPy does only once, as it does on the command line):

- ``import sympy`` in a fresh interpreter, from start to exit (minus an empty
  interpreter's), and in the worker process (in process, wall and CPU);
- reading the built-in spec, solving each problem, rendering the .tex with cold templates
  (Jinja2 compiles them on first use), in one process after the imports, wall and CPU;
- the whole command, ``python -m symderiv solve --format tex``, minus an empty interpreter.

The ratio quoted (issue 4) is generating the .tex (read + solve + render) over importing
SymPy, in wall time (what a user waits for) and in CPU time (steady on a loaded machine,
where wall times stretch), against the fresh interpreter's import and, stricter, against
the import alone in process (no interpreter start-up or exit). ``--root DIR`` times another checkout of symderiv (say, an older commit) the same way.

    python benchmarks/render_time.py [--runs N] [--lang zh|en] [--root DIR]
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


def one_run(lang: str) -> dict:
    """Worker (a fresh interpreter): every step of `symderiv solve --format tex`, timed."""
    times = {}

    def step(name, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    import dataclasses
    import importlib

    step("import sympy", lambda: importlib.import_module("sympy"))
    step("import symderiv (solve, problems, LaTeX renderer)",
         lambda: [importlib.import_module(m) for m in (
             "symderiv.commands.solve", "symderiv.problems", "symderiv.render.latex_sheet")])
    from symderiv.api import load as _builtin_sheet   # load() is the built-in sheet
    from symderiv.problems import solve
    from symderiv.render.latex_sheet import render_sheet
    from symderiv.solution import SheetSolution
    from symderiv.spec import in_language

    sheet = step("read the built-in spec (hw6.toml)", _builtin_sheet)
    solved = []
    for p in sheet.problems:
        one = dataclasses.replace(p, statement=p.statement_in(lang, sheet.lang))
        solved.append(step(f"solve problem {p.id} ({p.kind})", lambda: solve(one)))
    solution = SheetSolution(in_language(sheet.title, lang, sheet.lang), lang, sheet.precision,
                             tuple(solved), sheet.name)
    step("render the .tex (cold templates)", lambda: render_sheet(solution))
    return times


def fresh(args: list[str], runs: int, cwd: Path, env: dict) -> tuple[float, float]:
    """Medians over ``runs`` of the wall and CPU time (user + system, from the child's
    resource usage) of ``python args`` in a fresh interpreter, each minus that of an empty
    one (``python -c pass``), run in alternation so load drifts cancel."""
    def once(a):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *a], check=True, cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (time.perf_counter() - start,
                after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    pairs = [(once(args), once(["-c", "pass"])) for _ in range(runs)]
    return (statistics.median(a[0] - b[0] for a, b in pairs),
            statistics.median(a[1] - b[1] for a, b in pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.root.resolve()
    if args.worker:
        sys.path.insert(0, str(root))
        print(json.dumps(one_run(args.lang)))
        return

    env = {**os.environ, "PYTHONPATH": str(root)}
    runs = [json.loads(subprocess.run(
        [sys.executable, __file__, "--worker", "--lang", args.lang, "--root", str(root)],
        check=True, capture_output=True, text=True, cwd=root, env=env).stdout)
        for _ in range(args.runs)]
    steps = list(runs[0])
    wall = {s: statistics.median(r[s][0] for r in runs) for s in steps}
    cpu = {s: statistics.median(r[s][1] for r in runs) for s in steps}

    import_sympy = fresh(["-c", "import sympy"], args.runs, root, env)
    with tempfile.TemporaryDirectory() as out:
        command = fresh(["-m", "symderiv", "solve", "--lang", args.lang, "-o", out,
                         "--format", "tex"], args.runs, root, env)

    generate = [s for s in steps if not s.startswith("import")]
    total = (sum(wall[s] for s in generate), sum(cpu[s] for s in generate))
    rows = [("import sympy (fresh interpreter, start to exit)", *import_sympy)]
    rows += [(s + (" (in process)" if s == "import sympy" else ""), wall[s], cpu[s])
             for s in steps]
    rows += [("generate the .tex = read + solve + render", *total),
             ("`symderiv solve --format tex` (fresh interpreter, start to exit)", *command)]
    width = max(len(name) for name, _, _ in rows)
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else "on"
    print(f"symderiv at {root}; {args.lang} sheet; median of {args.runs} fresh runs; "
          f"bytecode caching {bytecode}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"{'step':<{width}}  {'wall s':>7}  {'CPU s':>7}  {'÷ import sympy (wall, CPU)':>26}")
    for name, seconds, cpu_seconds in rows:
        ratios = f"{seconds / import_sympy[0]:.2f}, {cpu_seconds / import_sympy[1]:.2f}"
        print(f"{name:<{width}}  {seconds:7.3f}  {cpu_seconds:7.3f}  {ratios:>26}")
    print(f"\nratio (issue 4): generating the .tex / importing SymPy in a fresh interpreter = "
          f"{total[0] / import_sympy[0]:.2f} in wall time, {total[1] / import_sympy[1]:.2f} in "
          f"CPU time; against the in-process import's CPU time, "
          f"{total[1] / cpu['import sympy']:.2f}")
    print(f"the whole command / importing SymPy (fresh interpreters) = "
          f"{command[0] / import_sympy[0]:.2f} in wall time, "
          f"{command[1] / import_sympy[1]:.2f} in CPU time")

if __name__ == "__main__":
    main()
