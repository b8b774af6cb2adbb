"""`symderiv solve`: the JSON of contract §3, Markdown, formats, languages, and the rule that
nothing is written unless everything succeeded."""

import dataclasses
import json
import os
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from symderiv.cli import main
from symderiv.commands import solve as solve_command
from symderiv.calculus.latex import format_decimal

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def builtin_json(tmp_path_factory):
    """The built-in sheet solved by a real process (`python -m symderiv solve`)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("solve")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    result = subprocess.run([sys.executable, "-m", "symderiv", "solve", "-o", str(out),
                             "--format", "json,md"], capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(out / "hw6.json"), str(out / "hw6.md")]
    return json.loads((out / "hw6.json").read_text(encoding="utf-8")), out


def by_id(data, pid):
    return next(p for p in data["problems"] if p["id"] == pid)


def test_top_level_and_sheet_keys(builtin_json):
    data, _ = builtin_json
    assert set(data) == {"sheet", "problems"}
    assert data["sheet"] == {"title": "人工智能基础 第 6 次作业", "lang": "zh", "precision": 4}
    assert [p["id"] for p in data["problems"]][:2] == ["2", "4"]


def test_backprop_keys_match_the_contract(builtin_json):
    p = by_id(builtin_json[0], "4")
    assert p["kind"] == "backprop"
    assert {"id", "kind", "preactivations", "activations", "loss", "gradients", "updated",
            "chains"} <= set(p)
    assert "losses" not in p                       # one step only
    assert list(p["preactivations"]) == list(p["activations"]) == ["h1", "h2", "o1", "o2"]
    trained = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]
    assert list(p["gradients"]) == list(p["updated"]) == trained
    assert list(p["chains"]) == ["w5", "w6"]       # only the ones the sheet shows
    for factors in p["chains"].values():
        assert len(factors) == 3
        assert all(set(f) == {"factor", "value"} for f in factors)
        assert all(f["factor"].startswith(r"\frac{\partial ") for f in factors)
    numbers = [p["loss"], *p["gradients"].values(), *p["updated"].values(),
               *p["preactivations"].values(), *p["activations"].values()]
    assert all(isinstance(v, float) for v in numbers)
    assert p["preactivations"]["h1"] == 0.3775     # 0.15·0.05 + 0.2·0.1 + 0.35, exactly
    # full double precision: more digits than any sheet shows
    assert len(repr(p["activations"]["o1"]).split(".")[1]) >= 15


def test_xor_keys_match_the_contract(builtin_json):
    p = by_id(builtin_json[0], "2")
    assert p["kind"] == "xor"
    assert {"truth_table", "solves_xor", "linear_impossible"} <= set(p)
    assert all(set(r) == {"x1", "x2", "hidden", "y", "expected"} for r in p["truth_table"])
    assert [r["expected"] for r in p["truth_table"]] == [a ^ b for a, b in
                                                         ((0, 0), (0, 1), (1, 0), (1, 1))]
    assert p["solves_xor"] is True and p["linear_impossible"] is True


def test_markdown_shows_the_same_numbers_rounded(builtin_json):
    data, out = builtin_json
    md = (out / "hw6.md").read_text(encoding="utf-8")
    p = by_id(data, "4")
    lines = md.splitlines()
    assert lines[0] == "# 人工智能基础 第 6 次作业"
    assert sum("50" in line and "4" in line for line in lines[:4]) == 1  # the precision note
    shown = lambda v: format_decimal(Fraction(v), 4)  # noqa: E731
    assert (f"- $z_{{h1}} = w_{{1}} i_{{1}} + w_{{3}} i_{{2}} + b_{{1}} = 0.15 \\cdot 0.05 + "
            f"0.2 \\cdot 0.1 + 0.35 = {shown(p['preactivations']['h1'])}$") in lines
    o1 = shown(p["activations"]["o1"])
    assert f"- $o_{{1}} = \\sigma\\left(z_{{1}}\\right) = \\sigma\\left(" \
           f"{shown(p['preactivations']['o1'])}\\right) = {o1}$" in lines
    w5 = [line for line in lines if line.startswith(r"- $\frac{\partial e}{\partial w_{5}} = ")]
    assert len(w5) == 1 and w5[0].endswith(f"= {shown(p['gradients']['w5'])}$")
    assert f"- $w_{{5}}' = w_{{5}} - \\eta \\frac{{\\partial e}}{{\\partial w_{{5}}}} = 0.3 - " \
           f"0.1 \\cdot {shown(p['gradients']['w5'])} = {shown(p['updated']['w5'])}$" in lines
    assert "$$y = " in md and "$0 = -2$" in md


# -- in-process: options, formats, the all-or-nothing rule ------------------------------------

LINEAR = """
    [sheet]
    title = "fit <b>"
    [[problem]]
    id = "1"
    kind = "backprop"
    [problem.network]
    inputs = ["x"]
    layers = [{ neurons = ["y"], activation = "linear" }]
    [problem.network.weights]
    w = { from = "x", to = "y", value = 0.5 }
    [problem.network.biases]
    c = { to = "y", value = 0.25 }
    [problem.data]
    examples = [{ inputs = { x = 1 }, targets = { y = 2 } },
                { inputs = { x = 3 }, targets = { y = 1 } }]
    [problem.training]
    loss = "mse"
    learning_rate = 0.05
    gradients = ["w"]
    train = ["w"]
    steps = 12
