"""check on vectors, matrices and error terms; check --spec grading them.

The documents in tests/data/check/arrays/ are written by make_arrays.py from mpmath values
(never from symderiv's output); each planted error is marked on its line. The oracles here
are mpmath recomputations, independent of the solver.
"""

import re
from functools import lru_cache
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from symderiv.check.grade import grade_text, pick_problem, quantities
from symderiv.check.judge import check_text
from symderiv.check.texmath import Context, Matrix, Row, Tup, Unreadable, exact, lex, read
from symderiv.spec import load_sheet
from generated import assert_written_by

mpmath.mp.dps = 40
DATA = Path(__file__).parent / "data" / "check"
ARRAYS = DATA / "arrays"
ROOT = Path(__file__).parent.parent
EXPECTED = {"arithmetic": "WRONG", "result": "WRONG", "rounding": "rounding", "entry": "WRONG"}
DOCUMENTS = ["en.md", "zh.md", "en.tex", "zh.tex"]


def sig(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def marked(path: Path) -> dict:
    return {n: m.group(1) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if (m := re.search(r"planted: (\w+)", line))}


def flagged(report) -> dict:
    return {item.line: item.status for item in report.items if item.status in ("WRONG", "rounding")}


def test_the_documents_are_what_their_generator_writes():
    assert_written_by(DATA / "make_arrays.py", ARRAYS)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_planted_error_is_found_at_its_line_and_nothing_else(name):
    path = ARRAYS / name
    planted = marked(path)
    assert sorted(planted.values()) == sorted(EXPECTED)
    report = check_text(path.read_text(encoding="utf-8"), filename=name)
    assert flagged(report) == {line: EXPECTED[kind] for line, kind in planted.items()}, report.text()
    assert report.count("skipped") == 0, report.text()
    entry = next(line for line, kind in planted.items() if kind == "entry")
    item = next(i for i in report.items if i.line == entry)
    assert any(link.reason == "entry (2, 1) of 2×2" for link in item.links)
    assert "entry (2, 1) of 2×2: recomputed" in report.text()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_grading_against_the_problem_flags_the_planted_lines_only(name):
    path = ARRAYS / name
    planted = marked(path)
    report = grade_text(path.read_text(encoding="utf-8"), load_sheet(ARRAYS / "net.toml"),
                        filename=name)
    assert set(flagged(report)) == set(planted), report.text()
    matched = [m for item in report.items for m in item.matched or []]
    # the matrix update and the error terms are matched entry by entry
    assert any(m.startswith("w2_2_1+ → ") or m.startswith("w2_2_1' → ") for m in matched)
    assert any(m.startswith(("delta2_1 → ", "dE/dz2_1 → ")) for m in matched)
    assert any(m.startswith("dE/dw1_1_2 → ") for m in matched)


def test_the_problem_s_error_terms_are_mpmath_s():
    problem = pick_problem(load_sheet(ARRAYS / "net.toml"), None)
    from symderiv.kinds import KINDS

    table = quantities(problem, KINDS["backprop"].solve()(problem))
    x, w1, b1 = [1, 0.5], [["0.15", "0.20"], ["0.25", "0.30"]], "0.35"
    w2, b2, y = [["0.40", "0.45"], ["0.50", "0.55"]], "0.60", ["0.01", "0.99"]
    a1 = [sig(sum(mpmath.mpf(w1[j][k]) * x[k] for k in range(2)) + mpmath.mpf(b1)) for j in range(2)]
    a2 = [sig(sum(mpmath.mpf(w2[j][k]) * a1[k] for k in range(2)) + mpmath.mpf(b2)) for j in range(2)]
    d2 = [(a2[j] - mpmath.mpf(y[j])) * a2[j] * (1 - a2[j]) for j in range(2)]
    d1 = [sum(mpmath.mpf(w2[j][k]) * d2[j] for j in range(2)) * a1[k] * (1 - a1[k]) for k in range(2)]
    for j in range(2):
        signs = {q.convention: q.value for q in table[f"delta2_{j + 1}"]}
        assert float(signs["+"]) == pytest.approx(float(d2[j]), rel=1e-12)
        assert float(signs["−"]) == pytest.approx(-float(d2[j]), rel=1e-12)
        assert float(table[f"dE/dz1_{j + 1}"][0].value) == pytest.approx(float(d1[j]), rel=1e-12)


def _mazur_deltas():
    i, w, b, t = [mpmath.mpf("0.05"), mpmath.mpf("0.10")], [mpmath.mpf(v) for v in (
        "0.15", "0.20", "0.25", "0.30", "0.40", "0.45", "0.50", "0.55")], [mpmath.mpf("0.35"),
        mpmath.mpf("0.60")], [mpmath.mpf("0.01"), mpmath.mpf("0.99")]
    h = [sig(w[0] * i[0] + w[1] * i[1] + b[0]), sig(w[2] * i[0] + w[3] * i[1] + b[0])]
    o = [sig(w[4] * h[0] + w[5] * h[1] + b[1]), sig(w[6] * h[0] + w[7] * h[1] + b[1])]
    do = [(o[k] - t[k]) * o[k] * (1 - o[k]) for k in range(2)]
    dh = [(do[0] * w[4] + do[1] * w[6]) * h[0] * (1 - h[0]),
          (do[0] * w[5] + do[1] * w[7]) * h[1] * (1 - h[1])]
    return do, dh


def _fmt(x, d=6):
    return f"{float(x):.{d}f}"


@pytest.mark.parametrize("sign", [1, -1])
def test_either_sign_convention_of_delta_is_graded_and_named(sign):
    do, dh = _mazur_deltas()
    doc = (f"$$\\delta_{{o1}} = {_fmt(sign * do[0])}$$\n\n$$δ_o2 = {_fmt(sign * do[1])}$$\n\n"
           f"$$\\delta^{{(1)}}_1 = {_fmt(sign * dh[0])}$$\n\n$$\\delta{{_2}} = {_fmt(sign * do[1])}$$\n\n"
           f"$$\\frac{{\\partial E}}{{\\partial net_{{h2}}}} = {_fmt(dh[1])}$$\n\n"
           f"$$\\frac{{\\partial E}}{{\\partial z_1}} = {_fmt(do[0])}$$\n")
    report = grade_text(doc, load_sheet(ROOT / "examples" / "mazur.toml"))
    assert report.count("WRONG") == 0 and report.count("rounding") == 0, report.text()
    matched = [m for item in report.items for m in item.matched or []]
    convention = "δ = ∂E/∂net" if sign == 1 else "δ = −∂E/∂net"
    assert sum(convention in m for m in matched) == 4, matched
    assert any(m.startswith("dE/dneth2 → ∂E/∂net of h2") for m in matched)


def test_a_change_of_sign_convention_midway_is_flagged():
    do, dh = _mazur_deltas()
    doc = f"$$\\delta_{{o1}} = {_fmt(-do[0])}$$\n\n$$\\delta_{{h1}} = {_fmt(dh[0])}$$\n"
    report = grade_text(doc, load_sheet(ROOT / "examples" / "mazur.toml"))
    assert flagged(report) == {3: "WRONG"}, report.text()
    assert "−∂E/∂net" in report.text()


# -- reading vectors and matrices ------------------------------------------------------------

def value(text: str, context: Context | None = None):
    return exact(read(lex(text), context or Context()))


def test_matrix_arithmetic_reads_as_the_document_means_it():
    w = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    x = r"\begin{pmatrix} 5 \\ 6 \end{pmatrix}"
    assert value(f"{w} {x} + {x}") == Tup((22, 45))
    assert value(f"{w}^T {x}") == Tup((23, 34))
    assert value(f"{x}^{{\\top}} {x}") == 61                     # a row times a column
    assert value(f"{x} {x}^T") == Matrix((Tup((25, 30)), Tup((30, 36))))
    assert value(f"{x} \\odot {x}") == Tup((25, 36)) == value(f"{x} \\circ {x}")
    half = Matrix((Tup((sp.Rational(1, 2), 1)), Tup((sp.Rational(3, 2), 2))))
    assert value(f"{w} - 0.5 {w}") == half == value(f"{w} / 2")
    assert isinstance(value(f"{w} / 2"), Matrix)
    assert isinstance(value(r"\begin{bmatrix} 1 & 2 \end{bmatrix}"), Row)
    for bad in (f"{w} + 1", f"{x} {x}", f"{x} \\odot {w}", f"{w} {w}^T {x}^T"):
        with pytest.raises(Unreadable):
            read(lex(bad), Context())


def test_a_vector_chain_is_judged_entry_by_entry():
    ok = r"$$[\sigma(2.0), \sigma(2.4)] \approx [" + f"{float(sig(2)):.4f}, {float(sig(2.4)):.4f}]$$"
    assert check_text(ok).count("ok") == 1
    wrong = ok.replace(f"{float(sig(2.4)):.4f}", f"{float(sig(2.4)) + 0.01:.4f}")
    report = check_text(wrong)
    assert flagged(report) == {1: "WRONG"} and "entry 2 of 2" in report.text()


def test_a_matrix_of_given_weights_binds_its_entries_by_both_spellings():
    doc = (r"$$W^{(1)} = \begin{bmatrix}0.15 & 0.2\\ 0.25 & 0.3\end{bmatrix}, \quad x_1 = 2, \quad x_2 = 1$$"
           "\n\n$$z_1 = w^{(1)}_{11} x_1 + w^{(1)}_{12} x_2 = 0.5$$\n\n"
           "$$z_2 = W^{(1)}_{21} x_1 + w^{(1)}_{2,2} x_2 = 1.8$$\n\n"
           r"$$z = W^{(1)} \begin{bmatrix} x_1 \\ x_2 \end{bmatrix} = \begin{bmatrix} 0.5 \\ 0.6 \end{bmatrix}$$" "\n")
    report = check_text(doc)
    assert flagged(report) == {5: "WRONG", 7: "WRONG"}, report.text()   # 0.25·2 + 0.3 = 0.8
    assert next(i for i in report.items if i.line == 5).expected == pytest.approx(0.8)
    assert report.count("skipped") == 0


def test_a_vector_named_once_stands_for_its_entries_later():
    doc = (r"$$a^{(1)} = \begin{bmatrix} 0.5 \\ 0.25 \end{bmatrix}$$" "\n\n"
           r"$$s = a^{(1)}_1 + a^{(1)}_2 = 0.75$$" "\n\n"
           r"$$\|a^{(1)}\|^2 = 0.3125, \quad a^{(1)} \odot a^{(1)} = [0.25, 0.0625]$$" "\n\n"
           r"$$\left(a^{(1)}\right)^T a^{(1)} = 0.3135$$" "\n")
    report = check_text(doc)
    assert flagged(report) == {7: "WRONG"} and report.count("ok") == 3, report.text()


# -- layout syntax: one test each ----------------------------------------------------------------

@pytest.mark.parametrize("doc, wrong", [
    # cases as a piecewise function; a row evaluated where its condition holds
    ("$$r = -0.4$$\n\n$$f'(z) = \\begin{cases} 1 & z > 0 \\\\ 0 & z \\le 0\\end{cases}$$\n\n"
     "$$f'(r) = 0, \\quad f'(0.3) = 1$$\n", ("f'(r) = 0", "f'(r) = 1")),
    ("$$r = 0$$\n\n$$g = \\begin{cases} 2 & \\text{if } r \\ge 0 \\\\ -1 & \\text{otherwise}\\end{cases} = 2$$\n",
     ("= 2$$", "= -1$$")),
    ("$$s = \\underbrace{0.5 \\times 0.2}_{w_1 x_1} + \\underbrace{0.3}_{b} = 0.4$$\n", ("0.4$$", "0.7$$")),
    ("> $$\n> \\begin{aligned}\n> r &= 0.2 \\times 3 - 1 \\\\\n>   &= -0.4\n> \\end{aligned}\n> $$\n",
     ("-0.4", "-0.7")),
    ("$$v = [0.6, 0.8], \\quad \\|v\\|^2 = 1, \\quad \\left\\|(3, 4)\\right\\| = 5$$\n", ("= 5$$", "= 7$$")),
    ("$$N = 101\\,770 + 230 = 102\\,000$$\n", ("102\\,000", "102\\,100")),
    ("$$\\begin{aligned} p &= 0.5 \\times 0.5 \\\\[0.8em] &= 0.25 \\\\[4pt] q &= 2 \\times 3 = 6 \\end{aligned}$$\n",
     ("= 6", "= 7")),
])
def test_layout_syntax_is_read(doc, wrong):
    report = check_text(doc)
    assert report.count("WRONG") == 0 and report.count("skipped") == 0 and report.count("ok") >= 1, \
        report.text()
    broken = check_text(doc.replace(*wrong))
    assert broken.count("WRONG") == 1, broken.text()


# -- property: a perturbed entry of our own sheet's matrices is flagged ------------------------------

@lru_cache(maxsize=1)
def classifier_sheet() -> tuple[str, tuple]:
    import symderiv as sd

    text = sd.render(sd.load(ROOT / "examples" / "classifier.toml"), format="tex", lang="en")
    lines = text.splitlines()
    # result rows of matrix statements: "&= \left[\begin{matrix}…" holding decimals
    rows = tuple(n for n, line in enumerate(lines) if line.lstrip().startswith(r"&= \left[\begin{matrix}")
                 and re.search(r"-?\d+\.\d{4}", line))
    return text, rows


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # each example checks a whole sheet
@given(st.data())
def test_a_perturbed_matrix_entry_is_flagged_at_its_line(data):
    text, rows = classifier_sheet()
    lines = text.splitlines()
    row = data.draw(st.sampled_from(rows))
    numbers = list(re.finditer(r"-?\d+\.\d{4}", lines[row]))
    target = data.draw(st.sampled_from(numbers))
    shift = data.draw(st.sampled_from([0.01, -0.01, 0.1, 0.0025]))
    changed = f"{float(target.group(0)) + shift:.4f}"
    lines[row] = lines[row][:target.start()] + changed + lines[row][target.end():]
    report = grade_text("\n".join(lines), load_sheet(ROOT / "examples" / "classifier.toml"),
                        filename="sheet.tex")
    assert flagged(report).get(row + 1) == "WRONG", report.text()
    assert all(line >= row + 1 for line in flagged(report)), report.text()
