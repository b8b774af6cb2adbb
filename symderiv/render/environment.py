"""The Jinja2 environment for LaTeX templates: safe delimiters, escaping, math filters.

Delimiters (nbconvert's, since ``{% %}`` and ``{{ }}`` collide with TeX braces):

    ((* block body *)) ... ((* endblock *))     statements
    ((( value )))                               values
    ((= a comment =))                           comments

Every value a template prints passes through ``finalize``: a plain ``str`` is escaped
(:func:`symderiv.render.escape.escape_tex`), a :class:`symderiv.calculus.latex.TeX` (printer
output, language strings, or what a template itself rendered: a macro, a block, a
``set`` block) is printed as is. Floats and SymPy objects must go through ``num`` or
``math``; printing one raw is a template bug and raises.

Filters:
- ``math(expr, rounded=False, **printer_settings)``: LaTeX of a SymPy expression, terms
  in the order they were built, numbers at the sheet's precision when ``rounded``;
- ``num(value, places=None, keep_zeros=False)``: a number (math mode; a SymPy number or
  a :class:`~symderiv.solution.Number`) at the precision, a Number marked ``given`` exactly;
- ``given(value)``: a number the spec gave (math mode), exactly: 0.15, \frac{1}{3};
- ``sym(name)``: a spec name as a symbol (h1 -> h_{1});
- ``inline(tex)``: math wrapped in ``$…$``;
- ``paragraphs(text)``: escaped paragraphs; ``escape_tex(text)``: escaped text;
- ``join_tex(items, sep)``: items (escaped unless TeX) joined by a template-given ``sep``;
- ``fill(string, **values)``: a language string with its ``{name}`` fields filled
  (values escaped unless TeX);
- ``width(tex)``: roughly how many characters math prints as (to break long rows).
The ``do`` extension is on, for ``((* do rows.append(x) *))``. Templates run in Jinja2's
sandbox: no access to private attributes or to Python beyond the values given.

Templates are looked up by name (``latex/base.tex.j2``) first in ``--templates DIR``,
then among the built-in templates, so a user's file overrides the built-in one of the
same name and inherits the rest.
"""

import math
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import jinja2
import sympy as sp
from jinja2.sandbox import SandboxedEnvironment

from symderiv.errors import InputError
from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import (TeX, format_given, format_number, format_significant, latex,
                                     latex_terms, rounded_zeros)
from symderiv.render.escape import escape_tex, paragraphs
from symderiv.render.template_cache import bytecode_cache
from symderiv.resources import templates_dir


_FIELD = re.compile(r"\{(\w+)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class LatexEnvironment(SandboxedEnvironment):
    """Jinja2 with LaTeX escaping of every printed value.

    Sandboxed: a ``--templates`` folder comes from a course, not from us, and must not
    reach Python (``''.__class__.__mro__`` and the like raise a SecurityError).
    """

    # What a template renders itself (a macro call, a block, a ``set`` block, the page)
    # is built from its own literal text and already-escaped values, so it is trusted:
    # marking it TeX keeps ``((( macro() )))`` from being escaped a second time.
    concat = staticmethod(lambda parts: TeX("".join(parts)))


def _finalize(value):
    if isinstance(value, TeX):
        return value
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined: raises UndefinedError naming the missing value
    if isinstance(value, str):
        return escape_tex(value)
    if isinstance(value, bool) or value is None:
        raise TypeError(f"template printed {value!r}; test it with ((* if *)) instead")
    if isinstance(value, int):
        return TeX(str(value))
    raise TypeError(f"template printed a {type(value).__name__} raw; use |num or |math")


def make_environment(precision: int = 4, templates: Path | None = None,
                     cases: tuple[str, str] | None = None) -> LatexEnvironment:
    """An environment for one sheet: numbers at ``precision``, ``templates`` searched first,
    case splits in the words ``cases`` ((when, otherwise); default SymPy's)."""
    return _environment(precision, None if templates is None else Path(templates).resolve(),
                        cases)


def case_words(strings: dict) -> tuple[str, str] | None:
    """A language's words of a case split (its ``[cases]`` table), or None."""
    words = strings.get("cases")
    return None if not words else (str(words["when"]), str(words["otherwise"]))


# Jinja2's own delimiters collide with TeX's braces; LaTeX templates use nbconvert's.
LATEX_DELIMITERS = {"block_start_string": "((*", "block_end_string": "*))",
                    "variable_start_string": "(((", "variable_end_string": ")))",
                    "comment_start_string": "((=", "comment_end_string": "=))"}


def sandboxed(environment_class: type, templates: Path | None, finalize, **options):
    """The one way symderiv makes a template environment (LaTeX or Markdown): sandboxed,
    ``templates`` searched before the built-in folder, undefined values an error,
    every printed value through ``finalize``."""
    folders = [templates_dir()]
    if templates is not None:
        if not Path(templates).is_dir():
            raise InputError("--templates", f"{templates}: not a folder")
        folders.insert(0, templates)
    options = dict(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                   undefined=jinja2.StrictUndefined, autoescape=False, **options)
    return environment_class(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]), finalize=finalize,
        bytecode_cache=bytecode_cache(environment_class, finalize, options), **options)


