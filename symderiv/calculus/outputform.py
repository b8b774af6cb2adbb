"""The derivative of an activation written in terms of its output a = f(z), derived and checked.

The search, by general methods rather than a table of functions (DESIGN.md):
1. f′ contains f itself (tanh: 1 − tanh²z): replace f(z) by a.
2. Invert a = f(z) for z, structurally (invert_real, on f and on f with σ, Φ written in
   exp and erf) or else with a bounded sympy.solve, keep the branch that gives f′ on f's
   domain, and substitute it (σ → a(1 − a), arctan → cos²a, bent identity).
3. Split f into its pieces where it has them (ReLU, ELU, and also |z|, max, min, sign:
   softsign, hard tanh) and do 1–2 on each piece where it is monotone; a condition on z
   becomes one on a (the piece's image), and two halves that mirror each other at a = 0
   become one form in |a| (softsign: (1 − |a|)²).
No form where a does not determine f′ (f not one-to-one: z², cosh, e^{−z²}, GELU, Swish,
Mish; a witness pair z₁ ≠ z₂ with f(z₁) = f(z₂), f′(z₁) ≠ f′(z₂) is given), or where the
inverse is not elementary (erf: it would only recompute z). Every candidate is then proved
(g(f(z)) ≡ f′(z) symbolically, bounded) or, failing that, checked numerically at many
points; a candidate that fails is dropped, never shown.
"""


import math

import mpmath
import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction
from sympy.solvers.solveset import invert_real

from symderiv.records import dataclass
from symderiv.calculus.continuity import limit_at_infinity
from symderiv.calculus.jets import second_order
from symderiv.calculus.functions import sigmoid, to_elementary
from symderiv.calculus.verify import decide, run_bounded, simplify_bounded

NUMERIC_POINTS = 48
# A rewrite that cannot be proved is kept only if it agrees at this many points at least.
MIN_NUMERIC_POINTS = 20
# Values beyond this are outside any activation's working range: such points are skipped.
HUGE = mpmath.mpf(10) ** 100
# CPU seconds for one bounded simplification, solve or equality decision on a user's formula.
STEP_SECONDS = 2.0
# A form longer than this (in SymPy operations) is worth a bounded simplify().
LONG_FORM_OPS = 8
# Reasons for no form, as keys the sheets translate (templates/latex/lang/*.toml, [why]).
NOT_ONE_TO_ONE = "f is not one-to-one, so a does not determine f'"
NOT_ELEMENTARY = "the inverse of f is not elementary"
NO_INVERSE = "no closed-form inverse found"
NO_MONOTONE_SPLIT = "no monotone split into pieces found"
FAILED_CHECK = "the candidate rewrite failed its check"
_REAL_LINE = sp.Interval(-sp.oo, sp.oo)


@dataclass(frozen=True)
class OutputForm:
    """f′ as a function of a = f(z), or None with the reason (one of the keys above) and a
    detail: the inverse that is not elementary, or the points showing f is not one-to-one."""

    expr: sp.Expr | None
    check: str  # "symbolic", "numeric (N points)", or "" when there is none
    note: str = ""
    detail: str = ""

    @property
    def reason(self) -> str:
        """The reason in words, with its detail."""
        return f"{self.note}: {self.detail}" if self.detail else self.note


def output_form(f: sp.Expr, df: sp.Expr, z: sp.Symbol, a: sp.Symbol,
                domains: dict[sp.Symbol, str] | None = None) -> OutputForm:
    """f′ written in a = f(z). ``domains`` gives each symbolic parameter's domain
    ("real", "positive", "nonnegative"): proofs assume it and numeric checks sample from it."""
    domains = domains or {}
    pieces = _pieces(f, z)
    witness = None
    if pieces is None:
        candidate = None
    elif len(pieces) == 1:
        candidate = _smooth_form(f, df, z, a, solve=False)
        # a witness that a does not determine f′ spares a solve() that would search in vain
        witness = None if candidate else _not_one_to_one(f, df, z)
        if candidate is None and witness is None:
            candidate = _smooth_form(f, df, z, a, solve=True)
    else:
        candidate = _piecewise_form(pieces, z, a, domains)
    if candidate is None:
        return _no_form(f, df, z, a, pieces, witness)
    form, proof = candidate
    if proof:
        return OutputForm(form, "symbolic")
    points = _numeric_agreement(form.xreplace({a: f}), df, z, domains)
    if points and points >= MIN_NUMERIC_POINTS:
        return OutputForm(form, f"numeric ({points} points)")
    return OutputForm(None, "", FAILED_CHECK)


