"""How the answer sheets read: the printer's conventions and the rendered hw6 sheets.

Oracles: SymPy's own LatexPrinter (every random expression prints as SymPy prints it, up
to the order of its factors), the check command's LaTeX reader (a substituted form reads
back to the value of the form it printed), mpmath (the definitions the sheet prints are
the normal density, its distribution function and x·σ(βx)), and the spec file itself
(the givens the sheet shows are the spec's numbers).
"""

import random
import re
import tomllib
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from sympy.printing.latex import LatexPrinter

from symderiv.check.lexer import lex
from symderiv.check.texmath import exact, read
from symderiv.calculus.activations import resolve
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import sigmoid, to_elementary
from symderiv.calculus.latex import format_decimal, latex

ROOT = Path(__file__).resolve().parent.parent
SHEETS = {"zh": ROOT / "output" / "hw6.tex", "en": ROOT / "output" / "en" / "hw6.tex"}
F = sp.Float
x, y, z, beta = sp.symbols("x y z beta")


def unevaluated(op, *args):
    return op(*args, evaluate=False)


def minus(term):
    return unevaluated(sp.Mul, -1, term)


@pytest.fixture(scope="module")
def sheets():
    return {lang: path.read_text(encoding="utf-8") for lang, path in SHEETS.items()}


# -- 2. negative numbers substituted into a form ------------------------------------------

SUBSTITUTED = [
    # (form, as the sheet prints it at 4 places, in the order it was built; computed
    # values, Floats, keep their trailing zeros: 0.9500 says four places)
    (unevaluated(sp.Add, 1, minus(F("-0.1974"))), r"1 - \left(-0.1974\right)"),
    (unevaluated(sp.Mul, 2, unevaluated(sp.Add, F("0.7729"), minus(F("0.95")))),
     r"2 \left(0.7729 - 0.9500\right)"),
    (unevaluated(sp.Add, F("0.5"), minus(unevaluated(sp.Mul, F("0.1"), F("-0.0369")))),
     r"0.5000 - 0.1000 \cdot \left(-0.0369\right)"),
    (unevaluated(sp.Add, F("0.5"), unevaluated(sp.Mul, F("0.1"), F("-0.0369"))),
     r"0.5000 + 0.1000 \cdot \left(-0.0369\right)"),
    (unevaluated(sp.Pow, F("-0.1974"), 2), r"{\left(-0.1974\right)}^{2}"),
    (unevaluated(sp.Pow, unevaluated(sp.Add, F("0.7401"), minus(F("-0.12"))), 2),
     r"\left(0.7401 - \left(-0.1200\right)\right)^{2}"),
    (unevaluated(sp.Mul, F("0.7401"), unevaluated(sp.Add, 1, minus(F("-0.2")))),
     r"0.7401 \left(1 - \left(-0.2000\right)\right)"),
    (unevaluated(sp.Add, 1, minus(unevaluated(sp.Add, F("0.2"), F("0.3")))),
     r"1 - \left(0.2000 + 0.3000\right)"),
    (unevaluated(sp.Add, 1, F("-0.1974")), r"1 - 0.1974"),   # a sum: the sign is the minus
]


@pytest.mark.parametrize("form, shown", SUBSTITUTED)
def test_negative_numbers_in_substituted_forms_keep_their_parentheses(form, shown):
    printed = latex(form, decimals=4, order="none")
    assert printed == shown
    assert not re.search(r"[-+] -", printed)     # never 1 - -0.1974 or 1 + -0.2
    # read back by the check command's reader, the printed form has the form's value
    assert exact(read(lex(printed))) == sp.Rational(str(form.doit()))


