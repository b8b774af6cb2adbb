"""`symderiv export` and symderiv.export.export: every format run (or parsed) and held to
independent oracles: mpmath (closed forms at 30 digits, numerical differentiation), a
hand-written mpmath forward/backward pass of Mazur's network, PyTorch autograd, and
symderiv's own evaluator and backprop walk."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from symderiv import __version__
from symderiv.calculus.activations import names, resolve
from symderiv.errors import InputError
from symderiv.export import FORMATS, export
from symderiv.export.formulas import problem_formulas
from symderiv.nets import backprop
from symderiv.spec import load_sheet, load_sheet_text

ROOT = Path(__file__).resolve().parent.parent
MAZUR = ROOT / "examples" / "mazur.toml"
ELEMENTWISE = [n for n in names() if n != "softmax"]
POINTS = [-800.0, -20.0, -3.3, -0.7, 0.0, 0.4, 2.5, 20.0, 800.0]
MATHML = "{http://www.w3.org/1998/Math/MathML}"


def module(text: str) -> dict:
    namespace: dict = {}
    exec(compile(text, "<export>", "exec"), namespace)  # noqa: S102 -- our own output
    return namespace


def close(got, want, tol) -> bool:
    return abs(float(got) - float(want)) <= tol * max(1.0, abs(float(want)))


# -- held-out checks -------------------------------------------------------------------------

GELU_POINTS = [-6, -3.5, -1.25, 0.5, 2, 5.75, 9]


def mp_gelu(z):
    return z * (1 + mpmath.erf(z / mpmath.sqrt(2))) / 2


@pytest.mark.parametrize("fmt", ["python", "numpy"])
def test_gelu_matches_mpmath_from_minus_6_to_9(fmt):
    code = module(export("gelu", to=fmt))
    with mpmath.workdps(30):
        for z in GELU_POINTS:
            assert close(code["f"](float(z)), mp_gelu(mpmath.mpf(z)), 1e-12)
            assert close(code["df"](float(z)), mpmath.diff(mp_gelu, mpmath.mpf(z)), 1e-12)
    if fmt == "numpy":
        import numpy as np

        values = code["df"](np.array(GELU_POINTS, dtype=float))
        assert values.shape == (7,)
        with mpmath.workdps(30):
            for z, v in zip(GELU_POINTS, values):
                assert close(v, mpmath.diff(mp_gelu, mpmath.mpf(z)), 1e-12)


def test_tanh_derivative_from_its_output():
    code = module(export("tanh", to="python"))
    with mpmath.workdps(30):
        want = mpmath.diff(mpmath.tanh, mpmath.atanh(mpmath.mpf("0.3")))
    assert close(code["df_from_output"](0.3), want, 1e-15)
    assert round(code["df_from_output"](0.3), 12) == round(float(want), 12)


def test_gelu_mathml_is_xml_with_a_math_root():
    text = export("gelu", to="mathml")
    root = ET.fromstring(text)
    assert root.tag == MATHML + "math"
    rows = root.findall(f"{MATHML}mtable/{MATHML}mtr")
    assert len(rows) == 2  # f and f'; GELU has no form in its output
    assert "Φ" in text and "φ" in text and "&" not in text


def mazur_oracle(w5=mpmath.mpf("0.40")):
    """Mazur's network by hand, in mpmath: forward, half-SSE, and ∂E/∂w5 by the chain rule."""
    with mpmath.workdps(40):
        s = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
        m = mpmath.mpf
        h1 = s(m("0.15") * m("0.05") + m("0.20") * m("0.10") + m("0.35"))
        h2 = s(m("0.25") * m("0.05") + m("0.30") * m("0.10") + m("0.35"))
        o1 = s(w5 * h1 + m("0.45") * h2 + m("0.60"))
        o2 = s(m("0.50") * h1 + m("0.55") * h2 + m("0.60"))
        loss = ((o1 - m("0.01")) ** 2 + (o2 - m("0.99")) ** 2) / 2
        return loss, (o1 - m("0.01")) * o1 * (1 - o1) * h1


