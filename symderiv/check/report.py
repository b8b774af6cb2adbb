"""What ``check`` found, as plain data, and its two renderings (text for people, JSON).

JSON (contract §3): ``{"checked", "wrong", "rounding", "skipped", "items": [{"line",
"text", "status", "expected"}]}``, ``status`` always one of ok, rounding, WRONG, skipped.
The finer verdict is an added field, ``detail``: ``conditional`` (judged under the
condition the text states, or skipped when it cannot be read), ``data differ`` (--spec:
a WRONG given), ``inherits line N`` (uses a value an earlier WRONG line printed), counted
under ``details``. Each item also has ``difference``, ``links`` (every ``=`` judged on its
own), ``note`` and ``reason``, plus ``links`` counts and the ``bindings`` the document made. ``checked`` counts chains with at least one judged link;
``skipped`` counts chains where nothing could be judged. A chain's status is its worst
judged link's (WRONG, then rounding, then ok); its skipped links are counted in
``links.skipped`` and shown, never reported as ok.
"""

from dataclasses import field

import mpmath

from symderiv.records import dataclass

OK, ROUNDING, WRONG, SKIPPED, DEFINES = "ok", "rounding", "WRONG", "skipped", "defines"
STATUSES = (OK, ROUNDING, WRONG, SKIPPED)  # an item's status: the contract's four, no other
# Details: finer verdicts, carried beside the status.
CONDITIONAL = "conditional"  # a hypothetical (if z < 0 then …): judged under its condition
DATA_DIFFER = "data differ"  # --spec: the document's data are not the problem's (a WRONG)
INHERITS = "inherits line"   # "inherits line 73": uses the value a WRONG line printed
SEVERITY = {OK: 1, ROUNDING: 2, WRONG: 3}
TEXT_WIDTH = 72


