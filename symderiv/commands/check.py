"""`symderiv check DOC`: re-derive every equation chain of a worked solution.

Exit 0 when nothing is WRONG (rounding slips alone exit 0), 1 when something is, 2 on bad
input (a missing or unreadable file, a bad --given).
"""

import json
import sys

from symderiv.errors import InputError

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check", help="check every equation chain of a worked solution",
        description="Re-derive every chain a = b = c in a worked solution (Markdown, LaTeX "
                    "or plain text with $...$ math) and report each, with its line number, "
                    "as ok, rounding (a last digit off by less than one unit), WRONG (with "
                    "the recomputed value) or skipped (what could not be read or evaluated); "
                    "a finer verdict shows beside it: conditional (judged under the "
                    "condition the text states), data differ, inherits line N.",
        epilog="Exit status: 0 when nothing is WRONG (rounding slips alone exit 0), 1 when "
               "something is, 2 on bad input.")
    p.add_argument("doc", metavar="DOC", help="the document ('-' reads standard input)")
    p.add_argument("--given", action="append", default=[], metavar="NAME=VALUE",
                   help="a value (or formula) for a name the document uses without a value, "
                        "e.g. --given w5=0.3, --given 'y1=0.12', --given 'a=tanh(z)'; names "
                        "as the report writes them (h_1 is h1, \\hat{o}_1 is o1hat)")
    p.add_argument("--spec", metavar="SPEC",
                   help="grade the document against this problem spec (TOML): the problem is "
                        "solved and every quantity the document states is compared with it")
    p.add_argument("--problem", metavar="ID",
                   help="with --spec: the problem to grade against (needed when the spec has "
                        "several backprop problems)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.api import check

    given = dict(parse_given(g) for g in args.given)
    if args.problem is not None and args.spec is None:
        raise InputError("--problem", "needs --spec SPEC")
    sheet = None
    if args.spec is not None:
        from symderiv.spec import load_sheet

        sheet = load_sheet(args.spec)  # a bad spec is reported before the document is read
    report = check(read_document(args.doc), given, spec=sheet, problem=args.problem,
                   filename=args.doc)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(report.text())
    return report.exit_code


def parse_given(option: str):
    """``NAME=VALUE`` -> (name, SymPy value); LaTeX-ish names (w_5, \\beta) are normalized."""
    where = f"--given {option[:40]}"
    if "=" not in option:
        raise InputError(where, "expected NAME=VALUE")
    from symderiv.api import given_value

    return given_value(*option.split("=", 1), where)


def read_document(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
    else:
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_DOCUMENT_BYTES + 1)
        except FileNotFoundError:
            raise InputError(path, "no such file") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, not a document") from None
        except OSError as e:
            raise InputError(path, f"cannot read it ({e.strerror or e})") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(path, f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; "
                               "check a worked solution, not a corpus")
    return decode(data, path)


def decode(data: bytes, where: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise InputError(where, "not a text document (expected UTF-8 text)")
