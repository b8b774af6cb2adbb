"""How long generating the hw6 .tex takes (without compiling it), against importing SymPy.

Imports are timed in fresh interpreters (the median of a few runs); generating the sheet is
timed in this process after the imports: reading and solving the spec, then rendering the
LaTeX, first with cold templates (compiled by Jinja2 on first use) and then warm.

    python benchmarks/render_time.py [--runs N]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def fresh(code: str, runs: int) -> float:
    """Median wall time of ``python -c code`` minus that of an empty interpreter."""
    def once(c):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], check=True,
                       cwd=Path(__file__).resolve().parent.parent)
        return time.perf_counter() - start

    base = statistics.median(once("pass") for _ in range(runs))
    return statistics.median(once(code) for _ in range(runs)) - base


def timed(fn, runs: int = 1) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    import_sympy = fresh("import sympy", runs)
    import_all = fresh("import symderiv.commands.solve, symderiv.problems, "
                       "symderiv.render.latex_sheet", runs)

    import dataclasses

    from symderiv.commands.solve import _builtin_sheet
    from symderiv.problems import solve, solve_sheet
    from symderiv.render import environment, latex_sheet

    sheet = _builtin_sheet()
    solved = {}
    read_solve = timed(lambda: solved.setdefault("zh", solve_sheet(_builtin_sheet(), "zh")))
    render_cold = timed(lambda: latex_sheet.render_sheet(solved["zh"]))
    render_warm = timed(lambda: latex_sheet.render_sheet(solved["zh"]), runs)
    environment._environment.cache_clear()
    en = solve_sheet(_builtin_sheet(), "en")
    render_en = timed(lambda: latex_sheet.render_sheet(en))
    generate = read_solve + render_cold

    rows = [("import sympy (fresh interpreter)", import_sympy),
            ("import symderiv solve + LaTeX renderer (fresh)", import_all),
            ("read + solve hw6 (in process, after import)", read_solve)]
    for p in sheet.problems:  # where solving and figure building go, per problem
        one = dataclasses.replace(p, statement=p.statement_in("zh", "zh"))
        done = {}
        rows.append((f"  solve problem {p.id} ({p.kind})", timed(lambda: done.setdefault(
            "s", solve(one)))))
        builder = latex_sheet._FIGURES.get(p.kind, latex_sheet._no_figures)
        rows.append((f"  its figures (builders)",
                     timed(lambda: builder(done["s"], sheet.precision))))
    rows += [("render hw6 .tex, cold templates (zh)", render_cold),
             ("render hw6 .tex, cold templates (en)", render_en),
             (f"render hw6 .tex, warm (median of {runs})", render_warm),
             ("generate .tex = read + solve + cold render", generate)]
    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  seconds")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.3f}")
    print(f"\nratio: generating the .tex / importing SymPy = {generate / import_sympy:.2f}")
    print(f"ratio: rendering alone (cold) / importing SymPy = {render_cold / import_sympy:.2f}")


if __name__ == "__main__":
    main()
