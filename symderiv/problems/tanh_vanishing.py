"""Part ``tanh-vanishing``: why a tanh network's gradients vanish (the seed's problem 5a).

One neuron z = Σ Wᵢxᵢ, a = tanh z, loss e. The chain ∂e/∂W₁ = ∂e/∂a · ∂a/∂z · ∂z/∂W₁ is
derived by SymPy, the local factor is rewritten in terms of the output a through the
activation registry, the bound (1+a)(1−a) ≤ 1 is proved, and the product of local
derivatives through L tanh layers is computed at a saturated and a healthy pre-activation.
"""

from dataclasses import dataclass

import sympy as sp
from sympy.calculus.util import continuous_domain

from symderiv.calculus.activations import resolve
from symderiv.calculus.expr import symbol
from symderiv.calculus.verify import decide

# The local derivative of tanh at these pre-activations, multiplied through a chain of
# layers, shows the vanishing (saturated) and the tolerable (healthy) case side by side.
SATURATED_Z = sp.Integer(3)
HEALTHY_Z = sp.Rational(1, 2)
DEPTH = 10
INPUTS = 4
VERIFY_SECONDS = 5


@dataclass(frozen=True)
class ChainFactor:
    """One factor of the chain rule: the derivative it stands for, and its value."""

    derivative: sp.Expr  # ∂a/∂z, unevaluated
    general: sp.Expr     # as SymPy differentiates it (1 − tanh²z)
    in_output: sp.Expr   # in terms of the neuron's values ((1+a)(1−a), x₁)


@dataclass(frozen=True)
class BoundProof:
    """(1+a)(1−a) ≤ 1 with equality only at z = 0, each step computed by SymPy."""

    gap: sp.Expr                # 1 − (1+a)(1−a), expanded: a², never negative
    gap_zero_at: sp.Set         # the a where the gap is 0: {0}
    a_zero_at: sp.Set           # the z where tanh z = 0: {0}
    critical_points: sp.Set     # the z where d/dz (1 − tanh²z) = 0
    curvature_at_max: sp.Expr   # d²/dz² (1 − tanh²z) at that point (negative: a maximum)
    maximum: sp.Expr            # the largest value of ∂a/∂z over the reals: 1
    # the same sets as their points where they are finite (a = 0 reads better than a ∈ {0})
    gap_zero_points: tuple[sp.Expr, ...] | None = None
    a_zero_points: tuple[sp.Expr, ...] | None = None
    critical_z: tuple[sp.Expr, ...] | None = None


@dataclass(frozen=True)
class DepthRow:
    layers: int
    saturated: sp.Expr   # (tanh'(z_sat))^L, exact
    healthy: sp.Expr


@dataclass(frozen=True)
class TanhVanishing:
    activation: object            # BoundActivation (tanh)
    inputs: tuple[sp.Symbol, ...]
    weights: tuple[sp.Symbol, ...]
    z: sp.Expr                    # Σ Wᵢ xᵢ
    z_var: sp.Symbol              # the pre-activation as one symbol
    a: sp.Symbol
    output: sp.Expr               # tanh z
    loss: sp.Symbol
    gradient_lhs: sp.Expr         # ∂e/∂W₁, unevaluated
    exp_form: sp.Expr             # tanh z written with exponentials, as the seed writes it
    exp_derivative: sp.Expr       # d/dz of it, unevaluated
    chain: tuple[ChainFactor, ...]   # ∂e/∂a, ∂a/∂z, ∂z/∂W₁
    gradient: sp.Expr             # ∂e/∂W₁ in terms of a: ∂e/∂a·(1+a)(1−a)·x₁
    gradient_verified: bool       # SymPy's own derivative of e(tanh(Σ Wᵢxᵢ)) agrees
    output_form_verified: bool    # d/dz of the exponential form equals (1+a)(1−a)
    bound: BoundProof
    saturated_z: sp.Expr
    healthy_z: sp.Expr
    saturated_local: sp.Expr      # ∂a/∂z at the saturated z, exact
    healthy_local: sp.Expr
    table: tuple[DepthRow, ...]


