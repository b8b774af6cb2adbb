"""The derivative of an activation written in terms of its output a = f(z), derived and checked.

Three routes, tried in order (DESIGN.md):
1. f′ contains f itself (tanh: 1 − tanh²z): replace f(z) by a.
2. f has a closed-form inverse (sigmoid as 1/(1+e^{−z}), softplus): substitute z = f⁻¹(a).
3. f is piecewise with monotone pieces (ReLU, leaky ReLU, ELU, SELU): derive each piece by
   1–2 and map each condition on z to one on a (z > c ⟺ a > f(c)).
No inverse (GELU, Swish, Mish) gives no output form. Every candidate is then proved
(g(f(z)) ≡ f′(z) symbolically) or, failing that, checked numerically at many points; a
candidate that fails is dropped, never shown.
"""

from dataclasses import dataclass

import math

import mpmath
import sympy as sp
from sympy.solvers.solveset import invert_real

from symderiv.calculus.functions import sigmoid, to_elementary
from symderiv.calculus.verify import decide, simplify_bounded

NUMERIC_POINTS = 48
# A rewrite that cannot be proved is kept only if it agrees at this many points at least.
MIN_NUMERIC_POINTS = 20
# Values beyond this are outside any activation's working range: such points are skipped.
HUGE = mpmath.mpf(10) ** 100
# Seconds for one bounded simplification or equality decision on a user's formula.
STEP_SECONDS = 2.0
# A form longer than this (in SymPy operations) is worth a bounded simplify().
LONG_FORM_OPS = 8


@dataclass(frozen=True)
class OutputForm:
    """f′ as a function of a = f(z), or None with the reason."""

    expr: sp.Expr | None
    check: str  # "symbolic", "numeric (N points)", or "" when there is none
    note: str = ""


def output_form(f: sp.Expr, df: sp.Expr, z: sp.Symbol, a: sp.Symbol,
                domains: dict[sp.Symbol, str] | None = None) -> OutputForm:
    """f′ written in a = f(z). ``domains`` gives each symbolic parameter's domain
    ("real", "positive", "nonnegative"): proofs assume it and numeric checks sample from it."""
    domains = domains or {}
    piecewise = _is_piecewise(f)
    candidate = _piecewise_form(f, z, a, domains) if piecewise else _smooth_form(f, df, z, a)
    if candidate is None:
        if piecewise:
            return OutputForm(None, "", "no monotone split into two pieces found")
        inverse = _inverse(f, z, a)
        return OutputForm(None, "", "no closed-form inverse found" if inverse is None else
                          f"the form would need z = {sp.sstr(inverse)}, which only recomputes z")
    form, proof = candidate
    if proof:
        return OutputForm(form, "symbolic")
    points = _numeric_agreement(form.xreplace({a: f}), df, z, domains)
    if points and points >= MIN_NUMERIC_POINTS:
        return OutputForm(form, f"numeric ({points} points)")
    return OutputForm(None, "", "the candidate rewrite failed its check")


# -- smooth functions ---------------------------------------------------------------------
def _smooth_form(f, df, z, a):
    """(g, proved) with g(a) = f′(z) when a = f(z), or None."""
    g = _in_terms_of_output(f, df, z, a)
    if g is None:
        return None
    g = teacher_form(g, a)
    return g, _identical(g.xreplace({a: f}), df, {})


def _in_terms_of_output(f, df, z, a):
    direct = df.xreplace({f: a})
    if not direct.has(z):
        return direct
    inverse = _inverse(f, z, a)
    if inverse is None:
        return None
    g = _cheap_simplest(to_elementary(df).xreplace({z: inverse}))
    if sp.count_ops(g) > LONG_FORM_OPS:
        shorter = simplify_bounded(g, STEP_SECONDS)
        if shorter is not None and sp.count_ops(shorter) < sp.count_ops(g):
            g = shorter
    # through erfinv (or any inverse the form keeps) it only recomputes z: no output form
    return None if g.has(z) or g.has(inverse) else g