def test_a_bigger_sheet_never_prints_two_signs_in_a_row(tmp_path):
    """The sheet where 1 - -0.1974 was seen: tanh outputs below zero in (1 + h)(1 - h)."""
    from symderiv.problems import solve_sheet
    from symderiv.render.latex_sheet import render_sheet
    from symderiv.spec import load_sheet

    spec = tmp_path / "negative.toml"
    spec.write_text("""
[sheet]
title = "negative tanh outputs"
lang = "en"
[[problem]]
id = "1"
kind = "backprop"
[problem.network]
inputs = ["x1", "x2"]
layers = [{ neurons = ["h1", "h2"], activation = "tanh" }, { neurons = ["o1"], activation = "sigmoid" }]
[problem.network.weights]
u11 = { from = "x1", to = "h1", value = 0.1 }
u12 = { from = "x2", to = "h1", value = -0.2 }
u21 = { from = "x1", to = "h2", value = -0.4 }
u22 = { from = "x2", to = "h2", value = 0.5 }
v1 = { from = "h1", to = "o1", value = -0.3 }
v2 = { from = "h2", to = "o1", value = 0.6 }
[problem.network.biases]
c = { to = ["h1", "h2"], value = -0.1 }
d = { to = ["o1"], value = 0.2 }
[problem.data]
inputs = { x1 = 1, x2 = 0.5 }
targets = { o1 = 1 }
[problem.training]
loss = "sse"
learning_rate = 0.5
gradients = ["u11", "v1"]
""")
    tex = render_sheet(solve_sheet(load_sheet(spec), "en"))
    # h1 = tanh(0.1 - 0.1 - 0.1) < 0 enters 1 - h1 as a negative number, in parentheses
    assert re.search(r"1 - \\left\(-0\.\d+\\right\)", tex)
    assert not re.search(r"([-+]|\\cdot) -\d", tex)


def test_a_product_printed_with_a_minus_takes_parentheses_after_another_factor():
    """(1 + h)(1 - h) · w · δ with w and δ both negative: the product w·δ is positive, so
    SymPy's bracket rule leaves it bare, yet it prints with a leading minus (seen as
    ``(1 - 0.1432)(1 - (-0.1432)) \\cdot -0.4 \\cdot (-0.1020)`` on deep_tanh)."""
    form = unevaluated(sp.Mul, unevaluated(sp.Add, 1, F("-0.1432")),
                       unevaluated(sp.Add, 1, minus(F("-0.1432"))),
                       unevaluated(sp.Mul, F("-0.4"), F("-0.102")))
    printed = latex(form, decimals=4, order="none", keep_order=True)
    assert not re.search(r"(\\cdot|\\right\)) -", printed), printed
    assert exact(read(lex(printed))) == sp.Rational(str(form.doit()))


def test_a_negative_value_printed_without_a_minus_takes_no_parentheses():
    """The cross-entropy's substituted line: -0 · log(0.4481), not -0 · (log(0.4481)):
    a logarithm below zero prints no sign of its own to protect."""
    form = unevaluated(sp.Add, minus(unevaluated(sp.Mul, 0, unevaluated(sp.log, F("0.4481")))),
                       minus(unevaluated(sp.Mul, 1, unevaluated(sp.log, F("0.3687")))))
    printed = latex(form, decimals=4, order="none")
    assert r"\left(\log" not in printed, printed
    assert r"\cdot \log{\left(0.4481 \right)}" in printed
    # read back by the check command's reader: -log(0.3687), the form's value
    assert float(exact(read(lex(printed)))) == pytest.approx(
        float(-mpmath.log(mpmath.mpf("0.3687"))), rel=1e-12)


def test_the_entrywise_product_is_the_odot_the_sheet_names():
    """The matrix form's text says ⊙ multiplies entry by entry: the formula prints ⊙."""
    a, b = sp.MatrixSymbol("A", 2, 1), sp.MatrixSymbol("B", 2, 1)
    assert latex(sp.HadamardProduct(a, b)) == r"A \odot B"
    assert r"\circ" not in latex(sp.HadamardProduct(sp.MatAdd(a, b), b))


# -- 3. factors as a teacher orders them ------------------------------------------------------

def test_sums_follow_the_other_factors():
    s1, sb = sigmoid(sp.Symbol("z_1")), sigmoid(beta * x)
    assert latex((1 - s1) * s1) == \
        r"\sigma\left(z_{1}\right) \left(1 - \sigma\left(z_{1}\right)\right)"
    assert latex(beta * x * (1 - sb) * sb, order="none") == \
        r"\beta x \sigma\left(\beta x\right) \left(1 - \sigma\left(\beta x\right)\right)"
    # sums keep their own order among themselves ((1 + a)(1 - a) as it was built)
    a = sp.Symbol("a")
    built = unevaluated(sp.Mul, 1 + a, 1 - a)
    assert latex(built, order="none") == r"\left(1 + a\right) \left(1 - a\right)"


