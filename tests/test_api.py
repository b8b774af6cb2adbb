"""The library (contract §5.1): sheets from SymPy objects, results, display, errors.

Oracles: a forward pass and loss written here in mpmath at 50 digits, its gradients by
mpmath's numerical differentiation (not symderiv's chain rule), mpmath derivatives of the
activations, and exact integer arithmetic for the check document.
"""

import subprocess
import sys

import mpmath as mp
import pytest
import sympy as sp

import symderiv as sd

z = sp.Symbol("z")

# Mazur's "step by step backpropagation example": the seed's 2-2-2 sigmoid network, his
# weights, targets 0.01 and 0.99, half the sum of squared errors.
MAZUR_WEIGHTS = {"w1": ("i1", "h1", 0.15), "w2": ("i2", "h1", 0.20), "w3": ("i1", "h2", 0.25),
                 "w4": ("i2", "h2", 0.30), "w5": ("h1", "o1", 0.40), "w6": ("h2", "o1", 0.45),
                 "w7": ("h1", "o2", 0.50), "w8": ("h2", "o2", 0.55)}
MAZUR_BIASES = {"b1": (("h1", "h2"), 0.35), "b2": (("o1", "o2"), 0.60)}
MAZUR_INPUTS = {"i1": 0.05, "i2": 0.10}
MAZUR_TARGETS = {"o1": 0.01, "o2": 0.99}


def mazur_data(hidden_activation, weights=None, precision=9):
    weights = weights or {k: v for k, (_, _, v) in MAZUR_WEIGHTS.items()}
    return {"sheet": {"title": "Mazur", "lang": "en", "precision": precision},
            "problem": [{
                "id": "1", "kind": "backprop",
                "network": {
                    "inputs": ["i1", "i2"],
                    "layers": [{"neurons": ["h1", "h2"], "activation": hidden_activation},
                               {"neurons": ["o1", "o2"], "activation": "sigmoid"}],
                    "weights": {k: {"from": a, "to": b, "value": weights[k]}
                                for k, (a, b, _) in MAZUR_WEIGHTS.items()},
                    "biases": {k: {"to": list(to), "value": v}
                               for k, (to, v) in MAZUR_BIASES.items()}},
                "data": {"inputs": dict(MAZUR_INPUTS), "targets": dict(MAZUR_TARGETS)},
                "training": {"loss": "half-sse", "learning_rate": 0.5,
                             "gradients": ["w5", "w1"]}}]}


def mazur_loss_mp(**changed):
    """The loss, computed here in mpmath from the decimal values (the independent oracle)."""
    p = {k: mp.mpf(str(v)) for k, (_, _, v) in MAZUR_WEIGHTS.items()}
    p.update({k: mp.mpf(str(v)) for k, (_, v) in MAZUR_BIASES.items()})
    p.update(changed)
    x = {k: mp.mpf(str(v)) for k, v in MAZUR_INPUTS.items()}
    sig = lambda t: 1 / (1 + mp.exp(-t))
    h1 = sig(p["w1"] * x["i1"] + p["w2"] * x["i2"] + p["b1"])
    h2 = sig(p["w3"] * x["i1"] + p["w4"] * x["i2"] + p["b1"])
    o1 = sig(p["w5"] * h1 + p["w6"] * h2 + p["b2"])
    o2 = sig(p["w7"] * h1 + p["w8"] * h2 + p["b2"])
    return ((o1 - mp.mpf("0.01")) ** 2 + (o2 - mp.mpf("0.99")) ** 2) / 2


def mazur_gradient_mp(name):
    with mp.workdps(50):
        start = mp.mpf(str(MAZUR_WEIGHTS[name][2]))
        return mp.diff(lambda w: mazur_loss_mp(**{name: w}), start)


@pytest.fixture(scope="module")
def mazur():
    """Mazur's network with the hidden activation given as a SymPy expression in z."""
    return sd.solve(sd.sheet(mazur_data(1 / (1 + sp.exp(-z)))))


