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
SymPy: in wall time against the fresh interpreter's import (what a user waits for), and
in CPU time against the in-process import (the stricter one: it leaves out start-up and
exit, and load on a shared machine). ``--root DIR`` times another checkout of symderiv (say, an older commit) the same way.

    python benchmarks/render_time.py [--runs N] [--lang zh|en] [--root DIR]
"""

import argparse
import json
import os
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
    from symderiv.commands.solve import _builtin_sheet
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


def fresh(args: list[str], runs: int, cwd: Path, env: dict) -> float:
    """Median over ``runs`` of the wall time of ``python args`` in a fresh interpreter minus
    that of an empty one (``python -c pass``), run in alternation so load drifts cancel."""
    def once(a):
        start = time.perf_counter()
        subprocess.run([sys.executable, *a], check=True, cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    return statistics.median(once(args) - once(["-c", "pass"]) for _ in range(runs))


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
    rows = [("import sympy (fresh interpreter, start to exit)", import_sympy, None)]
    rows += [(s + (" (in process)" if s == "import sympy" else ""), wall[s], cpu[s])
             for s in steps]
    rows += [("generate the .tex = read + solve + render", *total),
             ("`symderiv solve --format tex` (fresh interpreter, start to exit)", command, None)]
    width = max(len(name) for name, _, _ in rows)
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else "on"
    print(f"symderiv at {root}; {args.lang} sheet; median of {args.runs} fresh runs; "
          f"bytecode caching {bytecode}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"{'step':<{width}}  {'wall s':>7}  {'CPU s':>7}  {'÷ import sympy':>14}")
    for name, seconds, cpu_seconds in rows:
        cpu_text = "" if cpu_seconds is None else f"{cpu_seconds:7.3f}"
        print(f"{name:<{width}}  {seconds:7.3f}  {cpu_text:>7}  {seconds / import_sympy:14.2f}")
    print(f"\nratio (issue 4): generating the .tex / importing SymPy = "
          f"{total[0] / import_sympy:.2f} against a fresh interpreter's import, "
          f"{total[1] / cpu['import sympy']:.2f} in CPU time against the in-process import")
    print(f"the whole command / a fresh interpreter's import of SymPy = "
          f"{command / import_sympy:.2f}")

if __name__ == "__main__":
    main()
