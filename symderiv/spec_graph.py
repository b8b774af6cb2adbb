"""``kind = "graph"`` specs (contract §5.2): a ``formula`` or named ``stages``, the
``values`` of its variables, and optionally ``wrt``.

Formulas are read by :func:`symderiv.calculus.expr.parse_written` (the safe parser,
keeping the operations as written). A stage may use the variables and the stages before
it; a stage that uses a later one (or itself) is refused, naming the cycle if there is one.
"""

from typing import ClassVar

from symderiv.records import dataclass
from symderiv.calculus.expr import Written, function_of, parse_written
from symderiv.errors import InputError
from symderiv.spec import Problem, _Table

OUTPUT_NAMES = ("f", "out", "output")  # the output of a bare formula: the first one free
MAX_STAGES = 200


@dataclass(frozen=True)
class GraphProblem(Problem):
    stages: tuple[tuple[str, Written], ...] = ()    # (name, formula) in order; last: output
    values: dict = None                              # variable -> exact number
    wrt: tuple[str, ...] = ()
    staged: bool = False                             # the spec named its stages
    kind: ClassVar[str] = "graph"


def read_graph(reader, t, position: int, pid: str, statement) -> GraphProblem:
    values = _values(reader, t)
    if t.has("formula") == t.has("stages"):
        raise reader.error(t.path, "give either 'formula' or 'stages' (one of them)")
    if t.has("formula"):
        text = t.get("formula", "string")
        output = next((n for n in OUTPUT_NAMES if n not in values), None)
        stages = [(output, _parse(reader, text, t.at("formula"), set(values)))]
    else:
        stages = _stages(reader, t, values)
    used = set().union(*(_symbols(w) for _, w in stages))
    for name in values:
        if name not in used:
            raise reader.error(t.at(f"values.{name}"),
                               f"'{name}' is not used by the {'stages' if len(stages) > 1 else 'formula'}")
    wrt = _wrt(reader, t, values)
    return GraphProblem(position, pid, statement, stages=tuple(stages), values=values,
                        wrt=wrt, staged=t.has("stages"))


def _values(reader, t) -> dict:
    table = t.table("values")
    values = {}
    for name, raw in table.value.items():
        path = table.at(name)
        reader.name(name, path, "a variable name")
        if function_of(name) is not None or name in ("pi", "E", "diff"):
            raise reader.error(path, f"'{name}' is the name of a function or constant")
        values[name] = reader.number(raw, path)
    if not values:
        raise reader.error(table.path, "no variables: give each variable's value")
    return values


def _stages(reader, t, values) -> list[tuple[str, Written]]:
    raw = t.get("stages", "array")
    path = t.at("stages")
    if not raw:
        raise reader.error(path, "no stages")
    if len(raw) > MAX_STAGES:
        raise reader.error(path, f"{len(raw)} stages; at most {MAX_STAGES}")
    tables = []
    for i, item in enumerate(raw, start=1):
        table = _Table(reader, item, f"{path}[{i}]")
        name = reader.name(table.get("name", "string"), table.at("name"), "a stage name")
        if name in values:
            raise reader.error(table.at("name"), f"'{name}' is already a variable")
        earlier = [k for k, (n, _, _) in enumerate(tables, start=1) if n == name]
        if earlier:
            raise reader.error(table.at("name"), f"'{name}' is already stage {earlier[0]}")
        if function_of(name) is not None or name in ("pi", "E", "diff"):
            raise reader.error(table.at("name"), f"'{name}' is the name of a function or constant")
        tables.append((name, table.get("formula", "string"), table))
    names = set(values) | {n for n, _, _ in tables}
    stages = []
    for name, text, table in tables:
        stages.append((name, _parse(reader, text, table.at("formula"), names)))
        table.done()
    _check_order(reader, stages, [table for _, _, table in tables])
    return stages


def _check_order(reader, stages, tables) -> None:
    """Each stage uses only the variables and the stages before it."""
    position = {name: k for k, (name, _) in enumerate(stages)}
    uses = {name: _symbols(w) & set(position) for name, w in stages}
    for k, (name, _) in enumerate(stages):
        later = sorted((u for u in uses[name] if position[u] >= k), key=position.get)
        if not later:
            continue
        where = tables[k].at("formula")
        cycle = _cycle(name, uses)
        if cycle:
            raise reader.error(where, f"the stages form a cycle: {' → '.join(cycle)}")
        raise reader.error(where, f"'{name}' uses '{later[0]}', which is defined later "
                           f"(stage {position[later[0]] + 1}); a stage may use only the "
                           "variables and the stages before it")


def _cycle(start: str, uses: dict) -> list[str] | None:
    """A path start → … → start through ``uses``, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(uses[node]):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def _wrt(reader, t, values) -> tuple[str, ...]:
    raw = t.get("wrt", default=None)
    if raw is None:
        return tuple(values)
    path = t.at("wrt")
    if not isinstance(raw, list) or not raw:
        raise reader.error(path, "expected a non-empty array of variable names")
    return reader.names_from(raw, path, values, "variable")


def _parse(reader, text: str, path: str, names: set) -> Written:
    try:
        return parse_written(text, path, variables=names)
    except InputError as e:
        raise reader.relocate(e, path) from None


def _symbols(w: Written) -> set[str]:
    """The names a formula uses, as written (x - x uses x)."""
    found, todo = set(), [w]
    while todo:
        node = todo.pop()
        if node.op == "symbol":
            found.add(node.expr.name)
        todo.extend(node.operands)
    return found
