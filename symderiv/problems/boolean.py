"""``kind = "boolean"`` (contract §5.4): any Boolean function of two or three inputs.

- **Evaluation.** Every row of the truth table goes through the network exactly (the
  per-neuron walk of :mod:`symderiv.problems.xor`, which is this kind's preset for XOR):
  the network *solves* the table when every output lies on the right side of 1/2.
- **Design.** One hidden ReLU layer over threshold features. A symmetric table (its value
  depends only on s = Σxᵢ, as XOR, AND, parity do) is the seed's construction generalised:
  y = g(0) + Σₖ cₖ ReLU(s − k), the cₖ the changes of slope of g at s = k, one neuron per
  cₖ ≠ 0. Any other table: one neuron per row on the rarer side, ReLU(Σ ±xᵢ − (|p| − 1)),
  which is 1 on its row p and 0 on every other, summed (or subtracted from 1). Of the
  two (when both apply), the one with fewer neurons; neither claims to be the smallest
  network possible.
- **Linear separability**, decided exactly both ways: a separator w·x + b with small
  integer weights found by enumeration and checked on every row, or a Gordan certificate:
  multipliers λ ≥ 0, not all 0, with Σ λᵢ sᵢ (xᵢ, 1) = 0 (sᵢ = ±1 by class), found among
  the supports of at most n + 2 rows (a basic solution has no more: Carathéodory), so the
  search is complete: no certificate means a separator exists.
"""

import itertools

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.activations import resolve
from symderiv.calculus.expr import symbol
from symderiv.nets.backprop import WalkError
from symderiv.nets.network import Bias, Edge, Layer, Network
from symderiv.problems.backprop import input_error
from symderiv.solution import Number, NeuronSteps
from symderiv.spec import Problem

FUNCTIONS = {   # name → the output for inputs (x1, …, xn)
    "and": lambda xs: int(all(xs)),
    "or": lambda xs: int(any(xs)),
    "nand": lambda xs: int(not all(xs)),
    "nor": lambda xs: int(not any(xs)),
    "xor": lambda xs: sum(xs) % 2,
    "xnor": lambda xs: 1 - sum(xs) % 2,
}
INPUT_COUNTS = (2, 3)
WEIGHT_RANGE = range(-3, 4)      # separators are searched for among these integer weights
THRESHOLD = sp.Rational(1, 2)


@dataclass(frozen=True)
class BooleanProblem(Problem):
    table: tuple[tuple[tuple[int, ...], int], ...] = ()   # (inputs, output), in binary order
    function: str | None = None
    network: Network | None = None      # None: design mode
    hidden: int | None = None           # design mode: hidden neurons (None: as many as needed)
    prove_linear: bool = False
    kind = "boolean"


@dataclass(frozen=True)
class BooleanRow:
    inputs: tuple[int, ...]
    neurons: tuple[NeuronSteps, ...]
    hidden: dict[str, Number]
    y: Number
    expected: int
    predicted: int | None

    @property
    def correct(self) -> bool:
        return self.predicted == self.expected


@dataclass(frozen=True)
class Separator:
    weights: tuple[sp.Integer, ...]
    bias: sp.Rational
    values: tuple[sp.Rational, ...]     # w·x + b on every row: > 0 for 1, < 0 for 0
    checked: bool


@dataclass(frozen=True)
class Certificate:
    rows: tuple[int, ...]               # indices into the table
    multipliers: tuple[sp.Integer, ...] # λᵢ > 0 on those rows
    terms: tuple[sp.Expr, ...]          # sᵢ (w·xᵢ + b), each > 0 if a separator existed
    total: sp.Expr                      # Σ λᵢ · termᵢ, expanded: 0
    checked: bool