@lru_cache(maxsize=8)
def _environment(precision: int, templates: Path | None,
                 cases: tuple[str, str] | None = None) -> LatexEnvironment:
    env = sandboxed(LatexEnvironment, templates, _finalize, **LATEX_DELIMITERS,
                    # ((* do list.append(x) *)) to collect a row's parts
                    extensions=["jinja2.ext.do"])

    def math(expr, rounded=False, **settings) -> TeX:
        # order="none": terms in the order they were built (w5 - eta*g, not -eta*g + w5),
        # as a teacher writes them. Case splits in the sheet's words.
        settings.setdefault("order", "none")
        if cases is not None:
            settings.setdefault("cases_words", cases)
        return latex(expr, decimals=precision, **settings) if rounded else latex(expr,
                                                                                **settings)

    def math_lines(expr, rounded=False, **settings) -> TeX:
        # a sum too wide for the line, broken between its terms into rows of an align*
        whole = math(expr, rounded, **settings)
        if typeset_width(whole) <= LINE_WIDTH:
            return whole
        settings.setdefault("order", "none")
        if cases is not None:
            settings.setdefault("cases_words", cases)
        if rounded:
            settings["decimals"] = precision
        if isinstance(expr, sp.Mul) and isinstance(expr.args[-1], sp.Add):
            # f'(z) (w δ + w δ + …): the sum in \Bigl( \Bigr), which may break across rows
            # (a \left( … \right) pair may not)
            head = expr.args[:-1]
            head_tex = latex(sp.Mul(*head, evaluate=False) if len(head) > 1 else head[0],
                             **settings)
            if len(head) == 1 and head[0].is_Add:
                head_tex = rf"\left({head_tex}\right)"
            inner = ROW_BREAK.join(_lines(latex_terms(expr.args[-1], **settings),
                                          typeset_width(head_tex)))
            return TeX(rf"{head_tex} \Bigl({inner}\Bigr)")
        return TeX(ROW_BREAK.join(_lines(_breakable(latex_terms(expr, **settings)))))

    def num(value, places=None, keep_zeros=False) -> TeX:
        # at the sheet's precision a value (never 0.0000 unless it is 0); at places given
        # in a figure, a coordinate (always in fixed point, for TikZ)
        nonzero = places is None
        places = precision if places is None else places
        return TeX(number_text(value, places, keep_zeros, nonzero))

    def given(value) -> TeX:
        # A value the spec gave (an input, a target, η): exact whatever the precision
        # (η = 0.1 stays 0.1 at precision 0; 1/3 is \frac{1}{3}).
        return TeX(format_given(getattr(value, "exact", value), precision))

    def significant(value) -> TeX:
        # Optimiser states and settings span many magnitudes (v ≈ 10^{-6}, ε = 10^{-8}):
        # `precision` significant digits, not decimals that would print 0.
        return TeX(format_significant(getattr(value, "exact", value), precision))

    def join_tex(items, sep=", ") -> TeX:
        return TeX(str(sep).join(_finalize(item) for item in items))

    def sym(name) -> TeX:
        # A spec name (identifier) as a symbol: h1 -> h_{1}. Anything else is text.
        if isinstance(name, str) and _IDENTIFIER.match(name):
            return latex(symbol(name))
        return TeX(rf"\text{{{escape_tex(str(name))}}}")

    def inline(value) -> TeX:
        return TeX(f"${_finalize(value)}$")

    def fill(string, **values) -> TeX:
        return TeX(fill_fields(string, _finalize, values))

    env.filters.update(math=math, math_lines=math_lines, num=num, significant=significant, given=given, sym=sym, paragraphs=paragraphs, join_tex=join_tex,
                       fill=fill, inline=inline, escape_tex=escape_tex,
                       width=typeset_width)
    env.globals["precision"] = precision
    return env


LINE_WIDTH = 64            # about the characters of math a row of an align* holds
ROW_BREAK = r" \\" + "\n  &\\quad "   # a new row of the align*, under the first


def _breakable(terms) -> list[str]:
    """Terms, a term too wide for a row split into its factors (a chain of twenty
    ∂-fractions, or their twenty numbers, breaks between two of them)."""
    return [piece for term in terms
            for piece in (_factors(term) if typeset_width(term) > LINE_WIDTH else [term])]


_FACTOR_START = re.compile(r" (?=\\cdot |\\frac\{)")


