"""The library (contract §5.1): every command is one of these calls first.

Wherever a spec or a command takes a formula or a number, these calls also take a SymPy
object: it is a value from Python code, not text, and it is never sympified, but it is
held to the same bounds as parsed text (size, depth, numbers, known functions) before
anything heavy touches it. Bad input raises :class:`InputError` (a ``ValueError``) whose
message is the command line's ``symderiv: error: <where>: <what>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from os import PathLike
from typing import TYPE_CHECKING, Iterable

from symderiv.errors import InputError

if TYPE_CHECKING:   # SymPy (and what needs it) loads on the first call, not on import
    import sympy as sp

    from symderiv.results import CheckReport, Derivation, Solution, Solutions, Verification
    from symderiv.spec import Sheet

BUILTIN_SHEET = "hw6.toml"
FORMATS = ("tex", "md", "json")
MAX_TIMEOUT = 3600.0

__all__ = ["load", "loads", "sheet", "solve", "render", "derive", "verify", "check",
           "export", "InputError"]


# -- sheets ---------------------------------------------------------------------------------

def load(path: str | PathLike | None = None) -> Sheet:
    """The validated sheet of the TOML spec at ``path`` (contract §1); without a path,
    the built-in homework-6 sheet (``examples/hw6.toml``)."""
    from symderiv.spec import load_sheet, load_sheet_text

    if path is None:
        from symderiv.resources import examples_dir

        text = (examples_dir() / BUILTIN_SHEET).read_text(encoding="utf-8")
        return load_sheet_text(text, BUILTIN_SHEET)
    return load_sheet(path)


def loads(text: str, name: str = "sheet.toml") -> Sheet:
    """The validated sheet of spec ``text`` (TOML); ``name`` stands for its file name in
    errors, and its stem names the outputs."""
    from symderiv.spec import load_sheet_text

    if not isinstance(text, str):
        raise InputError(name, f"expected TOML text, got {type(text).__name__}")
    return load_sheet_text(text, name)


def sheet(data: Mapping, name: str = "sheet") -> Sheet:
    """The validated sheet of a spec given as Python data in the TOML's shape::

        sd.sheet({"sheet": {"precision": 4}, "problem": [{"id": "4", "kind": "backprop", ...}]})

    Any number may be a SymPy number (``sp.Rational(3, 20)``, ``sp.sqrt(2)/2``) and any
    activation a SymPy expression in ``z`` or a one-variable ``sp.Lambda``. Validation and
    error places are the TOML loader's (``sheet: problem[1].network.weights.w5: …``).
    """
    from symderiv.spec import load_sheet_data

    if not isinstance(data, Mapping):
        raise InputError(name, f"expected a table (a dict) with 'sheet' and 'problem', got "
                               f"{type(data).__name__}")
    return load_sheet_data(data, name)


def solve(sheet: Sheet, lang: str | None = None) -> Solutions:
    """Every problem of ``sheet`` solved: a list of :class:`~symderiv.results.Solution` in
    problem order (``s.to_json()`` is the problem's object of contract §3), with titles
    and statements in ``lang`` (default: the sheet's)."""
    from symderiv.problems import solve_sheet
    from symderiv.results import Solutions
    from symderiv.spec import Sheet

    if not isinstance(sheet, Sheet):
        raise TypeError(f"solve() takes a sheet from sd.load, sd.loads or sd.sheet, not "
                        f"{type(sheet).__name__}")
    if lang is not None:
        _check_lang(lang)
    return Solutions(solve_sheet(sheet, lang))


def render(sheet_or_solutions: Sheet | Solutions | Solution | Iterable[Solution],
           format: str = "tex", lang: str | None = None, templates: str | PathLike | None = None,
           questions_only: bool = False) -> str:
    """The document as a string: a whole LaTeX file (``"tex"``), Markdown with ``$…$``
    math (``"md"``) or the JSON of ``solve --format json`` (``"json"``).

    Takes a sheet (solved here), what :func:`solve` returned, or some of its solutions.
    ``lang`` sets the language of the sheet's own words (default: the sheet's);
    ``templates`` is a folder searched before the built-in templates; ``questions_only``
    leaves the solutions out (LaTeX only: the other formats are the answers).
    """
    if format not in FORMATS:
        raise InputError("format", f"unknown format {format!r}; formats: {', '.join(FORMATS)}")
    if questions_only and format != "tex":
        raise InputError("questions_only", f"writes tex only; {format} would hold the answers")
    solved = _sheet_solution(sheet_or_solutions, lang)
    if lang is not None:
        _check_lang(lang)
        solved = dataclasses.replace(solved, lang=lang)
    folder = _templates(templates)
    if format == "tex":
        from symderiv.render.latex_sheet import render_sheet

        return render_sheet(solved, templates=folder, questions_only=questions_only)
    if format == "md":
        from symderiv.render.markdown import render_markdown

        return render_markdown(solved, folder)
    import json

    return json.dumps(solved.to_json(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _check_lang(lang: str) -> None:
    from symderiv.spec import LANGS

    if lang not in LANGS:
        raise InputError("lang", f"unknown language {lang!r}; use one of {', '.join(LANGS)}")


def _sheet_solution(value, lang: str | None):
    """The SheetSolution behind a sheet, a solve() result or some of its solutions."""
    from symderiv.results import Solution, Solutions
    from symderiv.spec import Sheet

    if isinstance(value, Sheet):
        return solve(value, lang).sheet
    if isinstance(value, Solutions):
        return value.sheet
    if isinstance(value, Solution):
        return value.alone()
    items = list(value) if isinstance(value, Iterable) else None
    if not items or not all(isinstance(s, Solution) for s in items):
        raise TypeError("render() takes a sheet, what solve() returned, or solutions from it")
    return dataclasses.replace(items[0]._sheet, problems=tuple(s._solution for s in items))


def _templates(folder):
    from pathlib import Path

    if folder is None:
        return None
    if not Path(folder).is_dir():
        raise InputError("templates", f"{folder}: not a folder")
    return Path(folder)


# -- formulas ---------------------------------------------------------------------------------

def derive(name_or_expr: str | sp.Expr | sp.Lambda, wrt: str | sp.Symbol | None = None
           ) -> Derivation:
    """f, f′ and f′ written in the output a = f(z), each checked.

    ``name_or_expr`` is a registry name (``"tanh"``, ``"swish"``: parameters stay
    symbolic), a formula (``"x*sigmoid(beta*x)"``), a SymPy expression or a one-variable
    ``sp.Lambda``. ``wrt`` names the variable (default z, x, or the only one).
    """
    import sympy as sp

    from symderiv.calculus import activations
    from symderiv.results import Derivation

    if isinstance(wrt, sp.Symbol):
        wrt = wrt.name
    if wrt is not None and not isinstance(wrt, str):
        raise InputError("--wrt", f"expected a variable name, got {type(wrt).__name__}")
    if isinstance(name_or_expr, str):
        return Derivation.of(activations.derive(name_or_expr, wrt))
    if not isinstance(name_or_expr, (sp.Expr, sp.Lambda)):
        raise InputError("EXPR", f"expected an activation name, a formula or a SymPy "
                                 f"expression, got {type(name_or_expr).__name__}")
    d = Derivation.of(activations.derive_sympy(name_or_expr, wrt))
    # symderiv works in real symbols; the caller gets back the symbols it passed, so that
    # d.df.subs(z, 0.5) works with its own z.
    back = _callers_symbols(name_or_expr)
    return dataclasses.replace(d, variable=back.get(d.variable, d.variable),
                               f=d.f.xreplace(back), df=d.df.xreplace(back),
                               df_in_output=None if d.df_in_output is None
                               else d.df_in_output.xreplace(back))


def _callers_symbols(expr) -> dict:
    """symderiv's real symbol -> the caller's symbol of the same name."""
    from symderiv.calculus.expr import symbol

    symbols = expr.free_symbols | set(getattr(expr, "variables", ()))
    return {symbol(s.name): s for s in symbols if s.name.isidentifier()}


def verify(lhs: str | sp.Expr, rhs: str | sp.Expr, timeout: float = 10) -> Verification:
    """Whether ``lhs`` and ``rhs`` (formulas or SymPy expressions) are equal for all real
    values of their variables: ``.equal`` True (proved), False (``.counterexample``) or
    None (undecided within ``timeout`` seconds); ``.method`` says how."""
    from symderiv.calculus.verify import decide
    from symderiv.results import Verification

    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or not 0 < timeout <= MAX_TIMEOUT:
        raise InputError("timeout", f"{timeout!r} is not a number of seconds in "
                                      f"(0, {MAX_TIMEOUT:g}]")
    left, right = formula(lhs, "LHS"), formula(rhs, "RHS")
    verdict = decide(left, right, timeout=timeout)
    back = {**_callers_symbols(_sympy_or_none(lhs)), **_callers_symbols(_sympy_or_none(rhs))}
    return Verification(verdict.equal, verdict.method, verdict.counterexample,
                        left.xreplace(back), right.xreplace(back))


def _sympy_or_none(value):
    import sympy as sp

    return value if isinstance(value, sp.Basic) else sp.S.Zero


def formula(value, where: str = "formula") -> sp.Expr:
    """A formula's text (parsed safely) or a SymPy expression (bounded) as SymPy."""
    import sympy as sp

    from symderiv.calculus.expr import from_sympy, parse_formula

    if isinstance(value, sp.Basic):
        return from_sympy(value, where)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from symderiv.calculus.expr import exact_number

        return exact_number(value, where)
    return parse_formula(value, where)


# -- check -------------------------------------------------------------------------------------

def check(text: str, given: Mapping[str, object] | None = None, *, spec=None,
          problem: str | None = None, filename: str = "") -> CheckReport:
    """Check every equation chain ``a = b = c`` of a worked solution (Markdown, LaTeX or
    plain text with ``$…$`` math), each ``=`` judged on its own (contract §2).

    ``given`` gives names the document uses without a value (``{"w5": 0.3, "a":
    "tanh(z)"}``; names as the report writes them, or in LaTeX: ``w_5``, ``\\beta``).
    ``spec`` (a sheet from ``load``, or a spec's path) grades every quantity the document
    states against its backprop problem (``problem``: its id, where there are several), as
    ``symderiv check --spec`` does. ``filename`` (its extension) tells LaTeX from Markdown
    where the text does not.
    """
    from symderiv.check.grade import check as grade
    from symderiv.results import CheckReport

    if not isinstance(text, str):
        raise InputError("DOC", f"expected the document's text, got {type(text).__name__}")
    values = dict(given_value(name, value, f"given[{name!r}]")
                  for name, value in (given or {}).items())
    return CheckReport(grade(text, values, spec=spec, problem=problem, filename=filename))


def given_value(name: str, value, where: str) -> tuple[str, sp.Expr]:
    """A ``given`` entry as (the reader's name, its SymPy value): LaTeX-ish names (w_5,
    \\beta, β) are normalized as the report writes them (w5, beta)."""
    import re

    if not isinstance(name, str):
        raise InputError(where, f"a name is a string, got {type(name).__name__}")
    name = _normalize_name(name)
    if not re.match(r"^[A-Za-z][A-Za-z0-9_']*[+*]?$|^d[A-Za-z0-9_']+/d[A-Za-z0-9_']+$", name):
        raise InputError(where, f"'{name}' is not a name")
    return name, formula(value, where)


def _normalize_name(name: str) -> str:
    """w_5 -> w5, w_{5}' -> w5', \\beta -> beta, β -> beta (the reader's naming)."""
    from symderiv.check.texmath import Context, Unreadable, lex, read

    name = name.strip()
    if "/" in name:
        return name.replace("_", "").replace("{", "").replace("}", "").replace("\\partial", "d")
    try:
        value = read(lex(name), Context())
    except Unreadable:
        return name
    return getattr(value, "name", name)


# -- export --------------------------------------------------------------------------------------

def export(target, to: str, problem: str | None = None) -> str:
    """The text ``symderiv export`` writes (contract §5.6): ``target`` is an activation
    name, formula or SymPy expression (f, f′ and f′ in the output), or a sheet with
    ``problem`` naming one of its problems (its loss and asked gradients in closed form);
    ``to`` is ``latex``, ``mathml``, ``python``, ``numpy``, ``torch``, ``c`` or ``json``."""
    from symderiv.export import export as export_text

    return export_text(target, to, problem)
