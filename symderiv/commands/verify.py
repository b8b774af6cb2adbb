"""`symderiv verify LHS RHS`: are two formulas identical? Exit 0 equal, 1 not, 3 undecided."""

import json

from symderiv.errors import InputError

EXIT_BY_ANSWER = {True: 0, False: 1, None: 3}

# The whole command (start-up and parsing included) must answer within 10 s.
DEFAULT_TIMEOUT = 6.0


def add_parser(sub) -> None:
    p = sub.add_parser("verify", help="decide whether two formulas are identical",
                       description="Decide whether LHS and RHS are equal for all real values "
                                   "of their variables. Exit 0 equal (proved), 1 not equal "
                                   "(with a point where they differ), 3 undecided.")
    p.add_argument("lhs", metavar="LHS", help="a formula, e.g. 'sigmoid(x)*(1-sigmoid(x))'")
    p.add_argument("rhs", metavar="RHS", help="a formula, e.g. 'diff(sigmoid(x), x)'")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"time bound for the symbolic proof (default {DEFAULT_TIMEOUT:g})")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.calculus.expr import parse_formula
    from symderiv.calculus.verify import decide

    lhs = parse_formula(args.lhs, where="LHS")
    rhs = parse_formula(args.rhs, where="RHS")
    verdict = decide(lhs, rhs, timeout=args.timeout)
    if args.format == "json":
        print(json.dumps({"equal": verdict.equal, "method": verdict.method,
                          "counterexample": verdict.counterexample}))
    else:
        print(_sentence(verdict))
    return EXIT_BY_ANSWER[verdict.equal]


# How each proof of symderiv.calculus.verify reads in a sentence (JSON keeps the method's name).
_PROOF_WORDS = {
    "structural": "identical after rewriting",
    "expand": "proved by expanding",
    "cancel": "proved by cancelling",
    "polynomial identity (zero at deg + 1 points)":
        "proved as polynomials: the difference is 0 at more points than its degree",
    "cases": "proved case by case between the kinks",
    "rewrite(exp) + cancel": "proved by writing it in exponentials and cancelling",
    "rewrite(Abs) + simplify": "proved by writing max and min with |.| and simplifying",
    "simplify": "proved by simplifying",
}


def _sentence(verdict) -> str:
    """The verdict as a person reads it."""
    if verdict.equal:
        return f"equal ({_PROOF_WORDS.get(verdict.method, f'proved by {verdict.method}')})"
    if verdict.equal is None:
        return verdict.method
    found = verdict.counterexample
    where = ", ".join(f"{name} = {value}" for name, value in found["point"].items())
    values = f"LHS = {found['lhs']}, RHS = {found['rhs']}, LHS - RHS = {found['difference']}"
    return f"NOT equal: at {where}, {values}" if where else f"NOT equal: {values}"


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 3600:
        raise InputError("--timeout", f"{text!r} is not a number of seconds in (0, 3600]")
    return seconds
