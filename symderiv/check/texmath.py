"""A reader for the LaTeX mathematics of worked solutions, straight into SymPy.

A hand-written lexer and a recursive-descent parser; no eval, sympify, parse_expr or
parse_latex ever sees the document's text. What it cannot read raises
:class:`Unreadable` (the checker counts that as skipped, never guesses). Every input is
bounded: tokens per element, nesting depth, digits per number, and the size of any power
of numbers (``10^{10^{10}}`` is refused, not computed). Macros are never expanded: an
unknown command is unreadable.

Naming (what ``--given`` uses): subscripts, primes and accents join the name, so ``h_1``
is ``h1``, ``w'_5`` and ``w_5'`` are ``w5'``, ``\\hat{o}_1`` is ``o1hat``, ``z_{h_1}`` is
``zh1``, ``w^{(1)}_{23}`` is ``w1_2_3`` (the contract's dense names), ``w_5^{+}`` is ``w5+``,
``\\beta`` is ``beta``, ``\\omega_1`` is ``omega1``. ``\\frac{\\partial e}{\\partial o_1}``
standing for a number is the name ``de/do1``.

Euler's number: ``e`` is e only where it is raised to a power (``e^{-z}``, also
``\\mathrm{e}^{x}``); a lone ``e`` is a name (the seed's loss). ``\\exp`` is always exp.
``\\log`` is the natural logarithm (``\\log_2`` has a base). Printed decimals become
:class:`Printed` placeholders, so the checker can give each the interval it stands for.
"""

import re

import sympy as sp

from symderiv.records import dataclass
from symderiv.check import arrays
from symderiv.check.arrays import Matrix, Row, Tup
from symderiv.check.lexer import Token, lex
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import SPECIAL_FUNCTIONS, Phi, phi, sigmoid

MAX_TOKENS = 4000       # per chain element
MAX_DEPTH = 90          # nesting of groups, fractions, powers (about 30 levels)
MAX_DIGITS = 40         # digits in one printed number
MAX_EXPONENT = 1000     # |exponent| of any numeric power
MAX_POWER_BITS = 20000  # size of an exact number raised to an integer power


class Unreadable(Exception):
    """The text is not mathematics this reader understands (or exceeds a bound)."""


class Printed(sp.Dummy):
    """A decimal as printed in the document (0.7401): exact value plus its last digit.

    A placeholder rather than a Rational, so SymPy does not fold ``0.7401 - 0.12`` into
    one number before the checker has decided which printed numbers were rounded.
    """

    def __new__(cls, text: str):
        obj = super().__new__(cls, text, real=True, nonnegative=True)
        mantissa, _, exponent = text.lower().partition("e")
        obj.text = text
        obj.start = None  # where it was written (the offset of its token), when read from one
        obj.value = sp.Rational(text)
        # the unit of the last digit is 10^-decimals (1.5e-3: 10^-4)
        obj.decimals = (len(mantissa.split(".")[1]) if "." in mantissa else 0) - int(exponent or 0)
        return obj


class Occurrence(sp.Dummy):
    """A name where it was written, read as written: each occurrence a leaf of its own, so
    that the two n of (1 + n)(1 − n) are told apart by where they stand."""

    def __new__(cls, name: sp.Symbol, start: int):
        obj = super().__new__(cls, name.name)
        obj.symbol = name
        obj.start = start
        return obj


@dataclass(frozen=True)
class FunctionHead:
    """``f(x)`` or ``\\text{swish}(x)`` at the head of a chain: perhaps a definition."""

    name: str
    params: tuple
    applied: object  # the reading as an ordinary expression (or None when there is none)


# -- names ---------------------------------------------------------------------------------

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi",
    "Omega",
}
_GREEK_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varrho": "rho",
                   "varsigma": "sigma", "varphi": "phi"}
_ACCENTS = {r"\hat": "hat", r"\widehat": "hat", r"\bar": "bar", r"\overline": "bar",
            r"\tilde": "tilde", r"\widetilde": "tilde", r"\dot": "dot", r"\vec": "vec"}
_FONTS = {r"\mathrm", r"\mathit", r"\mathbf", r"\boldsymbol", r"\bm", r"\mathsf", r"\text",
          r"\textrm", r"\textit", r"\operatorname", r"\mathcal", r"\mathnormal"}
_DENSE_LAYER = re.compile(r"^\((\d+)\)$")
_TWO_LETTER_NAMES = {"lr"}
_E = symbol("e")
_NORMS = {r"\|": r"\|", r"\lVert": r"\rVert", r"\Vert": r"\Vert"}
_BELOW = {"<", r"\lt", r"\le", r"\leq", r"\leqslant"}
# ^{[2]}: the example of a quantity on a sheet with several (x_1^{[2]}); ^{(1)[2]} both
_EXAMPLE = re.compile(r"^(?:\((\d+)\))?\[(\d+)\]$")


def derivative_name(numerator: str, variable: str) -> str:
    """The name of ∂X/∂Y standing for a number: ``dX/dY``."""
    return f"d{numerator}/d{variable}"


def derivative_parts(sym: sp.Symbol) -> tuple[str, str] | None:
    """(X, Y) for a symbol named ``dX/dY``, else None."""
    name = sym.name
    if name.startswith("d") and "/d" in name:
        numerator, variable = name[1:].split("/d", 1)
        if numerator and variable:
            return numerator, variable
    return None


# -- functions -------------------------------------------------------------------------------

def _swish(x):
    return x * sigmoid(x)


def _gelu(x):
    return x * Phi(x)


def _softplus(x):
    return sp.log(1 + sp.exp(x))


# Written by name (\text{..}, \operatorname{..}, \mathrm{..}); keys are lower case.
NAMED_FUNCTIONS = {
    **{name: f for f in SPECIAL_FUNCTIONS for name in f.read_names},
    "tanh": sp.tanh, "sinh": sp.sinh,
    "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "ln": sp.log,
    "log": sp.log, "erf": sp.erf, "swish": _swish, "silu": _swish, "gelu": _gelu,
    "softplus": _softplus, "max": sp.Max, "min": sp.Min, "arctan": sp.atan,
    "sign": sp.sign, "sgn": sp.sign,
}
# Written as commands; \sigma, \Phi, \phi and \varphi are functions only before "(".
_COMMAND_FUNCTIONS = {
    r"\exp": sp.exp, r"\ln": sp.log, r"\log": sp.log, r"\tanh": sp.tanh, r"\sinh": sp.sinh,
    r"\cosh": sp.cosh, r"\sin": sp.sin, r"\cos": sp.cos, r"\tan": sp.tan, r"\max": sp.Max,
    r"\min": sp.Min, r"\arctan": sp.atan,
}
_PAREN_FUNCTIONS = {command: f for f in SPECIAL_FUNCTIONS for command in f.read_commands}
_MULTI_ARG = {sp.Max, sp.Min}
_A, _H0 = sp.Dummy("a", real=True), sp.Dummy("h0", real=True)
_HEAVISIDE = sp.Lambda((_A, _H0), sp.Heaviside(_A, _H0))

