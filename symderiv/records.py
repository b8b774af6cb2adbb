"""``dataclass``, with the code of its generated methods kept between runs, as Python keeps
compiled modules (``.pyc``).

``dataclasses.dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__`` (and
``__hash__``, ``__setattr__``, ``__delattr__`` when frozen) as Python source and compiles
it while the class is made: about 1 ms of CPU per class, 0.1 s for the hundred classes
one ``solve`` imports, most of it in ``compile``. Here that source is compiled once and
its code object kept, keyed by the whole source text, in one file per Python version
(``$XDG_CACHE_HOME/symderiv/records/``, default ``~/.cache/…``, made private to the
user). A source text always compiles to the same code, so a class made from kept code is
the class ``dataclasses.dataclass`` makes: the same fields, methods and behaviour; every
class is still made afresh in every run. Nothing is kept where Python itself is told not
to write bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``), where the folder cannot be made,
or on a Python whose ``dataclasses`` does not compile through ``exec`` (then this is
``dataclasses.dataclass`` itself).
"""

import atexit
import dataclasses
import importlib.util
import marshal
import os
import sys
import threading
from pathlib import Path

__all__ = ["dataclass"]

# dataclasses compiles each generated method with exec(source, globals, namespace) in
# _create_fn (CPython 3.7-3.12); a module attribute named exec shadows the builtin there
_HOOKABLE = hasattr(dataclasses, "_create_fn") and not hasattr(dataclasses, "exec")
_lock = threading.RLock()
MAX_KEPT = 5000   # methods in the file; symderiv's own classes make about 400


def dataclass(cls=None, /, **options):
    """``dataclasses.dataclass(cls, **options)``; the generated methods' code from the
    kept code where the same source was compiled before."""
    def wrap(cls):
        with _lock:
            if not _HOOKABLE or _codes() is None:
                return dataclasses.dataclass(cls, **options)
            dataclasses.exec = _exec_kept
            try:
                return dataclasses.dataclass(cls, **options)
            finally:
                vars(dataclasses).pop("exec", None)
    return wrap if cls is None else wrap(cls)


def _exec_kept(source, globals=None, namespace=None):
    if not isinstance(source, str):
        return exec(source, globals, namespace)
    codes = _codes()
    code = codes.get(source)
    if code is None:
        code = codes[source] = compile(source, "<string>", "exec")
        _store.dirty = True
    _store.used.add(source)
    return exec(code, globals, namespace)


class _Store:
    """The kept code of this Python: read on the first class, written at exit if a class
    brought source not seen before."""

    def __init__(self):
        self.codes = None
        self.path = None
        self.dirty = False
        self.tried = False
        self.used = set()

    def load(self):
        self.tried = True
        if sys.dont_write_bytecode:
            return
        try:
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            folder = Path(base) / "symderiv" / "records"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except (OSError, RuntimeError):   # RuntimeError: no home folder to be found
            return
        # marshal's format and the compiler's output are those of one Python version
        tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
        self.path = folder / f"methods-{tag}.marshal"
        self.codes = {}
        self.pid = os.getpid()
        try:
            kept = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            kept = None
        if isinstance(kept, dict):
            self.codes = {k: v for k, v in kept.items()
                          if isinstance(k, str) and type(v) is _CODE}
        atexit.register(self.save)

    def save(self):
        if not self.dirty or os.getpid() != self.pid:   # a forked child leaves it to its parent
            return
        if len(self.codes) > MAX_KEPT:   # classes edited many times: keep this run's only
            self.codes = {k: v for k, v in self.codes.items() if k in self.used}
        temp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            temp.write_bytes(marshal.dumps(self.codes))
            os.replace(temp, self.path)
        except (OSError, ValueError):
            # a read-only or full folder is no cache: the next run compiles again
            try:
                temp.unlink()
            except OSError:
                pass


_CODE = type(compile("", "<string>", "exec"))
_store = _Store()


def _codes():
    if not _store.tried:
        _store.load()
    return _store.codes
