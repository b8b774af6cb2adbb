"""Shared test settings and fixtures (the built-in hw6 spec, the seed, an mpmath oracle).

Tests marked ``slow`` (TeX, a notebook kernel, the command run as a subprocess) are marked
here or in their module; ``pytest -m "not slow"`` leaves them out while developing.

TeX tests (marker ``tex``) skip on a machine without latexmk/xelatex, except where
SYMDERIV_REQUIRE_TEX=1 (CI sets it): there a missing engine fails them.
Torch tests (marker ``torch``) and C tests (marker ``gcc``) likewise fail instead of
skipping when CI=true.
"""

import os
import shutil
import subprocess
import sys

from pathlib import Path

import mpmath
import pytest

DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "seed.txt"   # the seed homework, hand-worked (Chinese), as the course gave it


def tex_available() -> bool:
    return bool(shutil.which("latexmk") and shutil.which("xelatex"))


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


SUBPROCESS_FIXTURES = {"run_cli", "cli_results"}   # fixtures that run the command itself


def pytest_collection_modifyitems(config, items):
    require_tex = os.environ.get("SYMDERIV_REQUIRE_TEX") == "1"
    require_torch = os.environ.get("CI") == "true"
    for item in items:
        # TeX runs and whole-command subprocesses take seconds each: `-m "not slow"` skips
        # them while developing; the README's test command and CI run everything.
        if "tex" in item.keywords or SUBPROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if "tex" in item.keywords and not tex_available() and not require_tex:
            item.add_marker(pytest.mark.skip(reason="no TeX engine (latexmk + xelatex)"))
        if "torch" in item.keywords and not torch_available() and not require_torch:
            item.add_marker(pytest.mark.skip(reason="no PyTorch (pip install torch==2.13.0)"))
        if "gcc" in item.keywords and not shutil.which("gcc") and not require_torch:
            item.add_marker(pytest.mark.skip(reason="no gcc (apt-get install gcc)"))


@pytest.fixture(autouse=True)
def _mpmath_precision_stays_put():
    """A test that sets ``mpmath.mp.dps`` for its oracle gets it back afterwards, so no
    test's numbers depend on which tests ran before it on the same worker."""
    dps = mpmath.mp.dps
    yield
    mpmath.mp.dps = dps


@pytest.fixture(scope="session")
def hw6_path() -> Path:
    """The built-in spec, examples/hw6.toml (the seed's problems 2, 4 and 5)."""
    from symderiv.resources import examples_dir

    return examples_dir() / "hw6.toml"


@pytest.fixture(scope="session")
def hw6_text(hw6_path) -> str:
    return hw6_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def hw6_sheet(hw6_path):
    """The built-in spec, loaded and validated once (a Sheet is frozen: safe to share)."""
    from symderiv.spec import load_sheet

    return load_sheet(hw6_path)


@pytest.fixture(scope="session")
def hw6_problem(hw6_sheet):
    """The built-in sheet's problem with a given id."""
    return lambda pid: next(p for p in hw6_sheet.problems if p.id == pid)


@pytest.fixture
def run_cli():
    """Run ``python -m symderiv ARGS`` in a subprocess; returns CompletedProcess (text)."""

    def run(*args, cwd=None, input=None, timeout=120):
        return subprocess.run([sys.executable, "-m", "symderiv", *map(str, args)],
                              capture_output=True, text=True, cwd=cwd, input=input,
                              timeout=timeout)

    return run


def two_two_two_loss(weights: dict, biases: dict, inputs: dict, targets: dict,
                     half: bool = False):
    """The loss of the seed's 2-2-2 sigmoid network (i1, i2 → h1, h2 → o1, o2), written out
    in mpmath from its parameters (an oracle independent of symderiv's engine).

    ``weights`` maps (source, target) to a value, ``biases`` a neuron to its bias; values
    are decimal strings or mpf. The loss is Σ(o − y)², or half of it.
    """
    value = {k: mpmath.mpf(v) for k, v in inputs.items()}
    sigmoid = lambda t: 1 / (1 + mpmath.exp(-t))
    for layer, before in ((("h1", "h2"), ("i1", "i2")), (("o1", "o2"), ("h1", "h2"))):
        for n in layer:
            value[n] = sigmoid(sum(mpmath.mpf(weights[s, n]) * value[s] for s in before)
                               + mpmath.mpf(biases[n]))
    loss = sum((value[o] - mpmath.mpf(y)) ** 2 for o, y in targets.items())
    return loss / 2 if half else loss


@pytest.fixture
def mlp_oracle():
    """:func:`two_two_two_loss`, and its gradient by mpmath's numerical differentiation."""

    def gradient(edge, weights, biases, inputs, targets, half=False):
        with mpmath.workdps(50):
            def loss_at(w):
                return two_two_two_loss({**weights, edge: w}, biases, inputs, targets, half)
            return mpmath.diff(loss_at, mpmath.mpf(weights[edge]))

    return two_two_two_loss, gradient
