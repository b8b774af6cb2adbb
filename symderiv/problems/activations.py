"""``kind = "activations"`` (the seed's problem 5): solve the parts a spec asks for.

Each part is its own module (:mod:`.tanh_vanishing`, :mod:`.dying_relu`,
:mod:`.swish_gelu`); this one runs the parts, draws up the single neurons the seed shows
(figures 4 and 6) as :class:`~symderiv.nets.network.Network` data, and writes the JSON of
contract §3. Nothing here formats: templates lay the solution out.
"""

from dataclasses import dataclass

import sympy as sp

from symderiv.calculus.expr import symbol
from symderiv.calculus.numeric import as_float
from symderiv.nets.network import Edge, Layer, Network
from symderiv.calculus.outputform import form_text
from symderiv.problems import activation_tasks, dying_relu, swish_gelu, tanh_vanishing

NEURON = "n"   # the single neuron's name in the diagrams (its label is drawn as z | a)


@dataclass(frozen=True)
class ActivationsSolution:
    id: str
    statement: str | None
    parts: tuple[str, ...]
    range: tuple[sp.Expr, sp.Expr]
    vanishing: tanh_vanishing.TanhVanishing | None
    dying_relu: dying_relu.DyingRelu | None
    swish_gelu: swish_gelu.SwishGelu | None
    neurons: dict[str, Network]          # part → the single neuron it draws
    reports: tuple = ()                  # activation_tasks.FunctionReport per spec function
    tasks: tuple[str, ...] = ()
    kind: str = "activations"

    @property
    def functions(self) -> dict[str, object]:
        """Every activation the parts used, by name (a BoundActivation each)."""
        out = {}
        if self.vanishing:
            out["tanh"] = self.vanishing.activation
        if self.dying_relu:
            out["relu"] = self.dying_relu.relu.activation
            out["leaky_relu"] = self.dying_relu.leaky.activation
        if self.swish_gelu:
            out["relu"] = self.swish_gelu.relu
            out["swish"] = self.swish_gelu.swish.activation
            out["gelu"] = self.swish_gelu.gelu.activation
        return out

    def verified(self, name: str) -> bool:
        """Was this activation's derivative (and its output form, where one) checked?"""
        act = self.functions[name]
        if name == "tanh":
            v = self.vanishing
            return v.output_form_verified and v.gradient_verified
        if name in ("swish", "gelu"):
            return getattr(self.swish_gelu, name).verified
        return bool(act.output_form_check)   # ReLU, Leaky ReLU: the registry's own check

    def to_json(self) -> dict:
        z, a = symbol("z"), symbol("a")
        out = {"id": self.id, "kind": self.kind, "parts": list(self.parts),
               "functions": {
                   name: {"derivative": str(act.derivative(z)),
                          "derivative_in_output": form_text(act.derivative_in_output(a)),
                          "verified": self.verified(name)}
                   for name, act in self.functions.items()}}
        out["functions"].update({r.key: r.to_json() for r in self.reports})
        if self.reports:
            out["tasks"] = list(self.tasks)
        if self.vanishing:
            out["vanishing"] = _vanishing_json(self.vanishing)
        if self.dying_relu:
            out["dying_relu"] = _dying_json(self.dying_relu)
        if self.swish_gelu:
            out["comparison"] = _comparison_json(self.swish_gelu)
        return out


def solve(problem) -> ActivationsSolution:
    """Solve an :class:`symderiv.spec.ActivationsProblem` (parts, range, beta)."""
    where = f"problem {problem.id}"
    parts = tuple(problem.parts)
    vanishing = (tanh_vanishing.solve(where=f"{where}: tanh-vanishing")
                 if "tanh-vanishing" in parts else None)
    dying = (dying_relu.solve(*training_data(problem), where=f"{where}: dying-relu")
             if "dying-relu" in parts else None)
    smooth = (swish_gelu.solve(problem.beta, where=f"{where}: swish-gelu")
              if "swish-gelu" in parts else None)
    neurons = {}
    if vanishing:
        neurons["tanh-vanishing"] = single_neuron(vanishing.inputs, vanishing.weights,
                                                  vanishing.activation)
    if dying:
        neurons["dying-relu"] = single_neuron(dying.inputs, dying.weights,
                                              dying.relu.activation)
    return ActivationsSolution(problem.id, problem.statement, parts, tuple(problem.range),
                               vanishing, dying, smooth, neurons,
                               activation_tasks.solve_functions(problem),
                               getattr(problem, "tasks", ()))


