"""The two arithmetics the backprop walk runs in, with the local rules they evaluate.

- :class:`HighPrecision`: mpmath at ``prec`` + guard digits; activations from their SymPy
  rules (lambdified once, and checked against SymPy's own evaluation). Every value a sheet
  shows comes from here.
- :class:`Float64`: Python floats through the activations' numeric functions, for bulk
  work; the tests hold it to the high-precision values.
- :class:`Symbolic`: SymPy formulas of the parameters, inputs and targets, for export:
  each neuron's values are named once and defined from those before them, never
  re-derived, so the loss and gradients come out at a size linear in the edges.

Both raise :class:`NotReal` where an activation has no finite real value (1/z at 0,
sqrt(z) below 0, exp(exp(exp(z))) far beyond any number a sheet could show).
"""

import math
import sys
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import to_elementary
from symderiv.nets.losses import loss_derivative, loss_expression

GUARD = 10  # extra working digits, so results are right to ``prec`` digits
Z = symbol("z")  # the argument of every activation rule
# Arguments beyond this make exp, sin, … cost time and memory without bound (the result's
# exponent, or the reduction modulo π, needs that many digits); every value a sheet may hold
# is within double range (< 1.8e308), so such an argument only arises inside a formula.
ARGUMENT_LIMIT = mpmath.mpf(10) ** 400
DOUBLE_MAX = sys.float_info.max


