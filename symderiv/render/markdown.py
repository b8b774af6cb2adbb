"""A solved sheet to Markdown with ``$…$`` math, through the templates ``md/*.md.j2``.

Templates lay out: ``md/sheet.md.j2`` includes ``md/<kind>.md.j2`` per problem (or
``md/other.md.j2`` for a kind without one), which sees the problem as ``p`` and its
layout (:mod:`symderiv.render.layouts`) as ``layout``. Their filters:

- ``math(expr)``: LaTeX of a SymPy expression, numbers rounded to the sheet's precision
  (terms in the order they were built);
- ``num(value)``: a :class:`~symderiv.solution.Number` or SymPy number at that precision
  (a Number marked ``given`` exactly);
- ``given(value)``: a number the spec gave, exactly (0.15, \\frac{1}{3});
- ``significant(value)``: four significant digits (math mode; 8.738 \\times 10^{-21});
- ``symbol(name)``: a neuron's or parameter's name as a symbol, for ``math``;
- ``fill(string, name=value, ...)``: a language string with its ``{name}`` fields filled;
- ``paragraphs(text)``: user text as escaped paragraphs;
- ``join_tex(items, sep)``: items (escaped unless trusted) joined by ``sep``;
- ``json``: a problem's JSON (for kinds without a Markdown layout).

Every value a template prints passes ``finalize``: LaTeX from the printer, the language
strings (``md/lang/<lang>.toml``) and what the filters above build pass as they are; any
other text (titles, ids, statements) is escaped (:func:`~symderiv.render.escape.escape_markdown`),
so a user's ``*bold*``, ``[x](javascript:…)``, ``$…$`` or ``<b>`` prints as those
characters. Templates run in Jinja2's sandbox (a ``--templates`` folder cannot reach Python).
"""

import json
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import (TeX, format_given, format_significant, latex,
                                     rounded_zeros)
from symderiv.render.environment import (case_words, fill_fields, language_strings,
                                          number_text, render_template, sandboxed)
from symderiv.render.escape import escape_markdown, markdown_paragraphs
from symderiv.render.layouts import layout_of
from symderiv.solution import Number

ENTRY_TEMPLATE = "md/sheet.md.j2"
PROBLEMS_TEMPLATE = "md/problems.md.j2"
SIGNIFICANT = 4   # digits of a value shown to significant digits (tiny gradients, losses)


class Trusted(str):
    """Markdown written by symderiv itself, printed as is."""

    __slots__ = ()


class MarkdownEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox; what a template renders itself (a macro call, a block, the page)
    is built from its own text and already-escaped values, so it is Trusted."""

    concat = staticmethod(lambda parts: Trusted("".join(parts)))
    cases_words: tuple[str, str] | None = None   # the language's words of a case split


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
        return escape_markdown(value)
    raise TypeError(f"template printed a {type(value).__name__} raw; use |num or |math")


def _environment(precision: int, templates: Path | None) -> jinja2.Environment:
    env = sandboxed(MarkdownEnvironment, templates, _finalize)

    def math(expr, **settings) -> TeX:
        # a case split in the sheet's language (ReLU′: 1 若 z > 0, 0 其他), as in LaTeX
        if env.cases_words is not None:
            settings.setdefault("cases_words", env.cases_words)
        return latex(expr, decimals=precision, order="none", **settings)

    def num(value) -> TeX:
        return TeX(number_text(value, precision, nonzero=True))

    def given(value) -> TeX:
        return TeX(format_given(_exact(value), precision))

    def significant(value) -> TeX:
        # a rounded value shows all its digits (1.290), as the LaTeX sheet does
        exact = _exact(value)
        return TeX(format_significant(exact, SIGNIFICANT, keep_zeros=rounded_zeros(exact)))

    def fill(string, **values) -> Trusted:
        return Trusted(fill_fields(string, _finalize, values))

    def join_tex(items, sep=", ") -> Trusted:
        return Trusted(str(sep).join(_finalize(item) for item in items))

    def paragraphs(text) -> Trusted:
        return Trusted("\n\n".join(markdown_paragraphs(text)))

    env.filters.update(math=math, num=num, given=given, significant=significant,
                       symbol=symbol, fill=fill, join_tex=join_tex,
                       paragraphs=paragraphs,
                       json=lambda solution: Trusted(json.dumps(solution.to_json(),
                                                                ensure_ascii=False, indent=2)))
    return env


def _exact(value):
    return value.exact if isinstance(value, Number) else value


def render_markdown(sheet, templates: Path | None = None) -> str:
    """The Markdown of ``sheet`` (a :class:`symderiv.solution.SheetSolution`)."""
    return _render(ENTRY_TEMPLATE, sheet, templates)


def render_problems(sheet, templates: Path | None = None) -> str:
    """The Markdown of ``sheet``'s problems alone (no title): what a notebook shows."""
    return _render(PROBLEMS_TEMPLATE, sheet, templates)


def _render(template: str, sheet, templates: Path | None) -> str:
    env = _environment(sheet.precision, templates)
    strings = language_strings(env, sheet.lang, folder="md")
    env.cases_words = case_words(strings)
    kinds = {p.kind: _template_for(env, p.kind) for p in sheet.problems}
    layouts = [layout_of(p) for p in sheet.problems]
    return render_template(env, template, sheet=sheet, problems=sheet.problems, t=strings,
                           templates=kinds, layouts=layouts)


def _template_for(env: jinja2.Environment, kind: str) -> str:
    name = f"md/{kind}.md.j2"
    try:
        env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return "md/other.md.j2"
    return name
