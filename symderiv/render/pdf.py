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

from symderiv.errors import InputError
from symderiv.files import write_atomic

TIME_BOUND = 120  # seconds for the whole latexmk run (the hw6 sheet takes about 5 s)
INSTALL_HINT = ("apt-get install texlive-xetex texlive-lang-chinese texlive-pictures "
                "latexmk")
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
    return env


def compile_pdf(tex_path: Path, pdf_path: Path, time_bound: float = TIME_BOUND) -> None:
    """Compile ``tex_path`` to ``pdf_path`` (written atomically), or raise InputError."""
    require_tex_engine()
    tex_path, pdf_path = Path(tex_path), Path(pdf_path)
    log_path = tex_path.with_suffix(".log")
    with tempfile.TemporaryDirectory(prefix="symderiv-tex-") as scratch:
        scratch = Path(scratch)
        shutil.copyfile(tex_path, scratch / f"{_JOB}.tex")
        finished = _run(scratch, time_bound)
        log = scratch / f"{_JOB}.log"
        pdf = scratch / f"{_JOB}.pdf"
        if finished and pdf.is_file() and _first_error(log) is None:
            write_atomic(pdf_path, pdf.read_bytes())
            return
        log_text = log.read_bytes() if log.is_file() else b"(no log: the engine did not start)\n"
        write_atomic(log_path, log_text)
    if not finished:
        what = f"xelatex did not finish within {time_bound:g} s"
    else:
        what = _first_error(log_path) or "xelatex wrote no PDF"
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


def _first_error(log: Path) -> str | None:
    """The first ``! ...`` line of a TeX log, with its ``l.<n>`` line number when given."""
    if not log.is_file():
        return None
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("! "):
            where = next((l.split(" ", 1)[0] for l in lines[i + 1:i + 30]
                          if l.startswith("l.")), None)
            message = " ".join(line.split())[:160]
            return f"{message} (.tex line {where[2:]})" if where else message
    return None