_OTHERWISE = {"otherwise", "else", "elsewhere", "否则", "其他", "其它", "其余"}
_ABOVE = {">", r"\gt", r"\ge", r"\geq", r"\geqslant"}
_OR_EQUAL = {r"\ge", r"\geq", r"\geqslant", r"\le", r"\leq", r"\leqslant"}
_ENTRYWISE = {r"\odot", r"\circ"}
_TRANSPOSE = {"T", r"\top", r"\intercal", r"\mathsf{T}"}
_INEQUALITIES = {"<", ">", r"\lt", r"\gt", r"\le", r"\leq", r"\leqslant", r"\ge", r"\geq",
                 r"\geqslant", r"\neq", r"\ne", r"\ll", r"\gg"}
_OTHER_RELATIONS = {r"\sim", r"\propto", r"\in", r"\notin", r"\subset", r"\subseteq", r"\to",
                    r"\rightarrow", r"\mapsto", r"\leftarrow", r"\gets"}


def function_key(name: str) -> str:
    """How a function's name is looked up: case-insensitive, except Φ (CDF) vs φ (density)."""
    return name if name in ("Phi", "phi") else name.lower()


class Context:
    """What the reader needs from the document so far: functions the document defined, and
    whether it has used ``e`` as a name (an error e = y - ŷ, whose e^2 is a square)."""

    def __init__(self, functions: dict | None = None, names=None):
        self.functions = functions if functions is not None else {}
        self.names = names if names is not None else ()
        self.arrays: dict = {}  # name -> the array of its entries' names (W^{(1)}, δ^{(2)})
        self.array_names: dict = {}  # the entries' names -> the name they were read from
        self.as_written = False  # whole numbers stay leaves (substitutions are paired as written)

    def array(self, name: sp.Symbol, force: bool = False):
        """What a name stands for: its entries when it names a vector or a matrix."""
        found = self.arrays.get(name.name) or arrays.named_array(name.name, self.names, force)
        if found is None:
            return name
        self.array_names[tuple(arrays.entries(found))] = name.name
        return found

    def array_name(self, value) -> str | None:
        """The name an array of entries was read from (W^{(2)} for w2_1_1, …), if any."""
        return self.array_names.get(tuple(arrays.entries(value)))

    def e_is_a_name(self) -> bool:
        return _E in self.names

    def function(self, name: str):
        key = function_key(name)
        if key in self.functions:
            return self.functions[key]
        return NAMED_FUNCTIONS.get(key)


# -- the parser ------------------------------------------------------------------------------

