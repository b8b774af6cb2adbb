"""Per kind, what its templates lay out beyond the Solution, arranged as plain data (the
same for LaTeX and Markdown), so that templates select and order nothing themselves."""

from symderiv.render.activations_layout import activations_layout
from symderiv.render.backprop_layout import backprop_layout

_LAYOUTS = {"backprop": backprop_layout, "activations": activations_layout}


def layout_of(solution):
    """The layout of one problem's solution, or None for a kind that needs none."""
    builder = _LAYOUTS.get(solution.kind)
    return None if builder is None else builder(solution)
