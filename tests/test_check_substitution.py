"""Substitutions bind: a name without a value takes the number written in its place, read
as written (``0.2 \\cdot 1 - 0.1 \\cdot 0.5 + 0``: the 1, the 0 and every sign where the
document put them), and holds until the name is given again or a new heading starts.

Oracles: every value in the documents and every expected value is computed here with
mpmath; the weights our own Markdown sheets put in are compared with the spec's TOML
(read with tomllib), never with check's output.
"""

import tomllib

import mpmath
import pytest

from symderiv.check.judge import check_text
from symderiv.problems import solve_sheet
from symderiv.render.markdown import render_markdown
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet

mpmath.mp.dps = 40


def fmt(x, decimals: int = 4) -> str:
    """A value as a document prints it, rounded to ``decimals``."""
    return f"{float(x):.{decimals}f}"


def by_text(report, fragment: str):
    return next(item for item in report.items if fragment in item.text)


def substituted(report) -> dict:
    return {b.name: b.value for b in report.bindings if b.kind == "substituted"}


W1, W2, B, X1, X2 = (mpmath.mpf(v) for v in ("0.2", "-0.1", "0", "1", "0.5"))
Z1 = W1 * X1 + W2 * X2 + B
W1_STEP2, B_STEP2 = mpmath.mpf("0.25"), mpmath.mpf("0.1")
Z2 = W1_STEP2 * X1 + W2 * X2 + B_STEP2

STEPS = (
    "## Step 1\n\n"
    "$x_1 = 1$, $x_2 = 0.5$\n\n"
    f"$z = w_1 x_1 + w_2 x_2 + b = 0.2 \\cdot 1 - 0.1 \\cdot 0.5 + 0 = {fmt(Z1)}$\n\n"
    # w_1 + w_2 is 0.1: wrong, and only known from the substitution above
    "$u = w_1 + w_2 = 0.3$\n\n"
    # another number for w_1 in the same step: the substitution is wrong
    "$v = w_1 x_2 = 0.35 \\cdot 0.5 = 0.175$\n\n"
    "## Step 2\n\n"
    # a new heading: w_1 and b take the new numbers, no alarm
    f"$z = w_1 x_1 + w_2 x_2 + b = 0.25 \\cdot 1 - 0.1 \\cdot 0.5 + 0.1 = {fmt(Z2)}$\n\n"
    f"$s = w_1 + b = {fmt(W1_STEP2 + B_STEP2)}$\n"
)


def test_a_substitution_binds_its_names_until_the_next_heading():
    report = check_text(STEPS, filename="steps.md")
    first = by_text(report, "0.2 \\cdot 1")
    assert first.status == "ok" and first.links[1].method == "substitution"
    assert first.expected == pytest.approx(float(Z1), abs=1e-12)
    step1 = [b for b in report.bindings if b.kind == "substituted" and b.line == first.line]
    assert {b.name: b.value for b in step1} == pytest.approx(  # x_1, x_2 were given
        {"w1": float(W1), "w2": float(W2), "b": float(B)})
    # Known only from the substitution, w_1 + w_2 is recomputed: 0.1, not 0.3.
    u = by_text(report, "u = w_1 + w_2")
    assert u.status == "WRONG" and u.expected == pytest.approx(float(W1 + W2), abs=1e-12)
    # 0.35 put in for w_1 in the same step contradicts 0.2, and the report says so.
    v = by_text(report, "v = w_1 x_2")
    link = next(link for link in v.links if link.status == "WRONG")
    assert v.status == "WRONG" and link.symbol == "w1"
    assert link.expected == pytest.approx(float(W1 * X2), abs=1e-12)
    assert link.reason == "0.35 is put in for w1, whose value is 0.2"
    # Under the next heading the names take the new numbers, and later lines use them.
    second = by_text(report, "0.25 \\cdot 1")
    assert second.status == "ok" and second.expected == pytest.approx(float(Z2), abs=1e-12)
    assert by_text(report, "s = w_1 + b").status == "ok"
    assert [i.line for i in report.items if i.status in ("WRONG", "rounding")] == [u.line, v.line]