def test_mazur_to_python_defaults_and_keywords():
    code = module(export(str(MAZUR), to="python"))
    loss, grad_w5 = mazur_oracle()
    assert close(code["loss"](), loss, 1e-14)
    assert close(code["grad_w5"](), grad_w5, 1e-14)
    assert f"{code['loss']():.9f}" == f"{float(loss):.9f}"  # 0.298371109 in Mazur's post
    assert f"{code['grad_w5']():.9f}" == f"{float(grad_w5):.9f}"  # 0.082167041
    _, moved = mazur_oracle(mpmath.mpf("0.3"))
    assert close(code["grad_w5"](w5=0.3), moved, 1e-14)
    assert not close(code["grad_w5"](w5=0.3), grad_w5, 1e-6)
    # and symderiv's own walk, at 50 digits, for every gradient
    problem = load_sheet(MAZUR).problems[0]
    examples = [(e.inputs, e.targets) for e in problem.examples]
    own = backprop.gradients(problem.network, examples, "half-sse")
    for name, g in code["gradients"]().items():
        assert close(g, own[name].value, 1e-14)
    assert close(code["loss"](), backprop.total_loss(problem.network, examples, "half-sse"), 1e-14)


def test_swish_beta_1_5_in_c_matches_mpmath_and_the_evaluator(tmp_path):
    points = [-800, -7.5, -1.2, 0, 0.3, 2.75, 40, 800]
    got = run_c(tmp_path, export("swish(z, 1.5)", to="c"), ["f", "df"], points)
    bound = resolve({"name": "swish", "beta": 1.5}, "test")
    swish = lambda z: z / (1 + mpmath.exp(-mpmath.mpf(3) / 2 * z))  # noqa: E731
    with mpmath.workdps(30):
        for z, (f, df) in zip(points, got):
            assert close(f, swish(mpmath.mpf(z)), 1e-13)
            assert close(df, mpmath.diff(swish, mpmath.mpf(z)), 1e-13)
            assert close(f, bound.numeric(z), 1e-13)
            assert close(df, bound.numeric_derivative(z), 1e-13)


# -- every format, every registry activation ----------------------------------------------------

def own_values(name):
    bound = resolve(name, "test")
    return bound, [(bound.numeric(z), bound.numeric_derivative(z)) for z in POINTS]


