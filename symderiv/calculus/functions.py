"""SymPy functions that coursework writes by name: σ, ReLU, Φ and φ.

Each one differentiates, evaluates to any precision, rewrites to elementary functions
(``expr.rewrite(sympy.exp)``, ``rewrite(sympy.erf)``, ``rewrite(sympy.Piecewise)``) and
prints through :mod:`symderiv.calculus.latex` under its own name, so a derivation reads as a
teacher writes it (σ(z)(1−σ(z)) rather than e^{−z}/(1+e^{−z})²).
"""

import sympy as sp
from sympy import S


class sigmoid(sp.Function):
    """The logistic function σ(x) = 1 / (1 + e^{−x})."""

    nargs = 1

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
        return 1 / (1 + sp.exp(-x))

    def _eval_rewrite_as_tanh(self, x, **kwargs):
        return (1 + sp.tanh(x / 2)) / 2

    def _eval_evalf(self, prec):
        return self._eval_rewrite_as_exp(*self.args)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


class relu(sp.Function):
    """ReLU(x) = max(0, x); its derivative is the step function, taken as 0 at x = 0."""

    nargs = 1

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
        return sp.Piecewise((x, x > 0), (0, True))

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(0, x)

    def _eval_rewrite_as_Heaviside(self, x, **kwargs):
        return x * sp.Heaviside(x, 0)

    def _eval_evalf(self, prec):
        return sp.Max(0, self.args[0])._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return self.args[0].is_extended_real or None


class Phi(sp.Function):
    """The standard normal CDF Φ(x) = (1 + erf(x/√2)) / 2."""

    nargs = 1

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
        return (1 + sp.erf(x / sp.sqrt(2))) / 2

    def _eval_rewrite_as_erfc(self, x, **kwargs):
        return sp.erfc(-x / sp.sqrt(2)) / 2

    def _eval_evalf(self, prec):
        # erfc keeps full relative precision in the far left tail, where 1 + erf(x) cancels.
        return self._eval_rewrite_as_erfc(*self.args)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


class phi(sp.Function):
    """The standard normal density φ(x) = e^{−x²/2} / √(2π)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_infinite and x.is_extended_real:
            return S.Zero

    def fdiff(self, argindex=1):
        return -self.args[0] * self

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)

    _eval_rewrite_as_erf = _eval_rewrite_as_exp

    def _eval_evalf(self, prec):
        return self._eval_rewrite_as_exp(*self.args)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


CUSTOM_FUNCTIONS = (sigmoid, relu, Phi, phi)


def to_elementary(expr: sp.Expr) -> sp.Expr:
    """``expr`` with σ, ReLU, Φ, φ rewritten to exp, Piecewise and erf (for lambdify, mpmath)."""
    return expr.replace(
        lambda e: isinstance(e, CUSTOM_FUNCTIONS),
        lambda e: _elementary(e),
    )


def _elementary(e):
    if isinstance(e, sigmoid):
        return e._eval_rewrite_as_exp(*e.args)
    if isinstance(e, relu):
        return e._eval_rewrite_as_Piecewise(*e.args)
    if isinstance(e, Phi):
        return e._eval_rewrite_as_erf(*e.args)
    return e._eval_rewrite_as_exp(*e.args)
