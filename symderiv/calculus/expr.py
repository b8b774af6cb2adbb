"""Safe formula parsing: plain-math text to SymPy, without eval.

``sympify``/``parse_expr`` run arbitrary Python, so a formula is read with
``ast.parse(mode="eval")`` and the syntax tree is walked against a whitelist (numbers,
names, + − × ÷ power, calls of known functions); SymPy objects are built directly from the
nodes. Sizes are bounded *before* anything is computed: text length, node count, nesting
depth, literal length, and the size of every numeric power, so SymPy is never handed a
number it would spend minutes (or gigabytes) on.
"""

import ast
import math
import re
import warnings
from fractions import Fraction

import sympy as sp
from sympy import S

from symderiv.records import dataclass
from symderiv.errors import InputError
from symderiv.calculus.budget import cpu_clock
from symderiv.calculus.functions import SPECIAL_FUNCTIONS, symbol  # noqa: F401 (symbol: re-exported)
from symderiv.calculus.registry import formula_function, names

MAX_LENGTH = 2000          # characters of formula text
MAX_NODES = 1000           # syntax-tree nodes (operators, operands, calls)
MAX_DEPTH = 50             # nesting levels (a chain a+b+c or a*b/c counts as one level)
MAX_LITERAL_DIGITS = 100   # digits written in one number
MAX_NUMBER_DIGITS = 1000   # digits of any exact number built (Python 3.11 will not even
                           # print an int of more than 4300 digits)
MAX_EXPONENT = 1000        # |n| of a numeric exponent
MAX_DIFF_ORDER = 10
MAX_BUILD_SECONDS = 5.0   # a safety net: some single steps (deciding max(Φ(10^99), 1))
                          # take SymPy ~2 s, and a formula could repeat them. CPU seconds:
                          # a formula accepted on an idle machine is accepted on a busy one
MAX_DERIVATIVE_NODES = 3_000   # per order of diff(); one step on 3,000 nodes takes ~2 s

# Typographic operators and line breaks people paste from documents.
_TYPOGRAPHY = str.maketrans({"−": "-", "×": "*", "·": "*", "÷": "/",
                             "\n": " ", "\r": " ", "\t": " "})

# Constants by name. Lower-case e stays a symbol: coursework writes e for the loss.
_CONSTANTS = {"pi": S.Pi, "E": S.Exp1}

# Names that would otherwise become symbols but mean something no formula should carry.
_NON_FINITE = (S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity)
_NON_FINITE_NAMES = {"oo", "zoo", "nan", "inf", "infinity", "Infinity", "NaN"}


def _log(x, base=None):
    if base is None:
        return sp.log(x)
    if base.is_zero or (base - 1).is_zero:
        raise ValueError("the base of a logarithm cannot be 0 or 1")
    return sp.log(x, base)


def _heaviside(x, h0=None):
    return sp.Heaviside(x) if h0 is None else sp.Heaviside(x, h0)


# name -> (builder, fewest args, most args or None for any number)
_FUNCTIONS = {
    "exp": (sp.exp, 1, 1),
    "log": (_log, 1, 2),
    "ln": (sp.log, 1, 1),
    "sqrt": (sp.sqrt, 1, 1),
    "abs": (sp.Abs, 1, 1),
    "min": (sp.Min, 2, None),
    "max": (sp.Max, 2, None),
    "sin": (sp.sin, 1, 1),
    "cos": (sp.cos, 1, 1),
    "tan": (sp.tan, 1, 1),
    "sinh": (sp.sinh, 1, 1),
    "cosh": (sp.cosh, 1, 1),
    "tanh": (sp.tanh, 1, 1),
    "atan": (sp.atan, 1, 1),
    "arctan": (sp.atan, 1, 1),    # NumPy's spelling
    "asinh": (sp.asinh, 1, 1),
    "arcsinh": (sp.asinh, 1, 1),
    "erf": (sp.erf, 1, 1),
    "Heaviside": (_heaviside, 1, 2),
    **{f.formula_name: (f, 1, 1) for f in SPECIAL_FUNCTIONS},
}


