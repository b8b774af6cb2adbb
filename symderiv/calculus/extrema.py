"""Where a function of one real variable is largest, smallest, rising and falling, over ℝ.

A function is split at the thresholds of its Piecewise conditions (ReLU, ELU) into
pieces, each one elementary expression on an open interval. On each piece:

- **critical points** are the roots of the derivative: every sign change on a scan of
  [−SCAN_RADIUS, SCAN_RADIUS] (step 1/SCAN_DENSITY) refined by ``mpmath.findroot`` at
  ``DIGITS`` digits; ``sympy.solve`` (killed at its time bound) then names each root in
  closed form where it can (√2 for GELU″), and a closed form is kept only where it
  matches a refined root;
- the **ends** are limits: the value at a finite threshold (each piece extends
  continuously there), and Gruntz's algorithm at ±∞ (bounded), else the value far out
  (named as such).

The supremum is the largest of the values at critical points, at thresholds, on
constant pieces (all attained) and of the limits (approached, not attained); the
infimum likewise. Roots outside the scanned window or double roots without a sign change
can be missed: the method strings say what was done, and tests compare with an oracle.
"""

import math
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.relational import Relational
from sympy.series.gruntz import gruntz

from symderiv.calculus.float_signs import float_signs
from symderiv.calculus.functions import to_elementary
from symderiv.calculus.verify import run_bounded

DIGITS = 40              # mpmath precision of every numeric value here
SCAN_RADIUS = 40         # roots are searched for in [−40, 40] …
SCAN_DENSITY = 8         # … at 8 points per unit
SOLVE_SECONDS = 2.0      # bound on sympy.solve naming the roots of one piece
LIMIT_SECONDS = 3.0      # bound on a limit at ±∞
SIMPLIFY_SECONDS = 2.0   # bound on tidying a closed-form value
FAR = 10**6              # where a limit is read off numerically when Gruntz gives up
SETTLED = mpmath.mpf(10) ** -6   # values at ±FAR, ±2 FAR, ±3 FAR this close: a limit
MATCH = mpmath.mpf(10) ** -30   # a closed-form root and a refined root this close are one

SCANNED = (f"sign changes scanned on [-{SCAN_RADIUS}, {SCAN_RADIUS}] at step "
           f"1/{SCAN_DENSITY}, refined by mpmath.findroot at {DIGITS} digits")


@dataclass(frozen=True)
class Piece:
    lo: sp.Expr           # −oo or a threshold
    hi: sp.Expr           # a threshold or oo
    expr: sp.Expr         # the function on (lo, hi), elementary


@dataclass(frozen=True)
class Root:
    value: sp.Expr        # closed form, or a DIGITS-digit Float
    exact: bool

    @property
    def mp(self) -> mpmath.mpf:
        return _mp(self.value)


@dataclass(frozen=True)
class Extreme:
    """A supremum or infimum: its value, whether reached and where.

    ``at`` holds the points (lo == hi) or intervals (None for ±∞) where it is reached, as
    (lo, hi, lo_closed, hi_closed);
    empty when it is only approached, ``approached`` then says where (±oo, or a threshold).
    """

    value: sp.Expr
    exact: bool
    attained: bool
    at: tuple[tuple[sp.Expr | None, sp.Expr | None, bool, bool], ...]
    approached: tuple[sp.Expr, ...]
    method: str

    def first_point(self):
        """Where it is first reached: a number, or an interval [lo, hi] (None for ±∞)."""
        if not self.at:
            return None
        lo, hi = self.at[0][:2]
        return lo if lo == hi and lo is not None else [lo, hi]


@dataclass(frozen=True)
class Analysis:
    """One function over ℝ: its pieces, the critical points of each, sup and inf, the
    limits at ±∞, and the sign of its derivative between critical points."""

    pieces: tuple[Piece, ...]
    critical: tuple[tuple[Root, ...], ...]           # per piece, sorted
    sup: Extreme
    inf: Extreme
    limits: tuple[sp.Expr | None, sp.Expr | None]    # at −∞ and +∞ (None: no limit)
    limits_exact: tuple[bool, bool]
    falling: tuple[tuple[Root | None, Root | None], ...] = field(default=())
    constant: tuple[tuple[sp.Expr, sp.Expr, sp.Expr], ...] = field(default=())


