"""Writing output files so that a failure never leaves one half-written.

:func:`write_all` writes a set of files all or none; :func:`write_atomic` one file. Each
file is written to a temporary file beside its target and renamed into place.
"""

import os
import tempfile
from pathlib import Path

from symderiv.errors import InputError


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` (its folder made where missing), all or nothing."""
    write_all({Path(path): data})


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
    """``data`` in a new temporary file beside ``path``, with an output file's mode."""
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
