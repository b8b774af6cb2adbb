"""The command line: parses options, calls the library, maps errors to exit codes.

Exit codes (contract §4): 0 done / equal / nothing wrong; 1 not equal / something WRONG /
a derivation that could not be verified; 2 bad input (one line on stderr); 3 undecided.
Output piped into a reader that stops early (| head -1) ends the command quietly with 1.
"""

import argparse
import gc
import importlib
import os
import sys

from symderiv import __version__
from symderiv.errors import InputError

# The commands, in the order `symderiv --help` lists them: the module symderiv.commands.<name>
# of each registers its parser (add_parser) and runs it (run).
COMMANDS = ("solve", "derive", "verify", "check", "vary", "export")

# The cyclic garbage collector's thresholds for one run of the command. At Python's default
# (700 new objects) it starts about 230 times in one `solve` of the built-in sheet, each
# time walking young SymPy objects that are almost never in a cycle: the peak memory is the
# same without it. mypy's build runs with the same thresholds.
COLLECTOR_THRESHOLDS = (200_000, 30, 30)

EXIT_BAD_INPUT = 2
# The reader closed the pipe before reading everything (`symderiv derive tanh | head -1`):
# the rest of the output is lost, and Python's recipe for this exits 1, quietly.
EXIT_BROKEN_PIPE = 1

# What the last resort says for failures that no input check caught.
_RESOURCE_FAILURES = {
    MemoryError: "ran out of memory computing this; the input asks for too much",
    OverflowError: "a number grew too large to compute with",
    RecursionError: "an expression is nested too deeply to compute with",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2, like every other bad input,
    and a formula that starts with '-' (``verify -x -x``) is an argument, not an option."""

    def error(self, message):
        raise InputError("options", message)

    def _parse_optional(self, arg_string):
        # argparse reads every "-word" as an option and refuses the unknown ones. A single
        # dash before something that is not one of our options starts a formula (-x,
        # -z*sigmoid(z)); "--word" typos (--fromat) stay errors.
        if (arg_string.startswith("-") and not arg_string.startswith("--")
                and len(arg_string) > 1 and not self._names_short_option(arg_string)):
            return None
        return super()._parse_optional(arg_string)

    def _names_short_option(self, arg_string: str) -> bool:
        """``-o``, or ``-oDIR`` for an option that takes a value."""
        if arg_string.split("=", 1)[0] in self._option_string_actions:
            return True
        action = self._option_string_actions.get(arg_string[:2])
        return action is not None and action.nargs != 0


def _build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    parser = _Parser(prog="symderiv", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"symderiv {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in commands:
        importlib.import_module(f"symderiv.commands.{name}").add_parser(sub)
    return parser


def _commands_named(argv: list[str]) -> tuple[str, ...]:
    """The commands whose parsers ``argv`` needs: the one it starts with, or all of them
    (for ``--help``, ``--version``, a mistyped command). A command's parser reads its own
    arguments alone, so the others need not be imported."""
    return (argv[0],) if argv and argv[0] in COMMANDS else COMMANDS


def command_line() -> int:
    """``symderiv`` as a process (the console script and ``python -m symderiv``): main()
    with the collector tuned for one short run whose heap is thrown away at exit."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        return main()
    finally:
        # What is left is freed with the process. Frozen, the objects are not walked once
        # more by the collector's last pass at interpreter exit (0.3 s after a solve).
        gc.freeze()


def main(argv: list[str] | None = None) -> int:
    command = "options"
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _build_parser(_commands_named(argv)).parse_args(argv)
        command = args.command
        code = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it would print
        return code
    except InputError as e:
        _report(e)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except tuple(_RESOURCE_FAILURES) as e:
        # A last resort: the spec and formula checks should refuse such input first.
        _report(InputError(command, _RESOURCE_FAILURES[_kind(e)]))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("symderiv: interrupted", file=sys.stderr)
        return 130


def _kind(e: BaseException) -> type:
    return next(kind for kind in _RESOURCE_FAILURES if isinstance(e, kind))


def _report(error: InputError) -> None:
    """The error's one line (its message) on stderr."""
    try:
        print(error, file=sys.stderr)
    except BrokenPipeError:
        pass


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit cannot fail again on
    the closed pipe (the recipe in the Python docs, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (a test's capture): nothing to flush at exit
    finally:
        os.close(devnull)
