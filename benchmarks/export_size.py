"""How the exported gradients of a deep network grow with its depth (issue 11).

Dense networks of width ``--width`` (tanh hidden layers, a sigmoid output pair, half-SSE,
every gradient asked: ``dense_spec`` of tests/test_export.py): for each depth, the parameters, the SymPy operations in the
exported program (temporaries and results, after ``sympy.cse``), the lines and bytes of
the Python export, and the CPU seconds ``export(..., to="python")`` took.

    python benchmarks/export_size.py [--depths 1 2 3 4 5 6] [--width 4]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the networks the size test measures

import sympy as sp  # noqa: E402

from symderiv.export import export  # noqa: E402
from symderiv.export.formulas import problem_formulas  # noqa: E402
from symderiv.spec import load_sheet_text  # noqa: E402
from test_export import dense_spec  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--width", type=int, default=4)
    args = parser.parse_args()
    print("| hidden layers | parameters | operations | Python lines | Python bytes | CPU s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for depth in args.depths:
        sheet = load_sheet_text(dense_spec(depth, args.width), "deep.toml")
        start = time.process_time()
        text = export(sheet, to="python")
        seconds = time.process_time() - start
        (program,) = problem_formulas(sheet, None, for_code=True).programs
        ops = sum(sp.count_ops(e) for _, e in program.temporaries) + \
            sum(sp.count_ops(r.value) for r in program.results)
        params = len(sheet.problems[0].network.parameters())
        print(f"| {depth} | {params} | {ops} | {text.count(chr(10))} | {len(text)} | "
              f"{seconds:.2f} |")


if __name__ == "__main__":
    main()
