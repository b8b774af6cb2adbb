"""The activation registry: each entry's name, SymPy expression, parameters (PyTorch's
definitions and defaults) and stable float evaluators.

It depends on nothing but :mod:`symderiv.calculus.functions`, so the formula parser can
read it (``swish(x)`` in a formula) and :mod:`symderiv.calculus.activations` can bind,
derive and check its entries without an import cycle.
"""

import math
from typing import Callable, Mapping

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.functions import Phi, phi, relu, sigmoid, symbol
from symderiv.calculus.latex import TeX
from symderiv.errors import InputError

# PyTorch's SELU constants (torch.nn.SELU), taken exactly from their decimal digits.
SELU_ALPHA = sp.Rational("1.6732632423543772848170429916717")
SELU_SCALE = sp.Rational("1.0507009873554804934193349852946")
# The tanh approximation of GELU: 0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³))).
GELU_TANH_CUBIC = sp.Rational("0.044715")


@dataclass(frozen=True)
class Parameter:
    """One parameter: its spec name, PyTorch's default, and the values it may take."""

    name: str
    default: sp.Expr
    domain: str = "real"  # "real" | "positive" | "nonnegative"
    symbolic: bool = True  # becomes a symbol (α, β) when a derivation asks for one
    symbol_name: str = ""  # the symbol's name when it differs from the spec name (λ)

    def symbol(self) -> sp.Symbol:
        return symbol(self.symbol_name or self.name)

    def admits(self, value: sp.Expr) -> bool:
        """False when ``value`` is provably outside the domain (a symbol may be anything)."""
        if value.is_real is False:
            return False
        if self.domain == "positive":
            return value.is_positive is not False
        if self.domain == "nonnegative":
            return value.is_nonnegative is not False
        return True


@dataclass(frozen=True)
class Activation:
    """A registry entry. ``build(x, p)`` is the expression at x with parameters p;
    ``value``/``slope`` are numerically stable float evaluators of f and f′."""

    name: str
    latex_name: TeX
    build: Callable[[sp.Expr, Mapping[str, sp.Expr]], sp.Expr]
    value: Callable[[float, Mapping[str, float]], float] | None
    slope: Callable[[float, Mapping[str, float]], float] | None
    parameters: tuple[Parameter, ...] = ()
    elementwise: bool = True


