"""The one source of LaTeX for mathematics: a SymPy printer subclass.

Templates and reports never glue LaTeX strings for mathematics; they print SymPy objects
through :func:`latex`, which returns :class:`TeX` (trusted LaTeX that the template
environment passes through unescaped).
"""

import math
import re
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.simplify import fraction

from symderiv.calculus.numeric import evaluated

# Where two printed factors are both numbers, they take mul_symbol_latex_numbers (\cdot)
# instead of a space: the last factor ends in a digit, the next begins with one (or a
# \frac of digits). SymPy keeps the same test in a private name; ours is written here so
# that nothing depends on SymPy's private API (pyproject allows sympy >= 1.12).
_BETWEEN_NUMBERS = (re.compile(r"[0-9][} ]*$"), re.compile(r"(\d|\\frac{\d+}{\d+})"))

# w1_2_3 (layer 1, neuron 2, input 3) and b1_2 / n1_2: the dense-layer names of the contract.
_DENSE_NAME = re.compile(r"^([A-Za-z]+)(\d+)_(\d+)(?:_(\d+))?$")


class TeX(str):
    """A string of trusted LaTeX, made by this printer (never from user text)."""

    __slots__ = ()


class ExampleSymbol(sp.Symbol):
    """A quantity of one training example among several: h1 of example 2 is
    ``ExampleSymbol(h1, 2)``, printed h_{1}^{[2]} (a dense n^{(1)}_{2} as n^{(1)[2]}_{2}:
    round brackets for the layer, square ones for the example), so that each example's values have names of
    their own on the sheet. The example rides in the name (``h1@2``; spec names have no @).
    """

    def __new__(cls, base: sp.Symbol, example: int):
        return super().__new__(cls, f"{base.name}@{example}", **base.assumptions0)

    @property
    def base(self) -> sp.Symbol:
        return sp.Symbol(self.name.rsplit("@", 1)[0], **self.assumptions0)

    @property
    def example(self) -> int:
        return int(self.name.rsplit("@", 1)[1])


class StageSymbol(sp.Symbol):
    """A named value of a computational graph (a stage such as ``xpysqr``, a gate ``g1``):
    a name of several letters prints as one word, \\mathit{xpysqr}, and a product of such
    words with a dot between them (\\mathit{num} \\cdot \\mathit{invden})."""


def layer_matrix(kind: str, layer: int, rows: int, cols: int, loss: str = "E"):
    """A dense layer's matrix or vector, printed as a course names it: W^{(2)}, δ^{(2)},
    a^{(1)} (x for the inputs), f'(z^{(1)}), ∂E/∂W^{(2)}. ``kind`` is one of W, b, W', b',
    delta, a, slope, dW, db; the layer and the loss's name ride in the name (spec names
    have no @)."""
    return sp.MatrixSymbol(f"{kind}@{layer}@{loss}", rows, cols)


def _layer_matrix_parts(expr) -> tuple[str, int, str] | None:
    if isinstance(expr, sp.MatrixSymbol) and expr.name.count("@") == 2:
        kind, layer, loss = expr.name.split("@")
        return kind, int(layer), loss
    return None


class SymderivLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer, taught σ, ReLU, Φ, φ, ∂e/∂o and numbers at a fixed precision.

    Extra setting ``cases_words``: the words of a case split, (for, otherwise) as SymPy
    writes them, or a sheet's language ((若, 其他)).

    Extra setting ``decimals``: when an int, every number is printed as a decimal rounded
    to that many places (trailing zeros dropped), as worked steps show them (3/20 as 0.15,
    1/3 as 0.3333). Without it, numbers print as SymPy prints them (\\frac{1}{3}).
    Extra setting ``keep_order``: factors print in the order they were built (a formula
    as its author wrote it: (x + y) z), not in :func:`_teacher_order`.
    """

    _default_settings = {**LatexPrinter._default_settings, "decimals": None,
                         "keep_order": False,
                         "cases_words": ("for", "otherwise")}

    # -- functions coursework writes by name -------------------------------------------
    def _print_SpecialFunctionBase(self, expr, exp=None):
        # σ, ReLU, Φ, φ: each class names its own TeX (symderiv.calculus.functions). SymPy's
        # printer skips a Function subclass's bases unless their names end in "Base".
        return self._named_function(expr.tex_name, expr, exp)

    def _named_function(self, name, expr, exp):
        args = ", ".join(self._print(a) for a in expr.args)
        head = f"{name}^{{{exp}}}" if exp is not None else name
        return rf"{head}\left({args}\right)"

    # -- ∂e/∂o₁ as a textbook writes a chain-rule factor ------------------------------
    def _print_Derivative(self, expr):
        if isinstance(expr.expr, sp.Symbol) and all(n == 1 for _, n in expr.variable_count):
            num = self._print(expr.expr)
            den = " ".join(rf"\partial {self._print(v)}" for v, _ in expr.variable_count)
            return rf"\frac{{\partial {num}}}{{{den}}}"
        operand = expr.expr
        if len(expr.variable_count) == 1 and expr.variable_count[0][1] == 1:
            # One variable, once: d/dx, as a teacher writes it even with parameters (β)
            # about; a compound operand in parentheses: \frac{d}{dz}\left(\frac{…}{…}\right).
            var = self._print(expr.variable_count[0][0])
            if _compound(operand):
                return rf"\frac{{d}}{{d{var}}}\left({self._print(operand)}\right)"
            return rf"\frac{{d}}{{d{var}}} {self._print(operand)}"
        return super()._print_Derivative(expr)

    # -- ∫ with its limits beside the sign, as in running text ---------------------------
    def _print_Integral(self, expr):
        # SymPy stacks the limits of a display integral (\int\limits); the seed writes
        # \int_{-\infty}^{x}, as inline mode prints it.
        mode = self._settings["mode"]
        self._settings["mode"] = "inline"
        try:
            return super()._print_Integral(expr)
        finally:
            self._settings["mode"] = mode

    def _print_ExpBase(self, expr, exp=None):
        # A fraction in the exponent is written on the line, e^{-x^{2}/2}, not as a
        # \frac two sizes down; the rest of the exponent prints as SymPy prints it.
        fold = self._settings["fold_short_frac"]
        self._settings["fold_short_frac"] = True
        try:
            return super()._print_ExpBase(expr, exp)
        finally:
            self._settings["fold_short_frac"] = fold

    def _print_Swish(self, expr, exp=None):
        # Swish(x) or Swish(x, β) (symderiv.render.activations_layout.Swish): the latter
        # with its β, Swish_β(x), a given β as written (1.5, not \frac{3}{2}).
        x, *beta = expr.args
        head = r"\operatorname{Swish}"
        if beta:
            b = beta[0]
            head += f"_{{{format_given(b, 4) if b.is_Rational else self._print(b)}}}"
        if exp is not None:
            head += f"^{{{exp}}}"
        return rf"{head}{{\left({self._print(x)} \right)}}"

    def _print_Piecewise(self, expr):
        # SymPy's layout, in the sheet's words (a zh sheet does not say "for … otherwise")
        when, otherwise = self._settings["cases_words"]
        rows = []
        for i, (e, c) in enumerate(expr.args):
            last = i == len(expr.args) - 1 and c == sp.true
            rows.append(rf"{self._print(e)} & \text{{{otherwise}}}" if last else
                        rf"{self._print(e)} & \text{{{when}}}\: {self._print(c)}")
        return r"\begin{cases} %s \end{cases}" % r" \\".join(rows)

    def _print_Heaviside(self, expr, exp=None):
        # ReLU′ as a course writes it, cases on z (1 for z > 0, 0 otherwise), not SymPy's
        # θ(z, 0); the value at 0 joins a row it equals, or is a row of its own.
        x, at_zero = expr.args if len(expr.args) == 2 else (expr.args[0], sp.S.Half)
        positive = (sp.GreaterThan if at_zero == 1 else sp.StrictGreaterThan)(x, 0,
                                                                             evaluate=False)
        rows = [(sp.S.One, positive)]
        if at_zero not in (0, 1):
            rows.append((at_zero, sp.Eq(x, 0, evaluate=False)))
        tex = self._print_Piecewise(sp.Piecewise(*rows, (sp.S.Zero, True), evaluate=False))
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _print_Probability(self, expr):
        return rf"P\left({self._print(expr.args[0])}\right)"

    # -- names ---------------------------------------------------------------------------
    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        primes = "'" * (len(name) - len(name.rstrip("'"))) if name.rstrip("'") else ""
        name = name[:len(name) - len(primes)]
        m = _DENSE_NAME.match(name)
        if m:
            # w1_2_3' (after an update): w'^{(1)}_{23}: the prime joins the layer's
            # superscript (w^{(1)}_{23}' would be a double superscript in TeX).
            base, layer, j, k = m.groups()
            sub = j if k is None else f"{j}{k}" if len(j) == len(k) == 1 else f"{j},{k}"
            return f"{base}{primes}^{{({layer})}}_{{{sub}}}"
        if primes:
            # w5' (a parameter after an update): w_{5}'
            return self._print_Symbol(sp.Symbol(name), style) + primes
        return super()._print_Symbol(expr, style=style)

    def _print_StageSymbol(self, expr, style="plain"):
        tex = self._print_Symbol(sp.Symbol(expr.name), style)
        return rf"\mathit{{{tex}}}" if tex == expr.name and len(tex) > 1 else tex

    def _print_MatrixSymbol(self, expr):
        parts = _layer_matrix_parts(expr)
        if parts is None:
            return super()._print_MatrixSymbol(expr)
        kind, layer, loss = parts
        up = f"^{{({layer})}}"
        if kind == "a" and layer == 0:
            return "x"
        if kind == "delta":
            return r"\delta" + up
        if kind == "slope":
            return rf"f'\left(z{up}\right)"
        if kind in ("dW", "db"):
            return rf"\frac{{\partial {self._print(sp.Symbol(loss))}}}{{\partial {kind[1]}{up}}}"
        return f"{kind}{up}"

    def _print_MatAdd(self, expr):
        return "".join(self._matrix_terms(expr))

    def _matrix_terms(self, expr) -> list[str]:
        # W − η ∂E/∂W and [W] − 0.5 [G] as built: SymPy's own negates a subtracted term,
        # which multiplies the 0.5 into the matrix
        out = []
        for i, term in enumerate(expr.args):
            factors = list(term.args) if isinstance(term, sp.MatMul) else [term]
            negative = factors[0].is_Number and factors[0] < 0
            if negative:
                factors = ([-factors[0]] if factors[0] != -1 else []) + factors[1:]
            out.append((" - " if negative else " + " if i else "") + " ".join(
                self._print(f) for f in factors))
        return out

    def _print_HadamardProduct(self, expr):
        # the entrywise product as courses write it (δ = Wᵀδ ⊙ f′(z)); SymPy's is \circ
        return r" \odot ".join(self.parenthesize(a, PRECEDENCE["Pow"], strict=True)
                               for a in expr.args)

    def _print_Transpose(self, expr):
        # (W^{(2)})^T: a name with a superscript takes parentheses before T
        if _layer_matrix_parts(expr.arg) and "^" in (tex := self._print(expr.arg)):
            return rf"\left({tex}\right)^{{T}}"
        return super()._print_Transpose(expr)

    def _print_ExampleSymbol(self, expr, style="plain"):
        # the example in square brackets, x_{1}^{[2]}, apart from a layer's round ones
        # (n^{(2)}_{1}): a dense n^{(1)}_{2} of example 3 is n^{(1)[3]}_{2}
        base = expr.base
        tex = self._print_Symbol(base, style)
        m = _DENSE_NAME.match(base.name)
        if m and not base.name.endswith("'"):
            head, _, rest = tex.partition("}")
            return f"{head}[{expr.example}]}}{rest}"
        if "^" in tex:  # a superscript already (x__2 prints x^{2}): group it first
            tex = f"{{{tex}}}"
        return f"{tex}^{{[{expr.example}]}}"

    # -- numbers at the sheet's precision -------------------------------------------------
    def _print_Add(self, expr, order=None):
        return "".join(self.terms(expr, order))

    def terms(self, expr, order=None) -> list[str]:
        """The printed terms of a sum (an Add or a MatAdd), each with its sign after the
        first ("a", " - b", " + c"): joined they are the sum; a long sum breaks between."""
        if isinstance(expr, sp.MatAdd):
            return self._matrix_terms(expr)
        if not isinstance(expr, sp.Add):
            return [self._print(expr)]
        # SymPy's loop, but a subtracted unevaluated product keeps its factors:
        # 1·2 + (−2)·1 prints 1 \cdot 2 - 2 \cdot 1, not 1 \cdot 2 - 2 (−term would evaluate).
        out, tex = [], ""
        for i, term in enumerate(self._as_ordered_terms(expr, order=order)):
            sign = ""
            if kept_number(term) is not None:   # a given standing alone: a term like any
                term = term.args[0]
            if i == 0:
                pass
            elif term.could_extract_minus_sign():
                sign = " - "
                term = _negated(term)
            else:
                sign = " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term) or (i > 0 and _signed(term, term_tex, tex + sign)):
                term_tex = r"\left(%s\right)" % term_tex
            tex += sign + term_tex
            out.append(sign + term_tex)
        return out

    def _print_Mul(self, expr):
        # SymPy's _print_Pow hands x^{-1} here: 1/1.3679 is a quotient, not a product.
        if (self._settings["decimals"] is not None and isinstance(expr, sp.Mul)
                and _substituted_product(expr)):
            return self._number_product(expr)
        # 0.15 i_1, not \frac{3 i_1}{20}: coefficients given as decimals stay decimals (an
        # exact constant such as \frac{\sqrt{2}}{2} prints as SymPy prints it).
        coeff, rest = expr.as_coeff_Mul()
        if (self._settings["decimals"] is not None and coeff.is_Rational
                and not coeff.is_Integer and rest.free_symbols):
            sign = "- " if coeff < 0 else ""
            body = self.parenthesize(rest, PRECEDENCE["Mul"], strict=True)
            return f"{sign}{self._print(abs(coeff))} {body}"
        return self._sympy_mul(expr)

    def _sympy_mul(self, expr):
        r"""SymPy's own ``_print_Mul`` (as of sympy 1.12-1.14), with one change: the factors
        are put in :func:`_teacher_order` (σ(z)(1 - σ(z)), not (1 - σ(z)) σ(z)) before they
        print. It uses only the printer's documented hooks and settings (``_print``,
        ``_needs_mul_brackets``, ``mul_symbol_latex``, ``fold_short_frac``,
        ``long_frac_ratio``) and :func:`sympy.simplify.fraction`; the one private name it
        needed (the numbers-between test) is :data:`_BETWEEN_NUMBERS` here.
        Units and prefixes (sympy.physics) are not printed here and keep no special place."""
        separator = self._settings["mul_symbol_latex"]
        numbersep = self._settings["mul_symbol_latex_numbers"]

        def convert(expr) -> str:
            if not expr.is_Mul:
                return str(self._print(expr))
            args = (expr.as_ordered_factors() if self.order not in ("old", "none")
                    else list(expr.args))
            return convert_args(args)

        def convert_args(args) -> str:
            if not self._settings["keep_order"]:
                args = _teacher_order(list(args))
            _tex = last_term_tex = ""
            for i, term in enumerate(args):
                term_tex = self._print(term)
                # an unevaluated product of two negatives is not negative, yet prints "-":
                # (1 - 0.14) \cdot (-0.4 \cdot (-0.1)), not (1 - 0.14) \cdot -0.4 \cdot (-0.1)
                if (self._needs_mul_brackets(term, first=(i == 0), last=(i == len(args) - 1))
                        or ((i > 0 or kept_number(term) is not None)
                            and term_tex.startswith("-"))):
                    term_tex = r"\left(%s\right)" % term_tex
                if (_BETWEEN_NUMBERS[0].search(last_term_tex)
                        and _BETWEEN_NUMBERS[1].match(term_tex)):
                    _tex += numbersep
                elif _tex and (term_tex.startswith(r"\mathit{")
                               or last_term_tex.startswith(r"\mathit{")):
                    _tex += r" \cdot "  # two words side by side would read as one
                elif _tex:
                    _tex += separator
                _tex += term_tex
                last_term_tex = term_tex
            return _tex

        # An unevaluated product keeps every factor (and a 1 or a number after the first).
        if isinstance(expr, sp.Mul):
            args = expr.args
            if args[0] is sp.S.One or any(_numeric(a) for a in args[1:]):
                return convert_args(args)

        include_parens = False
        if expr.could_extract_minus_sign():
            expr = -expr
            tex = "- "
            if expr.is_Add:
                tex += "("
                include_parens = True
        else:
            tex = ""

        numer, denom = fraction(expr, exact=True)
        if denom is sp.S.One and sp.Pow(1, -1, evaluate=False) not in expr.args:
            tex += convert(expr)
        else:
            snumer = convert(numer)
            sdenom = convert(denom)
            ldenom = len(sdenom.split())
            ratio = self._settings["long_frac_ratio"]
            if self._settings["fold_short_frac"] and ldenom <= 2 and "^" not in sdenom:
                if self._needs_mul_brackets(numer, last=False):
                    tex += r"\left(%s\right) / %s" % (snumer, sdenom)
                else:
                    tex += r"%s / %s" % (snumer, sdenom)
            elif ratio is not None and len(snumer.split()) > ratio * ldenom:
                if self._needs_mul_brackets(numer, last=True):
                    tex += r"\frac{1}{%s}%s\left(%s\right)" % (sdenom, separator, snumer)
                elif numer.is_Mul:
                    a = b = sp.S.One
                    for x in numer.args:
                        if (self._needs_mul_brackets(x, last=False)
                                or len(convert(a * x).split()) > ratio * ldenom
                                or (b.is_commutative is x.is_commutative is False)):
                            b *= x
                        else:
                            a *= x
                    if self._needs_mul_brackets(b, last=True):
                        tex += r"\frac{%s}{%s}%s\left(%s\right)" % (convert(a), sdenom,
                                                                     separator, convert(b))
                    else:
                        tex += r"\frac{%s}{%s}%s%s" % (convert(a), sdenom, separator, convert(b))
                else:
                    tex += r"\frac{1}{%s}%s%s" % (sdenom, separator, snumer)
            else:
                tex += r"\frac{%s}{%s}" % (snumer, sdenom)
        if include_parens:
            tex += ")"
        return tex

    def _number_product(self, expr):
        r"""An unevaluated product of numbers, as substituted steps show it: 0.15 \cdot 0.05,
        0.1 \cdot \left(-0.0369\right); a leading −1 is a sign (SymPy's −x), unless it is a
        value put in: a computed −1.0 or a given −1 (:func:`kept_number`) is a factor."""
        factors = list(expr.args if self._settings["order"] == "none"
                       else expr.as_ordered_factors())
        sign = ""
        if len(factors) > 1 and factors[0] is sp.S.NegativeOne:
            sign, factors = "- ", factors[1:]
        below = [f.base for f in factors if f.is_Pow and f.exp == -1]
        if below and len(below) < len(factors):   # 2/z at z = −2.15: \frac{2}{-2.1534}
            above = [f for f in factors if not (f.is_Pow and f.exp == -1)]
            return sign + rf"\frac{{{self._numbers(above)}}}{{{self._numbers(below)}}}"
        # a factor printed with a minus takes parentheses after a sign or a dot: - (-2.1534),
        # 0.1 \cdot (-0.0369); one printed without (log(0.4481), negative but unsigned) not
        # a given −1 always: (−1) \cdot 0.8 + …, the weight plainly a factor
        shown = [self._print(f) for f in factors]
        shown = [t if ((i == 0 and not sign and kept_number(f) is None)
                       or not t.startswith("-")) else rf"\left({t}\right)"
                 for i, (f, t) in enumerate(zip(factors, shown))]
        return sign + r" \cdot ".join(shown)

    def _numbers(self, factors: list) -> str:
        return (self._print(factors[0]) if len(factors) == 1
                else self._number_product(sp.Mul(*factors, evaluate=False)))

    def _print_Float(self, expr):
        if self._settings["decimals"] is None:
            return super()._print_Float(expr)
        return format_number(expr, self._settings["decimals"], keep_zeros=rounded_zeros(expr),
                             nonzero=True)

    def _print_Rational(self, expr):
        # An exact rational in a worked step is a given (computed values are Floats):
        # printed exactly (0.15, \frac{1}{3}), never rounded to a value it is not.
        if self._settings["decimals"] is None:
            return super()._print_Rational(expr)
        return format_given(expr, self._settings["decimals"])

    def _print_Integer(self, expr):
        return str(expr.p)


def rounded_zeros(value) -> bool:
    """Does ``value`` keep its trailing zeros where it is printed? A computed (inexact)
    value does, at the sheet's precision (0.9610 says four places, 0.961 three); an exact
    one, or a computed value that is exactly an integer (ReLU′ = 1, 0), is written as it is.
    An exact number that is not rational (σ(−1/2) − …, erf(1)/2 + …) is rounded where it
    is printed, so it keeps them too (0.2600, not 0.26)."""
    if isinstance(value, sp.Basic) and not isinstance(value, sp.Float):
        return bool(value.is_number and value.is_Rational is False and value.is_rational is not True
                    and value.is_finite)
    if not isinstance(value, sp.Float) or value.is_zero:
        return False
    _, _, exponent, bits = value._mpf_     # mantissa · 2^exponent, exactly
    # an integer below SCIENTIFIC_FROM (2^49 < 10^15); larger ones print as m × 10^e
    return not (exponent >= 0 and bits + exponent <= 49)


def kept_number(expr) -> sp.Number | None:
    """The number a substituted form keeps as written (``sp.UnevaluatedExpr`` of a number:
    :func:`symderiv.solution.as_written`), or None."""
    if isinstance(expr, sp.UnevaluatedExpr) and expr.args[0].is_Number:
        return expr.args[0]
    return None


def _numeric(expr) -> bool:
    return expr.is_Number or kept_number(expr) is not None


def _substituted_product(expr: sp.Mul) -> bool:
    """Is ``expr`` a product of numbers kept unevaluated (a substituted step: 0.15 · 0.05,
    0.15 · √2/2), rather than one exact constant SymPy built (√2/2 itself)?"""
    if all(_numeric(a) for a in expr.args):
        return True
    return (all(a.is_number and not a.is_Add for a in expr.args)
            and sp.Mul(*expr.args) != expr)


def _teacher_order(factors: list) -> list:
    """Factors as a teacher writes them: the sums (printed in parentheses) after the rest,
    each group in its own order: β x σ(βx) (1 - σ(βx)). Non-commuting factors keep theirs."""
    if not all(f.is_commutative for f in factors):
        return factors
    return [f for f in factors if not f.is_Add] + [f for f in factors if f.is_Add]


def _signed(term: sp.Expr, term_tex: str, before: str) -> bool:
    """Does a term after + or - need parentheses? A substituted (unevaluated) form can put
    a negative number, or a sum, after the sign: 1 - (-0.1974), 0.5 - 0.1 \\cdot (-0.0369)
    as a whole would read 0.5 + (-0.0369 \\cdot 0.1). Evaluated sums never do: their terms
    after a sign print without one."""
    return term_tex.startswith("-") or (term.is_Add and before.endswith(" - "))


def _compound(operand: sp.Expr) -> bool:
    """Does d/dx of ``operand`` need parentheses? Not for a symbol, a number or one
    function applied (σ(βx), e^{x}); for a product, power, sum or quotient, yes."""
    return not (operand.is_Atom or isinstance(operand, sp.Function))


def _negated(term: sp.Expr) -> sp.Expr:
    """−term, keeping an unevaluated product's factors: (−2)·1 → 2·1. Only SymPy's sign
    (the integer −1 of −x) is dropped; a value put in (−1.0, a given −1) stays a factor."""
    if term.is_Mul and term.args[0].is_Number and term.args[0] < 0:
        first = -term.args[0]
        rest = term.args[1:]
        if term.args[0] is sp.S.NegativeOne and rest:
            return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Mul(first, *rest, evaluate=False)
    return -term


def _terminating_decimal(r: sp.Rational) -> str | None:
    """3/20 → '0.15'; None when the decimal does not terminate (1/3) or is long (> 12 places)."""
    q = int(r.q)
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    places = max(twos, fives)
    if q != 1 or places > 12:
        return None
    return format_decimal(Fraction(int(r.p), int(r.q)), places)


def format_decimal(value, places: int, keep_zeros: bool = False) -> str:
    """``value`` (exact or float) rounded half away from zero to ``places`` decimals.

    Trailing zeros are dropped unless ``keep_zeros``; "-0" never appears.
    """
    if isinstance(value, float):   # plot coordinates: thousands a sheet
        if not math.isfinite(value):
            raise ValueError(f"not a finite real number: {value}")
        text = _float_decimal(value, places)
        if text is not None:
            return _decimal_text(text, value < 0, places, keep_zeros)
        # the float's exact binary fraction, scaled and rounded half up in integers
        numerator, denominator = abs(value).as_integer_ratio()
        n, rest = divmod(numerator * 10**places, denominator)
        n += 2 * rest >= denominator
        negative = value < 0
    else:
        frac = Fraction(value) if not isinstance(value, Fraction) else value
        scaled = abs(frac) * 10**places
        n = int(scaled)
        if scaled - n >= Fraction(1, 2):
            n += 1
        negative = frac < 0
    digits = str(n).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    return _decimal_text(text, negative, places, keep_zeros)


def _float_decimal(value: float, places: int) -> str | None:
    """|value| at ``places`` decimals by Python's formatting, or None at an exact tie.

    The formatting rounds the float's exact binary value correctly, ties to even; a tie
    (|value|·10^places ending in exactly .5) goes to the exact integer rounding instead,
    half away from zero. |value|·2·10^places is an odd integer at a tie, and a float
    product that is an integer then (below 2^53) is that integer exactly: a product not
    an integer is no tie. A product rounded to an integer that was none only costs the
    exact route."""
    if (abs(value) * (2 * 10**places)).is_integer():
        return None
    return f"{abs(value):.{places}f}"


def _decimal_text(text: str, negative: bool, places: int, keep_zeros: bool) -> str:
    """A rounded magnitude's digits ``whole.dec`` with the sign; trailing zeros dropped
    unless ``keep_zeros``, never "-0"."""
    whole, _, dec = text.partition(".")
    sign = "-" if negative and (whole.strip("0") or dec.strip("0")) else ""
    if not keep_zeros:
        dec = dec.rstrip("0")
    return f"{sign}{whole}.{dec}" if dec else f"{sign}{whole}"


# Beyond this magnitude a number is written as m \times 10^{e}: its digits would only fill
# the line (and a value like 1e300 would print 301 of them).
SCIENTIFIC_FROM = 10**15
# A given written exactly: a fraction up to this denominator, a formula up to this many
# operations (\sqrt{2}/2); beyond them it is rounded like a computed value.
GIVEN_DENOMINATOR = 10**6
GIVEN_OPERATIONS = 12


def format_number(value, places: int, keep_zeros: bool = False, nonzero: bool = False) -> str:
    r"""Any finite number (SymPy, Fraction, int, float) as math-mode text at ``places``
    decimals, rounded half away from zero, quickly whatever its size.

    The value is never turned into an exact fraction wider than it needs: a Float far
    below half a unit of the last place prints 0 at once (with ``nonzero``, any value
    that is not 0 but rounds to it prints at ``places`` significant digits), one of magnitude
    ``SCIENTIFIC_FROM`` or more prints as ``1.2346 \times 10^{300}`` (mantissa at
    ``places``), and only values in between are rounded exactly.
    """
    exact = _exact_in_range(value, places)
    if exact is None:
        return format_scientific(value, places, keep_zeros)
    if nonzero and places and value and (isinstance(exact, str)
                                         or not format_decimal(exact, places).strip("-0.")):
        # (at precision 0 a sheet asked for whole numbers) a worked step's factor of 6.8e-6 is not 0.0000: 0.000006835, its ``places``
        # significant digits in fixed point (read back by ``check`` as a rounded decimal)
        return _significant_fixed(value, max(places, 1), keep_zeros)
    if isinstance(exact, str):  # far below the last place
        return format_decimal(0, places, keep_zeros)
    return format_decimal(exact, places, keep_zeros)


def format_given(value, places: int) -> str:
    r"""A given value (from the spec) as math-mode text, exactly: 0.15 in full whatever
    ``places`` is, 1/3 as \frac{1}{3}, \sqrt{2}/2 as SymPy writes it. Only a value that is
    inexact already (a Float) or too wide to write out is rounded (:func:`format_number`)."""
    if isinstance(value, (int, Fraction)):
        value = sp.Rational(value.numerator, value.denominator)
    if not isinstance(value, sp.Basic) or value.is_Float:
        return format_number(value, places)
    if value.is_Rational:
        if abs(value) >= SCIENTIFIC_FROM or value.q > GIVEN_DENOMINATOR:
            return format_number(value, places)
        decimal = _terminating_decimal(value)
        if decimal is not None:
            return decimal
        sign = "- " if value < 0 else ""
        return rf"{sign}\frac{{{abs(value.p)}}}{{{value.q}}}"
    if value.is_number and sp.count_ops(value) <= GIVEN_OPERATIONS:
        return str(latex(value))
    return format_number(value, places)


def format_scientific(value, decimals: int, keep_zeros: bool = True) -> str:
    r"""``value`` as ``m \times 10^{e}`` with ``1 <= |m| < 10`` at ``decimals`` places
    (math-mode text; ``0`` for zero), computed in mpmath whatever the exponent."""
    x = _mpf(value, decimals + 30)
    if not x:
        return "0"
    with mpmath.workdps(decimals + 30):
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
        mantissa = x / mpmath.mpf(10) ** exponent
        if abs(mantissa) >= 10:  # log10 a hair under an integer
            exponent, mantissa = exponent + 1, mantissa / 10
        elif abs(mantissa) < 1:
            exponent, mantissa = exponent - 1, mantissa * 10
        digits = format_decimal(_mpf_fraction(mantissa), decimals, keep_zeros)
        if digits.lstrip("-").startswith("10"):  # 9.99996 rounds up to 10.0000
            exponent += 1
            digits = format_decimal(_mpf_fraction(mantissa / 10), decimals, keep_zeros)
    return rf"{digits} \times 10^{{{exponent}}}"


def format_significant(value, significant: int, keep_zeros: bool = False) -> str:
    r"""``value`` to ``significant`` digits: 0.7864 in fixed point from 10^{-2} up to
    ``SCIENTIFIC_FROM``, 8.738 \times 10^{-21} outside (math-mode text); in fixed point
    with ``keep_zeros``, every one of them shown (1.290, not 1.29)."""
    x = _mpf(value, significant + 30)
    if not x:
        return "0"
    with mpmath.workdps(significant + 30):
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
    if -2 <= exponent < 15:
        return format_number(value, max(significant - 1 - exponent, 0), keep_zeros)
    return format_scientific(value, significant - 1)


SIGNIFICANT_FIXED_DOWN_TO = -12   # exponent of the smallest value so printed in fixed point


def _significant_fixed(value, significant: int, keep_zeros: bool) -> str:
    x = _mpf(value, significant + 30)
    with mpmath.workdps(significant + 30):
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
    if exponent < SIGNIFICANT_FIXED_DOWN_TO:
        return format_scientific(value, significant - 1)
    return format_number(value, significant - 1 - exponent, keep_zeros)


def _exact_in_range(value, places: int):
    """``value`` as an exact Fraction when it is printed at ``places`` in fixed point;
    ``"0"`` when it is far below the last place; None when it is to be printed in
    scientific notation (too large). Exact rationals stay exact."""
    if isinstance(value, sp.Basic) and value.is_Rational:
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, (int, Fraction)):
        frac = Fraction(value)
        wide = abs(frac.numerator).bit_length() - frac.denominator.bit_length() > 60
        return None if wide or abs(frac) >= SCIENTIFIC_FROM else frac
    x = _mpf(value, places + 30)
    if not x:
        return Fraction(0)
    if mpmath.mag(x) < -4 * places - 2:  # |x| < 2^(-4p-2) < 10^-p / 4: rounds to 0
        return "0"
    if mpmath.mag(x) > 60:
        return None
    frac = _mpf_fraction(x)
    return None if abs(frac) >= SCIENTIFIC_FROM else frac


def _mpf(value, dps: int):
    """``value`` as an mpmath number: a Float exactly as it is (at its own precision),
    anything else evaluated at ``dps`` digits. Infinite, NaN or complex: ValueError."""
    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Basic):
        number = value if value.is_Float else evaluated(value, dps)
        if not number.is_Float:
            raise ValueError(f"not a finite real number: {value}")
        with mpmath.workprec(max(number._mpf_[3], 1) + 8):  # keeps every bit
            x = mpmath.mpf(number._mpf_)
    else:
        x = mpmath.mpf(value)
    if not mpmath.isfinite(x):
        raise ValueError(f"not a finite real number: {value}")
    return x


def _mpf_fraction(x) -> Fraction:
    """An mpmath number as the exact Fraction it holds (a binary fraction)."""
    sign, man, exp, _ = x._mpf_
    frac = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
    return -frac if sign else frac


def latex_terms(expr, **settings) -> list[TeX]:
    """The printed terms of a sum, each with its sign after the first (see
    :meth:`SymderivLatexPrinter.terms`); any other expression is one term."""
    if isinstance(expr, Fraction) or not isinstance(expr, sp.Basic):
        return [latex(expr, **settings)]
    printer = SymderivLatexPrinter(settings)
    return [TeX(t) for t in printer.terms(expr)]


def latex(expr, **settings) -> TeX:
    """LaTeX for a SymPy object (or a number) through :class:`SymderivLatexPrinter`."""
    if isinstance(expr, str):
        raise TypeError("latex() prints SymPy objects; parse user text with symderiv.calculus.expr first")
    if isinstance(expr, Fraction):
        expr = sp.Rational(expr.numerator, expr.denominator)
    elif not isinstance(expr, sp.Basic):
        expr = sp.sympify(expr, strict=True)
    return TeX(SymderivLatexPrinter(settings).doprint(expr))
