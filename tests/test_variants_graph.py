"""Variants of computational graphs (kind = "graph", contract §5.7 extended): the drawn
values, every answer against an mpmath oracle written here (the formulas by hand, their
gradients by central differences at 40 digits), the rejection rules, the files."""

import csv
import io
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

import mpmath as mp
import pytest

from symderiv.check.judge import check_text
from symderiv.cli import main
from symderiv.errors import InputError
from symderiv.spec import load_sheet, load_sheet_text
from symderiv.variants import outputs
from symderiv.variants.batch import make_variants
from test_variants import class_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "circuit_variants.toml"
FORMATS = {"tex", "json", "csv", "moodle"}
COUNT = 12

# The example's formulas, written independently of the parser: name -> f(values).
ORACLE = {
    "1": lambda v: (v["x"] + v["y"]) * v["z"],
    "2": lambda v: 1 / (1 + mp.exp(-(v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]))),
    "3": lambda v: mp.log(v["x"]) / (v["x"] - v["y"]),
}

CIRCUIT = """
[sheet]
title = "Circuit & <quiz>"
lang = "en"
precision = 4

[[problem]]
id = "c"
kind = "graph"
statement = "Find them."
formula = "{formula}"
values = {{ x = 1, y = 2 }}

[problem.vary]
{vary}
"""


def circuit(vary: str, formula: str = "x*y + x"):
    return load_sheet_text(CIRCUIT.format(vary=vary, formula=formula), "c.toml")


def bad(vary: str) -> str:
    with pytest.raises(InputError) as e:
        circuit(vary)
    return str(e.value)


# -- [problem.vary] in a graph problem is validated at load --------------------------------

@pytest.mark.parametrize("vary, message", [
    ("q = { choices = [1, 2] }",
     "c.toml: problem[1].vary.q: unknown name 'q'; names here: x, y (or values.<name>)"),
    ('"values.xx" = { choices = [1, 2] }',
     "problem[1].vary.values.xx: unknown name 'values.xx' (did you mean 'values.x'?)"),
    ("x = { low = 0, high = 1, step = 0 }", "problem[1].vary.x.step: must be positive, got 0"),
    ("x = { low = 2, high = 1, step = 0.5 }", "problem[1].vary.x: low (2) is above high (1)"),
    ("x = { choices = [] }", "problem[1].vary.x.choices: no choices"),
    ("x = { choices = [1, 1] }", "problem[1].vary.x.choices[2]: 1 is listed twice"),
    ("x = { low = 0, high = 1 }", "problem[1].vary.x: missing key 'step'"),
    ('x = { choices = ["__import__(\'os\')"] }', "problem[1].vary.x.choices[1]"),
    ('x = { choices = [1] }\n"values.x" = { choices = [2] }',
     "problem[1].vary.values.x: is given twice (also as 'x')"),
    ("values = 3", "problem[1].vary.values: unknown name 'values'"),
])
def test_a_bad_graph_vary_table_is_one_error_naming_its_key(vary, message):
    assert message in bad(vary)


def test_both_spellings_of_a_value_draw_it():
    for vary, key in (('"values.x" = { choices = [3, 4] }', "values.x"),
                      ("values.x = { choices = [3, 4] }", "values.x"),
                      ("x = { choices = [3, 4] }", "x")):
        result = make_variants(circuit(vary), 2, 0, formats={"json"})
        assert sorted(v.values["c"][key] for v in result.variants) == [3, 4]
        # the drawn x is the one solved: f = x*y + x at y = 2 is 3x
        assert sorted(v.outputs.problems[0]["value"] for v in result.variants) == [9.0, 12.0]


def test_the_cli_reports_a_bad_graph_vary_in_one_line_and_writes_nothing(tmp_path, capsys):
    spec = tmp_path / "quiz.toml"
    spec.write_text(CIRCUIT.format(vary="z = { choices = [1] }", formula="x*y"),
                    encoding="utf-8")
    out = tmp_path / "out"
    assert main(["vary", str(spec), "-n", "2", "--seed", "1", "-o", str(out)]) == 2
    assert not out.exists()
    assert capsys.readouterr().err == ("symderiv: error: quiz.toml: problem[1].vary.z: "
                                       "unknown name 'z'; names here: x, y (or values.<name>)\n")


# -- a class of the example -----------------------------------------------------------------

@pytest.fixture(scope="module")
def klass():
    return make_variants(load_sheet(EXAMPLE), COUNT, 2026, formats=FORMATS)