class _Parser:
    def __init__(self, tokens: list[Token], context: Context):
        if len(tokens) > MAX_TOKENS:
            raise Unreadable(f"more than {MAX_TOKENS} symbols in one expression")
        self.tokens = list(tokens)
        self.i = 0
        self.depth = 0
        self.context = context

    # token helpers
    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def at(self, text: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t is not None and t.text == text and t.kind in ("char", "cmd")

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise Unreadable("the expression ends too early")
        self.i += 1
        return t

    def expect(self, text: str) -> None:
        t = self.take()
        if t.text != text:
            raise Unreadable(f"expected {text!r}, found {t.text!r}")

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unreadable(f"nested more than {MAX_DEPTH} deep")

    def leave(self):
        self.depth -= 1

    # grammar
    def element(self):
        value = self.tuple_or_expr()
        if self.peek() is not None:
            raise Unreadable(f"cannot read {self.peek().text!r} here")
        return value

    def tuple_or_expr(self):
        first = self.expr()
        if not self.at(","):
            return first
        items = [first]
        while self.at(","):
            self.take()
            items.append(self.expr())
        return Tup(items)

    def expr(self):
        self.enter()
        sign = 1
        if self.at("+") or self.at("-"):
            sign = -1 if self.take().text == "-" else 1
        value = self.term()
        value = _arith(arrays.negate, value) if sign == -1 else value
        while self.at("+") or self.at("-"):
            op = self.take().text
            value = _arith(arrays.add, value, self.term(), 1 if op == "+" else -1)
        self.leave()
        return value

    def term(self):
        value, last_was_number = self.signed_factor()
        while True:
            t = self.peek()
            if t is None:
                break
            if t.text in (r"\times", r"\cdot", "*", r"\ast"):
                self.take()
                right, last_was_number = self.signed_factor()
                value = _arith(arrays.multiply, value, right)
            elif t.text in _ENTRYWISE:  # a ⊙ f'(z): the product written after it is one operand
                self.take()
                right, last_was_number = self.signed_factor()
                while self.peek() is not None and self.starts_factor(self.peek()):
                    factor, last_was_number = self.signed_factor(implicit=True)
                    right = _arith(arrays.multiply, right, factor)
                value = _arith(arrays.hadamard, value, right)
            elif t.text in ("/", r"\div"):
                self.take()
                right, last_was_number = self.signed_factor()
                divisor = 1 / _nonzero(_scalar(right))
                value = _arith(arrays.multiply, value, divisor)
            elif self.starts_factor(t):
                if last_was_number and t.kind == "num":
                    raise Unreadable("two numbers side by side")
                right, last_was_number = self.signed_factor(implicit=True)
                value = _arith(arrays.multiply, value, right)
            else:
                break
        return value

    def signed_factor(self, implicit: bool = False):
        if not implicit and (self.at("-") or self.at("+")):
            sign = self.take().text
            value, _ = self.signed_factor()
            return (_arith(arrays.negate, value) if sign == "-" else value), False
        t = self.peek()
        is_number = t is not None and t.kind == "num"
        return self.power(), is_number

    def starts_factor(self, t: Token) -> bool:
        if t.kind in ("num", "letter"):
            return True
        if t.kind == "char":
            return t.text in ("(", "[", "{")
        if t.kind == "cmd":
            name = t.text
            return not (name in (r"\times", r"\cdot", r"\div", r"\right", r"\end", "\\\\",
                                 r"\ast", r"\approx", r"\pm", r"\mp") or name in _ENTRYWISE
                        or name in _INEQUALITIES or name in _OTHER_RELATIONS)
        return False

    def power(self):
        self.enter()
        base = self.postfix()
        if self.at("^") and self.transpose_follows():
            if isinstance(base, sp.Symbol) and not isinstance(base, Printed):
                base = self.context.array(base, force=True)
            base = _arith(arrays.transpose, base)
        elif self.at("^"):
            self.take()
            exponent = _scalar(self.script())
            base = _power(_scalar(base), exponent)
        self.leave()
        return base

    def transpose_follows(self) -> bool:
        """^T, ^\\top, ^{T}, ^{\\intercal} (taken when so)."""
        nxt = self.peek(1)
        if nxt is not None and nxt.text in _TRANSPOSE:
            self.i += 2
            return True
        if self.at("{", 1) and self.peek(2) is not None and self.peek(2).text in _TRANSPOSE \
                and self.at("}", 3):
            self.i += 4
            return True
        return False

    def postfix(self):
        start = self.peek().start if self.peek() is not None else None
        value = self.primary()
        if self.context.as_written and isinstance(value, sp.Symbol) \
                and not isinstance(value, (Printed, Occurrence)):
            value = Occurrence(value, start)
        if self.at("!"):
            raise Unreadable("factorials are not read")
        if self.at("_"):
            raise Unreadable("a subscript on something that is not a name")
        return value

    def script(self):
        """The argument of ^ or _: a group, or one token (one digit of a longer number)."""
        t = self.peek()
        if t is None:
            raise Unreadable("^ or _ with nothing after it")
        if t.text == "{" and t.kind == "char":
            return self.group()
        if t.kind == "num":
            return self.single_digit()
        if t.kind == "letter":
            return self.name()
        if t.kind == "cmd":
            return self.primary()
        if t.text == "-" and t.kind == "char":
            raise Unreadable("a signed exponent needs braces")
        raise Unreadable(f"cannot read {t.text!r} as an exponent")

    def single_digit(self):
        """TeX takes one character: x^23 is x² · 3."""
        t = self.take()
        if len(t.text) > 1:
            rest = Token("num", t.text[1:], t.start + 1, t.end)
            self.tokens.insert(self.i, rest)
        return sp.Integer(int(t.text[0]))

    def group(self):
        if not self.at("{"):
            raise Unreadable("expected a group {...}")
        return self.sub_parse(self.raw_group())

    def raw_group(self) -> list[Token]:
        """The tokens of a {...} group (or of one token), unparsed."""
        t = self.peek()
        if t is None:
            raise Unreadable("a command is missing its argument")
        if not (t.kind == "char" and t.text == "{"):
            if t.kind == "num" and len(t.text) > 1:  # \frac12: one character each
                self.tokens.insert(self.i + 1, Token("num", t.text[1:], t.start + 1, t.end))
                t = Token("num", t.text[0], t.start, t.start + 1)
            self.i += 1
            return [t]
        self.take()
        start, depth = self.i, 1
        while True:
            t = self.peek()
            if t is None:
                raise Unreadable("unbalanced braces")
            if t.kind == "char" and t.text in "{}":
                depth += 1 if t.text == "{" else -1
                if depth == 0:
                    break
            self.i += 1
        inner = self.tokens[start:self.i]
        self.i += 1
        return _unwrap(inner)

    def with_depth(self, depth: int) -> "_Parser":
        self.depth = depth
        return self

    def sub_parse(self, tokens: list[Token]):
        if not tokens:
            raise Unreadable("an empty argument")
        return _Parser(tokens, self.context).with_depth(self.depth + 1).element()

    def primary(self):
        t = self.peek()
        if t is None:
            raise Unreadable("the expression ends too early")
        self.enter()
        try:
            return self._primary(t)
        finally:
            self.leave()

    def _primary(self, t: Token):
        if t.kind == "num":
            self.take()
            value = _number(t.text, self.context.as_written)
            if isinstance(value, Printed):
                value.start = t.start
            return value
        if t.kind == "letter":
            return self.name_or_call()
        if t.kind == "char":
            if t.text == "(":
                return self.delimited("(", ")")
            if t.text == "[":
                return self.delimited("[", "]")
            if t.text == "{":
                return self.group()
            raise Unreadable(f"cannot read {t.text!r} here")
        if t.kind == "other":
            raise Unreadable(f"cannot read {t.text!r}")
        return self.command(t)

    def delimited(self, opening: str, closing: str):
        self.expect(opening)
        value = self.tuple_or_expr()
        if self.at(r"\right"):
            raise Unreadable(r"\right without \left")
        self.expect(closing)
        return value

    def command(self, t: Token):
        name = t.text
        if name in (r"\frac", r"\dfrac", r"\tfrac", r"\cfrac"):
            self.take()
            return self.fraction()
        if name == r"\sqrt":
            self.take()
            return self.root()
        if name == r"\left":
            return self.left_right()
        if name == r"\pi":
            self.take()
            return sp.pi
        if name == r"\infty":
            raise Unreadable("infinity is not a value")
        if name == r"\boxed":
            self.take()
            return self.group()
        if name in (r"\underbrace", r"\overbrace"):  # the braced part; its label is text
            self.take()
            value = self.group()
            if self.at("_") or self.at("^"):
                self.take()
                self.raw_group()
            return value
        if name in _NORMS:
            return self.norm()
        if name == r"\int":
            self.take()
            return self.integral()
        if name == r"\nabla" and self.at("_", 1):  # \nabla_{w_5} E is ∂E/∂w_5
            self.i += 2
            variable = _lone_name(self.raw_group(), self.context)
            t = self.peek()
            if variable is None or t is None or not (t.kind == "letter" or _greek(t.text)):
                raise Unreadable(r"cannot read this \nabla")
            return self.context.array(symbol(derivative_name(self.name().name, variable)))
        if name == r"\nabla":  # \nabla e with no variable: the gradient, a name of its own
            self.take()
            t = self.peek()
            if t is None or not (t.kind == "letter" or _greek(t.text)):
                raise Unreadable(r"cannot read this \nabla")
            return self.context.array(symbol("nabla" + self.name().name))
        if name == r"\begin":
            return self.environment()
        if name in _COMMAND_FUNCTIONS:
            self.take()
            return self.call(_COMMAND_FUNCTIONS[name], name, operator_style=True)
        if name in _PAREN_FUNCTIONS and self.function_follows(1):
            self.take()
            user = self.context.functions.get(function_key(name.lstrip("\\").replace("var", "")))
            return self.call(user or _PAREN_FUNCTIONS[name], name)
        if name == r"\theta" and self.function_follows(1) and self.two_arguments(1):
            self.take()  # SymPy prints Heaviside(z, 0) as \theta(z, 0); θ(z) alone stays θ · z
            return self.call(_HEAVISIDE, name)
        if name in _FONTS:
            return self.font()
        if name in _ACCENTS or _greek(name):
            return self.name_or_call()
        raise Unreadable(f"cannot read {name}")

    def function_follows(self, k: int) -> bool:
        """Whether an argument list (perhaps after ^n or ') starts k tokens ahead: (…),
        \\left(…\\right), or SymPy's {\\left(…\\right)}."""
        t = self.peek(k)
        while t is not None and t.text in ("^", "'"):
            k += 1
            if t.text == "^":
                k = _after_group(self.tokens, self.i + k) - self.i
            t = self.peek(k)
        if t is None:
            return False
        return t.text in ("(", r"\left") or self.braced_arguments(k)

    def two_arguments(self, k: int) -> bool:
        """Whether the parentheses starting k tokens ahead hold exactly one top-level comma."""
        depth, commas = 0, 0
        for t in self.tokens[self.i + k:]:
            if t.text in ("(", "[", "{", r"\left"):
                depth += 1 if t.text != r"\left" else 0
            elif t.text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return commas == 1
            elif t.text == "," and depth == 1:
                commas += 1
        return False

    def braced_arguments(self, k: int = 0) -> bool:
        t, nxt = self.peek(k), self.peek(k + 1)
        return t is not None and t.text == "{" and nxt is not None and nxt.text in ("(", r"\left")

    # fractions and derivatives
    def fraction(self):
        numerator = self.raw_group()
        denominator = self.raw_group()
        top, bottom = _d_marker_length(numerator), _d_marker_length(denominator)
        # d^2y/dx^2 is not read; ∂E/∂z^{(2)}_{1} is (a label in parentheses, not a power).
        if top and bottom and (numerator[top:top + 1] and numerator[top].text == "^"
                               or _powered(denominator)):
            raise Unreadable("higher derivatives (or derivatives by a superscripted name) "
                             "are not read")
        variable = _differential(denominator)
        if variable is not None:
            marker = _d_marker_length(numerator)
            if marker:
                return self.derivative(numerator[marker:], variable)
        top = self.sub_parse(numerator)
        bottom = self.sub_parse(denominator)
        return _scalar(top) / _nonzero(_scalar(bottom))

    def derivative(self, rest: list[Token], variable: str):
        var = symbol(variable)
        if not rest:  # the operator d/dx: it applies to what follows
            if self.peek() is None:
                raise Unreadable("d/dx with nothing to differentiate")
            bracketed = self.peek().text in ("(", "[", "{", r"\left")
            operand = _scalar(self.power())
            nxt = self.peek()
            if not bracketed and nxt is not None and self.starts_factor(nxt):
                raise Unreadable("what d/dx applies to is ambiguous; put it in parentheses")
            return sp.Derivative(operand, var)
        if rest[0].kind == "char" and rest[0].text == "^":
            raise Unreadable("higher derivatives are not read")
        name = _lone_name(rest, self.context)
        if name is not None:
            return self.context.array(symbol(derivative_name(name, variable)))
        return sp.Derivative(_scalar(self.sub_parse(rest)), var)

    def root(self):
        index = None
        if self.at("["):
            self.take()
            start = self.i
            while self.peek() is not None and not self.at("]"):
                self.i += 1
            index = self.sub_parse(self.tokens[start:self.i])
            self.expect("]")
        radicand = _scalar(self.sub_parse(self.raw_group()))
        if index is None:
            return sp.sqrt(radicand)
        index = _scalar(index)
        if not (index.is_Integer and 2 <= index <= MAX_EXPONENT):
            raise Unreadable("a root's index must be a whole number from 2")
        return sp.root(radicand, index)

    def norm(self):
        """\\|x\\| (also \\lVert, \\Vert): the length of a vector, |x| of a number."""
        opening = self.take().text
        closing = _NORMS[opening]
        start, depth = self.i, 0
        while True:
            t = self.peek()
            if t is None:
                raise Unreadable(f"{opening} is not closed")
            if t.text == closing and depth == 0 and self.i > start:
                break
            depth += 1 if t.text in ("(", "[", "{") else -1 if t.text in (")", "]", "}") else 0
            self.i += 1
        inner = self.sub_parse(self.tokens[start:self.i])
        self.take()
        return _norm(inner)

    def integral(self):
        """\\int_a^b f(t)\\,dt: a definite integral (evaluated numerically, mpmath's quad)."""
        lower = upper = None
        while self.at("_") or self.at("^"):
            which = self.take().text
            bound = self.bound()
            lower, upper = (bound, upper) if which == "_" else (lower, bound)
        if lower is None or upper is None:
            raise Unreadable("an integral without both bounds")
        start, depth = self.i, 0
        while True:
            t = self.peek()
            if t is None:
                raise Unreadable("an integral without its d(variable)")
            if depth == 0 and self.differential_at(0):
                break
            depth += 1 if t.text in ("(", "[", "{", r"\left") else \
                -1 if t.text in (")", "]", "}", r"\right") else 0
            self.i += 1
        integrand = _scalar(self.sub_parse(self.tokens[start:self.i]))
        self.i += self.differential_at(0)
        t = symbol(self.tokens[self.i - 1].text)
        if _is_normal_density(integrand, t):  # ∫ φ(t) dt = Φ(b) − Φ(a), Φ(−∞) = 0
            return (Phi(upper) if upper != sp.oo else 1) - (Phi(lower) if lower != -sp.oo else 0)
        return sp.Integral(integrand, (t, lower, upper))

    def differential_at(self, k: int) -> int:
        """Tokens in a d(variable) (dt, \\mathrm{d}t) k tokens ahead, else 0."""
        t = self.peek(k)
        if t is None:
            return 0
        width = 1 if t.kind == "letter" and t.text == "d" else 0
        if t.text in (r"\mathrm", r"\text") and self.at("{", k + 1) and self.peek(k + 2) is not None \
                and self.peek(k + 2).text == "d" and self.at("}", k + 3):
            width = 4
        after = self.peek(k + width)
        if not width or after is None or after.kind != "letter":
            return 0
        following = self.peek(k + width + 1)
        if following is not None and following.kind in ("letter", "num") and following.start == after.end:
            return 0  # dtx is not d(t)
        return width + 1

    def bound(self):
        tokens = self.raw_group()
        texts = [t.text for t in tokens]
        if texts in ([r"\infty"], ["+", r"\infty"]):
            return sp.oo
        if texts == ["-", r"\infty"]:
            return -sp.oo
        return _scalar(self.sub_parse(tokens))

    def left_right(self):
        self.take()  # \left
        opening = self.take().text
        pairs = {"(": ")", "[": "]", r"\{": r"\}", "|": "|", r"\lvert": r"\rvert",
                 r"\lbrack": r"\rbrack", r"\langle": r"\rangle", r"\|": r"\|",
                 r"\lVert": r"\rVert", r"\Vert": r"\Vert"}
        if opening not in pairs or opening == r"\langle":
            raise Unreadable(rf"cannot read \left{opening}")
        value = self.tuple_or_expr()
        if not self.at(r"\right"):
            raise Unreadable(r"\left without \right")
        self.take()
        closing = self.take().text
        if closing != pairs[opening]:
            raise Unreadable(rf"\left{opening} closed by \right{closing}")
        if opening in ("|", r"\lvert"):
            return sp.Abs(_scalar(value))
        if opening in _NORMS:
            return _norm(value)
        return value

    def environment(self):
        self.take()  # \begin
        env = "".join(t.text for t in self.raw_group())
        if env in ("cases", "dcases"):
            return self.cases(env)
        if env not in ("bmatrix", "pmatrix", "matrix", "Bmatrix"):
            raise Unreadable(f"cannot read the environment {env}")
        rows, cells, start = [], [], self.i
        while True:
            t = self.peek()
            if t is None:
                raise Unreadable(f"{env} is not closed")
            if t.text in ("&", "\\\\", r"\end"):
                cells.append(self.tokens[start:self.i])
                self.i += 1
                if t.text != "&":
                    rows.append(cells)
                    cells = []
                start = self.i
                if t.text == r"\end":
                    self.raw_group()
                    break
                continue
            if t.text == r"\begin":
                raise Unreadable("nested matrices are not read")
            self.i += 1
        rows = [r for r in rows if any(r)]
        shape = {len(r) for r in rows}
        if len(rows) == 1:
            return Row(_scalar(self.sub_parse(c)) for c in rows[0])
        if shape == {1}:
            return Tup(_scalar(self.sub_parse(r[0])) for r in rows)
        if len(shape) == 1:
            return Matrix(Tup(_scalar(self.sub_parse(c)) for c in r) for r in rows)
        raise Unreadable("a matrix with rows of different lengths")

    def cases(self, env: str):
        """``\\begin{cases} 1 & z > 0 \\\\ 0 & \\text{otherwise} \\end{cases}``: a piecewise
        value, each row's condition a step H(a − b) (H(0) = 1 where equality is allowed), so
        that a row holds where its condition does at the document's values."""
        closing, depth = None, 0
        for k in range(self.i, len(self.tokens)):
            depth += {r"\begin": 1, r"\end": -1}.get(self.tokens[k].text, 0)
            if depth < 0:
                closing = k
                break
        if closing is None:
            raise Unreadable(f"{env} is not closed")
        body, self.i = self.tokens[self.i:closing], closing + 1
        self.raw_group()
        rows, row, depth = [], [], 0
        for t in body:
            depth += 1 if t.text in ("{", r"\begin") else -1 if t.text in ("}", r"\end") else 0
            if t.text == "\\\\" and depth == 0:
                rows.append(row)
                row = []
            else:
                row.append(t)
        rows = [r for r in rows + [row] if r]
        pieces = []
        for r in rows:
            amp = next((k for k, t in enumerate(r) if t.text == "&"), None)
            if amp is None:
                raise Unreadable("a row of cases without its condition")
            pieces.append((_scalar(self.sub_parse(r[:amp])), self.condition(r[amp + 1:])))
        value = None
        for piece, step in reversed(pieces):
            if step is True:
                value = piece
            elif value is None:
                value = piece * step
            else:
                value = piece * step + (1 - step) * value
        return value

    def condition(self, tokens: list[Token]):
        """A row's condition as a step function of the document's values (True: otherwise)."""
        words = []
        while tokens and (tokens[0].text in _FONTS or tokens[0].kind == "letter"
                          and "".join(t.text for t in tokens[:2]) == "if" or tokens[0].text == ","):
            if tokens[0].text in _FONTS and len(tokens) > 1 and tokens[1].text == "{":
                end = _after_group(tokens, 1)
                words.append("".join(t.text for t in tokens[2:end - 1]).lower())
                tokens = tokens[end:]
            elif tokens[0].kind == "letter":
                words.append("if")
                tokens = tokens[2:]
            else:
                tokens = tokens[1:]
        if not tokens:
            if any(w.strip(" .,") in _OTHERWISE for w in words):
                return True
            raise Unreadable("cannot read this condition")
        at = [k for k, t in enumerate(tokens) if is_inequality(t) and t.text not in (r"\neq", r"\ne")]
        if len(at) != 1:
            raise Unreadable("cannot read this condition")
        k = at[0]
        left = _scalar(self.sub_parse(tokens[:k]))
        right = _scalar(self.sub_parse(tokens[k + 1:]))
        relation = tokens[k].text
        difference = left - right if relation in _ABOVE else right - left
        return sp.Heaviside(difference, 1 if relation in _OR_EQUAL else 0)

    def font(self):
        """\\text{..}, \\mathrm{..}, \\operatorname{..}: a function's name, a name, or e."""
        command = self.take().text
        if self.at("*"):
            self.take()
        inner = self.raw_group()
        if not inner:
            raise Unreadable(f"an empty {command}")
        word = "".join(t.text for t in inner)
        if all(t.kind == "letter" for t in inner):
            function = self.context.function(word)
            if function is _swish and self.at("_"):  # Swish_{β}(x) = x σ(βx)
                self.take()
                beta = _scalar(self.script())
                function = sp.Lambda(_A, _A * sigmoid(beta * _A))
            if function is not None and self.function_follows(0):
                return self.call(function, word)
            if word == "e" and self.at("^"):
                self.take()
                return _power(sp.E, _scalar(self.script()))
            if command in (r"\text", r"\textrm", r"\textit", r"\operatorname") and len(word) > 1 \
                    and function is not None:
                raise Unreadable(f"{word} without an argument in parentheses")
            return self.name_suffixes(word, "")
        if command in (r"\mathbf", r"\boldsymbol", r"\bm", r"\mathit", r"\mathrm") and len(inner) == 1:
            return self.sub_parse(inner)
        raise Unreadable(f"cannot read {command}{{{word}}}")

    # names and calls
    def name_or_call(self):
        t = self.peek()
        if t.kind == "letter" and t.text == "e" and self.at("^", 1) \
                and not (self.context.e_is_a_name() and self.squared_follows(1)):
            self.take()
            self.take()
            return _power(sp.E, _scalar(self.script()))
        if t.kind == "letter" and t.text == "P" and self.normal_cdf_follows():
            return self.normal_cdf()
        run = self.word()
        function = self.context.function(run) if len(run) >= 2 else None
        if function is not None and self.function_follows(len(run)):  # sigmoid(z) typed plainly
            self.i += len(run)
            return self.call(function, run)
        name = self.name()
        function = self.context.functions.get(function_key(name.name))
        if function is not None and self.function_follows(0):
            return self.call(function, name.name)
        base = name.name.rstrip("'")
        function = self.context.functions.get(function_key(base))
        if base != name.name and len(name.name) - len(base) == 1 and function is not None \
                and self.function_follows(0):  # f'(x) for a function the document defined
            self.tokens.insert(self.i, Token("char", "'", -1, -1))
            return self.call(function, base)
        return self.context.array(name)

    def squared_follows(self, k: int) -> bool:
        """Whether ^2 or ^{2} (a whole-number power) starts k tokens ahead."""
        t, nxt = self.peek(k + 1), self.peek(k + 2)
        if t is not None and t.kind == "num":
            return True
        return t is not None and t.text == "{" and nxt is not None and nxt.kind == "num" \
            and nxt.text.isdigit() and self.at("}", k + 3)

    def normal_cdf_follows(self) -> bool:
        """P(X \\le x): the probability a standard normal X is below x (the document says
        X is standard normal; P of anything else is not read)."""
        k = 2 if self.at(r"\left", 1) else 1  # P\left(X \le x\right) too
        return self.at("(", k) and self.peek(k + 1) is not None and self.peek(k + 1).text == "X" \
            and self.peek(k + 2) is not None and self.peek(k + 2).text in _BELOW

    def normal_cdf(self):
        sized = self.at(r"\left", 1)
        self.i += 5 if sized else 4
        bound = _scalar(self.expr())
        if sized:
            self.expect(r"\right")
        self.expect(")")
        return Phi(bound)

    def word(self, k: int = 0) -> str:
        """The run of adjacent letters starting k tokens ahead ("net" in net_{h1})."""
        j = self.i + k
        run = []
        while j < len(self.tokens) and self.tokens[j].kind == "letter" \
                and (not run or self.tokens[j].start == self.tokens[j - 1].end):
            run.append(self.tokens[j].text)
            j += 1
        return "".join(run)

    def name(self) -> sp.Symbol:
        # Three or more adjacent letters are a word (net_{h1}, out, target), not a product;
        # so are the two-letter names people use for one thing (lr).
        run = self.word()
        t = self.take()
        accent = ""
        if t.kind == "letter":
            base = t.text
            if len(run) >= 3 or run in _TWO_LETTER_NAMES:
                self.i += len(run) - 1
                base = run
            base += self.digit_suffix()
        elif t.text in _ACCENTS:
            accent = _ACCENTS[t.text]
            inner = self.raw_group()
            inner_name = _lone_name(inner, self.context)
            if inner_name is None:
                raise Unreadable(f"cannot read {t.text} over this")
            base = inner_name
        elif t.text == r"\Delta" and self.peek() is not None \
                and (self.peek().kind == "letter" or _greek(self.peek().text)):
            return symbol("Delta" + self.name().name)  # Δw_{11}: one name, the update of w_11
        elif _greek(t.text):
            base = _greek(t.text)
        else:
            raise Unreadable(f"cannot read {t.text} as a name")
        return self.name_suffixes(base, accent)

    def digit_suffix(self) -> str:
        """h2, i1, E_y2: digits written right after a letter number it (h2 is h_2, not 2h)."""
        t, before = self.peek(), self.tokens[self.i - 1]
        if t is not None and t.kind == "num" and t.text.isdigit() and t.start == before.end:
            self.take()
            return t.text
        return ""

    def bracket_index(self) -> str:
        """x[0], h[1]: an index in brackets right after a name, as a subscript."""
        t, nxt, close = self.peek(), self.peek(1), self.peek(2)
        if t is not None and t.text == "[" and t.start == self.tokens[self.i - 1].end \
                and nxt is not None and nxt.kind == "num" and nxt.text.isdigit() \
                and close is not None and close.text == "]":
            self.i += 3
            return nxt.text
        return ""

    def name_suffixes(self, base: str, accent: str) -> sp.Symbol:
        sub, layer, primes, mark = "", "", "", ""
        while True:
            if self.at("_") and not sub:
                self.take()
                braced = self.at("{")
                sub = self.subscript_text()
                if not braced:
                    sub += self.digit_suffix()
            elif self.at("{") and self.at("_", 1) and not sub:  # \delta{_2}
                group = self.raw_group()
                inner = _Parser(group[1:], self.context)
                sub = inner.subscript_text()
                if inner.peek() is not None:
                    raise Unreadable("cannot read this subscript")
            elif not sub and (index := self.bracket_index()):
                sub = index
            elif self.at("'"):
                self.take()
                primes += "'"
            elif self.at("^") and self.peek(1) is not None:
                tag = self.superscript_tag()
                if tag is None:
                    break
                kind, text = tag
                if kind == "layer":
                    layer = text
                elif kind == "example":
                    layer = text[0] or layer
                    mark += f"ex{text[1]}"
                elif kind == "prime":
                    primes += "'"
                else:
                    mark += text
            else:
                break
        if layer:
            parts = sub.split("_") if "_" in sub else (list(sub) if sub.isdigit() else [sub])
            return symbol(f"{base}{layer}_{'_'.join(p for p in parts if p)}{primes}{mark}")
        if "_" in sub and all(len(p) == 1 for p in sub.split("_")):
            sub = sub.replace("_", "")  # w_{1,1} is w_{11}
        return symbol(f"{base}{sub}{primes}{mark}{accent}")

    def superscript_tag(self):
        """^{(1)} (a layer), ^{+}, ^{*}, ^{\\prime}: part of the name; None for a power."""
        nxt = self.peek(1)
        if nxt.text == r"\prime":
            self.i += 2
            return ("prime", "'")
        if nxt.text in ("*", "+"):
            self.i += 2
            return ("mark", nxt.text)
        if nxt.text in _TRANSPOSE:
            return None  # a transpose: the name's array, transposed
        if nxt.text != "{":
            return None
        j, text = self.i + 2, ""
        while j < len(self.tokens) and self.tokens[j].text != "}":
            text += self.tokens[j].text
            j += 1
        if text in ("+", "*", "new"):
            self.i = j + 1
            return ("mark", text)
        if text in (r"\prime", "'"):
            self.i = j + 1
            return ("prime", "'")
        if text in _TRANSPOSE:
            return None
        if text == "-1":
            raise Unreadable(f"cannot read ^{{{text}}} on a name")
        m = _DENSE_LAYER.match(text)
        if m:
            self.i = j + 1
            return ("layer", m.group(1))
        m = _EXAMPLE.match(text.replace(" ", ""))
        if m:
            self.i = j + 1
            return ("example", (m.group(1) or "", m.group(2)))
        return None

    def subscript_text(self) -> str:
        tokens = self.raw_group()
        parts = []
        for tok in tokens:
            if tok.kind in ("letter", "num"):
                parts.append(tok.text)
            elif tok.text == ",":
                parts.append("_")
            elif _greek(tok.text):
                parts.append(_greek(tok.text))
            elif tok.text in ("_", "{", "}") or tok.text in _FONTS:
                continue
            else:
                raise Unreadable(f"cannot read {tok.text!r} in a subscript")
        if not parts:
            raise Unreadable("an empty subscript")
        return "".join(parts)

    def call(self, function, shown: str, operator_style: bool = False):
        exponent = None
        prime = False
        while True:
            if self.at("^"):
                self.take()
                exponent = _scalar(self.script())
            elif self.at("'"):
                self.take()
                prime = True
            else:
                break
        if self.at("_") and function is sp.log:
            self.take()
            base = _scalar(self.script())
            function = _log_base(base)
        if self.at("(") or self.at("["):
            args = self.delimited(*("()" if self.at("(") else "[]"))
        elif self.at(r"\left"):
            args = self.left_right()
        elif self.at("{") and (operator_style or self.braced_arguments()):
            args = self.group()
        elif operator_style and self.peek() is not None:
            args = self.power()
        else:
            raise Unreadable(f"{shown} needs an argument in parentheses")
        value = _apply(function, args, prime)
        if exponent is not None:
            if not (exponent.is_Integer and 1 <= exponent <= MAX_EXPONENT):
                raise Unreadable(f"cannot read {shown}^{{{exponent}}} (an inverse?)")
            value = _power(value, exponent)
        return value


def _after_group(tokens: list[Token], i: int) -> int:
    """The index after the group (or single token) that starts at ``i``."""
    if i >= len(tokens) or tokens[i].text != "{":
        return i + 1
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind == "char" and tokens[j].text in "{}":
            depth += 1 if tokens[j].text == "{" else -1
            if depth == 0:
                return j + 1
    return len(tokens)


def _unwrap(tokens: list[Token]) -> list[Token]:
    """{{d}} reads as {d}: braces around a whole group change nothing."""
    while len(tokens) >= 2 and tokens[0].text == "{" and _after_group(tokens, 0) == len(tokens):
        tokens = tokens[1:-1]
    return tokens


def _greek(command: str) -> str | None:
    name = command.lstrip("\\")
    if not command.startswith("\\"):
        return None
    name = _GREEK_VARIANTS.get(name, name)
    return name if name in _GREEK else None


def _number(text: str, as_written: bool = False):
    """A decimal is :class:`Printed`; a whole number an Integer, except when read as written
    (SymPy drops a 0 or 1 from sums and products and folds the signs of whole numbers
    together, even unevaluated)."""
    mantissa, _, exponent = text.lower().partition("e")
    if len(mantissa.replace(".", "")) > MAX_DIGITS:
        raise Unreadable(f"a number with more than {MAX_DIGITS} digits")
    if abs(int(exponent or 0)) > MAX_EXPONENT:
        raise Unreadable(f"an exponent beyond ±{MAX_EXPONENT}")
    if "." in text or exponent or as_written:
        return Printed(text)
    return sp.Integer(int(text))


def _arith(operation, *operands):
    """An operation of arrays.py (on numbers or arrays), its misfits unreadable."""
    for value in operands:
        if isinstance(value, FunctionHead):
            raise Unreadable("a function definition inside an expression")
    try:
        return operation(*operands)
    except arrays.Misfit as e:
        raise Unreadable(str(e)) from None


def _scalar(value):
    if isinstance(value, Tup):
        raise Unreadable("arithmetic on a vector")
    if isinstance(value, FunctionHead):
        raise Unreadable("a function definition inside an expression")
    return value


def _is_normal_density(integrand, t) -> bool:
    """Whether the integrand is the standard normal density in t (written out, or φ(t))."""
    density = sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi)
    try:
        return sp.cancel(exact(integrand).rewrite(sp.exp) / density) == 1 or exact(integrand) == phi(t)
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _powered(tokens: list[Token]) -> bool:
    """Whether a ^ in these tokens is a power (dx^2), not a label: a layer in parentheses
    (z^{(2)}), an example in brackets (z^{[2]}), or both (z^{(1)[2]})."""
    for k, t in enumerate(tokens):
        if t.text == "^":
            group = [u.text for u in tokens[k + 1:k + 12]]
            if not group or group[0] != "{" or "}" not in group:
                return True
            label = "".join(group[1:group.index("}")])
            # a layer (2), an example [2] or both (1)[2] (issue 14's multi-example sheets)
            if not (_DENSE_LAYER.match(label) or _EXAMPLE.match(label)):
                return True
    return False


