"""LaTeX to PDF: latexmk with XeLaTeX in a scratch folder, no shell escape, a time bound.

A failure is one line (the first TeX error and where the log is), exit 2 through
:class:`symderiv.errors.InputError`; the .tex stays for the user to inspect, the log is
kept beside it as ``<stem>.log``, and no PDF is written.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from symderiv.records import dataclass
from symderiv.errors import InputError
from symderiv.files import write_atomic

TIME_BOUND = 120  # seconds for the whole latexmk run (the hw6 sheet takes about 5 s)
INSTALL_HINT = ("apt-get install texlive-xetex texlive-lang-chinese texlive-pictures "
                "latexmk")
SOURCE_DATE_EPOCH = "1704067200"  # 2024-01-01 00:00 UTC: the date every PDF carries
_JOB = "sheet"  # the scratch copy's name: no user file name reaches the TeX command line


def tex_engine_found() -> bool:
    """Whether latexmk and xelatex are on PATH."""
    return bool(shutil.which("latexmk") and shutil.which("xelatex"))


def require_tex_engine() -> None:
    """Refuse ``--format pdf`` on a machine without TeX, saying how to install it."""
    if not tex_engine_found():
        raise InputError("--format pdf", f"no TeX engine (latexmk + xelatex) found; install "
                                         f"one: {INSTALL_HINT}")


def _command() -> list[str]:
    return ["latexmk", "-norc", "-xelatex", "-interaction=nonstopmode", "-halt-on-error",
            "-no-shell-escape",
            # latexmk passes -no-shell-escape to xelatex too; say so again in its command
            # so a system latexmkrc cannot turn it back on.
            "-e", "$xelatex = 'xelatex -no-shell-escape %O %S'",
            f"{_JOB}.tex"]


def _environment() -> dict:
    env = dict(os.environ)
    # kpathsea reads these before texmf.cnf: no \write18, and TeX may write only
    # inside the scratch folder and read no dotfiles or files above it by name.
    env.update(shell_escape="f", openout_any="p", openin_any="p")
    # Reproducible bytes: the same sheet gives the same PDF (make demo leaves git clean).
    # XeTeX and xdvipdfmx take the creation date, and the /ID made from it, from
    # SOURCE_DATE_EPOCH (a caller's own is kept); FORCE_SOURCE_DATE makes \today and
    # TeX's \time use it as well.
    env.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    env["FORCE_SOURCE_DATE"] = "1"
    return env


@dataclass(frozen=True)
class TexRun:
    """One latexmk run: the PDF (None when it failed), the log, and whether it finished."""

    pdf: bytes | None
    log: str
    finished: bool

    @property
    def error(self) -> str | None:
        """What went wrong, in one line (the first ``! ...`` of the log), or None."""
        if not self.finished:
            return "did not finish in time"
        return _first_error(self.log) or (None if self.pdf else "xelatex wrote no PDF")


def run_latex(tex: str, time_bound: float = TIME_BOUND) -> TexRun:
    """Compile LaTeX source ``tex`` in a scratch folder; never raises for TeX errors."""
    require_tex_engine()
    with tempfile.TemporaryDirectory(prefix="symderiv-tex-") as scratch:
        scratch = Path(scratch)
        (scratch / f"{_JOB}.tex").write_text(tex, encoding="utf-8")
        finished = _run(scratch, time_bound)
        log, pdf = scratch / f"{_JOB}.log", scratch / f"{_JOB}.pdf"
        log_text = (log.read_text(encoding="utf-8", errors="replace") if log.is_file()
                    else "(no log: the TeX engine did not start)\n")
        ok = finished and pdf.is_file() and _first_error(log_text) is None
        return TexRun(pdf.read_bytes() if ok else None, log_text, finished)


def compile_tex(tex: str, tex_path: Path, time_bound: float = TIME_BOUND) -> bytes:
    """The PDF of LaTeX source ``tex`` (which the caller keeps at ``tex_path``).

    On failure the log is written beside it (``<stem>.log``) and an InputError names the
    .tex, the first TeX error and the log.
    """
    run = run_latex(tex, time_bound)
    if run.pdf is not None:
        return run.pdf
    log_path = Path(tex_path).with_suffix(".log")
    write_atomic(log_path, run.log)
    what = (f"xelatex did not finish within {time_bound:g} s" if not run.finished
            else run.error)
    raise InputError(str(tex_path), f"TeX failed: {what} (log: {log_path})")


def _run(scratch: Path, time_bound: float) -> bool:
    """Run latexmk in ``scratch``; False when it had to be stopped at the time bound."""
    process = subprocess.Popen(_command(), cwd=scratch, env=_environment(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=time_bound)
        return True
    except subprocess.TimeoutExpired:
        # latexmk runs xelatex as a child: end the whole session it leads, then reap it.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return False


def _first_error(log: str) -> str | None:
    """The first ``! ...`` line of a TeX log, with its ``l.<n>`` line number when given."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("! "):
            where = next((l.split(" ", 1)[0] for l in lines[i + 1:i + 30]
                          if l.startswith("l.")), None)
            message = " ".join(line.split())[:160]
            return f"{message} (.tex line {where[2:]})" if where else message
    return None
