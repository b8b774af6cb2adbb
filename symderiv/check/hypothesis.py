"""Statements under a condition: read the condition, and judge the statement assuming it.

"If z₁ < 0 then ReLU′(z₁) = 0", "当 z 较大或较小时，a 接近于 1 或 -1，从而 (1+a)(1−a) ≈ 0",
"when a → ±1, …". A condition is read as assumptions on names: a sign (the statement is
judged at sample points of that sign: what holds for every negative z₁ holds at each) or
a limit (both sides are taken to it, one limit per alternative: a → 1 and a → −1). A link
holds under the condition when it holds at every point or limit; it is WRONG when it fails
at one, which is named. The limits run in a killed child (SymPy's ``limit`` cannot be
interrupted): see :meth:`symderiv.check.judge.Checker.bounded`.
"""

import re

import sympy as sp

from symderiv.records import dataclass
from symderiv.check.lexer import lex
from symderiv.check.texmath import Printed, Unreadable, read

# Points a sign is judged at: irregular, so that no periodic accident passes.
SAMPLES = {"negative": (sp.Rational(-37, 100), sp.Rational(-13, 10), sp.Rational(-41, 10)),
           "positive": (sp.Rational(37, 100), sp.Rational(13, 10), sp.Rational(41, 10))}
EQUAL_WITHIN = sp.Rational(1, 10**9)  # limits and samples are exact up to evaluation noise

_NAME = r"(\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?|\^\{\([A-Za-z0-9]+\)\})*|\\hat\{[A-Za-z]\}(?:_\{?[A-Za-z0-9]+\}?)?)"
_ONE = r"(?:\d+(?:\.\d+)?|\\infty|∞)"
_VALUE = (rf"((?:\\pm|±|[-+])?\s*{_ONE}(?:\s*(?:或|or|and|/|,)\s*(?:\\pm|±|[-+])?\s*{_ONE})?)")
_GAP = r"\s*\$?\s*"
_SIGN = re.compile(_NAME + _GAP + r"(<|>|\\lt|\\gt|\\leq?|\\geq?|≤|≥)" + _GAP + r"0(?![.\d])")
_SIGN_WORD = re.compile(_NAME + _GAP + r"(?:is\s+|为|是)?(?:(negative|负)|(positive|正))", re.I)
_LIMIT = re.compile(_NAME + _GAP + r"(?:\\to|\\rightarrow|→|->|接近于?|趋近于?|趋于|is close to|"
                    r"close to|approaches|tends to|goes to|near)" + _GAP + _VALUE, re.I)
_BOTH_SIZES = re.compile(_NAME + _GAP + r"(?:is\s+)?(?:very\s+)?(?:较大或较小|很大或很小|过大或过小|"
                         r"large or small|big or small|large in magnitude)", re.I)
_LARGE = re.compile(_NAME + _GAP + r"(?:is\s+)?(?:very\s+)?(?:较大|很大|过大|large|big)"
                    r"(?!\s*(?:或|or|in)\b)(?!或)", re.I)


@dataclass(frozen=True)
class Assumption:
    symbol: sp.Symbol
    kind: str        # "limit" (points are where it tends) | "sign" (points are samples)
    points: tuple
    said: str        # as the document wrote it

    def describe(self) -> str:
        if self.kind == "sign":
            return f"{self.symbol.name} {'< 0' if self.points[0] < 0 else '> 0'}"
        return f"{self.symbol.name} → " + " or ".join(_shown(p) for p in self.points)


def _shown(point) -> str:
    return {sp.oo: "∞", -sp.oo: "−∞"}.get(point, str(sp.Float(point, 6)).rstrip("0").rstrip("."))


def read_condition(text: str, context) -> list[Assumption]:
    """The assumptions a condition's words and math state (none when it states none this
    reader knows: the caller says how to write it)."""
    found: dict = {}
    for pattern, meaning in ((_SIGN, _sign_of), (_SIGN_WORD, _sign_word), (_LIMIT, _limit),
                             (_BOTH_SIZES, lambda m: ("limit", (sp.oo, -sp.oo))),
                             (_LARGE, lambda m: ("limit", (sp.oo,)))):
        for m in pattern.finditer(text):
            symbol = _name(m.group(1), context)
            kind_points = meaning(m)
            if symbol is None or kind_points is None or symbol in found:
                continue
            found[symbol] = Assumption(symbol, kind_points[0], kind_points[1], m.group(0).strip())
    return list(found.values())


def _name(text: str, context):
    try:
        value = read(lex(text), context)
    except Unreadable:
        return None
    return value if isinstance(value, sp.Symbol) and not isinstance(value, Printed) else None


def _sign_of(m):
    below = m.group(2) in ("<", r"\lt", r"\le", r"\leq", "≤")
    return "sign", SAMPLES["negative" if below else "positive"]


def _sign_word(m):
    return "sign", SAMPLES["negative" if m.group(2) else "positive"]


def _limit(m):
    points = []
    for part in re.split(r"\s*(?:或|or|and|/|,)\s*", m.group(2).strip()):
        both = part.startswith((r"\pm", "±"))
        negative = part.startswith("-")
        magnitude = part.lstrip("+-±").replace(r"\pm", "").strip()
        value = sp.oo if magnitude in (r"\infty", "∞") else sp.Rational(magnitude)
        points += [value, -value] if both else [-value if negative else value]
    return "limit", tuple(dict.fromkeys(points))


def judge_under(lhs, rhs, assumptions: list, tolerance, seconds: float) -> dict:
    """The Link fields for ``lhs = rhs`` under the assumptions (run in a killed child).

    Every name left must be one the assumptions take; the caller puts in the others'
    values."""
    del seconds  # the child's kill is the bound
    checked = []
    for a in assumptions:
        for point in a.points:
            at = {a.symbol: point}
            sides = []
            for side in (lhs, rhs):
                if a.kind == "limit":
                    value = sp.limit(side, a.symbol, point, "-" if point > 0 else "+") \
                        if point.is_finite else sp.limit(side, a.symbol, point)
                else:
                    value = side.xreplace(at)
                value = _other_assumptions(value, a, assumptions)
                if value is None:
                    return {"reason": "names other than the condition's remain: give them "
                                      "values, or state their condition too"}
                sides.append(value)
            left, right = (sp.N(v, 30) for v in sides)
            if not (left.is_number and right.is_number) or not all(
                    v.is_finite for v in (left, right)):
                return {"reason": f"no finite value under {a.describe()}"}
            if abs(left - right) > tolerance:
                return {"status": "WRONG", "expected": float(left),
                        "counterexample": {"point": {a.symbol.name: _shown(point)},
                                           "lhs": float(left), "rhs": float(right)},
                        "method": f"under the condition {a.describe()}"}
            checked.append(a.describe())
    return {"status": "ok", "method": "under the condition " + "; ".join(dict.fromkeys(checked))}


def _other_assumptions(value, current: Assumption, assumptions: list):
    """``value`` at one point of every other assumption whose name it still has (z → ∞
    beside a → 1: each alone takes the statement to its limit); None if names remain."""
    for other in assumptions:
        if other is current or other.symbol not in value.free_symbols:
            continue
        point = other.points[0]
        value = sp.limit(value, other.symbol, point) if other.kind == "limit" \
            else value.xreplace({other.symbol: point})
    return None if value.free_symbols else value
