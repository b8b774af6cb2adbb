"""Part ``swish-gelu``: the derivatives of Swish and GELU, checked, and both against ReLU.

Each activation is x·g(x) (g = σ(βx) for Swish, Φ(x) for GELU), so its derivative is
worked by the product rule twice: once with the named gate (the readable form
σ(βx) + βxσ(βx)(1−σ(βx)), Φ(x) + xφ(x)) and once with the gate written out as the seed
writes it (exponentials; erf and the integral of the density). Every form is checked
equal to SymPy's derivative by :func:`symderiv.calculus.verify.decide`. The comparison with ReLU
(smoothness at 0, output and slope left of 0, the minima and where each function
decreases) is computed: limits by SymPy, roots by mpmath at high precision.
"""

from dataclasses import dataclass

import mpmath
import sympy as sp
from sympy.series.gruntz import gruntz

from symderiv.calculus.activations import resolve
from symderiv.calculus.continuity import continuous_at, limit_at_infinity
from symderiv.calculus.expr import symbol
from symderiv.calculus.extrema import roots
from symderiv.calculus.jets import second_order
from symderiv.calculus.numeric import as_float
from symderiv.calculus.functions import Probability, to_elementary
from symderiv.calculus.verify import decide

R = sp.Rational
PROBE_X = sp.Integer(-1)              # a point left of 0, where ReLU passes nothing
PLOT_BETAS = (R(1, 2), R(1), R(2))    # the Swish curves drawn when β is left symbolic
SCAN = (-12, 12, 481)                 # the grid on which sign changes of f′ are sought
DIGITS = 30                           # working precision of the root finding
VERIFY_SECONDS = 5


@dataclass(frozen=True)
class DerivativeForms:
    """f = x·g(x) and its derivative, each form a product-rule sum u′g + ug′ (unevaluated)."""

    name: str
    activation: object         # BoundActivation
    f: sp.Expr
    lhs: sp.Expr               # d f/dx, unevaluated
    gate: sp.Expr              # g, named (σ(βx), Φ(x))
    product: sp.Expr           # g + x·dg/dx with the derivative of g unevaluated
    readable: sp.Expr          # with the named gate
    expanded: sp.Expr          # gate written as the seed writes it (exp; erf)
    integral: sp.Expr | None   # GELU only: Φ as the integral of the density
    checks: tuple[tuple[str, bool], ...]   # (which form, equal to d f/dx by verify.decide)

    @property
    def verified(self) -> bool:
        return all(ok for _, ok in self.checks)


@dataclass(frozen=True)
class Smoothness:
    """Left and right limits of f′ at 0, and f′(0) where it is defined."""

    name: str
    left: sp.Expr
    right: sp.Expr

    @property
    def continuous(self) -> bool:
        return self.left == self.right


@dataclass(frozen=True)
class Probe:
    """f and f′ at one point, exact and as numbers."""

    name: str
    beta: sp.Expr | None
    activation: object         # BoundActivation
    at: sp.Expr
    value: sp.Expr
    slope: sp.Expr

    @property
    def value_float(self) -> float:
        return as_float(self.value)

    @property
    def slope_float(self) -> float:
        return as_float(self.slope)


@dataclass(frozen=True)
class Minimum:
    """The one point where f′ changes sign (from − to +): f decreases left of it."""

    name: str
    beta: sp.Expr | None
    location: sp.Float           # at DIGITS significant digits
    value: sp.Float
    curvature: sp.Float          # f″ there: positive, so a minimum
    sign_changes: int            # of f′ on the scan grid: 1
    slope_limit_left: sp.Expr    # lim f′ at −∞ (0: f′ < 0 on all of (−∞, location))


@dataclass(frozen=True)
class SwishGelu:
    x: sp.Symbol
    beta: sp.Expr                # the symbol β, or the spec's value
    plot_betas: tuple[sp.Expr, ...]
    swish_by_beta: tuple[tuple[sp.Expr, object], ...]   # (β, Swish with that β) per plotted β
    relu: object
    swish: DerivativeForms
    gelu: DerivativeForms
    smoothness: tuple[Smoothness, ...]       # relu, swish, gelu
    probes: tuple[Probe, ...]                # relu, swish per β, gelu at PROBE_X
    gelu_minimum: Minimum
    swish_minima: tuple[Minimum, ...]        # one per plotted β
    # the question's definitions, each a row of equal forms (see _definitions)
    definitions: dict[str, tuple[sp.Expr, ...]] | None = None

    def smooth(self, name: str) -> Smoothness:
        return next(m for m in self.smoothness if m.name == name)