@dataclass(frozen=True)
class BooleanSolution:
    id: str
    statement: object
    function: str | None
    network: Network
    designed: bool
    construction: str | None            # "symmetric" | "rows" (design mode)
    needed: int | None                  # hidden neurons the construction needs
    threshold: sp.Expr
    rows: tuple[BooleanRow, ...]
    solves: bool
    exact: bool
    prove_linear: bool
    separator: Separator | None
    certificate: Certificate | None
    model: tuple[sp.Symbol, ...]        # w1, …, wn, b of the linear classifier
    asked: int | None = None            # hidden neurons the spec asked for (design mode)
    kind: str = "boolean"

    @property
    def fewer_than_asked(self) -> bool:
        """Did the design use fewer hidden neurons than asked (the rest would be 0)?"""
        return self.asked is not None and self.needed is not None and self.needed < self.asked

    @property
    def separator_equation(self) -> sp.Eq | None:
        """w·x + b = 0 with the separator's numbers, in the network's input names."""
        if self.separator is None:
            return None
        xs = [symbol(n) for n in self.network.inputs]
        lhs = sp.Add(*[w * x for w, x in zip(self.separator.weights, xs)], self.separator.bias)
        return sp.Eq(lhs, 0)

    @property
    def separable(self) -> bool | None:
        if not self.prove_linear:
            return None
        return self.separator is not None

    def to_json(self) -> dict:
        names = self.network.inputs
        out = {"id": self.id, "kind": self.kind, "function": self.function,
               "inputs": list(names),
               "truth_table": [{**dict(zip(names, r.inputs)),
                                "hidden": {k: v.json() for k, v in r.hidden.items()},
                                "y": r.y.json(), "expected": r.expected} for r in self.rows],
               "solves": self.solves, "exact": self.exact, "designed": self.designed,
               "hidden_needed": self.needed, "hidden_asked": self.asked,
               "parameters": {k: float(v) for k, v in self.network.parameters().items()}}
        if self.prove_linear:
            out["linearly_separable"] = self.separable
            if self.separator is not None:
                out["separator"] = {"weights": [int(w) for w in self.separator.weights],
                                    "bias": float(self.separator.bias),
                                    "bias_exact": str(self.separator.bias)}
            else:
                c = self.certificate
                out["linear_impossible"] = c.checked
                out["certificate"] = {"rows": [list(self.rows[i].inputs) for i in c.rows],
                                      "multipliers": [int(m) for m in c.multipliers]}
        return out


# -- solving ---------------------------------------------------------------------------------------

def solve(problem: BooleanProblem) -> BooleanSolution:
    designed = problem.network is None
    construction = needed = None
    if designed:
        network, construction, needed = design(problem.table, problem.hidden)
    else:
        network = problem.network
    try:
        rows = tuple(evaluate(network, xs, y) for xs, y in problem.table)
    except WalkError as e:
        raise input_error(problem, e) from None
    solves = all(r.correct for r in rows)
    exact = all(sign(r.y.exact - r.expected) == 0 for r in rows)
    if designed and not (solves and exact):
        raise AssertionError("the designed network failed its verification")
    n = len(network.inputs)
    model = tuple(symbol(f"w{i}") for i in range(1, n + 1)) + (symbol("b"),)
    separator = certificate = None
    if problem.prove_linear:
        separator = find_separator(problem.table)
        if separator is None:
            certificate = gordan_certificate(problem.table, model)
            if certificate is None or not certificate.checked:
                raise AssertionError("neither a separator nor a certificate was found")
    return BooleanSolution(problem.id, problem.statement, problem.function, network, designed,
                           construction, needed, THRESHOLD, rows, solves, exact,
                           problem.prove_linear, separator, certificate, model,
                           problem.hidden if designed else None)


def evaluate(network: Network, inputs: tuple[int, ...], target: int) -> BooleanRow:
    from symderiv.problems.xor import forward   # the per-neuron exact walk, shared
    steps = forward(network, inputs)
    outputs = set(network.outputs)
    hidden = {s.neuron: s.a.value for s in steps if s.neuron not in outputs}
    y = steps[-1].a.value
    return BooleanRow(tuple(inputs), tuple(steps), hidden, y, target, classify(y.exact))


def classify(y: sp.Expr) -> int | None:
    """1 above the threshold, 0 below, None exactly at it (or if the sign is undecidable)."""
    s = sign(y - THRESHOLD)
    return None if s in (0, None) else int(s > 0)


def sign(value: sp.Expr) -> int | None:
    value = sp.nsimplify(value) if value.is_Float else value
    if value == 0:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    approx = value.evalf(60)
    if approx.is_Number and abs(approx) > sp.Float(10) ** -50:
        return 1 if approx > 0 else -1
    return None


# -- design ----------------------------------------------------------------------------------------

def design(table, hidden: int | None = None, activation=None) -> tuple[Network, str, int]:
    """A one-hidden-layer ReLU network computing ``table`` exactly (see the module doc); and
    the construction and the hidden neurons it uses. Asked for ``hidden`` neurons, the
    construction that uses exactly that many where there is one, else the one with fewest:
    never padded with neurons whose weights are all 0 (they would compute nothing; the
    sheet says instead that fewer suffice)."""
    n = len(table[0][0])
    by_sum = {}
    for xs, y in table:
        by_sum.setdefault(sum(xs), set()).add(y)
    options = [("rows", _by_rows(table))]
    if all(len(v) == 1 for v in by_sum.values()):
        g = [next(iter(by_sum[k])) for k in range(n + 1)]
        options.insert(0, ("symmetric", _symmetric(g, n)))
    # the construction with fewer neurons; the symmetric one (the seed's, for XOR) on a tie
    fewest = min(len(o[1][0]) for o in options)
    if hidden is not None and hidden < fewest:
        raise ValueError(f"this table needs {fewest} hidden neurons in the construction "
                         f"symderiv uses; hidden = {hidden} is too few")
    exact = [o for o in options if len(o[1][0]) == hidden]
    construction, (features, out_weights, out_bias) = (
        exact[0] if exact else min(options, key=lambda o: len(o[1][0])))
    return (_network(n, features, out_weights, out_bias, activation), construction,
            len(features))