def _norm(value):
    if isinstance(value, Tup):
        return sp.sqrt(sp.Add(*(_scalar(v) ** 2 for v in value)))
    return sp.Abs(_scalar(value))


def _nonzero(value):
    if value == 0:
        raise Unreadable("division by zero")
    return value


def _numeric_value(expr):
    """The exact number ``expr`` stands for (printed decimals at face value), or None."""
    printed = {p: p.value for p in expr.atoms(Printed)}
    value = expr.xreplace(printed) if printed else expr
    return value if value.is_number else None


def _power(base, exponent):
    e = _numeric_value(exponent)
    if e is not None:
        magnitude = abs(e.evalf(15)) if not e.is_Rational else abs(e)
        if not magnitude.is_finite or magnitude > MAX_EXPONENT:
            raise Unreadable(f"an exponent beyond ±{MAX_EXPONENT}")
        b = _numeric_value(base)
        if b is not None and b.is_Rational and e.is_Integer and not isinstance(base, Printed):
            size = max(abs(int(b.p)), abs(int(b.q)), 2).bit_length() * abs(int(e))
            if size > MAX_POWER_BITS:
                raise Unreadable("a power too large to compute")
        if b is not None and isinstance(base, Printed) is False and b == 0 and e < 0:
            raise Unreadable("division by zero")
    return sp.Pow(base, exponent)


