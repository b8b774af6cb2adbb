"""SymPy functions that coursework writes by name: σ, ReLU, Φ and φ.

Each one differentiates, evaluates to any precision, rewrites to elementary functions
(``expr.rewrite(sympy.exp)``, ``rewrite(sympy.erf)``, ``rewrite(sympy.Piecewise)``) and
prints through :mod:`symderiv.calculus.latex` under its own name, so a derivation reads as a
teacher writes it (σ(z)(1−σ(z)) rather than e^{−z}/(1+e^{−z})²).

Everything symderiv knows about one of them is said once, on its class
(:class:`SpecialFunctionBase`), and read from there by the formula parser, the printer, the
activation registry, ``check``'s reader and interval evaluator, and every evaluator that
goes through :func:`to_elementary` (verify, the exact arithmetic, lambdify).
"""

import math

import mpmath
import sympy as sp
from sympy import S


def symbol(name: str) -> sp.Symbol:
    """The one way symderiv makes a symbol: every variable is real (z, a, w5, h1, β)."""
    return sp.Symbol(name, real=True)


class SpecialFunctionBase(sp.Function):
    """A one-argument function coursework writes by name. A subclass says, once:

    - ``formula_name``: its name in a formula (``sigmoid(x)``) and in the registry;
    - ``tex_name``: how the printer writes it (``\\sigma``);
    - ``read_names``, ``read_commands``: how a document may write it, by name
      (``\\text{sigmoid}``, keys lower case) or as a command before "(" (``\\sigma(z)``);
    - ``interval_shape``: ``"increasing"`` (its range over [a, b] is [f(a), f(b)]) or
      ``"peak"`` (increasing up to 0, decreasing after): the interval rule;
    - ``elementary(x)``: the same function in exp, erf and Piecewise;
    - ``mp_value(t)``, ``float_value(t)``: its value in mpmath and in floats, both stable
      in the tails (σ(−1000), Φ(−40)).
    """

    nargs = 1
    formula_name = ""
    tex_name = ""
    read_names: tuple[str, ...] = ()
    read_commands: tuple[str, ...] = ()
    interval_shape = "increasing"

    @classmethod
    def elementary(cls, x):
        raise NotImplementedError

    @staticmethod
    def mp_value(t):
        raise NotImplementedError

    @staticmethod
    def float_value(t: float) -> float:
        raise NotImplementedError

    def _eval_evalf(self, prec):
        return self.elementary(*self.args)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real


class sigmoid(SpecialFunctionBase):
    """The logistic function σ(x) = 1 / (1 + e^{−x})."""

    formula_name = "sigmoid"
    tex_name = r"\sigma"
    read_names = ("sigmoid", "logistic")
    read_commands = (r"\sigma",)

    @classmethod
    def elementary(cls, x):
        return 1 / (1 + sp.exp(-x))

    @staticmethod
    def mp_value(t):
        return 1 / (1 + mpmath.exp(-t)) if t >= 0 else mpmath.exp(t) / (1 + mpmath.exp(t))

    @staticmethod
    def float_value(t: float) -> float:
        if t >= 0:
            return 1.0 / (1.0 + math.exp(-t))
        e = math.exp(t)
        return e / (1.0 + e)

    @classmethod
    def eval(cls, x):
        if x is S.Zero:
            return S.Half
        if x is S.Infinity:
            return S.One
        if x is S.NegativeInfinity:
            return S.Zero

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return self.elementary(x)

    def _eval_rewrite_as_tanh(self, x, **kwargs):
        return (1 + sp.tanh(x / 2)) / 2

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


