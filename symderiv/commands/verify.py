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
                   help=f"bound for the whole decision, in CPU seconds: a loaded machine "
                        f"gives the same answer as an idle one (default {DEFAULT_TIMEOUT:g})")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.api import verify

    verdict = verify(args.lhs, args.rhs, timeout=args.timeout)
    if args.format == "json":
        print(json.dumps(verdict.to_json()))
    else:
        print(verdict.text())
    return EXIT_BY_ANSWER[verdict.equal]


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 3600:
        raise InputError("--timeout", f"{text!r} is not a number of seconds in (0, 3600]")
    return seconds
