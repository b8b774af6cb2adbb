"""symderiv.records.dataclass makes the classes dataclasses.dataclass makes, from kept code.

Oracle: the same class body decorated by ``dataclasses.dataclass`` itself (the standard
library's own generated methods and their code objects), in fresh interpreters: the
first run compiles and keeps the code, the second makes its classes from the kept code.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One class body, decorated both ways; prints what each class's methods do and whether
# their code objects are the standard library's.
SCRIPT = r'''
import dataclasses, json, sys
from dataclasses import field
from symderiv import records

if sys.argv[1] == "no-compile":   # the second run: every method must come from kept code
    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")
    records.compile = refuse

def body():
    class Point:
        """A point."""
        x: int
        y: float = 0.5
        tags: tuple = field(default=())
    return Point

Kept = records.dataclass(frozen=True)(body())
Plain = dataclasses.dataclass(frozen=True)(body())
Loose = records.dataclass(body())   # not frozen, no hash: eq=True sets __hash__ to None

def behaviour(cls):
    p = cls(1, tags=("a",))
    try:
        p.x = 2
        frozen = False
    except dataclasses.FrozenInstanceError:
        frozen = True
    return {"repr": repr(p), "eq": p == cls(1, 0.5, ("a",)), "ne": p != cls(2),
            "hash": hash(p) if cls.__hash__ else None, "frozen": frozen,
            "fields": [f.name for f in dataclasses.fields(cls)],
            "replace": repr(dataclasses.replace(p, y=2.0)),
            "asdict": dataclasses.asdict(p)}

same_code = all(getattr(Kept, m).__code__ == getattr(Plain, m).__code__
                for m in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                          "__delattr__"))
print(json.dumps({"kept": behaviour(Kept), "plain": behaviour(Plain),
                  "loose": behaviour(Loose), "same_code": same_code,
                  "loose_hash_is_none": Loose.__hash__ is None}))
'''


def _run(mode: str, cache: Path, **env) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment.update(PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(cache), **env)
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode], env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_classes_from_kept_code_are_the_standard_librarys(tmp_path):
    first = _run("compile", tmp_path)
    kept = list((tmp_path / "symderiv" / "records").iterdir())
    assert len(kept) == 1 and (kept[0].parent.stat().st_mode & 0o077) == 0   # private
    second = _run("no-compile", tmp_path)   # would fail if any method were compiled
    for run in (first, second):
        assert run["kept"] == run["plain"]
        assert run["kept"]["frozen"] and run["kept"]["eq"] and run["kept"]["ne"]
        assert run["kept"]["repr"] == "body.<locals>.Point(x=1, y=0.5, tags=('a',))"
        assert run["same_code"]
        assert run["loose"]["frozen"] is False and run["loose_hash_is_none"]


def test_nothing_is_kept_where_python_writes_no_bytecode(tmp_path):
    run = _run("compile", tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert run["kept"] == run["plain"] and run["same_code"]
    assert not (tmp_path / "symderiv").exists()


def test_a_damaged_file_is_no_cache(tmp_path):
    _run("compile", tmp_path)
    (kept,) = (tmp_path / "symderiv" / "records").iterdir()
    kept.write_bytes(b"\x00not marshal")
    run = _run("compile", tmp_path)   # compiles afresh, and writes a good file again
    assert run["kept"] == run["plain"]
    assert _run("no-compile", tmp_path)["same_code"]


def test_a_folder_that_cannot_be_made_is_no_cache(tmp_path):
    (tmp_path / "symderiv").write_text("a file where the folder would be")
    run = _run("compile", tmp_path)
    assert run["kept"] == run["plain"] and run["same_code"]
    assert (tmp_path / "symderiv").read_text() == "a file where the folder would be"


@pytest.mark.slow
def test_the_built_in_sheet_is_the_same_made_from_kept_code(tmp_path):
    """Oracle: the same command with no code kept (PYTHONDONTWRITEBYTECODE)."""
    def solve(out, **env):
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        environment.update(PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "cache"), **env)
        done = subprocess.run([sys.executable, "-m", "symderiv", "solve", "--format",
                               "tex,json,md", "-o", str(tmp_path / out)], env=environment,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return {p.name: p.read_bytes() for p in (tmp_path / out).iterdir()}

    plain = solve("plain", PYTHONDONTWRITEBYTECODE="1")
    assert not (tmp_path / "cache" / "symderiv" / "records").exists()
    first = solve("first")      # compiles and keeps the methods' code
    assert list((tmp_path / "cache" / "symderiv" / "records").iterdir())
    second = solve("second")    # makes every class from kept code
    assert plain == first == second and set(plain) == {"hw6.tex", "hw6.json", "hw6.md"}
