"""`symderiv solve` writes its files all or none: a failure leaves the output folder as it was.

Oracle: the folder's listing and the files' bytes before and after, compared directly.
"""

import os
from pathlib import Path

import pytest

from symderiv import files as solve   # write_all moved from commands/solve.py to files.py
from symderiv.errors import InputError


def listing(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` (hidden ones too): its bytes, or None for a folder."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def test_a_target_that_is_a_folder_stops_the_run_before_any_file_is_written(run_cli, tmp_path):
    out = tmp_path / "out"
    (out / "hw6.json").mkdir(parents=True)       # where the JSON would go
    (out / "hw6.tex").write_text("old sheet")    # an earlier run's .tex stays as it was
    before = listing(out)
    r = run_cli("solve", "--format", "tex,json,md", "-o", out)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [f"symderiv: error: {out / 'hw6.json'}: cannot "
                                             "write: it is a folder"]
    assert listing(out) == before


def test_a_rename_that_fails_midway_puts_everything_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.tex").write_text("old a")
    files = {out / "a.tex": "new a", out / "b.json": "new b",
             out / "deeper" / "c.md": "new c", out / "d.pdf": b"%PDF new d"}
    before = listing(tmp_path)
    real_replace = os.replace

    def failing_replace(src, dst):
        # the last rename fails, after a (replacing the old a), b and c are in place
        if Path(dst).name == "d.pdf":
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(solve.os, "replace", failing_replace)
    with pytest.raises(InputError, match="cannot write: Permission denied"):
        solve.write_all(files)
    monkeypatch.setattr(solve.os, "replace", real_replace)
    assert listing(tmp_path) == before   # old a back, no b/c, no temporaries, no "deeper"


def test_every_file_is_written_with_the_usual_mode(tmp_path):
    files = {tmp_path / "o" / "x.tex": "x ü", tmp_path / "o" / "x.pdf": b"%PDF"}
    solve.write_all(files)
    umask = os.umask(0)
    os.umask(umask)
    for path, data in files.items():
        assert path.read_bytes() == (data if isinstance(data, bytes) else data.encode())
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["x.pdf", "x.tex"]


def test_a_sheet_that_fails_its_own_check_is_refused_and_nothing_is_written(
        tmp_path, monkeypatch, capsys):
    # a formula activation whose sheet would state a wrong equation: here injected into the
    # rendered .tex (as a printer slip would), so the self-check has something to find
    from symderiv import cli
    from symderiv.commands import solve as command
    from test_bad_specs import BASE

    spec = tmp_path / "formula.toml"
    spec.write_text(BASE.replace('{ neurons = ["o1", "o2"], activation = "sigmoid" }',
                                 '{ neurons = ["o1", "o2"], activation = "z*sigmoid(z)" }'))
    writer = command.WRITERS["tex"]
    slip = "\n\\[ o_{1} = 0.25 + 0.5 = 0.9 \\]\n\\end{document}\n"
    monkeypatch.setitem(command.WRITERS, "tex", command.Writer(
        "tex", lambda s, o: writer.render(s, o).replace("\\end{document}\n", slip)))
    out = tmp_path / "out"
    assert cli.main(["solve", str(spec), "-o", str(out), "--format", "tex,json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"symderiv: error: {spec.name}: the worked sheet "
                                               "fails its own check at line")
    assert not out.exists()
    # without the slip, the same spec is written (and passes)
    monkeypatch.setitem(command.WRITERS, "tex", writer)
    assert cli.main(["solve", str(spec), "-o", str(out), "--format", "tex,json"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["formula.json", "formula.tex"]
