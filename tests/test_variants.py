"""symderiv vary (contract §5.7): [problem.vary], the rejection rules, the files.

Oracles: the spec's own TOML read here (ranges and grids checked in Fractions), an
mpmath forward pass and finite differences of the loss written out in this file, an
independent `solve` of each variant written out as a plain spec, xml.etree for the Moodle
quiz, and `symderiv check` on every key.
"""

import csv
import io
import json
import re
import tomllib
import xml.etree.ElementTree as ET
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

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "variants.toml"
FORMATS = {"tex", "json", "csv", "moodle"}

# A 2-2-1 network, ReLU then sigmoid; {vary} and {gradients} are filled per test.
SMALL = """
[sheet]
title = "Quiz & <friends>"
lang = "en"
precision = 4

[[problem]]
id = "1"
kind = "backprop"
statement = "Work it out. {{1:NUMERICAL:=5:0}} ]]> <b>bold</b> & more"

[problem.network]
inputs = ["x1", "x2"]
layers = [
  {{ neurons = ["h1", "h2"], activation = "relu" }},
  {{ neurons = ["o1"], activation = "sigmoid" }},
]
[problem.network.weights]
w1 = {{ from = "x1", to = "h1", value = 0.5 }}
w2 = {{ from = "x2", to = "h1", value = -0.3 }}
w3 = {{ from = "x1", to = "h2", value = 0.2 }}
w4 = {{ from = "x2", to = "h2", value = 0.4 }}
w5 = {{ from = "h1", to = "o1", value = 0.7 }}
w6 = {{ from = "h2", to = "o1", value = -0.6 }}
[problem.network.biases]
b1 = {{ to = ["h1", "h2"], value = 0.1 }}
b2 = {{ to = ["o1"], value = 0.2 }}
[problem.data]
inputs = {{ x1 = 1, x2 = 0.5 }}
targets = {{ o1 = 1 }}
[problem.training]
loss = "{loss}"
learning_rate = 0.5
gradients = {gradients}

[problem.vary]
{vary}
"""


def small(vary: str, gradients='["w1", "w5", "b2"]', loss="half-sse"):
    return load_sheet_text(SMALL.format(vary=vary, gradients=gradients, loss=loss), "quiz.toml")


def bad(vary: str, **kw) -> str:
    with pytest.raises(InputError) as e:
        small(vary, **kw)
    return str(e.value)


# -- [problem.vary] is validated at load ----------------------------------------------------

@pytest.mark.parametrize("vary, message", [
    ("w9 = { low = 0, high = 1, step = 0.1 }",
     "quiz.toml: problem[1].vary.w9: unknown name 'w9'"),
    ("w5 = { low = 0, high = 1, step = 0 }", "problem[1].vary.w5.step: must be positive, got 0"),
    ("w5 = { low = 0, high = 1, step = -0.1 }", "problem[1].vary.w5.step: must be positive"),
    ("w5 = { choices = [] }", "problem[1].vary.w5.choices: no choices"),
    ("w5 = { low = 1, high = 0.5, step = 0.1 }", "problem[1].vary.w5: low (1) is above high (0.5)"),
    ("w5 = { choices = [0.1, 0.1] }", "problem[1].vary.w5.choices[2]: 0.1 is listed twice"),
    ("w5 = { low = 0, high = 1 }", "problem[1].vary.w5: missing key 'step'"),
    ("w5 = { low = 0, high = 1, step = 0.1, choices = [1] }", "not both"),
    ("w5 = { low = 0, high = 1, stp = 0.1 }", "problem[1].vary.w5"),
    ('"inputs.x3" = { choices = [1] }', "unknown name 'inputs.x3'"),
    ("inputs.x3 = { choices = [1] }", "unknown name 'inputs.x3'"),
    ('"targets.h1" = { choices = [1] }', "unknown name 'targets.h1'"),
    ("learning_rate = { choices = [0.1, 0] }", "a learning rate must be positive"),
    ('w5 = { choices = ["__import__(\'os\')"] }', "problem[1].vary.w5.choices[1]"),
    ("w5 = { choices = [1e300] }", "too large"),
])
def test_a_bad_vary_table_is_one_error_naming_its_key(vary, message):
    assert message in bad(vary)