def solve(beta=None, where="swish-gelu") -> SwishGelu:
    x = symbol("x")
    swish_spec = {"name": "swish"} if beta is None else {"name": "swish", "beta": beta}
    swish = resolve(swish_spec, where, symbolic_params=beta is None)
    gelu = resolve("gelu", where)
    relu = resolve("relu", where)
    beta_value = beta if beta is not None else next(iter(swish.params.values()))
    betas = PLOT_BETAS if beta is None else (beta,)
    concrete = [(b, _swish_at(b, beta, swish, where)) for b in betas]

    gelu_forms = _derivative_forms("gelu", gelu, x, where)
    swish_left = (_slope_limit_left_for_positive_beta(swish, x)
                  if beta is None and all(b > 0 for b in betas) else None)
    return SwishGelu(
        x=x, beta=beta_value, plot_betas=betas, swish_by_beta=tuple(concrete), relu=relu,
        swish=_derivative_forms("swish", swish, x, where),
        gelu=gelu_forms,
        smoothness=tuple(_smoothness(name, act, x)
                         for name, act in (("relu", relu), ("swish", swish), ("gelu", gelu))),
        probes=(_probe("relu", None, relu),
                *(_probe("swish", b, act) for b, act in concrete),
                _probe("gelu", None, gelu)),
        gelu_minimum=_minimum("gelu", None, gelu, x),
        swish_minima=tuple(_minimum("swish", b, act, x, swish_left) for b, act in concrete),
        definitions=_definitions(x, swish, gelu_forms),
    )


def _definitions(x, swish, gelu) -> dict[str, tuple[sp.Expr, ...]]:
    """What the question defines, as SymPy: Swish(x) = xσ(βx); GELU(x) = xP(X ≤ x) =
    xΦ(x) with X standard normal; its density f_X(x) = φ(x) = e^{−x²/2}/√(2π), the last
    form kept unevaluated, as the seed writes it."""
    normal = symbol("X")   # standard normal: the statement says so
    root = sp.Pow(sp.Mul(2, sp.pi, evaluate=False), sp.S.Half, evaluate=False)
    density = sp.Mul(sp.exp(-x**2 / 2), sp.Pow(root, -1, evaluate=False), evaluate=False)
    return {"swish": (sp.Function("Swish")(x), swish.expr(x)),
            "gelu": (sp.Function("GELU")(x), x * Probability(sp.Le(normal, x, evaluate=False)),
                     gelu.f),
            "density": (sp.Function("f_X")(x), sp.diff(gelu.gate, x), density)}


def _swish_at(b, beta, swish, where):
    return swish if beta is not None else resolve({"name": "swish", "beta": b}, where)


def _product_rule(u, g, x) -> sp.Expr:
    """d(u·g)/dx as the unevaluated sum u′·g + u·g′, in the order a textbook writes it."""
    first = sp.diff(u, x) * g
    terms = first.args if first.is_Add else (first,)   # ½ + ½erf(…) + …, not (½ + …) + …
    return sp.Add(*terms, u * sp.diff(g, x), evaluate=False)


def _derivative_forms(name, act, x, where) -> DerivativeForms:
    f = act.expr(x)
    gate = sp.cancel(f / x)    # both are x·g(x)
    readable = _product_rule(x, gate, x)
    product = sp.Add(sp.diff(x, x) * gate, x * sp.Derivative(gate, x, evaluate=False),
                     evaluate=False)
    expanded = _product_rule(x, to_elementary(gate), x)
    integral = antiderivative = None
    if name == "gelu":
        t = symbol("t")
        antiderivative = to_elementary(gate)
        density = sp.diff(antiderivative, x).subs(x, t)
        integral = sp.Add(sp.Integral(density, (t, -sp.oo, x)), x * density.subs(t, x),
                          evaluate=False)
    truth = act.derivative(x)
    forms = [("product", product), ("readable", readable), ("expanded", expanded)]
    if integral is not None:
        forms.append(("integral", integral))
    checks = tuple((label, _same(form, truth, antiderivative, x)) for label, form in forms)
    return DerivativeForms(name, act, f, sp.Derivative(f, x, evaluate=False), gate, product, readable, expanded, integral, checks)


def _same(form, truth, antiderivative=None, x=None) -> bool:
    lhs = to_elementary(_evaluated(form, antiderivative, x)).rewrite(sp.erf)   # erfc → erf
    return decide(lhs, to_elementary(truth), VERIFY_SECONDS).equal is True


def _evaluated(form: sp.Expr, antiderivative=None, x=None) -> sp.Expr:
    """``form.doit()``. An integral ∫_{−∞}^x p(t) dt whose density p is G′ for the given
    ``antiderivative`` G (the density was made as G′) is G(x) − lim_{−∞} G by the
    fundamental theorem of calculus (p is continuous), the limit settled by the algebra of
    limits; other integrals by SymPy's rule-based integrator where it finds the
    antiderivative (the Meijer G route that ``doit`` tries first for an infinite bound
    takes a good part of a second)."""
    if not form.has(sp.Integral):
        return form.doit()
    if antiderivative is not None:
        done = form.replace(lambda e: isinstance(e, sp.Integral),
                            lambda e: _by_antiderivative(e, antiderivative, x))
        if not done.has(sp.Integral):
            return done.doit()
    done = form.doit(manual=True)
    return done if not done.has(sp.Integral) else form.doit()