"""


@pytest.fixture
def in_tmp(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def solve(*args, text=None, name="fit.toml"):
        if text is not None:
            (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
        code = main(["solve", *map(str, args)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return solve


def test_several_steps_and_examples_against_exact_gradient_descent(in_tmp, tmp_path):
    code, out, err = in_tmp("fit.toml", "-o", "o", "--format", "json", text=LINEAR)
    assert (code, err) == (0, "")
    (p,) = json.loads((tmp_path / "o" / "fit.json").read_text())["problems"]
    # The oracle: mse over two examples, w trained, c fixed, in exact fractions.
    w, c, eta = Fraction(1, 2), Fraction(1, 4), Fraction(1, 20)
    data = [(1, 2), (3, 1)]
    losses = []
    for _ in range(12):
        losses.append(sum((w * x + c - t) ** 2 for x, t in data) / 2)
        w -= eta * sum(2 * (w * x + c - t) * x for x, t in data) / 2
    losses.append(sum((w * x + c - t) ** 2 for x, t in data) / 2)
    assert len(p["losses"]) == 13
    assert all(abs(a - float(b)) < 1e-12 for a, b in zip(p["losses"], losses))
    assert abs(p["updated"]["w"] - float(w)) < 1e-12
    assert list(p["updated"]) == ["w"] and list(p["gradients"]) == ["w"]
    # several examples: a value per example, in order
    assert p["preactivations"]["y"] == [0.75, 1.75]
    assert abs(p["loss"] - float(losses[0])) < 1e-12


def test_markdown_escapes_user_text_and_tables_the_losses(in_tmp, tmp_path):
    code, _, _ = in_tmp("fit.toml", "-o", "o", "--format", "md", "--lang", "en", text=LINEAR)
    assert code == 0
    md = (tmp_path / "o" / "fit.md").read_text()
    assert md.startswith("# fit &lt;b&gt;\n")
    assert "| 12 |" in md and "| 13 |" not in md       # the losses before each step and after


def test_lang_switches_title_and_statements(hw6_sheet):
    from symderiv.problems import solve_sheet

    sheet = hw6_sheet
    first_two = dataclasses.replace(sheet, problems=sheet.problems[:2])  # 2 and 4 suffice
    english = solve_sheet(first_two, "en")
    assert english.lang == "en"
    assert english.title == "Introduction to Artificial Intelligence, Homework 6"
    assert english.problems[1].statement.startswith("The two-input feed-forward network")
    chinese = solve_sheet(first_two)
    assert chinese.lang == "zh" and chinese.title == "人工智能基础 第 6 次作业"
    assert chinese.problems[1].statement.startswith("现有两输入的前馈神经网络")


def test_default_formats_are_the_registered_ones(monkeypatch):
    monkeypatch.setattr(solve_command, "WRITERS", {k: v for k, v in solve_command.WRITERS.items()
                                                   if k in ("json", "md")})
    assert solve_command._formats(None) == ["json"]          # md is never a default
    assert solve_command._formats("md, json,md") == ["md", "json"]


def test_asking_for_an_unbuilt_format_says_so(in_tmp, tmp_path, monkeypatch):
    monkeypatch.setattr(solve_command, "WRITERS", {k: v for k, v in solve_command.WRITERS.items()
                                                   if k in ("json", "md")})
    code, out, err = in_tmp("-o", "o", "--format", "json,tex")
    assert code == 2 and out == ""
    assert err == ("symderiv: error: --format: tex output is not built yet; formats "
                   "available: json, md\n")
    assert not (tmp_path / "o").exists()


def test_unknown_format_and_bad_output_folder(in_tmp, tmp_path):
    code, _, err = in_tmp("-o", "o", "--format", "docx")
    assert code == 2 and "unknown format 'docx'" in err and not (tmp_path / "o").exists()
    (tmp_path / "file").write_text("x")
    code, _, err = in_tmp("-o", "file", "--format", "json")
    assert code == 2 and err == "symderiv: error: -o: file: exists and is not a folder\n"


def test_two_specs_with_one_stem_are_refused(in_tmp, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "fit.toml").write_text(textwrap.dedent(LINEAR))
    code, _, err = in_tmp("fit.toml", "a/fit.toml", "-o", "o", "--format", "json", text=LINEAR)
    assert code == 2 and "a/fit.toml: has the same name as fit.toml" in err
    assert not (tmp_path / "o").exists()


def test_user_templates_come_first(in_tmp, tmp_path):
    (tmp_path / "tpl" / "md").mkdir(parents=True)
    (tmp_path / "tpl" / "md" / "backprop.md.j2").write_text(
        "custom loss {{ p.loss.value|num }}\n")
    code, _, _ = in_tmp("fit.toml", "-o", "o", "--format", "md", "--templates", "tpl",
                        text=LINEAR)
    assert code == 0
    md = (tmp_path / "o" / "fit.md").read_text()
    assert "custom loss 1.0625" in md                  # ((0.75−2)² + (1.75−1)²) / 2


DEEP = """
    [[problem]]
    kind = "backprop"
    [problem.network]
    inputs = 2
    layers = [{ size = 3, activation = "tanh", init = { seed = 11, scale = 1 } },
              { size = 2, activation = "sigmoid", init = { seed = 12, scale = 1 } },
              { size = 1, activation = "linear", init = { seed = 13, scale = 1 } }]
    [problem.data]
    inputs = [0.5, -1]
    targets = [0.25]
    [problem.training]
    loss = "half-sse"
    learning_rate = 0.1
    gradients = ["w1_2_1"]