def test_mazur_from_sympy_objects_matches_mpmath_and_the_published_values(mazur):
    with mp.workdps(50):
        loss = mazur_loss_mp()
    j = mazur[0].to_json()
    oracle = {"loss": loss, "w5": mazur_gradient_mp("w5"), "w1": mazur_gradient_mp("w1")}
    assert abs(j["loss"] - float(oracle["loss"])) < 1e-15
    assert abs(j["gradients"]["w5"] - float(oracle["w5"])) < 1e-15
    assert abs(j["gradients"]["w1"] - float(oracle["w1"])) < 1e-15
    # Mazur's published digits (checked against the oracle, not trusted on their own)
    for value, published in ((oracle["loss"], "0.298371109"), (oracle["w5"], "0.082167041"),
                             (oracle["w1"], "0.000438568")):
        assert f"{float(value):.9f}" == published


def test_mazur_shows_its_numbers_in_the_notebook(mazur):
    s = mazur[0]
    shown = {f"{float(v):.9f}" for v in (mazur_loss_mp(), mazur_gradient_mp("w5"),
                                           mazur_gradient_mp("w1"))}
    assert shown == {"0.298371109", "0.082167041", "0.000438568"}
    latex, markdown = s._repr_latex_(), s._repr_markdown_()
    for number in shown:
        assert number in latex and number in markdown
    assert r"\documentclass" not in latex            # the problem's steps, not a document
    assert r"\frac{\partial E}{\partial w_{5}}" in latex
    assert s.id == "1" and s.kind == "backprop" and s.loss.value.value == s.to_json()["loss"]


def test_activation_as_lambda_name_or_expression_and_numbers_as_sympy_agree(mazur):
    exact = {k: sp.Rational(str(v)) for k, (_, _, v) in MAZUR_WEIGHTS.items()}
    exact["w5"] = sp.Rational(2, 5)
    by_lambda = sd.solve(sd.sheet(mazur_data(sp.Lambda(sp.Symbol("t"),
                                                       1 / (1 + sp.exp(-sp.Symbol("t")))),
                                             weights=exact)))
    by_name = sd.solve(sd.sheet(mazur_data("sigmoid")))
    x = sp.Symbol("x")
    by_other_variable = sd.solve(sd.sheet(mazur_data(1 / (1 + sp.exp(-x)))))
    by_text = sd.solve(sd.loads(_mazur_toml(), "mazur.toml"))
    for other in (by_lambda, by_name, by_text, by_other_variable):
        assert other[0].to_json()["gradients"] == pytest.approx(
            mazur[0].to_json()["gradients"], rel=1e-15, abs=0)


def _mazur_toml() -> str:
    edges = "\n".join(f'{k} = {{ from = "{a}", to = "{b}", value = "{v}" }}'
                      for k, (a, b, v) in MAZUR_WEIGHTS.items())
    return f"""
[sheet]
precision = 9
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = ["i1", "i2"]
layers = [{{ neurons = ["h1", "h2"], activation = "1/(1 + exp(-z))" }},
          {{ neurons = ["o1", "o2"], activation = "sigmoid" }}]
[problem.network.weights]
{edges}
[problem.network.biases]
b1 = {{ to = ["h1", "h2"], value = 0.35 }}
b2 = {{ to = ["o1", "o2"], value = 0.60 }}
[problem.data]
inputs = {{ i1 = 0.05, i2 = 0.10 }}
targets = {{ o1 = 0.01, o2 = 0.99 }}
[problem.training]
loss = "half-sse"
learning_rate = 0.5
gradients = ["w5", "w1"]
"""


def test_sympy_numbers_are_exact():
    data = mazur_data("sigmoid", weights={**{k: v for k, (_, _, v) in MAZUR_WEIGHTS.items()},
                                          "w5": sp.sqrt(2) / 2, "w6": sp.Rational(3, 20),
                                          "w7": sp.Float(0.15)})
    net = sd.sheet(data).problems[0].network
    assert net.weights["w5"].value == sp.sqrt(2) / 2
    assert net.weights["w6"].value == sp.Rational(3, 20)
    assert net.weights["w7"].value == sp.Rational(3, 20)   # a Float is the decimal it prints


# -- errors: the same places as the TOML loader's, one line, a ValueError ------------------

