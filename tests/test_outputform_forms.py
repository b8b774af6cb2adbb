"""Output forms of course activations: found by the general search, proved, and checked
against an independent oracle.

The oracle is mpmath: f written here again as plain mpmath code (not through symderiv's
parser), differentiated by central differences at 40 digits, at points across each piece,
against the form evaluated at a = f(z). Where there is no form, the witness symderiv gives
(z₁ ≠ z₂ with f(z₁) = f(z₂), f′(z₁) ≠ f′(z₂)) is checked the same way.
"""

import re

import mpmath
import pytest
import sympy as sp

from symderiv.calculus import activations
from symderiv.calculus.activations import OUTPUT, Z
from symderiv.calculus.outputform import NOT_ELEMENTARY, NOT_ONE_TO_ONE

mp = mpmath.mp
sig = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731

# formula, the same function in mpmath, the form a teacher writes (in SymPy's str, a = output)
FOUND = [
    ("z/(1+abs(z))", lambda x: x / (1 + abs(x)), "(1 - Abs(a))**2"),                  # softsign
    ("atan(z)", mpmath.atan, "cos(a)**2"),
    ("arctan(z)", mpmath.atan, "cos(a)**2"),
    ("log(1+exp(z))", lambda x: mpmath.log(1 + mpmath.exp(x)), "1 - exp(-a)"),       # softplus
    ("exp(z)", mpmath.exp, "a"),
    ("z**3", lambda x: x**3, "3*Abs(a)**(2/3)"),
    ("sinh(z)", mpmath.sinh, "sqrt(1 + a**2)"),
    ("asinh(z)", mpmath.asinh, "1/cosh(a)"),
    ("log(sigmoid(z))", lambda x: mpmath.log(sig(x)), "1 - exp(a)"),                 # logsigmoid
    ("tanh(z)/2 + 1/2", lambda x: mpmath.tanh(x) / 2 + mpmath.mpf(1) / 2, "2*a*(1 - a)"),
    ("2*sigmoid(2*z) - 1", lambda x: 2 * sig(2 * x) - 1, "(1 + a)*(1 - a)"),
    ("3*sigmoid(z)", lambda x: 3 * sig(x), "a*(3 - a)/3"),
    ("tanh(2*z) + 1", lambda x: mpmath.tanh(2 * x) + 1, "2*a*(2 - a)"),
    ("max(-1, min(1, z))", lambda x: max(-1, min(1, x)),                             # hard tanh
     "Piecewise((1, (a > -1) & (a < 1)), (0, True))"),
    ("max(0, min(1, z/6 + 1/2))", lambda x: max(0, min(1, x / 6 + mpmath.mpf(1) / 2)),  # hard σ
     "Piecewise((1/6, (a > 0) & (a < 1)), (0, True))"),
    ("(sqrt(z**2 + 1) - 1)/2 + z", lambda x: (mpmath.sqrt(x**2 + 1) - 1) / 2 + x, None),  # bent
]

# away from every kink (0, ±1, ±3): the form must hold on each piece
POINTS = [mpmath.mpf(p) / 7 for p in (-61, -33, -20, -12, -5, -2, 3, 4, 9, 13, 19, 26, 40, 75)]



@pytest.mark.parametrize("text,fn,expected", FOUND, ids=[t for t, _, _ in FOUND])
def test_the_form_is_found_proved_and_matches_mpmath_differences(text, fn, expected):
    d = activations.derive(text)
    form, (_, how) = d.df_in_output, d.checks[1]
    assert form is not None, how
    if expected is not None:
        assert sp.sstr(form, order="none") == expected
        assert how == "proved symbolically"
    g = sp.lambdify(d.output, form, "mpmath")
    df = sp.lambdify(d.variable, d.df.rewrite(sp.exp), "mpmath")   # f′ as derive shows it
    with mpmath.workdps(40):
        for x in POINTS:
            slope = mpmath.diff(fn, x)    # central differences, mpmath's own step
            assert abs(g(fn(x)) - slope) <= mpmath.mpf("1e-25") * max(1, abs(slope)), (text, x)
            assert abs(df(x) - slope) <= mpmath.mpf("1e-25") * max(1, abs(slope)), (text, x)