def _inverse(f, z, a):
    """The one real solution z of a = f(z), found structurally (no general solve), or None."""
    try:
        var, solutions = invert_real(f, a, z)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if var != z:
        return None
    if isinstance(solutions, sp.Intersection):
        finite = [s for s in solutions.args if isinstance(s, sp.FiniteSet)]
        solutions = finite[0] if len(finite) == 1 else None
    if not isinstance(solutions, sp.FiniteSet) or len(solutions) != 1:
        return None
    (solution,) = solutions
    return solution


# -- piecewise functions ------------------------------------------------------------------
def _is_piecewise(f) -> bool:
    return to_elementary(f).has(sp.Piecewise)


def _piecewise_form(f, z, a, domains):
    """Piecewise((g_upper, a > f(c)), (g_lower, True)) for f = (upper, z > c), (lower, else).

    Proved when f is continuous at c, the upper piece strictly increases and the lower
    piece does not decrease (then z > c ⟺ a > f(c)), and each piece's g is proved. For
    z ≥ c the strict and the non-strict piece swap (z ≥ c ⟺ a ≥ f(c)).
    """
    pieces = sp.piecewise_fold(to_elementary(f))
    if not isinstance(pieces, sp.Piecewise) or len(pieces.args) != 2:
        return None
    (upper, cond), (lower, otherwise) = pieces.args
    c = _threshold(cond, z)
    if otherwise is not sp.true or c is None:
        return None
    strict = isinstance(cond, sp.StrictGreaterThan)
    forms = []
    proved = True
    for piece in (upper, lower):
        d_piece = teacher_derivative(piece, z)
        g = teacher_form(d_piece, a) if not d_piece.has(z) else _in_terms_of_output(piece, d_piece, z, a)
        if g is None:
            return None
        g = teacher_form(g, a)
        forms.append(g)
        proved = proved and _identical(g.xreplace({a: piece}), d_piece, domains)
    boundary = _cheap_simplest(upper.xreplace({z: c}))
    proved = proved and _monotone_split(upper, lower, c, z, domains, strict)
    image = sp.StrictGreaterThan(a, boundary) if strict else sp.GreaterThan(a, boundary)
    return sp.Piecewise((forms[0], image), (forms[1], True)), proved


def _threshold(cond, z):
    """c for a condition z > c or z ≥ c (also k·z + m > 0 with k > 0), else None."""
    if not isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan)):
        return None
    side = sp.expand(cond.lhs - cond.rhs)
    if not side.is_polynomial(z) or sp.degree(side, z) != 1:
        return None
    k = side.coeff(z, 1)
    if k.has(z) or k.is_positive is not True:
        return None
    return -side.coeff(z, 0) / k


def _monotone_split(upper, lower, c, z, domains, strict: bool) -> bool:
    """True when proved: upper(c) = lower(c), and (for z > c) upper′ > 0, lower′ ≥ 0 on the
    real line, or (for z ≥ c) upper′ ≥ 0, lower′ > 0."""
    assumed = _assumed(domains)
    continuous = _cheap_simplest((upper - lower).xreplace({z: c}).xreplace(assumed)) == 0
    up, low = (sp.diff(piece, z).xreplace(assumed) for piece in (upper, lower))
    if strict:
        return bool(continuous and up.is_positive and low.is_nonnegative)
    return bool(continuous and up.is_nonnegative and low.is_positive)


# -- forms a teacher writes ---------------------------------------------------------------
def teacher_derivative(f: sp.Expr, z: sp.Symbol) -> sp.Expr:
    """sympy.diff, with e^u/(1+e^u) written back as σ(u) (softplus′ = σ, not a fraction)."""
    return _fold_sigmoids(sp.diff(f, z))


def _fold_sigmoids(e: sp.Expr) -> sp.Expr:
    """Bottom up: 1/(1+e^u) → σ(−u), then e^u·σ(−u) → σ(u) (both identities of σ)."""
    if e.is_Atom or not e.args:
        return e
    return fold_sigmoid(e.func(*[_fold_sigmoids(arg) for arg in e.args]))


