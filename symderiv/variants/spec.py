"""``[problem.vary]`` (contract §5.7): which givens each student's variant draws, and from
what, validated at load like the rest of the spec.

In a backprop problem a key names a parameter (``w5``), ``inputs.<name>``,
``targets.<name>`` or ``learning_rate``; in a graph problem an entry of ``values``
(``values.x`` or the bare ``x``). Its value is a grid ``{ low, high, step }`` (low,
low + step, … up to high) or ``{ choices = [...] }``. Either TOML spelling works:
``"inputs.i1" = {…}`` or ``inputs.i1 = {…}`` (a nested table). Values are exact, like
every number of a spec.
"""

import dataclasses
import difflib
import math

import sympy as sp

from symderiv.records import dataclass

MAX_GRID = 10**9   # points on one grid: more would not be a grid a course means
VARYING_KINDS = ("backprop", "graph")
GROUPS = {"backprop": ("inputs", "targets"), "graph": ("values",)}  # prefixes of keys


@dataclass(frozen=True)
class Grid:
    low: sp.Expr
    step: sp.Expr
    count: int                       # points: low, low + step, …, low + (count − 1)·step

    def value(self, index: int) -> sp.Expr:
        return self.low + index * self.step

    def bounds(self) -> tuple[sp.Expr, sp.Expr]:
        return self.low, self.value(self.count - 1)


@dataclass(frozen=True)
class Choices:
    values: tuple[sp.Expr, ...]

    @property
    def count(self) -> int:
        return len(self.values)

    def value(self, index: int) -> sp.Expr:
        return self.values[index]

    def bounds(self) -> tuple[sp.Expr, sp.Expr]:
        return min(self.values), max(self.values)


@dataclass(frozen=True)
class Vary:
    """One drawn given: ``key`` as the spec writes it, ``path`` for errors."""

    key: str
    path: str
    domain: Grid | Choices


def read_vary(reader, t, problem):
    """``problem`` with its ``[problem.vary]`` entries (none: unchanged)."""
    if not t.has("vary"):
        return problem
    table = t.table("vary")
    if problem.kind not in VARYING_KINDS:
        kinds = " and ".join(f'kind = "{k}"' for k in VARYING_KINDS)
        raise reader.error(table.path, f"variants draw the givens of {kinds} problems; "
                           f"this problem is kind = \"{problem.kind}\"")
    groups = GROUPS[problem.kind]
    entries = []
    for key, raw in table.value.items():
        if key in groups and isinstance(raw, dict) and not _is_domain(raw):
            entries += [(f"{key}.{name}", inner) for name, inner in raw.items()]
        else:
            entries.append((key, raw))
        table.allowed.append(key)
    if not entries:
        raise reader.error(table.path, "nothing to vary (an empty table)")
    known = _variable(problem)
    vary = []
    for key, raw in entries:
        path = f"{table.path}.{key}"
        twice = [v.key for v in vary if given_name(v.key) == given_name(key)]
        if twice:
            raise reader.error(path, "is given twice" + ("" if twice[0] == key
                                                         else f" (also as '{twice[0]}')"))
        if key not in known:
            raise reader.error(path, f"unknown name '{key}'{_near(key, known)}; names here: "
                               f"{_listing(problem, known)}")
        domain = _domain(reader, raw, path)
        _check_values(reader, problem, key, domain, path)
        vary.append(Vary(key, path, domain))
    return dataclasses.replace(problem, vary=tuple(vary))


def _is_domain(raw: dict) -> bool:
    return any(k in raw for k in ("low", "high", "step", "choices"))


def given_name(key: str) -> str:
    """The given a key draws: a graph's variable ``x`` for ``values.x``; else the key."""
    return key.removeprefix("values.")


def _variable(problem) -> list[str]:
    """Every name a variant may draw, in the spec's order."""
    if problem.kind == "graph":
        return [*problem.values, *(f"values.{n}" for n in problem.values)]
    names = list(problem.network.parameters())
    if len(problem.examples) == 1:
        example = problem.examples[0]
        names += [f"inputs.{n}" for n in example.inputs]
        names += [f"targets.{n}" for n in example.targets]
    if problem.training is not None:
        names.append("learning_rate")
    return names


def _listing(problem, known) -> str:
    if problem.kind == "graph":   # each variable once; values.<name> says the other spelling
        return f"{', '.join(problem.values)} (or values.<name>)"
    return ", ".join(known)


def _near(key: str, known) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _domain(reader, raw, path: str) -> Grid | Choices:
    from symderiv.spec import _Table

    t = _Table(reader, raw, path)
    if t.has("choices"):
        if any(k in t.value for k in ("low", "high", "step")):
            raise reader.error(path, "give either 'choices' or 'low', 'high', 'step', not both")
        raw_choices = t.get("choices", "array")
        t.done()
        if not raw_choices:
            raise reader.error(t.at("choices"), "no choices (an empty array)")
        values = []
        for i, v in enumerate(raw_choices, start=1):
            value = reader.number(v, f"{t.at('choices')}[{i}]")
            if value in values:
                raise reader.error(f"{t.at('choices')}[{i}]", f"{v!r} is listed twice")
            values.append(value)
        return Choices(tuple(values))
    low = reader.number(t.get("low"), t.at("low"))
    high = reader.number(t.get("high"), t.at("high"))
    step = reader.number(t.get("step"), t.at("step"))
    t.done()
    if not step > 0:
        raise reader.error(t.at("step"), f"must be positive, got {step}")
    if low > high:
        raise reader.error(path, f"low ({t.value['low']}) is above high ({t.value['high']})")
    points = math.floor((high - low) / step) + 1
    if points > MAX_GRID:
        raise reader.error(t.at("step"), f"the grid has {points:,} points; at most "
                           f"{MAX_GRID:,} (use a larger step)")
    return Grid(low, step, int(points))


def _check_values(reader, problem, key: str, domain, path: str) -> None:
    """Every value the domain holds must be one the spec would accept there."""
    low, high = domain.bounds()
    if key == "learning_rate" and not low > 0:
        raise reader.error(path, f"a learning rate must be positive; {low} is drawn here")
    if key.startswith("targets.") and problem.training is not None \
            and problem.training.loss in ("bce", "ce") and not (0 <= low and high <= 1):
        raise reader.error(path, f'loss "{problem.training.loss}" needs targets in [0, 1]; '
                           f"{low if low < 0 else high} is drawn here")
