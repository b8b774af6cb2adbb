"""Per kind, what its templates lay out beyond the Solution, arranged as plain data (the
same for LaTeX and Markdown), so that templates select and order nothing themselves."""

from symderiv.kinds import KINDS


def layout_of(solution):
    """The layout of one problem's solution, or None for a kind that needs none."""
    kind = KINDS.get(solution.kind)
    builder = None if kind is None else kind.layout_builder()
    return None if builder is None else builder(solution)
