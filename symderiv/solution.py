"""Solutions as plain data: what problem modules compute and templates lay out.

Nothing here is LaTeX or formatted text. Every number is a :class:`Number`: the value at
full precision as SymPy holds it (exact, or a Float of at least 50 digits) and as a float.
Every line of working is a :class:`Step` in the handcalcs pattern
``lhs = symbolic = substituted = value``: z_{h1} = w1·i1 + w3·i2 + b1 = 0.15·0.05 + … = 0.3775.

``to_json()`` gives contract §3's keys (floats at full double precision), plus a few
extensions noted where they are made.
"""

import math
from dataclasses import field

import sympy as sp

from symderiv.calculus.numeric import as_float
from symderiv.records import dataclass

JSON_DIGITS = 30  # digits of the "exact" strings written alongside floats


@dataclass(frozen=True)
class Number:
    """One value: ``exact`` (SymPy, exact or high precision) and ``value`` (its float).

    ``given`` marks a value copied from the spec (an input, a target, a parameter, the
    learning rate): it is exact as written, so a sheet prints it exactly (0.125 stays 0.125
    at 2 places; sqrt(2)/2 stays √2/2), never rounded. Computed values are rounded where
    they are printed.
    """

    exact: sp.Expr
    value: float
    given: bool = False

    @classmethod
    def of(cls, expr, given: bool = False) -> "Number":
        expr = sp.sympify(expr, strict=True) if not isinstance(expr, sp.Basic) else expr
        value = as_float(expr)
        return cls(expr, value, given)

    def json(self):
        return _json_float(self.value)


def _json_float(value: float) -> float:
    # JSON has no inf or NaN; problem modules refuse such values before they get here
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written to JSON")
    return value


@dataclass(frozen=True)
class Step:
    """``lhs = symbolic [= output_form] = substituted = value``.

    ``symbolic`` is in names (w5·h1 + w7·h2 + b2), ``output_form`` is a derivative written
    through the neuron's output (o1(1 − o1)), where there is one; ``substituted`` is the
    shown form with the numbers put in, unevaluated (SymPy built with evaluate=False).
    Any of them may be None where a step has no such form (a given input; a term of a sum
    has no lhs of its own).
    """

    lhs: sp.Expr | None
    symbolic: sp.Expr | None
    substituted: sp.Expr | None
    value: Number
    output_form: sp.Expr | None = None


def worked(lhs, symbolic, substituted, value: Number, output_form=None) -> Step:
    """A Step; a substituted or symbolic form that is just a number (∂z/∂w5 = h1 = 0.5933,
    y = z_y = 1, ∂z/∂b = 1) would only repeat the value, so it is left out."""
    if substituted is not None and substituted.is_Number:
        substituted = None
    if symbolic is not None and symbolic.is_Number and substituted is None:
        symbolic = None  # ∂z/∂b1 = 1, not 1 = 1
    return Step(lhs, symbolic, substituted, value, output_form)


def substitute(expr: sp.Expr, values: dict) -> sp.Expr:
    """``expr`` with the numbers put in for its symbols (and ∂E/∂z's), kept as written:
    0.15·0.05 + 0.2·0.1 + 0.35; a lone symbol gives its number."""
    if expr.is_Atom:
        return values.get(expr, expr)
    with sp.evaluate(False):
        return expr.xreplace({s: as_written(values[s])
                              for s in expr.atoms(sp.Symbol, sp.Derivative) if s in values})


def as_written(value):
    """A value as it goes into a substituted form. SymPy writes −x as (−1)·x, so a given −1
    put in as a factor would print as a bare minus sign (w·x at w = −1, x = 0.8 as −0.8;
    at x = 1 as −1, the weight gone): kept unevaluated, it prints as the number it is."""
    if value is sp.S.NegativeOne or (type(value) is int and value == -1):
        return sp.UnevaluatedExpr(sp.S.NegativeOne)
    return value


# -- backprop ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class NeuronSteps:
    """One neuron in one example's forward pass: its net input and its output."""

    neuron: str
    z: Step
    a: Step


@dataclass(frozen=True)
class ExampleForward:
    inputs: dict[str, Number]
    targets: dict[str, Number]
    neurons: tuple[NeuronSteps, ...]   # in layer order
    loss: Step | None                  # this example's loss (None: no training table)

    @property
    def preactivations(self) -> dict[str, Number]:
        return {n.neuron: n.z.value for n in self.neurons}

    @property
    def activations(self) -> dict[str, Number]:
        return {n.neuron: n.a.value for n in self.neurons}


@dataclass(frozen=True)
class ChainSteps:
    """One product of the chain rule: for one example and one neuron the parameter feeds."""

    example: int                       # index into BackpropSolution.examples
    neuron: str
    factors: tuple[Step, ...]          # ∂e/∂o1, ∂o1/∂z1, ∂z1/∂w5
    product: Step                      # lhs = Π symbols = Π values = value
    # the first factor is the neuron's δ, worked in the backward pass: the sheet shows the
    # product only, citing δ by name
    cites_delta: bool = False


