"""verify's in-process proof for identities in one exponential with several variables
(σ(βx) with β symbolic): what it proves is equal at random points (mpmath, 50 digits);
what is not an identity it never proves."""

import random

import mpmath
import pytest
import sympy as sp

from symderiv.calculus import verify
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import sigmoid

x, b, c = symbol("x"), symbol("beta"), symbol("c")
s = sigmoid(b * x)

IDENTITIES = [
    # Swish′ in exponentials against the named form (the sheet's own check)
    (b * x * sp.exp(-b * x) / (1 + sp.exp(-b * x)) ** 2 + 1 / (1 + sp.exp(-b * x)),
     b * x * s * (1 - s) + s),
    (sp.tanh(b * x), 2 * sigmoid(2 * b * x) - 1),
    ((1 + sp.exp(b * x / 2)) ** 2 * x * b, x * b * (1 + 2 * sp.exp(b * x / 2) + sp.exp(b * x))),
    ((b * x) ** 2 * sp.cosh(b * x) ** 2 - (b * x) ** 2 * sp.sinh(b * x) ** 2, (b * x) ** 2),
]

NOT_IDENTITIES = [
    (b * x * s * (1 - s) + s, x * s * (1 - s) + s),              # β lost
    (sp.tanh(b * x), 2 * sigmoid(b * x) - 1),                      # wrong argument
    (b * x * sp.exp(-b * x) / (1 + sp.exp(-b * x)) ** 2, b * s * (1 - s)),
    (c * sp.exp(b * x), c * sp.exp(b * x) + 1e-30),
]


def _equal_at_random_points(lhs, rhs) -> bool:
    rng = random.Random(7)
    f = sp.lambdify((x, b, c), lhs - rhs, "mpmath")
    with mpmath.workdps(50):
        for _ in range(20):
            point = [mpmath.mpf(rng.uniform(-3, 3)) for _ in range(3)]
            if abs(f(*point)) > mpmath.mpf(10) ** -40:
                return False
    return True


@pytest.mark.parametrize("pair", range(len(IDENTITIES)))
def test_identities_with_a_symbolic_coefficient_are_proved_in_process(pair):
    lhs, rhs = IDENTITIES[pair]
    assert _equal_at_random_points(lhs, rhs)   # the oracle
    difference = verify._normalized(lhs) - verify._normalized(rhs)
    assert verify._zero_in_one_exponential(difference)
    assert verify.decide(lhs, rhs).method == "rewrite(exp) + cancel"


@pytest.mark.parametrize("pair", range(len(NOT_IDENTITIES)))
def test_what_is_not_an_identity_is_not_proved(pair):
    lhs, rhs = NOT_IDENTITIES[pair]
    assert not _equal_at_random_points(lhs, rhs)
    difference = verify._normalized(lhs) - verify._normalized(rhs)
    assert not verify._zero_in_one_exponential(difference)
    assert verify.decide(lhs, rhs).equal is not True


def test_other_functions_are_left_to_the_later_stages():
    e = sp.Function("e")
    for difference in (e(x) * sp.exp(b * x) - sp.exp(b * x) * e(x) + sp.erf(b * x),
                       sp.Derivative(e(x), x) * sp.exp(x), sp.Abs(x) * sp.exp(b * x)):
        assert not verify._zero_in_one_exponential(difference)
