"""Compiled templates are kept between runs and reused only while their source is the same.

Oracle: the same template rendered by an environment without any cache.
"""

import sys

import pytest

from symderiv.render import template_cache
from symderiv.render.environment import LATEX_DELIMITERS, LatexEnvironment, _finalize, sandboxed


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path / "cache" / "symderiv" / "templates"


def _render(folder, name="latex/t.tex.j2", **context):
    env = sandboxed(LatexEnvironment, folder, _finalize, **LATEX_DELIMITERS)
    return env.get_template(name).render(**context)


def test_second_run_reuses_the_compiled_template_and_renders_the_same(cache_home, tmp_path,
                                                                       monkeypatch):
    (tmp_path / "t" / "latex").mkdir(parents=True)
    (tmp_path / "t" / "latex" / "t.tex.j2").write_text(
        "((* for i in range(n) *))((( i )))((* endfor *))\n")
    first = _render(tmp_path / "t", n=4)
    entries = sorted(cache_home.iterdir())
    assert entries and (cache_home.stat().st_mode & 0o077) == 0   # private to the user
    # a second environment (a new run) loads the code instead of compiling the source
    import jinja2
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda *a, **k: pytest.fail("compiled again"))
    assert _render(tmp_path / "t", n=4) == first == "0123"   # (trim_blocks eats the newline)
    assert sorted(cache_home.iterdir()) == entries


def test_an_edited_template_is_compiled_afresh(cache_home, tmp_path):
    folder = tmp_path / "t"
    (folder / "latex").mkdir(parents=True)
    template = folder / "latex" / "t.tex.j2"
    template.write_text("old ((( x )))\n")
    assert _render(folder, x="a") == "old a\n"
    template.write_text("new ((( x ))) ((( x )))\n")
    assert _render(folder, x="b") == "new b b\n"


def test_latex_and_markdown_settings_never_share_an_entry(cache_home):
    latex = template_cache.bytecode_cache(LatexEnvironment, _finalize, LATEX_DELIMITERS)
    plain = template_cache.bytecode_cache(LatexEnvironment, _finalize, {})
    assert latex.pattern != plain.pattern


def test_nothing_is_kept_where_python_writes_no_bytecode(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert template_cache.bytecode_cache(LatexEnvironment, _finalize, {}) is None
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_folder_means_no_cache(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert template_cache.bytecode_cache(LatexEnvironment, _finalize, {}) is None


def test_a_cache_that_cannot_be_read_or_written_is_no_cache(cache_home, tmp_path, monkeypatch):
    # a read-only or full folder (root ignores chmod, so the failure is simulated)
    from jinja2.bccache import FileSystemBytecodeCache

    def refuse(self, bucket):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(FileSystemBytecodeCache, "load_bytecode", refuse)
    monkeypatch.setattr(FileSystemBytecodeCache, "dump_bytecode", refuse)
    (tmp_path / "t" / "latex").mkdir(parents=True)
    (tmp_path / "t" / "latex" / "t.tex.j2").write_text("((( x )))\n")
    assert _render(tmp_path / "t", x="a") == "a\n"