@pytest.mark.parametrize("change, where", [
    (lambda p: p["network"]["weights"]["w5"].update(to="o3"), "problem[1].network.weights.w5"),
    (lambda p: p["network"]["layers"][0].update(activation="z*foo(z)"),
     "problem[1].network.layers[1].activation"),
    (lambda p: p["training"].update(loss="hinge"), "problem[1].training.loss"),
    (lambda p: p["data"]["inputs"].update(i1="1/0"), "problem[1].data.inputs.i1"),
    (lambda p: p["network"]["weights"]["w1"].update(value=True),
     "problem[1].network.weights.w1.value"),
])
def test_a_dict_sheet_fails_where_the_toml_fails(change, where, tmp_path, capsys):
    import tomllib

    toml_data = tomllib.loads(_mazur_toml())
    change(toml_data["problem"][0])
    toml_text = _dump_toml(toml_data)
    with pytest.raises(sd.InputError) as from_toml:
        sd.loads(toml_text, "mazur.toml")
    with pytest.raises(sd.InputError) as from_dict:
        sd.sheet(toml_data, "mazur.toml")
    assert from_toml.value.what.startswith(where + ":")
    assert str(from_dict.value) == str(from_toml.value)
    assert isinstance(from_dict.value, ValueError)
    # the message is the command's line, word for word
    spec = tmp_path / "mazur.toml"
    spec.write_text(toml_text, encoding="utf-8")
    from symderiv.cli import main

    assert main(["solve", str(spec), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"{from_toml.value}\n"
    assert not (tmp_path / "out").exists()


def _dump_toml(data) -> str:
    """A small TOML writer for the test's own data (inline tables throughout)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
    lines = [f"{k} = {value(v)}" for k, v in data.items() if k != "problem"]
    for p in data["problem"]:
        lines.append("[[problem]]")
        lines += [f"{k} = {value(v)}" for k, v in p.items()]
    return "\n".join(lines) + "\n"


def _hidden(activation):
    return mazur_data(activation)


@pytest.mark.parametrize("activation, what", [
    (sp.Function("f")(z), "'f' is not a known function"),
    (sp.Integral(z, z), "Integral is not allowed"),
    (sp.I * z, "is not real"),
    (z + sp.oo, "is not finite"),
    (sp.Pow(z, 10**6, evaluate=False), "exponent"),
    (sp.Add(*sp.symbols("z0:2000")), "too large"),
    (z * sp.Symbol("w"), "'w' is not a variable here"),
    (sp.Symbol("x") * sp.Symbol("y"), "'y' is not a variable here"),
    (sp.Lambda((z, sp.Symbol("y")), z), "one variable"),
])
def test_hostile_sympy_activations_are_refused_at_their_place(activation, what):
    with pytest.raises(sd.InputError) as caught:
        sd.sheet(_hidden(activation))
    assert caught.value.where == "sheet"
    assert caught.value.what.startswith("problem[1].network.layers[1].activation: ")
    assert what in caught.value.what and "\n" not in str(caught.value)


def test_deep_sympy_expressions_are_refused_before_use():
    deep = z
    for _ in range(60):
        deep = sp.exp(deep)
    with pytest.raises(sd.InputError, match="nested too deeply"):
        sd.sheet(_hidden(deep))
    huge = sp.Integer(10) ** 2000
    data = mazur_data("sigmoid", weights={**{k: v for k, (_, _, v) in MAZUR_WEIGHTS.items()},
                                          "w5": huge})
    with pytest.raises(sd.InputError, match=r"problem\[1\]\.network\.weights\.w5\.value: .*digits"):
        sd.sheet(data)
    data["problem"][0]["network"]["weights"]["w5"]["value"] = z
    with pytest.raises(sd.InputError, match=r"w5\.value: 'z' is not a number"):
        sd.sheet(data)


def test_not_a_dict_and_bad_arguments():
    with pytest.raises(sd.InputError, match="expected a table"):
        sd.sheet(["not", "a", "dict"])
    with pytest.raises(sd.InputError, match="^symderiv: error: format: unknown format 'pdf'"):
        sd.render(sd.load(), "pdf")
    with pytest.raises(TypeError):
        sd.solve({"sheet": {}})
    with pytest.raises(sd.InputError, match="^symderiv: error: EXPR: attribute access"):
        sd.derive("__import__('os').system('true')")


# -- derive, verify, check, render --------------------------------------------------------------

def test_derive_tanh_given_as_sympy_has_the_output_form_checked_by_mpmath():
    d = sd.derive(sp.tanh(z))
    a = d.output
    assert d.verified and d.df_in_output is not None
    f_prime = sp.lambdify(a, d.df_in_output, "mpmath")
    for x in (-2.5, -0.3, 0.0, 0.7, 3.1):
        expected = mp.diff(mp.tanh, mp.mpf(x))
        assert abs(f_prime(mp.tanh(mp.mpf(x))) - expected) < 1e-12
    assert sp.expand(d.df_in_output - (1 - a**2)) == 0
    # in the caller's own symbol z: substituting it gives a number
    assert abs(float(d.df.subs(z, sp.Rational(7, 10))) - mp.diff(mp.tanh, mp.mpf("0.7"))) < 1e-14
    assert r"\left(1 + a\right) \left(1 - a\right)" in d._repr_latex_()


def test_derive_swish_and_verify_its_derivative():
    beta = sp.Symbol("beta")
    d = sd.derive(sp.Lambda(z, z / (1 + sp.exp(-beta * z))))
    assert d.variable == z and d.df_in_output is None and d.verified   # the caller's own z
    claimed = "sigmoid(beta*z) + beta*z*sigmoid(beta*z)*(1 - sigmoid(beta*z))"
    v = sd.verify(d.df, claimed)
    assert v.equal is True and v.to_json() == {"equal": True, "method": v.method,
                                               "counterexample": None}
    wrong = sd.verify(d.df, "sigmoid(beta*z)*(1 - sigmoid(beta*z))")
    assert wrong.equal is False
    point = wrong.counterexample["point"]   # exact decimals
    b, x = (mp.mpf(sp.Rational(point[name]).p) / sp.Rational(point[name]).q
            for name in ("beta", "z"))
    sig = lambda t: 1 / (1 + mp.exp(-t))
    lhs = sig(b * x) + b * x * sig(b * x) * (1 - sig(b * x))
    assert abs(lhs - sig(b * x) * (1 - sig(b * x))) > 1e-6
    assert abs(lhs - mp.mpf(wrong.counterexample["lhs"])) < 1e-12
    assert r"\neq" in wrong._repr_latex_()


def test_check_counts_a_wrong_line():
    text = ("$z = 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 = 0.3775$\n\n"
            "$2 \\cdot 3 = 7$\n\n$w_5 \\cdot 2 = 0.6$\n")
    report = sd.check(text, given={"w_5": sp.Rational(3, 10)})
    assert (report.checked, report.wrong, report.rounding) == (3, 1, 0)
    wrong = [item for item in report.items if item.status == "WRONG"]
    assert [item.line for item in wrong] == [3] and wrong[0].expected == 2 * 3
    assert report.to_json()["wrong"] == 1
    assert "| 3 | **WRONG** |" in report._repr_markdown_()
    assert r"3 & \mathbf{WRONG} & \text{6}" in report._repr_latex_()


def test_render_returns_documents():
    solutions = sd.solve(sd.load())
    tex = sd.render(solutions)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert sd.render(solutions[1:2], "md").startswith("# ")
    english = sd.render(sd.load(), "tex", lang="en")
    assert "Problem 4" in english and "\\documentclass" in english
    assert [s.id for s in solutions] == ["2", "4", "5"]
    assert solutions.to_json()["problems"][1] == solutions[1].to_json()


def test_import_symderiv_does_not_load_sympy():
    done = subprocess.run([sys.executable, "-c", "import sys, symderiv; "
                           "print(sorted(m for m in ('sympy', 'mpmath', 'jinja2') "
                           "if m in sys.modules)); print(symderiv.InputError.__mro__[1].__name__)"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "ValueError"]


def test_every_kind_shows_its_worked_steps(hw6_sheet, mlp_oracle):
    loss, gradient = mlp_oracle
    seed = ({("i1", "h1"): "0.15", ("i1", "h2"): "0.25", ("i2", "h1"): "0.20",
             ("i2", "h2"): "0.30", ("h1", "o1"): "0.30", ("h1", "o2"): "0.50",
             ("h2", "o1"): "0.45", ("h2", "o2"): "0.55"},
            {"h1": "0.35", "h2": "0.35", "o1": "0.60", "o2": "0.60"},
            {"i1": "0.05", "i2": "0.10"}, {"o1": "0.12", "o2": "0.95"})
    with mp.workdps(50):
        shown = [f"{float(loss(*seed)):.4f}", f"{float(gradient(('h1', 'o1'), *seed)):.4f}"]
    for s in sd.solve(hw6_sheet, "en"):
        latex, markdown = s._repr_latex_(), s._repr_markdown_()
        assert latex.startswith(f"\\section*{{Problem {s.id}}}")
        assert markdown.lstrip().startswith(f"## Problem {s.id}")
        if s.id == "4":
            for number in shown:
                assert number in latex and number in markdown