def _log_base(base):
    def log(x):
        return sp.log(x) / sp.log(base)
    return log


def _apply(function, args, prime: bool):
    if isinstance(args, Tup) and function in _MULTI_ARG:
        if prime:
            raise Unreadable("the derivative of max/min is not read")
        return function(*args)
    if isinstance(function, sp.Lambda) and isinstance(args, Tup) and len(args) == len(function.variables):
        if prime:
            raise Unreadable("the derivative of a function of several variables")
        return function(*args)
    if isinstance(args, Tup):
        if isinstance(function, sp.Lambda) and len(function.variables) != 1:
            raise Unreadable("a function of a vector")
        return arrays.map_entries(lambda a: _apply(function, a, prime), args)  # σ(z): entry by entry
    if prime:
        t = sp.Dummy("t", real=True)
        body = function(t)
        return sp.diff(body, t).subs(t, args)
    return function(args)


def _differential(tokens: list[Token]) -> str | None:
    """The variable of a denominator ``dx`` / ``\\partial o_1`` / ``\\mathrm{d}z``, else None."""
    marker = _d_marker_length(tokens)
    if not marker or marker == len(tokens):
        return None
    return _lone_name(tokens[marker:], Context())


def _d_marker_length(tokens: list[Token]) -> int:
    """How many tokens the leading d / ∂ / \\mathrm{d} takes (0 when there is none)."""
    if not tokens:
        return 0
    first = tokens[0]
    if first.text == r"\partial" or (first.kind == "letter" and first.text == "d"):
        return 1
    if first.text in (r"\mathrm", r"\text", r"\operatorname") and len(tokens) >= 4 \
            and tokens[1].text == "{" and tokens[2].text == "d" and tokens[3].text == "}":
        return 4
    return 0


