"""Figure builders: plain data (coordinates in cm, labels as math-mode TeX) for templates.

Builders decide where things go; the figure templates (``latex/figures/*.tex.j2``) only
draw what they are given. Every label is printer output (:func:`symderiv.calculus.latex.latex`),
never user text glued into TeX; TikZ node names are made here (``n0``, ``b0``, …).
"""


import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import TeX, latex, layer_matrix
from symderiv.nets.graph import dense_matrix
from symderiv.render.escape import escape_tex

WIDTH = 14.0           # cm from the first column to the last, at most
COLUMN_GAP = 4.6       # cm between layers when they fit: room for "w_5 = 0.45" and nodes
ROW_GAP = 1.8          # cm between neurons of a layer, at most
COLUMN_HEIGHT = 7.2    # cm from a layer's first neuron to its last, at most: a wider
                       # layer packs its neurons closer (spaced by the layer's size)
FULL_LABELS = 4        # up to this many edges between two layers: "w_5 = 0.3" on each;
SIDE_BY_SIDE = 4       # columns of W up to which b is printed beside it
MAX_EDGE_LABELS = 12   # up to this many: names on the edges, "name = value" listed under
                       # the diagram. Beyond it (or where labels could not be kept apart)
                       # the layer's weights and biases are shown as matrices instead.


@dataclass(frozen=True)
class Node:
    id: str            # TikZ name, made here
    x: float
    y: float
    label: TeX
    role: str          # "input" or "neuron"


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    label: TeX | None  # None: the weight is in a matrix under the diagram
    pos: float         # where along the edge the label sits (0 source … 1 target)


@dataclass(frozen=True)
class BiasMark:
    id: str
    x: float
    y: float
    label: TeX
    targets: tuple[str, ...]   # node ids; a shared bias gets its own node and lines
    shared: bool


@dataclass(frozen=True)
class Caption:
    x: float
    y: float
    label: TeX


@dataclass(frozen=True)
class OutputArrow:
    source: str        # node id of an output neuron
    x: float           # where the arrow ends
    y: float
    label: TeX


@dataclass(frozen=True)
class Matrix:
    label: TeX         # W_{2}, b_{2}
    value: TeX         # a bmatrix from the printer


@dataclass(frozen=True)
class LayerMatrices:
    """The parameters of a layer with too many edges to label, as W (and b) matrices."""

    weights: Matrix
    bias: Matrix | None
    stacked: bool = False   # b under W, not beside it (W too wide to share the line)


@dataclass(frozen=True)
class NetworkDiagram:
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    biases: tuple[BiasMark, ...]
    activations: tuple[Caption, ...]   # one under each layer's column
    outputs: tuple[OutputArrow, ...]   # arrows leaving output neurons, with labels
    values: tuple[TeX, ...]            # "u_{11} = 0.1" for edges labelled by name only
    matrices: tuple[LayerMatrices, ...]  # layers with too many edges to label
    bundles: tuple[Caption, ...] = ()    # a dense layer's matrix name over its edges


def network_diagram(network, *, edge_labels: str = "both", precision: int = 4,
                    neuron_labels: dict | None = None,
                    output_labels: dict | None = None) -> NetworkDiagram:
    """The diagram of ``network`` (a :class:`symderiv.nets.network.Network`).

    ``edge_labels``: "both" (w_5 = 0.3), "name" (w_5), "value" (0.3) or "none".
    ``neuron_labels``: TeX to print in a neuron instead of its name (e.g. ``z \\mid a``).
    ``output_labels``: output neuron name -> TeX at the end of an arrow leaving it.
    A single neuron (seed figures 4 and 6) is a Network with one one-neuron layer.
    """
    if edge_labels not in ("both", "name", "value", "none"):
        raise ValueError(f"edge_labels: {edge_labels!r}")
    columns = [tuple(network.inputs)] + [tuple(layer.neurons) for layer in network.layers]
    gap = min(COLUMN_GAP, WIDTH / max(1, len(columns) - 1))
    ids, nodes = {}, []
    for l, column in enumerate(columns):
        for i, name in enumerate(column):
            ids[name] = f"n{len(ids)}"
            label = (neuron_labels or {}).get(name) or latex(symbol(name))
            nodes.append(Node(ids[name], l * gap, _row_y(i, len(column)), TeX(label),
                              "input" if l == 0 else "neuron"))

    arrows, values, matrices, unlabelled, bundles = [], [], [], set(), []
    top = max(n.y for n in nodes)
    for l in range(1, len(columns)):
        sources, targets = columns[l - 1], columns[l]
        edges = [e for e in network.weights.values() if e.target in targets]
        mode = _layer_mode(edge_labels, len(edges), len(sources), len(targets))
        if edge_labels != "none" and dense_matrix(network, l) is not None:
            # a dense layer's edges are one matrix: its name over the bundle, its values
            # under the diagram (labels on every edge would stack on one another)
            mode = "matrix"
            bundles.append(Caption((l - 0.5) * gap, top + 0.7, latex(layer_matrix("W", l, 1, 1))))
        if mode == "matrix":
            unlabelled.add(l)
            matrices.append(LayerMatrices(_weight_matrix(l, edges, sources, targets, precision),
                                          _bias_vector(l, network, targets, precision),
                                          len(sources) > SIDE_BY_SIDE))
        elif mode == "name" and edge_labels == "both":
            values.extend(_edge_label(e, "both", precision) for e in edges)
        for e in edges:
            label = None if mode in ("matrix", "none") else _edge_label(e, mode, precision)
            arrows.append(Arrow(ids[e.source], ids[e.target], label,
                                _label_pos(list(sources).index(e.source),
                                           list(targets).index(e.target),
                                           len(sources), len(targets))))

    biases = []
    for b in network.biases.values():
        layer = network.layer_of(b.targets[0])
        if layer in unlabelled:
            continue
        biases.append(_bias_mark(f"b{len(biases)}", b, [ids[t] for t in b.targets], nodes,
                                 gap, precision))

    # One baseline for the activation names, under every neuron and shared-bias node.
    floor = min([n.y for n in nodes] + [b.y for b in biases if b.shared]) - 0.9
    activations = tuple(Caption(l * gap, floor, _activation_label(layer.activation))
                        for l, layer in enumerate(network.layers, start=1))
    outputs = tuple(OutputArrow(ids[name], _node(nodes, ids[name]).x + 1.6,
                                _node(nodes, ids[name]).y, TeX(label))
                    for name, label in (output_labels or {}).items())
    return NetworkDiagram(tuple(nodes), tuple(arrows), tuple(biases), activations, outputs,
                          tuple(values), tuple(matrices), tuple(bundles))


