"""`symderiv vary SPEC -n N --seed S [-o DIR] [--lang zh|en] [--format pdf,tex,json,csv,moodle]`

Draws N variants of SPEC's ``[problem.vary]`` givens (contract §5.7), solves them,
rejects degenerate draws, and writes the class's files, all or none
(:func:`symderiv.commands.solve.write_all`): ``<stem>-variants.json``,
``<stem>-answers.csv``, ``<stem>-moodle.xml``, ``<stem>-questions.tex|pdf`` and
``<stem>-keys.tex|pdf``. A progress bar goes to standard error when it is a terminal.
"""

import sys
import time
from pathlib import Path

from symderiv.errors import InputError

FORMATS = ("tex", "pdf", "json", "csv", "moodle")
DEFAULT_FORMATS = ("tex", "json", "csv", "moodle")   # plus pdf where TeX is found
SECONDS_PER_VARIANT_OF_TEX = 2.0   # the TeX time bound grows with the pages


def add_parser(sub) -> None:
    p = sub.add_parser("vary", help="per-student variants: question sheets, keys, answers, "
                       "a Moodle quiz",
                       description="Draw N variants of SPEC's [problem.vary] givens with seed "
                                   "S; write DIR/<stem>-variants.json, -answers.csv, "
                                   "-moodle.xml, -questions.tex/pdf and -keys.tex/pdf.")
    p.add_argument("spec", metavar="SPEC", help="a problem spec (TOML) with [problem.vary]")
    p.add_argument("-n", type=int, required=True, metavar="N", help="how many variants")
    p.add_argument("--seed", type=int, required=True, metavar="S",
                   help="the seed: the same seed gives the same files")
    p.add_argument("-o", "--output", default="output", metavar="DIR",
                   help="folder for the outputs (default: output)")
    p.add_argument("--lang", choices=("zh", "en"), help="language (default: the spec's)")
    p.add_argument("--format", metavar="LIST", help="comma-separated: tex,pdf,json,csv,moodle "
                   "(default: tex,json,csv,moodle, plus pdf where a TeX engine is found)")
    p.add_argument("--templates", metavar="DIR", type=Path,
                   help="a folder searched for templates before the built-in ones")
    p.add_argument("--jobs", type=int, metavar="J", help="worker processes (default: one "
                   "below 50 variants, else up to 4 as there are cores); the files are the "
                   "same whatever J is")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.commands.solve import _output_dir, write_all

    formats = _formats(args.format)
    out_dir = _output_dir(args.output)
    if args.templates is not None and not args.templates.is_dir():
        raise InputError("--templates", f"{args.templates}: not a folder")
    if args.jobs is not None and not 1 <= args.jobs <= 64:
        raise InputError("--jobs", f"must be from 1 to 64, got {args.jobs}")

    from symderiv.spec import load_sheet
    from symderiv.variants.batch import make_variants

    sheet = load_sheet(args.spec)
    bar = _ProgressBar(args.n) if sys.stderr.isatty() else None
    try:
        result = make_variants(sheet, args.n, args.seed, args.lang, set(formats),
                               args.templates, bar, args.jobs)
    finally:
        if bar is not None:
            bar.close()
    files = _files(result, formats, out_dir, args.templates)
    write_all(files)
    for path in files:
        print(path)
    rejected = ", ".join(f"{n} {reason}" for reason, n in result.rejected.items() if n)
    print(f"{len(result.variants)} variants from {result.draws} draws"
          + (f" (rejected: {rejected})" if rejected else ""), file=sys.stderr)
    return 0


def _files(result, formats, out_dir: Path, templates) -> dict:
    from symderiv.variants import outputs

    stem = result.sheet.name
    files = {}
    if "json" in formats:
        files[out_dir / f"{stem}-variants.json"] = outputs.variants_json(result)
    if "csv" in formats:
        files[out_dir / f"{stem}-answers.csv"] = outputs.answers_csv(result)
    if "moodle" in formats:
        files[out_dir / f"{stem}-moodle.xml"] = outputs.moodle_xml(result)
    for which, name in (("questions", "questions"), ("key", "keys")):
        if not {"tex", "pdf"} & set(formats):
            break
        tex = outputs.document(result, which, templates)
        path = out_dir / f"{stem}-{name}.tex"
        if "tex" in formats:
            files[path] = tex
        if "pdf" in formats:
            from symderiv.render.pdf import TIME_BOUND, compile_tex

            bound = TIME_BOUND + SECONDS_PER_VARIANT_OF_TEX * len(result.variants)
            files[path.with_suffix(".pdf")] = compile_tex(tex, path, bound)
    return files


def _formats(text: str | None) -> list[str]:
    from symderiv.render.pdf import require_tex_engine, tex_engine_found

    if text is None:
        return [*DEFAULT_FORMATS, *(["pdf"] if tex_engine_found() else [])]
    chosen = []
    for f in (part.strip() for part in text.split(",")):
        if f not in FORMATS:
            raise InputError("--format", f"unknown format {f!r}; formats: {', '.join(FORMATS)}")
        if f == "pdf":
            require_tex_engine()
        if f not in chosen:
            chosen.append(f)
    return chosen


class _ProgressBar:
    """``variants 12/20 [######    ] about 3 s left`` on standard error, redrawn in place."""

    WIDTH = 24

    def __init__(self, total: int):
        self.total, self.start = total, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        left = elapsed / done * (total - done)
        filled = round(self.WIDTH * done / total)
        sys.stderr.write(f"\rvariants {done}/{total} [{'#' * filled}{' ' * (self.WIDTH - filled)}]"
                         f" about {left:.0f} s left ")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