def _no_form(f, df, z, a, pieces, witness) -> OutputForm:
    """Why there is none: a witness that a does not determine f′, or what the inverse lacks."""
    witness = witness or _not_one_to_one(f, df, z)
    if witness is not None:
        z1, z2, value, d1, d2 = (f"{x:.6g}" for x in witness)
        given = ", ".join(f"{p} = 1" for p in sorted(map(str, f.free_symbols - {z})))
        return OutputForm(None, "", NOT_ONE_TO_ONE, (f"with {given}, " if given else "") +
                          f"f({z1}) = f({z2}) = {value} but f'({z1}) = {d1}, f'({z2}) = {d2}")
    if pieces is None or len(pieces) > 1:
        return OutputForm(None, "", NO_MONOTONE_SPLIT)
    for inverse in _inverses(f, z, a, solve=False):
        if not _elementary(inverse):
            return OutputForm(None, "", NOT_ELEMENTARY, f"z = {sp.sstr(inverse)}, and "
                                                        "the form would only recompute z")
    return OutputForm(None, "", NO_INVERSE)


# -- smooth functions ---------------------------------------------------------------------
def _smooth_form(f, df, z, a, solve: bool):
    """(g, proved) with g(a) = f′(z) when a = f(z), or None."""
    g = _in_terms_of_output(f, df, z, a, _REAL_LINE, {}, solve)
    if g is None:
        return None
    return g, _identical(g.xreplace({a: f}), df, {})


def _in_terms_of_output(f, df, z, a, interval, domains, solve=True):
    """g(a) with g(f(z)) = f′(z) for z in ``interval``, in its shortest proved form, or None.
    ``solve``: try a bounded sympy.solve where no inverse is found structurally."""
    direct = df.xreplace({f: a})
    if not direct.has(z):
        return teacher_form(direct, a)
    for inverse in _inverses(f, z, a, solve):
        if not _elementary(inverse):
            continue   # through erfinv it only recomputes z
        found = [g for g in (_cheap_simplest(d.xreplace({z: inverse}))
                             for d in _through_radicals(to_elementary(df), to_elementary(f), z, a))
                 if not g.has(z) and _on_branch(g.xreplace({a: f}), df, z, interval, domains)]
        if found:
            return _tidy(min(found, key=sp.count_ops), f, df, a, domains)
    return None


def _through_radicals(df, f, z, a) -> list[sp.Expr]:
    """df, and df with each square root √u that a = f(z) holds linearly written from that
    equation (bent identity: √(z² + 1) = 2(a − z) + 1, so u^{−1/2} = 1/(2(a − z) + 1)),
    which keeps the inverse from nesting radicals."""
    out = [df]
    r = sp.Dummy("r")
    for root in {p for p in f.atoms(sp.Pow) if p.exp == sp.S.Half and p.base.has(z)}:
        equation = sp.expand(f.xreplace({root: r}) - a)
        if not equation.is_polynomial(r) or sp.degree(equation, r) != 1:
            continue
        k = equation.coeff(r, 1)
        value = -(equation - k * r) / k
        out.append(df.replace(lambda e: e.is_Pow and e.base == root.base and (2 * e.exp).is_Integer,
                              lambda e: value ** (2 * e.exp)))
    return out


def _inverses(f, z, a, solve=True) -> list[sp.Expr]:
    """Candidate solutions z of a = f(z): structural ones first (invert_real on f, then on f
    with σ, Φ written in exp and erf), then a bounded sympy.solve; real branches only."""
    found = []
    for target in dict.fromkeys((f, to_elementary(f))):
        try:
            var, solutions = invert_real(target, a, z)
        except (NotImplementedError, ValueError, TypeError):
            continue
        if var == z:
            found += _finite_solutions(solutions)
    if not found and solve:
        found = run_bounded(_solve, (to_elementary(f), z, a), STEP_SECONDS) or []
    return [s for s in dict.fromkeys(found) if not s.has(sp.I)]