def check_activation(name, f, df, df_from_output, tol=1e-12):
    bound, want = own_values(name)
    for z, (fz, dfz), (wf, wdf) in zip(POINTS, zip(f, df), want):
        assert close(fz, wf, tol), (name, z, fz, wf)
        assert close(dfz, wdf, tol), (name, z, dfz, wdf)
    if df_from_output is not None:
        for z in (-2.5, -0.4, 0.6, 1.9):  # a = f(z) keeps enough digits of z here
            assert close(df_from_output(bound.numeric(z)), bound.numeric_derivative(z), 1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_python_matches_the_evaluator_even_at_800(name):
    code = module(export(name, to="python"))
    check_activation(name, [code["f"](z) for z in POINTS], [code["df"](z) for z in POINTS],
                     code.get("df_from_output"))
    assert ("df_from_output" in code) == (resolve(name, "t").derivative_in_output(sp.Symbol("a"))
                                         is not None)


@pytest.mark.parametrize("fmt", ["python", "numpy"])
def test_tanh_slope_keeps_its_digits_far_out(fmt):
    """1 − tanh²z cancels to 0 by z = 20; the exported f' keeps full relative precision."""
    code = module(export("tanh", to=fmt))
    with mpmath.workdps(40):
        for z in (-30, 20, 300):
            want = 1 / mpmath.cosh(z) ** 2
            assert abs(float(code["df"](float(z))) - want) <= 1e-14 * want


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_numpy_works_on_arrays_without_overflow(name):
    np = pytest.importorskip("numpy")
    code = module(export(name, to="numpy"))
    zs = np.array(POINTS)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        f, df = code["f"](zs), code["df"](zs)
    assert f.shape == df.shape == zs.shape
    back = code.get("df_from_output")
    check_activation(name, f, df, back and (lambda a: back(np.array([a]))[0]))


@pytest.mark.torch
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_torch_matches_the_evaluator_and_autograd(name):
    torch = pytest.importorskip("torch")
    code = module(export(name, to="torch"))
    zs = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
    f = code["f"](zs)
    df = code["df"](zs)
    assert f.dtype == df.dtype == torch.float64
    back = code.get("df_from_output")
    check_activation(name, f.tolist(), df.tolist(),
                     back and (lambda a: back(torch.tensor(a, dtype=torch.float64)).item()))
    # autograd through the exported f agrees with the exported f' (away from kinks and ±800,
    # where torch.where's untaken e^z branch gives inf·0)
    inner = torch.tensor([-3.3, -0.7, 0.4, 2.5], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(code["f"](inner).sum(), inner)
    for g, d in zip(grad.tolist(), code["df"](inner.detach()).tolist()):
        assert close(g, d, 1e-12)


def run_c(tmp_path, source: str, functions: list[str], points) -> list[list[float]]:
    """Compile ``source`` with a main printing each function at each point (%.17g)."""
    (tmp_path / "export.c").write_text(source)
    calls = " ".join(f'printf("%.17g ", {fn}(x));' for fn in functions)
    (tmp_path / "main.c").write_text(
        '#include <stdio.h>\n#include <stdlib.h>\n#include "export.c"\n'
        "int main(int argc, char **argv) {\n"
        "  for (int i = 1; i < argc; i++) { double x = strtod(argv[i], 0); "
        f"{calls} printf(\"\\n\"); }}\n  return 0;\n}}\n")
    binary = tmp_path / "main"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "-o", str(binary),
                    str(tmp_path / "main.c"), "-lm"], check=True, capture_output=True, text=True)
    out = subprocess.run([str(binary), *map(repr, map(float, points))], check=True,
                         capture_output=True, text=True).stdout
    return [[float(v) for v in line.split()] for line in out.splitlines()]


