"""How a backprop sheet's words read, on every backprop example in both languages: what a
careful reader of the rendered pages found (issue 14's page review), asserted on the .tex.

Oracles: the spec files themselves (their loss, their number of examples, their titles),
and the derivative the sheet states for a loss that is one output (∂o₁/∂z₂ = 0, by
sympy.diff of the network's own formula, a second route).
"""

import re
import tomllib

import pytest
import sympy as sp

from symderiv.problems import solve_sheet
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown
from symderiv.resources import examples_dir
from symderiv.spec import load_sheet

BACKPROP = sorted(p.stem for p in examples_dir().glob("*.toml")
                  if 'kind = "backprop"' in p.read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _rendered(render):
    """(example name, language) -> the example's sheet rendered by ``render``, each once."""
    cache = {}

    def get(name, lang):
        if (name, lang) not in cache:
            sheet = load_sheet(examples_dir() / f"{name}.toml")
            cache[name, lang] = render(solve_sheet(sheet, lang))
        return cache[name, lang]

    return get


@pytest.fixture(scope="module")
def sheets():
    return _rendered(render_sheet)


@pytest.fixture(scope="module")
def markdown():
    return _rendered(render_markdown)


def _spec(name):
    return tomllib.loads((examples_dir() / f"{name}.toml").read_text(encoding="utf-8"))


def test_the_backprop_examples_are_the_ones_reviewed():
    assert {"classifier", "deep_tanh", "mazur", "optimizers", "variants"} <= set(BACKPROP)


@pytest.mark.parametrize("name", BACKPROP)
def test_a_zh_sheet_has_a_chinese_title(name, sheets):
    title = _spec(name)["sheet"]["title"]
    assert isinstance(title, dict) and CJK.search(title["zh"])   # mazur's was English only
    head = sheets(name, "zh").split(r"\begin{document}", 1)[1][:400]
    assert title["zh"] in head


@pytest.mark.parametrize("name", BACKPROP)
def test_no_article_twice_and_no_colon_before_an_opening_sentence(name, sheets):
    en = sheets(name, "en")
    assert not re.search(r"\bthe the\b", en)
    # the backward pass's openings are sentences when layer headings follow, not a colon
    # chained to the next sentence ("... back: Each gradient is then ...")
    for lang, text in (("en", en), ("zh", sheets(name, "zh"))):
        assert not re.search(r"[:：]\s*(?:\\noindent\s*)?(By the chain|Each gradient|A gradient|"
                             r"根据链式|于是每个|经过未单独)", text), lang


@pytest.mark.parametrize("name", BACKPROP)
def test_the_examples_note_says_how_this_loss_treats_them(name, sheets):
    problems = _spec(name)["problem"]
    en = sheets(name, "en")
    several = [p for p in problems if len(p.get("data", {}).get("examples", [])) > 1]
    losses = {p["training"]["loss"] for p in several}
    assert ("summed over them" in en) == bool(losses - {"mse"})
    assert ("averaged over them" in en) == ("mse" in losses)
    assert not re.search(r"\bmse\b", sheets(name, "zh"))


def _one_example(name) -> bool:
    return all(len(p.get("data", {}).get("examples", [])) <= 1 for p in _spec(name)["problem"])


# sheets over several examples number their chains on purpose: the chains say which
@pytest.mark.parametrize("name", [n for n in BACKPROP if _one_example(n)])
def test_one_example_chains_are_not_numbered(name, sheets):
    assert "Example 1" not in sheets(name, "en")
    assert "样本 1" not in sheets(name, "zh")


def test_the_delta_of_an_output_the_loss_is_not_is_zero_not_a_zero_product(sheets):
    """optimizers.toml problem 5: E = o₁, so ∂E/∂z_{o2} is 0 (sympy.diff of σ(z₁) in z₂);
    the sheet writes that 0, not 0σ(z_{o2})(1 − σ(z_{o2}))."""
    z1, z2 = sp.symbols("z1 z2")
    assert sp.diff(1 / (1 + sp.exp(-z1)), z2) == 0
    tex = sheets("optimizers", "en")
    assert re.search(r"\\frac\{\\partial E\}\{\\partial z_\{o2\}\} &= 0\s*(\\\\|\\end)", tex)
    assert not re.search(r"&= 0 ?\\sigma|= 0 ?o_\{2\}", tex)


def test_an_optimiser_s_steps_are_not_called_gradient_descent(sheets):
    problems = _spec("optimizers")["problem"]
    tex = sheets("optimizers", "en")
    optimised = [p for p in problems if "optimizer" in p.get("training", {})]
    assert optimised
    assert tex.count("steps of the optimiser below") == len(optimised)


def test_two_formula_activations_are_not_both_captioned_f():
    """A formula's registry name is f: under two layers of different formulas the diagram
    would name two functions alike. Each caption is its own formula, read back by sympy."""
    from symderiv.spec import load_sheet_text
    from test_bad_specs import BASE

    spec = BASE.replace('{ neurons = ["h1", "h2"], activation = "sigmoid" }',
                        '{ neurons = ["h1", "h2"], activation = "1/(1 + z**2)" }')
    spec = spec.replace('{ neurons = ["o1", "o2"], activation = "sigmoid" }',
                        '{ neurons = ["o1", "o2"], activation = "z/(1 + abs(z))" }')
    tex = render_sheet(solve_sheet(load_sheet_text(spec, "formula.toml"), "en"))
    captions = re.findall(r"\\node\[activation\] at \([^)]*\) \{\$(.*)\$\};", tex)
    assert len(captions) == 2 and captions[0] != captions[1]
    assert all(r"\frac" in c for c in captions)
    assert "{$f$}" not in tex


# -- the Markdown of the same sheets ------------------------------------------------------------

@pytest.mark.parametrize("name", BACKPROP)
def test_a_zh_markdown_case_split_is_in_chinese(name, markdown):
    text = markdown(name, "zh")
    assert "otherwise" not in text and r"\text{for}" not in text
    if r"\begin{cases}" in text:
        assert r"\text{若}" in text and r"\text{其他}" in text


def test_the_classifier_s_31_one_row_gradients_share_one_heading(markdown):
    """3·4 + 4 + 4·3 + 3 = 31 parameters (counted from the spec's shapes), each ∂E/∂p one
    row citing its δ: one heading over all of them, not 31 headings of one row each."""
    spec = _spec("classifier")["problem"][0]["network"]
    shapes = [spec["inputs"]] + [layer["size"] for layer in spec["layers"]]
    count = sum(a * b + b for a, b in zip(shapes, shapes[1:]))
    assert count == 31
    text = markdown("classifier", "en")
    rows = re.findall(r"^- \$\\frac\{\\partial E\}\{\\partial [wb]\^", text, re.M)
    assert len(rows) == count
    assert not re.search(r"^#### \$\\frac\{\\partial E\}\{\\partial [wb]", text, re.M)
    assert text.count("#### Gradients from the δ above") == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_step_tables_say_what_they_hold(markdown, lang):
    text = markdown("classifier", lang)
    tables = [m.start() for m in re.finditer(r"^\| ", text, re.M)
              if m.start() == 0 or text[m.start() - 2:m.start()] == "\n\n"]
    assert len(tables) == 2
    for start in tables:   # each table follows a sentence ending in a colon
        before = text[:start].rstrip().splitlines()[-1]
        assert before.endswith((":", "：")), before
