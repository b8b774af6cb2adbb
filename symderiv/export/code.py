"""Python, NumPy and PyTorch modules, and C99 source, from :class:`Formulas`.

An activation gives ``f(z)``, ``df(z)`` and, where one exists, ``df_from_output(a)``.
A problem gives ``loss(**kw)``, ``grad_<p>(**kw)`` and ``gradients(**kw)``, all through one
private function whose keywords default to the spec's values and which computes the
shared subexpressions once (in C: ``loss(args)`` with ``symderiv_args`` and its
``symderiv_defaults``). The text depends on the input only: no timestamp.
"""

from typing import Callable

import sympy as sp

from symderiv.records import dataclass
from symderiv.errors import InputError
from symderiv.export.formulas import Formulas, Program
from symderiv.export.printers import (CExportPrinter, NumPyExportPrinter, PythonPrinter,
                                      torch_printer_class, MODULE_ALIASES)

INDENT = "    "


@dataclass(frozen=True)
class Language:
    name: str          # as the header says it
    printer: Callable  # () -> a fresh printer
    helpers: dict      # helper name -> (source, modules it needs)
    converts: bool = False  # PyTorch: arguments become float64 tensors first
    module: str = "math"
    broadcast: str = ""     # a constant result in the argument's shape (arrays, tensors)
    # NumPy computes every branch of a piecewise formula: ELU's e^z overflows at z = 800 in
    # the branch that is then not taken. The result is right; the warning is noise.
    guard: str = ""


PYTHON_HELPERS = {
    "sigmoid": ('''def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + _math.exp(-x))
    e = _math.exp(x)
    return e / (1.0 + e)''', {"math"}),
    "softplus": ('''def _softplus(x):
    return max(x, 0.0) + _math.log1p(_math.exp(-abs(x)))''', {"math"}),
    "sech2": ('''def _sech2(x):
    e = _math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2''', {"math"}),
    "Phi": ('''def _Phi(x):
    return 0.5 * _math.erfc(-x / _math.sqrt(2.0))''', {"math"}),
    "phi": ('''def _phi(x):
    return _math.exp(-0.5 * x * x) / _math.sqrt(2.0 * _math.pi)''', {"math"}),
}

NUMPY_HELPERS = {
    "sigmoid": ('''def _sigmoid(x):
    return _np.exp(-_np.logaddexp(0.0, -x))''', {"numpy"}),
    "softplus": ('''def _softplus(x):
    return _np.logaddexp(0.0, x)''', {"numpy"}),
    "sech2": ('''def _sech2(x):
    e = _np.exp(-2.0 * _np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2''', {"numpy"}),
    "erf": ("_erf = _np.vectorize(_math.erf, otypes=[float])", {"numpy", "math"}),
    "erfc": ("_erfc = _np.vectorize(_math.erfc, otypes=[float])", {"numpy", "math"}),
    "Phi": ('''def _Phi(x):
    return 0.5 * _erfc(-_np.asarray(x, dtype=float) / _math.sqrt(2.0))''',
            {"numpy", "math"}),
    "phi": ('''def _phi(x):
    return _np.exp(-0.5 * x * x) / _math.sqrt(2.0 * _math.pi)''', {"numpy", "math"}),
}

TORCH_HELPERS = {
    "sech2": ('''def _sech2(x):
    e = _torch.exp(-2.0 * _torch.abs(x))
    return 4.0 * e / (1.0 + e) ** 2''', {"torch"}),
    "phi": ('''def _phi(x):
    return _torch.exp(-0.5 * x * x) / _math.sqrt(2.0 * _math.pi)''', {"torch", "math"}),
}
TORCH_TENSOR = '''def _tensor(x):
    return x if isinstance(x, _torch.Tensor) else _torch.tensor(x, dtype=_torch.float64)'''

