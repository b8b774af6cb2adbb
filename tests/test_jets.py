"""second_order's (f, f′, f″) against mpmath's own numerical differentiation at high
precision (an independent route: finite differences with mpmath's step control)."""

import mpmath
import pytest
import sympy as sp

from symderiv.calculus.activations import resolve
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import to_elementary
from symderiv.calculus.jets import second_order

x = symbol("x")


def _oracle(expr, at):
    f = sp.lambdify(x, expr, "mpmath")
    with mpmath.workdps(60):
        return tuple(mpmath.diff(f, mpmath.mpf(at), k) for k in range(3))


@pytest.mark.parametrize("spec", [
    "gelu", "gelu_tanh", "tanh", "sigmoid", "softplus", "mish",
    {"name": "swish", "beta": sp.Rational(1, 2)}, {"name": "swish", "beta": 2},
])
@pytest.mark.parametrize("at", ["-2.5569", "-0.75", "0", "0.3", "4"])
def test_activation_jets_match_numerical_derivatives(spec, at):
    expr = to_elementary(resolve(spec, "t").expr(x))
    with mpmath.workdps(30):
        jet = second_order(expr, x, mpmath.mpf(at))
    want = _oracle(expr, at)
    assert jet is not None
    for got, expected in zip(jet, want):
        assert abs(got - expected) <= mpmath.mpf(10) ** -27 * max(1, abs(expected))


@pytest.mark.parametrize("expr", [
    x ** 3 - 2 * x, sp.sqrt(x ** 2 + 1), 1 / (x - 5), sp.log(x ** 2 + 2) * sp.exp(-x),
    sp.erfc(x / 3) * sp.pi + sp.tanh(2 * x) ** 2, x * x * x, sp.Integer(7),
])
def test_formula_jets_match_numerical_derivatives(expr):
    with mpmath.workdps(30):
        jet = second_order(expr, x, mpmath.mpf("1.25"))
    for got, expected in zip(jet, _oracle(expr, "1.25")):
        assert abs(got - expected) <= mpmath.mpf(10) ** -27 * max(1, abs(expected))


def test_powers_at_zero():
    with mpmath.workdps(30):
        assert second_order(x ** 2, x, 0) == (0, 0, 2)
        assert second_order(x + x ** 3, x, 0) == (0, 1, 0)
        assert second_order(1 / x, x, 0) is None          # undefined there
        assert second_order(sp.sqrt(x), x, 0) is None     # infinite slope


@pytest.mark.parametrize("expr", [sp.sin(x), x ** x, sp.Max(x, 0), sp.Abs(x)])
def test_unsupported_nodes_give_none(expr):
    assert second_order(expr, x, 1) is None
