"""Formulas out of symderiv: an activation's f, f′ and f′ in its output, or a backprop
problem's loss and gradients, as LaTeX, presentation MathML, Python, NumPy, PyTorch, C99,
or all of them in one JSON object (contract §5.6).

    >>> print(export("tanh", to="python"))      # doctest: +SKIP
"""

import json
from pathlib import Path

from symderiv import __version__
from symderiv.errors import InputError

FORMATS = ("latex", "mathml", "python", "numpy", "torch", "c", "json")


def export(target, to: str, problem: str | None = None) -> str:
    """The text of ``target`` in format ``to``.

    ``target``: an activation name (``"gelu"``), a formula in one variable
    (``"z*sigmoid(1.5*z)"``), a SymPy expression, a spec-style table
    (``{"name": "swish", "beta": 1.5}``), the path of a spec file, or a loaded Sheet;
    ``problem``: the id of the spec's backprop problem (needed when it has several).
    Bad input raises :class:`InputError`.
    """
    if to not in FORMATS:
        raise InputError("--to", f"unknown format {to!r} (one of {', '.join(FORMATS)})")
    if to == "json":
        return _json(target, problem)
    return _one(to, _formulas(target, problem, for_code=to not in ("latex", "mathml")))


def _formulas(target, problem, for_code: bool):
    from symderiv.export.formulas import activation_formulas, is_spec_path, problem_formulas
    from symderiv.spec import Sheet, load_sheet

    if isinstance(target, Sheet):
        return problem_formulas(target, problem, for_code)
    if is_spec_path(target):
        return problem_formulas(load_sheet(Path(target)), problem, for_code)
    if problem is not None:
        raise InputError("--problem", "applies to a spec file; the target is an activation")
    return activation_formulas(target, for_code)


def _one(to: str, formulas) -> str:
    from symderiv.export import code, markup

    if to == "latex":
        return markup.latex_document(formulas, __version__)
    if to == "mathml":
        return markup.mathml_document(formulas, __version__)
    if to == "c":
        return code.c_source(formulas, __version__)
    return code.python_module(formulas, to, __version__)


def _json(target, problem) -> str:
    markup_forms = _formulas(target, problem, for_code=False)
    code_forms = _formulas(target, problem, for_code=True)
    texts = {to: _one(to, markup_forms if to in ("latex", "mathml") else code_forms)
             for to in FORMATS if to != "json"}
    return json.dumps({"target": code_forms.title, "source": list(code_forms.source),
                       "symderiv": __version__, "formats": texts},
                      ensure_ascii=False, indent=2) + "\n"