"""


def test_the_backward_pass_shows_every_delta_a_chain_needs():
    import mpmath as mp

    from symderiv.problems import solve_sheet
    from symderiv.spec import load_sheet_text

    (p,) = solve_sheet(load_sheet_text(textwrap.dedent(DEEP), "deep.toml")).problems
    (deltas,) = p.deltas
    # ∂E/∂n1_2 = Σ_k w2_k_2 δ(n2_k); δ(n2_k) refers to δ(n3_1): both layers, output first
    assert list(deltas) == ["n3_1", "n2_1", "n2_2"]
    # The oracle: δ_n = ∂E/∂z_n by mpmath differentiation of a hand-written forward pass
    # in which z_n is shifted by t.
    net = p.network
    exact = net.parameters()                      # Rationals from the seeded init

    def value(name):
        return mp.mpf(exact[name].p) / exact[name].q
    act = {1: mp.tanh, 2: lambda z: 1 / (1 + mp.exp(-z)), 3: lambda z: z}

    def loss(shifted, t):
        a = {"x1": mp.mpf(1) / 2, "x2": mp.mpf(-1)}
        for index, layer in enumerate(net.layers, start=1):
            for n in layer.neurons:
                z = sum(value(e.name) * a[e.source] for e in net.weights.values()
                        if e.target == n) + value(f"b{n[1:]}")
                a[n] = act[index](z + (t if n == shifted else 0))
        return (a["n3_1"] - mp.mpf(1) / 4) ** 2 / 2

    with mp.workdps(40):
        for n, step in deltas.items():
            assert abs(step.value.value - mp.diff(lambda t: loss(n, t), 0)) < 1e-12, n


# -- exact givens, the parameters reported, and sheets with hundreds of parameters -------------

SEED_LIKE = """
    [[problem]]
    kind = "backprop"
    [problem.network]
    inputs = ["i1", "i2"]
    layers = [{ neurons = ["h1", "h2"], activation = "sigmoid" },
              { neurons = ["o1", "o2"], activation = "sigmoid" }]
    [problem.network.weights]
    w1 = { from = "i1", to = "h1", value = "sqrt(2)/2" }
    w2 = { from = "i1", to = "h2", value = "pi/10" }
    w3 = { from = "i2", to = "h1", value = 0.20 }
    w4 = { from = "i2", to = "h2", value = 0.30 }
    w5 = { from = "h1", to = "o1", value = 0.30 }
    w6 = { from = "h1", to = "o2", value = 0.50 }
    w7 = { from = "h2", to = "o1", value = 0.45 }
    w8 = { from = "h2", to = "o2", value = 0.55 }
    [problem.network.biases]
    b1 = { to = ["h1", "h2"], value = 0.35 }
    b2 = { to = ["o1", "o2"], value = 0.60 }
    [problem.data]
    inputs = { i1 = "sqrt(2)/2", i2 = 0.10 }
    targets = { o1 = 0.12, o2 = 0.95 }
    [problem.training]
    loss = "sse"
    learning_rate = 0.125
    gradients = ["w5", "w6"]
    train = ["w1", "b2"]
