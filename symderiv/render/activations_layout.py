"""What an activations sheet lays out beyond its Solution (LaTeX and Markdown alike).

Swish is named with its β wherever β is not 1 (a symbol, or a number such as 1.5):
Swish_β(x) = xσ(βx), so that the name a reader (or ``symderiv check``) sees never stands
for the β = 1 function while the sheet means another.
"""

import sympy as sp

from symderiv.records import dataclass


class Swish(sp.Function):
    """Swish by name, unevaluated: Swish(x), or Swish(x, β) printed Swish_β(x)
    (symderiv.calculus.latex's ``_print_Swish``)."""

    nargs = (1, 2)


def swish_named(x, beta) -> sp.Expr:
    """Swish(x) as the sheet names it: Swish(x) for β = 1, Swish_β(x) otherwise."""
    return Swish(x) if beta == 1 else Swish(x, beta)


@dataclass(frozen=True)
class ActivationsLayout:
    swish_definition: tuple[sp.Expr, ...] | None   # Swish_β(x), xσ(βx) (part swish-gelu)
    swish_slope: sp.Expr | None                    # d/dx Swish_β(x), unevaluated


def activations_layout(solution) -> ActivationsLayout:
    g = solution.swish_gelu
    if not g:
        return ActivationsLayout(None, None)
    named = swish_named(g.x, g.beta)
    definition = None
    if g.definitions:
        definition = (named, *g.definitions["swish"][1:])
    return ActivationsLayout(definition, sp.Derivative(named, g.x))
