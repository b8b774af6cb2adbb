"""The circuit of a ``graph`` problem as plain data for ``latex/figures/circuit.tex.j2``:
inputs on the left, gates in columns by depth, each wire with its value above and the
gradient it carries back below (CS231n's drawings).

Gates sit in the column after their deepest operand; within a column they are ordered by
the mean height of their operands and kept ROW_GAP apart, so a chain of unary gates runs
straight and a tree opens out towards the inputs. A wire that skips columns bends through
one waypoint in each column it crosses, placed there like a gate (a layered drawing's dummy
node), so that it never runs through a gate it does not feed.
"""

import math

from symderiv.records import dataclass
from symderiv.nets.circuit import name_symbol
from symderiv.calculus.latex import TeX, latex
from symderiv.render.escape import escape_tex

WIDTH = 14.5       # cm from the inputs to the end of the output wire, at most
HEIGHT = 14.0      # cm from the lowest node to the highest gate's name, at most: the
                   # figure (an unbreakable box) shares a page with its caption and heading
COLUMN_GAP = 2.6   # cm between columns when they fit
MIN_COLUMN_GAP = 1.1   # cm: a 7 mm gate and an arrow between neighbours; a longer circuit
                       # keeps this gap and the whole drawing is scaled down to fit
NODE_RADIUS = 0.35     # cm: half of the 7 mm a node is drawn across
NAME_HEIGHT = 0.4      # cm: a gate's name above it
ROW_GAP = 1.8      # cm between nodes of a column
OUTPUT_WIRE = 0.8  # the output wire, in column gaps
MAX_DRAWN = 40     # gates beyond which a circuit is not drawn (the table still lists them)
# Beyond this many gates the columns crowd and the wires grow too short and too many for
# their numbers to stay legible: the circuit is drawn bare and the tables carry the values.
MAX_LABELLED = 20

# How a gate is drawn: its operation's sign; a constant operand joins the sign (+1, ×2).
_SIGNS = {"add": "+", "mul": r"\times", "neg": "-", "recip": "1/x", "exp": r"\exp",
          "log": r"\log", "max": r"\max", "min": r"\min", "sigmoid": r"\sigma",
          "pow": r"x^{y}", "sqrt": r"\sqrt{x}", "abs": "|x|"}


@dataclass(frozen=True)
class CircuitNode:
    id: str            # TikZ name, made here
    x: float
    y: float
    label: TeX         # inside the node: the gate's sign, or an input's name
    name: TeX          # a gate's name, beside it (matches the table)
    role: str          # "input" or "gate"


@dataclass(frozen=True)
class CircuitWire:
    source: str        # node ids
    target: str
    value: object      # Number: above the wire
    gradient: object   # Number: below the wire
    bends: tuple[tuple[float, float], ...] = ()   # waypoints, one per column skipped
    labelled_stretch: int = 0    # which stretch (0: the one leaving the source) has the
                                 # numbers: the flattest, where they lie level and apart


@dataclass(frozen=True)
class Circuit:
    nodes: tuple[CircuitNode, ...]
    wires: tuple[CircuitWire, ...]
    output: CircuitWire          # its target is the point (end_x, end_y)
    end_x: float
    end_y: float
    label: TeX                   # the output's name, at the end of its wire
    labelled: bool               # values and gradients on the wires (a small circuit)
    scale: float = 1.0           # of the whole drawing, nodes and text too: it fits the
                                 # text width and HEIGHT (1 when it does as laid out)


def circuit_figures(solution, precision) -> dict:
    if sum(1 for g in solution.gates if g.op != "input") > MAX_DRAWN:
        return {}
    return {"circuit": circuit(solution)}