def test_targets_for_bce_must_stay_probabilities():
    assert "needs targets in [0, 1]" in bad('"targets.o1" = { low = 0, high = 2, step = 0.5 }',
                                            loss="bce")


@pytest.mark.parametrize("kind, body", [
    ("xor", ""),
    ("boolean", 'function = "and"\n'),
    ("activations", 'functions = ["tanh"]\ntasks = ["derivative"]\n'),
])
def test_vary_applies_to_backprop_and_graph_problems_only(kind, body):
    text = (f'[[problem]]\nid = "2"\nkind = "{kind}"\n{body}[problem.vary]\n'
            'w1 = { choices = [1, 2] }\n')
    with pytest.raises(InputError) as e:
        load_sheet_text(text, "x.toml")
    assert str(e.value) == ('symderiv: error: x.toml: problem[1].vary: variants draw the '
                            'givens of kind = "backprop" and kind = "graph" problems; this '
                            f'problem is kind = "{kind}"')


def vary_cli_error(folder: Path, name: str, vary: str, capsys) -> str:
    """``symderiv vary`` on SMALL with ``vary``: exit 2, nothing written; its stderr."""
    spec = folder / name
    spec.write_text(SMALL.format(vary=vary, gradients='["w5"]', loss="sse"), encoding="utf-8")
    out = folder / "out"
    assert main(["vary", str(spec), "-n", "3", "--seed", "1", "-o", str(out),
                 "--format", "json,csv,moodle,tex"]) == 2
    assert not out.exists()
    return capsys.readouterr().err


def test_the_cli_reports_a_bad_vary_in_one_line_and_writes_nothing(tmp_path, capsys):
    err = vary_cli_error(tmp_path, "quiz.toml", "w5 = { low = 0, high = 1, step = 0 }", capsys)
    assert err == "symderiv: error: quiz.toml: problem[1].vary.w5.step: must be positive, got 0\n"


# -- 20 variants of a ReLU/sigmoid question ---------------------------------------------------

@pytest.fixture(scope="module")
def twenty():
    sheet = load_sheet(EXAMPLE)
    return make_variants(sheet, 20, 2026, formats=FORMATS)


def _domains() -> dict:
    """Each varied key's allowed values, read from the TOML here, as Fractions."""
    vary = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["problem"][0]["vary"]
    allowed = {}
    for key, d in vary.items():
        if "choices" in d:
            allowed[key] = {Fraction(str(c)) for c in d["choices"]}
        else:
            low, high, step = (Fraction(str(d[k])) for k in ("low", "high", "step"))
            allowed[key] = {low + k * step for k in range(int((high - low) / step) + 1)}
    return allowed


def test_twenty_variants_are_distinct_and_on_their_grids(twenty):
    allowed = _domains()
    seen = set()
    assert len(twenty.variants) == 20
    for v in twenty.variants:
        values = v.values["1"]
        assert set(values) == set(allowed)
        for key, value in values.items():
            assert Fraction(str(value)) in allowed[key], (key, value)
        seen.add(tuple(sorted((k, str(x)) for k, x in values.items())))
    assert len(seen) == 20


def _given(variant, name, base):
    return mp.mpf(str(variant.values["1"].get(name, base[name])))


def _oracle(variant):
    """The example network written out in mpmath: forward pass and the loss."""
    spec = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["problem"][0]
    base = {k: v["value"] for section in ("weights", "biases")
            for k, v in spec["network"][section].items()}
    base |= {f"inputs.{k}": v for k, v in spec["data"]["inputs"].items()}
    base |= {f"targets.{k}": v for k, v in spec["data"]["targets"].items()}
    p = {k: _given(variant, k, base) for k in base}

    def forward(**override):
        q = {**p, **override}
        x1, x2 = q["inputs.x1"], q["inputs.x2"]
        z1 = q["w1"] * x1 + q["w2"] * x2 + q["b1"]
        z2 = q["w3"] * x1 + q["w4"] * x2 + q["b1"]
        h1, h2 = max(z1, 0), max(z2, 0)
        zo = q["w5"] * h1 + q["w6"] * h2 + q["b2"]
        o = 1 / (1 + mp.exp(-zo))
        return {"z1": z1, "z2": z2, "zo": zo, "o": o,
                "E": (o - q["targets.o1"]) ** 2 / 2}

    return p, forward


