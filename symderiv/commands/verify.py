"""`symderiv verify`: not built yet."""

from symderiv.errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser("verify", help="(not built yet)")
    p.add_argument("rest", nargs="*")
    p.set_defaults(run=run)


def run(args) -> int:
    raise InputError("verify", "not built yet")