def analyse(h: sp.Expr, z: sp.Symbol) -> Analysis:
    """Sup, inf, limits and falling intervals of h(z) over ℝ (see the module doc)."""
    pieces = split(h, z)
    critical = tuple(roots(sp.diff(p.expr, z), z, p.lo, p.hi) for p in pieces)
    candidates = []
    for p, crits in zip(pieces, critical):
        if z not in p.expr.free_symbols:
            candidates.append(_Candidate(p.expr, True, True, (_end(p.lo), _end(p.hi)), None,
                                         "constant on this interval"))
        for r in crits:
            value = _tidy(p.expr.xreplace({z: r.value})) if r.exact else _mp_float(p.expr, z, r)
            candidates.append(_Candidate(value, r.exact, True, (r.value, r.value), None,
                                         _root_method(r)))
        for end in (p.lo, p.hi):
            candidates.append(_end_candidate(p, end, z))
    candidates = [c for c in candidates if c.value is not None]
    for b in _thresholds(pieces):
        value = to_elementary(h).rewrite(sp.Piecewise).subs(z, b)
        candidates.append(_Candidate(value, True, True, (b, b), None, "value at the threshold"))
    limits = tuple(c for c in candidates if c.approached in (-sp.oo, sp.oo))
    low = next((c for c in limits if c.approached == -sp.oo), _NO_LIMIT)
    high = next((c for c in limits if c.approached == sp.oo), _NO_LIMIT)
    return Analysis(pieces, critical, _extreme(candidates, max), _extreme(candidates, min),
                    (low.value, high.value), (low.exact, high.exact),
                    falling_intervals(pieces, critical, z),
                    tuple((p.lo, p.hi, p.expr) for p in pieces
                          if z not in p.expr.free_symbols))


def check_real(h: sp.Expr, z: sp.Symbol, samples: int = 8 * SCAN_RADIUS + 1) -> None:
    """ValueError naming a z in [−SCAN_RADIUS, SCAN_RADIUS] where h is not a finite real
    number (log z at z < 0, 1/z at 0): the analysis is over ℝ."""
    f = _mp_function(h, z)
    with mpmath.workdps(DIGITS):
        for k in range(samples):
            x = mpmath.mpf(-SCAN_RADIUS) + mpmath.mpf(2 * SCAN_RADIUS) * k / (samples - 1)
            try:
                v = f(x)
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                v = None
            if isinstance(v, (int, float)):
                v = mpmath.mpf(v)
            if not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v):
                raise ValueError(f"not a finite real number at z = {mpmath.nstr(x, 6)}; "
                                 f"an activation is analysed over all real z")


# -- pieces ----------------------------------------------------------------------------------

def split(h: sp.Expr, z: sp.Symbol) -> tuple[Piece, ...]:
    """h as elementary pieces between the thresholds of its conditions."""
    e = sp.piecewise_fold(to_elementary(h).rewrite(sp.Piecewise))
    cuts = sorted({_cut(rel, z) for rel in e.atoms(Relational)}, key=lambda c: float(c))
    ends = [-sp.oo, *cuts, sp.oo]
    out = []
    for lo, hi in zip(ends, ends[1:]):
        inside = _inner_point(lo, hi)
        out.append(Piece(lo, hi, _branch_at(e, z, inside)))
    return tuple(out)


def _cut(rel, z) -> sp.Expr:
    side = sp.expand(rel.lhs - rel.rhs)
    if not side.is_polynomial(z) or sp.degree(side, z) != 1:
        raise ValueError(f"a condition that is not a threshold in {z}: {rel}")
    return sp.nsimplify(-side.coeff(z, 0) / side.coeff(z, 1))


def _inner_point(lo, hi) -> sp.Expr:
    if lo == -sp.oo and hi == sp.oo:
        return sp.Integer(0)
    if lo == -sp.oo:
        return hi - 1
    if hi == sp.oo:
        return lo + 1
    return (lo + hi) / 2


def _branch_at(e: sp.Expr, z: sp.Symbol, point: sp.Expr) -> sp.Expr:
    """e with each Piecewise replaced by its branch that holds at z = point."""
    def branch(pw):
        for expr, cond in pw.args:
            if cond == sp.true or bool(cond.subs(z, point)):
                return expr
        raise ValueError(f"no branch of {pw} holds at {z} = {point}")
    return e.replace(lambda x: isinstance(x, sp.Piecewise), branch)


def _thresholds(pieces) -> list:
    return [p.hi for p in pieces[:-1]]


def _end(x):
    return None if x in (sp.oo, -sp.oo) else x


# -- roots ---------------------------------------------------------------------------------------

