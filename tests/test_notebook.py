"""examples/tour.ipynb runs headless (nbclient, the test's own Python as the kernel) and
shows the right values: checked against mpmath (the seed's network written out here,
derivatives by numerical differentiation), not against symderiv's own output."""

import ast
from pathlib import Path

import mpmath
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"
# The seed's problem 4 (hw6.toml), as the notebook builds it.
SEED_WEIGHTS = {("i1", "h1"): "0.15", ("i1", "h2"): "0.25", ("i2", "h1"): "0.20",
                ("i2", "h2"): "0.30", ("h1", "o1"): "0.30", ("h1", "o2"): "0.50",
                ("h2", "o1"): "0.45", ("h2", "o2"): "0.55"}
SEED_BIASES = {"h1": "0.35", "h2": "0.35", "o1": "0.60", "o2": "0.60"}
SEED_INPUTS, SEED_TARGETS = {"i1": "0.05", "i2": "0.10"}, {"o1": "0.12", "o2": "0.95"}


@pytest.fixture(scope="module")
def outputs():
    """Each tagged cell's outputs: {tag: (text/plain or stream text, {mime: data})}."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel is this interpreter (ipykernel's own spec) and inherits PYTHONPATH.
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    shown = {}
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            data, text = {}, ""
            for out in cell.get("outputs", []):
                data.update(out.get("data", {}))
                text += out.get("text", "")
            shown[tag] = (data.get("text/plain", text), data)
    return shown


pytestmark = pytest.mark.slow


def test_tanh_output_form_matches_mpmath(outputs):
    from symderiv.calculus.expr import parse_formula

    text, data = outputs["tanh-output-form"]
    form_text, verified = text[1:-1].rsplit(", ", 1)
    assert verified == "True"
    form = parse_formula(form_text, variables={"a"})
    (a,) = form.free_symbols
    for x in ("-2.5", "-0.4", "0", "1.3"):
        output = mpmath.tanh(mpmath.mpf(x))
        assert abs(float(form.subs(a, float(output)))
                   - mpmath.diff(mpmath.tanh, mpmath.mpf(x))) < 1e-12
    derivation = outputs["derive-tanh"][1]
    assert r"\left(1 + a\right) \left(1 - a\right)" in derivation["text/latex"]
    assert "text/markdown" in derivation


def test_swish_verdicts(outputs):
    right = outputs["verify-swish"][0]
    assert right.startswith("Verification(equal=True")
    wrong = outputs["verify-swish-wrong"][0]
    assert wrong.startswith("Verification(equal=False")
    point = ast.literal_eval(wrong[wrong.index("counterexample=") + 15:
                                   wrong.index("}, lhs=") + 1])["point"]
    b, z = mpmath.mpf(point["beta"]), mpmath.mpf(point["z"])
    sigma = lambda t: 1 / (1 + mpmath.exp(-t))
    derivative = mpmath.diff(lambda t: t * sigma(b * t), z)
    assert abs(derivative - sigma(b * z) * (1 - sigma(b * z))) > 1e-3


def test_problem_4_values_and_display(outputs, mlp_oracle):
    loss, gradient = mlp_oracle
    values = ast.literal_eval(outputs["problem4-values"][0])
    args = (SEED_WEIGHTS, SEED_BIASES, SEED_INPUTS, SEED_TARGETS)
    with mpmath.workdps(50):
        expected_loss = loss(*args)
        g5, g6 = gradient(("h1", "o1"), *args), gradient(("h1", "o2"), *args)
    assert values["loss"] == pytest.approx(float(expected_loss), rel=1e-14)
    assert values["dE/dw5"] == pytest.approx(float(g5), rel=1e-12)
    assert values["dE/dw6"] == pytest.approx(float(g6), rel=1e-12)
    assert values["w5 after one step"] == pytest.approx(float(mpmath.mpf("0.3") - g5 / 10),
                                                        rel=1e-14)
    _, shown = outputs["solve-problem4"]
    for number in (f"{float(expected_loss):.4f}", f"{float(g5):.4f}", f"{float(g6):.4f}"):
        assert number in shown["text/latex"] and number in shown["text/markdown"]


def test_render_and_bad_input(outputs):
    assert outputs["render-tex"][0].startswith("\\documentclass")
    assert outputs["bad-input"][0].startswith(
        "symderiv: error: sheet: problem[1].network.layers[1].activation: ")
    assert outputs["export"][0].strip()


def test_exported_code_runs_with_the_spec_as_defaults(outputs, mlp_oracle):
    loss, gradient = mlp_oracle
    values = ast.literal_eval(outputs["export-run"][0])
    args = (SEED_WEIGHTS, SEED_BIASES, SEED_INPUTS, SEED_TARGETS)
    moved = ({**SEED_WEIGHTS, ("h1", "o1"): "0.4"}, *args[1:])
    with mpmath.workdps(50):
        assert values["loss"] == pytest.approx(float(loss(*args)), rel=1e-14)
        assert values["dE/dw5"] == pytest.approx(float(gradient(("h1", "o1"), *args)), rel=1e-12)
        assert values["dE/dw5 at w5 = 0.4"] == pytest.approx(
            float(gradient(("h1", "o1"), *moved)), rel=1e-12)