def _spec() -> list[dict]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["problem"]


def _domains() -> dict:
    """Per problem id, each varied key's allowed values, read from the TOML here."""
    found = {}
    for problem in _spec():
        allowed = {}
        for key, d in problem["vary"].items():
            if "choices" in d:
                allowed[key] = {Fraction(str(c)) for c in d["choices"]}
            else:
                low, high, step = (Fraction(str(d[k])) for k in ("low", "high", "step"))
                allowed[key] = {low + k * step for k in range(int((high - low) / step) + 1)}
        found[problem["id"]] = allowed
    return found


def _mpf(x) -> mp.mpf:
    """An exact number (a TOML number, a SymPy Rational) at the working precision."""
    f = Fraction(str(x))
    return mp.mpf(f.numerator) / f.denominator


def _oracle(pid: str, problem: dict, drawn: dict) -> tuple:
    """The value and ∂f/∂v for every asked v, at the spec's values with the drawn ones in
    place: the formula above, its gradients by central differences, at 40 digits."""
    f = ORACLE[pid]
    wrt = problem.get("wrt", list(problem["values"]))
    with mp.workdps(40):
        point = {k: _mpf(v) for k, v in problem["values"].items()}
        point |= {k.removeprefix("values."): _mpf(v) for k, v in drawn.items()}
        value = f(point)
        grads = {v: mp.diff(lambda t, v=v: f({**point, v: t}), point[v]) for v in wrt}
    return value, grads


def _expected(klass) -> dict:
    """(variant, problem id) -> (value, {variable: gradient}) from the oracle."""
    spec = {p["id"]: p for p in _spec()}
    found = {}
    for v in klass.variants:
        for pid, problem in spec.items():
            found[v.number, pid] = _oracle(pid, problem, v.values[pid])
    return found


def test_the_class_is_distinct_and_on_its_grids(klass):
    allowed = _domains()
    assert len(klass.variants) == COUNT
    seen = set()
    for v in klass.variants:
        for pid, table in allowed.items():
            assert set(v.values[pid]) == set(table)
            for key, value in v.values[pid].items():
                assert Fraction(str(value)) in table[key], (pid, key, value)
        seen.add(json.dumps({p: {k: str(x) for k, x in t.items()} for p, t in v.values.items()}))
    assert len(seen) == COUNT


def test_every_answer_matches_the_oracle(klass):
    expected = _expected(klass)
    for v in klass.variants:
        for problem in v.outputs.problems:
            value, grads = expected[v.number, problem["id"]]
            assert problem["kind"] == "graph" and problem["verified"] is True
            assert problem["value"] == pytest.approx(float(value), rel=1e-13, abs=1e-15)
            for name, g in grads.items():
                assert problem["gradients"][name] == pytest.approx(float(g), rel=1e-10,
                                                                   abs=1e-14), (name, v.values)


def test_the_csv_holds_value_and_gradients_exactly_and_as_shown(klass):
    expected = _expected(klass)
    rows = list(csv.DictReader(io.StringIO(outputs.answers_csv(klass))))
    spec = {p["id"]: p for p in _spec()}
    wanted = sum(1 + len(p.get("wrt", p["values"])) for p in spec.values()) * COUNT
    assert len(rows) == wanted
    for r in rows:
        value, grads = expected[int(r["variant"]), r["problem"]]
        exact = value if r["quantity"] == "value" else grads[r["quantity"].split(".", 1)[1]]
        assert float(r["value"]) == pytest.approx(float(exact), rel=1e-12, abs=1e-15)
        rounded = Decimal(mp.nstr(exact, 30, min_fixed=-mp.inf, max_fixed=mp.inf)).quantize(
            Decimal("0.0001"), ROUND_HALF_EVEN)
        # the sheet drops trailing zeros of a whole number (20, not 20.0000)
        assert Decimal(r["shown"].replace("−", "-")) == rounded, r
        assert abs(rounded) >= Decimal("0.0001"), "an answer that rounds to 0 was kept"
    labels = {r["quantity"]: r["label"] for r in rows if r["problem"] == "2"}
    assert labels == {"value": "f", "gradient.w0": r"\frac{\partial f}{\partial w_{0}}",
                      "gradient.w1": r"\frac{\partial f}{\partial w_{1}}",
                      "gradient.w2": r"\frac{\partial f}{\partial w_{2}}"}