C_HELPERS = {
    "sigmoid": ('''static double symderiv_sigmoid(double x)
{
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    const double e = exp(x);
    return e / (1.0 + e);
}''', set()),
    "softplus": ('''static double symderiv_softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}''', set()),
    "sech2": ('''static double symderiv_sech2(double x)
{
    const double e = exp(-2.0 * fabs(x));
    return 4.0 * e / ((1.0 + e) * (1.0 + e));
}''', set()),
    "Phi": ('''static double symderiv_Phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}''', set()),
    "phi": ('''static double symderiv_phi(double x)
{
    return exp(-0.5 * x * x) / sqrt(2.0 * acos(-1.0));
}''', set()),
}

LANGUAGES = {
    "python": Language("Python (standard library math only)", PythonPrinter, PYTHON_HELPERS),
    "numpy": Language("NumPy (elementwise: arguments may be arrays)", NumPyExportPrinter,
                      NUMPY_HELPERS, module="numpy",
                      guard='@_np.errstate(over="ignore")',
                      broadcast="_np.full_like(_np.asarray({x}, dtype=float), {value})"),
    "torch": Language("PyTorch (float64 tensors, differentiable by autograd)",
                      lambda: torch_printer_class()(), TORCH_HELPERS, converts=True,
                      module="torch",
                      broadcast="_torch.full_like({x}, {value})"),
}


def header_lines(formulas: Formulas, what: str, version: str, notes=()) -> list[str]:
    """The header every file starts with: what it is, the source formulas, the version.
    Each line is one line: a problem id or file name with a line break in it must not
    end the comment and start code."""
    lines = [f"symderiv export: {formulas.title}, as {what}", *formulas.source, *notes,
             f"symderiv {version}"]
    return [" ".join(line.split()) for line in lines]


def python_module(formulas: Formulas, fmt: str, version: str) -> str:
    lang = LANGUAGES[fmt]
    printer = lang.printer()
    blocks, notes = _written(formulas.programs,
                             lambda p: _python_program(p, formulas.kind, printer, lang))
    if formulas.kind == "problem":
        blocks += _python_wrappers(formulas.programs[0])
    helpers = [lang.helpers[h] for h in sorted(printer.helpers)]
    modules = set(printer.modules) | {m for _, needs in helpers for m in needs}
    if lang.converts:
        modules.add("torch")
        helpers.insert(0, (TORCH_TENSOR, {"torch"}))
    imports = [f"import {m} as {MODULE_ALIASES[m]}" for m in sorted(modules)]
    head = "\n".join("# " + line for line in header_lines(formulas, lang.name, version, notes))
    parts = [head + "\n\n" + "\n".join(imports) if imports else head,
             *[source for source, _ in helpers], *blocks]
    return "\n\n\n".join(parts) + "\n"


def _python_program(program: Program, kind: str, printer, lang: Language) -> str:
    names = [printer._print(a.symbol) for a in program.arguments]
    body = [f"{n} = _tensor({n})" for n in names] if lang.converts else []
    body += [f"{printer._print(t)} = {_code(printer, e)}" for t, e in program.temporaries]
    if kind == "problem":
        signature = "_evaluate(*, " + ", ".join(
            f"{n}={a.default!r}" for n, a in zip(names, program.arguments)) + ")"
        returned = "{" + ", ".join(f'"{r.name}": {_code(printer, r.value)}'
                                   for r in program.results) + "}"
    else:
        (result,) = program.results
        signature = f"{result.name}({', '.join(names)})"
        returned = _code(printer, result.value)
        if lang.broadcast and not result.value.free_symbols:  # linear's f' = 1, per element
            returned = lang.broadcast.format(x=names[0], value=returned)
            printer.modules.add(lang.module)
    body.append(f"return {returned}")
    decorator = ""
    if lang.guard and any(e.has(sp.Piecewise) for e in _values(program)):
        decorator = lang.guard + "\n"
        printer.modules.add(lang.module)
    return f"{decorator}def {signature}:\n" + "\n".join(INDENT + line for line in body)


def _values(program: Program):
    yield from (e for _, e in program.temporaries)
    yield from (r.value for r in program.results)