def _lone_name(tokens: list[Token], context: Context) -> str | None:
    """The name these tokens spell when they are exactly one name (h_1, \\hat{o}_1), else None."""
    if not tokens or tokens[0].kind not in ("letter", "cmd"):
        return None
    if tokens[0].kind == "cmd" and not (tokens[0].text in _ACCENTS or _greek(tokens[0].text)
                                         or tokens[0].text in _FONTS):
        return None
    parser = _Parser(tokens, context)
    try:
        value = parser.name() if tokens[0].text not in _FONTS else parser.font()
    except (Unreadable, IndexError):
        return None
    if parser.peek() is not None or not isinstance(value, sp.Symbol):
        return None
    return value.name


# -- entry points ---------------------------------------------------------------------------

def read(tokens: list[Token], context: Context | None = None):
    """The SymPy expression (or :class:`Tup`) these tokens spell; raises :class:`Unreadable`."""
    context = context or Context()
    if not tokens:
        raise Unreadable("nothing to read")
    try:
        return _Parser(tokens, context).element()
    except RecursionError:
        raise Unreadable("nested too deeply") from None
    except Unreadable:
        raise
    except Exception as e:  # noqa: BLE001 - SymPy's automatic evaluation raises many kinds
        raise Unreadable(f"cannot read this ({type(e).__name__})") from None