def circuit(solution) -> Circuit:
    gates = solution.gates
    column = {}
    for g in gates:
        column[g.name] = 0 if g.op == "input" else 1 + max(column[s] for s in _sources(g))
    # wire k of gate g crosses these columns between its source and g
    skipped = {(g.name, k): range(column[w.source] + 1, column[g.name])
               for g in gates for k, w in enumerate(g.wires)}

    def arriving(name, k, source, c):
        # the height wire k of gate ``name`` has on leaving column c - 1
        return y[name, k, c - 1] if c - 1 in skipped[name, k] else y[source]

    desired = _leaf_order(solution)
    y = {}
    columns = max(column.values())
    for c in range(columns + 1):
        # gates first: a waypoint wanting a gate's height yields it (passes beside it)
        members, waypoints = [], []
        for g in gates:
            for k, w in enumerate(g.wires):
                if c in skipped[g.name, k]:
                    desired[g.name, k, c] = arriving(g.name, k, w.source, c)
                    waypoints.append((g.name, k, c))
            if column[g.name] == c:
                if g.op != "input":
                    desired[g.name] = sum(arriving(g.name, k, w.source, c)
                                          for k, w in enumerate(g.wires)) / len(g.wires)
                members.append(g.name)
        y.update(_spread(members + waypoints, desired))
    gap = max(MIN_COLUMN_GAP, min(COLUMN_GAP, WIDTH / (columns + OUTPUT_WIRE)))
    ids = {g.name: f"c{k}" for k, g in enumerate(gates)}
    nodes = tuple(CircuitNode(ids[g.name], column[g.name] * gap, y[g.name], _label(g),
                              latex(name_symbol(g.name)), "input" if g.op == "input" else "gate")
                  for g in gates)
    wires = []
    for g in gates:
        for k, w in enumerate(g.wires):
            bends = tuple((c * gap, y[g.name, k, c]) for c in skipped[g.name, k])
            heights = [y[w.source], *(b for _, b in bends), y[g.name]]
            flattest = min(range(len(heights) - 1),
                           key=lambda i: (abs(heights[i + 1] - heights[i]), -i))
            wires.append(CircuitWire(ids[w.source], ids[g.name], solution.gate(w.source).value,
                                     w.gradient, bends, flattest))
    wires = tuple(wires)
    out = solution.gate(solution.output)
    end_x = (columns + OUTPUT_WIRE) * gap
    labelled = sum(1 for g in gates if g.op != "input") <= MAX_LABELLED
    heights = [n.y for n in nodes]
    tall = max(heights) - min(heights) + 2 * NODE_RADIUS + NAME_HEIGHT
    scale = min(1.0, WIDTH / (end_x + NODE_RADIUS), HEIGHT / tall)
    return Circuit(nodes, wires, CircuitWire(ids[out.name], "", out.value, out.gradient),
                   end_x, y[out.name], latex(name_symbol(out.name)), labelled,
                   math.floor(scale * 1000) / 1000)


def _sources(g) -> list[str]:
    return [w.source for w in g.wires]


def _leaf_order(solution) -> dict[str, float]:
    """Inputs top to bottom in the order the output's formula meets them (operands in the
    order written), each ROW_GAP below the last."""
    order, stack, seen = [], [solution.output], set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        g = solution.gate(name)
        if g.op == "input":
            order.append(name)
        stack.extend(reversed(_sources(g)))
    return {n: -k * ROW_GAP for k, n in enumerate(order)}


def _spread(names, desired) -> dict:
    """Heights near ``desired``, in its order, centred as wanted: gates at least ROW_GAP
    apart, a wire's waypoint (a tuple) 3/4 of that from a gate (a wire leaving it steeply
    still clears the gate) and half of it from another waypoint."""
    if not names:
        return {}
    ranked = sorted(names, key=lambda n: -desired[n])
    placed = []
    for i, n in enumerate(ranked):
        want = desired[n]
        gates = i and isinstance(n, str) + isinstance(ranked[i - 1], str)
        gap = (ROW_GAP / 2, ROW_GAP * 3 / 4, ROW_GAP)[gates]
        placed.append(min(want, placed[-1] - gap) if placed else want)
    shift = (sum(desired[n] for n in ranked) - sum(placed)) / len(placed)
    return {n: p + shift for n, p in zip(ranked, placed)}


def _label(g) -> TeX:
    if g.op == "input":
        return latex(name_symbol(g.name))
    sign = _SIGNS.get(g.op, rf"\text{{{escape_tex(g.op)}}}")
    constants = [o for o in g.operands if not isinstance(o, str)]
    if g.op == "pow" and constants:
        return TeX(rf"x^{{{latex(constants[0].exact)}}}")
    if g.op in ("add", "mul") and constants:
        value = constants[0].exact
        if g.op == "add" and value < 0:
            return TeX(latex(value))
        shown = latex(value)
        return TeX(f"{sign}{shown}" if value >= 0 or g.op == "add"
                   else rf"{sign}({shown})")
    return TeX(sign)