def parse_formula(text: str, where: str = "formula", *,
                  variables: set[str] | None = None, recorder=None) -> sp.Expr:
    """``text`` (plain math: ``x*sigmoid(beta*x)``, ``2^-1``, ``diff(tanh(z), z)``) as SymPy.

    Decimals are exact (``0.15`` is 3/20), ``pi`` is π, ``E`` is Euler's number, every other
    name is a real symbol. With ``variables``, only those names may appear as symbols.
    ``recorder`` (internal: :func:`parse_written`) is told each operation as it is built.
    Anything else is refused with :class:`InputError` naming ``where`` and the offending part.
    """
    if not isinstance(text, str):
        raise InputError(where, f"expected formula text, got {type(text).__name__}")
    if not text.strip():
        raise InputError(where, "the formula is empty")
    if len(text) > MAX_LENGTH:
        raise InputError(where, f"the formula is too long ({len(text)} characters; "
                                f"at most {MAX_LENGTH})")
    source = text.translate(_TYPOGRAPHY).replace("^", "**").strip()
    _check_bracket_depth(source, where)
    tree = _parse_python(source, where)
    _check_tree_size(tree, where)
    builder = _Builder(source, where, variables, recorder)
    expr = builder.build(tree.body)
    if expr.has(S.ImaginaryUnit):
        raise InputError(where, f"'{_short(text)}' is not real")
    return expr


@dataclass(frozen=True)
class Written:
    """One operation of a formula as its author wrote it, before SymPy reorders anything.

    ``op`` is "symbol", "number", "+", "-", "*", "/", "**", "neg" or a function's name;
    ``operands`` are in the order written (``2*x`` stays 2 then x, ``x - y`` stays a
    subtraction); ``expr`` is what :func:`parse_formula` makes of this part.
    """

    op: str
    operands: tuple["Written", ...]
    expr: sp.Expr

    def as_written(self) -> sp.Expr:
        """The formula unevaluated, operands in the order written (to print it as given:
        with the printer's ``keep_order`` setting, (x + y)·z stays so)."""
        if not self.operands:
            return self.expr
        args = [o.as_written() for o in self.operands]
        with sp.evaluate(False):
            if self.op in _WRITTEN_OPERATIONS:
                return _WRITTEN_OPERATIONS[self.op](*args)
            build = function_of(self.op)
            return build(*args) if build is not None else self.expr


def parse_written(text: str, where: str = "formula", *,
                  variables: set[str] | None = None) -> Written:
    """``text`` read as :func:`parse_formula` reads it (same whitelist and bounds), kept as
    the tree of operations written (for circuits drawn as a lecturer draws them)."""
    recorder = _Recorder()
    expr = parse_formula(text, where, variables=variables, recorder=recorder)
    written = recorder.root
    if written.expr != expr:  # a formula that is ``-(…)`` at the top, or +x: same value
        written = Written(written.op, written.operands, expr)
    return written


class _Recorder:
    """Collects, per syntax-tree node, the operation it was built as (see Written)."""

    def __init__(self):
        self.nodes: dict[int, Written] = {}
        self.root: Written | None = None

    def __call__(self, node, op: str, operands, expr: sp.Expr) -> None:
        self.root = self.nodes[id(node)] = Written(
            op, tuple(self.nodes[id(o)] for o in operands), expr)

    def alias(self, node, same) -> None:
        self.root = self.nodes[id(node)] = self.nodes[id(same)]


