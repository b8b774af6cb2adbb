"""The pieces of mathematics a ``functions``/``tasks`` activations sheet prints, per function.

The report (symderiv.problems.activation_tasks.FunctionReport) holds SymPy values; here
they become TeX through the one printer: a closed form with its decimal beside it
(1/4 stays 1/4; erf(1)/2 + … ≈ 1.1289), intervals with their open and closed ends,
limits, the depth-bound table, and the two plots (f, then f′) over the sheet's range.
The template picks the sentence (reached or only approached) and never computes.
"""

import re

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.activations import Z
from symderiv.calculus.extrema import Extreme
from symderiv.calculus.functions import to_elementary
from symderiv.calculus.latex import (TeX, format_number, format_significant, latex,
                                     rounded_zeros)
from symderiv.render.plots import Curve, plot, sample

SIGNIFICANT = 4


@dataclass(frozen=True)
class Bound:
    value: TeX              # 1/4, or ½ + erf(1)/2 + … ≈ 1.1289, or 0.2785 (numeric)
    attained: bool
    at: TeX | None          # z = 0, z ∈ (0, ∞)
    approached: TeX | None  # z → ±∞
    exact: bool
    method: str

    @property
    def found_by(self) -> str:
        """"solved" (closed form by sympy.solve), "scanned" (numerically), or "" (a
        constant piece, a threshold or a limit: no root was sought)."""
        if self.method.startswith("closed form"):
            return "solved"
        return "scanned" if self.method.startswith("sign changes") else ""


@dataclass(frozen=True)
class FunctionPage:
    key: str
    name: TeX               # f's name applied to z: σ(z), GELU(z), mish(z)
    # the formulas stay SymPy: the template prints them in the sheet's words (a case
    # split says 若 … 其他 on a zh sheet)
    definition: sp.Expr | None  # its formula (σ's elementary one); None for tanh(z)
    derivative_lhs: TeX
    derivative: sp.Expr
    verified: bool
    points: int | None
    in_output: sp.Expr | None   # f′ = a(1 − a)
    output_check: str
    output_points: int | None   # how many points a numeric check of in_output agreed at
    no_output_form: str | None
    sup: Bound
    inf: Bound
    falling: tuple[TeX, ...]
    minimum: Bound
    limits: tuple[TeX | None, TeX | None]   # lim f′ at −∞, +∞ (None: there is none)
    dead: tuple[TeX, ...]


def function_pages(reports, precision: int) -> tuple[FunctionPage, ...]:
    return tuple(_page(r, precision) for r in reports)


def _page(r, precision) -> FunctionPage:
    name = _name(r)
    # σ(z) is defined by its formula; tanh(z) and a user's formula are shown as they are
    shown = to_elementary(r.f)
    definition = None if shown.args == (Z,) else shown
    prime = TeX(_prime(name))
    return FunctionPage(
        r.key, name, definition, prime, r.derivative, r.verified, r.agreeing_points,
        r.in_output, r.output_check, _numeric_points(r.output_check),
        r.no_output_form, _bound(r.slope.sup, precision), _bound(r.slope.inf, precision),
        tuple(interval(lo, hi, False, False, precision) for lo, hi in r.shape.falling),
        _bound(r.shape.inf, precision),
        tuple(None if v is None else value(v, exact, precision)
              for v, exact in zip(r.slope.limits, r.slope.limits_exact)),
        tuple(interval(lo, hi, False, False, precision) for lo, hi in r.dead))


def _numeric_points(check: str) -> int | None:
    # symderiv.calculus.outputform writes a numeric check as "numeric (N points)"
    m = re.fullmatch(r"numeric \((\d+) points\)", check)
    return int(m[1]) if m else None


def _name(r) -> TeX:
    if r.label is not None:
        return TeX(rf"\operatorname{{{_tex_name(r.label)}}}({latex(Z)})")
    return TeX(rf"{r.activation.latex_name}({latex(Z)})")


def _tex_name(label: str) -> str:
    # a label is plain text: keep letters and digits, which need no escaping in math
    return "".join(c for c in label if c.isalnum()) or "f"


def _prime(name: TeX) -> str:
    head, _, rest = name.partition("(")
    return f"{head}'({rest}"