def roots(g: sp.Expr, z: sp.Symbol, lo=-sp.oo, hi=sp.oo, *, closed_form: bool = True,
          window=(-SCAN_RADIUS, SCAN_RADIUS), density: int = SCAN_DENSITY) -> tuple[Root, ...]:
    """The roots of g in (lo, hi) where g changes sign (or is 0 on a scan point), sorted;
    scanned on ``window`` at ``density`` points per unit, named by sympy.solve where it
    can (``closed_form``)."""
    if z not in g.free_symbols:
        return ()
    left = max(_mp(lo), mpmath.mpf(window[0]))
    right = min(_mp(hi), mpmath.mpf(window[1]))
    found = []
    with mpmath.workdps(DIGITS):
        xs = _Grid(left, right, int((right - left) * density), _mp(lo), _mp(hi))
        f, signs = _scan_signs(g, z, xs)
        for i, s in enumerate(signs):
            if s == 0:
                found.append(xs[i])
            elif i + 1 < len(xs) and signs[i + 1] not in (0, None) and s is not None \
                    and s * signs[i + 1] < 0:
                found.append(mpmath.findroot(f(), (xs[i], xs[i + 1]), solver="anderson"))
    closed = (run_bounded(_real_solutions, (g, z, lo, hi), SOLVE_SECONDS) or []) \
        if closed_form and found else []
    out = []
    for x in found:
        match = next((c for c in closed if abs(_mp(c) - x) < MATCH), None)
        out.append(Root(match, True) if match is not None
                   else Root(sp.Float(mpmath.nstr(x, DIGITS), DIGITS), False))
    return tuple(sorted(out, key=lambda r: r.mp))


def _real_solutions(g, z, lo, hi) -> list:
    """sympy.solve's real roots of g in (lo, hi) (run in a killed child: may hang)."""
    out = []
    for r in sp.solve(g, z):
        if r.is_real and (lo == -sp.oo or r > lo) and (hi == sp.oo or r < hi):
            out.append(r)
    return out


class _Grid:
    """The scan points left + (right − left)·k/steps inside (low, high), as mpmath numbers
    at the working precision, each made when first asked for (most points are settled in
    floats, :attr:`floats`, and never need one)."""

    def __init__(self, left, right, steps, low, high):
        self._left, self._width, self._steps = left, right - left, steps
        self._ks = [k for k in range(steps + 1) if low < self._point(k) < high] \
            if low >= left or high <= right else list(range(steps + 1))
        self._made = {}
        # the same points in floats, each rounded once from its exact value; the mpmath
        # point is within a DIGITS-digit rounding of that value (``slack``)
        # (in integers over one denominator: int / int rounds once, as float(Fraction)
        # does, at a tenth of the cost of a Fraction per point)
        exact_left, exact_width = Fraction(str(left)), Fraction(str(self._width))
        start = exact_left.numerator * exact_width.denominator * steps
        stride = exact_width.numerator * exact_left.denominator
        denominator = exact_left.denominator * exact_width.denominator * steps
        self.floats = [(start + stride * k) / denominator for k in self._ks]
        self.slack = float(10 ** (5 - DIGITS) * (abs(exact_left) + abs(exact_width)))

    def _point(self, k) -> mpmath.mpf:
        return self._left + self._width * k / self._steps

    def __len__(self):
        return len(self._ks)

    def __getitem__(self, i) -> mpmath.mpf:
        if i not in self._made:
            self._made[i] = self._point(self._ks[i])
        return self._made[i]


def _scan_signs(g, z, xs) -> tuple:
    """The sign of g at each scan point (see :func:`_sign`), and g as an mpmath function
    (made on first use). Machine floats settle every point where they are sure of the
    sign (:func:`~symderiv.calculus.float_signs.float_signs`: a few milliseconds for the
    whole grid); mpmath decides the rest, one point at a time."""
    made = []

    def f():
        if not made:
            made.append(_mp_function(g, z))
        return made[0]

    e = to_elementary(g)
    floats = xs.floats
    pieces = _erf_split(e)
    if pieces is None:
        sure = float_signs(e, z, floats, xs.slack)
    else:   # the two pieces of the mpmath function (both equal g: either bounds it)
        cut = sum(1 for x in floats if x < 0)
        left, right = (float_signs(pieces[0], z, floats[:cut], xs.slack),
                       float_signs(pieces[1], z, floats[cut:], xs.slack))
        sure = None if left is None or right is None else left + right
    if sure is None:   # a node floats cannot bound: every point by _sign, floats first
        quick = _float_function(g, z)
        return f, [_sign(f(), xs[i], quick) for i in range(len(xs))]
    return f, [s if s is not None else _sign(f(), xs[i]) for i, s in enumerate(sure)]


# DIGITS, 2·DIGITS, … 32·DIGITS digits, in bits; two successive values agree to 10 digits
_SIGN_PRECISIONS = tuple(mpmath.libmp.dps_to_prec(k * DIGITS) for k in (1, 2, 4, 8, 16, 32))
with mpmath.workdps(32 * DIGITS):
    _AGREE = mpmath.mpf(10) ** -10


