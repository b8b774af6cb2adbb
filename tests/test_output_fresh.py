"""output/ holds the built-in sheet as `make demo` writes it; these tests fail when it is stale.

The .tex and .json are regenerated here (in a temporary folder) and compared with the
committed files. PDFs differ from run to run (timestamps), so the committed PDF's text
(pdftotext) must contain every number the regenerated .tex shows.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "output"
REGENERATE = "regenerate with `make demo` (symderiv solve -o output; symderiv solve --lang en -o output/en)"
LANGS = {"zh": OUTPUT, "en": OUTPUT / "en"}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh")
    for lang in LANGS:
        r = subprocess.run([sys.executable, "-m", "symderiv", "solve", "--lang", lang,
                            "-o", str(out / lang), "--format", "tex,json"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_committed_tex_is_what_solve_writes_now(regenerated, lang):
    committed = LANGS[lang] / "hw6.tex"
    assert committed.is_file(), f"{committed} is missing; {REGENERATE}"
    fresh = (regenerated / lang / "hw6.tex").read_text(encoding="utf-8")
    assert committed.read_text(encoding="utf-8") == fresh, f"{committed} is stale; {REGENERATE}"


@pytest.mark.parametrize("lang", LANGS)
def test_committed_json_is_what_solve_writes_now(regenerated, lang):
    committed = LANGS[lang] / "hw6.json"
    assert committed.is_file(), f"{committed} is missing; {REGENERATE}"
    fresh = json.loads((regenerated / lang / "hw6.json").read_text(encoding="utf-8"))
    assert json.loads(committed.read_text(encoding="utf-8")) == fresh, \
        f"{committed} is stale; {REGENERATE}"


def shown_numbers(tex: str) -> set[str]:
    """Every decimal number the sheet prints (in math), as pdftotext writes it."""
    body = tex.split(r"\begin{document}", 1)[1]
    # not the drawing's own numbers: TikZ/pgfplots options [...] and coordinates ( x, y )
    body = re.sub(r"(?<!\\)\[[^\]]*\]|\(\s*-?[\d.]+,\s*-?[\d.]+\s*\)", "", body)
    return {n for n in re.findall(r"-?\d+\.\d+", body)}


@pytest.mark.tex
@pytest.mark.parametrize("lang", LANGS)
def test_committed_pdf_shows_the_numbers_of_the_fresh_tex(regenerated, lang):
    committed = LANGS[lang] / "hw6.pdf"
    assert committed.is_file(), f"{committed} is missing; {REGENERATE}"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(committed), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = text.replace("\u2212", "-")  # the minus sign
    numbers = shown_numbers((regenerated / lang / "hw6.tex").read_text(encoding="utf-8"))
    assert len(numbers) > 20
    missing = sorted(n for n in numbers if n not in text)
    assert not missing, f"{committed} is stale (missing {missing[:8]}); {REGENERATE}"