@dataclass(frozen=True)
class GradientSteps:
    """∂E/∂p: its chains (shown parameters) and the total, scale · Σ chains."""

    parameter: str
    chains: tuple[ChainSteps, ...]
    total: Step


@dataclass(frozen=True)
class LayerMatrices:
    """A dense layer's backward pass and update in matrix form: Steps whose numbers are
    matrices (``value.exact`` an ImmutableMatrix; no float)."""

    number: int                        # the layer, from 1
    parameters: tuple[str, ...]        # the parameters its matrices hold (W, then b)
    backward: tuple[Step, ...]         # δ^{(l)} (hidden), ∂E/∂W^{(l)}, ∂E/∂b^{(l)}
    update: tuple[Step, ...]           # W'^{(l)} = W − η ∂E/∂W, b' likewise


@dataclass(frozen=True)
class BackpropSolution:
    id: str
    statement: str | None
    network: object                    # symderiv.nets.network.Network, for diagrams
    loss_name: str | None              # sse, half-sse, mse, bce, ce (None: forward only)
    loss_symbol: sp.Symbol | None
    examples: tuple[ExampleForward, ...]
    loss: Step | None                  # the total over examples (the example's own for one)
    # the parameters whose gradients the spec asks for, in order; the sheet works out the
    # chains of the first ones (``gradients``) and lists the rest (``listed``) with their
    # values from ``all_gradients`` and ``updated``, so that hundreds of parameters do not
    # make a sheet of thousands of pages
    asked: tuple[str, ...] = ()
    asked_all: bool = False            # asked is every parameter of the network
    gradients: dict[str, GradientSteps] = field(default_factory=dict)   # worked chains
    listed: tuple[str, ...] = ()       # asked, beyond the worked ones: values only
    # per example, δ_n = ∂E/∂z_n of the neurons the shown chains refer to, output layer first
    deltas: tuple[dict[str, Step], ...] = ()
    # every trained or asked parameter: its gradient, and its value after the last step
    # (an asked parameter that is not trained keeps its given value)
    all_gradients: dict[str, Number] = field(default_factory=dict)
    learning_rate: Number | None = None
    updates: dict[str, Step] = field(default_factory=dict)   # step 1 of the worked parameters
    updated: dict[str, Number] = field(default_factory=dict)
    losses: tuple[Number, ...] = ()    # before each step and after the last (steps > 1)
    steps: int = 0
    # each output neuron's target as the loss writes it (o1 → y_1, by the spec's notation)
    target_symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    # contract §5.5: optimiser steps, weight decay, input gradients
    # (symderiv.problems.training.TrainingSteps)
    training: object = None
    # with steps > 1: per step, each trained parameter's gradient during it and value after
    step_gradients: tuple[dict[str, Number], ...] = ()
    step_values: tuple[dict[str, Number], ...] = ()
    # dense layers whose every weight is worked: the same backward pass as matrices
    matrices: dict[int, LayerMatrices] = field(default_factory=dict)
    # cross-entropy against targets that are not one-hot: each example's target sum
    ce_target_sums: tuple[Number, ...] | None = None
    kind: str = "backprop"

    def to_json(self) -> dict:
        single = len(self.examples) == 1

        def per_neuron(key):
            values = [getattr(ex, key) for ex in self.examples]
            names = list(values[0])
            # several examples: a list per neuron, in the examples' order (extension)
            return {n: (values[0][n].json() if single else [v[n].json() for v in values])
                    for n in names}

        out = {"id": self.id, "kind": self.kind,
               "preactivations": per_neuron("preactivations"),
               "activations": per_neuron("activations"),
               # every parameter's value before training, given or drawn by init = { seed }
               "initial": {k: _json_float(float(v))                      # extension
                           for k, v in self.network.parameters().items()}}
        if self.loss is not None:
            out["loss"] = self.loss.value.json()
            out["loss_function"] = self.loss_name              # extension
            out["gradients"] = {k: v.json() for k, v in self.all_gradients.items()}
            if self.learning_rate is not None:
                out["updated"] = {k: v.json() for k, v in self.updated.items()}
            out["chains"] = {k: _chain_json(g) for k, g in self.gradients.items()}
            if self.listed:
                out["chains_not_shown"] = list(self.listed)      # extension
            if self.steps > 1:
                out["losses"] = [v.json() for v in self.losses]
                out["steps"] = [{"gradients": {k: v.json() for k, v in g.items()},   # extension
                                 "updated": {k: v.json() for k, v in a.items()}}
                                for g, a in zip(self.step_gradients, self.step_values)]
            if self.training is not None:
                out["gradients"].update({k: v.json() for k, v in self.training.inputs.items()})
                if self.training.objective is not None:   # the loss with weight decay
                    out["loss"] = self.training.objective.json()
                out.update(self.training.json())
        return out