@pytest.mark.gcc
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_c_compiles_and_matches_the_evaluator(name, tmp_path):
    source = export(name, to="c")
    has_form = "double df_from_output(" in source
    got = run_c(tmp_path, source, ["f", "df"], POINTS)
    check_activation(name, [r[0] for r in got], [r[1] for r in got], None)
    if has_form:
        bound = resolve(name, "test")
        zs = [-2.5, -0.4, 0.6, 1.9]
        back = run_c(tmp_path, source, ["df_from_output"], [bound.numeric(z) for z in zs])
        for z, (v,) in zip(zs, back):
            assert close(v, bound.numeric_derivative(z), 1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_latex_and_mathml_print_symderivs_formulas(name):
    from symderiv.calculus.activations import Z
    from symderiv.calculus.latex import latex

    bound = resolve(name, "test")
    tex = export(name, to="latex")
    if name == "selu":  # its 31- and 62-digit rationals are shown to 17 digits
        from symderiv.calculus.registry import SELU_ALPHA, SELU_SCALE

        with mpmath.workdps(40):
            for exact in (SELU_SCALE, SELU_SCALE * SELU_ALPHA):
                assert mpmath.nstr(mpmath.mpf(exact.p) / exact.q, 17) in tex
    else:
        assert latex(bound.expr(Z)) in tex and latex(bound.derivative(Z)) in tex
    assert tex.count(r"\begin{align*}") == 1
    root = ET.fromstring(export(name, to="mathml"))
    has_form = bound.derivative_in_output(sp.Symbol("a")) is not None
    assert len(root.findall(f"{MATHML}mtable/{MATHML}mtr")) == 2 + has_form


def test_json_holds_every_format_at_once():
    data = json.loads(export("softplus", to="json"))
    assert set(data["formats"]) == set(FORMATS) - {"json"}
    assert data["formats"]["python"] == export("softplus", to="python")
    assert data["formats"]["mathml"] == export("softplus", to="mathml")
    assert data["symderiv"] == __version__


def test_formula_targets_and_sympy_expressions():
    z = sp.Symbol("x", real=True)
    from symderiv.calculus.functions import sigmoid

    by_expr = module(export(z * sigmoid(z), to="python"))
    by_text = module(export("x*sigmoid(x)", to="python"))
    by_name = module(export("swish", to="python"))
    for v in (-3.0, 0.2, 5.0):
        assert by_expr["df"](v) == by_text["df"](v)
        assert close(by_text["df"](v), by_name["df"](v), 1e-15)
    # a user's 1/(1 + e^-z) and log(1 + e^z) are written in their overflow-free forms
    code = module(export("1/(1 + exp(-z)) + log(1 + exp(z))", to="python"))
    assert close(code["f"](-800.0), 0.0, 1e-15) and close(code["f"](800.0), 801.0, 1e-15)


# -- problems: size, other losses, several examples ---------------------------------------------

def dense_spec(depth: int, width: int = 4) -> str:
    layers = ", ".join(f'{{ size = {width}, activation = "tanh", init = {{ seed = {i}, scale = 0.5 }} }}'
                       for i in range(depth))
    return f"""
[sheet]
title = "deep"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = 3
layers = [ {layers}, {{ size = 2, activation = "sigmoid", init = {{ seed = 9, scale = 0.5 }} }} ]
[problem.data]
inputs = {{ x1 = 0.1, x2 = -0.2, x3 = 0.3 }}
targets = {{ n{depth + 1}_1 = 0.2, n{depth + 1}_2 = 0.7 }}
[problem.training]
loss = "half-sse"
learning_rate = 0.1
gradients = "all"
"""


def program_size(depth: int) -> int:
    (program,) = problem_formulas(load_sheet_text(dense_spec(depth), "deep.toml"), None,
                                  for_code=True).programs
    return sum(sp.count_ops(e) for _, e in program.temporaries) + \
        sum(sp.count_ops(r.value) for r in program.results)


def test_exported_gradients_grow_linearly_with_depth():
    sizes = [program_size(d) for d in (1, 2, 3, 4)]
    steps = [b - a for a, b in zip(sizes, sizes[1:])]
    assert min(steps) > 0
    assert max(steps) <= 1.05 * min(steps), sizes  # the same cost for every layer added


def test_a_small_export_matches_nested_diff():
    """A second route: the whole loss written as one nested formula and differentiated by
    sympy.diff, evaluated at 30 digits; gelu and tanh layers, half-SSE."""
    text = dense_spec(1, width=2).replace('activation = "tanh"', 'activation = "gelu"')
    sheet = load_sheet_text(text, "small.toml")
    problem = sheet.problems[0]
    net, example = problem.network, problem.examples[0]
    value = {sp.Symbol(k, real=True): v for k, v in net.parameters().items()}
    a = {n: example.inputs[n] for n in net.inputs}
    for layer in net.layers:
        for n in layer.neurons:
            z = sum(sp.Symbol(e.name, real=True) * a[e.source] for e in net.incoming(n)) + \
                sum(sp.Symbol(b.name, real=True) for b in net.biases_of(n))
            a[n] = layer.activation.expr(z)
    loss = sum((a[o] - example.targets[o]) ** 2 for o in net.outputs) / 2
    code = module(export(sheet, to="python"))
    assert close(code["loss"](), loss.xreplace(value).evalf(30), 1e-13)
    for name, g in code["gradients"]().items():
        want = sp.diff(loss, sp.Symbol(name, real=True)).xreplace(value).evalf(30)
        assert close(g, want, 1e-13), name


def test_a_four_layer_export_matches_the_walk():
    sheet = load_sheet_text(dense_spec(3), "deep.toml")
    code = module(export(sheet, to="python"))
    problem = sheet.problems[0]
    examples = [(e.inputs, e.targets) for e in problem.examples]
    own = backprop.gradients(problem.network, examples, "half-sse")
    grads = code["gradients"]()
    assert set(grads) == set(own)
    for name, g in grads.items():
        assert close(g, own[name].value, 1e-12), name


@pytest.mark.torch
def test_problem_in_torch_agrees_with_autograd():
    torch = pytest.importorskip("torch")
    code = module(export(str(MAZUR), to="torch"))
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in {"w1": 0.15, "w5": 0.4, "b1": 0.35, "b2": 0.6}.items()}
    code["loss"](**params).backward()
    for k, p in params.items():
        assert close(p.grad.item(), code[f"grad_{k}"]().item(), 1e-13), k


