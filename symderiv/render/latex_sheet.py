"""A solved sheet (symderiv.solution.SheetSolution) to LaTeX, through the templates.

The entry template is ``latex/sheet.tex.j2``; each problem is laid out by
``latex/<kind>.tex.j2`` with the figures its kind's builder made (plain data), the builder
that :mod:`symderiv.kinds` names.
"""

from pathlib import Path

from symderiv.records import dataclass
from symderiv.errors import InputError
from symderiv.files import write_atomic
from symderiv.kinds import KINDS
from symderiv.render.environment import (case_words, language_strings, make_environment,
                                         render_template)
from symderiv.render.figures import network_diagram, xor_plane
from symderiv.render.layouts import layout_of
from symderiv.render.pdf import compile_tex

ENTRY_TEMPLATE = "latex/sheet.tex.j2"
PROBLEMS_TEMPLATE = "latex/problems.tex.j2"


@dataclass(frozen=True)
class ProblemPage:
    """What a problem's template gets: the solution, its figures, its layout (plain data
    arranged for the templates, or None: :mod:`symderiv.render.layouts`), its kind."""

    solution: object
    figures: dict
    kind: str
    layout: object = None


def render_sheet(sheet, lang: str | None = None, templates: Path | None = None,
                 questions_only: bool = False, entry: str = ENTRY_TEMPLATE, **context) -> str:
    """The LaTeX source of ``sheet`` in ``lang`` (default: the sheet's own), through the
    template ``entry``; ``questions_only`` leaves the solutions out."""
    lang = lang or sheet.lang
    env = make_environment(sheet.precision, templates)
    strings = language_strings(env, lang)
    env = make_environment(sheet.precision, templates, case_words(strings))
    pages = [ProblemPage(p, figures_of(p, sheet.precision), p.kind, layout_of(p))
             for p in sheet.problems]
    return render_template(env, entry, sheet=sheet, problems=pages, t=strings,
                           lang=lang, questions_only=questions_only, **context)


def render_problems(sheet, lang: str | None = None, templates: Path | None = None) -> str:
    """The LaTeX of ``sheet``'s problems alone, as the sheet prints them (no preamble,
    no title): what a notebook shows for a solution."""
    return render_sheet(sheet, lang, templates, entry=PROBLEMS_TEMPLATE)


def render_pdf(sheet, output_dir: Path, lang: str | None = None,
               templates: Path | None = None, questions_only: bool = False) -> bytes:
    """The PDF of ``sheet``, compiled with XeLaTeX.

    When TeX fails, ``output_dir/<name>.tex`` is written (and the log beside it) for the
    user to inspect, and the InputError says where.
    """
    tex = render_sheet(sheet, lang, templates, questions_only)
    tex_path = Path(output_dir) / f"{sheet.name}.tex"
    try:
        return compile_tex(tex, tex_path)
    except InputError:
        write_atomic(tex_path, tex)
        raise


def figures_of(solution, precision: int) -> dict:
    """The figures of one problem's solution, built by its kind's builder."""
    kind = KINDS.get(solution.kind)
    builder = None if kind is None else kind.figure_builder()
    return {} if builder is None else builder(solution, precision)


def backprop_figures(solution, precision) -> dict:
    return {"network": network_diagram(solution.network, precision=precision)}


def xor_figures(solution, precision) -> dict:
    # XOR weights are the design itself: their values (the seed's figure 1), with the names
    # the formulas under the figure use (w_1 = 1).
    return {"network": network_diagram(solution.network, edge_labels="both",
                                       precision=precision),
            "plane": xor_plane((r.x1, r.x2, r.expected) for r in solution.rows)}
