"""Is LHS ≡ RHS for all real values of the variables? Decided in stages, cheapest first.

1. structural: the two sides, with σ, ReLU, Φ, φ written in elementary functions, are
   the same SymPy object                                           -> "structural";
2. cheap algebra on the difference, only when it is small enough that expanding cannot
   explode                                                         -> "expand", "cancel";
3. a numeric test with mpmath at 40 digits at many real points: negative, large, near 0,
   at and on both sides of every kink. A difference that survives re-evaluation at 120
   digits is a proven "not equal", with the point and both values -> "numeric counterexample";
   a difference too small for the test to call (1e-30) but the same nonzero constant at
   every point, or a nonzero constant that algebra (here or in stage 4) reduces the
   difference to (10^-50), is "not equal" once a point confirms that gap at two high
   precisions                                                      -> "constant difference";
4. symbolic proofs, each in a forked child ended at its share of the time bound
   (``signal.alarm`` cannot interrupt SymPy's C-level big-integer work):
   a one-variable polynomial vanishing at deg + 1 integers          -> "polynomial identity …",
   expand with σ, ReLU, Φ, φ opaque                                 -> "expand",
   a one-variable piecewise function, interval by interval between its kinks -> "cases",
   trig/hyperbolic functions as exponentials, then cancel           -> "rewrite(exp) + cancel",
   Max/Min as (a + b ± |a − b|)/2                                   -> "rewrite(Abs) + simplify",
   and simplify                                                     -> "simplify".

The answer is "equal" only with a proof. Numeric agreement alone is "undecided: numerically
equal at N points; no symbolic proof …", never "equal".
"""

import math
import os
import pickle
import random
import select
import signal
import time
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

import mpmath
import sympy as sp

from symderiv.calculus.budget import cpu_clock
from symderiv.calculus.functions import to_elementary


@dataclass
class Verdict:
    """The answer: equal True (proved), False (counterexample found) or None (undecided).

    ``counterexample`` (only when equal is False) holds strings, so it survives JSON
    without losing digits or overflowing a float: ``{"point": {"x": "-2.5"},
    "lhs": "0.0758581800212435", "rhs": "-0.0758581800212435"}``. The point's values are
    exact: decimals, or at a kink SymPy's exact form ("1/3", "-sqrt(2)"); lhs and rhs are
    rounded to 15 significant digits.
    """

    equal: bool | None
    method: str
    counterexample: dict | None = None


def decide(lhs: sp.Expr, rhs: sp.Expr, timeout: float = 5.0) -> Verdict:
    """Decide whether ``lhs`` and ``rhs`` are equal for all real values of their variables.

    Total: whatever SymPy raises on the way (a relu(…)/relu(…) meeting zoo) is "undecided"."""
    lhs, rhs = _as_expr(lhs), _as_expr(rhs)  # text is refused (TypeError), never read
    try:
        return _decide(lhs, rhs, timeout)
    except (TypeError, ValueError, ArithmeticError, AttributeError, RecursionError) as e:
        return Verdict(None, f"undecided: SymPy could not evaluate this ({type(e).__name__})")


def _decide(lhs: sp.Expr, rhs: sp.Expr, timeout: float) -> Verdict:
    start = cpu_clock()
    lhs, rhs = _real_variables(_as_expr(lhs), _as_expr(rhs))
    if lhs == rhs:
        return Verdict(True, "structural")
    left, right = _normalized(lhs), _normalized(rhs)
    difference = left - right
    if difference == 0:
        return Verdict(True, "structural")
    # σ, ReLU, Φ, φ kept as opaque functions: far cheaper to expand, and as sound
    opaque = _rationalized(lhs - rhs)

    if _zero_in_one_exponential(difference):
        return Verdict(True, "rewrite(exp) + cancel")
    method, constant = _cheap_algebra_bounded(opaque, difference, start + 0.3 * timeout)
    if method:
        return Verdict(True, method)

    numeric_deadline = start + 0.4 * timeout
    counterexample, agreeing, gaps = _numeric_test(left, right, numeric_deadline)
    if counterexample:
        return Verdict(False, "numeric counterexample", counterexample)
    for gap in (_constant_value(constant), _constant_gap(gaps)):
        found = _confirm_constant_gap(left, right, gap, start + timeout)
        if found:
            return Verdict(False, "constant difference", found)

    proved, constant, timed_out = _prove_symbolically(opaque, difference, start + timeout)
    if proved:
        return Verdict(True, proved)
    found = _confirm_constant_gap(left, right, _constant_value(constant), start + timeout)
    if found:
        return Verdict(False, "constant difference", found)
    evidence = (f"numerically equal at {agreeing} points" if agreeing
                else "no point where both sides are real and defined")
    why = f"no symbolic proof within {timeout:g} CPU s" if timed_out else "no symbolic proof found"
    return Verdict(None, f"undecided: {evidence}; {why}")