@pytest.mark.parametrize("text,fn", [
    ("exp(-z**2)", lambda x: mpmath.exp(-x**2)),                                     # Gaussian
    ("z**2", lambda x: x**2),
    ("cosh(z)", mpmath.cosh),
    ("abs(z)", abs),
    ("gelu", lambda x: x * mpmath.ncdf(x)),
    ("mish", lambda x: x * mpmath.tanh(mpmath.log(1 + mpmath.exp(x)))),
    ("z*sigmoid(z)", lambda x: x * sig(x)),                                          # swish
])
def test_no_form_where_f_is_not_one_to_one_with_a_witness_mpmath_confirms(text, fn):
    d = activations.derive(text)
    assert d.df_in_output is None
    reason = d.checks[1][1]
    assert NOT_ONE_TO_ONE in reason
    z1, z2 = (mpmath.mpf(v) for v in re.search(r"f\(([-\d.e]+)\) = f\(([-\d.e]+)\)", reason).groups())
    with mpmath.workdps(30):
        # the printed points are rounded to 6 digits: f agrees to about that, f′ clearly not
        assert abs(fn(z1) - fn(z2)) < mpmath.mpf("1e-4") * max(1, abs(fn(z1)))
        assert abs(mpmath.diff(fn, z1) - mpmath.diff(fn, z2)) > mpmath.mpf("1e-3")


def test_a_symbolic_parameter_has_no_form_where_one_value_of_it_has_none():
    """Swish with symbolic β: a form for every β would be one for β = 1, which has none."""
    d = activations.derive("swish")
    assert d.df_in_output is None and "with beta = 1" in d.checks[1][1]
    z1, z2 = (mpmath.mpf(v) for v in re.search(r"f\(([-\d.e]+)\) = f\(([-\d.e]+)\)",
                                                 d.checks[1][1]).groups())
    swish = lambda x: x * sig(x)  # noqa: E731
    assert abs(swish(z1) - swish(z2)) < mpmath.mpf("1e-4")
    assert mpmath.diff(swish, z1) * mpmath.diff(swish, z2) < 0


def test_erf_has_no_form_because_its_inverse_is_not_elementary():
    d = activations.derive("erf(z)")
    assert d.df_in_output is None and NOT_ELEMENTARY in d.checks[1][1]
    assert "erfinv" in d.checks[1][1]


def test_registry_piecewise_forms_keep_their_conditions():
    """ReLU, leaky ReLU, ELU and SELU go through the general pieces search and read as before."""
    a = OUTPUT
    relu = activations.resolve("relu", "x").derivative_in_output(a)
    assert relu == sp.Piecewise((1, a > 0), (0, True))
    elu = activations.resolve({"name": "elu", "alpha": 1}, "x").derivative_in_output(a)
    assert elu == sp.Piecewise((1, a > 0), (a + 1, True))
    leaky = activations.resolve("leaky_relu", "x", symbolic_params=True)
    alpha = leaky.params["alpha"]
    assert leaky.derivative_in_output(a) == sp.Piecewise((1, a > 0), (alpha, True))


def test_a_flat_piece_touching_an_attained_end_gives_no_form():
    """z for z ≥ 0, 0 below: a = 0 comes from z = 0 (f′ = 1) and every z < 0 (f′ = 0)."""
    from symderiv.calculus.outputform import output_form
    z = Z
    f = sp.Piecewise((z, z >= 0), (0, True))
    assert output_form(f, sp.Piecewise((1, z >= 0), (0, True)), z, OUTPUT).expr is None


def test_derivatives_read_as_a_teacher_writes_them():
    assert activations.derive("z/(1+abs(z))").df == 1 / (sp.Abs(Z) + 1) ** 2
    # hard tanh′ by pieces, not a product of Heaviside functions of min(1, z)
    assert activations.derive("max(-1, min(1, z))").df == sp.Piecewise(
        (0, (Z >= 1) | (Z <= -1)), (1, True))
    # unreachable pieces (11/10 where z > 0 and z < 0) are not shown
    assert activations.derive("max(0, z) + min(0, z/10)").df == sp.Piecewise(
        (1, Z > 0), (sp.Rational(1, 10), True))
