"""The activation registry: name → SymPy expression, parameters, derivative, output form.

Every entry follows PyTorch's definition and default parameters. ``resolve`` turns what a
spec writes (a name, a table with a name and parameters, or a formula in z) into a
:class:`BoundActivation`; the derivative in terms of the output a = f(z) is derived by
:mod:`symderiv.calculus.outputform`, never typed in.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Mapping

import mpmath
import sympy as sp

from symderiv.errors import InputError
from symderiv.calculus.expr import exact_number, parse_formula, symbol
from symderiv.calculus.functions import Phi, relu, sigmoid, to_elementary
from symderiv.calculus.latex import TeX
from symderiv.calculus.outputform import (OutputForm, derivative_agreement, output_form,
                                 teacher_derivative, teacher_form)
from symderiv.calculus.verify import run_bounded

Z = symbol("z")
OUTPUT = symbol("a")
# Time bound on deriving the output form of a user's formula (inversion and proofs).
FORMULA_SECONDS = 10.0

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

    def bind(self, params: Mapping[str, sp.Expr]) -> "BoundActivation":
        return BoundActivation(
            name=self.name, params=dict(params), latex_name=self.latex_name,
            elementwise=self.elementwise, _entry=self)


@dataclass(frozen=True)
class BoundActivation:
    """An activation with its parameters fixed (numbers, or symbols such as β)."""

    name: str
    params: dict[str, sp.Expr]
    latex_name: TeX
    elementwise: bool = True
    _entry: Activation | None = field(default=None, repr=False, compare=False)
    _formula: sp.Expr | None = field(default=None, repr=False, compare=False)

    @property
    def is_formula(self) -> bool:
        """A user's formula in z, not a registry entry."""
        return self._formula is not None

    # -- symbolic ----------------------------------------------------------------------
    def expr(self, x: sp.Expr) -> sp.Expr:
        """f(x)."""
        return self._expr_z.xreplace({Z: x})

    def derivative(self, x: sp.Expr) -> sp.Expr:
        """f′(x) in the form a teacher writes (tanh → 1 − tanh², σ → σ(1 − σ), GELU → Φ + zφ)."""
        return self._derivative_z.xreplace({Z: x})

    def derivative_in_output(self, a: sp.Expr) -> sp.Expr | None:
        """f′ written in the output a = f(z) ((1+a)(1−a) for tanh), or None where none exists."""
        form = self._output_form.expr
        return None if form is None else form.xreplace({OUTPUT: a})

    @property
    def output_form_check(self) -> str:
        """How the output form was checked: "symbolic", "numeric (N points)", or ""."""
        return self._output_form.check

    def layer_expr(self, zs: list[sp.Expr], j: int) -> sp.Expr:
        """Neuron j's output in a layer with pre-activations zs (softmax: e^{z_j}/Σ e^{z_k})."""
        if self.name == "softmax":
            return sp.exp(zs[j]) / sp.Add(*[sp.exp(zk) for zk in zs])
        return self.expr(zs[j])

    def layer_derivative(self, zs: list[sp.Expr], j: int, k: int) -> sp.Expr:
        """∂(neuron j's output)/∂z_k (softmax: a_j(δ_jk − a_k); elementwise: f′ on the diagonal)."""
        if self.elementwise:
            return self.derivative(zs[j]) if j == k else sp.S.Zero
        return sp.diff(self.layer_expr(zs, j), zs[k])

    def layer_numeric(self, zs: list[float]) -> list[float]:
        """The layer's outputs as floats (softmax shifted by max z: no overflow at z = 1000)."""
        if self.elementwise:
            return [self.numeric(x) for x in zs]
        top = max(zs)
        weights = [math.exp(x - top) for x in zs]
        total = math.fsum(weights)
        return [w / total for w in weights]

    # -- floats ------------------------------------------------------------------------
    def numeric(self, x: float) -> float:
        """f(x) as a float, stable at extreme inputs (sigmoid(±1000), softplus(1000))."""
        if self._entry is not None and self._entry.value is not None:
            return self._entry.value(float(x), self._float_params())
        return self._mp_float(0, x)

    def numeric_derivative(self, x: float) -> float:
        """f′(x) as a float, stable at extreme inputs."""
        if self._entry is not None and self._entry.slope is not None:
            return self._entry.slope(float(x), self._float_params())
        return self._mp_float(1, x)

    # -- internals ---------------------------------------------------------------------
    @cached_property
    def _expr_z(self) -> sp.Expr:
        if not self.elementwise:
            raise TypeError(f"{self.name} is not elementwise; use layer_expr")
        if self._formula is not None:
            return self._formula
        return self._entry.build(Z, self.params)

    @cached_property
    def _derivative_z(self) -> sp.Expr:
        return teacher_derivative(self._expr_z, Z)

    @cached_property
    def _output_form(self) -> OutputForm:
        if not self.elementwise:
            return OutputForm(None, "", "not elementwise")
        if self._formula is None:  # registry expressions: known to take milliseconds
            return output_form(self._expr_z, self._derivative_z, Z, OUTPUT, self._domains())
        # A user's formula can make inversion or a proof slow: the whole search is bounded.
        form = run_bounded(output_form, (self._expr_z, self._derivative_z, Z, OUTPUT, {}),
                           FORMULA_SECONDS)
        return form or OutputForm(None, "", f"no result within {FORMULA_SECONDS:g} s")

    def _domains(self) -> dict[sp.Symbol, str]:
        if self._entry is None:
            return {}
        out = {}
        for p in self._entry.parameters:
            value = self.params.get(p.name)
            if isinstance(value, sp.Symbol):
                out[value] = p.domain
        return out

    def _float_params(self) -> dict[str, float]:
        out = {}
        for k, v in self.params.items():
            if v.free_symbols:
                raise ValueError(f"{self.name}: parameter {k} = {v} is symbolic; no float value")
            out[k] = float(v)
        return out

    @cached_property
    def _mp_functions(self):
        """f and f′ of a formula activation, for mpmath at 40 digits (made once)."""
        exprs = (self._expr_z, self._derivative_z)
        if any(e.free_symbols - {Z} for e in exprs):
            raise ValueError(f"{self.name}: symbolic parameters; no float value")
        return tuple(sp.lambdify(Z, to_elementary(e), "mpmath") for e in exprs)

    def _mp_float(self, which: int, x: float) -> float:
        with mpmath.workdps(40):
            return float(self._mp_functions[which](mpmath.mpf(x)))