def training_data(problem):
    """The dying-ReLU example's data from the spec, or (None, None) for the default.

    A spec may give ``examples`` (each with ``inputs``: name → value and one target) and
    ``weights`` (name → value, one per input, in order); both are optional.
    """
    examples = getattr(problem, "examples", None) or None
    weights = getattr(problem, "weights", None) or None
    if examples is not None:
        examples = tuple(dying_relu.Example(tuple(ex.inputs.values()),
                                            next(iter(ex.targets.values())))
                         for ex in examples)
    if weights is not None:
        weights = tuple(weights.values())
    return examples, weights


def single_neuron(inputs, weights, activation) -> Network:
    """One neuron fed by ``inputs`` through ``weights`` (symbols on the edges), no bias."""
    edges = {w.name: Edge(w.name, x.name, NEURON, w) for x, w in zip(inputs, weights)}
    return Network(tuple(x.name for x in inputs), (Layer((NEURON,), activation),), edges)


# -- JSON ---------------------------------------------------------------------------------------

def _num(expr) -> float:
    return as_float(expr)


def _vanishing_json(v) -> dict:
    return {
        "gradient": form_text(v.gradient),   # ∂e/∂a·(1 + a)(1 − a)·x1, as the sheet writes it
        "local_derivative": str(v.chain[1].general),
        "local_in_output": form_text(v.chain[1].in_output),
        "verified": v.gradient_verified and v.output_form_verified,
        "bound": {"maximum": _num(v.bound.maximum),
                  "attained_at_z": [_num(p) for p in v.bound.critical_points],
                  "gap": str(v.bound.gap)},
        "saturated_z": _num(v.saturated_z),
        "healthy_z": _num(v.healthy_z),
        "saturated_local": _num(v.saturated_local),
        "healthy_local": _num(v.healthy_local),
        "table": [{"layers": r.layers, "saturated": _num(r.saturated),
                   "healthy": _num(r.healthy)} for r in v.table],
    }


def _state_json(s) -> dict:
    return {"weights": [_num(w) for w in s.weights],
            "preactivations": [_num(z) for z in s.preactivations],
            "loss": _num(s.loss),
            "gradients": [_num(g) for g in s.gradients]}


def _dying_json(d) -> dict:
    relu, leaky, small = d.relu, d.leaky, d.small
    recovered = leaky.recovered_at
    return {
        "examples": [{"inputs": [_num(x) for x in ex.inputs], "target": _num(ex.target)}
                     for ex in d.examples],
        "initial_weights": [_num(w) for w in d.initial_weights],
        "learning_rate": _num(relu.learning_rate),
        "rates_tried": [{"learning_rate": _num(r), "dead_after_one_step": dead}
                        for r, dead in d.rates_tried],
        "before": _state_json(relu.states[0]),
        "after_step": _state_json(relu.states[1]),
        "died_at_step": relu.died_at,
        "dead_steps_checked": len(relu.states) - 1,
        "stays_dead": all(s.dead for s in relu.states[1:]),
        "gradients_exactly_zero": d.dead_gradients_exact_zero,
        "leaky_relu": {
            "alpha": _num(leaky.activation.params["alpha"]),
            "after_step": _state_json(leaky.states[1]),
            "recovered_at_step": recovered,
            "at_recovery": None if recovered is None else _state_json(leaky.states[recovered]),
        },
        "small_learning_rate": {
            "learning_rate": _num(small.learning_rate),
            "steps": len(small.states) - 1,
            "alive_throughout": all(s.alive for s in small.states),
            "losses": [_num(s.loss) for s in small.states],
        },
    }


def _comparison_json(s) -> dict:
    g = s.gelu_minimum
    return {
        "beta": str(s.beta),
        "derivatives": {f.name: {"readable": str(f.readable), "expanded": str(f.expanded),
                                 **({"integral": str(f.integral)} if f.integral is not None
                                    else {}),
                                 "checks": dict(f.checks)}
                        for f in (s.swish, s.gelu)},
        "derivative_at_0": {m.name: {"left": _num(m.left), "right": _num(m.right),
                                     "continuous": m.continuous} for m in s.smoothness},
        "at": _num(swish_gelu.PROBE_X),
        "values": [{"name": p.name, "beta": None if p.beta is None else _num(p.beta),
                    "value": p.value_float, "derivative": p.slope_float} for p in s.probes],
        "gelu_minimum": {"x": _num(g.location), "value": _num(g.value),
                         "decreasing_on": [None, _num(g.location)]},
        "swish_minima": [{"beta": _num(m.beta), "x": _num(m.location), "value": _num(m.value),
                          "decreasing_on": [None, _num(m.location)]} for m in s.swish_minima],
    }
