"""examples/circuits.toml and examples/optimizers.toml compile in both languages without
an overfull box over 10pt, and the PDF's text carries the recomputed values (pdftotext)."""

import re
import shutil
import subprocess

import pytest

from symderiv.problems import solve_sheet
from symderiv.render import pdf
from symderiv.render.latex_sheet import render_sheet
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet

pytestmark = [pytest.mark.tex, pytest.mark.slow]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["circuits", "optimizers"])
def test_example_compiles_cleanly(name, lang, tmp_path):
    solved = solve_sheet(load_sheet(examples_dir() / f"{name}.toml"), lang)
    run = pdf.run_latex(render_sheet(solved))
    assert run.pdf is not None, run.error
    overfull = [float(w) for w in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too", run.log)]
    assert all(w <= 10 for w in overfull), overfull
    if shutil.which("pdftotext"):
        path = tmp_path / "x.pdf"
        path.write_bytes(run.pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                              text=True).stdout
        # a value the sheet computed, rounded as printed (the sigmoid neuron's output; Adam's
        # first update of w5 from 0.4 by η = 0.1)
        first = solved.problems[1 if name == "circuits" else 0].to_json()
        shown = (f"{first['value']:.4f}" if name == "circuits"
                 else f"{first['states']['w5'][0]['m_hat']:.4g}")
        assert shown in text, shown