def _as_expr(value) -> sp.Expr:
    """A SymPy expression, or a Python number made one. Never text: formulas are read by
    symderiv.calculus.expr, because sympify would run them as code."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    raise TypeError(f"decide compares SymPy expressions, not {type(value).__name__}")


def _normalized(expr: sp.Expr) -> sp.Expr:
    """σ, ReLU, Φ, φ in elementary functions, erfc(u) as 1 − erf(u) (one name per function),
    and each Float as the decimal it shows (0.01 is 1/100, as the contract reads decimals)."""
    return _rationalized(to_elementary(expr).replace(sp.erfc, lambda u: 1 - sp.erf(u)))


def simplify_bounded(expr: sp.Expr, seconds: float) -> sp.Expr | None:
    """``sympy.simplify(expr)`` in a child process killed after ``seconds``; None on timeout."""
    return run_bounded(sp.simplify, (expr,), seconds)


# A child gets its budget in CPU seconds (SIGPROF ends it there); the parent stops waiting
# after this many times that budget in wall seconds, in case the child gets no CPU at all
# (a machine loaded far beyond its cores) or blocks.
_WALL_FACTOR = 10
_WALL_SLACK = 2.0


def run_bounded(function, args: tuple, seconds: float):
    """``function(*args)`` in a forked child allowed ``seconds`` of CPU time.

    Returns the (pickled and returned) result, or None on timeout, error, or where the
    system cannot fork. The bound is CPU time (an interval timer, ``ITIMER_PROF``, whose
    SIGPROF ends the child), so the answer does not depend on how loaded the machine is;
    the parent SIGKILLs a child still running after ``_WALL_FACTOR`` times that in wall
    time. A signal's default action is the only reliable bound: a Python handler
    (``signal.alarm``'s) cannot interrupt SymPy's C-level big-integer arithmetic. Fork, not
    spawn, so the child starts at once with SymPy already imported.
    """
    if not hasattr(os, "fork") or seconds <= 0:
        return None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit hooks
        global _IN_BOUNDED_CHILD
        _IN_BOUNDED_CHILD = True
        os.close(read_end)
        try:
            signal.signal(signal.SIGPROF, signal.SIG_DFL)   # terminate, whatever the parent set
            signal.setitimer(signal.ITIMER_PROF, seconds)
            payload = pickle.dumps(("ok", function(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent only needs to know it failed
            payload = pickle.dumps(("failed", None))
        try:
            signal.setitimer(signal.ITIMER_PROF, 0)   # sending the answer is not the work
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        payload = _read_until(read_end, time.monotonic() + _WALL_FACTOR * seconds + _WALL_SLACK)
    finally:
        os.close(read_end)
        _reap(pid)
    if not payload:   # killed by its CPU budget or the wall backstop
        return None
    try:
        status, value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a truncated payload means the child died mid-write
        return None
    return value if status == "ok" else None


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until end of file, or None when ``deadline`` (wall
    clock) passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def _real_variables(lhs: sp.Expr, rhs: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Both sides with every variable of unknown realness replaced by a real one."""
    free = lhs.free_symbols | rhs.free_symbols
    taken = {s.name for s in free if s.is_real}
    mapping = {s: (sp.Dummy(s.name, real=True) if s.name in taken else sp.Symbol(s.name, real=True))
               for s in free if s.is_real is None}
    return lhs.xreplace(mapping), rhs.xreplace(mapping)


# ---- stage 2: cheap algebra -------------------------------------------------------------

# expand() of a difference whose expanded form has more terms than this is not "cheap".
_MAX_EXPANDED_TERMS = 2000
_INLINE_OPS = 40           # cheap algebra on forms this small runs in-process (milliseconds)
_MIN_CHILD_SECONDS = 0.2
_IN_BOUNDED_CHILD = False  # set in run_bounded's child, whose parent already bounds it


def _cheap_algebra(opaque: sp.Expr, difference: sp.Expr) -> tuple[str | None, sp.Expr | None]:
    """("expand" or "cancel", None) when that proves the difference is 0; otherwise
    (None, the constant it reduced to, if a nonzero constant) for stage 3 to confirm."""
    constant = None
    for form in dict.fromkeys((opaque, difference)):   # once where they are the same
        if _small_enough_to_expand(form):
            try:
                for method, reduce in (("expand", sp.expand), ("cancel", _cancelled)):
                    reduced = reduce(form)
                    if reduced == 0:
                        return method, None
                    if constant is None and _is_constant(reduced):
                        constant = reduced
            except Exception:  # noqa: BLE001 - a SymPy failure proves nothing; later stages try
                continue
    return None, constant


def _cheap_algebra_bounded(opaque: sp.Expr, difference: sp.Expr, deadline: float):
    """_cheap_algebra, in a child killed at ``deadline`` unless the forms are small (an
    unlucky cancel can run for minutes, like simplify)."""
    if _IN_BOUNDED_CHILD or sp.count_ops(opaque) + sp.count_ops(difference) <= _INLINE_OPS:
        return _cheap_algebra(opaque, difference)  # (a bounded child is killed as a whole)
    outcome = run_bounded(_cheap_algebra, (opaque, difference),
                          max(deadline - cpu_clock(), _MIN_CHILD_SECONDS))
    return outcome if outcome is not None else (None, None)


# e^{kx/q} as u^k with u = e^{x/q} > 0: powers of u up to this are a small rational function.
_MAX_EXPONENTIAL_DEGREE = 24
_MAX_EXPONENTIAL_OPS = 120


def _zero_in_one_exponential(difference: sp.Expr) -> bool:
    """True when ``difference`` is, written in exponentials, a rational function of
    u = e^{g/q} that cancels to 0, g one variable x (tanh, sinh, cosh and σ of rational
    multiples of x: tanh's derivative in its exponential form against (1 + a)(1 − a)).
    Every x > 0 is some u > 0 and back, so the identity in u is the identity in x.

    Or, with more variables, when every exponent is a rational multiple of one g = c·v
    (c free of v: σ(βx) with β symbolic, g = βx) and v = y/c leaves a polynomial in
    y = g whose coefficients are rational functions of u that all cancel to 0: then
    the difference is 0 wherever it is defined, whatever the values of the variables.

    Small by construction (one generator, bounded degree and size; y's coefficients
    cancelled one at a time, each a rational function of u alone), so it runs here, not
    in a child; anything else is False and the stages below decide."""
    free = difference.free_symbols
    if not free or sp.count_ops(difference) > _MAX_EXPONENTIAL_OPS \
            or not _sums_products_powers_exponentials(difference):
        return False
    written = difference.rewrite(sp.exp) if difference.has(*_TRIG_AND_HYPERBOLIC) else difference
    exponentials = written.atoms(sp.exp)
    if not exponentials:
        return False
    g = _exponent_unit(exponentials, free)
    if g is None:
        return False
    powers = {e: e.args[0] / g for e in exponentials}
    if not all(k.is_Rational and k != 0 for k in powers.values()):
        return False
    q = math.lcm(*(int(k.q) for k in powers.values()))
    if max(abs(k * q) for k in powers.values()) > _MAX_EXPONENTIAL_DEGREE:
        return False
    u = sp.Dummy("u", positive=True)
    rational = written.xreplace({e: u ** int(k * q) for e, k in powers.items()})
    if len(free) == 1:
        (x,) = free
        if rational.has(x) or not rational.is_rational_function(u):
            return False
        return sp.cancel(sp.together(rational)) == 0
    return _zero_as_polynomial_in_unit(rational, g, u)


def _sums_products_powers_exponentials(expr: sp.Expr) -> bool:
    """Only +, ×, powers, exp and trig/hyperbolic functions: what can be a rational
    function of one exponential (anything else, an unknown function or a Derivative,
    would survive rewrite(exp); seen first, it costs no rewrite)."""
    return all(not node.args or node.is_Add or node.is_Mul or node.is_Pow
               or isinstance(node, (sp.exp, *_TRIG_AND_HYPERBOLIC))
               for node in sp.preorder_traversal(expr))


def _exponent_unit(exponentials, free) -> sp.Expr | None:
    """g with every exponent a multiple of it: x with one variable, else the first
    exponent without its numeric coefficient (βx of e^{−βx})."""
    if len(free) == 1:
        return next(iter(free))
    return next(iter(exponentials)).args[0].as_coeff_Mul()[1]


_MAX_UNIT_DEGREE = 4   # y = g in the several-variable case: polynomials of this degree


def _zero_as_polynomial_in_unit(rational: sp.Expr, g: sp.Expr, u: sp.Dummy) -> bool:
    """``rational`` (exponentials already u) is 0: with g = c·v and v = y/c, a polynomial
    in y of low degree whose coefficients, rational functions of u, each cancel to 0."""
    v = next((s for s in sorted(g.free_symbols, key=sp.default_sort_key)
              if (c := g.as_coefficient(s)) is not None and not c.has(s)), None)
    if v is None:
        return False
    y = sp.Dummy("y", real=True)
    in_y = rational.xreplace({v: y / g.as_coefficient(v)})
    if in_y.free_symbols - {u, y} or not in_y.is_polynomial(y):
        return False
    poly = sp.Poly(in_y, y)   # coefficients in u: a field of rational functions
    if poly.degree() > _MAX_UNIT_DEGREE:
        return False
    return all(c.is_rational_function(u) and sp.cancel(sp.together(c)) == 0
               for c in poly.all_coeffs())


def _cancelled(form: sp.Expr) -> sp.Expr:
    return sp.cancel(sp.together(form))


def _is_constant(e: sp.Expr) -> bool:
    """A number with no variable left (a candidate for LHS − RHS ≡ c ≠ 0)."""
    return bool(e.is_number) and not e.has(sp.nan, sp.zoo, sp.oo, -sp.oo)


def _zero_or_constant(reduced: sp.Expr):
    """A proof step's answer: True for 0, the constant for a nonzero one, else False."""
    if reduced == 0:
        return True
    return reduced if _is_constant(reduced) else False


def _small_enough_to_expand(expr: sp.Expr) -> bool:
    try:
        return _expanded_terms(expr) <= _MAX_EXPANDED_TERMS
    except RecursionError:
        return False


def _expanded_terms(expr: sp.Expr) -> float:
    """An upper bound on the number of terms ``expand`` can produce (inf for huge powers)."""
    if not expr.args:
        return 1
    if expr.is_Add:
        return sum(_expanded_terms(a) for a in expr.args)
    if expr.is_Mul:
        return math.prod(_expanded_terms(a) for a in expr.args)
    if expr.is_Pow:
        base, exponent = expr.args
        terms = _expanded_terms(base)
        if exponent.is_Integer and base.is_Add:
            n = abs(int(exponent))
            return math.comb(int(min(terms, 1e6)) + n - 1, n) if n <= 200 else math.inf
        return max(terms, _expanded_terms(exponent))
    # A function's arguments are expanded in place; the function stays one term.
    return max(1, max(_expanded_terms(a) for a in expr.args))


# ---- stage 3: the numeric test ----------------------------------------------------------

class _Undefined(Exception):
    """An expression has no finite real value at this point."""


SCAN_DIGITS = 40        # working precision of the scan
CONFIRM_DIGITS = 120    # a difference must survive this precision to count
_SIGNIFICANT = 15       # digits shown in a counterexample

# Points every scan tries first, so a counterexample is usually a point a person would pick.
_NICE_POINTS = ("1", "-1", "0.5", "-0.5", "2", "-2", "0", "-2.5", "3", "0.1", "-0.1", "-3",
                "0.001", "-0.001", "7.25", "-7.25", "10", "-10", "30", "-30", "100", "-100")
_RANDOM_POINTS = 30
_SEED = 20240601        # fixed: the same question gets the same answer and counterexample


def _numeric_test(left: sp.Expr, right: sp.Expr,
                  deadline: float) -> tuple[dict | None, int, list]:
    """(a confirmed counterexample or None, how many points agreed, the gaps LHS − RHS
    and magnitudes measured where they agreed) before ``deadline``."""
    variables = sorted(left.free_symbols | right.free_symbols, key=lambda s: s.name)
    gaps = []
    for point in _sample_points(variables, [left, right]):
        if cpu_clock() > deadline:
            break
        outcome = _compare_at(left, right, point)
        if isinstance(outcome, dict):
            return outcome, len(gaps), gaps
        if outcome is not None:
            gaps.append(outcome)
    return None, len(gaps), gaps


def _compare_at(left: sp.Expr, right: sp.Expr, point: dict) -> dict | tuple | None:
    """(gap, magnitude) where the sides agree, None where undefined or unclear, or a
    confirmed counterexample."""
    try:
        scan = _evaluate_pair(left, right, point, SCAN_DIGITS)
        if _close(*scan, SCAN_DIGITS):
            return _gap(scan)
        confirm = _evaluate_pair(left, right, point, CONFIRM_DIGITS)
    except _Undefined:
        return None
    if _close(*confirm, CONFIRM_DIGITS):
        return _gap(confirm)  # the scan's difference was cancellation error
    if not _stable(scan, confirm):
        return None
    return _counterexample(point, confirm)


def _gap(pair) -> tuple:
    """LHS − RHS and the magnitude it is measured against."""
    return pair[0] - pair[1], max(abs(pair[0]), abs(pair[1]), 1)


def _stable(coarse, fine) -> bool:
    """The gap LHS − RHS is the same, to 10 digits, at two working precisions."""
    gap_coarse, gap_fine = coarse[0] - coarse[1], fine[0] - fine[1]
    with mpmath.workdps(mpmath.mp.dps + CONFIRM_DIGITS):
        return abs(gap_coarse - gap_fine) <= mpmath.mpf(10) ** -10 * abs(gap_fine)


def _counterexample(point: dict, pair) -> dict:
    """The point and both values, with enough digits that the values shown differ."""
    lhs, rhs = pair
    gap = lhs - rhs
    shown = _SIGNIFICANT
    if gap:
        shown = max(shown, int(mpmath.log10(max(abs(lhs), abs(rhs)) / abs(gap))) + 4)
    return {"point": {s.name: text for s, (text, _) in point.items()},
            "lhs": mpmath.nstr(lhs, shown), "rhs": mpmath.nstr(rhs, shown),
            "difference": mpmath.nstr(gap, _SIGNIFICANT)}


# A gap seen at every point of the scan counts only above this many scan digits' noise.
_SCAN_NOISE_DIGITS = SCAN_DIGITS - 8
# The most digits a constant gap is confirmed at: formulas hold numbers of at most 1000
# digits (symderiv.calculus.expr), so a gap of 10^-1000 against values near 1 is within reach.
_MAX_CONFIRM_DIGITS = 2400


def _constant_gap(gaps: list):
    """The gap LHS − RHS when every agreeing point shows the same nonzero one (1e-30,
    below what the scan calls a difference, above its rounding noise); else None."""
    if len(gaps) < 3:
        return None
    first = gaps[0][0]
    with mpmath.workdps(SCAN_DIGITS):
        noise = mpmath.mpf(10) ** -_SCAN_NOISE_DIGITS
        if any(abs(gap) <= noise * scale for gap, scale in gaps):
            return None
        if all(abs(gap - first) <= mpmath.mpf(10) ** -6 * abs(first) for gap, _ in gaps):
            return first
    return None


def _constant_value(constant: sp.Expr | None):
    """A constant from algebra as an mpmath number, or None when it has no real value."""
    if constant is None:
        return None
    with mpmath.workdps(CONFIRM_DIGITS):
        try:
            value = _real_value(constant, {})
        except _Undefined:
            return None
    return value or None


def _confirm_constant_gap(left: sp.Expr, right: sp.Expr, gap, deadline: float) -> dict | None:
    """A counterexample at the first sample point where LHS − RHS, expected to be ``gap``
    (a nonzero constant, from algebra or the scan), is nonzero and the same at two
    precisions high enough to see it; None when no point confirms one before ``deadline``."""
    if not gap:
        return None
    variables = sorted(left.free_symbols | right.free_symbols, key=lambda s: s.name)
    for point in _sample_points(variables, [left, right])[:10]:
        if cpu_clock() > deadline:
            return None
        try:
            digits = CONFIRM_DIGITS
            pair = _evaluate_pair(left, right, point, digits)
            # enough digits that the gap is far above the half the precision _close ignores
            needed = 2 * int(mpmath.log10(_gap(pair)[1] / abs(gap))) + 40
            if needed > digits:
                digits = min(needed, _MAX_CONFIRM_DIGITS)
                pair = _evaluate_pair(left, right, point, digits)
            finer = _evaluate_pair(left, right, point, 2 * digits)
        except _Undefined:
            continue
        # The same test as the scan's: a gap the finer precision keeps is no rounding error.
        if _close(*pair, digits) or not _stable(pair, finer):
            continue
        return _counterexample(point, finer)
    return None


def _close(a, b, digits: int) -> bool:
    """Equal to half the working digits, relative to the larger value (or absolutely below 1)."""
    with mpmath.workdps(digits):
        return abs(a - b) <= mpmath.mpf(10) ** -(digits // 2) * max(abs(a), abs(b), 1)


def _evaluate_pair(left, right, point: dict, digits: int):
    with mpmath.workdps(digits):
        if all(_is_decimal(exact) for _, exact in point.values()):
            values = {s: mpmath.mpf(text) for s, (text, _) in point.items()}
            return _real_value(left, values), _real_value(right, values)
        # A kink such as 1/3 or √2: only exact arithmetic sees which branch holds there.
        exact = {s: value for s, (_, value) in point.items()}
        return _exact_value(left, exact, digits), _exact_value(right, exact, digits)


def _is_decimal(value: sp.Expr) -> bool:
    """A rational with a finite decimal expansion (its denominator is 2^a 5^b)."""
    if not value.is_Rational:
        return False
    q = value.q
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    return q == 1


def _exact_value(expr: sp.Expr, exact: dict, digits: int):
    """``expr`` at an exact point, by SymPy's own arithmetic and evalf."""
    try:
        value = expr.xreplace(exact).evalf(digits)
        if not (value.is_Number and value.is_finite):
            raise _Undefined
        return mpmath.mpf(sp.Float(value, digits)._mpf_)
    except Exception:  # noqa: BLE001 - whatever fails here, the point has no value
        raise _Undefined from None


def _real_value(expr: sp.Expr, values: dict):
    try:
        v = _Evaluator(values).value(expr)
    except Exception:  # noqa: BLE001 - division by zero, a complex order, deep recursion, …
        raise _Undefined from None
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf(10) ** -(mpmath.mp.dps // 2) * max(abs(v), 1):
            raise _Undefined
        v = v.real
    if not mpmath.isfinite(v):
        raise _Undefined
    return v


def _sample_points(variables: list, exprs: list) -> list[dict]:
    """Points as {symbol: (text, exact value)}: nice decimals, kinks, then random decimals."""
    rng = random.Random(_SEED)
    if not variables:
        return [{}]
    if len(variables) == 1:
        columns = [list(_NICE_POINTS) + _kink_neighbours(exprs, variables[0])]
    else:
        columns = [rng.sample(_NICE_POINTS, len(_NICE_POINTS)) for _ in variables]
    columns = [c + [_random_decimal(rng) for _ in range(_RANDOM_POINTS)] for c in columns]
    points = []
    for row in zip(*columns):
        point = {}
        for symbol, value in zip(variables, row):
            value = _in_domain(symbol, value)
            if value is None:
                break
            point[symbol] = (value, sp.Rational(value)) if isinstance(value, str) else (str(value), value)
        else:
            points.append(point)
    return points


def _random_decimal(rng: random.Random) -> str:
    """A signed decimal of 3 significant digits, magnitude log-uniform in [1e-3, 1e2]."""
    magnitude = 10 ** rng.uniform(-3, 2)
    return _decimal_text(rng.choice((-1, 1)) * magnitude, 3)


def _decimal_text(value: float, significant: int) -> str:
    """``value`` rounded to ``significant`` digits, written as a plain decimal ("-0.00123")."""
    return _plain(Decimal(f"{value:.{significant}g}"))


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _in_domain(symbol: sp.Symbol, text: str | sp.Expr) -> str | sp.Expr | None:
    """A decimal ``text`` moved into the symbol's assumed domain (positive, integer, …), or
    None; an exact kink is kept only where it lies in that domain."""
    if not isinstance(text, str):
        return text if _lies_in(symbol, text) else None
    value = Decimal(text)
    if symbol.is_integer:
        value = Decimal(round(value))
    if symbol.is_nonnegative:
        value = abs(value)
    elif symbol.is_nonpositive:
        value = -abs(value)
    if value == 0 and symbol.is_nonzero:
        return None
    return _plain(value)


def _lies_in(symbol: sp.Symbol, value: sp.Expr) -> bool:
    """Whether an exact number has every property assumed of ``symbol``."""
    properties = ("integer", "positive", "negative", "nonnegative", "nonpositive", "nonzero")
    return all(getattr(value, f"is_{p}") for p in properties if getattr(symbol, f"is_{p}"))


class _Evaluator:
    """Evaluates a SymPy expression at a point with mpmath at the current precision.

    Complex intermediate values are allowed (mpmath's principal branches are SymPy's);
    undefined operations raise ZeroDivisionError/ValueError/_Undefined.
    """

    _FUNCTIONS = {
        sp.exp: mpmath.exp, sp.log: mpmath.log, sp.sin: mpmath.sin, sp.cos: mpmath.cos,
        sp.tan: mpmath.tan, sp.cot: mpmath.cot, sp.sec: mpmath.sec, sp.csc: mpmath.csc,
        sp.asin: mpmath.asin, sp.acos: mpmath.acos, sp.atan: mpmath.atan,
        sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh, sp.tanh: mpmath.tanh,
        sp.coth: mpmath.coth, sp.sech: mpmath.sech, sp.csch: mpmath.csch,
        sp.asinh: mpmath.asinh, sp.acosh: mpmath.acosh, sp.atanh: mpmath.atanh,
        sp.erf: mpmath.erf, sp.erfc: mpmath.erfc, sp.gamma: mpmath.gamma,
        sp.loggamma: mpmath.loggamma, sp.floor: mpmath.floor, sp.ceiling: mpmath.ceil,
    }
    # mpmath needs about |x| bits of working precision to reduce x; beyond this, give up.
    _MAX_ARGUMENT_BITS = 3000

    def __init__(self, values: dict):
        self.values = values
        self.cache = {}

    def value(self, e):
        try:
            return self.cache[e]
        except KeyError:
            v = self.cache[e] = self._compute(e)
            return v

    def _compute(self, e):
        if e.is_Symbol:
            return self.values[e]
        if e.is_Rational:
            return mpmath.mpf(e.p) / e.q
        if e.is_Float:
            return mpmath.mpf(e._mpf_)
        if e in (sp.nan, sp.zoo):
            raise _Undefined
        if e is sp.oo or e is sp.S.NegativeInfinity:
            return mpmath.inf if e is sp.oo else -mpmath.inf
        if e is sp.I:
            return mpmath.mpc(0, 1)
        if e.is_NumberSymbol:
            return mpmath.mpf(e.evalf(mpmath.mp.dps + 5)._mpf_)
        if e.is_Add:
            return mpmath.fsum(self.value(a) for a in e.args)
        if e.is_Mul:
            return mpmath.fprod(self.value(a) for a in e.args)
        if e.is_Pow:
            return self._power(*e.args)
        if isinstance(e, sp.Piecewise):
            for piece, condition in e.args:
                if self.truth(condition):
                    return self.value(piece)
            raise _Undefined
        kind = type(e)
        if kind in self._FUNCTIONS:
            argument = self.value(e.args[0])
            if mpmath.mag(argument) > self._MAX_ARGUMENT_BITS and mpmath.isfinite(argument):
                raise _Undefined
            return self._FUNCTIONS[kind](argument)
        if kind is sp.Abs:
            return abs(self.value(e.args[0]))
        if kind is sp.sign:
            return mpmath.sign(self._real(e.args[0]))
        if kind is sp.Heaviside:
            u = self._real(e.args[0])
            if u == 0:
                return self.value(e.args[1]) if len(e.args) > 1 else mpmath.mpf(0.5)
            return mpmath.mpf(1 if u > 0 else 0)
        if kind is sp.Max:
            return max(self._real(a) for a in e.args)
        if kind is sp.Min:
            return min(self._real(a) for a in e.args)
        return self._by_evalf(e)

    def _power(self, base, exponent):
        b = self.value(base)
        if exponent == sp.S.Half:
            return mpmath.sqrt(b)
        if exponent.is_Integer:
            return b ** int(exponent)
        x = self.value(exponent)
        if mpmath.mag(x) > self._MAX_ARGUMENT_BITS:
            raise _Undefined
        return mpmath.power(b, x)

    def _real(self, e):
        v = self.value(e)
        if isinstance(v, mpmath.mpc):
            raise _Undefined  # order and sign are undefined for complex values
        return v

    def truth(self, condition) -> bool:
        if condition is sp.true:
            return True
        if condition is sp.false:
            return False
        if isinstance(condition, sp.And):
            return all(self.truth(c) for c in condition.args)
        if isinstance(condition, sp.Or):
            return any(self.truth(c) for c in condition.args)
        if isinstance(condition, sp.Not):
            return not self.truth(condition.args[0])
        if isinstance(condition, sp.Eq):
            return self.value(condition.lhs) == self.value(condition.rhs)
        if isinstance(condition, sp.Ne):
            return self.value(condition.lhs) != self.value(condition.rhs)
        if isinstance(condition, sp.core.relational.Relational):
            a, b = self._real(condition.lhs), self._real(condition.rhs)
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[condition.rel_op]
        raise _Undefined

    def _by_evalf(self, e):
        """A function mpmath has no entry for here: SymPy's evalf at the numeric arguments."""
        digits = mpmath.mp.dps
        args = [sp.Float(mpmath.nstr(self._real(a), digits + 5), digits + 5) for a in e.args]
        re, im = e.func(*args).evalf(digits).as_real_imag()
        if not (re.is_Number and im.is_Number):
            raise _Undefined
        re, im = (mpmath.mpf(sp.Float(part, digits)._mpf_) for part in (re, im))
        return re if im == 0 else mpmath.mpc(re, im)


# ---- kinks: where piecewise functions switch branch ---------------------------------------

_MAX_KINK_DEGREE = 6


def _kink_arguments(expr: sp.Expr) -> set:
    """The expressions u whose sign picks a branch: Abs(u), Heaviside(u), Max(a, b) -> a - b, …"""
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            found.add(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            found.update(a - b for a, b in combinations(node.args, 2))
        elif isinstance(node, sp.Piecewise):
            for _, condition in node.args:
                for relation in condition.atoms(sp.core.relational.Relational):
                    found.add(relation.lhs - relation.rhs)
    return found


def _real_roots(u: sp.Expr, x: sp.Symbol) -> list | None:
    """The exact real roots of a polynomial u(x) with numeric coefficients, or None."""
    if u.free_symbols - {x}:
        return None
    if not u.free_symbols:
        return []
    try:
        poly = sp.Poly(u, x)
    except sp.PolynomialError:
        return None
    if poly.degree() > _MAX_KINK_DEGREE or not (poly.domain.is_ZZ or poly.domain.is_QQ):
        return None
    return list(sp.real_roots(poly))


def _kinks(exprs: list, x: sp.Symbol, *, all_or_none: bool = True) -> list | None:
    """The sorted distinct kink points of ``exprs`` in x. When some kink is out of reach
    (u not a polynomial), None, or with ``all_or_none=False`` the kinks within reach."""
    roots = set()
    for expr in exprs:
        for u in _kink_arguments(expr):
            try:
                found = _real_roots(u, x)
            except Exception:  # noqa: BLE001 - root isolation failing is "out of reach"
                found = None
            if found is None and all_or_none:
                return None
            roots.update(found or ())
    return sorted(roots, key=lambda r: float(r))


def _rationalized(u: sp.Expr) -> sp.Expr:
    return u.xreplace({f: sp.Rational(str(f)) for f in u.atoms(sp.Float)})


def _kink_neighbours(exprs: list, x: sp.Symbol) -> list:
    """Each kink itself (exact, where radicals write it) and decimals on both sides of it."""
    points = []
    for root in _kinks(exprs, x, all_or_none=False)[:20]:
        r = float(root)
        width = max(1.0, abs(r))
        if not root.has(sp.CRootOf):
            points.append(root)
        points += [_decimal_text(r + offset, 10) for offset in (-1e-3 * width, 1e-3 * width,
                                                                  -0.25 * width, 0.25 * width)]
    return points


# ---- stage 4: symbolic proofs, each in a child process ------------------------------------------------

def _prove_symbolically(opaque: sp.Expr, difference: sp.Expr,
                        deadline: float) -> tuple[str | None, sp.Expr | None, bool]:
    """(the method that proved ``difference`` ≡ 0 or None, a nonzero constant some attempt
    reduced it to or None, whether some attempt timed out).

    ``opaque`` is the same difference with σ, ReLU, Φ, φ not rewritten; only expanding
    uses it.
    Each attempt runs in its own killed-on-timeout child with a share of the time left,
    so one that stalls (simplify on a huge power) cannot starve the others.
    """
    timed_out = False
    attempts = [(method, prove, share) for method, applies, prove, share in _PROOFS
                if applies(opaque, difference)]
    for number, (method, prove, share) in enumerate(attempts):
        remaining = deadline - cpu_clock()
        last = number == len(attempts) - 1
        outcome = run_bounded(prove, (opaque, difference), remaining if last else share * remaining)
        if outcome is True:
            return method, None, timed_out
        if isinstance(outcome, sp.Basic):
            return None, outcome, timed_out  # not 0 but a constant: stage 3 confirms it
        timed_out = timed_out or outcome is None
    return None, None, timed_out


def _univariate_with_kinks(difference: sp.Expr) -> bool:
    return len(difference.free_symbols) == 1 and bool(_kink_arguments(difference))


def _zero_by_simplify(difference: sp.Expr):
    """simplify, also of the difference in exponentials and with every part factored
    (factor(deep=True) turns sqrt(x²+2x+1) into sqrt((x+1)²) = |x+1|). True for 0, a
    nonzero constant it comes to, else False."""
    variants = [lambda: difference, lambda: sp.factor(difference, deep=True)]
    if _has_transcendental(difference):
        variants.insert(1, lambda: difference.rewrite(sp.exp))
    constant = False
    for variant in variants:
        outcome = _zero_or_constant(sp.simplify(variant()))
        if outcome is True:
            return True
        constant = constant if constant is not False else outcome
    return constant


def _has_max_or_min(difference: sp.Expr) -> bool:
    return difference.has(sp.Max, sp.Min)


def _zero_with_abs(difference: sp.Expr) -> bool:
    """Max(a, b) = (a + b + |a − b|)/2 and Min(a, b) = (a + b − |a − b|)/2 (valid for reals)."""
    def as_abs(e):
        if isinstance(e, (sp.Max, sp.Min)):
            sign = 1 if isinstance(e, sp.Max) else -1
            first, *rest = e.args
            for b in rest:
                first = (first + b + sign * sp.Abs(first - b)) / 2
            return first
        return e
    rewritten = sp.bottom_up(difference, as_abs)
    return sp.expand(rewritten) == 0 or sp.simplify(rewritten) == 0


def _has_transcendental(difference: sp.Expr) -> bool:
    return difference.has(*_TRIG_AND_HYPERBOLIC, sp.exp)


_TRIG_AND_HYPERBOLIC = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc,
                        sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch)


def _zero_in_exponentials(difference: sp.Expr):
    """Trig and hyperbolic functions as exponentials make many identities rational ones
    (sin 7x in powers of sin x, tan(x/2) = sin x/(1+cos x), tanh x = 2σ(2x)−1). True for
    0, the constant when it comes to a nonzero one (σ(x) − (1 + tanh(x/2))/2 − 10⁻⁵⁰)."""
    return _zero_or_constant(sp.cancel(sp.expand(sp.powsimp(difference.rewrite(sp.exp)))))


def _zero_by_cases(difference: sp.Expr) -> bool:
    """Proves difference(x) ≡ 0 on each interval between kinks, and at each kink.

    On an unbounded interval x is written k ± t with t > 0, so that simplify knows the
    sign (log(x²) − 2 log|x| is 0 once x = −t).
    """
    x = next(iter(difference.free_symbols))
    kinks = _kinks([difference], x)
    if kinks is None:
        return False
    for representative, x_there in _intervals(kinks, x):
        piece = _resolve_branches(difference, x, representative)
        if piece is None or not _is_zero(piece.subs(x, x_there)):
            return False
    for kink in kinks:
        value = difference.subs(x, kink)
        if value.has(sp.nan, sp.zoo):
            continue  # undefined there, like x/|x| at 0
        if not _is_zero(value):
            return False
    return True


def _intervals(kinks: list, x: sp.Symbol) -> list:
    """(a rational point inside, x as written there) for each interval between the kinks."""
    if not kinks:
        return [(sp.Integer(0), x)]
    t = sp.Dummy("t", positive=True)
    approx = [float(k) for k in kinks]
    inside = [(sp.Rational(approx[0]) - 1, kinks[0] - t), (sp.Rational(approx[-1]) + 1, kinks[-1] + t)]
    inside += [(sp.Rational((a + b) / 2), x) for a, b in zip(approx, approx[1:])]
    return inside


_MAX_POLYNOMIAL_DEGREE = 4000


def _polynomial_degree(e: sp.Expr, x: sp.Symbol) -> int | None:
    """A bound on the degree of ``e`` as a polynomial in x with rational coefficients, or
    None when it is not one. Found without expanding (expanding is what explodes)."""
    if e == x:
        return 1
    if e.is_Rational:
        return 0
    if e.is_Add or e.is_Mul:
        degrees = [_polynomial_degree(a, x) for a in e.args]
        if None in degrees:
            return None
        return max(degrees) if e.is_Add else sum(degrees)
    if e.is_Pow and e.exp.is_Integer and e.exp >= 0:
        degree = _polynomial_degree(e.base, x)
        return None if degree is None else degree * int(e.exp)
    return None


def _univariate_polynomial(difference: sp.Expr) -> bool:
    if len(difference.free_symbols) != 1:
        return False
    degree = _polynomial_degree(difference, next(iter(difference.free_symbols)))
    return degree is not None and degree <= _MAX_POLYNOMIAL_DEGREE


def _zero_as_polynomial(difference: sp.Expr) -> bool:
    """A nonzero polynomial of degree ≤ d has at most d roots: if it vanishes, exactly, at
    d + 1 integers, it is the zero polynomial. Exact integer arithmetic, nothing expanded."""
    x = next(iter(difference.free_symbols))
    degree = _polynomial_degree(difference, x)
    return all(difference.xreplace({x: sp.Integer(k)}) == 0 for k in range(degree + 1))


def _too_big_to_expand_here(opaque: sp.Expr, difference: sp.Expr) -> bool:
    return not (_small_enough_to_expand(opaque) and _small_enough_to_expand(difference))


def _zero_by_expanding(opaque: sp.Expr, difference: sp.Expr) -> bool:
    return sp.expand(opaque) == 0 or sp.expand(difference) == 0


def _on_difference(test):
    """``test(difference)`` as a proof step, which also receives the opaque form."""
    return lambda opaque, difference: test(difference)


# (method, applies to (opaque, difference), proof run in a child, share of the time left)
_PROOFS = (
    ("polynomial identity (zero at deg + 1 points)", _on_difference(_univariate_polynomial),
     _on_difference(_zero_as_polynomial), 0.5),
    ("expand", _too_big_to_expand_here, _zero_by_expanding, 0.3),
    ("cases", _on_difference(_univariate_with_kinks), _on_difference(_zero_by_cases), 0.4),
    ("rewrite(exp) + cancel", _on_difference(_has_transcendental),
     _on_difference(_zero_in_exponentials), 0.3),
    ("rewrite(Abs) + simplify", _on_difference(_has_max_or_min), _on_difference(_zero_with_abs), 0.3),
    ("simplify", lambda opaque, difference: True, _on_difference(_zero_by_simplify), 1.0),
)


def _resolve_branches(e: sp.Expr, x: sp.Symbol, q: sp.Rational):
    """``e`` with every branch chosen as it is at x = q (no kink at q); None if unclear."""
    if not e.args or isinstance(e, sp.core.relational.Relational):
        return e
    if isinstance(e, sp.Piecewise):
        for piece, condition in e.args:
            holds = condition.subs(x, q)
            if holds is sp.true:
                return _resolve_branches(piece, x, q)
            if holds is not sp.false:
                return None
        return sp.nan
    args = [_resolve_branches(a, x, q) for a in e.args]
    if any(a is None for a in args):
        return None

    def sign_at(u):
        return sp.sign(u.subs(x, q))

    if isinstance(e, sp.Abs):
        return args[0] * sign_at(args[0])
    if isinstance(e, sp.sign):
        return sign_at(args[0])
    if isinstance(e, sp.Heaviside):
        return sp.Integer(1) if sign_at(args[0]) > 0 else sp.Integer(0)
    if isinstance(e, (sp.Max, sp.Min)):
        better = (lambda a, b: sign_at(a - b) >= 0) if isinstance(e, sp.Max) else (
            lambda a, b: sign_at(b - a) >= 0)
        return next(a for a in args if all(better(a, b) for b in args))
    return e.func(*args)


def _is_zero(expr: sp.Expr) -> bool:
    return expr == 0 or sp.expand(expr) == 0 or sp.cancel(expr) == 0 or sp.simplify(expr) == 0
