"""``kind = "xor"``: does a network compute XOR, and why no linear one can.

- **Evaluation.** The four inputs go through the network in exact arithmetic (SymPy
  numbers, per neuron), so the verdict is a proof, not a float comparison. The network
  *solves XOR* when every output is on the right side of the threshold 1/2 (above for
  target 1, below for target 0; exactly 1/2 counts as wrong). ``exact`` says whether
  every output also equals its target exactly.
- **The linear proof.** With every activation linear, the spec's own architecture (its
  parameters as symbols) collapses to y = ω1 x1 + ω2 x2 + b. Then (1) the four exact
  conditions y(p) = target have no solution (linsolve gives ∅, and a combination of the
  equations reads 0 = c ≠ 0), and (2) no threshold classifier separates the classes:
  multipliers λ ≥ 0, not all 0, make Σ λᵢ sᵢ (y(pᵢ) − 1/2) identically 0 although every
  term would have to be positive (Gordan's alternative). Both certificates are computed
  here and checked before the proof is said to hold.
- **Design mode.** Without a network: one hidden ReLU layer reads s = x1 + x2 ∈ {0, 1, 2};
  neuron j computes ReLU(s − (j − 1)); the output weights of the first two solve
  f(1) = 1, f(2) = 0 (f(0) = 0 holds by itself), and further neurons get zero weights.
  The network is then verified by the same exact evaluation.
"""

import math

import sympy as sp

from symderiv.nets.backprop import Notation, WalkError, net_input_expr
from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import latex
from symderiv.nets.network import Network
from symderiv.problems import boolean
from symderiv.problems.backprop import input_error
from symderiv.solution import (EqualityCertificate, LinearCollapse, LinearProof, NeuronSteps,
                               Number, SeparationCertificate, XorRow, XorSolution, substitute,
                               worked)
from symderiv.spec import XorProblem

THRESHOLD = boolean.THRESHOLD
TRUTH_TABLE = ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0))  # x1, x2, x1 XOR x2
# y = ω1 x1 + ω2 x2 + b, in the first of these names that no name of the network prints
# like (an input may be called b, a weight omega1)
MODEL_NAMES = (("omega", "b"), ("omega", "c"), ("alpha", "beta"), ("u", "c"), ("v", "d"))


def solve(problem: XorProblem) -> XorSolution:
    designed = problem.network is None
    network = design_network(problem.hidden, problem.activation) if designed else problem.network
    # the sheet says so when the spec asked for more hidden neurons than the design uses
    needed = len(network.layers[0].neurons) if designed else None
    try:
        rows = tuple(evaluate_row(network, x1, x2, target) for x1, x2, target in TRUTH_TABLE)
    except WalkError as e:
        raise input_error(problem, e) from None
    solves = all(r.correct for r in rows)
    exact = all(_sign(r.y.exact - r.expected) == 0 for r in rows)
    if designed and not (solves and exact):
        raise AssertionError("the designed XOR network failed its verification")
    proof = linear_proof(network) if problem.prove_linear_impossible else None
    return XorSolution(problem.id, problem.statement, network, designed, THRESHOLD, rows,
                       solves, exact, proof, asked=problem.hidden if designed else None,
                       needed=needed)


# -- evaluation --------------------------------------------------------------------------------

def evaluate_row(network: Network, x1: int, x2: int, target: int) -> XorRow:
    """One input pair through the network, exactly: z and a per neuron as worked steps."""
    row = boolean.evaluate(network, (x1, x2), target)
    return XorRow(x1, x2, row.neurons, row.hidden, row.y, target, row.predicted)


def forward(network: Network, inputs: tuple[int, ...]) -> list[NeuronSteps]:
    """The inputs through the network, exactly: z and a per neuron as worked steps."""
    notation = Notation()
    known = {symbol(k): v for k, v in network.parameters().items()}
    known.update({symbol(name): sp.Integer(x) for name, x in zip(network.inputs, inputs)})
    shown = ", ".join(map(str, inputs))
    steps = []
    for layer in network.layers:
        for n in layer.neurons:
            z_expr = net_input_expr(network, n)
            z_value = z_expr.xreplace(known)
            a_expr = layer.activation.expr(notation.z(n))
            a_value = layer.activation.expr(z_value)
            known[symbol(n)] = a_value
            a_number = _real(a_value, f"not real and finite at z = {z_value} for neuron {n} "
                                      f"(inputs {shown})", network.layer_of(n))
            z_sub = substitute(z_expr, known)
            a_sub = substitute(a_expr, {notation.z(n): z_value})
            steps.append(NeuronSteps(n, worked(notation.z(n), z_expr, z_sub, Number.of(z_value)),
                                     worked(symbol(n), a_expr, a_sub, a_number)))
    return steps


def _real(value: sp.Expr, message: str, layer: int) -> Number:
    """``value`` as a Number, if it is a finite real number (1/z at z = 0 is not)."""
    try:
        number = Number.of(value)
    except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError):
        raise WalkError(message, layer) from None
    if not (math.isfinite(number.value) and value.is_extended_real is not False):
        raise WalkError(message, layer)
    return number


_sign = boolean.sign


# -- design mode ---------------------------------------------------------------------------------

def design_network(hidden: int, activation=None) -> Network:
    """A ReLU network with ``hidden`` hidden neurons that computes XOR: the Boolean kind's
    symmetric construction for the XOR table (see :mod:`symderiv.problems.boolean`)."""
    table = tuple(((x1, x2), y) for x1, x2, y in TRUTH_TABLE)
    return boolean.design(table, hidden, activation)[0]


