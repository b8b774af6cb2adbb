"""`symderiv solve [SPEC ...] [-o DIR] [--lang zh|en] [--format tex,pdf,json,md] [--templates DIR]`

Every spec is read, validated and solved, and every output rendered (the PDF compiled in
a scratch folder), before the first file is written: a bad spec, template or TeX run
leaves ``DIR`` as it was (a failed TeX run leaves only its .tex and log, to inspect).
The files are then written all or none (:func:`write_all`). Each format is
a :class:`Writer` in ``WRITERS``, added with :func:`register`.
"""

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from symderiv.errors import InputError
from symderiv.resources import examples_dir

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


def _json(sheet, options: Options) -> str:
    return json.dumps(sheet.to_json(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _markdown(sheet, options: Options) -> str:
    from symderiv.render.markdown import render_markdown

    return render_markdown(sheet, options.templates)


def _tex(sheet, options: Options) -> str:
    from symderiv.render.latex_sheet import render_sheet

    return render_sheet(sheet, templates=options.templates,
                        questions_only=options.questions_only)


def _pdf(sheet, options: Options) -> bytes:
    from symderiv.render.latex_sheet import render_pdf

    return render_pdf(sheet, options.output, templates=options.templates,
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

    from symderiv.problems import solve_sheet
    from symderiv.spec import load_sheet

    sheets = [load_sheet(p) for p in args.specs] if args.specs else [_builtin_sheet()]
    _check_stems(sheets, args.specs)
    solutions = [solve_sheet(sheet, args.lang) for sheet in sheets]
    if args.questions_only:
        solutions = [replace(s, name=f"{s.name}{QUESTIONS_SUFFIX}") for s in solutions]
    files = {out_dir / f"{s.name}.{WRITERS[f].extension}": WRITERS[f].render(s, options)
             for s in solutions for f in formats}
    for sheet, solution in zip(sheets, solutions):
        self_check(sheet, solution, files.get(out_dir / f"{solution.name}.tex"), options)
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
               for p in solution.problems if hasattr(p, "network") and p.kind == "backprop"
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


def write_all(files: dict[Path, str | bytes]) -> None:
    """Write every file or none: a failure leaves each target as it was.

    Each target is checked first (not a folder, its folder writable), then every file is
    written to a temporary file beside its target, and only then are they renamed into
    place. Should a rename still fail, the targets already renamed get their old
    contents back (kept as hard links, where the file system has them) or are removed,
    and the folders this run made are removed again.
    """
    made = _make_folders({path.parent for path in files})
    temps, backups, renamed = {}, {}, []
    try:
        for path in files:
            _check_target(path)
        for path, data in files.items():
            temps[path] = _write_temporary(path, data)
        for path, temp in temps.items():
            if path.exists():
                backups[path] = _hard_link_beside(path)
            os.replace(temp, path)
            renamed.append(path)
    except OSError as e:
        where = getattr(e, "filename", None) or next(iter(files))
        _undo(temps, backups, renamed, made)
        raise InputError(str(where), f"cannot write: {e.strerror or e}") from None
    except BaseException:
        _undo(temps, backups, renamed, made)
        raise
    for backup in backups.values():
        if backup is not None:
            _remove(backup)


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise InputError(str(path), "cannot write: it is a folder")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InputError(str(path), f"cannot write: {path.parent} is not writable")


def _make_folders(folders) -> list[Path]:
    """Create the missing ``folders`` (and parents); the ones made, deepest last."""
    made = []
    for folder in sorted(folders):
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            _remove_folders(made)
            raise InputError(str(folder), f"cannot create the folder: {e.strerror or e}") \
                from None
        made.extend(reversed(missing))
    return made


def _write_temporary(path: Path, data: str | bytes) -> Path:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); an output file gets the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    except BaseException:
        _remove(Path(temp))
        raise
    return Path(temp)


def _hard_link_beside(path: Path) -> Path | None:
    """A second name for ``path``'s current contents (None where links are not possible)."""
    backup = path.with_name(f".{path.name}.{os.getpid()}.old")
    try:
        os.link(path, backup)
    except OSError:
        return None
    return backup


def _undo(temps, backups, renamed, made) -> None:
    for path in renamed:
        backup = backups.get(path)
        if backup is not None:
            os.replace(backup, path)
        elif path not in backups:   # a new file: it was not there before
            _remove(path)
    for temp in temps.values():
        _remove(temp)
    for backup in backups.values():
        if backup is not None:
            _remove(backup)
    _remove_folders(made)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _remove_folders(made: list[Path]) -> None:
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass


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


def _builtin_sheet():
    from symderiv.spec import load_sheet_text

    path = examples_dir() / BUILTIN_SHEET
    return load_sheet_text(path.read_text(encoding="utf-8"), BUILTIN_SHEET)


def _check_stems(sheets, specs) -> None:
    """Two specs with one stem would write the same files."""
    seen = {}
    for sheet, spec in zip(sheets, specs or [BUILTIN_SHEET]):
        if sheet.name in seen:
            raise InputError(str(spec), f"has the same name as {seen[sheet.name]}; their "
                             f"outputs ({sheet.name}.*) would overwrite each other")
        seen[sheet.name] = spec
