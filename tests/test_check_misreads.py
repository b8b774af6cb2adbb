"""What check used to misread: ``\\Delta w`` as Δ times w, the softmax rule ∂L/∂z_k = p_k − y_k
left unjudged, and a wrong result restated under a later heading taken as a new given.

Oracles: every number in the documents and every expected value is computed here with
mpmath (the softmax rule also by mpmath's numerical derivative of the loss), never taken
from check's output.
"""

import mpmath
import pytest

from symderiv.check.judge import check_text

mpmath.mp.dps = 40


def fmt(x, decimals: int = 4) -> str:
    """A value as a document prints it, rounded to ``decimals``."""
    return f"{float(x):.{decimals}f}"


def latex(body: str) -> str:
    return "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"


def by_text(report, fragment: str, nth: int = 0):
    return [item for item in report.items if fragment in item.text][nth]


def read(body: str, form: str):
    return check_text(latex(body) if form == "tex" else body, filename=f"doc.{form}")


def sigmoid(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


# -- Δw is one name ------------------------------------------------------------------------------

W, ETA, G = mpmath.mpf("0.3"), mpmath.mpf("0.5"), mpmath.mpf("0.2345")
DW = -ETA * G
DELTA = (
    "$w_{11} = 0.3$, $\\eta = 0.5$, $\\frac{\\partial E}{\\partial w_{11}} = 0.2345$\n\n"
    f"$$\\Delta w_{{11}} = -\\eta \\frac{{\\partial E}}{{\\partial w_{{11}}}} = -0.5 \\times 0.2345 = {fmt(DW, 5)}$$\n\n"
    f"$$w_{{11}}' = w_{{11}} + \\Delta w_{{11}} = 0.3 - {fmt(-DW, 5)} = {fmt(W + DW, 5)}$$\n\n"
    f"$$w_{{11}}^{{new}} = w_{{11}} + \\Delta w_{{11}} = {fmt(W - DW, 5)}$$\n\n"   # planted: + for −
    "$u = 2$, $Δu = 0.05$\n\n"
    f"$$v = u - Δu = {fmt(2 - mpmath.mpf('0.05'), 2)}$$\n"
)


@pytest.mark.parametrize("form", ["md", "tex"])
def test_delta_w_is_one_name_the_update_of_w(form):
    report = read(DELTA, form)
    names = {b.name for b in report.bindings}
    assert {"Deltaw11", "Deltau"} <= names and "Delta" not in names
    step = by_text(report, "\\Delta w_{11} = -\\eta")
    assert step.status == "ok" and step.expected == pytest.approx(float(DW), abs=1e-12)
    assert by_text(report, "w_{11}' =").status == "ok"
    wrong = by_text(report, "w_{11}^{new}")
    assert wrong.status == "WRONG" and wrong.expected == pytest.approx(float(W + DW), abs=1e-12)
    v = by_text(report, "v = u")
    assert v.status == "ok" and v.expected == pytest.approx(1.95, abs=1e-12)


# -- the softmax rule ----------------------------------------------------------------------------

Z = [mpmath.mpf(v) for v in ("2.0", "1.0", "0.1")]
Y = [0, 1, 0]


def softmax(z):
    total = sum(mpmath.exp(v) for v in z)
    return [mpmath.exp(v) / total for v in z]


def loss(z):
    return -sum(y * mpmath.log(p) for y, p in zip(Y, softmax(z)))


def dloss(k):
    """∂L/∂z_k by mpmath's numerical derivative (not by the rule being tested)."""
    return mpmath.diff(lambda t: loss([t if j == k else v for j, v in enumerate(Z)]), Z[k])


P = softmax(Z)
SOFTMAX = {
    # p_1 through the sum S; the other probabilities only as numbers
    "sum": ("$z_1 = 2.0$, $z_2 = 1.0$, $z_3 = 0.1$, $y_1 = 0$, $y_2 = 1$, $y_3 = 0$\n\n"
            f"$$S = e^{{z_1}} + e^{{z_2}} + e^{{z_3}} = {fmt(sum(mpmath.exp(v) for v in Z))}$$\n\n"
            f"$$p_1 = \\frac{{e^{{z_1}}}}{{S}} = {fmt(P[0])}$$\n\n"),
    # p_1 with the sum written out
    "written": ("$z_1 = 2.0$, $z_2 = 1.0$, $z_3 = 0.1$, $y_1 = 0$, $y_2 = 1$, $y_3 = 0$\n\n"
                f"$$p_1 = \\frac{{e^{{z_1}}}}{{e^{{z_1}} + e^{{z_2}} + e^{{z_3}}}} = {fmt(P[0])}$$\n\n"),
}
RULES = (
    f"$p_2 = {fmt(P[1])}$, $p_3 = {fmt(P[2])}$\n\n"
    f"$$L = -y_1 \\log p_1 - y_2 \\log p_2 - y_3 \\log p_3 = {fmt(loss(Z))}$$\n\n"
    f"$$\\frac{{\\partial L}}{{\\partial z_2}} = p_2 - y_2 = {fmt(P[1])} - 1 = {fmt(P[1] - 1)}$$\n\n"
    f"$$\\frac{{\\partial L}}{{\\partial z_3}} = p_3 = {fmt(P[2])}$$\n\n"
    "$$\\frac{\\partial L}{\\partial z_1} = p_1 - 1$$\n"   # wrong: y_1 = 0
)


@pytest.mark.parametrize("form", ["md", "tex"])
@pytest.mark.parametrize("softmax_form", sorted(SOFTMAX))
def test_the_softmax_rule_is_judged_by_differentiating_the_loss(softmax_form, form):
    # The oracle: the rule holds at these logits (mpmath's numerical derivative).
    for k, y in enumerate(Y):
        assert abs(dloss(k) - (P[k] - y)) < mpmath.mpf(10) ** -20
    report = read(SOFTMAX[softmax_form] + RULES, form)
    two = by_text(report, "\\partial z_2}")
    assert [link.status for link in two.links] == ["ok", "ok", "ok"]
    assert two.links[0].method == "identity"
    # its value: p_2 as the document printed it (a given), minus 1
    assert two.expected == pytest.approx(float(dloss(1)), abs=0.5e-4)
    three = by_text(report, "\\partial z_3}")
    assert three.status == "ok" and three.links[0].method == "identity"
    one = by_text(report, "\\partial z_1}")
    assert one.status == "WRONG" and one.links[0].method == "identity"
    assert report.count("skipped") == 0


# -- a value stated again --------------------------------------------------------------------------

X = mpmath.mpf("0.5")
H, H2 = sigmoid(X), X ** 2
RESTATED = {
    "en": ("## Forward pass\n\n$x = 0.5$\n\n"
           f"$$h = \\sigma(x) = {fmt(H)}$$\n\n$$q = x^2 = {fmt(H2, 2)}$$\n\n"
           "## Answers\n\n"
           f"$h = {fmt(H + mpmath.mpf('0.01'))}$, $q = {fmt(H2, 2)}$\n\n"     # h: planted
           f"$$r = 2h = {fmt(2 * H)}$$\n\n"
           "## Step 2\n\n"
           f"$h = {fmt(sigmoid('0.6'))}$\n\n"
           f"After the update, $q = {fmt(mpmath.mpf('0.36'), 2)}$.\n\n"
           "## Another input\n\n$x = 0.6$\n"),
}
RESTATED["zh"] = (RESTATED["en"].replace("## Forward pass", "## 前向传播")
                  .replace("## Answers", "## 答案").replace("## Step 2", "## 第 2 步")
                  .replace("After the update, ", "更新后，").replace("## Another input", "## 另一个输入"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_result_stated_again_under_a_later_heading_is_a_claim(lang):
    report = check_text(RESTATED[lang], filename="doc.md")
    answers = by_text(report, "h = ", 1)  # h = σ(x) is the first
    assert answers.status == "WRONG"
    assert answers.expected == pytest.approx(float(H), abs=1e-12)
    assert by_text(report, "q = ", 1).status == "ok"
    # h keeps the value it was computed with: 2h is judged with it.
    r = by_text(report, "r = 2h")
    assert r.status == "ok" and r.expected == pytest.approx(float(2 * H), abs=1e-12)
    # A new step, an update and another input give new values: nothing else is flagged.
    assert [i.line for i in report.items if i.status in ("WRONG", "rounding")] == [answers.line]
    given = [b for b in report.bindings if b.kind == "given"]
    assert {(b.name, b.value) for b in given} >= {("x", 0.5), ("x", 0.6), ("h", float(fmt(sigmoid("0.6"))))}