def test_no_variant_has_a_dead_relu_or_an_answer_that_rounds_to_zero(twenty):
    mp.mp.dps = 40
    rows = list(csv.DictReader(io.StringIO(outputs.answers_csv(twenty))))
    for v in twenty.variants:
        _, forward = _oracle(v)
        f = forward()
        assert f["z1"] > 0, v.values   # h1 alive: it outputs more than 0
        assert f["z2"] > 0, v.values
        assert abs(f["zo"]) <= 4
    assert rows and all(abs(float(r["value"])) >= 0.5e-4 for r in rows)
    assert {r["variant"] for r in rows} == {str(n) for n in range(1, 21)}
    assert sum(twenty.rejected.values()) == twenty.draws - 20


def test_every_variant_matches_finite_differences_of_the_loss(twenty):
    mp.mp.dps = 40
    for v in twenty.variants:
        p, forward = _oracle(v)
        problem = v.outputs.problems[0]
        assert problem["loss"] == pytest.approx(float(forward()["E"]), rel=1e-14)
        assert problem["activations"]["o1"] == pytest.approx(float(forward()["o"]), rel=1e-14)
        for name, value in problem["gradients"].items():
            numeric = mp.diff(lambda t: forward(**{name: t})["E"], p[name])
            assert value == pytest.approx(float(numeric), rel=1e-10, abs=1e-15), (name, v.values)


def _plain_spec(variant) -> str:
    """The example with this variant's values written in, and no [problem.vary]."""
    text = EXAMPLE.read_text(encoding="utf-8").split("\n[problem.vary]\n")[0]
    values = {k: f'"{x}"' for k, x in variant.values["1"].items()}
    for name in ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2"):
        if name in values:
            text = re.sub(rf"^({name} = {{.*value = )[^ ]+( }})$", rf"\g<1>{values[name]}\2",
                          text, count=1, flags=re.M)
    for section in ("inputs", "targets"):
        line = re.search(rf"^{section} = {{ (.*) }}$", text, flags=re.M)
        pairs = dict(pair.split(" = ") for pair in line[1].split(", "))
        pairs |= {k.split(".")[1]: x for k, x in values.items() if k.startswith(section + ".")}
        joined = ", ".join(f"{k} = {x}" for k, x in pairs.items())
        text = text.replace(line[0], f"{section} = {{ {joined} }}")
    if "learning_rate" in values:
        text = re.sub(r"^learning_rate = .*$", f"learning_rate = {values['learning_rate']}",
                      text, flags=re.M)
    return text


@pytest.mark.parametrize("index", [0, 9, 19])
def test_a_variant_equals_a_solve_of_it_written_as_a_plain_spec(twenty, tmp_path, index, capsys):
    variant = twenty.variants[index]
    spec = tmp_path / "variant.toml"
    spec.write_text(_plain_spec(variant), encoding="utf-8")
    assert "vary" not in tomllib.loads(spec.read_text(encoding="utf-8"))["problem"][0]
    assert main(["solve", str(spec), "-o", str(tmp_path), "--format", "json"]) == 0
    solved = json.loads((tmp_path / "variant.json").read_text(encoding="utf-8"))
    assert solved["problems"] == json.loads(json.dumps(list(variant.outputs.problems)))


@pytest.mark.slow
def test_every_key_passes_check(twenty):
    for v in twenty.variants:
        report = check_text(v.outputs.key, latex=True)
        assert report.count("WRONG") == 0 and report.count("rounding") == 0, v.number
        # the forward pass, the loss, each δ (worked once) and the gradients citing it
        assert report.checked >= 15


def test_questions_leave_the_solutions_out_and_keys_keep_them(twenty):
    questions = outputs.document(twenty, "questions")
    keys = outputs.document(twenty, "key")
    for tex in (questions, keys):
        assert tex.count(r"\stepcounter{variant}") == 20
        assert tex.count(r"\setcounter{page}{1}") == 20
    assert "Solution." not in questions and keys.count("Solution.") == 20
    assert r"\fancyhead[R]{Variant \thevariant, answer key}" in keys
    assert r"\fancyhead[R]{Variant \thevariant}" in questions


# -- the same seed, the same bytes ---------------------------------------------------------------