def _by_antiderivative(integral: sp.Integral, g: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """∫_{−∞}^{x} g′(t) dt = g(x) − lim_{−∞} g, or the integral itself where it is not of
    that shape or the limit is not settled."""
    (t, lo, hi), = integral.limits
    if lo != -sp.oo or hi != x or sp.diff(g, x).xreplace({x: t}) != integral.function:
        return integral
    start = limit_at_infinity(g, x, -sp.oo)
    return integral if start is None else g - start


def _smoothness(name, act, x) -> Smoothness:
    slope = to_elementary(act.derivative(x))
    return Smoothness(name, _limit_at_zero(slope, x, -1), _limit_at_zero(slope, x, 1))


def _limit_at_zero(expr, x, side):
    # Continuous at 0 (Swish′, GELU′): the limit from either side is the value there.
    if continuous_at(expr, x, sp.Integer(0)):
        return expr.subs(x, 0)
    # x = ±t with t > 0 settles Heaviside and Piecewise conditions before the limit is
    # taken (SymPy's limit of a Piecewise at its break returns the value at the point).
    t = sp.Dummy("t", positive=True)
    return sp.limit(expr.subs(x, side * t), t, 0, "+")


def _probe(name, beta, act) -> Probe:
    return Probe(name, beta, act, PROBE_X, act.expr(PROBE_X), act.derivative(PROBE_X))


def _slope_limit_left_for_positive_beta(swish, x) -> sp.Expr | None:
    """lim f′ at −∞ of Swish with β a positive symbol: one limit for every plotted β > 0,
    where it does not depend on β (None where it does).

    Swish_β′(x) is Swish_1′(βx) (checked on the expressions themselves), and βx → −∞ as
    x → −∞ for β > 0: so the limit is Swish_1′'s, which Gruntz's algorithm finds in half
    the time it takes with a symbolic β."""
    symbol = swish.params["beta"]
    slope = to_elementary(swish.derivative(x))
    unit = slope.xreplace({symbol: sp.Integer(1)})
    if unit.xreplace({x: symbol * x}) == slope:
        return _limit_left(unit, x)
    beta = sp.Dummy("beta", positive=True)
    limit = _limit_left(slope.xreplace({symbol: beta}), x)
    return None if limit.has(beta) else limit


def _limit_left(expr, x) -> sp.Expr:
    """lim expr at −∞: by the algebra of limits where it settles it (GELU′: microseconds),
    else by Gruntz's algorithm directly (the one sympy.limit falls back on, without the
    series heuristics it tries first: seconds here, against a tenth of one)."""
    value = limit_at_infinity(expr, x, -sp.oo)
    return value if value is not None else gruntz(expr, x, -sp.oo)


def _minimum(name, beta, act, x, slope_limit_left=None) -> Minimum:
    """``slope_limit_left``: lim f′ at −∞ where already known (for every β at once).
    The root of f′ is found by the general root finder of ``functions``/``tasks``
    (symderiv.calculus.extrema), on this part's grid."""
    slope = to_elementary(act.derivative(x))
    lo, hi, n = SCAN
    found = roots(slope, x, closed_form=False, window=(lo, hi),
                  density=(n - 1) // (hi - lo))
    if not found:
        raise ValueError(f"{name}: f' does not change sign on the scan grid")
    with mpmath.workdps(DIGITS):
        root = found[0].mp
        value, curvature = _value_and_curvature(to_elementary(act.expr(x)), x, root)
        if slope_limit_left is None:
            slope_limit_left = _limit_left(slope, x)
        return Minimum(name, beta, _float(root), _float(value), _float(curvature),
                       len(found), slope_limit_left)


def _value_and_curvature(f, x, at) -> tuple[mpmath.mpf, mpmath.mpf]:
    """f and f″ at one point: by the chain rule node by node (exact derivatives, a
    fraction of a millisecond), else by SymPy's f″ lambdified."""
    jet = second_order(f, x, at)
    if jet is not None:
        return jet[0], jet[2]
    value, d2f = (sp.lambdify(x, e, "mpmath", docstring_limit=-1) for e in (f, sp.diff(f, x, 2)))
    return value(at), d2f(at)


def _float(value: mpmath.mpf) -> sp.Float:
    return sp.Float(mpmath.nstr(value, DIGITS), DIGITS)