def _solve(f, z, a) -> list[sp.Expr]:
    return sp.solve(sp.Eq(f, a), z)


def _finite_solutions(solutions) -> list[sp.Expr]:
    if isinstance(solutions, sp.Intersection):
        finite = [s for s in solutions.args if isinstance(s, sp.FiniteSet)]
        solutions = finite[0] if len(finite) == 1 else None
    return list(solutions) if isinstance(solutions, sp.FiniteSet) else []


def _elementary(inverse: sp.Expr) -> bool:
    return not inverse.has(sp.erfinv, sp.erfcinv, sp.LambertW, sp.Integral, sp.CRootOf)


def _on_branch(composed, df, z, interval, domains) -> bool:
    """True when g(f(z)) matches f′(z) at the sample points in ``interval``: the branch of
    the inverse that belongs to this piece (√a, not −√a, for z ≥ 0)."""
    points = _agreeing_points(lambda fl, fr, t, p: (fl(t, *p), fr(t, *p)), composed, df, z,
                              domains, mpmath.mpf("1e-20"), interval)
    return bool(points)


def _tidy(g, f, df, a, domains):
    """The shortest of g's forms that still proves g(f) = f′: a bounded simplify() (1/(1 +
    tan²a) → cos²a), sign(a)² → 1 (3|a|^{2/3}, not 3|a|^{2/3}·sign(a)²), a teacher's factors."""
    candidates = [g]
    if sp.count_ops(g) > LONG_FORM_OPS or g.has(TrigonometricFunction, HyperbolicFunction):
        shorter = simplify_bounded(g, STEP_SECONDS)
        if shorter is not None and not shorter.has(sp.I):
            candidates.append(shorter)
    unsigned = g.replace(lambda e: e.is_Pow and isinstance(e.base, sp.sign) and e.exp.is_even,
                         lambda e: sp.S.One)
    if unsigned != g and _identical(unsigned.xreplace({a: f}), df, domains):
        candidates.append(unsigned)
    best = min(candidates, key=lambda x: (sp.count_ops(x), len(str(x))))
    return teacher_form(best, a)


# -- pieces -------------------------------------------------------------------------------
def _pieces(f, z):
    """f's pieces [(expression, interval of z)], highest z first; [(f, ℝ)] for a smooth f;
    None when a condition is no set of z (a symbolic threshold)."""
    rewritten = sp.piecewise_fold(to_elementary(f).rewrite(sp.Piecewise))
    if not rewritten.has(sp.Piecewise):
        return [(f, _REAL_LINE)]
    if not isinstance(rewritten, sp.Piecewise):
        return None
    try:
        pairs = rewritten.as_expr_set_pairs(_REAL_LINE)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    if not all(isinstance(s, sp.Interval) for _, s in pairs if not isinstance(s, sp.FiniteSet)):
        return None
    # points alone (a condition z = c) carry no derivative of their own
    pieces = [(e, s) for e, s in pairs if isinstance(s, sp.Interval) and s.measure != 0]
    return sorted(pieces, key=lambda p: p[1].sup, reverse=True)


def _piecewise_form(pieces, z, a, domains):
    """Piecewise((g_i, a ∈ image_i), …) over f's pieces, or None.

    Each piece is constant or strictly monotone, all in one direction, and their images
    follow each other in that direction (then a determines the piece up to its ends); each
    piece's g is found and proved like a smooth function's.
    """
    assumed = _assumed(domains)
    forms, proved, direction, previous = [], True, 0, None
    for expr, interval in pieces:
        d_piece = teacher_derivative(expr, z)
        sense = _sense(d_piece, z, interval, assumed)
        if sense is None or (sense and direction and sense != direction):
            return None
        direction = direction or sense
        if d_piece.has(z):
            g = _in_terms_of_output(expr, d_piece, z, a, interval, domains)
        else:
            g = teacher_form(d_piece, a)
        image = _image(expr, z, interval, sense, assumed)
        if g is None or image is None:
            return None
        if previous is not None and not _follows(image, previous, direction, assumed):
            return None
        forms.append((g, image))
        previous = image
        proved = proved and _identical(g.xreplace({a: expr}), d_piece, domains)
    return _mirrored(forms, a) or _as_piecewise(forms, a, assumed), proved