def fold_sigmoid(e: sp.Expr) -> sp.Expr:
    """One node whose arguments are folded already: 1/(1+e^u) → σ(−u), e^u·σ(−u) → σ(u)."""
    if e.is_Pow and e.exp == -1 and e.base.is_Add and len(e.base.args) == 2 and 1 in e.base.args:
        (other,) = [t for t in e.base.args if t != 1]
        if isinstance(other, sp.exp):
            return sigmoid(-other.args[0])
    if e.is_Mul:
        factors = list(e.args)
        for s in [f for f in factors if isinstance(f, sigmoid)]:
            partner = sp.exp(-s.args[0])
            if s in factors and partner in factors:
                factors.remove(s)
                factors.remove(partner)
                factors.append(sigmoid(-s.args[0]))
        return sp.Mul(*factors)
    return e


def teacher_form(g: sp.Expr, a: sp.Symbol) -> sp.Expr:
    """A polynomial in a as factors with a positive lead ((1+a)(1−a), a(1−a)); else as is."""
    if not g.is_polynomial(a) or sp.degree(g, a) < 2:
        return g
    coeff, factors = sp.factor_list(sp.expand(g), a)
    if len(factors) < 2 and all(m == 1 for _, m in factors):
        return g
    if coeff.could_extract_minus_sign():
        for i, (p, m) in enumerate(factors):
            if m % 2 == 1 and sp.degree(p, a) == 1:
                factors[i] = (sp.expand(-p), m)
                coeff = -coeff
                break
    return sp.Mul(coeff, *[p**m for p, m in factors])


def form_text(form: sp.Expr | sp.MatrixBase | None) -> str | None:
    """An output form (or a product built from one) in SymPy's str form, on one line, its
    factors in the order they were built ((1 + a)*(1 - a), as :func:`teacher_form` and the
    sheet write it, not str's (1 - a)*(a + 1)). The one text of an output form in every
    JSON (derive's and solve's); None for none."""
    if form is None:
        return None
    return sp.sstr(form.tolist() if isinstance(form, sp.MatrixBase) else form, order="none")


# -- checks -------------------------------------------------------------------------------
def _cheap_simplest(e: sp.Expr) -> sp.Expr:
    """The shortest of cheap rewrites (expand, cancel, factor): bounded, never simplify()."""
    candidates = [e]
    for step in (sp.cancel, sp.expand, lambda x: sp.expand(sp.cancel(x)), sp.factor):
        try:
            candidates.append(step(e))
        except (sp.PolynomialError, NotImplementedError, TypeError):
            continue
    return min(candidates, key=lambda x: (sp.count_ops(x), len(str(x))))


def _assumed(domains):
    """Symbolic parameters replaced by positive/nonnegative Dummies, as their domain says."""
    out = {}
    for s, domain in domains.items():
        if domain in ("positive", "nonnegative"):
            out[s] = sp.Dummy(s.name, **{domain: True})
    return out


def _identical(lhs, rhs, domains) -> bool:
    """True only when lhs ≡ rhs is proved symbolically, within a time bound."""
    assumed = _assumed(domains)
    lhs, rhs = to_elementary(lhs).xreplace(assumed), to_elementary(rhs).xreplace(assumed)
    if _cheap_simplest(lhs - rhs) == 0:
        return True
    # decide() says "equal" only with a symbolic proof (numeric agreement is "undecided").
    return decide(lhs, rhs, STEP_SECONDS).equal is True


def _numeric_agreement(lhs, rhs, z, domains) -> int | None:
    """Sample points where lhs = rhs to 1e-20 relative; None if they differ at one."""
    return _agreeing_points(lambda fl, fr, t, p: (fl(t, *p), fr(t, *p)),
                            lhs, rhs, z, domains, mpmath.mpf("1e-20"))


