"""README's "As a library" example runs and prints what the README shows; its numbers
are checked against an mpmath computation written out here."""

import os
import re
import subprocess
import sys
from pathlib import Path

import mpmath

README = Path(__file__).resolve().parent.parent / "README.md"


def _example():
    section = README.read_text(encoding="utf-8").split("## As a library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    shown = re.search(r"prints\n\n```text\n(.*?)```", section, re.S)[1]
    return code, shown


def test_the_library_example_prints_what_the_readme_shows(tmp_path):
    code, shown = _example()
    root = str(README.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown


def test_the_example_network_against_mpmath():
    _, shown = _example()
    loss_text, gradient_text = re.search(r"loss (\S+), dE/dw1 (\S+)", shown).groups()
    sigmoid = lambda t: 1 / (1 + mpmath.exp(-t))

    def loss(w1):
        z = w1 * 2
        h = z * mpmath.tanh(z)
        o = sigmoid(mpmath.sqrt(2) * h - 1)
        return (o - 1) ** 2 / 2

    with mpmath.workdps(40):
        half = mpmath.mpf(1) / 2
        assert f"{float(loss(half)):.12f}" == loss_text
        assert f"{float(mpmath.diff(loss, half)):.12f}" == gradient_text