def _random_expression(rng: random.Random, depth: int) -> sp.Expr:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([x, y, z, sp.Integer(rng.randint(-3, 5)),
                           sp.Rational(rng.randint(1, 5), rng.randint(2, 7)), sp.pi])
    kind = rng.choice(["add", "mul", "pow", "function", "quotient"])
    if kind == "add":
        return sp.Add(*[_random_expression(rng, depth - 1) for _ in range(rng.randint(2, 3))])
    if kind == "mul":
        return sp.Mul(*[_random_expression(rng, depth - 1) for _ in range(rng.randint(2, 3))])
    if kind == "quotient":
        return _random_expression(rng, depth - 1) / _random_expression(rng, depth - 1)
    if kind == "pow":
        return _random_expression(rng, depth - 1) ** rng.choice([2, 3, -1, -2, sp.S.Half, y])
    # not exp: the printer writes a fraction in an exponent on the line (tested below)
    return rng.choice([sp.sin, sp.cos, sp.log, sp.tanh])(_random_expression(rng, depth - 1))


def _sum_before_other_factor(expr) -> bool:
    """Does some product in ``expr`` (or in the numerator or denominator SymPy prints for
    it) have, in SymPy's order, a sum before a factor that is not a sum?"""
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, sp.Mul):
            continue
        for part in (node, *sp.fraction(node, exact=True), *sp.fraction(-node, exact=True)):
            if part.is_Mul:
                kinds = [f.is_Add for f in part.as_ordered_factors()]
                if any(kinds[i] and not kinds[j] for i in range(len(kinds))
                       for j in range(i + 1, len(kinds))):
                    return True
    return False


def test_random_expressions_print_as_sympy_prints_them_up_to_factor_order():
    rng = random.Random(20240614)
    reordered = 0
    for _ in range(700):
        expr = _random_expression(rng, 4)
        if expr.has(sp.zoo, sp.nan):
            continue
        for settings in ({}, {"order": "none"}):
            ours, sympys = str(latex(expr, **settings)), LatexPrinter(settings).doprint(expr)
            if ours != sympys:
                # only the factors moved: the same characters, and a sum stood first
                assert sorted(ours) == sorted(sympys), (expr, ours, sympys)
                assert _sum_before_other_factor(expr), (expr, ours, sympys)
                reordered += 1
    assert reordered > 20   # the comparison did meet the case it is about


# -- 4. and 7. derivatives, integrals, exponents ---------------------------------------------

def test_a_compound_operand_of_d_dx_is_parenthesised():
    tanh_exp = sp.tanh(z).rewrite(sp.exp)
    assert latex(sp.Derivative(tanh_exp, z, evaluate=False)) == \
        r"\frac{d}{dz}\left(\frac{e^{z} - e^{- z}}{e^{z} + e^{- z}}\right)"
    assert latex(sp.Derivative(x * sigmoid(x / 2), x, evaluate=False), order="none") == \
        r"\frac{d}{dx}\left(x \sigma\left(\frac{x}{2}\right)\right)"
    # one function applied needs none, and a parameter (β) does not make it ∂
    assert latex(sp.Derivative(sigmoid(beta * x), x, evaluate=False)) == \
        r"\frac{d}{dx} \sigma\left(\beta x\right)"
    # chain-rule factors stay partial
    assert latex(sp.Derivative(sp.Symbol("e"), sp.Symbol("o_1"))) == \
        r"\frac{\partial e}{\partial o_{1}}"


def test_integral_limits_sit_beside_the_sign_and_exponents_fold_their_fractions():
    t = sp.Symbol("t")
    density = sp.sqrt(2) * sp.exp(-t**2 / 2) / (2 * sp.sqrt(sp.pi))
    assert latex(sp.Integral(density, (t, -sp.oo, x))) == \
        r"\int_{-\infty}^{x} \frac{\sqrt{2} e^{- t^{2} / 2}}{2 \sqrt{\pi}}\, dt"
    assert latex(sp.exp(-beta * x)) == r"e^{- \beta x}"


# -- 1. problem 5's definitions, printed from data ------------------------------------------

@pytest.fixture(scope="module")
def definitions():
    from symderiv.problems import swish_gelu

    return swish_gelu.solve().definitions


def test_definitions_are_the_functions_the_question_names(definitions):
    swish, gelu, density = definitions["swish"], definitions["gelu"], definitions["density"]
    X = swish[0].args[0]                                   # the question's x
    (B,) = swish[1].free_symbols - {X}                     # β, left symbolic
    points = ("-2.5", "-0.7", "0.3", "1.9")
    mpmath.mp.dps = 30
    for p in map(mpmath.mpf, points):
        for b in ("0.5", "2"):
            value = to_elementary(swish[1]).subs({B: sp.Float(b, 30), X: sp.Float(p, 30)})
            assert abs(sp.N(value, 25) - p / (1 + mpmath.exp(-mpmath.mpf(b) * p))) < 1e-20
        cdf = p * mpmath.ncdf(p)
        for form in gelu[1:]:
            evaluated = to_elementary(form.doit()).rewrite(sp.erf).subs(X, sp.Float(p, 30))
            assert abs(sp.N(evaluated, 25) - cdf) < 1e-20
        for form in density[1:]:
            evaluated = to_elementary(form.doit()).subs(X, sp.Float(p, 30))
            assert abs(sp.N(evaluated, 25) - mpmath.npdf(p)) < 1e-20
    assert [str(row[0]) for row in (swish, gelu, density)] == ["Swish(x)", "GELU(x)", "f_X(x)"]


