"""One printer per target, each SymPy's own extended by ``_print_<Type>`` methods.

σ, softplus, Φ, φ and ReLU print as each language computes them best: σ and softplus in
the overflow-free forms of the float evaluator (:mod:`symderiv.calculus.activations`),
through small helper functions (``_sigmoid``) that the emitter defines once per file when
used; ReLU as max. Numbers print as the shortest decimal that reads back as the same double.
Modules are imported under underscore aliases (``_math``, ``_np``), so that a parameter
called ``math`` cannot hide them; spec names never start with an underscore.
"""

import keyword
import re
from functools import cache
from xml.dom.minidom import Text
from html.entities import html5

import sympy as sp
from sympy.printing.c import C99CodePrinter
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from symderiv.calculus.latex import SymderivLatexPrinter

MODULE_ALIASES = {"math": "_math", "numpy": "_np", "torch": "_torch", "functools": "_functools"}
# Names the printed code calls unqualified: a symbol of the same name gets a trailing _.
PYTHON_RESERVED = set(keyword.kwlist) | {"max", "min", "abs", "float", "isinstance", "dict"}
C_RESERVED = {"exp", "log", "log1p", "expm1", "sqrt", "pow", "erf", "erfc", "tanh", "sinh",
              "cosh", "sin", "cos", "tan", "fabs", "fmax", "fmin", "acos", "asin", "atan"}


class _CodePrinting:
    """What every code printer shares: helpers used, floats as doubles read them."""

    helper_prefix = "_"

    def __init__(self, settings=None):
        super().__init__(settings)
        self.helpers: set[str] = set()
        self.modules: set[str] = set()

    def _helper(self, name: str, expr) -> str:
        self.helpers.add(name)
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{self.helper_prefix}{name}({args})"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_sigmoid(self, expr):
        return self._helper("sigmoid", expr)

    def _print_softplus(self, expr):
        return self._helper("softplus", expr)

    def _print_sech2(self, expr):
        return self._helper("sech2", expr)

    def _print_Phi(self, expr):
        return self._helper("Phi", expr)

    def _print_phi(self, expr):
        return self._helper("phi", expr)


class _PythonFamily(_CodePrinting):
    reserved_words = PYTHON_RESERVED

    def _module_format(self, fqn, register=True):
        module, _, rest = fqn.partition(".")
        if register and rest:  # "max" is a builtin, not a module
            self.modules.add(module)
        return f"{MODULE_ALIASES.get(module, module)}.{rest}" if rest else fqn


class PythonPrinter(_PythonFamily, PythonCodePrinter):
    """Python with the standard library's ``math`` only (one number at a time)."""

    language = "Python"

    def _print_relu(self, expr):
        return f"max(0.0, {self._print(expr.args[0])})"


class NumPyExportPrinter(_PythonFamily, NumPyPrinter):
    """NumPy: every operation elementwise, so the functions take arrays."""

    language = "NumPy"

    def _print_relu(self, expr):
        return f"{self._module_format('numpy.maximum')}(0.0, {self._print(expr.args[0])})"

    def _print_Phi(self, expr):
        self.helpers.add("erfc")  # _Phi calls it
        return self._helper("Phi", expr)

    def _print_erf(self, expr):  # NumPy has no erf; math.erf, vectorised
        return self._helper("erf", expr)

    def _print_erfc(self, expr):
        return self._helper("erfc", expr)


