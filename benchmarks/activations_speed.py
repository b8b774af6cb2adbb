"""Where problem 5 (``kind = "activations"``) of the built-in sheet spends its time.

Each run is a fresh interpreter that solves the sheet's other problems first (as
``symderiv solve`` does, so SymPy's caches are as warm as there), then problem 5 with
its parts' functions timed: CPU seconds of this process (``time.process_time``), plus
the CPU of the bounded-proof children it forked. Nested functions are counted inside
their callers too. Median of ``--runs`` runs.

    python benchmarks/activations_speed.py [--runs N] [--root DIR]

``--root DIR`` times another checkout (``git archive <commit> | tar -x -C DIR``); its
functions are timed where they exist there.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (module, function): what is timed, where it exists in this checkout
TIMED = [
    ("symderiv.problems.activations", "solve"),
    ("symderiv.problems.tanh_vanishing", "solve"),
    ("symderiv.problems.tanh_vanishing", "_prove_bound"),
    ("symderiv.problems.dying_relu", "solve"),
    ("symderiv.problems.swish_gelu", "solve"),
    ("symderiv.problems.swish_gelu", "_definitions"),
    ("symderiv.problems.swish_gelu", "_derivative_forms"),
    ("symderiv.problems.swish_gelu", "_same"),
    ("symderiv.problems.swish_gelu", "_smoothness"),
    ("symderiv.problems.swish_gelu", "_probe"),
    ("symderiv.problems.swish_gelu", "_slope_limit_left_for_positive_beta"),
    ("symderiv.problems.swish_gelu", "_minimum"),
    ("symderiv.calculus.jets", "second_order"),
    ("symderiv.calculus.extrema", "roots"),
    ("symderiv.calculus.extrema", "limit_at"),
    ("sympy.series.gruntz", "gruntz"),
    ("sympy.utilities.lambdify", "lambdify"),
    ("symderiv.calculus.verify", "decide"),
    ("symderiv.problems.activation_tasks", "solve_functions"),
]


def one_run() -> dict:
    """In this process: solve problem 5 of the built-in sheet, timing TIMED."""
    import importlib

    import sympy  # noqa: F401
    from symderiv import api, problems

    totals: dict[str, float] = {}
    calls: dict[str, int] = {}
    depth: dict[str, int] = {}

    def wrap(label, function):
        def timed(*args, **kwargs):
            outer = depth.get(label, 0) == 0   # a recursive call counts once
            depth[label] = depth.get(label, 0) + 1
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                depth[label] -= 1
                if outer:
                    totals[label] = totals.get(label, 0.0) + time.process_time() - start
                calls[label] = calls.get(label, 0) + 1
        return timed

    sheet = api.load()
    target = next(p for p in sheet.problems if p.kind == "activations")
    for p in sheet.problems:
        if p is not target:
            problems.solve(p)
    for module_name, name in TIMED:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue
        wrapped = wrap(f"{module_name.rsplit('.', 1)[-1]}.{name}", original)
        # ``from m import f`` copies f: rebind every copy in symderiv and SymPy
        for other in list(sys.modules.values()):
            if getattr(other, "__name__", "").startswith(("symderiv", "sympy")) \
                    and getattr(other, name, None) is original:
                setattr(other, name, wrapped)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.process_time()
    problems.solve(target)
    totals["problem 5 (process)"] = time.process_time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals["problem 5 (forked children)"] = (after.ru_utime + after.ru_stime
                                             - children.ru_utime - children.ru_stime)
    return {"totals": totals, "calls": calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run()))
        return
    env = {**os.environ, "PYTHONPATH": str(args.root.resolve())}
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--one"], env=env, check=True,
                             capture_output=True, text=True, cwd=args.root).stdout
        runs.append(json.loads(out))
    seen = {k for r in runs for k in r["totals"]}
    labels = [label for label in [*(f"{m.rsplit('.', 1)[-1]}.{n}" for m, n in TIMED),
                                  "problem 5 (process)", "problem 5 (forked children)"]
              if label in seen]
    print(f"problem 5 of the built-in sheet ({args.root}), CPU seconds, median of "
          f"{args.runs} fresh runs")
    print(f"{'function':<52} {'calls':>5} {'seconds':>8}")
    for label in labels:
        values = [r["totals"].get(label, 0.0) for r in runs]
        count = runs[0]["calls"].get(label, "")
        print(f"{label:<52} {count:>5} {statistics.median(values):8.3f}")


if __name__ == "__main__":
    main()