def test_the_signs_and_repeated_names_are_paired_where_they_were_written():
    n, c = mpmath.mpf("-0.4412"), mpmath.mpf("0.6")
    d = (1 + n) * (1 - n) * c
    doc = ("$g = w_3 x_3 = -3 \\cdot \\left(-2\\right) = 6$\n\n"
           f"$k = w_3 - x_3 = {fmt(mpmath.mpf(-3) - mpmath.mpf(-2), 0)}$\n\n"
           f"$d = (1 + n)(1 - n) c = (1 - 0.4412)(1 - (-0.4412)) \\cdot 0.6 = {fmt(d)}$\n\n"
           f"$q = n c = {fmt(n * c)}$\n\n"
           f"$r = m p = -0.5 \\times 0.8 = {fmt(mpmath.mpf('-0.4'), 1)}$\n\n"
           f"$t = m + p = {fmt(mpmath.mpf('-0.5') + mpmath.mpf('0.8'), 1)}$\n")
    report = check_text(doc, filename="signs.md")
    assert [i.status for i in report.items] == ["ok"] * 6
    assert substituted(report) == pytest.approx(
        {"w3": -3.0, "x3": -2.0, "n": float(n), "c": float(c), "m": -0.5, "p": 0.8})


def _dense_weights(spec: dict) -> dict:
    """w{l}_{j}_{k} and b{l}_{j} from the spec's matrices (contract §1's names)."""
    out = {}
    for l, layer in enumerate(spec["problem"][0]["network"]["layers"], start=1):
        for j, row in enumerate(layer["W"], start=1):
            out.update({f"w{l}_{j}_{k}": float(v) for k, v in enumerate(row, start=1)})
        out.update({f"b{l}_{j}": float(v) for j, v in enumerate(layer["b"], start=1)})
    return out


@pytest.mark.parametrize("name, most_skipped", [("classifier", 0), ("deep_tanh", 0)])
def test_our_dense_markdown_sheets_are_read_with_their_weights(name, most_skipped):
    path = examples_dir() / f"{name}.toml"
    text = render_markdown(solve_sheet(load_sheet(path), "en"))
    report = check_text(text, filename=f"{name}.md")
    assert not [i.line for i in report.items if i.status in ("WRONG", "rounding")]
    links = [link for item in report.items for link in item.links]
    assert sum(link.status == "skipped" for link in links) <= most_skipped
    # Each weight and bias the forward pass puts in is read as the spec's value.
    spec = _dense_weights(tomllib.loads(path.read_text(encoding="utf-8")))
    first = {}
    for b in report.bindings:
        if b.kind == "substituted" and b.name in spec:
            first.setdefault(b.name, b.value)
    assert set(first) == set(spec)
    assert first == pytest.approx(spec, abs=1e-15)


def test_a_relu_factor_left_out_where_it_is_one_or_zero_is_read_and_judged():
    # The dense sheets write ∂E/∂z = ReLU′(z)·(w₁δ₁ + …) = 0.3·0.4481 − … with ReLU′ = 1 left
    # out, and = 0 where z < 0 (the w are not otherwise given in Markdown).
    import re

    path = examples_dir() / "classifier.toml"
    text = render_markdown(solve_sheet(load_sheet(path), "en"))
    lines = text.splitlines()
    relu = [k for k, l in enumerate(lines) if "\\end{cases}" in l and "\\partial z^{(1)}" in l]
    zero = [k for k in relu if lines[k].endswith("= 0$")]
    put_in = [k for k in relu if k not in zero]
    assert zero and put_in
    spec = _dense_weights(tomllib.loads(path.read_text(encoding="utf-8")))
    report = check_text(text, filename="classifier.md")
    by_line = {i.line: i for i in report.items}
    assert all(by_line[k + 1].status == "ok" for k in relu)
    # the weights put in after ReLU′ = 1 was left out are the spec's second-layer weights
    substituted = {b.name: b.value for b in report.bindings
                   if b.kind == "substituted" and b.line == put_in[0] + 1}
    assert substituted and all(spec[n] == pytest.approx(v, abs=1e-15) for n, v in substituted.items())
    # A wrong weight there, or a nonzero value where ReLU′ = 0, is WRONG.
    wrong = list(lines)
    wrong[put_in[0]] = re.sub(r"\\right\) = (-?\d+\.\d+)",
                              lambda m: f"\\right) = {float(m.group(1)) + 0.5:g}", wrong[put_in[0]], count=1)
    wrong[zero[0]] = wrong[zero[0]][:-len("0$")] + "0.5$"
    report = check_text("\n".join(wrong), filename="classifier.md")
    by_line = {i.line: i for i in report.items}
    assert by_line[put_in[0] + 1].status == "WRONG"
    assert by_line[zero[0] + 1].status == "WRONG"


