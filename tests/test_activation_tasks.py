"""kind = "activations" with functions and tasks: every number against an independent oracle.

The oracle defines each activation again in mpmath (not from symderiv's registry) and
finds extrema with ``mpmath.findroot`` on ``mpmath.diff`` of that definition, from a
starting point near the held-out value; limits are read off far out.
"""

import textwrap

import mpmath
import pytest

from symderiv.errors import InputError
from symderiv.problems import solve
from symderiv.spec import load_sheet_text

TOL = 1e-12


@pytest.fixture(autouse=True)
def digits():
    with mpmath.workdps(40):
        yield

ORACLE = {
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "tanh": mpmath.tanh,
    "softplus": lambda z: mpmath.log1p(mpmath.exp(z)),
    "gelu": lambda z: z * mpmath.ncdf(z),
    "swish": lambda z: z / (1 + mpmath.exp(-z)),
    "mish": lambda z: z * mpmath.tanh(mpmath.log1p(mpmath.exp(z))),
}


def spec(functions: str, tasks: str = "") -> str:
    return textwrap.dedent(f"""
        [[problem]]
        id = "1"
        kind = "activations"
        functions = {functions}
        {tasks}
    """)


pytestmark = pytest.mark.slow   # eight functions analysed over ℝ: about half a minute


@pytest.fixture(scope="module")
def six():
    text = spec('["sigmoid", "tanh", "softplus", "gelu", { name = "elu", alpha = 1 }, '
                '"swish", "relu", { label = "mish", formula = "z*tanh(softplus(z))" }]')
    sheet = load_sheet_text(text, "six.toml")
    return solve(sheet.problems[0]).to_json()["functions"]


def slope(name, z, order=1):
    return mpmath.diff(ORACLE[name], mpmath.mpf(z), order)


def test_sigmoid_slope_is_at_most_a_quarter_at_zero_exactly(six):
    s = six["sigmoid"]
    assert s["derivative_in_output"] == "a*(1 - a)" and s["verified"]
    assert s["derivative_max"]["exact"] == "1/4" and s["derivative_max"]["at"] == 0
    assert abs(slope("sigmoid", 0) - s["derivative_max"]["value"]) < TOL
    assert s["derivative_min"] is None          # inf 0 is only approached
    assert s["derivative_inf"] == {"value": 0.0, "exact": "0", "attained": False,
                                   "approached_as_z_to": ["-inf", "+inf"]}
    # the depth bound, against (1/4)^L computed here
    assert s["vanishing"] == [0.25 ** L for L in range(1, 11)]
    assert s["minimum"] is None and s["decreasing"] == []


def test_tanh_output_form_and_bound(six):
    t = six["tanh"]
    assert t["derivative_in_output"] == "(1 + a)*(1 - a)"
    assert t["derivative_max"]["exact"] == "1" and t["derivative_max"]["at"] == 0
    assert t["vanishing"] == [1.0] * 10
    assert t["saturation"] == {"minus_infinity": 0.0, "plus_infinity": 0.0}


def test_softplus_supremum_one_is_not_attained(six):
    s = six["softplus"]
    assert s["derivative_in_output"] == "1 - exp(-a)"
    assert s["derivative_max"] is None
    assert s["derivative_sup"]["value"] == 1.0 and not s["derivative_sup"]["attained"]
    assert abs(slope("softplus", 60) - 1) < 1e-20     # the oracle's slope far out


def test_gelu_slope_extremes_at_minus_and_plus_root_two(six):
    g = six["gelu"]
    for key, start, held_out in (("derivative_max", 1.4, 1.1289), ("derivative_min", -1.4, -0.1289)):
        z = mpmath.findroot(lambda x: slope("gelu", x, 2), start)
        assert abs(g[key]["at"] - z) < TOL and abs(abs(z) - mpmath.sqrt(2)) < TOL
        assert abs(g[key]["value"] - slope("gelu", z)) < TOL
        assert abs(g[key]["value"] - held_out) < 5e-5
        assert g[key]["exact"] is not None           # a closed form (erf(1), e^{-1}, √π)
    assert g["derivative_in_output"] is None


