"""What a new user met (issue 14's "also found"): cross-entropy against targets that are
not one-hot is said so; an output named y has the target t; errors list what is valid;
Markdown keeps ordinary punctuation; quotes open and close; JSON holds the initial values
drawn by ``init = { seed }``.

Oracles: PyTorch (the softmax cross-entropy gradient against soft targets, a forward pass
from the JSON's initial values), the spec text itself, the rendered text.
"""

import json

import pytest

from symderiv import cli
from symderiv.problems import solve_sheet
from symderiv.render.escape import escape_markdown, escape_tex
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown
from symderiv.spec import load_sheet_text
from test_bad_specs import BASE

SOFT_TARGETS = BASE.replace('{ neurons = ["o1", "o2"], activation = "sigmoid" }',
                            '{ neurons = ["o1", "o2"], activation = "softmax" }').replace(
    'loss = "sse"', 'loss = "ce"').replace("targets = { o1 = 0.12, o2 = 0.95 }",
                                           "targets = { o1 = 0.3, o2 = 0.5 }")


@pytest.mark.parametrize("lang, words", [("en", "not one-hot"), ("zh", "不是独热向量")])
def test_cross_entropy_against_soft_targets_is_said_so(lang, words):
    sheet = solve_sheet(load_sheet_text(SOFT_TARGETS, "soft.toml"), lang)
    assert sheet.problems[0].ce_target_sums[0].value == 0.8
    tex = render_sheet(sheet)
    assert words in tex and "0.8" in tex
    one_hot = SOFT_TARGETS.replace("targets = { o1 = 0.3, o2 = 0.5 }",
                                   "targets = { o1 = 0, o2 = 1 }")
    plain = solve_sheet(load_sheet_text(one_hot, "h.toml"), lang)
    assert plain.problems[0].ce_target_sums is None


@pytest.mark.torch
def test_soft_target_gradients_match_torch():
    import torch

    sheet = solve_sheet(load_sheet_text(SOFT_TARGETS, "soft.toml"), "en")
    solution = sheet.problems[0]
    p = {k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
         for k, v in solution.network.parameters().items()}
    i1, i2 = 0.05, 0.10
    h1 = torch.sigmoid(p["w1"] * i1 + p["w3"] * i2 + p["b1"])
    h2 = torch.sigmoid(p["w2"] * i1 + p["w4"] * i2 + p["b1"])
    z = torch.stack([p["w5"] * h1 + p["w7"] * h2 + p["b2"], p["w6"] * h1 + p["w8"] * h2 + p["b2"]])
    y = torch.tensor([0.3, 0.5], dtype=torch.float64)
    (-(y * torch.log_softmax(z, dim=0)).sum()).backward()
    for name in ("w5", "w6"):
        assert solution.all_gradients[name].value == pytest.approx(float(p[name].grad), abs=1e-12)


def test_an_output_named_y_has_the_target_t():
    spec = BASE.replace('"o1", "o2"', '"y", "o2"').replace('"o1"', '"y"').replace(
        "o1 = 0.12", "y = 0.12").replace('to = ["y", "o2"]', 'to = ["y", "o2"]')
    tex = render_sheet(solve_sheet(load_sheet_text(spec, "y.toml"), "en"))
    assert "y_{y}" not in tex and r"\left( t, y_{o2}\right)" in tex


@pytest.mark.parametrize("args, listed", [
    (["derive", "acosh(z)"], "'acosh' is not a known function; known: Heaviside, Phi, abs"),
])
def test_errors_list_what_is_valid(args, listed, capsys):
    assert cli.main(args) == 2
    assert listed in capsys.readouterr().err


def test_an_unknown_parameter_lists_the_parameters(tmp_path, capsys):
    spec = tmp_path / "x0.toml"
    spec.write_text(BASE.replace('gradients = ["w5", "w6"]', 'gradients = ["x0"]'))
    assert cli.main(["solve", str(spec), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'x0'; parameters: w1, w2, w3, w4, w5, w6, w7, w8, b1, b2" in err


def test_markdown_keeps_ordinary_punctuation_and_tex_sets_quotes():
    assert escape_markdown("A 3-4-3 network (e.g. ReLU/softmax): done!") == \
        "A 3-4-3 network (e.g. ReLU/softmax): done!"
    assert escape_markdown("- a list") == r"\- a list" and escape_markdown("1. x") == r"1\. x"
    assert escape_tex('The "dying ReLU" problem') == \
        r"The \textquotedblleft{}dying ReLU\textquotedblright{} problem"
    md = render_markdown(solve_sheet(load_sheet_text(
        BASE.replace('title = "bad specs"', 'title = "A 3-4-3 sheet"'), "t.toml"), "en"))
    assert md.splitlines()[0] == "# A 3-4-3 sheet"


DRAWN = """
[sheet]
title = "drawn"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = 2
layers = [ { size = 3, activation = "tanh", init = { seed = 7, scale = 0.5 } },
           { size = 1, activation = "sigmoid", init = { seed = 8, scale = 0.5 } } ]
[problem.data]
inputs = { x1 = 0.5, x2 = -1 }
targets = { n2_1 = 1 }
[problem.training]
loss = "half-sse"
learning_rate = 0.1
gradients = ["w1_1_1"]
"""


@pytest.mark.torch
def test_json_holds_the_drawn_initial_values_that_reproduce_the_forward_pass():
    import torch

    out = solve_sheet(load_sheet_text(DRAWN, "drawn.toml")).problems[0].to_json()
    initial = json.loads(json.dumps(out))["initial"]
    assert len(initial) == 3 * 2 + 3 + 3 + 1
    W1 = torch.tensor([[initial[f"w1_{j}_{k}"] for k in (1, 2)] for j in (1, 2, 3)],
                      dtype=torch.float64)
    b1 = torch.tensor([initial[f"b1_{j}"] for j in (1, 2, 3)], dtype=torch.float64)
    W2 = torch.tensor([[initial[f"w2_1_{k}"] for k in (1, 2, 3)]], dtype=torch.float64)
    x = torch.tensor([0.5, -1.0], dtype=torch.float64)
    o = torch.sigmoid(W2 @ torch.tanh(W1 @ x + b1) + initial["b2_1"])
    assert out["activations"]["n2_1"] == pytest.approx(float(o[0]), abs=1e-12)
