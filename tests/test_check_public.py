"""check on the public-style corpus (tests/data/check/public/, written by make_public.py).

The documents are written the way other people write worked solutions; every number in
them is computed by the generator with mpmath (the oracle), never by symderiv. Each planted
error is marked on its line by a comment check never reads. benchmarks/check_corpus.py
prints the same figures for every document, including those not asserted here.
"""

import importlib.util
from pathlib import Path

import pytest

from symderiv.check.judge import check_text

DATA = Path(__file__).parent / "data" / "check"
PUBLIC = DATA / "public"
EXPECTED = {"arithmetic": "WRONG", "result": "WRONG", "rounding": "rounding"}


def _generator():
    spec = importlib.util.spec_from_file_location("make_public", DATA / "make_public.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
# Every planted error found at its line and nothing else flagged, on this branch:
CLEAN = ["mazur_note.md", "zh_homework.md", "zh_exam.tex", "vectors.md", "params.tex",
         "softmax.md", "zh_tanh.tex", "momentum.md"]


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