def solve(saturated_z=SATURATED_Z, healthy_z=HEALTHY_Z, depth=DEPTH,
          n_inputs=INPUTS, where="tanh-vanishing") -> TanhVanishing:
    act = resolve("tanh", where)
    xs = tuple(symbol(f"x{i}") for i in range(1, n_inputs + 1))
    ws = tuple(symbol(f"W{i}") for i in range(1, n_inputs + 1))
    z_sym, a, e = symbol("z"), symbol("a"), symbol("e")
    z = sum(w * x for w, x in zip(ws, xs))

    de_da = sp.Derivative(e, a, evaluate=False)
    local = act.derivative(z_sym)
    local_out = act.derivative_in_output(a)
    dz_dw1 = sp.diff(z, ws[0])
    chain = (
        ChainFactor(de_da, de_da, de_da),
        ChainFactor(sp.Derivative(a, z_sym, evaluate=False), local, local_out),
        ChainFactor(sp.Derivative(z_sym, ws[0], evaluate=False), dz_dw1, dz_dw1),
    )
    gradient = sp.Mul(de_da, local_out, dz_dw1, evaluate=False)

    exp_form = act.expr(z_sym).rewrite(sp.exp)
    output_form_ok = decide(sp.diff(exp_form, z_sym),
                            local_out.subs(a, act.expr(z_sym)), VERIFY_SECONDS).equal is True

    return TanhVanishing(
        activation=act, inputs=xs, weights=ws, z=z, z_var=z_sym, a=a,
        output=act.expr(z_sym), loss=e, gradient_lhs=sp.Derivative(e, ws[0], evaluate=False),
        exp_form=exp_form, exp_derivative=sp.Derivative(exp_form, z_sym, evaluate=False), chain=chain, gradient=gradient,
        gradient_verified=_chain_matches_sympy(act, xs, ws, local_out, a),
        output_form_verified=output_form_ok,
        bound=_prove_bound(act, z_sym, a, local_out),
        saturated_z=saturated_z, healthy_z=healthy_z,
        saturated_local=act.derivative(saturated_z),
        healthy_local=act.derivative(healthy_z),
        table=tuple(DepthRow(n, act.derivative(saturated_z)**n,
                             act.derivative(healthy_z)**n)
                    for n in range(1, depth + 1)),
    )


def _chain_matches_sympy(act, xs, ws, local_out, a) -> bool:
    """Differentiate e(tanh(Σ Wᵢxᵢ)) whole, with e an unknown function, and compare."""
    loss_of = sp.Function("e")
    z = sum(w * x for w, x in zip(ws, xs))
    whole = sp.diff(loss_of(act.expr(z)), ws[0])
    de_da = sp.Subs(sp.Derivative(loss_of(a), a), a, act.expr(z)).doit()
    by_chain = de_da * local_out.subs(a, act.expr(z)) * xs[0]
    return decide(whole.doit(), by_chain, VERIFY_SECONDS).equal is True


def _points(s: sp.Set) -> tuple[sp.Expr, ...] | None:
    return tuple(sorted(s, key=sp.default_sort_key)) if isinstance(s, sp.FiniteSet) else None


def _prove_bound(act, z, a, local_out) -> BoundProof:
    local = act.derivative(z)
    critical, curvature, smooth = _critical_points(local, z)
    gap = sp.expand(1 - local_out)
    roots = _polynomial_zeros(sp.Poly(gap, a), -1, 1) if gap.is_polynomial(a) else None
    gap_zero = (sp.FiniteSet(*roots) if roots is not None
                else sp.solveset(gap, a, sp.Interval.open(-1, 1)))
    a_zero = _real_zeros(act.expr(z), z)
    return BoundProof(
        gap=gap,
        gap_zero_at=gap_zero,
        a_zero_at=a_zero,
        gap_zero_points=_points(gap_zero), a_zero_points=_points(a_zero),
        critical_z=_points(critical),
        critical_points=critical,
        curvature_at_max=sp.simplify(curvature),
        maximum=_maximum_over_reals(local, z, critical, curvature, smooth),
    )


