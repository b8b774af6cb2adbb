"""`symderiv derive` through the real command line, checked against mpmath.

The printed forms are read back with SymPy's parser (our own output, in a test; the
product never parses user text this way) and evaluated against mpmath finite differences.
"""

import json

import mpmath
import pytest
import sympy as sp

a, z, beta = (sp.Symbol(n, real=True) for n in ("a", "z", "beta"))
NAMES = {"a": a, "z": z, "beta": beta, "sigmoid": lambda u: 1 / (1 + sp.exp(-u))}


def _read(text: str) -> sp.Expr:
    return sp.sympify(text, locals=NAMES)


def _derive_json(run_cli, *args):
    result = run_cli("derive", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_tanh_text_shows_derivative_and_output_form(run_cli):
    result = run_cli("derive", "tanh")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "f'(z)" in out and "= 1 - tanh(z)**2" in out
    assert "(1 + a)*(1 - a)" in out
    assert "proved symbolically" in out and "finite differences" in out
    assert result.stderr == ""


@pytest.mark.parametrize("name,reference", [
    ("tanh", mpmath.tanh),
    ("sigmoid", lambda x: 1 / (1 + mpmath.exp(-x))),
    ("softplus", lambda x: mpmath.log1p(mpmath.exp(x))),
])
def test_json_output_form_matches_mpmath_when_a_is_the_output(run_cli, name, reference):
    data = _derive_json(run_cli, name)
    assert {"name", "f", "df", "df_in_output", "verified"} <= set(data)
    assert data["name"] == name and data["verified"] is True
    g = sp.lambdify(a, _read(data["df_in_output"]), "mpmath")
    df = sp.lambdify(z, _read(data["df"]), "mpmath")
    with mpmath.workdps(40):
        for x in (-25, -6.5, -1.25, -0.1, 0.3, 2, 7.75, 25):
            slope = mpmath.diff(reference, x)
            assert abs(g(reference(mpmath.mpf(x))) - slope) <= 1e-25 * abs(slope) + 1e-35
            assert abs(df(mpmath.mpf(x)) - slope) <= 1e-25 * abs(slope) + 1e-35


def test_sigmoid_output_form_is_a_times_one_minus_a(run_cli):
    data = _derive_json(run_cli, "sigmoid")
    assert sp.expand(_read(data["df_in_output"]) - a * (1 - a)) == 0


def test_gelu_has_no_output_form_and_its_derivative_is_phi_plus_z_density(run_cli):
    data = _derive_json(run_cli, "gelu")
    assert data["df_in_output"] is None
    assert data["df"] in ("z*phi(z) + Phi(z)", "Phi(z) + z*phi(z)")
    with mpmath.workdps(50):
        value = mpmath.ncdf(1) + mpmath.npdf(1)
        assert abs(value - mpmath.diff(lambda x: x * mpmath.ncdf(x), 1)) < 1e-40


def test_swish_keeps_beta_symbolic(run_cli):
    data = _derive_json(run_cli, "swish")
    df = sp.lambdify((z, beta), _read(data["df"]), "mpmath")
    with mpmath.workdps(40):
        for b, x in (("0.5", "-3"), ("1.702", "0.8"), ("2", "4.5"), ("-1", "1.5")):
            b, x = mpmath.mpf(b), mpmath.mpf(x)
            oracle = mpmath.diff(lambda t: t / (1 + mpmath.exp(-b * t)), x)
            assert abs(df(x, b) - oracle) < 1e-25


def test_latex_format(run_cli):
    result = run_cli("derive", "tanh", "--format", "latex")
    assert result.returncode == 0, result.stderr
    assert r"1 - \tanh^{2}" in result.stdout
    assert r"\left(1 + a\right) \left(1 - a\right)" in result.stdout


def test_relu_output_form_is_piecewise_in_a(run_cli):
    data = _derive_json(run_cli, "relu")
    form = _read(data["df_in_output"])
    assert form.subs(a, 3) == 1 and form.subs(a, 0) == 0


@pytest.mark.parametrize("args", [
    ("tahn",),
    ("tanh", "--format", "yaml"),
    ("tanh", "--wrt", "1x"),
])
def test_bad_input_exits_2_with_one_line(run_cli, args):
    result = run_cli("derive", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symderiv: error: ")
