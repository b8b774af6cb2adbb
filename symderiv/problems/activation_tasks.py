"""``kind = "activations"`` with ``functions`` and ``tasks`` (contract §5.3): any activation.

Each function gets one :class:`FunctionReport`: f′ (checked against mpmath finite
differences), f′ in terms of a = f(z) (proved, or why none exists), and two analyses
over ℝ (:mod:`symderiv.calculus.extrema`): of f′ (its sup and inf and where they are
reached, its limits at ±∞ (saturation), where it is exactly 0 (dead region)) and of f
(where it falls, its minimum). The depth bound of ``vanishing`` is (max |f′|)^L.

The spec's reader for the new keys is here too (:func:`read`, named in
:mod:`symderiv.kinds`); the seed's ``parts`` are read by :mod:`symderiv.spec`.
"""

import dataclasses
from dataclasses import dataclass

import sympy as sp

from symderiv.calculus.activations import OUTPUT, Z, BoundActivation
from symderiv.calculus.extrema import Analysis, Extreme, analyse, check_real, split
from symderiv.calculus.numeric import as_float
from symderiv.calculus.outputform import derivative_agreement, form_text
from symderiv.errors import InputError

TASKS = ("derivative", "output-form", "plot", "derivative-bounds", "monotonicity",
         "vanishing", "saturation", "dead-region")
DEFAULT_TASKS = ("derivative", "output-form", "derivative-bounds", "monotonicity",
                 "vanishing")
DEPTHS = tuple(range(1, 11))    # the layers L of the depth bound max|f′|^L
MAX_FUNCTIONS = 8


@dataclass(frozen=True)
class FunctionSpec:
    key: str                    # the JSON key and the sheet's name: registry name or label
    activation: BoundActivation
    label: str | None           # a user's label (a formula's name on the sheet)


@dataclass(frozen=True)
class FunctionReport:
    key: str
    label: str | None
    activation: BoundActivation
    f: sp.Expr
    derivative: sp.Expr
    agreeing_points: int | None      # finite-difference checks passed (None: a miss)
    in_output: sp.Expr | None        # f′ in terms of a
    output_check: str                # "symbolic", "numeric (…)", or "" when none
    no_output_form: str | None       # why there is none ("not injective", …)
    slope: Analysis                  # of f′
    shape: Analysis                  # of f
    depth: tuple[tuple[int, sp.Expr], ...] | None   # (L, max|f′|^L); None when unbounded

    @property
    def verified(self) -> bool:
        derivative_ok = bool(self.agreeing_points)
        return derivative_ok and (self.in_output is None or bool(self.output_check))

    @property
    def dead(self) -> tuple:
        """The intervals (lo, hi) where f′ is exactly 0."""
        return tuple((lo, hi) for lo, hi, value in self.slope.constant if value == 0)

    def to_json(self) -> dict:
        return {
            "derivative": str(self.derivative),
            "derivative_in_output": form_text(self.in_output),
            "verified": self.verified,
            "derivative_max": _extreme_json(self.slope.sup),
            "derivative_min": _extreme_json(self.slope.inf),
            "derivative_sup": _bound_json(self.slope.sup),
            "derivative_inf": _bound_json(self.slope.inf),
            "minimum": _extreme_json(self.shape.inf),
            "decreasing": [[_end_json(lo), _end_json(hi)] for lo, hi in self.shape.falling],
            "vanishing": None if self.depth is None else [_float(v) for _, v in self.depth],
            "saturation": {"minus_infinity": _limit_json(self.slope.limits[0]),
                           "plus_infinity": _limit_json(self.slope.limits[1])},
            "dead_region": [[_end_json(lo), _end_json(hi)] for lo, hi in self.dead],
        }


def report(spec: FunctionSpec) -> FunctionReport:
    act = spec.activation
    f, df = act.expr(Z), act.derivative(Z)
    split(f, Z), split(df, Z)   # a condition that is no threshold in z is refused first
    check_real(f, Z)
    check_real(df, Z)
    slope, shape = analyse(df, Z), analyse(f, Z)
    form = act.derivative_in_output(OUTPUT)
    why = None
    if form is None:
        why = ("not injective" if shape.falling else act._output_form.note) or "none found"
    steep = max(abs(slope.sup.value), abs(slope.inf.value), key=float)
    depth = (tuple((L, steep ** L) for L in DEPTHS) if steep.is_finite is not False
             else None)
    return FunctionReport(spec.key, spec.label, act, f, df,
                          derivative_agreement(f, df, Z, act._domains()),
                          form, act.output_form_check if form is not None else "", why,
                          slope, shape, depth)


# -- JSON ------------------------------------------------------------------------------------

def _float(value) -> float | str:
    """A JSON number; ±∞ as "+inf"/"-inf" (JSON has no infinity)."""
    value = sp.sympify(value)
    if value in (sp.oo, -sp.oo):
        return "+inf" if value == sp.oo else "-inf"
    return as_float(value)


def _limit_json(value):
    return None if value is None else _float(value)


