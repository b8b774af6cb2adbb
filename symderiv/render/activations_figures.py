"""The figures of ``kind = "activations"`` as plain data for its templates.

Seed figures 4 and 6 are single-neuron diagrams (the network diagram builder's), figures
5, 7 and 8 are sampled plots (:mod:`symderiv.render.plots`). Beside them, the few pieces
the template cannot print through its ``math`` filter: products of chain-rule factors
joined by ×, sums kept in the order they were derived (``order="none"``), and numbers
down to 10⁻²¹ in scientific notation.
"""

import sympy as sp

from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import TeX, format_significant, latex
from symderiv.calculus.extrema import DIGITS, SCAN_RADIUS
from symderiv.render.activations_layout import swish_named
from symderiv.render.figures import network_diagram
from symderiv.render.plots import activation_plots, tanh_plot

SIGNIFICANT = 4   # significant digits of a number in scientific notation
NET_INPUT = symbol("z")   # the single neuron's net input: in its circle, and z = Σ Wᵢxᵢ


def activation_figures(solution, precision) -> dict:
    """Every figure of an ``activations`` solution by name; absent parts draw nothing.

    ``tanh_neuron``, ``relu_neuron``: diagrams (figures 4, 6); ``tanh``, ``values``,
    ``slopes``: plots (figures 5, 7, 8); ``depth_table``: rows (L, saturated, healthy).
    """
    lo, hi = solution.range
    out = {}
    if solution.vanishing:
        v = solution.vanishing
        out["tanh_neuron"] = neuron_diagram(solution.neurons["tanh-vanishing"], v.loss,
                                            precision)
        out["tanh"] = tanh_plot(v, lo, hi)
        out["depth_table"] = tuple((r.layers, scientific(r.saturated), scientific(r.healthy))
                                   for r in v.table)
        out["local"] = (scientific(v.saturated_local), scientific(v.healthy_local))
        de_da, x1 = v.chain[0].derivative, v.chain[2].general
        out["tanh_chain"] = (times(*(c.derivative for c in v.chain)),
                             times(de_da, v.exp_derivative, x1),
                             times(de_da, v.chain[1].general, x1),
                             times(de_da, v.chain[1].in_output, x1))
    if solution.dying_relu:
        d = solution.dying_relu
        out["relu_neuron"] = neuron_diagram(solution.neurons["dying-relu"], symbol("e"),
                                            precision)
        out["gradient_formula"] = latex(d.gradient_formula, order="none")
        out["z_definition"] = TeX(f"{latex(NET_INPUT)} = {latex(d.z, order='none')}")
        out["dead_chain"] = (times(*d.chain), times(*d.dead_factors))
        out["small_losses"] = tuple((t, scientific(d.small.states[t].loss))
                                    for t in _shown_steps(len(d.small.states) - 1))
    if solution.swish_gelu:
        g = solution.swish_gelu
        out["values"], out["slopes"] = activation_plots(g, lo, hi)
        out["swish_lines"] = (latex(sp.Derivative(swish_named(g.x, g.beta), g.x)),
                              *_lines(g.swish.product, g.swish.readable, g.swish.expanded))
        out["gelu_lines"] = (_named_slope("GELU", g.x),
                             *_lines(g.gelu.readable, g.gelu.integral, g.gelu.expanded))
    if solution.reports:
        # the task reports' builders, loaded only for a sheet that has them
        from symderiv.render.activation_reports import depth_table, function_pages, report_plots

        out["function_pages"] = function_pages(solution.reports, precision)
        out["depth_rows"] = depth_table(solution.reports)
        out["scan_radius"], out["scan_digits"] = SCAN_RADIUS, DIGITS
        out["depth_names"] = tuple(p.name for p, r in zip(out["function_pages"],
                                                          solution.reports)
                                   if r.depth is not None)
        if "plot" in solution.tasks:
            out["function_values"], out["function_slopes"] = report_plots(solution.reports,
                                                                          lo, hi)
    return out


def neuron_diagram(network, loss, precision):
    """A single neuron: weights named on the edges, z in the circle, a → loss leaving it."""
    neuron = network.outputs[0]
    return network_diagram(
        network, edge_labels="name", precision=precision,
        neuron_labels={neuron: latex(NET_INPUT)},
        output_labels={neuron: TeX(rf"{latex(symbol('a'))} \rightarrow {latex(loss)}")})


def times(*factors) -> TeX:
    """Chain-rule factors joined by ×, a sum in parentheses: ∂e/∂a × (1 − tanh²z) × x₁."""
    parts = []
    for f in factors:
        # A product keeps the order it was derived in ((1 + a)(1 − a)); a sum prints in
        # SymPy's order, which puts e^z before e^{−z}.
        tex = latex(f, order="none") if f.is_Mul else latex(f)
        parts.append(TeX(rf"\left({tex}\right)") if f.is_Add else tex)
    return TeX(r" \times ".join(parts))


def _named_slope(name: str, x) -> TeX:
    """d/dx Swish(x): the function by the name the question gives it."""
    return latex(sp.Derivative(sp.Function(name)(x), x))


def _lines(*exprs) -> tuple[TeX, ...]:
    return tuple(latex(e, order="none") for e in exprs)


def _shown_steps(last: int) -> list[int]:
    # The first few steps, then every fifth, and the last: a loss curve in one table row.
    return sorted({*range(min(last, 4) + 1), *range(0, last + 1, 5), last})


def scientific(value, significant: int = SIGNIFICANT) -> TeX:
    """``value`` with ``significant`` digits: 0.7864 as is, 8.738e−21 as 8.738 × 10^{−21}."""
    return TeX(format_significant(value, significant))
