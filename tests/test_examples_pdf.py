"""examples/activations.toml and examples/boolean.toml compile in both languages, with no
overfull box over 10pt, and the PDF shows numbers recomputed here: GELU's minimum (mpmath
findroot on the derivative of z·Φ(z), written here) and AND's separating line.
"""

import re
import subprocess

import mpmath
import pytest

from symderiv.problems import solve_sheet
from symderiv.render import pdf
from symderiv.render.latex_sheet import render_sheet
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet

pytestmark = [pytest.mark.tex, pytest.mark.slow]


@pytest.fixture(scope="module", params=["activations", "boolean"])
def solved(request):
    return request.param, solve_sheet(load_sheet(examples_dir() / f"{request.param}.toml"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_example_compiles_cleanly_and_shows_the_numbers(solved, lang, tmp_path):
    name, sheet = solved
    run = pdf.run_latex(render_sheet(sheet, lang))
    assert run.pdf is not None, run.error
    overfull = [float(w) for w in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too", run.log)]
    assert max(overfull, default=0) <= 10, overfull
    (tmp_path / "x.pdf").write_bytes(run.pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "x.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    if name == "activations":
        gelu = lambda z: z * mpmath.ncdf(z)
        with mpmath.workdps(30):
            z = mpmath.findroot(lambda x: mpmath.diff(gelu, x), -0.75)
            at, low = float(-z), float(-gelu(z))
        assert f"−{at:.4f}" in text and f"−{low:.4f}" in text   # −0.7518, −0.1700
    else:
        assert "3" in text and re.search(r"x\s*1\s*\+\s*x\s*2\s*−", text)