def exact_number(value, where: str) -> sp.Expr:
    """A spec value as an exact real number: 3 → 3, 0.15 → 3/20, "sqrt(2)/2" → √2/2, and
    from Python code a SymPy number (``sp.Rational(3, 20)``, ``sp.sqrt(2)/2``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, sp.Basic)):
        raise InputError(where, f"expected a number, got {_describe_value(value)}")
    if isinstance(value, int):
        return _exact_int(value, where)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(where, f"{value!r} is not a finite number")
        return _exact_decimal(repr(value), where)
    expr = parse_formula(value, where) if isinstance(value, str) else from_sympy(value, where)
    if expr.free_symbols:
        names = ", ".join(sorted(s.name for s in expr.free_symbols))
        raise InputError(where, f"'{_short(value)}' is not a number (it contains {names})")
    if expr.is_real is False or expr.is_finite is False:
        raise InputError(where, f"'{_short(value)}' is not a real finite number")
    approx = expr.evalf(30)
    if not approx.is_Number or not approx.is_finite:
        raise InputError(where, f"'{_short(value)}' is not a real finite number")
    return expr


# -- SymPy objects from Python code ---------------------------------------------------------

# What a SymPy expression from a caller may be built of: what the parser itself builds.
_SYMPY_FUNCTIONS = (sp.exp, sp.log, sp.Abs, sp.Min, sp.Max, sp.sin, sp.cos, sp.tan, sp.sinh,
                    sp.cosh, sp.tanh, sp.atan, sp.asinh, sp.erf, sp.Heaviside, *SPECIAL_FUNCTIONS)
_SYMPY_STRUCTURE = (sp.Add, sp.Mul, sp.Pow, sp.Piecewise, sp.core.relational.Relational,
                    sp.logic.boolalg.BooleanAtom, sp.And, sp.Or, sp.Not)
_SYMPY_PIECE = sp.functions.elementary.piecewise.ExprCondPair
MAX_FLOAT_BITS = 3400      # a Float's precision (about MAX_NUMBER_DIGITS digits)


def from_sympy(expr, where: str = "formula", *, variables: set[str] | None = None) -> sp.Expr:
    """A SymPy expression from Python code, held to the bounds of :func:`parse_formula`.

    It is a value from a trusted caller, not text, but it may still be huge or hold what
    no formula may (i, ∞, an undefined function): its nodes, depth, numbers and numeric
    powers are checked by walking it, before anything computes with it. Symbols become
    symderiv's real symbols of the same name; a Float is the decimal it prints as
    (``sp.Float(0.15)`` is 3/20, as 0.15 in a spec is); with ``variables``, only those
    names may appear.
    """
    if not isinstance(expr, sp.Expr):
        raise InputError(where, f"expected a SymPy expression, got {_describe_value(expr)}")
    names = _walk_sympy(expr, where)
    if variables is not None:
        extra = sorted(names - set(variables))
        if extra:
            allowed = ", ".join(sorted(variables)) or "none"
            raise InputError(where, f"'{extra[0]}' is not a variable here (allowed: {allowed})")
    floats = {f: _exact_decimal(_float_text(f), where) for f in expr.atoms(sp.Float)}
    renamed = {s: symbol(s.name) for s in expr.free_symbols}
    result = expr.xreplace({**floats, **renamed})
    if result.has(*_NON_FINITE):
        raise InputError(where, f"'{_short(result)}' is not finite")
    if result.has(S.ImaginaryUnit):
        raise InputError(where, f"'{_short(result)}' is not real")
    return result


def _walk_sympy(expr: sp.Basic, where: str) -> set[str]:
    """Every node checked (kind, count, depth, size), without recursion; the symbol names."""
    names, count, stack = set(), 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(where, f"the expression is too large (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise InputError(where, f"the expression is nested too deeply (more than "
                                    f"{MAX_DEPTH} levels)")
        _check_sympy_node(node, where)
        if isinstance(node, sp.Symbol):
            names.add(node.name)
        stack.extend((arg, depth + 1) for arg in node.args)
    return names


def _check_sympy_node(node: sp.Basic, where: str) -> None:
    if isinstance(node, sp.Symbol):
        if not node.name.isidentifier() or node.name.startswith("_") \
                or node.name in _NON_FINITE_NAMES:
            raise InputError(where, f"'{_short(node.name)}' is not allowed as a symbol name")
        return
    if isinstance(node, (sp.Rational, sp.Float)) or node in _NON_FINITE:
        if isinstance(node, sp.Rational) and _digits(node) > MAX_NUMBER_DIGITS:
            raise InputError(where, f"a number in it has more than {MAX_NUMBER_DIGITS} digits")
        if isinstance(node, sp.Float) and node._prec > MAX_FLOAT_BITS:
            raise InputError(where, f"a Float in it has too many digits (at most "
                                    f"{MAX_NUMBER_DIGITS})")
        return  # the non-finite ones are refused by name once the walk is done
    if isinstance(node, sp.NumberSymbol) or node is S.ImaginaryUnit:
        return
    if isinstance(node, sp.Pow) and node.exp.is_number:
        size = abs(node.exp.evalf(15)) if not node.exp.is_Rational else abs(node.exp)
        if not size.is_Number or size > MAX_EXPONENT:
            raise InputError(where, f"an exponent in it ({_short(node.exp)}) is too large "
                                    f"(at most {MAX_EXPONENT})")
        return
    if isinstance(node, _SYMPY_STRUCTURE + (_SYMPY_PIECE,)) or node.func in _SYMPY_FUNCTIONS:
        return
    if isinstance(node, sp.core.function.AppliedUndef):
        raise InputError(where, f"'{_short(node.func.__name__)}' is not a known function")
    # Named by its class alone: printing an arbitrary object could take as long as its size.
    raise InputError(where, f"{_short(type(node).__name__)} is not allowed: "
                            "a formula holds numbers, symbols, + − × ÷ and powers, and the "
                            "functions a formula may name")


def _float_text(f: sp.Float) -> str:
    # str() of a Float is its digits at its precision: 0.15 → "0.150000000000000".
    text = str(f)
    return text if "e" in text or "." in text else text + ".0"


# -- reading the text ------------------------------------------------------------------

def _check_bracket_depth(source: str, where: str) -> None:
    # Python's own parser gives up at 200 nested brackets with a cryptic message; refuse
    # deep nesting before it gets there.
    depth = deepest = 0
    for ch in source:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise InputError(where, f"brackets are nested too deeply ({deepest} levels; "
                                f"at most {MAX_DEPTH})")


def _parse_python(source: str, where: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            # SyntaxWarnings ('is' with a literal, bad escapes) would print to stderr.
            warnings.simplefilter("ignore")
            return ast.parse(source, mode="eval")
    except SyntaxError as e:
        column = f" at column {e.offset}" if e.offset else ""
        reason = (e.msg or "invalid syntax").split(" (")[0]
        raise InputError(where, f"cannot read '{_short(source)}': {reason}{column}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as e:
        raise InputError(where, f"cannot read '{_short(source)}': {type(e).__name__}") from None


def _check_tree_size(tree: ast.Expression, where: str) -> None:
    """Node count and nesting depth, walked without recursion."""
    count = 0
    stack = [(tree.body, 1, None)]
    while stack:
        node, depth, parent = stack.pop()
        if isinstance(node, ast.expr_context):
            continue
        count += 1
        if count > MAX_NODES:
            raise InputError(where, f"the formula is too large (more than {MAX_NODES} parts)")
        if _same_chain(parent, node):
            depth -= 1
        if depth > MAX_DEPTH:
            raise InputError(where, f"the formula is nested too deeply (more than "
                                    f"{MAX_DEPTH} levels)")
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1, node))


_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)


def _same_chain(parent, node) -> bool:
    """True when ``node`` continues ``parent``'s flat chain (a+b−c, a*b/c, −−x)."""
    if isinstance(parent, ast.BinOp) and isinstance(node, ast.BinOp) and node is parent.left:
        for group in (_ADDITIVE, _MULTIPLICATIVE):
            if isinstance(parent.op, group) and isinstance(node.op, group):
                return True
    return isinstance(parent, ast.UnaryOp) and isinstance(node, ast.UnaryOp)