# -- the proof for linear activations --------------------------------------------------------------

def model_symbols(network: Network) -> tuple[sp.Symbol, sp.Symbol, sp.Symbol]:
    """ω1, ω2, b of the linear model, printing unlike every name the network's sheet shows."""
    notation = Notation()
    shown = {*network.inputs, *network.neurons, *network.parameters()}
    taken = {str(latex(symbol(n))) for n in shown}
    taken |= {str(latex(notation.z(n))) for n in network.neurons}
    for suffix in ("", *(f"_{k}" for k in range(1, 100))):
        for weight, bias in MODEL_NAMES:
            names = (f"{weight}1{suffix}", f"{weight}2{suffix}", f"{bias}{suffix}")
            symbols = tuple(symbol(n) for n in names)
            if not {str(latex(s)) for s in symbols} & taken:
                return symbols
    raise AssertionError("no free names for the linear model")


def linear_proof(network: Network) -> LinearProof:
    collapse = collapse_linear(network)
    model = collapse.model
    unknowns = list(collapse.coefficients)
    x1, x2 = (symbol(n) for n in network.inputs)
    points = [((a, b), t) for a, b, t in TRUTH_TABLE]
    at = [model.xreplace({x1: a, x2: b}) for (a, b), _ in points]
    return LinearProof(collapse, _equality_certificate(at, [t for _, t in points], unknowns),
                       _separation_certificate(at, [t for _, t in points], unknowns))


def collapse_linear(network: Network) -> LinearCollapse:
    """The output with every activation replaced by the identity, parameters as symbols."""
    x1, x2 = (symbol(n) for n in network.inputs)
    value = {x1: x1, x2: x2}
    for layer in network.layers:
        for n in layer.neurons:
            value[symbol(n)] = sp.expand(net_input_expr(network, n).xreplace(value))
    y = value[symbol(network.outputs[0])]
    poly = sp.Poly(y, x1, x2)
    linear = poly.total_degree() <= 1
    omega1, omega2, bias = model_symbols(network)
    coefficients = {omega1: poly.coeff_monomial(x1), omega2: poly.coeff_monomial(x2),
                    bias: poly.coeff_monomial(1)}
    model = omega1 * x1 + omega2 * x2 + bias
    parameters = tuple(symbol(p) for p in network.parameters())
    return LinearCollapse(parameters, y, model, coefficients, linear)


def _equality_certificate(at, targets, unknowns) -> EqualityCertificate:
    equations = tuple(sp.Eq(lhs, t, evaluate=False) for lhs, t in zip(at, targets))
    solutions = sp.linsolve([lhs - t for lhs, t in zip(at, targets)], unknowns)
    A = sp.Matrix([[sp.expand(lhs).coeff(u) for u in unknowns] for lhs in at])
    multipliers = _integer_vector(A.T.nullspace())
    lhs = sp.expand(sum(c * e for c, e in zip(multipliers, at)))
    rhs = sum(c * t for c, t in zip(multipliers, targets))
    holds = solutions == sp.EmptySet and lhs == 0 and rhs != 0
    return EqualityCertificate(equations, solutions, multipliers, lhs, sp.Integer(rhs), holds)


def _separation_certificate(at, targets, unknowns) -> SeparationCertificate:
    # target 1: y(p) > t, target 0: y(p) < t; each as (larger side, smaller side)
    sides = [(lhs, THRESHOLD) if t == 1 else (THRESHOLD, lhs) for lhs, t in zip(at, targets)]
    # unevaluated: each side holds the model's bias, a free real symbol, so no inequality can
    # be decided, and evaluating would only ask SymPy's assumptions to find that out
    inequalities = tuple(sp.StrictGreaterThan(lhs, THRESHOLD, evaluate=False) if t == 1
                         else sp.StrictLessThan(lhs, THRESHOLD, evaluate=False)
                         for lhs, t in zip(at, targets))
    # Gordan: "larger − smaller > 0 for all i" is impossible iff some λ ≥ 0, λ ≠ 0, makes
    # Σ λᵢ (larger − smaller) vanish in the unknowns; λ spans the null space of Mᵀ, where
    # row i of M holds the coefficients of larger − smaller.
    M = sp.Matrix([[sp.expand(big - small).coeff(u) for u in unknowns] for big, small in sides])
    multipliers = _integer_vector(M.T.nullspace(), nonnegative=True)
    larger = sp.expand(sum(lam * big for lam, (big, _) in zip(multipliers, sides)))
    smaller = sp.expand(sum(lam * small for lam, (_, small) in zip(multipliers, sides)))
    holds = (bool(multipliers) and all(m >= 0 for m in multipliers)
             and any(m > 0 for m in multipliers) and sp.expand(larger - smaller) == 0)
    return SeparationCertificate(THRESHOLD, inequalities, multipliers, larger, smaller, holds)


def _integer_vector(basis, nonnegative: bool = False) -> tuple:
    """The first null-space vector (nonnegative if asked and possible), in lowest integers."""
    for v in basis:
        for sign in (1, -1):
            w = sign * v
            if nonnegative and any(x < 0 for x in w):
                continue
            scale = sp.ilcm(*[sp.fraction(x)[1] for x in w])
            w = w * scale
            divisor = sp.igcd(*[int(x) for x in w])
            return tuple(sp.Integer(int(x) // divisor) for x in w)
    return ()
