"""`symderiv derive EXPR`: f, f′ and f′ in terms of the output a = f(z), each checked."""

import json

# An unverified derivative is a failed check (contract §4's 1), never a quiet success.
EXIT_VERIFIED, EXIT_NOT_VERIFIED = 0, 1

# SymPy and the library are imported by run(), not at import: `symderiv --help` and the
# other commands do not load them for this one.


def add_parser(sub) -> None:
    p = sub.add_parser(
        "derive", help="derivative of an activation or formula, and in terms of its output",
        description="EXPR is an activation name (tanh, sigmoid, swish, gelu, ...) or a formula. "
                    "Prints f, f', and f' written in the output a = f(z) where one exists, "
                    "each checked. Exit 0 when f' is verified (it matches mpmath finite "
                    "differences), 1 when it is not (the output says why), 2 on bad input.")
    p.add_argument("expr", metavar="EXPR", help="activation name or formula, e.g. 'x*sigmoid(beta*x)'")
    p.add_argument("--wrt", metavar="VAR", help="variable to differentiate by (default z, x, or the only one)")
    p.add_argument("--format", choices=("text", "latex", "json"), default="text")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.api import derive

    d = derive(args.expr, args.wrt)
    print({"text": as_text, "latex": as_latex, "json": as_json}[args.format](d))
    return EXIT_VERIFIED if d.verified else EXIT_NOT_VERIFIED


def as_text(d) -> str:
    return _result(d).text()


def as_latex(d) -> str:
    return _result(d).latex()


def as_json(d) -> str:
    return json.dumps(_result(d).to_json(), ensure_ascii=False, indent=2)


def _result(d):
    from symderiv.results import Derivation

    return Derivation.of(d)