# -- building SymPy from the tree ------------------------------------------------------

class _Builder:
    """Turns whitelisted syntax-tree nodes into SymPy objects; refuses everything else."""

    def __init__(self, source: str, where: str, variables: set[str] | None, recorder=None):
        self.source = source
        self.where = where
        self.variables = variables
        self.deadline = cpu_clock() + MAX_BUILD_SECONDS
        self.record = recorder or _ignore
        self.alias = getattr(recorder, "alias", _ignore)

    def refuse(self, what: str):
        raise InputError(self.where, what)

    def segment(self, node) -> str:
        return _short(ast.get_source_segment(self.source, node) or type(node).__name__)

    def build(self, node) -> sp.Expr:
        method = getattr(self, f"_build_{type(node).__name__}", None)
        if method is None:
            self.refuse(_refusal(node, self.segment(node)))
        result = method(node)
        if result.has(*_NON_FINITE):
            self.refuse(f"'{self.segment(node)}' is not finite")
        if cpu_clock() > self.deadline:
            self.refuse(f"the formula takes too long to build (more than "
                        f"{MAX_BUILD_SECONDS:g} CPU s, at '{self.segment(node)}')")
        return result

    # numbers and names ------------------------------------------------------------
    def _build_Constant(self, node):
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            self.refuse(f"'{value}' is not a number")
        if isinstance(value, (int, float)):
            number = (_exact_int(value, self.where) if isinstance(value, int) else
                      _exact_decimal(ast.get_source_segment(self.source, node), self.where))
            self.record(node, "number", (), number)
            return number
        if isinstance(value, complex):
            self.refuse(f"imaginary number '{self.segment(node)}' is not allowed")
        kind = "bytes" if isinstance(value, bytes) else "string"
        self.refuse(f"{kind} {self.segment(node)} is not allowed")

    def _build_Name(self, node):
        name = node.id
        if self.variables is not None and name in self.variables:
            self.record(node, "symbol", (), symbol(name))
            return symbol(name)
        if name in _CONSTANTS:
            self.record(node, "number", (), _CONSTANTS[name])
            return _CONSTANTS[name]
        if name.startswith("_"):
            self.refuse(f"name '{name}' is not allowed (names may not start with '_')")
        if name in _NON_FINITE_NAMES:
            self.refuse(f"'{name}' is not a finite number")
        if name in _FUNCTIONS or name == "diff" or formula_function(name) is not None:
            self.refuse(f"'{name}' is a function; write {name}(...)")
        if self.variables is not None:
            allowed = ", ".join(sorted(self.variables)) or "none"
            self.refuse(f"'{name}' is not a variable here (allowed: {allowed})")
        self.record(node, "symbol", (), symbol(name))
        return symbol(name)

    # operators ----------------------------------------------------------------------
    def _build_UnaryOp(self, node):
        negate, top = False, node
        while isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                negate = not negate
            elif not isinstance(node.op, ast.UAdd):
                self.refuse(f"operator '{_OPERATOR_NAMES[type(node.op)]}' in "
                            f"'{self.segment(node)}' is not allowed")
            node = node.operand
        operand = self.build(node)
        if not negate:
            self.alias(top, node)
            return operand
        self.record(top, "neg", (node,), -operand)
        return -operand

    def _build_BinOp(self, node):
        if isinstance(node.op, _ADDITIVE):
            return self._chain(node, _ADDITIVE, self._add)
        if isinstance(node.op, _MULTIPLICATIVE):
            return self._chain(node, _MULTIPLICATIVE, self._multiply)
        if isinstance(node.op, ast.Pow):
            return self._power(node)
        self.refuse(f"operator '{_OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)}'"
                    f" in '{self.segment(node)}' is not allowed")

    def _chain(self, node, group, combine):
        # a+b-c+... is a left-leaning tree as deep as it is long: walk it as a list.
        links = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, group):
            links.append(node)
            node = node.left
        result = self.build(node)
        for link in reversed(links):
            result = combine(link, result, self.build(link.right))
            self._check_number_size(result, link)
            self.record(link, _OPERATOR_SIGNS[type(link.op)], (link.left, link.right), result)
        return result

    def _add(self, link, left, right):
        return left + right if isinstance(link.op, ast.Add) else left - right

    def _multiply(self, link, left, right):
        if isinstance(link.op, ast.Mult):
            return left * right
        if right.is_zero:
            self.refuse(f"'{self.segment(link)}' divides by zero")
        return left / right

    def _power(self, node):
        base = self.build(node.left)
        exponent = self.build(node.right)
        if exponent.is_number:
            size = abs(exponent.evalf(15)) if not exponent.is_Rational else abs(exponent)
            if not size.is_Number or size > MAX_EXPONENT:
                self.refuse(f"exponent in '{self.segment(node)}' is too large "
                            f"(at most {MAX_EXPONENT})")
            # digits of the numerators and denominators of base**exponent
            per_power = max((_log10_size(r) for r in base.atoms(sp.Rational)), default=0)
            if math.floor(per_power * size) + 1 > MAX_NUMBER_DIGITS:
                self.refuse(f"'{self.segment(node)}' {_too_many_digits(_power_size(base, exponent))}")
        if base.is_zero and exponent.is_negative:
            self.refuse(f"'{self.segment(node)}' divides by zero")
        result = base ** exponent
        self._check_real(result, node)
        self.record(node, "**", (node.left, node.right), result)
        return result

    def _check_number_size(self, result, node):
        coefficient = result if result.is_Rational else (
            result.args[0] if result.is_Add or result.is_Mul else None)
        if coefficient is not None and coefficient.is_Rational \
                and _digits(coefficient) > MAX_NUMBER_DIGITS:
            size = "small" if abs(coefficient) < 1 else "large"
            self.refuse(f"'{self.segment(node)}' {_too_many_digits(size)}")

    # calls --------------------------------------------------------------------------
    def _build_Call(self, node):
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                self.refuse(f"attribute access '.{node.func.attr}' is not allowed")
            self.refuse(f"'{self.segment(node.func)}' is not a known function")
        name = node.func.id
        if node.keywords:
            keyword = node.keywords[0]
            shown = f"{keyword.arg}=" if keyword.arg else "**"
            self.refuse(f"keyword argument '{shown}' in '{self.segment(node)}' is not allowed")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.refuse(f"starred argument '{self.segment(arg)}' is not allowed")
        if name == "diff":
            result = self._derivative(node)
            self.record(node, "diff", (), result)
            return result
        if name in _FUNCTIONS:
            build, fewest, most = _FUNCTIONS[name]
            self._check_arity(node, name, fewest, most)
        else:
            build = formula_function(name)
            if build is None:
                self.refuse(f"'{_short(name)}' is not a known function; known: "
                            f"{', '.join(known_functions())}")
        args = [self.build(a) for a in node.args]
        try:
            result = build(*args)
        except InputError as e:
            raise e.within(self.where) from None
        except TypeError:
            self.refuse(f"'{name}' cannot take {len(args)} argument(s) "
                        f"in '{self.segment(node)}'")
        except ValueError as e:
            self.refuse(f"cannot apply '{name}' in '{self.segment(node)}': {e}")
        self._check_real(result, node)
        self.record(node, name, node.args, result)
        return result

    def _check_real(self, result, node):
        # Everything is real: (-8)^(1/3), sqrt(-2) and log(-1) name no real number.
        # (Infinities are left to the finiteness check, which names them better.)
        if result.is_number and result.is_finite and result.is_extended_real is False:
            self.refuse(f"'{self.segment(node)}' is not real")

    def _check_arity(self, node, name, fewest, most):
        count = len(node.args)
        if count < fewest or (most is not None and count > most):
            wanted = (f"{fewest}" if most == fewest else f"{fewest} or more" if most is None
                      else f"{fewest} to {most}")
            plural = "" if wanted == "1" else "s"
            self.refuse(f"'{name}' takes {wanted} argument{plural}, got {count} "
                        f"in '{self.segment(node)}'")

    def _derivative(self, node):
        self._check_arity(node, "diff", 2, 3)
        expr = self.build(node.args[0])
        var_node = node.args[1]
        if not isinstance(var_node, ast.Name):
            self.refuse(f"in '{self.segment(node)}', the second argument of diff must be "
                        f"a variable name")
        var = self.build(var_node)
        if not isinstance(var, sp.Symbol):
            self.refuse(f"in '{self.segment(node)}', '{var_node.id}' is not a variable")
        order = self.build(node.args[2]) if len(node.args) == 3 else S.One
        if not (order.is_Integer and 0 <= order <= MAX_DIFF_ORDER):
            self.refuse(f"in '{self.segment(node)}', the order of diff must be a whole "
                        f"number from 0 to {MAX_DIFF_ORDER}")
        # Differentiate one order at a time so a blow-up is caught before the next step.
        for _ in range(int(order)):
            expr = sp.diff(expr, var)
            if _node_count(expr) > MAX_DERIVATIVE_NODES or cpu_clock() > self.deadline:
                self.refuse(f"the derivative '{self.segment(node)}' is too large")
        return expr


