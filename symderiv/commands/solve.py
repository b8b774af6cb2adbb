"""`symderiv solve [SPEC ...] [-o DIR] [--lang zh|en] [--format tex,pdf,json,md] [--templates DIR]`

Every spec is read, validated and solved, and every output rendered (the PDF compiled in
a scratch folder), before the first file is written: a bad spec, template or TeX run
leaves ``DIR`` as it was (a failed TeX run leaves only its .tex and log, to inspect).
The files are then written all or none (:func:`write_all`). Each format is
a :class:`Writer` in ``WRITERS``, added with :func:`register`.
"""

from dataclasses import field
from pathlib import Path
from typing import Callable

from symderiv.records import dataclass
from symderiv.api import BUILTIN_SHEET
from symderiv.errors import InputError
from symderiv.files import write_all

FORMATS = ("tex", "pdf", "json", "md")   # what --format accepts
DEFAULT_FORMATS = ("tex", "json", "pdf")  # each where its writer is there and usable
BUILTIN_SHEET = "hw6.toml"
QUESTION_FORMATS = ("tex", "pdf")      # what --questions-only writes
QUESTIONS_SUFFIX = "-questions"        # its files: <stem>-questions.tex, so no key is replaced


@dataclass(frozen=True)
class Options:
    templates: Path | None
    output: Path = Path("output")   # where a failed TeX run leaves the .tex and its log
    questions_only: bool = False    # the sheets without their solutions


@dataclass(frozen=True)
class Writer:
    """One output format: ``render(sheet_solution, options) -> str | bytes``.

    ``usable()`` says whether it can run here (pdf: a TeX engine); a format asked for
    explicitly must be usable or ``require()`` raises an InputError that says why.
    """

    extension: str
    render: Callable
    usable: Callable[[], bool] = field(default=lambda: True)
    require: Callable[[], None] = field(default=lambda: None)


WRITERS: dict[str, Writer] = {}


def register(name: str, writer: Writer) -> None:
    WRITERS[name] = writer


def _json(solutions, options: Options) -> str:
    from symderiv.api import render

    return render(solutions, "json")


def _markdown(solutions, options: Options) -> str:
    from symderiv.api import render

    return render(solutions, "md", templates=options.templates)


def _tex(solutions, options: Options) -> str:
    from symderiv.api import render

    return render(solutions, "tex", templates=options.templates,
                  questions_only=options.questions_only)


def _pdf(solutions, options: Options) -> bytes:
    from symderiv.render.latex_sheet import render_pdf

    return render_pdf(solutions.sheet, options.output, templates=options.templates,
                      questions_only=options.questions_only)


def _tex_engine_found() -> bool:
    from symderiv.render.pdf import tex_engine_found

    return tex_engine_found()


def _require_tex_engine() -> None:
    from symderiv.render.pdf import require_tex_engine

    require_tex_engine()


register("json", Writer("json", _json))
register("md", Writer("md", _markdown))
register("tex", Writer("tex", _tex))
register("pdf", Writer("pdf", _pdf, usable=_tex_engine_found, require=_require_tex_engine))



# -- the command ---------------------------------------------------------------------------

def add_parser(sub) -> None:
    p = sub.add_parser("solve", help="solve problem specs; write LaTeX, PDF, JSON, Markdown",
                       description="Solve each SPEC (TOML) and write DIR/<stem>.<ext> per "
                                   "format. Without SPEC: the built-in homework-6 sheet (hw6).")
    p.add_argument("specs", nargs="*", metavar="SPEC", help="problem spec files (TOML)")
    p.add_argument("-o", "--output", default="output", metavar="DIR",
                   help="folder for the outputs (default: output)")
    p.add_argument("--lang", choices=("zh", "en"), help="language of the sheet (default: "
                   "the spec's)")
    p.add_argument("--format", metavar="LIST", help="comma-separated: tex,pdf,json,md "
                   "(default: tex,json, plus pdf where a TeX engine is found)")
    p.add_argument("--templates", metavar="DIR", type=Path,
                   help="a folder searched for templates before the built-in ones")
    p.add_argument("--questions-only", action="store_true",
                   help="the sheets without their solutions, as DIR/<stem>-questions.tex|pdf")
    p.set_defaults(run=run)