def read_head(tokens: list[Token], context: Context | None = None):
    """Like :func:`read`, but ``f(x)`` / ``\\text{swish}(x, y)`` becomes a :class:`FunctionHead`.

    Only names applied to names qualify; whether it is a definition is the checker's call.
    """
    context = context or Context()
    head = _function_head(tokens, context)
    if head is not None:
        return head
    return read(tokens, context)


def _function_head(tokens: list[Token], context: Context) -> FunctionHead | None:
    opening = next((k for k, t in enumerate(tokens) if t.text in ("(", r"\left")), None)
    if not opening:
        return None
    name_tokens = tokens[:opening]
    if tokens[0].text in _PAREN_FUNCTIONS and len(name_tokens) == 1:
        name = tokens[0].text.lstrip("\\").replace("var", "")
    else:
        name = _lone_name(name_tokens, context)
        if name is None and name_tokens and name_tokens[0].text in _FONTS:
            inner = name_tokens[2:-1] if len(name_tokens) > 3 else []
            word = "".join(t.text for t in inner)
            name = word if word.isalpha() and len(inner) + 3 == len(name_tokens) else None
    # σ'(x) = … is a claim about σ, not a definition; f'(z) = … of an f never defined is one
    if name is None or name.endswith("'") and _known_function(name.rstrip("'"), context):
        return None
    args = tokens[opening:]
    if args[0].text == r"\left":
        if len(args) < 4 or args[1].text != "(" or args[-2].text != r"\right" or args[-1].text != ")":
            return None
        inner = args[2:-2]
    else:
        if args[-1].text != ")":
            return None
        inner = args[1:-1]
    params = []
    for part in _split_commas(inner):
        p = _lone_name(part, context)
        if p is None:
            return None
        params.append(symbol(p))
    if not params or len(set(params)) != len(params):
        return None
    try:
        applied = read(tokens, context)
    except Unreadable:
        applied = None
    return FunctionHead(function_key(name), tuple(params), applied)