def function_of(name: str):
    """What a formula's call ``name(...)`` builds (args -> SymPy), or None for no function."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name][0]
    return formula_function(name)
def known_functions() -> list[str]:
    """Every function name a formula may call: the elementary ones, then the activations."""
    return sorted(n for n in _FUNCTIONS if not n.startswith("_")) + ["diff"] + [
        n for n in names() if n not in _FUNCTIONS and n != "softmax"]


# -- numbers -----------------------------------------------------------------------------

_DECIMAL = re.compile(r"^[+-]?(?P<mantissa>[0-9_]*\.?[0-9_]*)(?:[eE](?P<exponent>[+-]?[0-9_]+))?$")


def _exact_decimal(literal: str, where: str) -> sp.Rational:
    """The decimal as written, exactly: "0.15" → 3/20, "1e-3" → 1/1000."""
    m = _DECIMAL.match(literal or "")
    if not m:
        raise InputError(where, f"'{_short(literal)}' is not a decimal number")
    mantissa_digits = sum(ch.isdigit() for ch in m["mantissa"])
    if mantissa_digits > MAX_LITERAL_DIGITS:
        raise InputError(where, f"the number '{_short(literal)}' has too many digits "
                                f"(at most {MAX_LITERAL_DIGITS})")
    exponent = m["exponent"].replace("_", "") if m["exponent"] else "0"
    if len(exponent.lstrip("+-")) > 6 or abs(int(exponent)) > MAX_NUMBER_DIGITS:
        size = "too close to 0" if exponent.startswith("-") else "too large"
        raise InputError(where, f"the number '{_short(literal)}' is {size} (its power of ten "
                                f"is beyond ±{MAX_NUMBER_DIGITS})")
    value = Fraction(literal.replace("_", ""))
    return sp.Rational(value.numerator, value.denominator)


def _exact_int(value: int, where: str) -> sp.Integer:
    if value.bit_length() > MAX_LITERAL_DIGITS * 3.33:
        raise InputError(where, f"the number has too many digits (at most {MAX_LITERAL_DIGITS})")
    return sp.Integer(value)


def _digits(r: sp.Rational) -> int:
    """Decimal digits of the larger of numerator and denominator (from the bit length)."""
    bits = max(abs(int(r.p)).bit_length(), int(r.q).bit_length())
    return int(bits * 0.30103) + 1


def _power_size(base: sp.Expr, exponent: sp.Expr) -> str:
    """Whether base**exponent is "large", "small" (near 0) or "" (not a number: a coefficient
    of a symbolic base), so that a refusal says which: 10**-1000 is tiny, not huge."""
    if not (base.is_number and exponent.is_extended_real):
        return ""
    magnitude = abs(base.evalf(15))
    if not magnitude.is_Number or magnitude == 1:
        return ""
    return "small" if (magnitude > 1) == bool(exponent.is_negative) else "large"


def _too_many_digits(size: str) -> str:
    """The refusal of an exact number of more than MAX_NUMBER_DIGITS digits."""
    if size == "small":
        return (f"is too close to 0 to hold exactly (its denominator would have more "
                f"than {MAX_NUMBER_DIGITS} digits)")
    if size == "large":
        return f"is too large a number (more than {MAX_NUMBER_DIGITS} digits)"
    return f"needs an exact number of more than {MAX_NUMBER_DIGITS} digits"


def _log10_size(r: sp.Rational) -> float:
    """log10 of the larger of |numerator| and denominator (a number of d digits: d - 1 ≤ it < d)."""
    return max(math.log10(abs(int(r.p))) if r.p else 0.0, math.log10(int(r.q)))


def _node_count(expr: sp.Basic) -> int:
    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count > MAX_DERIVATIVE_NODES:
            break
    return count


def _ignore(*_):
    pass


def _terms(a):
    """An unevaluated sum's terms, so that a + b + c prints without inner brackets."""
    return a.args if a.is_Add else (a,)


