"""A solved sheet (symderiv.solution.SheetSolution) to LaTeX, through the templates.

The entry template is ``latex/sheet.tex.j2``; each problem is laid out by
``latex/<kind>.tex.j2`` with the figures its kind's builder made (plain data). A new kind
registers its figures with :func:`figures_for` and ships its template.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from symderiv.errors import InputError
from symderiv.files import write_atomic
from symderiv.render.activations_figures import activation_figures
from symderiv.render.environment import language_strings, make_environment, render_template
from symderiv.render.figures import network_diagram, xor_plane
from symderiv.render.layouts import layout_of
from symderiv.render.pdf import compile_tex

ENTRY_TEMPLATE = "latex/sheet.tex.j2"

# kind -> builder(solution, precision) -> {figure name: figure data}
_FIGURES: dict[str, Callable] = {}


def figures_for(kind: str):
    """Register the figure builder of problem ``kind`` (a decorator)."""

    def register(builder):
        _FIGURES[kind] = builder
        return builder

    return register


@dataclass(frozen=True)
class ProblemPage:
    """What a problem's template gets: the solution, its figures, its layout (plain data
    arranged for the templates, or None: :mod:`symderiv.render.layouts`), its kind."""

    solution: object
    figures: dict
    kind: str
    layout: object = None


def render_sheet(sheet, lang: str | None = None, templates: Path | None = None) -> str:
    """The LaTeX source of ``sheet`` in ``lang`` (default: the sheet's own)."""
    lang = lang or sheet.lang
    env = make_environment(sheet.precision, templates)
    strings = language_strings(env, lang)
    pages = [ProblemPage(p, _FIGURES.get(p.kind, _no_figures)(p, sheet.precision), p.kind,
                         layout_of(p)) for p in sheet.problems]
    return render_template(env, ENTRY_TEMPLATE, sheet=sheet, problems=pages, t=strings,
                           lang=lang)


def render_pdf(sheet, output_dir: Path, lang: str | None = None,
               templates: Path | None = None) -> bytes:
    """The PDF of ``sheet``, compiled with XeLaTeX.

    When TeX fails, ``output_dir/<name>.tex`` is written (and the log beside it) for the
    user to inspect, and the InputError says where.
    """
    tex = render_sheet(sheet, lang, templates)
    tex_path = Path(output_dir) / f"{sheet.name}.tex"
    try:
        return compile_tex(tex, tex_path)
    except InputError:
        write_atomic(tex_path, tex)
        raise


def _no_figures(solution, precision) -> dict:
    return {}


@figures_for("backprop")
def _backprop_figures(solution, precision) -> dict:
    return {"network": network_diagram(solution.network, precision=precision)}


@figures_for("xor")
def _xor_figures(solution, precision) -> dict:
    # XOR weights are the design itself: show their values (the seed's figure 1).
    return {"network": network_diagram(solution.network, edge_labels="value",
                                       precision=precision),
            "plane": xor_plane((r.x1, r.x2, r.expected) for r in solution.rows)}


@figures_for("activations")
def _activations_figures(solution, precision) -> dict:
    # Seed figures 4-8: the single neurons, tanh and its derivative, ReLU/Swish/GELU.
    return activation_figures(solution, precision)