@pytest.mark.torch
@pytest.mark.parametrize("problem", ["1", "5"])
def test_decay_output_loss_and_input_gradients_agree_with_autograd(problem):
    # optimizers.toml: problem 1 has weight decay 0.01 (Ẽ = E + λ/2 Σ w², over the weights
    # only), problem 5 has loss = "output" (E = o1) and asks ∂E/∂i1, ∂E/∂i2.
    torch = pytest.importorskip("torch")
    sheet = load_sheet(ROOT / "examples" / "optimizers.toml")
    spec = next(p for p in sheet.problems if p.id == problem)
    code = module(export(sheet, to="torch", problem=problem))
    t = {k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
         for k, v in {**spec.network.parameters(), **spec.examples[0].inputs}.items()}
    sig = torch.sigmoid
    h1 = sig(t["w1"] * t["i1"] + t["w3"] * t["i2"] + t["b1"])
    h2 = sig(t["w2"] * t["i1"] + t["w4"] * t["i2"] + t["b1"])
    o1 = sig(t["w5"] * h1 + t["w7"] * h2 + t["b2"])
    o2 = sig(t["w6"] * h1 + t["w8"] * h2 + t["b2"])
    if problem == "1":
        y = spec.examples[0].targets
        loss = ((o1 - float(y["o1"])) ** 2 + (o2 - float(y["o2"])) ** 2) / 2
        loss = loss + 0.01 / 2 * sum(t[w] ** 2 for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"))
    else:
        loss = o1
    loss.backward()
    # the targets are arguments of a loss against data, never the selector of "output"
    assert ("y_o1" in code["_evaluate"].__code__.co_varnames) == (problem == "1")
    assert close(code["loss"]().item(), loss.item(), 1e-13)
    asked = (*spec.training.gradients, *spec.training.input_gradients)
    assert set(code["gradients"]()) == set(asked)
    for k in asked:
        assert close(code[f"grad_{k}"]().item(), t[k].grad.item(), 1e-13), k


MULTI = """
[sheet]
title = "xor, cross-entropy"
[[problem]]
id = "7"
kind = "backprop"
[problem.network]
inputs = ["x1", "x2"]
layers = [
  { neurons = ["h1", "h2"], activation = "relu" },
  { neurons = ["o1", "o2"], activation = "softmax" },
]
[problem.network.weights]
w1 = { from = "x1", to = "h1", value = 0.5 }
w2 = { from = "x2", to = "h1", value = -0.4 }
w3 = { from = "x1", to = "h2", value = 0.3 }
w4 = { from = "x2", to = "h2", value = 0.8 }
w5 = { from = "h1", to = "o1", value = 1.2 }
w6 = { from = "h2", to = "o1", value = -0.7 }
w7 = { from = "h1", to = "o2", value = 0.1 }
w8 = { from = "h2", to = "o2", value = 0.9 }
[problem.network.biases]
b1 = { to = ["h1", "h2"], value = 0.1 }
b2 = { to = ["o1"], value = 0.0 }
b3 = { to = ["o2"], value = -0.2 }
[problem.data]
examples = [
  { inputs = { x1 = 0, x2 = 1 }, targets = { o1 = 1, o2 = 0 } },
  { inputs = { x1 = 1, x2 = 1 }, targets = { o1 = 0, o2 = 1 } },
  { inputs = { x1 = 1, x2 = 0.5 }, targets = { o1 = 1, o2 = 0 } },
]
[problem.training]
loss = "ce"
learning_rate = 0.1
gradients = ["w1", "w5", "b3"]
"""


@pytest.mark.parametrize("fmt", ["python", "numpy"])
def test_several_examples_softmax_and_ce(fmt):
    sheet = load_sheet_text(MULTI, "multi.toml")
    code = module(export(sheet, to=fmt))
    problem = sheet.problems[0]
    examples = [(e.inputs, e.targets) for e in problem.examples]
    own = backprop.gradients(problem.network, examples, "ce")
    assert close(code["loss"](), backprop.total_loss(problem.network, examples, "ce"), 1e-13)
    assert set(code["gradients"]()) == {"w1", "w5", "b3"}
    for name in ("w1", "w5", "b3"):
        assert close(code[f"grad_{name}"](), own[name].value, 1e-13)
    # example 2's input is its own keyword; moving it changes the gradient as the walk says
    moved = [examples[0], ({"x1": 1, "x2": sp.Rational(3, 2)}, examples[1][1]), examples[2]]
    assert close(code["grad_w5"](x2_2=1.5),
                 backprop.gradients(problem.network, moved, "ce")["w5"].value, 1e-13)
    # softmax is shifted by the largest z: logits of 1000 do not overflow
    assert close(code["loss"](w5=1000.0), backprop.total_loss(
        problem.network.with_parameters({"w5": sp.Integer(1000)}), examples, "ce"), 1e-12)


@pytest.mark.gcc
def test_problem_in_c_with_defaults_and_one_changed(tmp_path):
    (tmp_path / "export.c").write_text(export(str(MAZUR), to="c"))
    (tmp_path / "main.c").write_text(
        '#include <stdio.h>\n#include "export.c"\nint main(void) {\n'
        "  symderiv_args a = symderiv_defaults;\n"
        '  printf("%.17g %.17g ", loss(a), grad_w5(a));\n'
        '  a.w5 = 0.3;\n  printf("%.17g\\n", grad_w5(a));\n  return 0;\n}\n')
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "-o",
                    str(tmp_path / "main"), str(tmp_path / "main.c"), "-lm"], check=True,
                   capture_output=True, text=True)
    loss, g, moved = map(float, subprocess.run([str(tmp_path / "main")], check=True,
                                               capture_output=True, text=True).stdout.split())
    want_loss, want_g = mazur_oracle()
    assert close(loss, want_loss, 1e-14) and close(g, want_g, 1e-14)
    assert close(moved, mazur_oracle(mpmath.mpf("0.3"))[1], 1e-14)