class relu(SpecialFunctionBase):
    """ReLU(x) = max(0, x); its derivative is the step function, taken as 0 at x = 0."""

    formula_name = "relu"
    tex_name = r"\operatorname{ReLU}"
    read_names = ("relu",)

    @classmethod
    def elementary(cls, x):
        return sp.Piecewise((x, x > 0), (0, True))

    @staticmethod
    def mp_value(t):
        return max(mpmath.mpf(0), t)

    @staticmethod
    def float_value(t: float) -> float:
        return max(t, 0.0)

    @classmethod
    def eval(cls, x):
        if x.is_nonnegative:
            return x
        if x.is_nonpositive:
            return S.Zero

    def fdiff(self, argindex=1):
        # PyTorch's convention: ReLU'(0) = 0.
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return self.elementary(x)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(0, x)

    def _eval_rewrite_as_Heaviside(self, x, **kwargs):
        return x * sp.Heaviside(x, 0)

    def _eval_evalf(self, prec):
        return sp.Max(0, self.args[0])._eval_evalf(prec)

    def _eval_is_nonnegative(self):
        return self.args[0].is_extended_real or None


class Phi(SpecialFunctionBase):
    """The standard normal CDF Φ(x) = (1 + erf(x/√2)) / 2."""

    formula_name = "Phi"
    tex_name = r"\Phi"
    read_commands = (r"\Phi",)

    @classmethod
    def elementary(cls, x):
        return (1 + sp.erf(x / sp.sqrt(2))) / 2

    @staticmethod
    def mp_value(t):
        return mpmath.erfc(-t / mpmath.sqrt(2)) / 2

    @staticmethod
    def float_value(t: float) -> float:
        return 0.5 * math.erfc(-t / math.sqrt(2.0))

    @classmethod
    def eval(cls, x):
        if x is S.Zero:
            return S.Half
        if x is S.Infinity:
            return S.One
        if x is S.NegativeInfinity:
            return S.Zero

    def fdiff(self, argindex=1):
        return phi(self.args[0])

    def _eval_rewrite_as_erf(self, x, **kwargs):
        return self.elementary(x)

    def _eval_rewrite_as_erfc(self, x, **kwargs):
        return sp.erfc(-x / sp.sqrt(2)) / 2

    def _eval_evalf(self, prec):
        # erfc keeps full relative precision in the far left tail, where 1 + erf(x) cancels.
        return self._eval_rewrite_as_erfc(*self.args)._eval_evalf(prec)

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


class phi(SpecialFunctionBase):
    """The standard normal density φ(x) = e^{−x²/2} / √(2π)."""

    formula_name = "phi"
    tex_name = r"\varphi"
    read_commands = (r"\phi", r"\varphi")
    interval_shape = "peak"

    @classmethod
    def elementary(cls, x):
        return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)

    @staticmethod
    def mp_value(t):
        return mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)

    @staticmethod
    def float_value(t: float) -> float:
        return math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)

    @classmethod
    def eval(cls, x):
        if x.is_infinite and x.is_extended_real:
            return S.Zero

    def fdiff(self, argindex=1):
        return -self.args[0] * self

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return self.elementary(x)

    _eval_rewrite_as_erf = _eval_rewrite_as_exp

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


SPECIAL_FUNCTIONS = (sigmoid, relu, Phi, phi)


class Probability(sp.Function):
    """P(X ≤ c) for X a standard normal variable (written as a real symbol), unevaluated:
    how a question defines GELU, x·P(X ≤ x); ``doit()`` gives Φ(c). Named as
    ``sympy.stats``' own (the printer's ``_print_Probability`` serves both) and printed
    the same, without importing sympy.stats for it (0.03 CPU s)."""

    nargs = 1

    def doit(self, **hints):
        event = self.args[0]
        if not isinstance(event, (sp.LessThan, sp.StrictLessThan)) or not event.lhs.is_Symbol:
            raise ValueError(f"not an event X <= c of a standard normal X: {event}")
        return Phi(event.rhs.doit(**hints) if hints.get("deep", True) else event.rhs)


def to_elementary(expr: sp.Expr) -> sp.Expr:
    """``expr`` with σ, ReLU, Φ, φ rewritten to exp, Piecewise and erf (for lambdify, mpmath)."""
    return expr.replace(lambda e: isinstance(e, SpecialFunctionBase),
                        lambda e: e.elementary(*e.args))