def _critical_points(f, z) -> tuple[sp.Set, sp.Expr, bool]:
    """The real zeros of f′, f″ there if there is exactly one (else nan), and whether f′
    is continuous on ℝ.

    Where f = p(tanh z) for a polynomial p (tanh′ = 1 − tanh² is): by the chain rule with
    tanh′ = 1 − tanh², f′ = q(tanh z) with q(t) = p′(t)(1 − t²), and f″ = r(tanh z) with
    r(t) = q′(t)(1 − t²); f′, a polynomial in the continuous tanh, is continuous.
    Polynomial arithmetic: a tenth of the time of SymPy's diff, solveset and
    continuous_domain on tanh, which decide every other f."""
    p = _in_tanh(f, z)
    if p is not None:
        slope_of_tanh = sp.Poly(1 - p.gen**2, p.gen)
        q = p.diff() * slope_of_tanh
        zeros = _polynomial_zeros(q, -1, 1)
        if zeros is not None:
            curvature = ((q.diff() * slope_of_tanh).eval(zeros[0])
                         if len(zeros) == 1 else sp.nan)
            return _artanh(zeros), curvature, True
    slope = sp.diff(f, z)
    critical = sp.solveset(slope, z, sp.S.Reals)
    points = list(critical) if isinstance(critical, sp.FiniteSet) else []
    curvature = sp.diff(f, z, 2).subs(z, points[0]) if len(points) == 1 else sp.nan
    return critical, curvature, continuous_domain(slope, z, sp.S.Reals) == sp.S.Reals


def _real_zeros(f, z) -> sp.Set:
    """The real z where f is 0: for f = p(tanh z), artanh of p's roots in (−1, 1) (tanh
    maps ℝ onto (−1, 1) one to one, so these are all of them; solveset's inversion of
    tanh takes ten times as long), else solveset."""
    p = _in_tanh(f, z)
    zeros = _polynomial_zeros(p, -1, 1) if p is not None else None
    return _artanh(zeros) if zeros is not None else sp.solveset(f, z, sp.S.Reals)


def _in_tanh(f, z) -> sp.Poly | None:
    """p with f = p(tanh z), p a polynomial in a fresh variable; None where f is not one."""
    t = sp.Dummy("t")
    in_t = f.xreplace({sp.tanh(z): t})
    return sp.Poly(in_t, t) if not in_t.has(z) and in_t.is_polynomial(t) else None


def _artanh(ts) -> sp.FiniteSet:
    return sp.FiniteSet(*(sp.atanh(t) for t in ts))


def _polynomial_zeros(poly: sp.Poly, lo, hi) -> list[sp.Expr] | None:
    """The distinct roots in (lo, hi) of a nonzero polynomial with number coefficients,
    exact (rational or algebraic), in order; None for any other."""
    if poly.is_zero or poly.free_symbols_in_domain:
        return None
    return list(dict.fromkeys(r for r in poly.real_roots() if lo < r < hi))   # sorted


def _maximum_over_reals(f, z, critical, curvature, smooth) -> sp.Expr:
    """``sympy.maximum(f, z, Reals)``, proved as the sheet argues it: f′ continuous on ℝ
    (``smooth``) and one critical point c with f″(c) < 0 make f(c) the largest value (a
    larger f(d) would put a minimum of f strictly between c and d, a second critical
    point). Otherwise ``sympy.maximum`` itself."""
    if (isinstance(critical, sp.FiniteSet) and len(critical) == 1 and curvature.is_negative
            and smooth):
        return f.subs(z, next(iter(critical)))
    return sp.maximum(f, z, sp.S.Reals)