def _row_y(i: int, n: int) -> float:
    gap = ROW_GAP if n < 2 else min(ROW_GAP, COLUMN_HEIGHT / (n - 1))
    return ((n - 1) / 2 - i) * gap


def _node(nodes, node_id) -> Node:
    return next(n for n in nodes if n.id == node_id)


def _edge_label(edge, mode: str, precision: int) -> TeX:
    name = latex(symbol(edge.name))
    value = latex(edge.value, decimals=precision)
    if mode == "name" or (mode == "both" and value == name):
        return name
    return value if mode == "value" else TeX(f"{name} = {value}")


def _layer_mode(edge_labels: str, edges: int, sources: int, targets: int) -> str:
    """How the edges between two layers are labelled: as asked, by name, or a matrix."""
    # With several sources and more than 3 targets, the labels of one source's edges
    # (which stack 1/(n+1.5) of a row apart) would run into the next source's.
    fits = edges <= MAX_EDGE_LABELS and (sources == 1 or targets <= 3)
    if not fits:
        return "matrix" if edge_labels != "none" else "none"
    if edges > FULL_LABELS and edge_labels == "both" and sources > 1 and targets > 1:
        return "name"
    return edge_labels


def _label_pos(source: int, target: int, sources: int, targets: int) -> float:
    """Where along its edge a weight's label sits (0 at the source, 1 at the target)."""
    if sources == 1 or targets == 1:
        return 0.5  # fan-out or fan-in: the edges are at least half a row apart midway
    if sources == 2 and targets == 2:
        # the seed's crossing: the level edges' labels midway; a falling edge's nearer its
        # source, a rising edge's nearer its target, so the two crossing labels lie apart
        # along the diagonals, neither on the crossing (midway) nor on a node
        return 0.5 + 0.23 * (source - target)
    # 1/(n+1.5) of the way from the source, n the number of targets: one source's labels
    # stack at least 0.4 cm apart, and the next source's start clearly below them.
    return 1 / (targets + 1.5)


def _weight_matrix(l, edges, sources, targets, precision) -> Matrix:
    by_pair = {(e.target, e.source): e.value for e in edges}
    rows = [[by_pair.get((t, s), sp.S.Zero) for s in sources] for t in targets]
    return Matrix(latex(layer_matrix("W", l, 1, 1)), latex(sp.Matrix(rows), decimals=precision))


def _bias_vector(l, network, targets, precision) -> Matrix | None:
    if not any(network.biases_of(t) for t in targets):
        return None
    values = [sum((b.value for b in network.biases_of(t)), sp.S.Zero) for t in targets]
    return Matrix(latex(layer_matrix("b", l, 1, 1)), latex(sp.Matrix(values), decimals=precision))


def _bias_mark(bias_id, bias, target_ids, nodes, gap, precision) -> BiasMark:
    label = TeX(f"{latex(symbol(bias.name))} = {latex(bias.value, decimals=precision)}")
    targets = [_node(nodes, t) for t in target_ids]
    if len(targets) == 1:
        # Just above its neuron: edges arrive at a neuron's side, so nothing crosses there.
        return BiasMark(bias_id, targets[0].x, targets[0].y + 0.65, label, tuple(target_ids),
                        False)
    # A shared bias is a node below its neurons, in the part of the gap near the target
    # column, where no weight label sits (those sit near the sources).
    x = targets[0].x - 0.4 * gap
    y = min(t.y for t in targets) - 1.2
    return BiasMark(bias_id, x, y, label, tuple(target_ids), True)


def _activation_label(activation) -> TeX:
    # A formula is written out: its name, f, would name two functions on two layers.
    if getattr(activation, "is_formula", False):
        return TeX(r"\displaystyle " + latex(activation.expr(symbol("z"))))  # not a script-size fraction
    # The registry's own LaTeX name when it has one (\sigma, \operatorname{ReLU}).
    name = getattr(activation, "latex_name", None)
    if isinstance(name, TeX):
        return name
    text = getattr(activation, "name", None) or str(activation)
    return TeX(rf"\text{{{escape_tex(text)}}}")


@dataclass(frozen=True)
class XorPlane:
    ones: tuple[tuple[float, float], ...]    # red +
    zeros: tuple[tuple[float, float], ...]   # blue O
    x_label: TeX
    y_label: TeX


def xor_plane(rows, x_name: str = "x1", y_name: str = "x2") -> XorPlane:
    """Seed figure 2: the inputs ``(x1, x2, expected)`` in the plane, by their class."""
    rows = [(float(x), float(y), bool(expected)) for x, y, expected in rows]
    return XorPlane(tuple((x, y) for x, y, e in rows if e),
                    tuple((x, y) for x, y, e in rows if not e),
                    latex(symbol(x_name)), latex(symbol(y_name)))
