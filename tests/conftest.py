"""Shared test settings.

TeX tests (marker ``tex``) skip on a machine without latexmk/xelatex, except where
SYMDERIV_REQUIRE_TEX=1 (CI sets it): there a missing engine fails them.
Torch tests (marker ``torch``) and C tests (marker ``gcc``) likewise fail instead of
skipping when CI=true.
"""

import os
import shutil
import subprocess
import sys

import pytest


def tex_available() -> bool:
    return bool(shutil.which("latexmk") and shutil.which("xelatex"))


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    require_tex = os.environ.get("SYMDERIV_REQUIRE_TEX") == "1"
    require_torch = os.environ.get("CI") == "true"
    for item in items:
        if "tex" in item.keywords and not tex_available() and not require_tex:
            item.add_marker(pytest.mark.skip(reason="no TeX engine (latexmk + xelatex)"))
        if "torch" in item.keywords and not torch_available() and not require_torch:
            item.add_marker(pytest.mark.skip(reason="no PyTorch (pip install torch==2.13.0)"))
        if "gcc" in item.keywords and not shutil.which("gcc") and not require_torch:
            item.add_marker(pytest.mark.skip(reason="no gcc (apt-get install gcc)"))


@pytest.fixture
def run_cli():
    """Run ``python -m symderiv ARGS`` in a subprocess; returns CompletedProcess (text)."""

    def run(*args, cwd=None, input=None, timeout=120):
        return subprocess.run([sys.executable, "-m", "symderiv", *map(str, args)],
                              capture_output=True, text=True, cwd=cwd, input=input,
                              timeout=timeout)

    return run