def class_files(result) -> tuple:
    """Every file of a class but the PDFs (also used by test_variants_graph)."""
    return (outputs.variants_json(result), outputs.answers_csv(result),
            outputs.moodle_xml(result), outputs.document(result, "questions"),
            outputs.document(result, "key"))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(twenty):
    sheet = load_sheet(EXAMPLE)
    again = make_variants(sheet, 20, 2026, formats=FORMATS)
    assert class_files(again) == class_files(twenty)
    other = make_variants(sheet, 20, 2027, formats=FORMATS)
    assert outputs.variants_json(other) != outputs.variants_json(twenty)


def test_worker_processes_write_the_same_bytes(twenty):
    sheet = load_sheet(EXAMPLE)
    parallel = make_variants(sheet, 20, 2026, formats=FORMATS, workers=2)
    assert class_files(parallel) == class_files(twenty)


def test_the_json_has_the_contract_shape(twenty):
    data = json.loads(outputs.variants_json(twenty))
    assert data["seed"] == 2026
    assert [v["variant"] for v in data["variants"]] == list(range(1, 21))
    assert set(data["rejected"]) == {"repeat", "dead-relu", "saturated", "rounds-to-zero"}
    first = data["variants"][0]
    assert first["problems"][0]["kind"] == "backprop"
    assert set(first["values"]["1"]) == set(_domains())


# -- the Moodle quiz -------------------------------------------------------------------------------

CLOZE = re.compile(r"\{1:NUMERICAL:=(-?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)\}")


def test_the_moodle_quiz_parses_and_carries_every_answer():
    sheet = small('w5 = { low = -1, high = 1, step = 0.25 }\n'
                  '"inputs.x1" = { choices = [0.5, 1, 2] }')
    result = make_variants(sheet, 5, 3, formats=FORMATS)
    xml = outputs.moodle_xml(result)
    root = ET.fromstring(xml)
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    cloze = questions[1:]
    assert [q.get("type") for q in cloze] == ["cloze"] * 5
    rows = list(csv.DictReader(io.StringIO(outputs.answers_csv(result))))
    for n, q in enumerate(cloze, start=1):
        assert q.find("name/text").text == f"Quiz & <friends>, variant {n}, problem 1"
        assert q.find("questiontext").get("format") == "html"
        html = q.find("questiontext/text").text
        fields = CLOZE.findall(html)
        wanted = [r for r in rows if r["variant"] == str(n)]
        # output, loss, 3 gradients, 3 updated values: and no field from the statement
        assert len(fields) == len(wanted) == 8
        for (value, tol), row in zip(fields, wanted):
            assert float(value) == float(row["value"])
            assert tol == "0.00005"
            # every correctly rounded answer is inside the tolerance
            assert abs(round(float(value), 4) - float(value)) <= float(tol)
        # user text is escaped: no tags, no cloze of its own, CDATA intact
        assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
        assert "&#123;1:NUMERICAL:=5:0&#125;" in html and "]]&gt;" in html
        assert html.count("{1:NUMERICAL") == 8
    assert "<![CDATA[" in xml
    assert "Quiz &amp; &lt;friends&gt;" in xml


def test_cdata_survives_its_own_end_marker():
    from symderiv.variants.moodle import quiz_xml

    root = ET.fromstring(quiz_xml("c", [("q", "a ]]> b")]))
    assert root.find("question[@type='cloze']/questiontext/text").text == "a ]]> b"


# -- the rejection rules, each forced -----------------------------------------------------------

def test_a_dead_relu_is_rejected():
    # b1 = -5 turns both hidden neurons off: every gradient before them is 0
    result = make_variants(small('b1 = { choices = [-5, 0.1, 0.2, 0.3] }\n'
                                 'w5 = { choices = [0.5, 0.7, 0.9] }'), 6, 0, formats=set())
    assert result.rejected["dead-relu"] > 0
    assert all(v.values["1"]["b1"] != -5 for v in result.variants)


def test_a_saturated_sigmoid_is_rejected():
    result = make_variants(small('b2 = { choices = [6, -6, 0.1, 0.2] }\n'
                                 'w5 = { choices = [0.5, 0.7, 0.9] }'), 6, 0, formats=set())
    assert result.rejected["saturated"] > 0
    assert all(abs(v.values["1"]["b2"]) < 4 for v in result.variants)