# -- the header, determinism, bad input, the command line ------------------------------------

def test_every_file_names_its_source_and_version_and_no_time():
    for fmt in set(FORMATS) - {"json"}:
        text = export(str(MAZUR), to=fmt)
        head = text[:600]
        assert f"symderiv {__version__}" in head and "o1 = sigmoid(b2 + h1*w5 + h2*w6)" in head
        assert not re.search(r"\d\d:\d\d|\d{4}-\d\d-\d\d", text)  # no timestamp


def test_sd_export_is_this_export():
    import symderiv as sd

    sheet = sd.load(MAZUR)
    assert sd.export(sheet, to="c") == export(sheet, to="c") == export(str(MAZUR), to="c")
    assert sd.export("gelu", "mathml") == export("gelu", to="mathml")
    with pytest.raises(sd.InputError) as e:
        sd.export("gelu", to="fortran")
    assert str(e.value).startswith("symderiv: error: --to: unknown format 'fortran'")


def test_user_text_in_the_header_stays_a_comment(tmp_path):
    hostile = MAZUR.read_text().replace('id = "1"', 'id = "1\\nimport os; os.system(\'echo hi\')\\r*/ -->"')
    sheet = load_sheet_text(hostile, "evil\nname.toml")
    for fmt in ("python", "numpy", "c", "latex", "mathml"):
        text = export(sheet, to=fmt)
        first = text.splitlines()[0]
        assert "import os" in first, fmt  # the id is kept, on the comment's own line
    assert "os.system" not in "".join(export(sheet, to="python").splitlines()[1:])
    assert ET.fromstring(export(sheet, to="mathml")).tag == MATHML + "math"
    assert export(sheet, to="c").count("*/") == 1