# -- numerically stable floats --------------------------------------------------------------
_sigmoid = sigmoid.float_value


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sech2(x: float) -> float:
    """1 − tanh²x without the cancellation near |x| large: 4e^{−2|x|}/(1 + e^{−2|x|})²."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2


_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = float(GELU_TANH_CUBIC)


def _gelu_tanh(x, p):
    # 0.5x(1 + tanh u) = x·σ(2u): no cancellation for x → −∞.
    return x * _sigmoid(2.0 * _GELU_K * (x + _GELU_C * x**3))


def _gelu_tanh_slope(x, p):
    u = _GELU_K * (x + _GELU_C * x**3)
    du = _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)
    return _sigmoid(2.0 * u) + 2.0 * x * du * _sigmoid(2.0 * u) * _sigmoid(-2.0 * u)


def _mish(x, p):
    return x * math.tanh(_softplus(x))


def _mish_slope(x, p):
    s = _softplus(x)
    return math.tanh(s) + x * _sech2(s) * _sigmoid(x)


def _swish(x, p):
    return x * _sigmoid(p["beta"] * x)


def _swish_slope(x, p):
    b = p["beta"]
    return _sigmoid(b * x) + b * x * _sigmoid(b * x) * _sigmoid(-b * x)


def _elu(x, p, scale=1.0):
    return scale * (x if x > 0 else p["alpha"] * math.expm1(x))


def _elu_slope(x, p, scale=1.0):
    return scale * (1.0 if x > 0 else p["alpha"] * math.exp(x))


# -- the registry -----------------------------------------------------------------------------
def _name(tex: str) -> TeX:
    return TeX(tex)


def _exp_piecewise(x, alpha, scale):
    """ELU/SELU: scale·z for z > 0, scale·α(e^z − 1) otherwise."""
    return sp.Piecewise((scale * x, x > 0), (scale * alpha * (sp.exp(x) - 1), True))


_ENTRIES = (
    Activation("linear", _name(r"\operatorname{id}"), lambda x, p: x,
               lambda x, p: x, lambda x, p: 1.0),
    Activation("relu", _name(relu.tex_name), lambda x, p: relu(x),
               lambda x, p: relu.float_value(x), lambda x, p: 1.0 if x > 0 else 0.0),
    Activation("leaky_relu", _name(r"\operatorname{LeakyReLU}"),
               lambda x, p: sp.Piecewise((x, x > 0), (p["alpha"] * x, True)),
               lambda x, p: x if x > 0 else p["alpha"] * x,
               lambda x, p: 1.0 if x > 0 else p["alpha"],
               (Parameter("alpha", sp.Rational(1, 100), "nonnegative"),)),
    Activation("sigmoid", _name(sigmoid.tex_name), lambda x, p: sigmoid(x),
               lambda x, p: _sigmoid(x), lambda x, p: _sigmoid(x) * _sigmoid(-x)),
    Activation("tanh", _name(r"\tanh"), lambda x, p: sp.tanh(x),
               lambda x, p: math.tanh(x), lambda x, p: _sech2(x)),
    Activation("softplus", _name(r"\operatorname{softplus}"),
               lambda x, p: sp.log(1 + sp.exp(p["beta"] * x)) / p["beta"],
               lambda x, p: _softplus(p["beta"] * x) / p["beta"],
               lambda x, p: _sigmoid(p["beta"] * x),
               (Parameter("beta", sp.Integer(1), "positive", symbolic=False),)),
    Activation("swish", _name(r"\operatorname{Swish}"), lambda x, p: x * sigmoid(p["beta"] * x),
               _swish, _swish_slope, (Parameter("beta", sp.Integer(1)),)),
    Activation("gelu", _name(r"\operatorname{GELU}"), lambda x, p: x * Phi(x),
               lambda x, p: x * Phi.float_value(x),
               lambda x, p: Phi.float_value(x) + x * phi.float_value(x)),
    Activation("gelu_tanh", _name(r"\operatorname{GELU}_{\tanh}"),
               lambda x, p: sp.S.Half * x * (1 + sp.tanh(
                   sp.sqrt(2 / sp.pi) * (x + GELU_TANH_CUBIC * x**3))),
               _gelu_tanh, _gelu_tanh_slope),
    Activation("elu", _name(r"\operatorname{ELU}"),
               lambda x, p: _exp_piecewise(x, p["alpha"], 1),
               _elu, _elu_slope, (Parameter("alpha", sp.Integer(1), "positive"),)),
    # PyTorch's SELU has fixed constants; as parameters they print as α and λ in derivations.
    Activation("selu", _name(r"\operatorname{SELU}"),
               lambda x, p: _exp_piecewise(x, p["alpha"], p["scale"]),
               lambda x, p: _elu(x, p, p["scale"]), lambda x, p: _elu_slope(x, p, p["scale"]),
               (Parameter("alpha", SELU_ALPHA, "positive"),
                Parameter("scale", SELU_SCALE, "positive", symbol_name="lambda"))),
    Activation("mish", _name(r"\operatorname{Mish}"),
               lambda x, p: x * sp.tanh(sp.log(1 + sp.exp(x))), _mish, _mish_slope),
    Activation("softmax", _name(r"\operatorname{softmax}"), lambda x, p: None,
               None, None, elementwise=False),
)
_REGISTRY = {a.name: a for a in _ENTRIES}


def lookup(name: str) -> Activation | None:
    """The registry entry called ``name``, or None."""
    return _REGISTRY.get(name)


def names() -> list[str]:
    """Every registry name, in the contract's order."""
    return list(_REGISTRY)


def formula_function(name: str) -> Callable[..., sp.Expr] | None:
    """``swish(x)``, ``leaky_relu(x, 0.1)`` inside a formula: the input, then the
    parameters in registry order. None for names that are not elementwise activations."""
    entry = lookup(name)
    if entry is None or not entry.elementwise:
        return None

    def call(x, *args):
        if len(args) > len(entry.parameters):
            raise InputError(name, f"takes at most {len(entry.parameters) + 1} argument(s)")
        given = {p.name: v for p, v in zip(entry.parameters, args)}
        return entry.build(x, bind_parameters(entry, given, name, False))

    return call


def bind_parameters(entry: Activation, given: Mapping[str, sp.Expr], where: str,
                    symbolic: bool) -> dict:
    """Every parameter's value: the one ``given`` (SymPy, checked against its domain), a
    symbol (α, β) with ``symbolic``, else PyTorch's default."""
    known = {p.name: p for p in entry.parameters}
    for key in given:
        if key not in known:
            takes = ", ".join(known) if known else "no parameters"
            raise InputError(f"{where}.{key}", f"unknown parameter for {entry.name} (it takes {takes})")
    out = {}
    for p in entry.parameters:
        if p.name in given:
            value = given[p.name]
            if not p.admits(value):
                raise InputError(f"{where}.{p.name}", f"must be {p.domain}, got {value}")
            out[p.name] = value
        elif symbolic and p.symbolic:
            out[p.name] = p.symbol()
        else:
            out[p.name] = p.default
    return out