def _sign(f, x, quick=None):
    """The sign of f(x), at the precision it takes to be sure of it (GELU′ at −15 cancels
    50 digits: 1/2 + erf(−15/√2)/2 is 1e−52), or None where f is undefined or unsure.

    Sure means two successive precisions agree to ten digits. ``quick`` (f in machine
    floats, :func:`_float_function`) is the first of them where given: a float that agrees
    with the DIGITS-digit value lost less than six of its sixteen digits to cancellation,
    so the DIGITS-digit value is sure, and one mpmath evaluation settles the point where
    two would."""
    last = _float_value(quick, x) if quick is not None else None
    for prec in _SIGN_PRECISIONS:
        try:
            if mpmath.mp.prec == prec:   # the scan's own precision: no context to enter
                v = f(mpmath.mpf(x))
            else:
                with mpmath.workprec(prec):
                    v = f(mpmath.mpf(x))
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        if isinstance(v, (int, float)):   # a constant, lambdified
            v = mpmath.mpf(v)
        if not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v):
            return None
        if v != 0 and last is not None and abs(v - last) <= abs(v) * _AGREE:
            return 1 if v > 0 else -1
        last = v
    # 0 at every precision: a root on the scan point itself (σ″ at 0)
    return 0 if last == 0 else None


def _float_value(quick, x) -> mpmath.mpf | None:
    """quick(x) in floats, or None where floats over- or underflow or fail."""
    try:
        v = quick(float(x))
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not isinstance(v, (int, float)) or not math.isfinite(v) or v == 0:
        return None
    return mpmath.mpf(v)


# -- where the derivative is negative ---------------------------------------------------------------

def falling_intervals(pieces, critical, z) -> tuple[tuple[Root | None, Root | None], ...]:
    """Maximal intervals where h′ < 0 (h falls), from the sign of h′ between its roots;
    None for ±∞. Adjacent intervals meeting at a root or threshold are joined."""
    spans = []
    for p, crits in zip(pieces, critical):
        d = _mp_function(sp.diff(p.expr, z), z)
        cuts = [_root_of(p.lo), *crits, _root_of(p.hi)]
        for a, b in zip(cuts, cuts[1:]):
            point = _inner_point(sp.Float(a.mp, DIGITS) if a else -sp.oo,
                                 sp.Float(b.mp, DIGITS) if b else sp.oo)
            with mpmath.workdps(DIGITS):
                negative = z in p.expr.free_symbols and _sign(d, _mp(point)) == -1
            if negative:
                if spans and spans[-1][1] is not None and a is not None \
                        and spans[-1][1].value == a.value:
                    spans[-1] = (spans[-1][0], b)
                else:
                    spans.append((a, b))
    return tuple(spans)


def _root_of(x) -> Root | None:
    return None if x in (sp.oo, -sp.oo) else Root(x, True)


# -- candidates and their extreme ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Candidate:
    value: sp.Expr
    exact: bool
    attained: bool
    at: tuple
    approached: sp.Expr | None
    method: str


_NO_LIMIT = _Candidate(None, False, False, (), None, "no limit")


def _end_candidate(p: Piece, end, z) -> _Candidate:
    if z not in p.expr.free_symbols:
        value, exact, method = p.expr, True, "constant"
    elif end in (sp.oo, -sp.oo):
        value, exact, method = limit_at(p.expr, z, end)
    else:
        value, exact, method = _tidy(p.expr.xreplace({z: end})), True, "one-sided limit"
    return _Candidate(value, exact, False, (), end, method)


def limit_at(expr, z, end) -> tuple[sp.Expr | None, bool, str]:
    """lim expr as z → end (±oo): Gruntz's algorithm (the one sympy.limit falls back on,
    without the heuristics that take it seconds), bounded; else read off at z = ±FAR when
    the values there settle (None: no limit, as for sin z)."""
    value = run_bounded(gruntz, (to_elementary(expr), z, end), LIMIT_SECONDS)
    if value is not None and (value.is_number and not value.has(sp.AccumBounds, sp.nan)) \
            and value.is_extended_real:
        return value, True, "Gruntz's algorithm (sympy)"
    sign = 1 if end == sp.oo else -1
    f = _mp_function(expr, z)
    with mpmath.workdps(DIGITS):
        try:
            values = [f(mpmath.mpf(sign * FAR * k)) for k in (1, 2, 3)]
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None, False, "no limit found"
        if not all(isinstance(v, mpmath.mpf) for v in values):
            return None, False, "no limit found"
        settled = all(abs(v - values[0]) <= SETTLED * max(1, abs(values[0])) for v in values)
        if not settled:
            return None, False, "no limit: the values far out do not settle"
        return (sp.Float(mpmath.nstr(values[0], DIGITS), DIGITS), False,
                f"value at z = {sign * FAR} (Gruntz gave up)")


