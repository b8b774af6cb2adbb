"""`symderiv derive` through the real command line, checked against mpmath.

The printed forms are read back with SymPy's parser (our own output, in a test; the
product never parses user text this way) and evaluated against mpmath finite differences.
"""

import json

import mpmath
import pytest
import sympy as sp

from symderiv.cli import main

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
    if name == "sigmoid":
        assert sp.expand(_read(data["df_in_output"]) - a * (1 - a)) == 0
    g = sp.lambdify(a, _read(data["df_in_output"]), "mpmath")
    df = sp.lambdify(z, _read(data["df"]), "mpmath")
    with mpmath.workdps(40):
        for x in (-25, -6.5, -1.25, -0.1, 0.3, 2, 7.75, 25):
            slope = mpmath.diff(reference, x)
            assert abs(g(reference(mpmath.mpf(x))) - slope) <= 1e-25 * abs(slope) + 1e-35
            assert abs(df(mpmath.mpf(x)) - slope) <= 1e-25 * abs(slope) + 1e-35


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


def test_bad_input_exits_2_with_one_line(run_cli):
    result = run_cli("derive", "tahn")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symderiv: error: EXPR: unknown activation")


def test_formula_output_form_by_inversion(run_cli):
    data = _derive_json(run_cli, "1/(1+exp(-z))")
    g = sp.lambdify(a, _read(data["df_in_output"]), "mpmath")
    logistic = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
    with mpmath.workdps(40):
        for x in ("-9.5", "-0.75", "1.5", "12"):
            x = mpmath.mpf(x)
            slope = mpmath.diff(logistic, x)
            assert abs(g(logistic(x)) - slope) <= 1e-25 * slope


def test_formula_with_a_parameter_and_wrt(run_cli):
    data = _derive_json(run_cli, "log(1+exp(beta*x))/beta", "--wrt", "x")
    assert data["variable"] == "x" and data["verified"] is True
    x = sp.Symbol("x", real=True)
    df = sp.lambdify((x, beta), _read(data["df"]), "mpmath")
    g = sp.lambdify((a, beta), _read(data["df_in_output"]), "mpmath")
    with mpmath.workdps(40):
        for b, t in (("0.5", "-4"), ("2", "0.3"), ("3", "6")):
            b, t = mpmath.mpf(b), mpmath.mpf(t)
            f = lambda u: mpmath.log1p(mpmath.exp(b * u)) / b  # noqa: E731
            slope = mpmath.diff(f, t)
            assert abs(df(t, b) - slope) <= 1e-25 * slope
            assert abs(g(f(t), b) - slope) <= 1e-25 * slope


@pytest.mark.parametrize("args", [
    ("tahn",),
    ("tanh", "--format", "yaml"),
    ("tanh", "--wrt", "1x"),
    ("__import__('os').system('echo hacked')",),
    ("z**99999999",),
    ("",),
    ("u*v",),                      # two variables, neither z nor x: say which with --wrt
    ("tanh(z)", "--wrt", "w"),     # w does not occur
])
def test_bad_input_is_one_line_and_exit_2(capsys, args):
    # In-process (fast) through the same main() the console script runs.
    assert main(["derive", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "hacked" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symderiv: error: ")


def test_hostile_formula_through_the_real_command(run_cli):
    result = run_cli("derive", "__import__('os').system('echo hacked')")
    assert result.returncode == 2 and result.stdout == "" and "hacked" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- --wrt, the output letter, and the exit status (finding 8) ------------------------------

@pytest.mark.parametrize("name, parameter", [
    ("swish", "beta"), ("leaky_relu", "alpha"), ("elu", "alpha"), ("selu", "lambda"),
    ("selu", "scale"), ("softplus", "beta"),
])
def test_wrt_a_parameter_of_the_activation_is_refused(capsys, name, parameter):
    assert main(["derive", name, "--wrt", parameter]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines == [f"symderiv: error: --wrt: {parameter!r} is a parameter of {name}, not its "
                     f"input; name the input (e.g. --wrt x), or write {name} as a formula to "
                     f"differentiate by {parameter}"]


def test_wrt_on_softmax_is_refused(capsys):
    assert main(["derive", "softmax", "--wrt", "x"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("symderiv: error: --wrt: softmax ")


@pytest.mark.parametrize("name, reference", [
    ("tanh", mpmath.tanh),
    ("sigmoid", lambda t: 1 / (1 + mpmath.exp(-t))),
])
def test_the_output_letter_is_never_the_variable(run_cli, name, reference):
    data = _derive_json(run_cli, name, "--wrt", "a")
    assert data["variable"] == "a" and data["output"] != "a" and data["verified"] is True
    variable, output = sp.Symbol("a", real=True), sp.Symbol(data["output"], real=True)
    g = sp.lambdify(output, sp.sympify(data["df_in_output"], locals={data["output"]: output}), "mpmath")
    assert variable not in sp.sympify(data["df_in_output"], locals={"a": variable}).free_symbols
    with mpmath.workdps(40):
        for t in ("-3.5", "-0.2", "0.7", "4"):
            t = mpmath.mpf(t)
            slope = mpmath.diff(reference, t)
            assert abs(g(reference(t)) - slope) <= 1e-25 * abs(slope)
    text = run_cli("derive", name, "--wrt", "a").stdout
    assert f"f' in {data['output']} = f(a)" in text


def test_an_unverified_derivative_exits_1_and_says_so(run_cli):
    # sqrt(-1 - z²) is real nowhere: f' cannot be checked against finite differences
    with mpmath.workdps(30):
        assert all(mpmath.sqrt(-1 - mpmath.mpf(t) ** 2).imag != 0 for t in (-2, 0, 3))
    result = run_cli("derive", "sqrt(-1-z**2)")
    assert result.returncode == 1 and result.stderr == ""
    assert "verified: NO" in result.stdout and "not checked" in result.stdout
    data = json.loads(run_cli("derive", "sqrt(-1-z**2)", "--format", "json").stdout)
    assert data["verified"] is False


def test_help_states_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["derive", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit 0 when f' is verified" in text and "1 when it is not" in text