def _chain_json(g: GradientSteps) -> list[dict]:
    """The factors in order. A gradient with several chains (a shared bias, several
    examples) tags each factor with its chain's neuron and example (from 1): an extension."""
    several = len(g.chains) > 1
    return [{"factor": _factor_tex(f.lhs), "value": f.value.json(),
             **({"neuron": chain.neuron, "example": chain.example + 1} if several else {})}
            for chain in g.chains for f in chain.factors]


def _factor_tex(derivative) -> str:
    # The contract writes a chain factor as its LaTeX (\frac{\partial e}{\partial o_1}).
    from symderiv.calculus.latex import latex

    return str(latex(derivative))


# -- xor -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class XorRow:
    x1: int
    x2: int
    neurons: tuple[NeuronSteps, ...]   # every computed neuron, layer by layer
    hidden: dict[str, Number]          # the hidden neurons' outputs
    y: Number
    expected: int
    predicted: int | None              # y > 1/2 → 1, y < 1/2 → 0, y = 1/2 → None

    @property
    def correct(self) -> bool:
        return self.predicted == self.expected


@dataclass(frozen=True)
class LinearCollapse:
    """The architecture with every activation linear: y = ω1 x1 + ω2 x2 + b."""

    parameters: tuple[sp.Symbol, ...]  # the network's parameters, as symbols
    expanded: sp.Expr                  # y in the inputs and the parameters, expanded
    model: sp.Expr                     # ω1 x1 + ω2 x2 + b
    coefficients: dict[sp.Symbol, sp.Expr]   # ω1, ω2, b → in the network's parameters
    linear: bool                       # y has degree ≤ 1 in the inputs


@dataclass(frozen=True)
class EqualityCertificate:
    """The four exact conditions y(p) = target have no solution (``solutions`` is ∅):
    Σ multipliers·(condition) reads 0 = ``contradiction``."""

    equations: tuple[sp.Eq, ...]
    solutions: sp.Set
    multipliers: tuple[sp.Integer, ...]
    combination_lhs: sp.Expr           # Σ cᵢ·(lhsᵢ) expanded: 0
    combination_rhs: sp.Expr           # Σ cᵢ·(rhsᵢ): not 0
    holds: bool


@dataclass(frozen=True)
class SeparationCertificate:
    """No threshold classifier separates the classes (Gordan's alternative): it would need
    y(pᵢ) > t for target 1 and y(pᵢ) < t for target 0; adding these inequalities with
    multipliers λᵢ ≥ 0, not all 0, gives ``larger > smaller`` where the two sides are
    identical, which is impossible."""

    threshold: sp.Expr
    inequalities: tuple[sp.Rel, ...]   # y(pᵢ) > t or y(pᵢ) < t, as a reader writes them
    multipliers: tuple[sp.Expr, ...]   # λᵢ ≥ 0
    larger: sp.Expr                    # Σ λᵢ · (the larger side of inequality i), expanded
    smaller: sp.Expr                   # Σ λᵢ · (the smaller side), expanded: the same
    holds: bool


@dataclass(frozen=True)
class LinearProof:
    collapse: LinearCollapse
    equalities: EqualityCertificate
    separation: SeparationCertificate

    @property
    def holds(self) -> bool:
        return self.collapse.linear and self.equalities.holds and self.separation.holds


@dataclass(frozen=True)
class XorSolution:
    id: str
    statement: str | None
    network: object                    # the given or designed Network
    designed: bool                     # True in design mode
    threshold: sp.Expr                 # 1/2
    rows: tuple[XorRow, ...]
    solves_xor: bool                   # every row classified right at the threshold
    exact: bool                        # every y equals its target exactly
    proof: LinearProof | None          # with prove_linear_impossible
    asked: int | None = None           # design mode: the hidden neurons the spec asked for
    needed: int | None = None          # and those the designed network uses (fewer suffice)
    kind: str = "xor"

    @property
    def fewer_than_asked(self) -> bool:
        return self.asked is not None and self.needed < self.asked

    def to_json(self) -> dict:
        out = {"id": self.id, "kind": self.kind,
               "truth_table": [{"x1": r.x1, "x2": r.x2,
                                "hidden": {k: v.json() for k, v in r.hidden.items()},
                                "y": r.y.json(), "expected": r.expected} for r in self.rows],
               "solves_xor": self.solves_xor,
               "exact": self.exact,                             # extension
               "designed": self.designed,                       # extension
               "parameters": {k: _json_float(float(v))          # extension
                              for k, v in self.network.parameters().items()}}
        if self.proof is not None:
            out["linear_impossible"] = self.proof.holds
            out["linear_model"] = {str(k): str(v)               # extension
                                   for k, v in self.proof.collapse.coefficients.items()}
            out["certificates"] = {                             # extension
                "equalities": [int(c) for c in self.proof.equalities.multipliers],
                "separation": [str(c) for c in self.proof.separation.multipliers]}
        return out


# -- the sheet ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetSolution:
    title: str
    lang: str
    precision: int
    problems: tuple
    name: str = "sheet"                # the output stem

    def to_json(self) -> dict:
        return {"sheet": {"title": self.title, "lang": self.lang, "precision": self.precision},
                "problems": [p.to_json() for p in self.problems]}