CLOZE = re.compile(r"\{1:NUMERICAL:=(-?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)\}")


def test_the_moodle_quiz_parses_and_its_answers_match_the_oracle(klass):
    expected = _expected(klass)
    root = ET.fromstring(outputs.moodle_xml(klass))
    cloze = root.findall("question[@type='cloze']")
    spec = {p["id"]: p for p in _spec()}
    assert len(cloze) == COUNT * len(spec)
    for q in cloze:
        name = q.find("name/text").text
        n, pid = re.fullmatch(r".*，第 (\d+) 套，第 (\S+) 题", name).groups()
        value, grads = expected[int(n), pid]
        html = q.find("questiontext/text").text
        fields = CLOZE.findall(html)
        assert len(fields) == 1 + len(grads)
        for (answer, tol), want in zip(fields, [value, *grads.values()]):
            assert tol == "0.00005"
            assert float(answer) == pytest.approx(float(want), rel=1e-12, abs=1e-15)
            # the correctly rounded answer is accepted
            assert abs(round(float(want), 4) - float(answer)) <= float(tol)
        assert "计算过程" in html and "变量取值" in html
        if pid == "1":   # its drawn values, as given
            for key, drawn in klass.variants[int(n) - 1].values[pid].items():
                assert f"\\({key} = {int(drawn)}\\)" in html


@pytest.mark.slow
def test_every_key_passes_check(klass):
    for v in klass.variants:
        report = check_text(v.outputs.key, latex=True)
        assert report.count("WRONG") == 0 and report.count("rounding") == 0, v.number
        assert report.checked >= 30


def test_the_first_key_passes_check(klass):
    report = check_text(klass.variants[0].outputs.key, latex=True)
    assert report.count("WRONG") == 0 and report.count("rounding") == 0
    assert report.checked >= 30


def test_questions_leave_the_solutions_out_and_keys_keep_them(klass):
    questions = outputs.document(klass, "questions")
    keys = outputs.document(klass, "key")
    for tex in (questions, keys):
        assert tex.count(r"\stepcounter{variant}") == COUNT
    assert "【解】" not in questions and keys.count("【解】") == 3 * COUNT
    # each variant's drawn values are in its question
    first = questions.split(r"\stepcounter{variant}")[1]
    z = klass.variants[0].values["1"]["z"]
    assert f"{int(z)}\\right)" in first


def test_the_same_seed_gives_the_same_bytes_whatever_the_workers(klass):
    sheet = load_sheet(EXAMPLE)
    parallel = make_variants(sheet, COUNT, 2026, formats=FORMATS, workers=2)
    assert class_files(parallel) == class_files(klass)
    other = make_variants(sheet, COUNT, 2027, formats={"json"})
    assert outputs.variants_json(other) != outputs.variants_json(klass)


def test_the_json_counts_the_graph_reasons(klass):
    data = json.loads(outputs.variants_json(klass))
    assert list(data["rejected"]) == ["repeat", "rounds-to-zero", "undefined"]
    # problem 3 draws x = 0 and x = y (undefined) and x = 1 (f = 0) among its choices
    assert data["rejected"]["undefined"] > 0 and data["rejected"]["rounds-to-zero"] > 0
    assert sum(data["rejected"].values()) == data["draws"] - COUNT
    assert [p["kind"] for p in data["variants"][0]["problems"]] == ["graph"] * 3


# -- the rejection rules, each forced ------------------------------------------------------------

@pytest.mark.parametrize("formula, vary, bad_values", [
    ("log(x)*y", "x = { choices = [-1, 0, 2, 3] }", {-1, 0}),        # log of x ≤ 0
    ("y/(x - 2)", "x = { choices = [2, 3, 4] }", {2}),               # division by zero
    ("exp(x)*y", "x = { choices = [800, 1, 2] }", {800}),            # beyond a double
    ("x**y", "x = { choices = [-3, 2, 3] }\ny = { choices = [0.5] }", {-3}),  # complex
])
def test_an_undefined_draw_is_rejected_never_a_crash(formula, vary, bad_values):
    result = make_variants(circuit(vary, formula), 2, 0, formats=set())
    assert result.rejected["undefined"] > 0
    assert all(v.values["c"]["x"] not in bad_values for v in result.variants)


