"""The activation registry: name → SymPy expression, parameters, derivative, output form.

Every entry follows PyTorch's definition and default parameters. ``resolve`` turns what a
spec writes (a name, a table with a name and parameters, or a formula in z) into a
:class:`BoundActivation`; the derivative in terms of the output a = f(z) is derived by
:mod:`symderiv.calculus.outputform`, never typed in.
"""

import math
from dataclasses import field
from functools import cached_property, lru_cache
from typing import Callable, Mapping

import mpmath
import sympy as sp

from symderiv.records import dataclass
from symderiv.errors import InputError
from symderiv.calculus.expr import exact_number, from_sympy, parse_formula, symbol
from symderiv.calculus.functions import to_elementary
from symderiv.calculus.latex import TeX
from symderiv.calculus.registry import (Activation, Parameter, bind_parameters,  # noqa: F401
                                        formula_function, lookup, names)
from symderiv.calculus.outputform import (OutputForm, derivative_agreement, output_form,
                                 teacher_derivative, teacher_form)
from symderiv.calculus.verify import run_bounded

Z = symbol("z")
OUTPUT = symbol("a")
# Time bound on deriving the output form of a user's formula (inversion and proofs).
FORMULA_SECONDS = 10.0

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
        return _derivative_in_z(self._expr_z)

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


def bind(entry: Activation, params: Mapping[str, sp.Expr]) -> "BoundActivation":
    """A registry entry with its parameters fixed."""
    return BoundActivation(name=entry.name, params=dict(params), latex_name=entry.latex_name,
                           elementwise=entry.elementwise, _entry=entry)


def resolve(spec, where: str, symbolic_params: bool = False) -> BoundActivation:
    """A spec's activation: a name ("tanh"), a table ({"name": "leaky_relu", "alpha": 0.1})
    or a formula in z ("z*sigmoid(1.5*z)"); from Python code also a SymPy expression in z
    or a one-variable ``sp.Lambda``. Unspecified parameters take PyTorch's defaults, or
    become symbols (α, β) with ``symbolic_params``. Bad input: InputError."""
    if isinstance(spec, (sp.Expr, sp.Lambda)):
        return _sympy_activation(spec, where)
    if isinstance(spec, str):
        entry = lookup(spec.strip())
        if entry is not None:
            return bind(entry, bind_parameters(entry, {}, where, symbolic_params))
        return _formula_activation(spec, where)
    if isinstance(spec, Mapping):
        name = spec.get("name")
        if not isinstance(name, str):
            raise InputError(where, "an activation table needs a name, e.g. {name = \"leaky_relu\"}")
        entry = lookup(name.strip())
        if entry is None:
            raise InputError(f"{where}.name", _unknown(name))
        # Every value is SymPy before it is bound: a spec's number exact, a caller's SymPy
        # value bounded like text; an unknown parameter is named as such whatever its value.
        known = {p.name for p in entry.parameters}
        given = {k: _parameter_value(v, f"{where}.{k}") if k in known else v
                 for k, v in spec.items() if k != "name"}
        return bind(entry, bind_parameters(entry, given, where, symbolic_params))
    raise InputError(where, "an activation is a name, a table with a name, or a formula in z")


def _parameter_value(value, where: str) -> sp.Expr:
    return from_sympy(value, where) if isinstance(value, sp.Basic) else exact_number(value, where)


def _formula_activation(text: str, where: str) -> BoundActivation:
    if text.strip().isidentifier() and text.strip() != "z":
        raise InputError(where, _unknown(text))
    f = parse_formula(text, where, variables={"z"})
    return BoundActivation(name=text.strip(), params={}, latex_name=TeX("f"), _formula=f)


def _sympy_activation(spec, where: str) -> BoundActivation:
    """An expression in z (or in one other variable), or ``Lambda(x, body)``: its one
    variable becomes z."""
    if isinstance(spec, sp.Lambda):
        if len(spec.variables) != 1:
            raise InputError(where, f"an activation takes one variable; this Lambda takes "
                                    f"{len(spec.variables)}")
        variable = spec.variables[0].name
        f = from_sympy(spec.expr, where, variables={variable}).xreplace({symbol(variable): Z})
    else:
        f = from_sympy(spec, where)
        inputs = sorted(f.free_symbols - {Z}, key=str)
        if len(inputs) > 1 or (inputs and Z in f.free_symbols):
            raise InputError(where, f"'{inputs[-1]}' is not a variable here (an activation is "
                                    "an expression in z, or in one other variable)")
        f = f.xreplace({inputs[0]: Z}) if inputs else f   # the one variable is the input
    return BoundActivation(name=sp.sstr(f), params={}, latex_name=TeX("f"), _formula=f)


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
    return _derive_formula(name, f, variable)


def derive_sympy(expr, wrt: str | None = None) -> Derivation:
    """Derive a SymPy expression from Python code (bounded like a parsed formula), or a
    one-variable ``Lambda`` (by its variable)."""
    if isinstance(expr, sp.Lambda):
        if len(expr.variables) != 1:
            raise InputError("EXPR", f"expected a Lambda of one variable, got "
                                     f"{len(expr.variables)}")
        variable = expr.variables[0].name
        if wrt is not None and wrt != variable:
            raise InputError("--wrt", f"the Lambda's variable is {variable!r}, not {wrt!r}")
        expr, wrt = expr.expr, variable
    f = from_sympy(expr, "EXPR")
    return _derive_formula(sp.sstr(f), f, _derive_variable(f, sp.sstr(f), wrt))


@lru_cache(maxsize=256)
def _derivative_in_z(f: sp.Expr) -> sp.Expr:
    # each layer holds its own BoundActivation: a network of sigmoid layers derives σ′ once
    return teacher_derivative(f, Z)


def _derive_formula(name: str, f: sp.Expr, variable: sp.Symbol) -> Derivation:
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
        checks.append((in_output, f"none ({form.reason})"))
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
    bound = bind(entry, {})
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
    return f, _derive_variable(f, name, wrt)


def _derive_variable(f: sp.Expr, name: str, wrt: str | None) -> sp.Symbol:
    """The variable to differentiate by: ``wrt``, else z, x, or the only one."""
    free = sorted(f.free_symbols, key=str)
    if wrt is not None:
        variable = _variable_symbol(wrt)
        if variable not in free:
            raise InputError("--wrt", f"{wrt!r} does not occur in {name!r}")
        return variable
    for preferred in ("z", "x"):
        if symbol(preferred) in free:
            return symbol(preferred)
    if len(free) == 1:
        return free[0]
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