def _sense(d, z, interval, assumed) -> int | None:
    """+1 (strictly increasing), −1 (strictly decreasing), 0 (constant) on ``interval``,
    proved; None otherwise."""
    if not d.has(z):   # a slope α ≥ 0 (leaky ReLU's) counts as rising: a piece that is
        d = d.xreplace(assumed)   # flat when α = 0 still maps below the piece above it
        return 0 if d == 0 else 1 if d.is_nonnegative else -1 if d.is_nonpositive else None
    inside = _inside(z, interval)
    if inside is None:
        return None
    d = to_elementary(d).xreplace(assumed).xreplace({z: inside})
    for form in (d, _cheap_simplest(d)):   # −z/(z+1)² + 1/(z+1) says nothing; 1/(z+1)² does
        if form.is_positive or form.is_negative:
            return 1 if form.is_positive else -1
    return None


def _inside(z, interval):
    """z written by a positive dummy t so that every t > 0 is a point of ``interval``
    (a half-line c ± t, or the line itself); None for a bounded interval."""
    t = sp.Dummy("t", positive=True)
    lo, hi = interval.inf, interval.sup
    if lo == -sp.oo and hi == sp.oo:
        return sp.Dummy("x", real=True)
    if hi == sp.oo:
        return lo + t
    if lo == -sp.oo:
        return hi - t
    return lo + (hi - lo) * t / (1 + t)


def _image(expr, z, interval, sense, assumed):
    """f(interval) for a monotone piece, as an Interval (a FiniteSet for a constant one)."""
    ends = []
    for end in (interval.inf, interval.sup):
        try:
            value = (_limit_at(to_elementary(expr).xreplace(assumed), z, end) if end.is_infinite
                     else _cheap_simplest(expr.xreplace(assumed).xreplace({z: end})))
        except (NotImplementedError, ValueError, TypeError):
            return None
        if value.has(sp.AccumBounds, sp.nan, sp.zoo):
            return None
        ends.append(value)
    if sense == 0:
        return sp.FiniteSet(ends[0])
    opens = [interval.left_open or interval.inf.is_infinite,
             interval.right_open or interval.sup.is_infinite]
    if sense < 0:
        ends, opens = ends[::-1], opens[::-1]
    return sp.Interval(ends[0], ends[1], *opens)


def _limit_at(expr, z, end):
    """lim expr at ±∞: by the algebra of limits where that settles it (microseconds: a
    linear piece's ends), else sympy.limit."""
    value = limit_at_infinity(expr, z, end)
    return value if value is not None else sp.limit(expr, z, end)


def _follows(image, previous, direction, assumed) -> bool:
    """``image`` (of a piece of lower z) lies on the far side of ``previous``, sharing no
    point: below it for an increasing f, above for a decreasing one. (Touching ends must not
    both be attained: with z for z ≥ 0 and 0 below, a = 0 comes from z = 0 and every z < 0.)"""
    low, high = (image, previous) if direction >= 0 else (previous, image)
    gap = _cheap_simplest((_start(high) - _end(low)).xreplace(assumed))
    if gap.is_positive:
        return True
    return bool(gap.is_zero and (_open_end(low) or _open_start(high)))


def _start(s):
    return s.args[0] if isinstance(s, sp.FiniteSet) else s.inf


def _end(s):
    return s.args[0] if isinstance(s, sp.FiniteSet) else s.sup


def _open_start(s) -> bool:
    return isinstance(s, sp.Interval) and bool(s.left_open)


def _open_end(s) -> bool:
    return isinstance(s, sp.Interval) and bool(s.right_open)