# -- a negative number under an even power -------------------------------------------------
# SymPy folds (−0.6588)² to 0.6588²: the sign of the number put in for z cannot be read from
# the evaluated tree, and must not be called a contradiction (the square is the same).

def test_a_negative_number_squared_in_our_markdown_sheet_is_not_a_contradiction():
    # found by the formula-activation property test: −erf(z) outputs print
    # e^{-{(−0.6588)}^2}, which was read as 0.6588 put in for z_{o1}
    from pathlib import Path

    spec = Path(__file__).parent / "data" / "check" / "negative_squared.toml"
    text = render_markdown(solve_sheet(load_sheet(spec), "en"))
    report = check_text(text, latex=False)
    assert report.count("WRONG") == 0 and report.count("rounding") == 0, report.text()
    assert report.count("ok") >= 10


def test_numbers_that_print_alike_stand_for_no_one_value():
    # found by the formula-activation property test: o₁ = erf(z₁) = −0.99998 and
    # o₂ = −0.99999 both print −1.0000; E = (−1.0000 − 0.12)² + (−1.0000 − 0.95)² = 5.0568
    # was recomputed with one of them for both (5.05688) and called rounding
    import mpmath
    from pathlib import Path

    spec = Path(__file__).parent / "data" / "check" / "alike_rounded.toml"
    text = render_markdown(solve_sheet(load_sheet(spec), "en"))
    report = check_text(text, latex=False)
    assert report.count("WRONG") == 0 and report.count("rounding") == 0, report.text()
    # the oracle: the loss at full precision prints as the sheet prints it
    mpmath.mp.dps = 40
    s = lambda x: 1 / (1 + mpmath.exp(-x))   # noqa: E731
    h1 = -s(mpmath.mpf("0.15") * mpmath.mpf("0.05") + mpmath.mpf("0.2") * mpmath.mpf("0.1") + mpmath.mpf("0.35"))
    h2 = -s(mpmath.mpf("0.25") * mpmath.mpf("0.05") + mpmath.mpf("0.3") * mpmath.mpf("0.1") + mpmath.mpf("0.35"))
    o1 = mpmath.erf(mpmath.mpf("0.3") * h1 + mpmath.mpf("0.45") * h2 - mpmath.mpf("2.6"))
    o2 = mpmath.erf(mpmath.mpf("0.5") * h1 + mpmath.mpf("0.55") * h2 - mpmath.mpf("2.6"))
    loss = (o1 - mpmath.mpf("0.12")) ** 2 + (o2 - mpmath.mpf("0.95")) ** 2
    mpmath.mp.dps = 15
    assert f"= {mpmath.nstr(loss, 5)}" in text


def test_a_tiny_value_at_significant_digits_is_rounded_and_a_slip_in_it_still_wrong():
    # sheets print a value that would round to 0.0000 at four significant digits
    # (0.0000002187): rounded like 0.2187, not exact with ten decimals
    doc = "\n\n".join([
        r"$p = 0.4321 \cdot 0.5 = 0.2161$",
        r"$q = 0.1234 \cdot 0.5 = 0.0617$",
        # 1.13666e-6 · 0.59734 (the document's full values) is 6.7898e-7
        r"$r = -0.000001137 \cdot 0.5973 = -0.000000679$",
        r"$s = 0.000001137 \cdot 0.5973 = 0.0000006889$",
    ])
    lines = {i.line: i.status for i in check_text(doc, latex=False).items}
    assert lines[1] == lines[3] == lines[5] == "ok"
    assert lines[7] == "WRONG"