@pytest.mark.parametrize("name, start, value, at", [
    ("gelu", -0.75, -0.16997, -0.75179),
    ("swish", -1.3, -0.27846, -1.27846),
    ("mish", -1.2, -0.30884, None),
])
def test_minimum_and_decreasing_interval(six, name, start, value, at):
    m = six[name]
    z = mpmath.findroot(lambda x: slope(name, x), start)
    assert abs(m["minimum"]["at"] - z) < TOL
    assert abs(m["minimum"]["value"] - ORACLE[name](z)) < TOL
    assert abs(m["minimum"]["value"] - value) < 5e-6
    if at is not None:
        assert abs(m["minimum"]["at"] - at) < 5e-6
    # f falls exactly on (−∞, z*): the oracle's slope is negative just before, positive after
    assert m["decreasing"] == [[None, pytest.approx(float(z), abs=1e-12)]]
    assert slope(name, z - mpmath.mpf("0.01")) < 0 < slope(name, z + mpmath.mpf("0.01"))
    assert slope(name, -30) < 0


def test_elu_and_relu_piecewise(six):
    e = six["elu"]
    assert e["derivative_max"]["value"] == 1.0 and e["derivative_max"]["at"] == [0.0, None]
    assert e["derivative_min"] is None and e["minimum"] is None   # inf −1 not attained
    assert e["derivative_in_output"] is not None
    r = six["relu"]
    assert r["dead_region"] == [[None, 0.0]]
    assert r["minimum"]["value"] == 0.0 and r["minimum"]["at"] == [None, 0.0]
    assert r["saturation"] == {"minus_infinity": 0.0, "plus_infinity": 1.0}


def test_not_injective_functions_have_no_output_form(six):
    sheet = load_sheet_text(spec('["swish"]', 'tasks = ["output-form"]'), "x.toml")
    report = solve(sheet.problems[0]).reports[0]
    assert report.in_output is None and report.no_output_form == "not injective"


@pytest.mark.parametrize("functions, tasks, message", [
    ('["sigmoid"]', 'tasks = ["derivative", "curvature"]', "unknown task 'curvature'"),
    ('[{ label = "c", formula = "3" }]', "", "not a function of z"),
    ('[{ label = "q", formula = "x*sigmoid(x)" }]', "", "x"),
    ('["sigmoid", "sigmoid"]', "", "listed twice"),
    ('["softmax"]', "", "not a function of one z"),
])
def test_bad_input(functions, tasks, message):
    with pytest.raises(InputError) as e:
        load_sheet_text(spec(functions, tasks), "bad.toml")
    assert message in str(e.value)


def test_bad_task_is_one_line_exit_2(tmp_path, run_cli):
    path = tmp_path / "bad.toml"
    path.write_text(spec('["sigmoid"]', 'tasks = ["slope"]'))
    out = tmp_path / "out"
    done = run_cli("solve", path, "-o", out, "--format", "json")
    assert done.returncode == 2 and not out.exists()
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("symderiv: error: ")
    assert "tasks[1]: unknown task 'slope'" in done.stderr


@pytest.mark.parametrize("formula, message", [
    ("log(z)", "not a finite real number at z = -40"),
    ("1/z", "not a finite real number at z = 0"),
    ("relu(z**2 - 1)", "not a threshold in z"),
])
def test_functions_not_real_on_the_line_are_refused(formula, message):
    sheet = load_sheet_text(spec(f'[{{ label = "f", formula = "{formula}" }}]'), "x.toml")
    with pytest.raises(InputError) as e:
        solve(sheet.problems[0])
    assert message in str(e.value) and "functions[1] (f)" in str(e.value)


def test_unbounded_and_oscillating_functions():
    """z², eˣ: sup f′ = +∞ (JSON "+inf", no depth bound); sin: f′ = cos has no limit at ±∞
    and reaches ±1 at the multiples of π that the oracle lists."""
    sheet = load_sheet_text(spec('[{ label = "sq", formula = "z**2" }, '
                                 '{ label = "s", formula = "sin(z)" }]'), "x.toml")
    out = solve(sheet.problems[0]).to_json()["functions"]
    sq, s = out["sq"], out["s"]
    assert sq["derivative_sup"]["value"] == "+inf" and sq["vanishing"] is None
    assert sq["minimum"]["value"] == 0.0 and sq["decreasing"] == [[None, 0.0]]
    assert s["saturation"] == {"minus_infinity": None, "plus_infinity": None}
    assert s["derivative_max"]["value"] == 1.0
    assert abs(mpmath.cos(s["derivative_max"]["at"]) - 1) < TOL
    assert abs(mpmath.cos(s["derivative_min"]["at"]) + 1) < TOL