def _symmetric(g, n):
    """y = g(0) + Σ cₖ ReLU(s − k): cₖ = the change of slope of g at s = k (c₀ its first)."""
    slopes = [g[k + 1] - g[k] for k in range(n)]
    changes = [slopes[0]] + [slopes[k] - slopes[k - 1] for k in range(1, n)]
    features = [((1,) * n, -k) for k, c in enumerate(changes) if c != 0]
    weights = [c for c in changes if c != 0]
    return features, weights, g[0]


def _by_rows(table):
    """One neuron per row on the rarer side: ReLU(Σ ±xᵢ − (|p| − 1)) is 1 at p, 0 elsewhere."""
    ones = [xs for xs, y in table if y == 1]
    zeros = [xs for xs, y in table if y == 0]
    rows, weight, bias = (ones, 1, 0) if len(ones) <= len(zeros) else (zeros, -1, 1)
    features = [(tuple(1 if x else -1 for x in p), -(sum(p) - 1)) for p in rows]
    return features, [weight] * len(rows), bias


def _network(n, features, out_weights, out_bias, activation) -> Network:
    activation = activation or resolve("relu", "design")
    inputs = tuple(f"x{k}" for k in range(1, n + 1))
    names = tuple(f"h{j}" for j in range(1, len(features) + 1))
    weights, biases = {}, {}
    for j, (name, (w, b)) in enumerate(zip(names, features), start=1):
        for k, x in enumerate(inputs, start=1):
            weights[f"w1_{j}_{k}"] = Edge(f"w1_{j}_{k}", x, name, sp.Integer(w[k - 1]))
        biases[f"b1_{j}"] = Bias(f"b1_{j}", (name,), sp.Integer(b))
    for j, (name, c) in enumerate(zip(names, out_weights), start=1):
        weights[f"w2_1_{j}"] = Edge(f"w2_1_{j}", name, "y", sp.Integer(c))
    biases["b2_1"] = Bias("b2_1", ("y",), sp.Integer(out_bias))
    layers = (Layer(names, activation), Layer(("y",), resolve("linear", "design")))
    return Network(inputs, layers, weights, biases)


# -- linear separability ---------------------------------------------------------------------------

def find_separator(table) -> Separator | None:
    """The separator with the smallest integer weights (then the simplest bias, halfway
    between the classes), checked on every row; None when none exists in WEIGHT_RANGE."""
    n = len(table[0][0])
    candidates = sorted(itertools.product(WEIGHT_RANGE, repeat=n),
                        key=lambda w: (sum(map(abs, w)), [-x for x in w]))
    for w in candidates:
        ones = [sum(a * x for a, x in zip(w, xs)) for xs, y in table if y == 1]
        zeros = [sum(a * x for a, x in zip(w, xs)) for xs, y in table if y == 0]
        if ones and zeros and min(ones) <= max(zeros):
            continue
        low = max(zeros) if zeros else (min(ones) - 1)
        high = min(ones) if ones else (max(zeros) + 1)
        bias = -sp.Rational(low + high, 2)
        values = tuple(sp.Integer(sum(a * x for a, x in zip(w, xs))) + bias for xs, _ in table)
        checked = all((v > 0) if y == 1 else (v < 0) for v, (_, y) in zip(values, table))
        return Separator(tuple(sp.Integer(a) for a in w), bias, values, checked)
    return None


