"""check's judging: the contract's four statuses, hypotheticals judged under their
condition, substitution links, chain rules whose factors are named differently, and a
variable frozen to a number while a chain differentiates by it.

Every expected value is recomputed here with mpmath (30+ digits), never taken from
check's output. Documents are written inline, in English and Chinese, Markdown and LaTeX.
"""

import json
from pathlib import Path

import mpmath
import pytest

import symderiv as sd
from symderiv.check.grade import grade_text
from symderiv.check.judge import check_text
from symderiv.spec import load_sheet

mpmath.mp.dps = 40
SEED = Path("/work/shared/seed/000_0cfd6da7759735d3.txt")
CORPUS = Path(__file__).parent / "data" / "check" / "corpus"
STATUSES = {"ok", "rounding", "WRONG", "skipped"}


def sig(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def latex(body: str) -> str:
    return "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"


def at(report, line: int):
    return next(item for item in report.items if item.line == line)


def by_text(report, fragment: str):
    return next(item for item in report.items if fragment in item.text)


# -- the contract -------------------------------------------------------------------------------

def assert_contract(data: dict) -> None:
    assert {item["status"] for item in data["items"]} <= STATUSES
    for key, status in (("wrong", "WRONG"), ("rounding", "rounding"), ("skipped", "skipped")):
        assert data[key] == sum(1 for item in data["items"] if item["status"] == status)
    assert data["checked"] == sum(1 for item in data["items"] if item["status"] in ("ok", "rounding", "WRONG"))
    assert "conditional" not in data  # the finer verdicts live under "details"
    for item in data["items"]:
        assert {"line", "text", "status", "expected"} <= set(item)


@pytest.mark.skipif(not SEED.exists(), reason="the seed is not here")
def test_the_seed_report_keeps_the_four_statuses_and_its_targets():
    data = check_text(SEED.read_text(encoding="utf-8")).data()
    assert_contract(data)
    assert data["wrong"] == 1 and data["skipped"] <= 1
    assert data["details"]["conditional"] == 1
    wrong = next(item for item in data["items"] if item["status"] == "WRONG")
    o1 = sig(mpmath.mpf("0.3") * sig("0.3775") + mpmath.mpf("0.45") * sig("0.3925") + mpmath.mpf("0.6"))
    assert "0.3532" in wrong["text"]
    # Recomputed from the printed operands (0.7401 - 0.12)^2 + (0.7729 - 0.95)^2.
    printed = (mpmath.mpf("0.7401") - mpmath.mpf("0.12")) ** 2 + (mpmath.mpf("0.7729") - mpmath.mpf("0.95")) ** 2
    assert wrong["expected"] == pytest.approx(float(printed), abs=1e-6)  # the operands' interval
    assert abs(o1 - mpmath.mpf("0.7401")) < 5e-5


def test_the_api_and_the_cli_json_carry_details_not_statuses(run_cli, tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("$z_1 = 0.52$\n\nIf $z_1 < 0$ then $\\text{ReLU}'(z_1) = 0$.\n\n"
                   "$$a = 0.52 + 0.25 = 0.97$$\n\n$$b = 2a = 1.94$$\n", encoding="utf-8")
    result = run_cli("check", str(doc), "--format", "json")
    data = json.loads(result.stdout)
    assert_contract(data)
    assert result.returncode == 1
    details = {item["line"]: item.get("detail") for item in data["items"]}
    assert details[3] == "conditional" and details[7] == "inherits line 5"
    assert data["details"] == {"conditional": 1, "data differ": 0, "inherits": 1}
    api = sd.check(doc.read_text(encoding="utf-8"))
    assert [i.status for i in api.items] == [i["status"] for i in data["items"]]
    assert api.to_json()["details"] == data["details"]
    text = run_cli("check", str(doc)).stdout
    assert "ok (conditional)" in text and "[1 conditional, 1 inherits]" in text.splitlines()[-1]


def test_other_data_are_a_wrong_item_with_the_detail_data_differ():
    text = (CORPUS / "mazur.md").read_text(encoding="utf-8").replace(r"\eta = 0.5", r"\eta = 0.1")
    data = grade_text(text, load_sheet(CORPUS / "mazur.toml")).data()
    assert_contract(data)
    differ = [item for item in data["items"] if item.get("detail") == "data differ"]
    assert len(differ) == 1 and differ[0]["status"] == "WRONG"
    assert data["details"]["data differ"] == 1


# -- hypotheticals ---------------------------------------------------------------------------------

HYPOTHETICALS = {
    "en.md": ("$z_1 = 0.52$ is positive here.\n\n"
              "If $z_1 < 0$ then $\\text{ReLU}'(z_1) = 0$.\n\n"
              "If $z_1 < 0$ then $\\text{ReLU}'(z_1) = 1$.\n\n"
              "When $z \\to \\infty$, $\\sigma(z) \\approx 1$.\n\n"
              "When $z \\to \\infty$, $\\sigma(z) \\approx 0$.\n\n"
              "When z is small, $\\sigma(z)(1 - \\sigma(z)) \\approx 0$.\n"),
    "zh.md": ("$z_1 = 0.52$ 为正。\n\n"
              "若 $z_1 < 0$，则 $\\text{ReLU}'(z_1) = 0$。\n\n"
              "若 $z_1 < 0$，则 $\\text{ReLU}'(z_1) = 1$。\n\n"
              "当 z 较大时，$\\sigma(z) \\approx 1$。\n\n"
              "当 z 较大时，$\\sigma(z) \\approx 0$。\n\n"
              "当 z 较小时，$\\sigma(z)(1 - \\sigma(z)) \\approx 0$。\n"),
}


@pytest.mark.parametrize("name", ["en.md", "zh.md", "en.tex", "zh.tex"])
def test_a_hypothetical_is_judged_under_its_condition(name):
    body = HYPOTHETICALS[name.replace(".tex", ".md")]
    offset = 2 if name.endswith(".tex") else 0
    text = latex(body) if name.endswith(".tex") else body
    report = check_text(text, filename=name)
    assert_contract(report.data())
    relu_right, relu_wrong, limit_right, limit_wrong, unread = (at(report, n + offset) for n in (3, 5, 7, 9, 11))
    # Oracles: ReLU' at the negative sample points is 0; σ(z) → 1 as z → ∞ (σ(60) within 1e-26).
    assert mpmath.diff(lambda z: max(z, 0), mpmath.mpf("-0.37")) == 0
    assert abs(sig(60) - 1) < mpmath.mpf(10) ** -25
    assert relu_right.status == "ok" and relu_right.detail == "conditional"
    assert relu_wrong.status == "WRONG" and relu_wrong.detail == "conditional"
    assert relu_wrong.links[-1].counterexample["lhs"] == 0.0
    assert limit_right.status == "ok"
    assert limit_wrong.status == "WRONG" and relu_wrong.detail == "conditional"
    assert limit_wrong.links[-1].expected == pytest.approx(float(sig(60)), abs=1e-12)
    # "small" says no sign or limit: skipped, with how to say it.
    assert unread.status == "skipped" and "write it in the math" in unread.links[-1].reason
    # The condition itself (z_1 < 0) is not a claim to report.
    assert not [i for i in report.items if i.text.strip() in ("z_1 < 0", r"z \to \infty")]


@pytest.mark.skipif(not SEED.exists(), reason="the seed is not here")
def test_the_seeds_saturation_line_is_an_identity_and_a_limit():
    text = SEED.read_text(encoding="utf-8")
    report = check_text(text)
    item = by_text(report, r"\frac{\partial a}{\partial z} = (1+a)(1-a) \approx 0")
    assert item.status == "ok" and item.detail == "conditional"
    identity, limit = item.links
    assert identity.method == "identity" and identity.status == "ok"  # a = tanh z from line 131
    assert limit.status == "ok" and "a → 1 or -1" in limit.method
    # Oracle: (1 + a)(1 - a) at a = ±(1 - 1e-20) is below 1e-19.
    for a in (1 - mpmath.mpf(10) ** -20, -1 + mpmath.mpf(10) ** -20):
        assert abs((1 + a) * (1 - a)) < mpmath.mpf(10) ** -19


# -- substitution links -----------------------------------------------------------------------------

SUBSTITUTION = {
    "en": ("$\\eta = 0.5$\n\n"
           "$$\\frac{\\partial E}{\\partial w_5} = 0.25 \\times 0.3289 = 0.082225$$\n\n"
           "$$w_5^+ = w_5 - \\eta \\frac{\\partial E}{\\partial w_5} = 0.4 - 0.5 \\times 0.082225 = 0.3588875$$\n\n"
           "$$w_6^+ = w_6 - \\eta \\frac{\\partial E}{\\partial w_5} = 0.45 - 0.5 \\times 0.087225 = 0.4063875$$\n\n"
           "$$E = (o_1 - y_1)^2 + (o_2 - y_2)^2 = (0.75 - 0.01)^2 + (0.77 - 0.99)^2 = 0.596$$\n\n"
           "$$\\delta_1 = 2(o_1 - y_1) = 1.48$$\n\n"
           "$$\\delta_2 = 2(o_2 - y_2) = -0.46$$\n\n"
           "$$v = w_6 - \\eta g = 0.45 - 0.5 \\times (-0.2) = 0.55$$\n"),
}
SUBSTITUTION["zh"] = SUBSTITUTION["en"].replace("$\\eta = 0.5$", "学习率 $\\eta = 0.5$，则：")


@pytest.mark.parametrize("lang, form", [("en", "md"), ("zh", "md"), ("en", "tex"), ("zh", "tex")])
def test_a_substitution_pairs_each_name_with_its_number(lang, form):
    body = SUBSTITUTION[lang]
    report = check_text(latex(body) if form == "tex" else body, filename=f"doc.{form}")
    assert_contract(report.data())
    g = mpmath.mpf("0.25") * mpmath.mpf("0.3289")
    right = by_text(report, "w_5^+")
    assert right.status == "ok"
    assert right.links[1].method == "substitution"
    assert right.expected == pytest.approx(float(mpmath.mpf("0.4") - mpmath.mpf("0.5") * g), abs=1e-12)
    # 0.087225 is put in for ∂E/∂w_5 = 0.082225: a substituted wrong value, the name said.
    wrong = by_text(report, "w_6^+")
    link = next(link for link in wrong.links if link.status == "WRONG")
    assert wrong.status == "WRONG" and link.symbol == "dE/dw5"
    assert link.expected == pytest.approx(float(g), abs=1e-12)
    assert link.printed == pytest.approx(0.087225, abs=1e-12)
    # Names without values take the numbers written in their places: o_1 = 0.75, y_1 = 0.01, ...
    loss = by_text(report, "E = (o_1")
    assert loss.status == "ok"
    assert loss.expected == pytest.approx(float((mpmath.mpf("0.75") - mpmath.mpf("0.01")) ** 2
                                                + (mpmath.mpf("0.77") - mpmath.mpf("0.99")) ** 2), abs=1e-12)
    # The numbers put in are the names' values from then on: δ₂ = 2(o₂ − y₂) is -0.44.
    assert by_text(report, r"\delta_1").status == "ok"
    delta2 = by_text(report, r"\delta_2")
    assert delta2.status == "WRONG"
    assert delta2.expected == pytest.approx(float(2 * (mpmath.mpf("0.77") - mpmath.mpf("0.99"))), abs=1e-12)
    # A negative number in parentheses: its sign is the name's (g = -0.2).
    v = by_text(report, "v = w_6")
    assert v.status == "ok" and v.links[1].method == "substitution"
    bound = {(b.name, b.value) for b in report.bindings if b.kind == "substituted"}
    assert {("w5", 0.4), ("w6", 0.45), ("y1", 0.01), ("y2", 0.99), ("g", -0.2)} <= bound


def test_trees_of_different_shapes_are_skipped_not_paired():
    report = check_text("$$E = (o - y)^2 = 0.3^2 + 0.1$$\n")
    link = report.items[0].links[1]
    assert link.status == "skipped" and "one for one" in link.reason


# -- chain rules named differently --------------------------------------------------------------------

CHAIN = ("$$\\frac{\\partial E}{\\partial w} = \\frac{\\partial E}{\\partial a} \\times \\frac{\\partial a}{\\partial z}"
         " \\times \\frac{\\partial z}{\\partial w} = \\frac{\\partial E}{\\partial a} \\times "
         "\\frac{d}{dz}\\left(\\frac{1}{1 + e^{-z}}\\right) \\times x = \\frac{\\partial E}{\\partial a} "
         "\\times a(1 - a) \\times x$$\n\n"
         "$$\\frac{\\partial E}{\\partial v} = \\frac{\\partial E}{\\partial a} \\times \\frac{d}{dz}\\left("
         "\\frac{1}{1 + e^{-z}}\\right) \\times x = \\frac{\\partial E}{\\partial a} \\times a(1 + a) \\times x$$\n")


@pytest.mark.parametrize("form", ["md", "tex"])
def test_a_chain_rule_is_matched_factor_by_factor(form):
    report = check_text(latex(CHAIN) if form == "tex" else CHAIN, filename=f"doc.{form}")
    first, second = report.items
    # ∂a/∂z against d/dz σ(z) says a = σ(z); then a(1 - a) is σ'(z): an identity.
    assert first.links[1].method == "factor by factor"
    assert first.links[1].status == "skipped" and "z has no formula in w" in first.links[1].reason
    assert first.links[2].status == "ok"
    assert any(b.name == "a" and b.kind == "formula" for b in report.bindings)
    # With a = σ(z) stated, σ'(z) = σ(z)(1 + σ(z)) is an identity claim, and false: WRONG,
    # with a point where the sides differ (oracle: mpmath).
    assert second.status == "WRONG"
    counter = next(link for link in second.links if link.status == "WRONG").counterexample
    p = {k: mpmath.mpf(v) for k, v in counter["point"].items()}
    assert float(counter["lhs"]) == pytest.approx(float(p["dE/da"] * p["x"] * mpmath.diff(sig, p["z"])), rel=1e-9)


@pytest.mark.skipif(not SEED.exists(), reason="the seed is not here")
def test_the_seeds_tanh_and_relu_chains_are_judged():
    text = SEED.read_text(encoding="utf-8")
    report = check_text(text)
    tanh = by_text(report, r"(1+a)(1-a) \times x_1")
    assert tanh.status == "ok"
    assert "z has no formula in W1 before this line" in tanh.links[1].reason
    relu = by_text(report, r"\times 0 \times x_1")
    assert relu.status == "ok" and relu.expected == 0
    assert "0 only for some values of z" in relu.links[1].reason


# -- a variable frozen to a number -------------------------------------------------------------------

def test_a_derivative_is_taken_before_the_frozen_value_is_put_in():
    doc = ("$x = 2$, $f(x) = x^3$\n\n"
           "$$\\frac{d}{dx} x^2 = 2x = 4$$\n\n"
           "$$\\frac{d}{dx}(x^3 + x) = 3x^2 + 1 = 13$$\n\n"
           "$$f'(x) = 3x^2 = 12$$\n\n"
           "$$\\frac{d}{dx} x^2 = 2x = 5$$\n\n"
           "$$y = x^2$$\n\n"
           "$$\\frac{dy}{dx} = 2x = 4$$\n")
    report = check_text(doc)
    x = mpmath.mpf(2)
    oracle = {3: mpmath.diff(lambda t: t ** 2, x), 5: mpmath.diff(lambda t: t ** 3 + t, x),
              7: mpmath.diff(lambda t: t ** 3, x), 9: mpmath.diff(lambda t: t ** 2, x),
              13: mpmath.diff(lambda t: t ** 2, x)}
    status = {item.line: item.status for item in report.items}
    assert status == {3: "ok", 5: "ok", 7: "ok", 9: "WRONG", 13: "ok"}, report.text()
    for line, value in oracle.items():
        assert float(at(report, line).expected) == pytest.approx(float(value), abs=1e-9)


# -- grading the seed's names --------------------------------------------------------------------------

@pytest.mark.skipif(not SEED.exists(), reason="the seed is not here")
def test_the_seeds_names_are_the_problems_quantities():
    root = Path(__file__).parent.parent
    report = grade_text(SEED.read_text(encoding="utf-8"), load_sheet(root / "examples" / "hw6.toml"))
    assert_contract(report.data())
    assert report.count("WRONG") == 1 and report.count("skipped") == 0
    h1, h2 = sig("0.3775"), sig("0.3925")
    z1 = mpmath.mpf("0.3") * h1 + mpmath.mpf("0.45") * h2 + mpmath.mpf("0.6")  # oracle: by hand
    matched = {f"{link.left} → {link.right}": link.expected for i in report.items for link in i.links
               if link.relation == "spec"}
    assert matched["z1 → net input of o1"] == pytest.approx(float(z1), abs=1e-12)
    assert matched["h1 → output of h1"] == pytest.approx(float(h1), abs=1e-12)
    loss = (sig(z1) - mpmath.mpf("0.12")) ** 2 + (sig(mpmath.mpf("0.5") * h1 + mpmath.mpf("0.55") * h2
                                                      + mpmath.mpf("0.6")) - mpmath.mpf("0.95")) ** 2
    assert matched["e → loss"] == pytest.approx(float(loss), abs=1e-12)
    taken = report.graded["from_problem"]
    assert taken["y1"] == "target of o1" and taken["y2"] == "target of o2"
    assert "x1" not in taken  # problem 5's x_1 is not problem 4's input


# -- inequalities between numbers, and ∇e with no variable ------------------------------------

def test_an_inequality_between_numbers_is_judged_as_written():
    # by hand: 1 − 0.8 = 0.2, not > 0.5; 0.25 ≤ 0.3 as written (not what rounds to them)
    doc = ("$$-2 < 0$$\n\n$$0.25 \\le 0.3 = 0.1 + 0.2$$\n\n$$1 - 0.8 > 0.5$$\n\n"
           "$$0.5 < 0.5$$\n\n$$z_n < 0$$\n")
    report = check_text(doc)
    assert [(i.line, i.status) for i in report.items] == [
        (1, "ok"), (3, "ok"), (5, "WRONG"), (7, "WRONG"), (9, "skipped")], report.text()
    assert "the sides are 0.2 and 0.5" in report.text()
    assert "between formulas" in report.items[-1].reason   # z_n < 0 is a condition


def test_a_gradient_written_nabla_e_is_a_vector_an_update_uses():
    # W − 0.5·∇e = (0.5 − 1.305, 0.4 − 1.116) = (−0.805, −0.716), by hand
    doc = ("$$W = (0.5, 0.4)$$\n\n$$\\nabla e = (2.61, 2.232)$$\n\n"
           "$$W \\leftarrow W - 0.5 \\nabla e = (-0.805, -0.716)$$\n")
    assert [(i.line, i.status) for i in check_text(doc).items] == [(5, "ok")]
    wrong = check_text(doc.replace("-0.716", "-0.726"))
    assert [(i.line, i.status) for i in wrong.items] == [(5, "WRONG")]
    assert "entry 2 of 2" in wrong.text()