"""


def seed_like_oracle():
    """The network above by hand in mpmath: forward pass, loss and its gradients."""
    import mpmath as mp

    sig = lambda x: 1 / (1 + mp.exp(-x))  # noqa: E731
    with mp.workdps(40):
        w = {"w1": mp.sqrt(2) / 2, "w2": mp.pi / 10, "w3": mp.mpf("0.2"), "w4": mp.mpf("0.3"),
             "w5": mp.mpf("0.3"), "w6": mp.mpf("0.5"), "w7": mp.mpf("0.45"),
             "w8": mp.mpf("0.55"), "b1": mp.mpf("0.35"), "b2": mp.mpf("0.6")}
        i1, i2, y1, y2 = mp.sqrt(2) / 2, mp.mpf("0.1"), mp.mpf("0.12"), mp.mpf("0.95")

        def loss(p):
            h1 = sig(p["w1"] * i1 + p["w3"] * i2 + p["b1"])
            h2 = sig(p["w2"] * i1 + p["w4"] * i2 + p["b1"])
            o1 = sig(p["w5"] * h1 + p["w7"] * h2 + p["b2"])
            o2 = sig(p["w6"] * h1 + p["w8"] * h2 + p["b2"])
            return (o1 - y1) ** 2 + (o2 - y2) ** 2

        grads = {k: mp.diff(lambda t: loss({**w, k: t}), w[k]) for k in w}
        z_h1 = w["w1"] * i1 + w["w3"] * i2 + w["b1"]
        return {"z_h1": float(z_h1), "loss": float(loss(w)), "grads": grads, "w": w}


def test_exact_irrational_givens_and_every_reported_parameter(in_tmp, tmp_path):
    code, out, err = in_tmp("fit.toml", "-o", "o", "--format", "json", text=SEED_LIKE)
    assert (code, err) == (0, "")
    (p,) = json.loads((tmp_path / "o" / "fit.json").read_text())["problems"]
    oracle = seed_like_oracle()
    assert p["preactivations"]["h1"] == pytest.approx(oracle["z_h1"], rel=1e-15)
    assert p["loss"] == pytest.approx(oracle["loss"], rel=1e-15)
    # gradients and updated: every trained parameter and every one the sheet shows, in the
    # network's order; the shown but untrained w5, w6 keep their given values
    assert list(p["gradients"]) == list(p["updated"]) == ["w1", "w5", "w6", "b2"]
    for k, g in p["gradients"].items():
        assert g == pytest.approx(float(oracle["grads"][k]), rel=1e-12), k
    eta = 0.125
    assert p["updated"]["w1"] == pytest.approx(float(oracle["w"]["w1"] - eta *
                                                     oracle["grads"]["w1"]), rel=1e-15)
    assert p["updated"]["b2"] == pytest.approx(0.6 - eta * float(oracle["grads"]["b2"]))
    assert (p["updated"]["w5"], p["updated"]["w6"]) == (0.3, 0.5)


def test_the_solution_marks_the_given_values():
    from symderiv.problems import solve_sheet
    from symderiv.spec import load_sheet_text

    (s,) = solve_sheet(load_sheet_text(textwrap.dedent(SEED_LIKE), "fit.toml")).problems
    (ex,) = s.examples
    assert all(v.given for v in (*ex.inputs.values(), *ex.targets.values(), s.learning_rate))
    assert ex.inputs["i1"].exact == sp.sqrt(2) / 2          # exact, as written
    assert s.updated["w5"].given and s.updated["w5"].exact == sp.Rational(3, 10)
    # computed values are not: they are rounded where they are printed
    assert not s.updated["w1"].given and not s.loss.value.given
    assert not any(n.z.value.given or n.a.value.given for n in ex.neurons)
    assert not any(v.given for v in s.all_gradients.values())


WIDE = """
    [[problem]]
    kind = "backprop"
    [problem.network]
    inputs = 10
    layers = [{ size = 10, activation = "tanh", init = { seed = 7, scale = 0.5 } },
              { size = 3, activation = "sigmoid", init = { seed = 8, scale = 0.5 } }]
    [problem.data]
    inputs = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8, 0.9, -1]
    targets = [1, 0, 1]
    [problem.training]
    loss = "sse"
    learning_rate = 0.1
    gradients = "all"