def _end_json(x):
    if x is None or x in (sp.oo, -sp.oo):
        return None
    return _float(getattr(x, "value", x))


def _extreme_json(e: Extreme) -> dict | None:
    """{value, at} where reached; null where only approached (softplus′ → 1)."""
    if not e.attained:
        return None
    at = e.first_point()
    return {"value": _float(e.value),
            "at": [_end_json(a) for a in at] if isinstance(at, list) else _float(at),
            "exact": str(e.value) if e.exact else None,
            "method": e.method}


def _bound_json(e: Extreme) -> dict:
    return {"value": _float(e.value), "exact": str(e.value) if e.exact else None,
            "attained": e.attained,
            "approached_as_z_to": [_end_json(a) if a not in (sp.oo, -sp.oo)
                                   else ("+inf" if a == sp.oo else "-inf")
                                   for a in e.approached]}


# -- the spec ------------------------------------------------------------------------------------

def read(reader, t, position: int, pid: str, statement):
    """``kind = "activations"``: the seed's parts (symderiv.spec) and ``functions``/``tasks``."""
    functions = read_functions(reader, t)
    tasks = read_tasks(reader, t, bool(functions))
    problem = reader.activations(t, position, pid, statement, parts_optional=bool(functions))
    return dataclasses.replace(problem, functions=functions, tasks=tasks)


def read_functions(reader, t) -> tuple[FunctionSpec, ...]:
    raw = t.get("functions", "array", [])
    out: list[FunctionSpec] = []
    if len(raw) > MAX_FUNCTIONS:
        raise reader.error(t.at("functions"), f"at most {MAX_FUNCTIONS} functions, got {len(raw)}")
    for i, item in enumerate(raw, start=1):
        where = f"{t.at('functions')}[{i}]"
        spec = _function(reader, item, where)
        if any(s.key == spec.key for s in out):
            raise reader.error(where, f"'{spec.key}' is listed twice; give one a label "
                               f"(e.g. {{ label = \"{spec.key}2\", ... }})")
        out.append(spec)
    return tuple(out)


def _function(reader, item, where: str) -> FunctionSpec:
    if isinstance(item, dict) and "formula" in item:
        extra = set(item) - {"label", "formula"}
        if extra:
            raise reader.error(f"{where}.{sorted(extra)[0]}", "a formula entry takes label "
                               "and formula only")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise reader.error(f"{where}.label", "a formula needs a label (a non-empty string)")
        formula = item["formula"]
        if not isinstance(formula, str):
            raise reader.error(f"{where}.formula", "expected a formula in z (a string)")
        act = _formula(reader, formula, f"{where}.formula")
        return FunctionSpec(label.strip(), dataclasses.replace(act, name=label.strip()),
                            label.strip())
    label = None
    if isinstance(item, dict) and "label" in item:
        label = item["label"]
        if not isinstance(label, str) or not label.strip():
            raise reader.error(f"{where}.label", "expected a non-empty string")
        label = label.strip()
        item = {k: v for k, v in item.items() if k != "label"}
    if isinstance(item, str) and not _is_registry_name(item):
        act = _formula(reader, item, where)
        return FunctionSpec(label or item.strip(), act, label)
    act = reader.activation(item, where)
    if not act.elementwise:
        raise reader.error(where, f"{act.name} is not a function of one z (it acts on a "
                           f"whole layer)")
    return FunctionSpec(label or act.name, act, label)


def _is_registry_name(text: str) -> bool:
    from symderiv.calculus.activations import lookup
    return lookup(text.strip()) is not None


def _formula(reader, text: str, where: str) -> BoundActivation:
    act = reader.activation(text, where)
    if Z not in act.expr(Z).free_symbols:
        raise reader.error(where, f"'{text}' is not a function of z")
    return act


def read_tasks(reader, t, general: bool) -> tuple[str, ...]:
    raw = t.get("tasks", "array", list(DEFAULT_TASKS) if general else [])
    if raw and not general:
        raise reader.error(t.at("tasks"), "tasks apply to functions: add "
                           "functions = [\"sigmoid\", ...]")
    out = []
    for i, task in enumerate(raw, start=1):
        where = f"{t.at('tasks')}[{i}]"
        if task not in TASKS:
            shown = task if isinstance(task, str) else type(task).__name__
            raise reader.error(where, f"unknown task '{shown}'; tasks: {', '.join(TASKS)}")
        if task in out:
            raise reader.error(where, f"'{task}' is listed twice")
        out.append(task)
    return tuple(out)


def solve_functions(problem) -> tuple[FunctionReport, ...]:
    """Every function of the spec, reported (all analyses: the JSON holds them all)."""
    out = []
    for i, spec in enumerate(getattr(problem, "functions", ()), start=1):
        try:
            out.append(report(spec))
        except ValueError as e:   # not real on ℝ, or a condition that is no threshold in z
            raise InputError(f"problem {problem.id}: functions[{i}] ({spec.key})",
                             str(e)) from None
    return tuple(out)