def run(args) -> int:
    formats = _formats(args.format)
    if args.questions_only:
        formats = _question_formats(formats, args.format is not None)
    out_dir = _output_dir(args.output)
    if args.templates is not None and not args.templates.is_dir():
        raise InputError("--templates", f"{args.templates}: not a folder")
    options = Options(args.templates, out_dir, args.questions_only)

    from symderiv.api import load, solve

    sheets = [load(p) for p in args.specs] if args.specs else [load()]
    _check_stems(sheets, args.specs)
    solutions = [solve(sheet, args.lang) for sheet in sheets]
    suffix = QUESTIONS_SUFFIX if args.questions_only else ""
    files = {out_dir / f"{s.name}{suffix}.{WRITERS[f].extension}": WRITERS[f].render(s, options)
             for s in solutions for f in formats}
    for sheet, solution in zip(sheets, solutions):
        self_check(sheet, solution, files.get(out_dir / f"{solution.name}{suffix}.tex"), options)
    write_all(files)
    for path in files:
        print(path)
    return 0


def self_check(sheet, solution, tex: str | None, options: Options) -> None:
    """A sheet with formula activations is checked as ``symderiv check`` would check it
    before anything is written: a formula may print in a form the printer was never
    taught. One that fails is refused as bad input (exit 2, nothing written), saying where.
    Registry activations are covered by the test suite, and checking costs about a second.
    """
    if not any(getattr(layer.activation, "is_formula", False)
               for p in solution.sheet.problems if p.kind == "backprop"
               for layer in p.network.layers):
        return
    from symderiv.check.judge import check_text

    report = check_text(tex if tex is not None else _tex(solution, options), latex=True)
    bad = [i for i in report.items if i.status in ("WRONG", "rounding")]
    if bad:
        raise InputError(sheet.source, f"the worked sheet fails its own check at line "
                                       f"{bad[0].line} ({bad[0].status}: {bad[0].text[:60]}); "
                                       f"a formula activation prints in a form symderiv cannot "
                                       f"state exactly; nothing written")


def _formats(text: str | None) -> list[str]:
    if text is None:
        return [f for f in DEFAULT_FORMATS if f in WRITERS and WRITERS[f].usable()]
    chosen = []
    for f in (part.strip() for part in text.split(",")):
        if f not in FORMATS:
            raise InputError("--format", f"unknown format {f!r}; formats: {', '.join(FORMATS)}")
        if f not in WRITERS:
            raise InputError("--format", f"{f} output is not built yet; formats available: "
                             f"{', '.join(WRITERS)}")
        WRITERS[f].require()
        if f not in chosen:
            chosen.append(f)
    return chosen


def _question_formats(formats: list[str], asked: bool) -> list[str]:
    """A sheet without solutions is a LaTeX page: tex and pdf (JSON and Markdown are the
    answers themselves)."""
    answers = [f for f in formats if f not in QUESTION_FORMATS]
    if answers and asked:
        raise InputError("--questions-only", f"writes {' and '.join(QUESTION_FORMATS)} only; "
                         f"{', '.join(answers)} would hold the answers")
    return [f for f in formats if f in QUESTION_FORMATS]


def _output_dir(name: str) -> Path:
    path = Path(name)
    if path.exists() and not path.is_dir():
        raise InputError("-o", f"{name}: exists and is not a folder")
    return path


def _check_stems(sheets, specs) -> None:
    """Two specs with one stem would write the same files."""
    seen = {}
    for sheet, spec in zip(sheets, specs or [BUILTIN_SHEET]):
        if sheet.name in seen:
            raise InputError(str(spec), f"has the same name as {seen[sheet.name]}; their "
                             f"outputs ({sheet.name}.*) would overwrite each other")
        seen[sheet.name] = spec