def _known_function(name: str, context: Context) -> bool:
    command = "\\" + name
    return context.function(name) is not None or command in _PAREN_FUNCTIONS \
        or command in _COMMAND_FUNCTIONS or "\\var" + name in _PAREN_FUNCTIONS


def _split_commas(tokens: list[Token]) -> list[list[Token]]:
    parts, current, depth = [], [], 0
    for t in tokens:
        if t.text in ("(", "{", "["):
            depth += 1
        elif t.text in (")", "}", "]"):
            depth -= 1
        if t.text == "," and depth == 0:
            parts.append(current)
            current = []
        else:
            current.append(t)
    parts.append(current)
    return parts


def is_inequality(token: Token) -> bool:
    return token.kind in ("char", "cmd") and token.text in _INEQUALITIES


def is_other_relation(token: Token) -> bool:
    """∈, →, ∼ and the like: a statement holding one is not an equation."""
    return token.kind == "cmd" and token.text in _OTHER_RELATIONS


def printed_in(expr) -> set:
    """The printed decimals in an expression."""
    if isinstance(expr, Tup):
        return set().union(*(printed_in(e) for e in expr)) if expr else set()
    return set(expr.atoms(Printed)) if isinstance(expr, sp.Basic) else set()


def names_in(expr) -> set:
    """The free names (symbols that are not printed decimals)."""
    if isinstance(expr, Tup):
        return set().union(*(names_in(e) for e in expr)) if expr else set()
    if not isinstance(expr, sp.Basic):
        return set()
    return {s for s in expr.free_symbols if not isinstance(s, Printed)}


def exact(expr):
    """``expr`` with every printed decimal at face value (a Rational)."""
    if isinstance(expr, Tup):
        return type(expr)(exact(e) for e in expr)
    printed = {p: p.value for p in printed_in(expr)}
    return expr.xreplace(printed) if printed else expr


__all__ = ["Unreadable", "Printed", "Occurrence", "Tup", "Row", "Matrix", "FunctionHead", "Token", "Context", "lex", "read",
           "read_head", "derivative_name", "derivative_parts", "is_inequality",
           "is_other_relation", "printed_in",
           "names_in", "exact"]