@dataclass
class Link:
    """One ``=`` (or ``≈``) between element ``index - 1`` and element ``index``."""

    index: int
    line: int
    left: str
    right: str
    status: str
    expected: float | str | None = None  # the recomputed value (or formula)
    printed: float | None = None         # the value of the side that was printed
    difference: float | None = None      # printed - expected
    reason: str | None = None            # why skipped
    method: str | None = None            # interval | identity (how decided)
    counterexample: dict | None = None
    relation: str = "="                  # =, ≈, or an inequality (never checked)
    symbol: str | None = None            # substitution: the name a wrong number was put in for

    def data(self) -> dict:
        out = {"line": self.line, "left": self.left, "relation": self.relation,
               "right": self.right, "status": self.status}
        for key in ("expected", "printed", "difference", "reason", "method", "counterexample",
                    "symbol"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass
class Item:
    """One chain: its line (of the worst link, else of its start), text, status, links."""

    line: int
    text: str
    status: str
    first_line: int
    last_line: int
    links: list[Link] = field(default_factory=list)
    expected: float | str | None = None
    uncertainty: float | None = None  # half the width of the interval ``expected`` is from
    difference: float | None = None
    note: str | None = None
    reason: str | None = None
    inherits: str | None = None   # an earlier WRONG value this chain carries
    matched: list | None = None   # --spec: the problem's quantities this chain states
    detail: str | None = None     # conditional | data differ | inherits line N

    def data(self) -> dict:
        out = {"line": self.line, "text": self.text, "status": self.status,
               "expected": self.expected}
        if self.detail:
            out["detail"] = self.detail
        if self.inherits:
            out["inherits"] = self.inherits
        if self.matched:
            out["matched"] = self.matched
        if self.uncertainty:
            out["uncertainty"] = self.uncertainty
        if self.difference is not None:
            out["difference"] = self.difference
        if (self.first_line, self.last_line) != (self.line, self.line):
            out["lines"] = [self.first_line, self.last_line]
        if self.note:
            out["note"] = self.note
        if self.reason:
            out["reason"] = self.reason
        out["links"] = [link.data() for link in self.links if link.status != DEFINES]
        return out


@dataclass
class Binding:
    """A name the document gave a value or a formula (what later chains are checked with)."""

    line: int
    name: str
    kind: str            # given | computed | formula | function
    value: float | None = None
    formula: str | None = None

    def data(self) -> dict:
        out = {"line": self.line, "name": self.name, "kind": self.kind}
        if self.value is not None:
            out["value"] = self.value
        if self.formula is not None:
            out["formula"] = self.formula
        return out


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    graded: dict | None = None  # --spec: the problem graded against, and what was matched

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    def count_detail(self, detail: str) -> int:
        """Items whose detail is ``detail`` (``inherits line`` counts every line N)."""
        return sum(1 for item in self.items if item.detail and item.detail.startswith(detail))

    def details(self) -> dict:
        return {CONDITIONAL: self.count_detail(CONDITIONAL),
                DATA_DIFFER: self.count_detail(DATA_DIFFER),
                "inherits": self.count_detail(INHERITS)}

    @property
    def checked(self) -> int:
        return sum(1 for item in self.items if item.status in SEVERITY)

    def link_counts(self) -> dict:
        counts = {OK: 0, ROUNDING: 0, WRONG: 0, SKIPPED: 0}
        for item in self.items:
            for link in item.links:
                if link.status in counts:
                    counts[link.status] += 1
            if not item.links and item.status == SKIPPED:
                counts[SKIPPED] += 1
        return counts

    def data(self) -> dict:
        out = {"checked": self.checked, "wrong": self.count(WRONG),
               "rounding": self.count(ROUNDING), "skipped": self.count(SKIPPED),
               "items": [item.data() for item in self.items],
               "details": self.details(),
               "links": self.link_counts(),
               "bindings": [b.data() for b in self.bindings]}
        if self.graded is not None:
            out["spec"] = self.graded
        return out

    @property
    def exit_code(self) -> int:
        return 1 if self.count(WRONG) else 0

    def summary(self) -> str:
        links = self.link_counts()
        details = self.details()
        extra = "".join(f", {n} {name}" for name, n in details.items() if n)
        extra = f" [{extra[2:]}]" if extra else ""
        return (f"checked {self.checked}, wrong {self.count(WRONG)}, rounding "
                f"{self.count(ROUNDING)}, skipped {self.count(SKIPPED)}{extra} "
                f"(links: {links[OK]} ok, {links[ROUNDING]} rounding, {links[WRONG]} WRONG, "
                f"{links[SKIPPED]} skipped)")

    def text(self) -> str:
        lines = []
        for item in self.items:
            lines.extend(_item_lines(item))
        taken = (self.graded or {}).get("from_problem")
        if taken:  # --spec: names the document uses but never gives, read as the problem's
            lines.append("taken from the problem: " + "; ".join(f"{n} = {q}" for n, q in taken.items()))
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


def number(value, digits: int = 10) -> str:
    """A value for people: 10 significant digits, no float noise."""
    if isinstance(value, str):
        try:
            value = mpmath.mpf(value)
        except ValueError:
            return value
    shown = mpmath.nstr(mpmath.mpf(value), digits, strip_zeros=True, min_fixed=-6, max_fixed=12)
    return shown[:-2] if shown.endswith(".0") else shown


def shorten(text: str, width: int = TEXT_WIDTH) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _item_lines(item: Item) -> list[str]:
    status = f"{item.status} ({item.detail})" if item.detail else item.status
    head = f"line {item.line:>4}  {status:<8}  {shorten(item.text)}"
    out = [head]
    pad = " " * 17
    own = [link for link in item.links if link.status == item.status and link.relation != "spec"]
    if item.status in (ROUNDING, WRONG) and own:
        worst = own[0]
        out.append(f"{pad}at  {shorten(worst.left, 40)} {worst.relation} {shorten(worst.right, 40)}")
        if worst.method == "inequality":
            out.append(f"{pad}{worst.reason}: the inequality does not hold")
        elif worst.counterexample and (worst.method or "").startswith("under"):
            out.append(f"{pad}false {worst.method}: {_point(worst.counterexample)}")
        elif worst.counterexample:
            out.append(f"{pad}not an identity: the left side is {worst.expected}; "
                       f"{_point(worst.counterexample)}")
        elif worst.symbol is not None and worst.method == "substitution":
            out.append(f"{pad}{worst.reason} (difference {number(worst.difference, 3)})")
        elif worst.expected is not None:
            out.append(f"{pad}recomputed {number(worst.expected)}, printed "
                       f"{number(worst.printed)}, difference {number(worst.difference, 3)}")
            if worst.symbol is not None:
                out.append(f"{pad}{worst.reason}")
        for link in own:  # a vector's or a matrix's entries: each wrong one by its place
            if link.reason and link.reason.startswith("entry ") and link.expected is not None:
                out.append(f"{pad}{link.reason}: recomputed {number(link.expected)}, printed "
                           f"{number(link.printed)}")
    if item.status in (ROUNDING, WRONG):
        for link in item.links:  # --spec: each stated value the problem disagrees with
            if link.relation == "spec" and link.status in (ROUNDING, WRONG):
                out.append(f"{pad}{link.status}: {link.left}: the problem's {link.right} is "
                           f"{number(link.expected)}, printed {number(link.printed)}")
    elif item.status == OK and isinstance(item.expected, float):
        spread = f" ± {number(item.uncertainty, 2)}" if item.uncertainty else ""
        out.append(f"{pad}value {number(item.expected)}{spread}")
    elif item.status == OK:
        assumed = [link.method for link in item.links if (link.method or "").startswith("under")]
        ordered = all(link.method == "inequality" for link in item.links if link.status == OK)
        out.append(f"{pad}holds {assumed[0]}" if assumed else
                   f"{pad}the inequality holds" if ordered else f"{pad}identity holds")
    skipped = [link for link in item.links if link.status == SKIPPED]
    if item.status == SKIPPED and (item.reason and not skipped or len(skipped) == 1):
        out.append(f"{pad}skipped: {item.reason or skipped[0].reason}")
    elif skipped:
        for link in skipped:
            out.append(f"{pad}skipped  {shorten(link.left, 28)} {link.relation} "
                       f"{shorten(link.right, 28)}: {link.reason}")
    if item.detail and item.status != SKIPPED and item.reason:
        out.append(f"{pad}{item.reason}")
    if item.matched:
        out.append(f"{pad}matched: " + "; ".join(item.matched))
    if item.inherits:
        out.append(f"{pad}inherits: {item.inherits}")
    if item.note:
        out.append(f"{pad}note: {item.note}")
    return out


def _point(counterexample: dict) -> str:
    point = ", ".join(f"{k} = {v}" for k, v in counterexample.get("point", {}).items())
    return (f"at {point} the sides are {number(counterexample.get('lhs'))} and "
            f"{number(counterexample.get('rhs'))}")