# -- numerically stable floats --------------------------------------------------------------
def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sech2(x: float) -> float:
    """1 − tanh²x without the cancellation near |x| large: 4e^{−2|x|}/(1 + e^{−2|x|})²."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _Phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


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
    Activation("relu", _name(r"\operatorname{ReLU}"), lambda x, p: relu(x),
               lambda x, p: max(x, 0.0), lambda x, p: 1.0 if x > 0 else 0.0),
    Activation("leaky_relu", _name(r"\operatorname{LeakyReLU}"),
               lambda x, p: sp.Piecewise((x, x > 0), (p["alpha"] * x, True)),
               lambda x, p: x if x > 0 else p["alpha"] * x,
               lambda x, p: 1.0 if x > 0 else p["alpha"],
               (Parameter("alpha", sp.Rational(1, 100), "nonnegative"),)),
    Activation("sigmoid", _name(r"\sigma"), lambda x, p: sigmoid(x),
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
               lambda x, p: x * _Phi(x), lambda x, p: _Phi(x) + x * _phi(x)),
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


def resolve(spec, where: str, symbolic_params: bool = False) -> BoundActivation:
    """A spec's activation: a name ("tanh"), a table ({"name": "leaky_relu", "alpha": 0.1})
    or a formula in z ("z*sigmoid(1.5*z)"). Unspecified parameters take PyTorch's
    defaults, or become symbols (α, β) with ``symbolic_params``. Bad input: InputError."""
    if isinstance(spec, str):
        entry = lookup(spec.strip())
        if entry is not None:
            return entry.bind(_bind_params(entry, {}, where, symbolic_params))
        return _formula_activation(spec, where)
    if isinstance(spec, Mapping):
        name = spec.get("name")
        if not isinstance(name, str):
            raise InputError(where, "an activation table needs a name, e.g. {name = \"leaky_relu\"}")
        entry = lookup(name.strip())
        if entry is None:
            raise InputError(f"{where}.name", _unknown(name))
        given = {k: v for k, v in spec.items() if k != "name"}
        return entry.bind(_bind_params(entry, given, where, symbolic_params))
    raise InputError(where, "an activation is a name, a table with a name, or a formula in z")


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
        return entry.bind(_bind_params(entry, given, name, False)).expr(x)

    return call


def _bind_params(entry: Activation, given: Mapping, where: str, symbolic: bool) -> dict:
    known = {p.name: p for p in entry.parameters}
    for key in given:
        if key not in known:
            takes = ", ".join(known) if known else "no parameters"
            raise InputError(f"{where}.{key}", f"unknown parameter for {entry.name} (it takes {takes})")
    out = {}
    for p in entry.parameters:
        if p.name in given:
            value = given[p.name]
            if not isinstance(value, sp.Expr):
                value = exact_number(value, f"{where}.{p.name}")
            if not p.admits(value):
                raise InputError(f"{where}.{p.name}", f"must be {p.domain}, got {value}")
            out[p.name] = value
        elif symbolic and p.symbolic:
            out[p.name] = p.symbol()
        else:
            out[p.name] = p.default
    return out


def _formula_activation(text: str, where: str) -> BoundActivation:
    if text.strip().isidentifier() and text.strip() != "z":
        raise InputError(where, _unknown(text))
    f = parse_formula(text, where, variables={"z"})
    return BoundActivation(name=text.strip(), params={}, latex_name=TeX("f"), _formula=f)


def _unknown(name: str) -> str:
    return f"unknown activation {name.strip()!r} (known: {', '.join(names())}; or a formula in z)"


# -- `symderiv derive` --------------------------------------------------------------------
@dataclass(frozen=True)
class Derivation:
    """f, f′ and f′ in terms of the output, each with how it was checked."""

    name: str
    variable: sp.Symbol
    f: sp.Expr
    df: sp.Expr
    df_in_output: sp.Expr | None
    output: sp.Symbol
    checks: list[tuple[str, str]]
    verified: bool


def derive(text: str, wrt: str | None = None) -> Derivation:
    """Derive an activation name (parameters stay symbolic: α, β) or a formula."""
    name = text.strip()
    entry = lookup(name)
    if entry is not None and not entry.elementwise:
        if wrt is not None:
            raise InputError("--wrt", f"{name} is derived by each of its inputs z1, z2, z3; "
                                      f"--wrt does not apply to it")
        return _derive_softmax(entry)
    if entry is not None:
        bound = resolve(name, "EXPR", symbolic_params=True)
        variable = _registry_variable(entry, wrt)
        f, df = bound.expr(variable), bound.derivative(variable)
        points = derivative_agreement(f, df, variable, bound._domains())
        # The output form is derived in a; it takes another letter when a is the variable.
        output, form = _output_symbol(f), bound._output_form
        if form.expr is not None and output != OUTPUT:
            form = OutputForm(form.expr.xreplace({OUTPUT: output}), form.check, form.note)
        return _derivation(name, variable, f, df, output, form, points)
    f, variable = _parse_derive_formula(text, wrt)
    df = teacher_derivative(f, variable)
    output = _output_symbol(f)
    # A user's formula can make inversion, proofs or mpmath slow: all of that is bounded.
    checked = run_bounded(_check_formula, (f, df, variable, output), FORMULA_SECONDS)
    if checked is None:
        return _derivation(name, variable, f, df, output,
                           OutputForm(None, "", f"no result within {FORMULA_SECONDS:g} s"),
                           f"not checked (no result within {FORMULA_SECONDS:g} s)")
    form, points = checked
    return _derivation(name, variable, f, df, output, form, points)


def _check_formula(f, df, variable, output) -> tuple[OutputForm, int | None]:
    return output_form(f, df, variable, output, {}), derivative_agreement(f, df, variable)


def _derivation(name, variable, f, df, output, form: OutputForm, points) -> Derivation:
    """``points``: the finite-difference agreement (a count, None on a miss, or a note)."""
    note = points if isinstance(points, str) else _finite_difference_note(points)
    checks = [("f'", "sympy.diff; " + note)]
    in_output = f"f' in terms of {output}"
    if form.expr is None:
        checks.append((in_output, f"none ({form.note})"))
    elif form.check == "symbolic":
        checks.append((in_output, "proved symbolically"))
    else:
        checks.append((in_output, f"checked numerically: {form.check}"))
    verified = isinstance(points, int) and points > 0
    return Derivation(name, variable, f, df, form.expr, output, checks, verified)


def _derive_softmax(entry: Activation) -> Derivation:
    """softmax over three neurons: the Jacobian ∂a_j/∂z_k, and in terms of the outputs a_j.

    e^{z_k} = a_k·S with S = Σ e^{z_k}; every entry then cancels S (a_j(1 − a_j), −a_j a_k).
    """
    zs = [symbol(f"z{k}") for k in (1, 2, 3)]
    outs = [symbol(f"a{k}") for k in (1, 2, 3)]
    bound = entry.bind({})
    f = sp.Matrix([bound.layer_expr(zs, j) for j in range(3)])
    jacobian = f.jacobian(zs)
    total, s = sp.Add(*[sp.exp(zk) for zk in zs]), sp.Dummy("S", positive=True)
    to_outputs = {sp.exp(zk): ak * s for zk, ak in zip(zs, outs)}
    in_outputs = jacobian.applyfunc(
        lambda e: _teacher_entry(sp.cancel(e.xreplace({total: s}).subs(to_outputs)), outs))
    back = in_outputs.xreplace(dict(zip(outs, f)))
    proved = all(sp.cancel(x - y) == 0 for x, y in zip(back, jacobian))
    agreements = [derivative_agreement(f[j], jacobian[j, k], zs[k])
                  for j in range(3) for k in range(3)]
    points = None if None in agreements else min(agreements)
    checks = [("f'", "sympy.diff (Jacobian over three neurons); every entry "
                     + _finite_difference_note(points)),
              ("f' in terms of a", "proved symbolically" if proved else "none (the rewrite FAILED)")]
    shown = jacobian.applyfunc(sp.factor)  # e^{z1}(e^{z2} + e^{z3})/S², as a teacher writes it
    return Derivation(entry.name, zs[0], f, shown, in_outputs if proved else None,
                      outs[0], checks, verified=bool(points) and proved)


def _finite_difference_note(points: int | None) -> str:
    if points is None:
        return "DIFFERS from mpmath finite differences"
    if points == 0:
        return "not checked (f is not real and finite at any sample point)"
    return f"matches mpmath finite differences at {points} points"


def _teacher_entry(e: sp.Expr, outs) -> sp.Expr:
    for a in outs:
        if e.has(a) and e.is_polynomial(a) and sp.degree(e, a) >= 2:
            return teacher_form(e, a)
    return e


def _parse_derive_formula(text: str, wrt: str | None) -> tuple[sp.Expr, sp.Symbol]:
    name = text.strip()
    if name.isidentifier() and wrt is None and len(name) > 1:
        raise InputError("EXPR", _unknown(name))
    f = parse_formula(text, "EXPR")
    free = sorted(f.free_symbols, key=str)
    if wrt is not None:
        variable = _variable_symbol(wrt)
        if variable not in free:
            raise InputError("--wrt", f"{wrt!r} does not occur in {name!r}")
        return f, variable
    for preferred in ("z", "x"):
        if symbol(preferred) in free:
            return f, symbol(preferred)
    if len(free) == 1:
        return f, free[0]
    if not free:
        raise InputError("EXPR", f"{name!r} has no variable to differentiate by")
    raise InputError("EXPR", f"several variables ({', '.join(map(str, free))}); name one with --wrt")


def _registry_variable(entry: Activation, wrt: str | None) -> sp.Symbol:
    """The input variable of a registry activation: z, or the one --wrt names, which may
    not be one of its parameters (f is a function of its input, the parameters fixed)."""
    if wrt is None:
        return Z
    variable = _variable_symbol(wrt)
    for p in entry.parameters:
        if wrt in (p.name, p.symbol().name):
            raise InputError("--wrt", f"{wrt!r} is a parameter of {entry.name}, not its input; "
                                      f"name the input (e.g. --wrt x), or write {entry.name} "
                                      f"as a formula to differentiate by {wrt}")
    return variable


def _variable_symbol(wrt: str) -> sp.Symbol:
    if not wrt.isidentifier() or not wrt.isascii():
        raise InputError("--wrt", f"{wrt!r} is not a variable name")
    return symbol(wrt)


def _output_symbol(f) -> sp.Symbol:
    """a, unless the formula already uses a (then the first free of y, u, s)."""
    taken = {str(s) for s in getattr(f, "free_symbols", set())}
    return symbol(next(n for n in ("a", "y", "u", "s", "a_out") if n not in taken))