def test_the_sheets_print_the_definitions_and_no_raw_latex(sheets, definitions):
    from symderiv.render.activations_layout import swish_named

    x = definitions["swish"][0].args[0]
    (beta,) = definitions["swish"][1].free_symbols - {x}
    # Swish is named with its β (left symbolic here): Swish_β(x) = xσ(βx)
    rows = {**definitions, "swish": (swish_named(x, beta), *definitions["swish"][1:])}
    for lang, tex in sheets.items():
        assert r"\operatorname{Swish}_{\beta}{\left(x \right)} = x \sigma" in tex, lang
        for row in rows.values():
            assert " = ".join(latex(e, order="none") for e in row) in tex, lang
        assert r"\$" not in tex and r"\textbackslash" not in tex, lang   # no math as text
        assert r"\frac{e^{- x^{2} / 2}}{\sqrt{2 \pi}}" in tex


# -- 5. a set of one point reads "=" --------------------------------------------------------

def test_equality_points_are_data_and_print_as_equations(sheets):
    from symderiv.problems import tanh_vanishing

    tanh, z_, a = resolve("tanh", "tanh"), symbol("z"), symbol("a")
    bound = tanh_vanishing._prove_bound(tanh, z_, a, tanh.derivative_in_output(a))
    # the points themselves: where tanh, the gap a² and the slope of 1 - tanh² vanish
    assert bound.a_zero_points == (0,) and bound.gap_zero_points == (0,)
    assert bound.critical_z == (0,)
    assert mpmath.tanh(0) == 0 and mpmath.diff(lambda t: 1 - mpmath.tanh(t) ** 2, 0) == 0
    zh, en = sheets["zh"], sheets["en"]
    assert r"当且仅当 $a = 0$，即 $z = 0$ 时取等号" in zh
    assert r"with equality only when $a = 0$, that is, $z = 0$" in en
    for tex in (zh, en):
        assert r"\in \left\{0\right\}" not in tex


# -- 6. and 7. the givens and the wording of problem 4 -----------------------------------------

def test_targets_are_named_as_the_loss_names_them(sheets, hw6_text):
    spec = tomllib.loads(hw6_text)
    problem = next(p for p in spec["problem"] if p["id"] == "4")
    targets = problem["data"]["targets"]
    names = [problem["notation"]["targets"][o] for o in targets]          # y1, y2
    shown = ", ".join(format_decimal(Fraction(str(v)), 4) for v in targets.values())
    symbols = ", ".join(latex(sp.Symbol(n)) for n in names)
    given = rf"$\left( {symbols}\right) = \left( {shown}\right)$"
    asked = ", ".join(latex(sp.Symbol(g)) for g in problem["training"]["gradients"])
    for lang, word in (("zh", "目标输出："), ("en", "targets:")):   # zh: a full-width colon
        assert rf"\item {word} {given}" in sheets[lang]
        assert f"${asked}$" in sheets[lang]
    # the statements no longer name parameters as plain text (w5): the givens do
    for lang in ("zh", "en"):
        assert not re.search(r"\bw[56]\b", problem["statement"][lang])


def test_figures_and_tables_keep_their_introduction_and_caption(sheets):
    for tex in sheets.values():
        # a plot's introducing sentence shares the figure's box
        boxes = re.findall(r"\\begin\{minipage\}\{\\linewidth\}\n(.*?)\\end\{minipage\}", tex,
                           re.S)
        plots = [b for b in boxes if r"\begin{axis}" in b and "legend pos" in b]
        assert sum(b.index(r"\par\smallskip") < b.index(r"\begin{tikzpicture}")
                   for b in plots if r"\par\smallskip" in b) == 2
        # the table of products through L layers: caption and rows in one box
        assert any(r"\captionof{table}" in b and r"\begin{tabular}" in b for b in boxes)
        # the dying-ReLU example names its three net inputs
        assert r"(z_{1}, z_{2}, z_{3}) = (" in tex