class NotReal(ArithmeticError):
    """An activation (or loss) has no finite real value here; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Numbers:
    """What the two numeric arithmetics share: values must stay finite, within double range."""

    def in_range(self, x) -> bool:
        return self.finite(x) and abs(x) <= DOUBLE_MAX

    def softmax_shift(self, zs):
        """Subtracted from every z before exp: the largest, so float64 cannot overflow."""
        return max(zs)

    def kept(self, value):
        """A value the walk goes on with (a net input, a δ): itself."""
        return value


class HighPrecision(_Numbers):
    """mpmath at ``prec`` + GUARD digits; activations from their SymPy rules.

    A net input known exactly (rational inputs and parameters, rational activations such
    as ReLU on the way) is also kept as a Fraction, and a rational activation value there
    is taken exactly from the SymPy rule: at a kink (ReLU at z = 0 from 0.1·3 − 0.3) no
    rounding can pick the wrong side.
    """

    exact = True

    def __init__(self, prec: int):
        self.prec = prec
        self.dps = prec + GUARD

    def context(self):
        return mpmath.workdps(self.dps)

    def number(self, value) -> mpmath.mpf:
        """A given value (int, Fraction, SymPy number such as sqrt(2)/2 or π) as an mpf."""
        if isinstance(value, mpmath.mpf):
            return value
        if isinstance(value, Fraction):
            return mpmath.mpf(value.numerator) / value.denominator
        if isinstance(value, (int, float)):
            return mpmath.mpf(value)
        if isinstance(value, sp.Rational):
            return mpmath.mpf(int(value.p)) / int(value.q)
        evaluated = sp.sympify(value, strict=True).evalf(self.dps)
        if not (evaluated.is_Float and evaluated.is_finite):
            raise NotReal(f"{value} is not a finite real number")
        return mpmath.mpf(evaluated._mpf_)

    def exp(self, x):
        return mpmath.exp(x)

    def finite(self, x) -> bool:
        return isinstance(x, (int, mpmath.mpf)) and mpmath.isfinite(x)

    def activate(self, activation, z, exact_z):
        """(f(z), f'(z), f(z) as a Fraction or None)."""
        rule = mp_rule(activation)
        if exact_z is not None and rule.exact_safe:
            at = {Z: sp.Rational(exact_z.numerator, exact_z.denominator)}
            fz, dfz = rule.f.xreplace(at), rule.df.xreplace(at)
            f = self.number(fz) if fz.is_Rational else rule.f_at(z, self.dps)
            df = self.number(dfz) if dfz.is_Rational else rule.df_at(z, self.dps)
            return f, df, (Fraction(int(fz.p), int(fz.q)) if fz.is_Rational else None)
        return rule.f_at(z, self.dps), rule.df_at(z, self.dps), None

    def loss(self, name, outputs, targets, logits):
        """(E, [∂E/∂o_k]) for one example."""
        values = _checked(_loss_mpmath(name, len(outputs), logits), *outputs, *targets)
        return values[0], list(values[1:])

    def result(self, x) -> sp.Float:
        return sp.Float(x, self.prec)


class Float64(_Numbers):
    """Python floats; activations through BoundActivation.numeric / numeric_derivative."""

    exact = False
    prec = None

    def context(self):
        return _NoContext()

    def number(self, value) -> float:
        return float(value)

    def exp(self, x):
        return math.exp(x)

    def finite(self, x) -> bool:
        return math.isfinite(x)

    def activate(self, activation, z, exact_z):
        try:
            return float(activation.numeric(z)), float(activation.numeric_derivative(z)), None
        except (ArithmeticError, ValueError, TypeError) as e:
            raise NotReal(f"no real value ({e})") from None

    def loss(self, name, outputs, targets, logits):
        values = _loss_float(name, len(outputs), logits)(*outputs, *targets)
        return values[0], list(values[1:])

    def result(self, x) -> float:
        return float(x)


class Symbolic:
    """SymPy formulas: parameters, inputs and targets are given as symbols. Every value the
    walk keeps (a net input, an activation, its slope, a δ) is named by a new symbol
    ``_v<i>`` whose definition, in the symbols before it, goes to ``definitions``; so no
    formula nests another, and SymPy never walks (or asks assumptions of) a deep tree."""

    exact = False
    prec = None

    def __init__(self):
        self.definitions: list[tuple[sp.Symbol, sp.Expr]] = []

    def context(self):
        return _NoContext()

    def number(self, value) -> sp.Expr:
        return sp.sympify(value, strict=True)

    def exp(self, x):
        return sp.exp(x)

    def finite(self, x) -> bool:
        return True

    def in_range(self, x) -> bool:
        return True

    def softmax_shift(self, zs):
        return sp.Max(*zs)  # the same shift, so that code printed from these cannot overflow

    def kept(self, value):
        value = sp.sympify(value, strict=True)
        if value.is_Atom:
            return value
        name = sp.Symbol(f"_v{len(self.definitions)}", real=True)
        self.definitions.append((name, value))
        return name

    def activate(self, activation, z, exact_z):
        f = activation.expr(z)
        a = self.kept(f)
        # f' written in the output where it holds f itself (σ' = a(1 − a), tanh' = 1 − a²)
        return a, self.kept(activation.derivative(z).xreplace({f: a})), None

    def loss(self, name, outputs, targets, logits):
        os_, ys = _loss_symbols(len(outputs))
        expr, derivatives = _loss_rules(name, len(outputs), logits)
        at = dict(zip([*os_, *ys], [*outputs, *targets]))
        return expr.xreplace(at), [d.xreplace(at) for d in derivatives]

    def result(self, x) -> sp.Expr:
        return x


class _NoContext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- activation rules in mpmath ---------------------------------------------------------------

@dataclass(frozen=True)
class MpRule:
    """An activation's f and f' in z, with mpmath functions lambdified from them once."""

    f: sp.Expr
    df: sp.Expr
    f_fast: object  # a function of an mpf, or None where lambdify could not be trusted
    df_fast: object
    exact_safe: bool  # f and f' at an exact z stay small enough to take exactly

    def f_at(self, z, dps):
        return _at(self.f, self.f_fast, z, dps)

    def df_at(self, z, dps):
        return _at(self.df, self.df_fast, z, dps)


def _at(expr, fast, z, dps) -> mpmath.mpf:
    if fast is not None:
        return _checked(fast, z)
    try:
        value = expr.xreplace({Z: sp.Float(z, dps)}).evalf(dps)
    except (TypeError, ValueError, MemoryError, OverflowError, RecursionError):
        raise NotReal("too large to evaluate") from None
    if value.has(sp.zoo, sp.nan) or value.is_infinite:
        raise NotReal("not finite")
    if not value.is_Float:
        raise NotReal("not real (the value is complex)" if value.has(sp.I)
                      else "no real number")
    return mpmath.mpf(value._mpf_)


def _checked(function, *args):
    """function(*args), each result a finite real mpf, or NotReal saying what went wrong."""
    try:
        values = function(*args)
    except ZeroDivisionError:
        raise NotReal("division by zero") from None
    except _ArgumentTooLarge:
        raise NotReal("an intermediate value is too large to evaluate") from None
    except (MemoryError, OverflowError, RecursionError):
        raise NotReal("too large to evaluate") from None
    except (ValueError, TypeError) as e:
        raise NotReal(f"no real value ({e})") from None
    if isinstance(values, (list, tuple)):
        return [_real(v) for v in values]
    return _real(values)


def _real(value) -> mpmath.mpf:
    """A lambdified function's result (an mpf, an mpc, or a constant int) as a finite mpf."""
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise NotReal("not real (the value is complex)")
        value = value.real
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = mpmath.mpf(value)
    if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
        raise NotReal("not finite")
    return value


class _ArgumentTooLarge(ArithmeticError):
    pass


def _bounded(function):
    def call(x, *rest):
        if isinstance(x, (mpmath.mpf, mpmath.mpc)) and abs(x) > ARGUMENT_LIMIT:
            raise _ArgumentTooLarge()
        return function(x, *rest)
    return call


def _bounded_power(base, exponent):
    # base**exponent with an exponent that depends on z (2**z, z**z) grows like exp
    if base != 0 and abs(exponent) * abs(mpmath.log(abs(base))) > ARGUMENT_LIMIT:
        raise _ArgumentTooLarge()
    return base ** exponent


# mpmath's functions whose cost grows with the size of their argument
_BOUNDED = {name: _bounded(getattr(mpmath, name))
            for name in ("exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "erf", "erfc",
                         "expm1", "sec", "csc", "cot", "sech", "csch", "coth")}
_POWER = sp.Function("bounded_power")
_NAMESPACE = {**_BOUNDED, "bounded_power": _bounded_power}

_MP_RULES: dict = {}
_PROBES = ("-1.7", "-0.3", "0.45", "2.2")


def mp_rule(activation) -> MpRule:
    key = (activation.name, tuple(sorted(activation.params.items(), key=lambda kv: kv[0])))
    if key not in _MP_RULES:
        f, df = activation.expr(Z), activation.derivative(Z)
        _MP_RULES[key] = MpRule(f, df, _trusted_mpmath(f), _trusted_mpmath(df),
                                _exact_safe(f) and _exact_safe(df))
    return _MP_RULES[key]


def _exact_safe(expr: sp.Expr) -> bool:
    """Can ``expr`` be taken at an exact rational z? Not when a power's exponent depends on
    z or is large: SymPy would compute 2**(2**z) at z = 2000 as an integer of 10^600 digits.
    (exp, tanh, … of a rational stay unevaluated, so they are safe.)"""
    return all(p.exp.is_Rational and abs(p.exp.p) <= 10_000 and p.exp.q <= 10_000
               for p in expr.atoms(sp.Pow))


def _lambdify_bounded(expr: sp.Expr):
    """expr for mpmath, with exp, sin, … and powers in z refusing astronomical arguments."""
    elementary = to_elementary(expr).replace(
        lambda e: e.is_Pow and e.exp.has(Z), lambda e: _POWER(e.base, e.exp))
    # docstring_limit=-1: no docstring, which lambdify would print the expression into
    return sp.lambdify(Z, elementary, modules=[_NAMESPACE, "mpmath"], docstring_limit=-1)


def _trusted_mpmath(expr: sp.Expr):
    """expr lambdified for mpmath, if it matches SymPy's own evaluation at a few points."""
    try:
        fast = _lambdify_bounded(expr)
        with mpmath.workdps(40):
            for probe in _PROBES:
                slow = sp.Float(expr.xreplace({Z: sp.Float(probe, 40)}).evalf(40), 40)
                if abs(mpmath.mpf(fast(mpmath.mpf(probe))) - mpmath.mpf(slow._mpf_)) > \
                        mpmath.mpf(10) ** -35 * max(1, abs(mpmath.mpf(slow._mpf_))):
                    return None
    except Exception:  # noqa: BLE001 -- any failure means: evaluate through SymPy instead
        return None
    return fast


# -- loss rules ------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _loss_symbols(count: int):
    return ([symbol(f"o_{k}") for k in range(count)], [symbol(f"y_{k}") for k in range(count)])


@lru_cache(maxsize=None)
def _loss_rules(name: str, count: int, logits: bool):
    outputs, targets = _loss_symbols(count)
    return (loss_expression(name, outputs, targets, logits),
            [loss_derivative(name, o, outputs, targets, logits) for o in outputs])


@lru_cache(maxsize=None)
def _loss_float(name: str, count: int, logits: bool):
    return _loss_lambdified(name, count, logits, "math")


@lru_cache(maxsize=None)
def _loss_mpmath(name: str, count: int, logits: bool):
    return _loss_lambdified(name, count, logits, "mpmath")


def _loss_lambdified(name: str, count: int, logits: bool, module: str):
    outputs, targets = _loss_symbols(count)
    expr, derivatives = _loss_rules(name, count, logits)
    return sp.lambdify([*outputs, *targets], [expr, *derivatives], modules=module,
                       docstring_limit=-1)