def _as_piecewise(forms, a, assumed):
    """The pieces as one Piecewise in a; the form most pieces share (0 for hard tanh's two
    flat ends), else the lowest piece's, is the last, unconditioned one."""
    counts = {}
    for g, _ in forms:
        counts[g] = counts.get(g, 0) + 1
    default = max(reversed([g for g, _ in forms]), key=lambda g: counts[g])
    conditioned = [(g, _condition(image, a)) for g, image in forms if g != default]
    return sp.Piecewise(*conditioned, (default, True))


def _condition(image, a):
    """a ∈ image, written with the ends that are finite (a > 0, not 0 < a < ∞)."""
    if isinstance(image, sp.FiniteSet):
        return sp.Eq(a, image.args[0])
    parts = []
    if image.inf.is_finite is not False:
        parts.append(sp.StrictGreaterThan(a, image.inf) if image.left_open
                     else sp.GreaterThan(a, image.inf))
    if image.sup.is_finite is not False:
        parts.append(sp.StrictLessThan(a, image.sup) if image.right_open
                     else sp.LessThan(a, image.sup))
    return sp.And(*parts)


def _mirrored(forms, a):
    """g(|a|) where two pieces meet at a = 0 and mirror each other (softsign: (1 − a)² for
    a ≥ 0, (1 + a)² below: (1 − |a|)²); None otherwise."""
    if len(forms) != 2:
        return None
    (upper, above), (lower, below) = forms
    if above.inf != 0 or below.sup != 0 or isinstance(above, sp.FiniteSet):
        return None
    if _cheap_simplest(upper.xreplace({a: -a}) - lower) != 0:
        return None
    return teacher_form(upper, a).xreplace({a: sp.Abs(a)})


def _not_one_to_one(f, df, z) -> tuple[float, ...] | None:
    """(z₁, z₂, f(z₁), f′(z₁), f′(z₂)) with f(z₁) = f(z₂) and f′(z₁) ≠ f′(z₂), found with
    mpmath (30 digits), or None. Mirror points ±t first (nice numbers for an even f), then
    the two sides of a turning point (a sign change of f′ on a grid over [−30, 30])."""
    # A form for every value of a parameter (Swish's β) would be one for β = 1 (a value in
    # every parameter domain): a witness there shows there is none.
    ones = {p: sp.S.One for p in (f.free_symbols | df.free_symbols) - {z}}
    f, df = f.xreplace(ones), df.xreplace(ones)
    elementary = to_elementary(f)
    if second_order(elementary, z, 0) is not None:
        # f and f′ by the chain rule per node (calculus/jets.py): no printing and compiling
        # of two functions, a third of this search's time
        def fn(x):
            return second_order(elementary, z, x)[0]

        def dfn(x):
            return second_order(elementary, z, x)[1]
    else:
        try:
            fn, dfn = (sp.lambdify(z, to_elementary(e), _MPMATH, docstring_limit=-1) for e in (f, df))
        except Exception:  # noqa: BLE001 - lambdify fails on exotic objects; then no witness
            return None
    with mpmath.workdps(30):
        for t in (1, 2, mpmath.mpf(1) / 2):
            found = _witness(fn, dfn, -mpmath.mpf(t), mpmath.mpf(t))
            if found:
                return found
        # turning points of activations lie near 0: look there first, outward to ±30
        step = mpmath.mpf(1) / 4
        for k in sorted(range(-119, 120), key=abs):
            lo, mid, hi = (k - 1) * step, k * step, (k + 1) * step
            left, right = _real(dfn, lo), _real(dfn, hi)
            if left is None or right is None or left * right >= 0:
                continue
            found = _turning_pair(fn, dfn, lo, mid, hi)
            if found:
                return found
    return None


def _turning_pair(fn, dfn, lo, mid, hi):
    """Around a turning point between lo and hi: z₂ on the far side with f(z₂) = f(z₁)."""
    for z1, far in ((lo, hi), (hi, lo)):
        target = _real(fn, z1)
        ends = [_real(fn, mid), _real(fn, far)]
        if target is None or None in ends or (ends[0] - target) * (ends[1] - target) > 0:
            continue
        try:
            z2 = mpmath.findroot(lambda x: fn(x) - target, (mid, far), solver="anderson")
        except (ValueError, ZeroDivisionError, ArithmeticError):
            continue
        found = _witness(fn, dfn, z1, z2)
        if found:
            return found
    return None


