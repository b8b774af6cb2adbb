"""check on the public-style corpus (tests/data/check/public/, written by make_public.py).

The documents are written the way other people write worked solutions; every number in
them is computed by the generator with mpmath (the oracle), never by symderiv. Each planted
error is marked on its line by a comment check never reads. benchmarks/check_corpus.py
prints the same figures for every document, including those not asserted here.
"""

from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from symderiv.check.judge import check_text
from generated import load_generator

DATA = Path(__file__).parent / "data" / "check"
PUBLIC = DATA / "public"
EXPECTED = {"arithmetic": "WRONG", "result": "WRONG", "rounding": "rounding"}


def _generator():
    return load_generator(DATA / "make_public.py")


GEN = _generator()
# Every planted error found at its line and nothing else flagged, on this branch:
CLEAN = list(GEN.DOCUMENTS)


def test_the_public_corpus_is_what_its_generator_writes():
    for name, make in GEN.DOCUMENTS.items():
        assert (PUBLIC / name).read_text(encoding="utf-8") == make()[0], name


def test_the_corpus_plants_thirty_errors_of_three_kinds():
    kinds = [k for make in GEN.DOCUMENTS.values() for k in make()[1]["planted"].values()]
    assert len(kinds) == 30 and set(kinds) == set(EXPECTED)


@pytest.mark.parametrize("name", CLEAN)
def test_each_planted_error_is_flagged_at_its_line_and_nothing_else(name):
    text, meta = GEN.DOCUMENTS[name]()
    report = check_text(text, filename=name)
    flagged = {item.line: item.status for item in report.items if item.status in ("WRONG", "rounding")}
    assert flagged == {line: EXPECTED[kind] for line, kind in meta["planted"].items()}, report.text()


def test_a_rounding_slip_is_one_flag_when_later_lines_carry_the_printed_value():
    doc = ("$$h = \\sigma(0.3775) = 0.5934$$\n\n"          # σ(0.3775) = 0.593270 prints 0.5933
           "$$k = 2h = 2 \\times 0.5934 = 1.1868$$\n\n"
           "$$m = h + 1 = 1.5933$$\n")
    report = check_text(doc)
    assert {i.line: i.status for i in report.items} == {1: "rounding", 3: "ok", 5: "ok"}, report.text()


def _printed(x, decimals: int = 4) -> str:
    return f"{float(mpmath.nint(x * 10**decimals)) / 10**decimals:.{decimals}f}"


def test_a_rounded_number_put_in_stands_for_itself_or_its_full_value_not_its_whole_rounding():
    full = 1 / (1 + mpmath.exp(mpmath.mpf("0.3")))                  # σ(−0.3) = 0.42555…
    assert _printed(full) == "0.4256"
    from_printed, from_full = _printed(-mpmath.log(mpmath.mpf("0.4256"))), _printed(-mpmath.log(full))
    assert from_printed != from_full                                   # 0.8543 and 0.8544
    below = _printed(-mpmath.log(mpmath.mpf("0.4256")) - mpmath.mpf("0.0001"))   # 0.8542
    for result, status in ((from_printed, "ok"), (from_full, "ok"), (below, "rounding")):
        doc = f"$$y = \\sigma(-0.3) = 0.4256$$\n\n$$L = -\\ln(0.4256) = {result}$$\n"
        report = check_text(doc)
        assert {i.line: i.status for i in report.items} == {1: "ok", 3: status}, report.text()


def test_after_a_wrong_line_of_exact_arithmetic_its_printed_value_is_carried_exactly():
    # 0.4·1.5 + 0.1 is 0.7, printed 0.65; then (0.65 − 1)² is 0.1225 exactly, so 0.1226 is a
    # slip (carried as 0.65 ± 0.005 it would pass as anything from 0.1191 to 0.1260).
    doc = "$$z = 0.4 \\times 1.5 + 0.1 = 0.65$$\n\n$$L = (z - 1)^2 = (0.65 - 1)^2 = {}$$\n"
    assert Fraction(35, 100) ** 2 == Fraction(1225, 10000)
    ok, slipped = check_text(doc.format("0.1225")), check_text(doc.format("0.1226"))
    assert {i.line: i.status for i in ok.items} == {1: "WRONG", 3: "ok"}, ok.text()
    assert {i.line: i.status for i in slipped.items} == {1: "WRONG", 3: "rounding"}, slipped.text()


def test_a_closing_list_under_a_later_heading_restates_what_was_computed():
    doc = ("## Forward\n\n$$w_5^+ = 0.4 - 0.5 \\times 0.082167041 = 0.3589164795$$\n\n"
           "## Summary\n\n$$[w_5^+, b] = [0.3589164795, 0.7]$$\n")
    report = check_text(doc)
    restated = [link for i in report.items if i.line == 7 for link in i.links]
    assert [link.status for link in restated] == ["ok", "defines"], report.text()   # b is new
    assert restated[0].expected == pytest.approx(0.4 - 0.5 * 0.082167041, abs=1e-12)


def test_check_spec_on_the_classic_note_flags_its_planted_and_wrong_bias_lines_only():
    from symderiv.check.grade import grade_text
    from symderiv.spec import load_sheet

    text, meta = GEN.DOCUMENTS["mazur_note.md"]()
    report = grade_text(text, load_sheet(Path(__file__).parent.parent / GEN.SPECS["mazur_note.md"]))
    flagged = {item.line for item in report.items if item.status in ("WRONG", "rounding")}
    assert set(meta["planted"]) | set(meta["spec"]) <= flagged, report.text()
    assert flagged - set(meta["planted"]) - set(meta["spec"]) <= set(meta["inherits"]), report.text()


def test_a_vector_of_given_numbers_gives_its_entries():
    doc = ("Take $w = (0.5, -1.2, 0.3)$ and $\\eta = 0.5$.\n\n"
           "$$w_2 \\leftarrow w_2 - \\eta \\times 0.1 = -1.2 - 0.05 = -1.25$$\n\n"
           "$$v = w_1 + w_3 = 0.65$$\n")
    report = check_text(doc)
    assert {i.line: i.status for i in report.items} == {3: "ok", 5: "WRONG"}, report.text()
    assert report.count("skipped") == 0
    assert next(i for i in report.items if i.line == 5).expected == pytest.approx(0.8, abs=1e-12)


def test_an_update_written_with_leftarrow_is_the_new_value_afterwards():
    # w₁ ← 0.5 − 0.1 makes w₁ 0.4; ‖w‖² then sums 0.4² + (−1.2)² + 0.3² = 1.69 (by hand)
    doc = ("Take $w = (0.5, -1.2, 0.3)$.\n\n$$w_1 \\leftarrow 0.5 - 0.1 = 0.4$$\n\n"
           "$$\\|w\\|^2 = 0.4^2 + (-1.2)^2 + 0.3^2 = 1.69$$\n")
    report = check_text(doc)
    assert [(i.line, i.status) for i in report.items] == [(3, "ok"), (5, "ok")], report.text()
    wrong = check_text(doc.replace("= 1.69", "= 1.78"))   # the old w's norm: now a slip
    assert [(i.line, i.status) for i in wrong.items] == [(3, "ok"), (5, "WRONG")]