def test_an_answer_that_rounds_to_zero_is_rejected():
    # x2 = 0 makes ∂E/∂w2 = δ_h1 · x2 exactly 0
    result = make_variants(small('"inputs.x2" = { choices = [0, 0.5, 1] }\n'
                                 'w5 = { choices = [0.5, 0.7, 0.9] }', gradients='["w2"]'),
                           6, 0, formats=set())
    assert result.rejected["rounds-to-zero"] > 0
    assert all(v.values["1"]["inputs.x2"] != 0 for v in result.variants)


def test_a_repeat_is_drawn_again():
    result = make_variants(small("w5 = { choices = [0.5, 0.7, 0.9] }"), 3, 0, formats=set())
    assert result.rejected["repeat"] > 0
    assert sorted(str(v.values["1"]["w5"]) for v in result.variants) == ["1/2", "7/10", "9/10"]


def test_too_few_survivors_is_an_error_with_counts_by_reason(tmp_path, capsys):
    err = vary_cli_error(tmp_path, "dead.toml", "b1 = { choices = [-5, -6, -7, -8] }", capsys)
    assert re.fullmatch(r"symderiv: error: dead\.toml: only 0 of 3 variants survived 160 draws "
                        r"\(rejected: 160 dead-relu\); widen the \[problem\.vary\] ranges\n", err)


def test_more_variants_than_the_ranges_allow_is_an_error():
    with pytest.raises(InputError, match="allow 3 different variants; 4 were asked for"):
        make_variants(small("w5 = { choices = [0.5, 0.7, 0.9] }"), 4, 0)


# -- solve --questions-only ----------------------------------------------------------------------

def test_solve_questions_only_writes_the_sheet_without_solutions(tmp_path):
    assert main(["solve", "--questions-only", "-o", str(tmp_path), "--format", "tex"]) == 0
    tex = (tmp_path / "hw6-questions.tex").read_text(encoding="utf-8")
    assert "【解】" not in tex and r"\subsection*" not in tex
    for problem in ("第 2 题", "第 4 题", "第 5 题"):
        assert problem in tex
    assert r"w_{5} = 0.3" in tex             # the givens stay: the figure's values
    assert not (tmp_path / "hw6.tex").exists()


def test_solve_questions_only_refuses_the_answer_formats(tmp_path, capsys):
    assert main(["solve", "--questions-only", "-o", str(tmp_path), "--format", "tex,json"]) == 2
    assert "--questions-only: writes tex and pdf only; json would hold the answers" in \
        capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# -- the command end to end -----------------------------------------------------------------------

@pytest.mark.tex
def test_vary_writes_every_file_and_two_pdfs(tmp_path, run_cli):
    done = run_cli("vary", EXAMPLE, "-n", "3", "--seed", "5", "-o", tmp_path,
                   "--format", "pdf,tex,json,csv,moodle", timeout=300)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["variants-answers.csv", "variants-keys.pdf", "variants-keys.tex",
                     "variants-moodle.xml", "variants-questions.pdf",
                     "variants-questions.tex", "variants-variants.json"]
    assert done.stdout.splitlines()[0] == str(tmp_path / "variants-variants.json")
    assert "\r" not in done.stderr        # no progress bar when stderr is not a terminal
    for name in ("questions", "keys"):
        pdf = (tmp_path / f"variants-{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_shows_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    spec = tmp_path / "quiz.toml"
    spec.write_text(SMALL.format(vary="w5 = { choices = [0.5, 0.7, 0.9] }", gradients='["w5"]',
                                 loss="sse"), encoding="utf-8")
    args = ["vary", str(spec), "-n", "2", "--seed", "1", "-o", str(tmp_path / "a"),
            "--format", "csv"]
    assert main(args) == 0
    assert "\r" not in capsys.readouterr().err
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(args[:-3] + [str(tmp_path / "b"), "--format", "csv"]) == 0
    shown = terminal.getvalue()
    assert "\rvariants 1/2 [" in shown and "\rvariants 2/2 [" in shown and "s left" in shown
    assert (tmp_path / "a" / "quiz-answers.csv").read_bytes() == \
        (tmp_path / "b" / "quiz-answers.csv").read_bytes()