def _witness(fn, dfn, z1, z2):
    values = [_real(g, x) for g in (fn, dfn) for x in (z1, z2)]
    if None in values or abs(z1 - z2) < mpmath.mpf("1e-6"):
        return None
    f1, f2, d1, d2 = values
    scale = max(abs(f1), abs(f2), 1)
    if abs(f1 - f2) > mpmath.mpf("1e-20") * scale or abs(d1 - d2) < mpmath.mpf("1e-6") * max(abs(d1), abs(d2), 1):
        return None
    return tuple(float(x) for x in (z1, z2, f1, d1, d2))


def _real(fn, x):
    try:
        value = mpmath.mpmathify(fn(x))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return value if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) else None


# -- forms a teacher writes ---------------------------------------------------------------
def teacher_derivative(f: sp.Expr, z: sp.Symbol) -> sp.Expr:
    """sympy.diff, with e^u/(1+e^u) written back as σ(u) (softplus′ = σ, not a fraction)."""
    d = _fold_sigmoids(sp.diff(f, z))
    if f.has(sp.Min, sp.Max):
        d = _by_pieces(f, z, d)
    return _unsigned(d) if d.has(sp.sign) else d


def _by_pieces(f, z, d):
    """f′ of a max/min formula piece by piece where that reads shorter: hard tanh′ is
    0 for z ≤ −1 or z ≥ 1 and 1 between, not Heaviside(1 − z)·Heaviside(min(1, z) + 1)."""
    try:
        pieces = sp.diff(sp.piecewise_fold(f.rewrite(sp.Piecewise)), z)
        if isinstance(pieces, sp.Piecewise):
            pieces = _reachable(pieces, z)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return d
    return pieces if sp.count_ops(pieces) < sp.count_ops(d) else d


def _reachable(pieces: sp.Piecewise, z) -> sp.Expr:
    """The pieces over the sets of z where each applies, empty ones and single points
    dropped (the derivative is not defined at a kink) and equal values joined."""
    sets = {}
    for value, where in pieces.as_expr_set_pairs(_REAL_LINE):
        if where.measure != 0:
            sets[value] = sp.Union(sets.get(value, sp.S.EmptySet), where)
    if len(sets) == 1:
        return next(iter(sets))
    *first, (last, _) = sets.items()
    return sp.Piecewise(*[(value, where.as_relational(z)) for value, where in first], (last, True))


def _unsigned(d: sp.Expr) -> sp.Expr:
    """x·sign(x) → |x|, then the shorter of that and its cancelled form (softsign′:
    −z·sign(z)/(|z| + 1)² + 1/(|z| + 1) is 1/(|z| + 1)²)."""
    def absolute(term):
        for s in [f for f in term.args if isinstance(f, sp.sign)]:
            if s.args[0] in term.args:
                return term.func(*[x for x in term.args if x not in (s, s.args[0])]) * sp.Abs(s.args[0])
        return term
    folded = d.replace(lambda e: e.is_Mul and e.has(sp.sign), absolute)
    shorter = _cheap_simplest(folded)
    return shorter if sp.count_ops(shorter) < sp.count_ops(d) else d


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
    # a squared factor reads with its constant first, as a teacher writes it: (1 − a)²
    factors = [(sp.expand(-p) if m % 2 == 0 and p.subs(a, 0).is_negative else p, m)
               for p, m in factors]
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


def _agreeing_points(pair, lhs, rhs, z, domains, tolerance, interval=_REAL_LINE) -> int | None:
    """Evaluate ``pair(lhs_fn, rhs_fn, z, params)`` at the sample points in ``interval``
    (40 digits).

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
        if not _in(interval, _sample_z(i)) or not _sane_size(sane, _sample_z(i), pv):
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


def _in(interval, x) -> bool:
    """x ∈ interval, for numeric ends (a symbolic end does not exclude x)."""
    lo, hi = interval.inf, interval.sup
    if lo.is_number and lo.is_finite and (x < lo or (x == lo and interval.left_open)):
        return False
    return not (hi.is_number and hi.is_finite and (x > hi or (x == hi and interval.right_open)))


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