def test_an_answer_that_rounds_to_zero_is_rejected():
    # y = -1 makes f = x*y + x and ∂f/∂x = y + 1 both 0 at x = 1; y = -1.00004 makes
    # them round to 0
    result = make_variants(circuit("y = { choices = [-1, -1.00004, 2, 3] }"), 2, 0,
                           formats=set())
    assert result.rejected["rounds-to-zero"] > 0
    assert {v.values["c"]["y"] for v in result.variants} == {2, 3}


def test_a_repeat_is_drawn_again():
    result = make_variants(circuit("x = { choices = [3, 4, 5] }"), 3, 0, formats=set())
    assert result.rejected["repeat"] > 0
    assert sorted(v.values["c"]["x"] for v in result.variants) == [3, 4, 5]


def test_too_few_survivors_names_the_reasons(tmp_path, capsys):
    spec = tmp_path / "dead.toml"
    spec.write_text(CIRCUIT.format(vary="x = { choices = [0, -1] }", formula="log(x)*y"),
                    encoding="utf-8")
    assert main(["vary", str(spec), "-n", "2", "--seed", "1", "-o", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
    assert capsys.readouterr().err == (
        "symderiv: error: dead.toml: only 0 of 2 variants survived 140 draws "
        "(rejected: 140 undefined); widen the [problem.vary] ranges\n")


# -- a sheet mixing a backprop and a graph problem ------------------------------------------------

MIXED = """
[sheet]
title = "Mixed"
lang = "en"
precision = 3

[[problem]]
id = "net"
kind = "backprop"
[problem.network]
inputs = ["x1"]
layers = [{ neurons = ["o1"], activation = "sigmoid" }]
[problem.network.weights]
w1 = { from = "x1", to = "o1", value = 0.5 }
[problem.network.biases]
b1 = { to = ["o1"], value = 0.1 }
[problem.data]
inputs = { x1 = 1 }
targets = { o1 = 1 }
[problem.training]
loss = "half-sse"
learning_rate = 0.5
gradients = ["w1"]
[problem.vary]
w1 = { low = -1, high = 1, step = 0.25 }

[[problem]]
id = "circ"
kind = "graph"
formula = "x*y + sigmoid(x)"
values = { x = 1, y = 2 }
[problem.vary]
y = { low = -2, high = 2, step = 0.5 }
"""


def test_a_sheet_mixing_backprop_and_graph_varies_both():
    result = make_variants(load_sheet_text(MIXED, "mixed.toml"), 6, 5, formats=FORMATS)
    data = json.loads(outputs.variants_json(result))
    assert list(data["rejected"]) == ["repeat", "dead-relu", "saturated", "rounds-to-zero",
                                      "undefined"]
    root = ET.fromstring(outputs.moodle_xml(result))
    assert len(root.findall("question[@type='cloze']")) == 12
    for variant in data["variants"]:
        net, circ = variant["problems"]
        assert (net["kind"], circ["kind"]) == ("backprop", "graph")
        w1 = Fraction(str(variant["values"]["net"]["w1"]))
        y = Fraction(str(variant["values"]["circ"]["y"]))
        assert -1 <= w1 <= 1 and (w1 * 4).denominator == 1
        assert -2 <= y <= 2 and (y * 2).denominator == 1
        with mp.workdps(40):
            o = 1 / (1 + mp.exp(-(mp.mpf(w1.numerator) / w1.denominator + mp.mpf("0.1"))))
            assert net["gradients"]["w1"] == pytest.approx(float((o - 1) * o * (1 - o)),
                                                           rel=1e-12)
            yy = mp.mpf(y.numerator) / y.denominator
            f = lambda x, y: x * y + 1 / (1 + mp.exp(-x))
            assert circ["value"] == pytest.approx(float(f(1, yy)), rel=1e-12)
            assert circ["gradients"]["x"] == pytest.approx(
                float(mp.diff(lambda t: f(t, yy), 1)), rel=1e-10)
            assert circ["gradients"]["y"] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.slow
def test_vary_compiles_the_graph_questions_and_keys_in_both_languages(tmp_path):
    for lang in ("zh", "en"):
        out = tmp_path / lang
        assert main(["vary", str(EXAMPLE), "-n", "2", "--seed", "7", "-o", str(out),
                     "--lang", lang, "--format", "pdf,moodle"]) == 0
        for name in ("questions", "keys"):
            pdf = (out / f"circuit_variants-{name}.pdf").read_bytes()
            assert pdf.startswith(b"%PDF")
        assert not list(out.glob("*.tex"))