def gordan_certificate(table, model) -> Certificate | None:
    """λ ≥ 0 on the fewest rows with Σ λᵢ sᵢ (xᵢ, 1) = 0, in lowest integers, checked."""
    n = len(table[0][0])
    signed = [sp.Matrix([(1 if y else -1) * v for v in (*xs, 1)]) for xs, y in table]
    for size in range(2, n + 3):
        for support in itertools.combinations(range(len(table)), size):
            M = sp.Matrix.hstack(*(signed[i] for i in support))
            basis = M.nullspace()
            if len(basis) != 1:
                continue
            v = basis[0]
            if all(x < 0 for x in v):
                v = -v
            if not all(x > 0 for x in v):
                continue
            scale = sp.ilcm(*[sp.fraction(x)[1] for x in v])
            lam = [int(x * scale) for x in v]
            g = sp.igcd(*lam)
            lam = tuple(sp.Integer(x // g) for x in lam)
            *w, b = model
            terms = tuple(_signed_unit(w, b, *table[i]) for i in support)
            total = sp.expand(sum(m * t for m, t in zip(lam, terms)))
            return Certificate(support, lam, terms, total, total == 0 and all(m > 0 for m in lam))
    return None


def _signed_unit(w, b, xs, y) -> sp.Expr:
    """w·x + b at the row (target 1), or −(w·x + b) (target 0): positive if it separated."""
    unit = sp.Add(*[wk * xk for wk, xk in zip(w, xs)], b)
    return unit if y else sp.Mul(-1, unit, evaluate=False)


# -- the spec --------------------------------------------------------------------------------------

def read(reader, t, position: int, pid: str, statement) -> BooleanProblem:
    has_function, has_table = t.has("function"), t.has("truth_table")
    if has_function == has_table:
        raise reader.error(t.path, "give either function (and, or, nand, nor, xor, xnor) "
                           "or truth_table, not " + ("both" if has_function else "neither"))
    function = None
    if has_function:
        function = t.get("function", "string")
        if function not in FUNCTIONS:
            raise reader.error(t.at("function"), f"unknown function '{function}'; functions: "
                               f"{', '.join(FUNCTIONS)}")
        n = reader.integer(t, "inputs", 2, 3, 2)
        table = tuple((xs, FUNCTIONS[function](xs))
                      for xs in itertools.product((0, 1), repeat=n))
    else:
        table = read_table(reader, t.get("truth_table", "array"), t.at("truth_table"))
        n = len(table[0][0])
    prove = t.get("prove_linear", "boolean", False)
    network = hidden = None
    if t.has("network"):
        if "hidden" in t.value:
            raise reader.error(t.at("hidden"), "applies only when no network is given "
                               "(design mode)")
        path = t.at("network")
        network, paths = reader.network(t.table("network"))
        reader.check_printed_names(network, paths, t.path)
        reader.check_work(network, t.path, len(table), None)
        if len(network.inputs) != n:
            raise reader.error(f"{path}.inputs", f"the truth table has {n} inputs, the "
                               f"network {len(network.inputs)}")
        if len(network.outputs) != 1:
            raise reader.error(f"{path}.layers[{len(network.layers)}]",
                               f"a Boolean network has 1 output neuron, got "
                               f"{len(network.outputs)}")
        reader.check_output_activation(network, path, None)
    elif "hidden" in t.value:
        hidden = reader.integer(t, "hidden", 1, 64, None)
        try:
            design(table, hidden)
        except ValueError as e:
            raise reader.error(t.at("hidden"), str(e)) from None
    return BooleanProblem(position, pid, statement, table=table, function=function,
                          network=network, hidden=hidden, prove_linear=prove)


def read_table(reader, raw, where: str):
    """Rows [x1, x2, (x3,) y] of 0/1: every input combination exactly once."""
    if not raw:
        raise reader.error(where, "an empty truth table")
    widths = {len(r) if isinstance(r, list) else -1 for r in raw}
    for i, row in enumerate(raw, start=1):
        if not isinstance(row, list):
            raise reader.error(f"{where}[{i}]", "a row is a list [x1, x2, (x3,) y]")
        if len(row) - 1 not in INPUT_COUNTS:
            raise reader.error(f"{where}[{i}]", f"a row has 2 or 3 inputs and an output; "
                               f"got {len(row)} values (four or more inputs are not supported)")
        for j, v in enumerate(row, start=1):
            if isinstance(v, bool) or v not in (0, 1) or not isinstance(v, int):
                raise reader.error(f"{where}[{i}][{j}]", f"expected 0 or 1, got {v!r}")
    if len(widths) != 1:
        raise reader.error(where, "every row needs the same number of inputs")
    n = len(raw[0]) - 1
    seen = {}
    for i, row in enumerate(raw, start=1):
        xs = tuple(row[:-1])
        if xs in seen:
            raise reader.error(f"{where}[{i}]", f"the inputs {list(xs)} repeat row {seen[xs]}")
        seen[xs] = i
    for xs in itertools.product((0, 1), repeat=n):
        if xs not in seen:
            raise reader.error(where, f"the row for inputs {list(xs)} is missing "
                               f"({2 ** n} rows needed)")
    return tuple((xs, raw[seen[xs] - 1][-1]) for xs in itertools.product((0, 1), repeat=n))