_WRITTEN_OPERATIONS = {
    "+": lambda a, b: sp.Add(*_terms(a), b), "-": lambda a, b: sp.Add(*_terms(a), sp.Mul(-1, b)),
    "*": lambda a, b: sp.Mul(a, b),
    "/": lambda a, b: sp.Pow(b, -1) if a == 1 else sp.Mul(a, sp.Pow(b, -1)),
    "**": lambda a, b: sp.Pow(a, b), "neg": lambda a: sp.Mul(-1, a),
}
_OPERATOR_SIGNS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


# -- messages ------------------------------------------------------------------------------

_OPERATOR_NAMES = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Invert: "~", ast.Not: "not",
}

_NODE_NAMES = {
    ast.Lambda: "lambda", ast.IfExp: "conditional expression", ast.NamedExpr: "assignment",
    ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.Subscript: "subscript",
    ast.ListComp: "comprehension", ast.SetComp: "comprehension",
    ast.DictComp: "comprehension", ast.GeneratorExp: "comprehension",
    ast.List: "list", ast.Tuple: "tuple", ast.Set: "set", ast.Dict: "dict",
    ast.JoinedStr: "f-string", ast.FormattedValue: "f-string", ast.Starred: "starred argument",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slice",
    ast.Attribute: "attribute access",
}


def _refusal(node, segment: str) -> str:
    if isinstance(node, ast.Attribute):
        return f"attribute access '.{node.attr}' is not allowed"
    if isinstance(node, ast.Lambda):
        return f"lambda is not allowed ('{segment}')"
    kind = _NODE_NAMES.get(type(node), type(node).__name__)
    return f"{kind} '{segment}' is not allowed"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe_value(value) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if value is None:
        return "nothing"
    return type(value).__name__
