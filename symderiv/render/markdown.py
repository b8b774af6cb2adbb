"""A solved sheet to Markdown with ``$…$`` math, through the templates ``md/*.md.j2``.

Templates lay out: ``md/sheet.md.j2`` includes ``md/<kind>.md.j2`` per problem (or
``md/other.md.j2`` for a kind without one). Their filters:

- ``math(expr)``: LaTeX of a SymPy expression, numbers rounded to the sheet's precision
  (terms in the order they were built);
- ``num(value)``: a :class:`~symderiv.solution.Number` or SymPy number at that precision;
- ``symbol(name)``: a neuron's or parameter's name as a symbol, for ``math``;
- ``json``: a problem's JSON (for kinds without a Markdown layout).

Every value a template prints passes ``finalize``: LaTeX from the printer and the
language strings (``md/lang/<lang>.toml``) pass as they are; any other text (titles, ids, statements) has
``& < >`` escaped, so a user's text cannot inject HTML into a rendered page.
"""

import html
import json
from fractions import Fraction
from pathlib import Path

import jinja2
import sympy as sp

from symderiv.errors import InputError
from symderiv.expr import symbol
from symderiv.latex import TeX, format_decimal, latex
from symderiv.render.environment import language_strings, render_template
from symderiv.resources import templates_dir
from symderiv.solution import Number

ENTRY_TEMPLATE = "md/sheet.md.j2"


class Trusted(str):
    """Markdown written by symderiv itself, printed as is."""

    __slots__ = ()


def _finalize(value):
    if isinstance(value, jinja2.Undefined):
        return str(value)  # StrictUndefined: raises UndefinedError, naming the variable
    if isinstance(value, (TeX, Trusted)):
        return value
    if isinstance(value, bool) or value is None:
        raise TypeError(f"template printed {value!r}; test it with {{% if %}} instead")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return html.escape(value, quote=False)
    raise TypeError(f"template printed a {type(value).__name__} raw; use |num or |math")


def _environment(precision: int, templates: Path | None) -> jinja2.Environment:
    folders = [str(templates_dir())]
    if templates is not None:
        if not Path(templates).is_dir():
            raise InputError("--templates", f"{templates}: not a folder")
        folders.insert(0, str(templates))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), finalize=_finalize,
                             undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

    def math(expr) -> TeX:
        return latex(expr, decimals=precision, order="none")

    def num(value) -> TeX:
        expr = value.exact if isinstance(value, Number) else sp.sympify(value, strict=True)
        if not expr.is_Rational:
            expr = sp.Rational(sp.N(expr, 30))
        return TeX(format_decimal(Fraction(int(expr.p), int(expr.q)), precision))

    env.filters.update(math=math, num=num, symbol=symbol,
                       json=lambda solution: Trusted(json.dumps(solution.to_json(),
                                                                ensure_ascii=False, indent=2)))
    return env


def render_markdown(sheet, templates: Path | None = None) -> str:
    """The Markdown of ``sheet`` (a :class:`symderiv.solution.SheetSolution`)."""
    env = _environment(sheet.precision, templates)
    strings = language_strings(env, sheet.lang, folder="md")
    kinds = {p.kind: _template_for(env, p.kind) for p in sheet.problems}
    return render_template(env, ENTRY_TEMPLATE, sheet=sheet, t=strings, templates=kinds)


def _template_for(env: jinja2.Environment, kind: str) -> str:
    name = f"md/{kind}.md.j2"
    try:
        env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return "md/other.md.j2"
    return name