def value(v, exact: bool, precision: int) -> TeX:
    """A closed form with its decimal beside it, or the decimal alone."""
    v = sp.sympify(v)
    if v in (sp.oo, -sp.oo):
        return latex(v)
    decimal = format_number(v, precision, keep_zeros=True) \
        if abs(v) >= sp.Rational(1, 100) or v == 0 else format_significant(v, SIGNIFICANT)
    if not exact:
        return TeX(rf"\approx {decimal}")
    closed = latex(v)
    if v.is_Integer:
        return closed
    # 1/4 = 0.2500 exactly; erf(1)/2 + … ≈ 1.1289
    relation = "=" if v.is_Rational and "\\" not in decimal and sp.Rational(decimal) == v \
        else r"\approx"
    return TeX(rf"{closed} {relation} {decimal}")


def at_point(x, precision: int) -> TeX:
    """z = 0, z = √2 ≈ 1.4142, z ≈ −0.7518."""
    x = getattr(x, "value", x)
    shown = value(x, not isinstance(x, sp.Float), precision)
    return TeX(f"{latex(Z)} {shown}" if shown.startswith(r"\approx") else f"{latex(Z)} = {shown}")


def interval(lo, hi, lo_closed: bool, hi_closed: bool, precision: int) -> TeX:
    """(−∞, −0.7518), [0, ∞): a closed end only at a finite point that belongs."""
    lo, hi = getattr(lo, "value", lo), getattr(hi, "value", hi)
    lo_infinite, hi_infinite = lo in (None, -sp.oo), hi in (None, sp.oo)
    left = "(" if lo_infinite or not lo_closed else "["
    right = ")" if hi_infinite or not hi_closed else "]"
    lo_tex = r"-\infty" if lo_infinite else _end(lo, precision)
    hi_tex = r"\infty" if hi_infinite else _end(hi, precision)
    return TeX(rf"\left{left}{lo_tex}, {hi_tex}\right{right}")


def _end(x, precision) -> str:
    x = sp.sympify(x)
    if isinstance(x, sp.Float) or not (x.is_Rational or x.is_Atom):
        return format_number(x, precision)
    return latex(x)


def _bound(e: Extreme, precision: int) -> Bound:
    at = None
    if e.at:
        places = []
        for lo, hi, lo_closed, hi_closed in e.at:
            if lo is not None and lo == hi:
                places.append(at_point(lo, precision))
            else:
                places.append(TeX(rf"{latex(Z)} \in {interval(lo, hi, lo_closed, hi_closed, precision)}"))
        at = TeX(r",\ ".join(places))
    approached = None
    if e.approached:
        ends = sorted(e.approached, key=lambda a: float(a))
        if ends == [-sp.oo, sp.oo]:
            approached = TeX(rf"{latex(Z)} \to \pm\infty")
        else:
            approached = TeX(r",\ ".join(rf"{latex(Z)} \to {latex(a)}" for a in ends))
    return Bound(value(e.value, e.exact, precision), e.attained, at, approached, e.exact,
                 e.method)


def depth_table(reports) -> tuple[tuple[int, tuple[TeX, ...]], ...]:
    """Rows (L, max|f′|^L per function), None where f′ is unbounded."""
    shown = [r for r in reports if r.depth is not None]
    if not shown:
        return ()
    return tuple((L, tuple(_significant(r.depth[i][1]) for r in shown))
                 for i, L in enumerate(d for d, _ in shown[0].depth))


def _significant(v) -> TeX:
    # a rounded value shows all its digits (1.290); an exact one as it is (0.25, 1)
    return TeX(format_significant(v, SIGNIFICANT, keep_zeros=rounded_zeros(v)))


def report_plots(reports, lo, hi):
    """The functions on one axis, their derivatives on another, each curve labelled."""
    values, slopes = [], []
    for r in reports:
        name = _name(r)
        breaks = [p.hi for p in r.slope.pieces[:-1]]
        values.append(Curve(name, sample(r.f, Z, lo, hi)))
        slopes.append(Curve(TeX(_prime(name)), sample(r.derivative, Z, lo, hi, breaks)))
    return plot(values, lo, hi, latex(Z)), plot(slopes, lo, hi, latex(Z))