def derivative_agreement(f: sp.Expr, df: sp.Expr, z: sp.Symbol,
                         domains: dict[sp.Symbol, str] | None = None) -> int | None:
    """Sample points where df matches mpmath's finite difference of f; None on a miss.

    An independent check of sympy.diff: mpmath differentiates f numerically at 40 digits.
    """
    return _agreeing_points(lambda ff, fd, t, p: (mpmath.diff(lambda u: ff(u, *p), t), fd(t, *p)),
                            f, df, z, domains or {}, mpmath.mpf("1e-15"))


def _agreeing_points(pair, lhs, rhs, z, domains, tolerance) -> int | None:
    """Evaluate ``pair(lhs_fn, rhs_fn, z, params)`` at the sample points (40 digits).

    Points where a side is not real and finite (overflow, log of a negative) are skipped.
    Returns how many points agree to ``tolerance`` (relative), or None at the first that
    does not: a disagreement is never outweighed by agreements elsewhere.
    """
    params = sorted((s for s in (lhs.free_symbols | rhs.free_symbols) if s != z), key=str)
    try:
        fl, fr, sane = (sp.lambdify([z, *params], to_elementary(e), module)
                        for e, module in ((lhs, _MPMATH), (rhs, _MPMATH), (lhs + rhs, "math")))
    except Exception:  # noqa: BLE001 - lambdify fails on exotic objects; then no check
        return 0
    agreeing = 0
    for i in range(NUMERIC_POINTS):
        pv = [_sample_param(domains.get(p, "real"), i + 7 * k) for k, p in enumerate(params)]
        if not _sane_size(sane, _sample_z(i), pv):
            continue
        # A difference must survive a second look at 100 digits: a finite difference of a
        # function as steep as exp(exp(z)) needs more than 40.
        verdicts = (_pair_agrees(pair, fl, fr, _sample_z(i), pv, tolerance, dps) for dps in (40, 100))
        verdict = next(verdicts)
        if verdict is False:
            verdict = next(verdicts)
        if verdict is False:
            return None
        agreeing += verdict is True
    return agreeing


def _mp_heaviside(x, h0=None):
    if x == 0:
        if h0 is None:
            raise ValueError("Heaviside(0) undefined")
        return h0
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


def _mp_dirac_delta(x, *k):
    if x == 0:
        raise ValueError("DiracDelta(0)")
    return mpmath.mpf(0)


# SymPy's lambdify knows no mpmath Heaviside or DiracDelta; away from 0 they are plain.
_MPMATH = [{"Heaviside": _mp_heaviside, "DiracDelta": _mp_dirac_delta}, "mpmath"]


def _sane_size(sane, zv, pv) -> bool:
    """A float look first: exp(exp(exp(exp(30)))) would take mpmath minutes and all memory."""
    try:
        value = sane(float(zv), *map(float, pv))
    except NameError:  # a function the math module lacks (Heaviside): let mpmath judge
        return True
    except (ArithmeticError, ValueError, TypeError):
        return False
    return isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < float(HUGE)


def _pair_agrees(pair, fl, fr, zv, pv, tolerance, dps) -> bool | None:
    """True/False at one point; None where a side is not real, finite and of sane size."""
    with mpmath.workdps(dps):
        try:
            x, y = (mpmath.mpmathify(v) for v in pair(fl, fr, +zv, [+p for p in pv]))
        except (ArithmeticError, ValueError, TypeError, MemoryError):
            return None
        if not all(isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in (x, y)):
            return None
        scale = max(abs(x), abs(y))
        if scale > HUGE:
            return None
        return bool(abs(x - y) <= tolerance * scale + mpmath.mpf("1e-30"))


def _sample_z(i: int) -> mpmath.mpf:
    """Points over [−30, 30], none at 0 (the kink of ReLU-like functions)."""
    t = mpmath.mpf(i) / (NUMERIC_POINTS - 1)
    base = -30 + 60 * t
    return base + mpmath.mpf(1) / 7 if abs(base) < mpmath.mpf("1e-9") else base + mpmath.mpf(i) / 101


def _sample_param(domain: str, k: int) -> mpmath.mpf:
    value = mpmath.mpf(k % 5 + 1) / 3 + mpmath.mpf(k % 3) / 11
    return -value if domain == "real" and k % 2 else value