@cache
def torch_printer_class():
    """Made on first use: importing SymPy's torch printer imports torch (seconds)."""
    from sympy.printing.pytorch import TorchPrinter

    class TorchExportPrinter(_PythonFamily, TorchPrinter):
        """PyTorch tensors: every operation differentiable by autograd."""

        language = "PyTorch"

        def _print_sigmoid(self, expr):
            return f"{self._module_format('torch.sigmoid')}({self._print(expr.args[0])})"

        def _print_softplus(self, expr):
            x = self._print(expr.args[0])
            return f"{self._module_format('torch.logaddexp')}({x}, {self._zeros(x)})"

        def _print_Phi(self, expr):
            return f"{self._module_format('torch.special.ndtr')}({self._print(expr.args[0])})"

        def _print_relu(self, expr):
            return f"{self._module_format('torch.relu')}({self._print(expr.args[0])})"

        def _print_Max(self, expr):
            return self._extreme(expr, "torch.maximum", "min")

        def _print_Min(self, expr):
            return self._extreme(expr, "torch.minimum", "max")

        def _extreme(self, expr, pairwise: str, bound: str) -> str:
            # torch.maximum takes two tensors; a number bounds by clamp instead
            numbers = [a for a in expr.args if a.is_number]
            tensors = [self._print(a) for a in expr.args if not a.is_number]
            out = tensors[0]
            for t in tensors[1:]:
                out = f"{self._module_format(pairwise)}({out}, {t})"
            for n in numbers:
                out = f"{self._module_format('torch.clamp')}({out}, {bound}={self._print(n)})"
            return out

        def _print_Heaviside(self, expr):
            x = self._print(expr.args[0])
            h0 = self._print(expr.args[1]) if len(expr.args) > 1 else "0.5"
            like = self._module_format("torch.full_like")
            return f"{self._module_format('torch.heaviside')}({x}, {like}({x}, {h0}))"

        def _print_Piecewise(self, expr):
            # torch.where of two numbers would make a tensor of the default dtype (float32):
            # a constant branch takes the shape and dtype of the condition's variable.
            like = self._print(sorted(expr.free_symbols, key=str)[0])
            full = self._module_format("torch.full_like")
            out = f"{full}({like}, float('nan'))"  # outside every condition: undefined
            for value, cond in reversed(expr.args):
                branch = self._print(value)
                if not value.free_symbols:
                    branch = f"{full}({like}, {branch})"
                out = branch if cond is sp.true else \
                    f"{self._module_format('torch.where')}({self._print(cond)}, {branch}, {out})"
            return out

        def _zeros(self, x: str) -> str:
            return f"{self._module_format('torch.zeros_like')}({x})"

    return TorchExportPrinter


class CExportPrinter(_CodePrinting, C99CodePrinter):
    """C99 with ``math.h``: σ, softplus, Φ, φ as static helper functions."""

    language = "C99"

    reserved_words = C99CodePrinter.reserved_words | C_RESERVED
    helper_prefix = "symderiv_"  # a leading underscore is the C library's at file scope

    def _print_relu(self, expr):
        return f"fmax(0.0, {self._print(expr.args[0])})"

    def _print_Piecewise(self, expr):
        # SymPy's C printer breaks a ternary over several lines; one line reads better.
        out = "NAN"  # outside every condition: undefined
        for value, cond in reversed(expr.args):
            branch = self._print(value)
            out = branch if cond is sp.true else f"(({self._print(cond)}) ? ({branch}) : ({out}))"
        return out


class LatexExportPrinter(SymderivLatexPrinter):
    """The sheet's LaTeX printer; a named subexpression prints as τ with its number."""

    def _print_Temporary(self, expr, style="plain"):
        return rf"\tau_{{{expr.name[2:]}}}"


class MathMLExportPrinter(MathMLPresentationPrinter):
    """Presentation MathML, with σ, ReLU, Φ, φ by name, and characters instead of the
    named entities SymPy writes (``&InvisibleTimes;``), which plain XML does not know."""

    def doprint(self, expr):
        return self.element(expr).toxml()

    def element(self, expr):
        """The DOM element of ``expr``, every entity replaced by its character."""
        node = self._print(expr)
        _resolve_entities(node)
        return node

    def _print_sigmoid(self, expr):
        return self._named("σ", expr)

    def _print_relu(self, expr):
        return self._named("ReLU", expr)

    def _print_Phi(self, expr):
        return self._named("Φ", expr)

    def _print_phi(self, expr):
        return self._named("φ", expr)

    def _print_Temporary(self, expr, style="plain"):
        sub = self.dom.createElement("msub")
        for tag, text in (("mi", "τ"), ("mn", expr.name[2:])):
            part = self.dom.createElement(tag)
            part.appendChild(self.dom.createTextNode(text))
            sub.appendChild(part)
        return sub

    def _named(self, name: str, expr):
        mrow = self.dom.createElement("mrow")
        mi = self.dom.createElement("mi")
        mi.appendChild(self.dom.createTextNode(name))
        mrow.appendChild(mi)
        mrow.appendChild(self._paren_comma_separated(*expr.args))
        return mrow


def _resolve_entities(node) -> None:
    if isinstance(node, Text):
        node.data = _ENTITY.sub(_character, node.data)
        return
    for child in node.childNodes:
        _resolve_entities(child)


_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);")


def _character(m: re.Match) -> str:
    name = m.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return html5.get(name + ";", m.group(0))