"""


def test_a_sheet_works_out_a_bounded_number_of_chains_and_lists_the_rest():
    import mpmath as mp

    from symderiv.problems import solve_sheet
    from symderiv.problems.backprop import SHEET_CHAINS
    from symderiv.spec import load_sheet_text

    (s,) = solve_sheet(load_sheet_text(textwrap.dedent(WIDE), "wide.toml")).problems
    names = list(s.network.parameters())
    assert len(names) == 143 and s.asked == tuple(names) and s.asked_all
    # one example: one chain per parameter, so the first SHEET_CHAINS are worked out
    assert list(s.gradients) == names[:SHEET_CHAINS]
    assert s.listed == tuple(names[SHEET_CHAINS:])
    data = s.to_json()
    assert list(data["gradients"]) == list(data["updated"]) == names
    assert list(data["chains"]) == names[:SHEET_CHAINS]
    assert data["chains_not_shown"] == names[SHEET_CHAINS:]
    # the oracle: mpmath differentiation of a hand-written forward pass, for a listed
    # weight of each layer and a listed bias
    params = s.network.parameters()
    x = [mp.mpf(v) / 10 for v in (1, -2, 3, -4, 5, -6, 7, -8, 9, -10)]

    def loss(name, t):
        value = lambda k: t if k == name else mp.mpf(params[k].p) / params[k].q  # noqa: E731
        h = [mp.tanh(sum(value(f"w1_{j}_{k}") * x[k - 1] for k in range(1, 11))
                     + value(f"b1_{j}")) for j in range(1, 11)]
        o = [1 / (1 + mp.exp(-(sum(value(f"w2_{j}_{k}") * h[k - 1] for k in range(1, 11))
                                + value(f"b2_{j}")))) for j in range(1, 4)]
        return sum((oj - yj) ** 2 for oj, yj in zip(o, (1, 0, 1)))

    with mp.workdps(40):
        for name in ("w1_9_3", "w2_2_7", "b1_4", "b2_3"):
            assert name in s.listed
            at = mp.mpf(params[name].p) / params[name].q
            expected = mp.diff(lambda t: loss(name, t), at)
            assert data["gradients"][name] == pytest.approx(float(expected), rel=1e-12), name
            assert data["updated"][name] == pytest.approx(float(at - expected / 10), rel=1e-12)
