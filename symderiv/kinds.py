"""The problem kinds: one record each, naming where its spec reader, solver, figures and
layout live. A new kind is one entry here, one module in problems/ and its templates
(``latex/<kind>.tex.j2``, ``md/<kind>.md.j2``).

Targets are ``"module:attribute"`` strings, imported on first use, so that reading a
spec of one kind never imports the machinery of the others.
"""

import importlib
from typing import Callable

from symderiv.records import dataclass


@dataclass(frozen=True)
class Kind:
    """Where one ``kind``'s pieces are.

    - ``reader(spec_reader, table, position, pid, statement) -> Problem`` reads its
      ``[[problem]]`` table (the shared ``symderiv.spec`` reader gives the error places);
    - ``solver(problem) -> Solution`` computes (plain data, no formatting);
    - ``figures(solution, precision) -> {name: figure}`` builds its TikZ/pgfplots data;
    - ``layout(solution) -> layout`` arranges what its templates show beyond the Solution.
    """

    name: str
    reader: str
    solver: str
    figures: str | None = None
    layout: str | None = None

    def read(self) -> Callable:
        return _target(self.reader)

    def solve(self) -> Callable:
        return _target(self.solver)

    def figure_builder(self) -> Callable | None:
        return None if self.figures is None else _target(self.figures)

    def layout_builder(self) -> Callable | None:
        return None if self.layout is None else _target(self.layout)


def _target(path: str) -> Callable:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("backprop", reader="symderiv.spec:read_backprop",
         solver="symderiv.problems.backprop:solve",
         figures="symderiv.render.latex_sheet:backprop_figures",
         layout="symderiv.render.backprop_layout:backprop_layout"),
    Kind("xor", reader="symderiv.spec:read_xor",
         solver="symderiv.problems.xor:solve",
         figures="symderiv.render.latex_sheet:xor_figures"),
    Kind("activations", reader="symderiv.problems.activation_tasks:read",
         solver="symderiv.problems.activations:solve",
         figures="symderiv.render.activations_figures:activation_figures",
         layout="symderiv.render.activations_layout:activations_layout"),
    Kind("graph", reader="symderiv.spec_graph:read_graph",
         solver="symderiv.problems.graph:solve",
         figures="symderiv.render.circuit_figure:circuit_figures"),
    Kind("boolean", reader="symderiv.problems.boolean:read",
         solver="symderiv.problems.boolean:solve",
         figures="symderiv.render.boolean_figures:boolean_figures"),
)}
