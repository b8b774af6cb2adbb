"""`symderiv export TARGET --to FORMAT [-o FILE] [--problem ID]`: formulas as code or markup."""

import sys
from pathlib import Path

from symderiv.errors import InputError
from symderiv.export import FORMATS  # the package imports SymPy only when it exports


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export", help="an activation's derivatives or a problem's gradients as code or markup",
        description="TARGET is an activation name or formula (exports f(z), df(z) and, where "
                    "one exists, df_from_output(a)), or a spec file (exports loss(**kw) and "
                    "grad_<parameter>(**kw) of its backprop problem, every keyword defaulting "
                    "to the spec's value). Without -o the text goes to standard output.")
    p.add_argument("target", metavar="TARGET", help="'gelu', 'z*sigmoid(1.5*z)' or spec.toml")
    p.add_argument("--to", required=True, choices=FORMATS, metavar="FORMAT",
                   help=f"one of {', '.join(FORMATS)} (json: all of them in one object)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead")
    p.add_argument("--problem", metavar="ID", help="the spec's problem (when it has several)")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.export import export
    from symderiv.files import write_atomic

    text = export(args.target, to=args.to, problem=args.problem)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    if out.is_dir():
        raise InputError("-o", f"{out} is a folder; name the file to write")
    try:
        write_atomic(out, text)
    except OSError as e:
        raise InputError("-o", f"cannot write {out}: {e.strerror or e}") from None
    return 0