def _extreme(candidates, pick) -> Extreme:
    best = pick(candidates, key=lambda c: _mp(c.value))
    v = _mp(best.value)
    ties = [c for c in candidates if _same(_mp(c.value), v)]
    reached = [c for c in ties if c.attained]
    chosen = next((c for c in reached if c.exact), reached[0] if reached else best)
    at = _merged(tuple(c.at for c in reached))
    approached = () if reached else tuple(dict.fromkeys(c.approached for c in ties))
    return Extreme(chosen.value, chosen.exact, bool(reached), at, approached, chosen.method)


def _merged(spans) -> tuple:
    """Distinct places in order, as (lo, hi, lo_closed, hi_closed); a point at the end of
    an interval closes it there (ELU′ = 1 on [0, ∞))."""
    points = {s[0] for s in spans if s[0] == s[1] and s[0] is not None}
    intervals = [s for s in spans if s[0] != s[1] or s[0] is None]
    out = []
    for lo, hi in intervals:
        closed = (lo in points, hi in points)
        points -= {lo, hi}
        out.append((lo, hi, *closed))
    out += [(p, p, True, True) for p in points]
    return tuple(sorted(set(out), key=lambda s: _mp(s[0])))


def _same(a, b) -> bool:
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= MATCH * max(1, abs(a), abs(b))


def _root_method(r: Root) -> str:
    if r.exact:
        return "closed form by sympy.solve, matching " + SCANNED
    return SCANNED


# -- numbers ------------------------------------------------------------------------------------

def _mp(x) -> mpmath.mpf:
    if x is None:
        return mpmath.mpf("-inf")
    if x == sp.oo:
        return mpmath.inf
    if x == -sp.oo:
        return -mpmath.inf
    with mpmath.workdps(DIGITS):
        return mpmath.mpf(sp.N(x, DIGITS + 5))


_ERFC = sp.Function("erfc")   # unevaluated: SymPy would turn erfc(−u) back into 2 − erfc(u)


def _mp_function(expr, z, module="mpmath"):
    """expr as an mpmath function. With erf, two: 1/2 + erf(u)/2 (GELU′) cancels to 0 for
    u → −∞ at any fixed precision, erfc(−u)/2 does not; so erf(u) is written erfc(−u) − 1
    for z < 0 and 1 − erfc(u) for z ≥ 0, the constants then cancelling exactly.
    ``module="math"``: the same in machine floats. (``docstring_limit=-1``: no docstring,
    whose printing of the expression costs a millisecond a function.)"""
    e = to_elementary(expr)
    pieces = _erf_split(e)
    if pieces is None:
        return sp.lambdify(z, e, module, cse=True, docstring_limit=-1)
    erfc = mpmath.erfc if module == "mpmath" else math.erfc
    left, right = (sp.lambdify(z, piece, [{"erfc": erfc}, module], cse=True,
                               docstring_limit=-1) for piece in pieces)
    return lambda x: left(x) if x < 0 else right(x)


def _erf_split(e: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """e for z < 0 and for z ≥ 0, erf(u) written erfc(−u) − 1 and 1 − erfc(u), expanded
    so the constants cancel exactly (see :func:`_mp_function`); None without erf."""
    if not e.has(sp.erf):
        return None
    return tuple(sp.expand_mul(e.replace(sp.erf, rewrite))
                 for rewrite in (lambda u: _ERFC(-u) - 1, lambda u: 1 - _ERFC(u)))


def _float_function(expr, z):
    """expr in machine floats, or None where it has what the math module lacks."""
    try:
        return _mp_function(expr, z, "math")
    except (NameError, TypeError, KeyError):
        return None


def _mp_float(expr, z, r: Root) -> sp.Float:
    with mpmath.workdps(DIGITS):
        return sp.Float(mpmath.nstr(_mp_function(expr, z)(r.mp), DIGITS), DIGITS)


def _tidy(value: sp.Expr) -> sp.Expr:
    """A closed-form value in its simplest form (bounded; as it is on timeout)."""
    if value.is_Rational or value.is_Atom:
        return value
    simpler = run_bounded(sp.simplify, (value,), SIMPLIFY_SECONDS)
    return simpler if simpler is not None and sp.count_ops(simpler) <= sp.count_ops(value) else value