@pytest.mark.slow
def test_same_input_same_bytes_across_processes():
    """Another process, another string-hash seed (set orders differ): the same bytes."""
    script = ("import sys; from symderiv.export import export; "
              "sys.stdout.write(export(sys.argv[1], to=sys.argv[2]))")
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    for target, fmt in ((str(MAZUR), "c"), ("gelu_tanh", "mathml")):
        other = subprocess.run([sys.executable, "-c", script, target, fmt], check=True,
                               capture_output=True, text=True,
                               env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        assert other == export(target, to=fmt)


def test_what_a_language_lacks_is_said_not_guessed():
    # erf has no output form (z = erfinv(a) would only recompute z): f and f' are written,
    # and the header says why the third function is missing
    code = export("erf(z)", to="c")
    assert "df_from_output: none" in code and "double df_from_output" not in code
    with mpmath.workdps(30):
        for fmt in ("python", "numpy"):
            ns = module(export("erf(z)", to=fmt))
            assert "df_from_output" not in ns
            assert close(ns["df"](0.7), mpmath.diff(mpmath.erf, mpmath.mpf("0.7")), 1e-14)
    # Heaviside's derivative is DiracDelta: no language has it, and f' must be written
    with pytest.raises(InputError, match="DiracDelta"):
        export("Heaviside(z)", to="python")


@pytest.mark.torch
def test_torch_max_and_min_with_a_number():
    torch = pytest.importorskip("torch")
    zs = torch.tensor([-0.5, 0.7, 1.3], dtype=torch.float64)
    assert module(export("max(z, 1)", to="torch"))["f"](zs).tolist() == [1.0, 1.0, 1.3]
    assert module(export("min(z, 0)", to="torch"))["f"](zs).tolist() == [-0.5, 0.0, 0.0]


@pytest.mark.parametrize("target, to, problem, where", [
    ("gelu", "fortran", None, "--to"),
    ("softmax", "python", None, "TARGET"),
    ("z*beta", "python", None, "TARGET"),
    ("__import__('os')", "python", None, "TARGET"),
    ("z*exp(1000)", "c", None, "TARGET"),  # a constant beyond double range
    ("gelu", "python", "4", "--problem"),
    (str(ROOT / "examples" / "hw6.toml"), "python", "2", "--problem"),
    (str(ROOT / "examples" / "hw6.toml"), "python", "9", "--problem"),
])
def test_bad_input_is_an_input_error(target, to, problem, where):
    with pytest.raises(InputError) as e:
        export(target, to=to, problem=problem)
    assert e.value.where == where


def test_cli_writes_atomically_or_prints(run_cli, tmp_path):
    out = tmp_path / "mazur.py"
    done = run_cli("export", MAZUR, "--to", "python", "-o", out)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert out.read_text() == export(str(MAZUR), to="python")
    printed = run_cli("export", "tanh", "--to", "mathml")
    assert printed.returncode == 0 and printed.stdout == export("tanh", to="mathml")
    bad = run_cli("export", "nosuch(z)", "--to", "c", "-o", tmp_path / "x.c")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("symderiv: error: TARGET: ") and bad.stderr.count("\n") == 1
    assert not (tmp_path / "x.c").exists() and sorted(os.listdir(tmp_path)) == ["mazur.py"]
    hw6 = run_cli("export", ROOT / "examples" / "hw6.toml", "--to", "c")
    assert hw6.returncode == 0 and "double grad_w5(symderiv_args args)" in hw6.stdout


@pytest.mark.tex
def test_latex_exports_compile_without_overfull_boxes(tmp_path):
    """GELU (Φ, φ), SELU (long constants, piecewise) and Mazur's gradients in one article."""
    body = "".join(export(t, to="latex") for t in ("gelu", "selu", str(MAZUR)))
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\n\\usepackage{amsmath}\n"
                                      "\\begin{document}\n" + body + "\\end{document}\n")
    done = subprocess.run(["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error",
                           "doc.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert done.returncode == 0, log[-2000:]
    assert "Overfull" not in log
