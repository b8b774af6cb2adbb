"""check on other people's notations, and check --spec grading against the problem.

The documents in tests/data/check/corpus/ are written by make_corpus.py from mpmath values
(never from symderiv's output); each planted error is marked on its line. Grading oracles
are mpmath recomputations here, independent of the solver.
"""

import re
from pathlib import Path

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symderiv.check.grade import grade_text
from symderiv.check.judge import check_text
from symderiv.check.texmath import Context, lex, read
from symderiv.calculus.functions import Phi
from symderiv.spec import load_sheet
from generated import assert_written_by

mpmath.mp.dps = 40
DATA = Path(__file__).parent / "data" / "check"
CORPUS = DATA / "corpus"
SEED = Path("/work/shared/seed/000_0cfd6da7759735d3.txt")
ROOT = Path(__file__).parent.parent
EXPECTED = {"arithmetic": "WRONG", "result": "WRONG", "rounding": "rounding"}


def sig(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def marked(path: Path, marker: str) -> dict:
    return {n: m.group(1) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if (m := re.search(marker + r": (\w+)", line))}


def test_the_corpus_is_what_its_generator_writes():
    assert_written_by(DATA / "make_corpus.py", CORPUS)


@pytest.mark.parametrize("name", ["en.md", "zh.md", "en.tex", "zh.tex"])
def test_each_planted_error_is_found_at_its_line_and_nothing_else(name):
    path = CORPUS / name
    planted = marked(path, "planted")
    assert sorted(planted.values()) == sorted(EXPECTED)
    report = check_text(path.read_text(encoding="utf-8"), filename=name)
    flagged = {item.line: item.status for item in report.items if item.status in ("WRONG", "rounding")}
    assert flagged == {line: EXPECTED[kind] for line, kind in planted.items()}, report.text()
    assert report.count("skipped") == 0, report.text()


def test_a_hypothetical_is_judged_under_its_condition():
    # "If z_1 < 0 then ReLU'(z_1) = 0" holds for every negative z_1, though z_1 = 0.52 later.
    report = check_text((CORPUS / "en.md").read_text(encoding="utf-8"))
    conditional = [item for item in report.items if item.detail == "conditional"]
    assert [(i.text, i.status) for i in conditional] == [(r"\text{ReLU}'(z_1) = 0", "ok")]
    assert report.data()["details"]["conditional"] == 1


# -- the classic note -------------------------------------------------------------------------

def mazur_values():
    i1, i2, b1, b2, t1, t2, eta = map(mpmath.mpf, ("0.05", "0.1", "0.35", "0.6", "0.01", "0.99", "0.5"))
    w = dict(zip(range(1, 9), map(mpmath.mpf, ("0.15", "0.2", "0.25", "0.3", "0.4", "0.45", "0.5", "0.55"))))
    h1, h2 = sig(w[1] * i1 + w[2] * i2 + b1), sig(w[3] * i1 + w[4] * i2 + b1)
    o1, o2 = sig(w[5] * h1 + w[6] * h2 + b2), sig(w[7] * h1 + w[8] * h2 + b2)
    d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    g_h1 = (d1 * w[5] + d2 * w[7]) * h1 * (1 - h1)
    g_h2 = (d1 * w[6] + d2 * w[8]) * h2 * (1 - h2)
    return {"net_h1": w[1] * i1 + w[2] * i2 + b1, "b1+": b1 - eta * (g_h1 + g_h2),
            "b2+": b2 - eta * (d1 + d2)}


def test_the_classic_note_reads_i1_and_flags_nothing():
    text = (CORPUS / "mazur.md").read_text(encoding="utf-8")
    report = check_text(text)
    assert report.count("WRONG") == 0 and report.count("rounding") == 0 and report.count("skipped") == 0
    line = next(n for n, s in enumerate(text.splitlines(), 1) if r"w_1 \times i1" in s)
    item = next(i for i in report.items if i.line == line)
    assert item.status == "ok"
    assert abs(mpmath.mpf(item.expected) - mazur_values()["net_h1"]) < 1e-12


def test_spec_flags_the_wrong_bias_updates_with_their_right_values_and_nothing_else():
    text = (CORPUS / "mazur.md").read_text(encoding="utf-8")
    report = grade_text(text, load_sheet(CORPUS / "mazur.toml"))
    wrong_lines = set(marked(CORPUS / "mazur.md", "spec"))
    assert {i.line for i in report.items if i.status in ("WRONG", "rounding")} == wrong_lines, report.text()
    item = next(i for i in report.items if i.line in wrong_lines)
    spec_links = [link for link in item.links if link.relation == "spec"]
    oracle = mazur_values()
    assert [link.status for link in spec_links] == ["WRONG", "WRONG"]
    for link, key in zip(spec_links, ("b1+", "b2+")):
        assert abs(mpmath.mpf(link.expected) - oracle[key]) < 1e-12
    matched = [m for i in report.items for m in (i.matched or [])]
    assert any(m.startswith("targeto1 → target of o1") for m in matched)
    assert any(m.startswith("outh1 → output of h1") for m in matched)
    assert any(m.startswith("w5+ → w5 after the update") for m in matched)
    assert report.data()["spec"]["data_differ"] == []


def test_other_data_are_said_once_as_data_differ():
    text = (CORPUS / "mazur.md").read_text(encoding="utf-8").replace(r"\eta = 0.5", r"\eta = 0.1")
    report = grade_text(text, load_sheet(CORPUS / "mazur.toml"))
    differ = [item for item in report.items if item.detail == "data differ"]
    assert len(differ) == 1 and differ[0].status == "WRONG" and report.exit_code == 1
    assert "eta" in report.data()["spec"]["data_differ"][0]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_perturbing_one_result_of_the_note_is_flagged_at_its_line(data):
    lines = (CORPUS / "mazur.md").read_text(encoding="utf-8").splitlines()
    results = [n for n, s in enumerate(lines) if re.search(r"= -?\d+\.\d{4,}\$\$$", s)]
    n = data.draw(st.sampled_from(results))
    units = data.draw(st.integers(2, 500)) * data.draw(st.sampled_from([-1, 1]))
    m = re.search(r"(-?\d+\.(\d+))\$\$$", lines[n])
    step = mpmath.mpf(10) ** -len(m.group(2))
    changed = mpmath.mpf(m.group(1)) + units * step
    lines[n] = lines[n][:m.start(1)] + mpmath.nstr(changed, 30, min_fixed=-50, max_fixed=50) \
        .ljust(0) + "$$"
    lines[n] = lines[n].replace(mpmath.nstr(changed, 30, min_fixed=-50, max_fixed=50),
                                f"{float(changed):.{len(m.group(2))}f}")
    report = grade_text("\n".join(lines), load_sheet(CORPUS / "mazur.toml"))
    flagged = {i.line for i in report.items if i.status in ("WRONG", "rounding")}
    assert n + 1 in flagged, report.text()


# -- the seed against hw6 ---------------------------------------------------------------------

@pytest.mark.skipif(not SEED.exists(), reason="the seed is not here")
def test_the_seed_graded_against_hw6_flags_its_loss_and_knows_its_names():
    text = SEED.read_text(encoding="utf-8")
    report = grade_text(text, load_sheet(ROOT / "examples" / "hw6.toml"))
    loss_line = next(n for n, s in enumerate(text.splitlines(), 1) if "= 0.3532$$" in s)
    item = next(i for i in report.items if i.line == loss_line)
    o1, o2 = sig(mpmath.mpf("0.3") * sig("0.3775") + mpmath.mpf("0.45") * sig("0.3925") + mpmath.mpf("0.6")), \
        sig(mpmath.mpf("0.5") * sig("0.3775") + mpmath.mpf("0.55") * sig("0.3925") + mpmath.mpf("0.6"))
    loss = (o1 - mpmath.mpf("0.12")) ** 2 + (o2 - mpmath.mpf("0.95")) ** 2
    spec = [link for link in item.links if link.relation == "spec"]
    assert item.status == "WRONG" and spec[0].status == "WRONG"
    assert abs(mpmath.mpf(spec[0].expected) - loss) < 1e-12
    matched = [m for i in report.items for m in (i.matched or [])]
    assert any(m.startswith("e → loss") for m in matched)
    assert any(m.startswith("h1 → output of h1") for m in matched)
    reasons = " ".join(link.reason or "" for i in report.items for link in i.links)
    assert "no value for y1" not in reasons and "no value for w5" not in reasons
    assert report.count("WRONG") == 1


@pytest.mark.skipif(not SEED.exists(), reason="the seed is not here")
def test_the_seed_skips_at_most_one_chain_and_says_why():
    report = check_text(SEED.read_text(encoding="utf-8"))
    skipped = [i for i in report.items if i.status == "skipped"]
    assert len(skipped) <= 1
    for item in skipped:
        reasons = [link.reason for link in item.links if link.reason] + [item.reason or ""]
        assert any("--given" in r for r in reasons)


# -- the reader ---------------------------------------------------------------------------------

@pytest.mark.parametrize("tex, name", [
    ("h2", "h2"), ("i1", "i1"), ("i_1", "i1"), ("i_{1}", "i1"), ("E_y2", "Ey2"), ("lr", "lr"),
    ("w_{1,1}", "w11"), ("w_{11}", "w11"), (r"\delta{_2}", "delta2"), ("x[0]", "x0"),
    (r"\hat{y1}", "y1hat"), (r"\nabla_{w_5} E", "dE/dw5"), ("w_5^{new}", "w5new"),
])
def test_names_people_write(tex, name):
    assert read(lex(tex), Context()).name == name


@pytest.mark.parametrize("doc, status", [
    (r"$$\int_0^{1} t^2 \, dt = 0.3333$$", "ok"),
    (r"$$\int_{-\infty}^{0} \frac{1}{\sqrt{2\pi}} e^{-t^2/2}\,dt = 0.5$$", "ok"),
    (r"$$\int_0^{1} t^2 \, dt = 0.3433$$", "WRONG"),
    (r"$$P(X \le 1) = 0.8413$$", "ok"),
    (r"$$101\,770 + 1 = 101771$$", "ok"),
    (r"$$\|(3, 4)\| = 5$$", "ok"),
    (r"$$[\sigma(2.0), \sigma(2.4)] \approx [0.8808, 0.9168]$$", "ok"),
    (r"$$[\sigma(2.0), \sigma(2.4)] \approx [0.8808, 0.9084]$$", "WRONG"),
    ("$$e = 0.5 - 0.2 = 0.3$$\n\n$$L = e^2 = 0.09$$", "ok"),
    (r"$$x = 1 \\[0.8em] y = x + 1 = 2$$", "ok"),
    ("> $$\n> a = 0.5 \\times 3 = 1.5\n> $$", "ok"),
    (r"$$w \leftarrow 0.5 - 0.1 \times 2 = 0.3$$", "ok"),
])
def test_layouts_and_operators_people_write(doc, status):
    report = check_text(doc)
    judged = [i.status for i in report.items if i.status != "skipped"]
    assert judged and judged[-1] == status and report.count("skipped") == 0, report.text()


def test_p_of_x_below_x_is_the_normal_cdf():
    x = read(lex("x"), Context())
    assert read(lex(r"P(X \leq x)"), Context()) == Phi(x)


def test_a_new_section_defines_a_reused_name_anew():
    doc = ("## Problem A\n\n$$L = \\frac{1}{2}(y - t)^2$$ with $y = 3$, $t = 1$, so $$L = 2$$\n\n"
           "## Problem B\n\n$$L = 0.75$$\n")
    report = check_text(doc)
    assert report.count("WRONG") == 0, report.text()


def test_after_a_wrong_line_later_lines_use_the_printed_value():
    doc = "$$a = 0.2 + 0.3 = 0.9$$\n\n$$b = 2a = 2 \\times 0.9 = 1.8$$\n"
    report = check_text(doc)
    status = {i.line: i.status for i in report.items}
    assert status == {1: "WRONG", 3: "ok"}
    assert "line 1" in next(i for i in report.items if i.line == 3).inherits


def test_a_rounded_substitution_of_a_computed_value_is_widened():
    doc = ("$$h = \\sigma(0.3775) = 0.593269992$$\n\n"
           "$$k = h \\times 2 = 0.59326999 \\times 2 = 1.18653998$$\n")
    report = check_text(doc)
    assert report.count("WRONG") == 0 and report.count("rounding") == 0, report.text()


# -- the command ------------------------------------------------------------------------------

def test_check_spec_on_the_command_line(run_cli):
    result = run_cli("check", CORPUS / "mazur.md", "--spec", CORPUS / "mazur.toml", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = __import__("json").loads(result.stdout)
    assert {"checked", "wrong", "rounding", "skipped", "items", "spec"} <= set(report)
    assert report["wrong"] == 1 and report["spec"]["problem"] == "1"
    text = run_cli("check", CORPUS / "mazur.md", "--spec", CORPUS / "mazur.toml").stdout
    assert "matched: b1+ → b1 after the update" in text
    assert run_cli("check", CORPUS / "mazur.md").returncode == 0


@pytest.mark.parametrize("args, message", [
    (["--problem", "1"], "symderiv: error: --problem: needs --spec SPEC"),
    (["--spec", ROOT / "examples" / "hw6.toml", "--problem", "9"], "symderiv: error: --problem: no problem '9'"),
    (["--spec", ROOT / "examples" / "hw6.toml", "--problem", "2"], "symderiv: error: --problem: problem '2' is xor"),
    (["--spec", "/nonexistent.toml"], "symderiv: error: /nonexistent.toml"),
])
def test_check_spec_bad_input_is_one_line_and_exit_2(run_cli, args, message):
    result = run_cli("check", CORPUS / "mazur.md", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1, result.stderr


def test_the_library_call_takes_spec_and_problem():
    from symderiv.check.grade import check
    text = (CORPUS / "mazur.md").read_text(encoding="utf-8")
    assert check(text).count("WRONG") == 0
    by_path = check(text, spec=CORPUS / "mazur.toml", problem="1")
    by_sheet = check(text, spec=load_sheet(CORPUS / "mazur.toml"))
    assert by_path.data() == by_sheet.data() and by_path.count("WRONG") == 1


def test_a_matrix_of_given_weights_binds_each_entry():
    doc = (r"$$W = \begin{bmatrix} 0.1 & 0.2 \\ 0.3 & 0.4 \end{bmatrix}, \quad x_1 = 1, \quad x_2 = 2$$"
           "\n\n$$z_1 = W_{11} x_1 + W_{1,2} x_2 = 0.1 + 0.4 = 0.5$$\n\n"
           "$$z_2 = W_{21} x_1 + W_{22} x_2 = 0.9$$\n")
    report = check_text(doc)
    status = {i.line: i.status for i in report.items}
    assert status == {3: "ok", 5: "WRONG"}  # 0.3 · 1 + 0.4 · 2 = 1.1
    assert next(i for i in report.items if i.line == 5).expected == pytest.approx(1.1)


def test_labels_in_parentheses_inside_a_derivative_are_names_not_powers():
    assert read(lex(r"\frac{\partial E}{\partial z^{(2)}_1}"), Context()).name == "dE/dz2_1"
    assert read(lex(r"\frac{\partial h_1^{(2)}}{\partial w^{(1)}_{11}}"), Context()).name == "dh2_1/dw1_1_1"
    doc = (r"$$\frac{\partial h_1^{(2)}}{\partial w^{(1)}_{11}} = 0.25$$" "\n\n"
           r"$$g = 2 \frac{\partial h_1^{(2)}}{\partial w^{(1)}_{11}} = 2 \times 0.25 = 0.5$$")
    report = check_text(doc)
    assert report.count("skipped") == 0 and report.count("WRONG") == 0, report.text()


def test_the_api_check_passes_spec_and_problem_through():
    import symderiv as sd
    text = (CORPUS / "mazur.md").read_text(encoding="utf-8")
    report = sd.check(text, spec=sd.load(CORPUS / "mazur.toml"), problem="1")
    assert report.wrong == 1 and report.to_json()["spec"]["problem"] == "1"
    assert sd.check(text).wrong == 0
