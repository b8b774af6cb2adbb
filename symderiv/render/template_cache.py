"""Compiled templates kept between runs, as Python keeps compiled modules (``.pyc``).

Jinja2 compiles every template to Python source and then to code on first use: about
0.2 s of CPU for one sheet, the largest part of rendering it. Jinja2's bytecode cache
keeps that code in a per-user folder and reuses it only while the template's source is
unchanged (it stores a checksum of the source, and the Jinja2 and Python versions). It
holds compiled code, never a rendered sheet: every run renders afresh.

The folder is ``$XDG_CACHE_HOME/symderiv/templates`` (default ``~/.cache/…``), made
private to the user. Nothing is kept where Python itself is told not to write bytecode
(``PYTHONDONTWRITEBYTECODE``, ``-B``), or where the folder cannot be made.
"""

import hashlib
import os
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import FileSystemBytecodeCache


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "symderiv" / "templates"


def bytecode_cache(environment_class: type, finalize, options: dict):
    """A bytecode cache for environments made with these settings, or None.

    The compiled code depends on the environment's settings (delimiters, whitespace
    control, extensions, finalize), not only on the source: the file names carry a digest
    of them, so a LaTeX and a Markdown environment never share an entry."""
    if sys.dont_write_bytecode:
        return None
    folder = cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    settings = repr((environment_class.__module__, environment_class.__qualname__,
                     getattr(finalize, "__qualname__", None), jinja2.__version__,
                     sorted((k, repr(v)) for k, v in options.items())))
    digest = hashlib.sha256(settings.encode()).hexdigest()[:16]
    return _QuietCache(str(folder), f"{digest}-%s.cache")


class _QuietCache(FileSystemBytecodeCache):
    """A cache that cannot be read or written (a read-only or full folder) is no cache:
    the template is compiled as if there were none, never an error for the user."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
