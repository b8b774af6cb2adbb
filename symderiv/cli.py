"""The command line: parses options, calls the library, maps errors to exit codes.

Exit codes (contract §4): 0 done / equal / nothing wrong; 1 not equal / something WRONG;
2 bad input (one line on stderr); 3 undecided.
"""

import argparse
import sys

from symderiv import __version__
from symderiv.errors import InputError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2, like every other bad input."""

    def error(self, message):
        raise InputError("options", message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symderiv", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"symderiv {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    from symderiv.commands import check, derive, solve, verify

    for module in (solve, derive, verify, check):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        return args.run(args)
    except InputError as e:
        print(f"symderiv: error: {e.where}: {e.what}" if e.where else f"symderiv: error: {e.what}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("symderiv: interrupted", file=sys.stderr)
        return 130
