"""How long the search for f′ in terms of the output a = f(z) takes, per activation.

CPU seconds of this process and of the bounded children it waited for (solve, simplify,
decide), so the figures hold on a loaded machine too; median of ``--runs`` runs, each on a
fresh activation (nothing cached). Prints the form found, or the reason there is none.

    python benchmarks/output_forms.py [--runs N] [NAME_OR_FORMULA ...]
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sympy as sp  # noqa: E402

from symderiv.calculus.activations import OUTPUT, Z, resolve  # noqa: E402
from symderiv.calculus.budget import cpu_clock  # noqa: E402
from symderiv.calculus.outputform import output_form  # noqa: E402

DEFAULT = ["sigmoid", "tanh", "relu", "elu", "softplus", "swish", "gelu", "mish",
           "z/(1+abs(z))", "atan(z)", "max(-1, min(1, z))", "log(sigmoid(z))",
           "(sqrt(z**2 + 1) - 1)/2 + z", "exp(-z**2)", "erf(z)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("names", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    print(f"{'activation':30s} {'ms CPU':>8s}  f' in a (or why none)")
    for name in args.names:
        runs = []
        for _ in range(args.runs):
            act = resolve(name, "benchmark")
            f, df = act.expr(Z), act.derivative(Z)
            start = cpu_clock()
            form = output_form(f, df, Z, OUTPUT, act._domains())
            runs.append(cpu_clock() - start)
        shown = sp.sstr(form.expr, order="none") if form.expr is not None else form.note
        print(f"{name:30s} {1000 * statistics.median(runs):8.1f}  {shown}")


if __name__ == "__main__":
    main()