def _factors(tex: str) -> list[str]:
    """Printed product ``tex`` cut before each \\cdot and \\frac outside braces and
    \\left…\\right: pieces that, joined, are ``tex``."""
    cuts, depth, i = [0], 0, 0
    while i < len(tex):
        if tex.startswith(r"\left", i):
            depth += 1
        elif tex.startswith(r"\right", i):
            depth -= 1
        elif tex[i] == "{":
            depth += 1
        elif tex[i] == "}":
            depth -= 1
        elif (depth == 0 and i > 0 and _FACTOR_START.match(tex, i)
              and not tex.endswith(r"\cdot", 0, i)):
            cuts.append(i)
        i += 1
    return [tex[a:b] for a, b in zip(cuts, cuts[1:] + [len(tex)])]


def _lines(terms, indent: float = 0) -> list[str]:
    """Terms (each with its sign) gathered into lines of at most LINE_WIDTH (the first
    after ``indent``)."""
    lines, current = [], ""
    for term in terms:
        if current and typeset_width(current + term) + (0 if lines else indent) > LINE_WIDTH:
            lines.append(current)
            current = term.lstrip()   # "+ 0.42 \cdot 0.9" under the first line
            continue
        current += term
    lines.append(current)
    return lines


_FRAC = re.compile(r"\\frac\{((?:[^{}]|\{[^{}]*\})*)\}\{((?:[^{}]|\{[^{}]*\})*)\}")
_SCRIPT = re.compile(r"[_^]\{([^{}]*)\}|[_^](.)")
# printed as nothing (\left, \right) or as their argument (\mathit{num} is "num")
_SPACING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg|operatorname|mathrm|mathit|text)\b")
_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")
_OPERATOR = re.compile(r"[=+<>-]|\\(?:cdot|times|leq|geq|approx)\b")


def typeset_width(tex) -> float:
    """Roughly how wide math ``tex`` prints, in characters: for breaking long rows.

    A fraction counts its wider part, sub- and superscripts count 0.6 a character, a
    command (\\sigma, \\cdot) one; braces and \\left/\\right nothing.
    """
    text = str(tex)
    while True:  # innermost fractions first
        # a fraction takes its wider part and a little space either side (rounded up)
        folded = _FRAC.sub(lambda m: "x" * math.ceil(max(typeset_width(m[1]),
                                                         typeset_width(m[2])) + 0.3), text)
        if folded == text:
            break
        text = folded
    scripts = sum(0.6 * len(_COMMAND.sub("x", m[1] or m[2])) for m in _SCRIPT.finditer(text))
    text = _SCRIPT.sub("", text)
    # braces go last: removed first, \mathit{num} would read as one command \mathitnum
    text = _COMMAND.sub("x", _SPACING.sub("", text)).replace("{", "").replace("}", "")
    # a relation or binary operator prints with space either side: as wide as two letters
    operators = len(_OPERATOR.findall(text))
    return len(text.replace(" ", "")) + scripts + operators


def number_text(value, places: int, keep_zeros: bool = False, nonzero: bool = False) -> str:
    """The text of a number at ``places``: a :class:`~symderiv.solution.Number` marked
    ``given`` exactly as the spec gave it, anything else rounded (quickly, whatever its
    size: :func:`symderiv.calculus.latex.format_number`)."""
    if getattr(value, "given", False):
        return format_given(value.exact, places)
    if isinstance(getattr(value, "exact", value), sp.MatrixBase):   # a layer's matrix
        return latex(getattr(value, "exact", value), decimals=places)
    exact = getattr(value, "exact", value)
    return format_number(exact, places, keep_zeros or rounded_zeros(exact), nonzero)


def fill_fields(string, finalize, values: dict) -> str:
    """A language string with its ``{name}`` fields filled by ``finalize(value)``.

    Only ``{name}`` for a given name is a field: TeX's own braces stay as they are.
    """
    filled = {k: finalize(v) for k, v in values.items()}
    return _FIELD.sub(lambda m: filled.get(m[1], m[0]), str(string))


def render_template(env: jinja2.Environment, name: str, **context) -> str:
    """Render template ``name``; a broken or missing template is an InputError (exit 2)."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise InputError(f"{e.filename or e.name}:{e.lineno}", f"template: {e.message}") from None
    except jinja2.TemplateNotFound as e:
        raise InputError("templates", f"no template named {e.name!r}") from None
    except (jinja2.UndefinedError, jinja2.TemplateRuntimeError) as e:  # incl. SecurityError
        raise InputError("templates", f"template error: {e}") from None


def language_strings(env: jinja2.Environment, lang: str, folder: str = "latex") -> dict:
    """The strings of ``lang`` (``<folder>/lang/<lang>.toml``, overridable), all trusted TeX."""
    name = f"{folder}/lang/{lang}.toml"
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        raise InputError("--lang", f"no language strings for {lang!r} ({name})") from None
    try:
        return _trusted(tomllib.loads(source))
    except tomllib.TOMLDecodeError as e:
        raise InputError(filename, f"bad TOML: {e}") from None


def _trusted(value):
    # Language files sit beside the templates and are written by the same hands: trusted.
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    return TeX(value) if isinstance(value, str) else value