def _python_wrappers(program: Program) -> list[str]:
    wrappers = [f'def {r.name}(**kw):\n{INDENT}return _evaluate(**kw)["{r.name}"]'
                for r in program.results]
    grads = ", ".join(f'"{r.name[5:]}": values["{r.name}"]' for r in program.results
                      if r.name.startswith("grad_"))
    wrappers.append(f"def gradients(**kw):\n{INDENT}values = _evaluate(**kw)\n"
                    f"{INDENT}return {{{grads}}}")
    return wrappers


class Unprintable(InputError):
    """A formula uses a function the target language does not have."""


def _code(printer, expr) -> str:
    try:
        return printer.doprint(expr)
    except Exception as e:  # noqa: BLE001 -- SymPy says "not supported" in several ways
        # SymPy: "Unsupported by <class ...>: erfinv\nSet the printer option ..."
        missing = str(e).splitlines()[0].rsplit(": ", 1)[-1] if str(e) else type(e).__name__
        raise Unprintable("TARGET", f"{sp.sstr(expr)} cannot be written in {printer.language} "
                                    f"(it has no {missing})") from None


def _written(programs, write) -> tuple[list[str], list[str]]:
    """(code of each program, header notes). An output form the language cannot write
    (erf's needs erfinv) is left out and said so; f and f' must be written."""
    blocks, notes = [], []
    for program in programs:
        try:
            blocks.append(write(program))
        except Unprintable as e:
            if program.results[0].name != "df_from_output":
                raise
            notes.append(f"df_from_output: not written ({e.what})")
    return blocks, notes


# -- C99 -------------------------------------------------------------------------------------

def c_source(formulas: Formulas, version: str) -> str:
    printer = CExportPrinter()
    notes = []
    if formulas.kind == "problem":
        blocks = _c_problem(formulas.programs[0], printer)
    else:
        blocks, notes = _written(formulas.programs, lambda p: _c_function(p, printer))
    helpers = [C_HELPERS[h][0] for h in sorted(printer.helpers)]
    lines = [line.replace("*/", "* /")
             for line in header_lines(formulas, "C99 (math.h)", version, notes)]
    head = "/* " + "\n * ".join(lines) + "\n */\n#include <math.h>"
    return "\n\n".join([head, *helpers, *blocks]) + "\n"


def _c_function(program: Program, printer) -> str:
    (result,) = program.results
    params = ", ".join(f"double {printer._print(a.symbol)}" for a in program.arguments)
    body = [f"const double {printer._print(t)} = {_code(printer, e)};"
            for t, e in program.temporaries]
    body.append(f"return {_code(printer, result.value)};")
    return f"double {result.name}({params})\n{{\n" + "\n".join(INDENT + b for b in body) + "\n}"


def _c_problem(program: Program, printer) -> list[str]:
    names = [printer._print(a.symbol) for a in program.arguments]
    args = "typedef struct {\n" + "".join(f"{INDENT}double {n};\n" for n in names) + \
        "} symderiv_args;"
    defaults = "static const symderiv_args symderiv_defaults = {\n" + ",\n".join(
        f"{INDENT}.{n} = {a.default!r}" for n, a in zip(names, program.arguments)) + "\n};"
    results = "typedef struct {\n" + "".join(f"{INDENT}double {r.name};\n"
                                             for r in program.results) + "} symderiv_results;"
    used = set().union(*(e.free_symbols for e in _values(program)))
    body = [f"const double {n} = _in.{n};" for n, a in zip(names, program.arguments)
            if a.symbol in used]
    body += [f"const double {printer._print(t)} = {_code(printer, e)};"
             for t, e in program.temporaries]
    body.append("symderiv_results _out;")
    body += [f"_out.{r.name} = {_code(printer, r.value)};" for r in program.results]
    body.append("return _out;")
    evaluate = ("symderiv_results symderiv_evaluate(symderiv_args _in)\n{\n"
                + "\n".join(INDENT + b for b in body) + "\n}")
    wrappers = [f"double {r.name}(symderiv_args args)\n{{\n"
                f"{INDENT}return symderiv_evaluate(args).{r.name};\n}}" for r in program.results]
    return [args, defaults, results, evaluate, *wrappers]
