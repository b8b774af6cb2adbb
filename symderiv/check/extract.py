"""Find the equation chains of a worked solution, each with its line number.

Math comes from ``$…$``, ``$$…$$``, ``\\[…\\]``, ``\\(…\\)`` and the equation, align,
gather, multline and eqnarray environments (starred too). Inside ``aligned``-like blocks
rows split at ``\\\\`` and ``&`` is dropped; a row that starts with ``=`` (``&= …``)
continues the chain of the row before. A piece of math splits into statements at
top-level ``,`` ``;`` ``\\quad`` ``\\Rightarrow`` and ``\\text{ and }``, and each
statement into elements at top-level ``=`` and ``\\approx``. Statements with a top-level
inequality keep their ``=`` links; the inequality itself is not checked (skipped). Text
outside math is never read as math.
"""

import bisect
import re
from dataclasses import field

from symderiv.records import dataclass
from symderiv.check.lexer import Token, lex
from symderiv.check.texmath import is_inequality, is_other_relation

MAX_SEGMENT = 20000  # characters in one piece of math; longer pieces are skipped

_ROW_ENVS = {"aligned", "align", "gather", "gathered", "split", "eqnarray", "multline",
             "flalign", "alignat", "alignedat"}
_DISPLAY_ENVS = _ROW_ENVS | {"equation", "math", "displaymath"}
# \\[0.8em] is a row break with spacing, never a display opener: \[ and \( count only when
# the backslash is not itself escaped.
_OPENERS = re.compile(
    r"\\\$|\$\$|\$|(?<!\\)\\\[|(?<!\\)\\\(|\\begin\{("
    + "|".join(sorted(_DISPLAY_ENVS)) + r")(\*?)\}")
_SEPARATORS = {",", ";", r"\quad", r"\qquad", r"\Rightarrow", r"\implies", r"\Longrightarrow",
               r"\iff", r"\therefore", r"\because", r"\Leftrightarrow"}
_RELATIONS = {"=": "=", r"\approx": "≈", r"\simeq": "≈", r"\doteq": "≈", r"\equiv": "="}
_SHOWN = {"=": "=", "≈": r"\approx"}
_OPEN = {"(", "[", "{", r"\left"}
_CLOSE = {")", "]", "}", r"\right"}
_CONTINUES = {"=", r"\approx", r"\simeq", "+", "-", r"\times", r"\cdot"}
_DROPPED = {r"\quad", r"\qquad"}
_UPDATES = {r"\leftarrow", r"\gets", r"\longleftarrow"}


@dataclass
class Element:
    tokens: list[Token]
    text: str
    line: int


@dataclass
class Statement:
    """One chain ``a = b ≈ c``: its elements, the relations between them, its lines."""

    line: int
    text: str
    elements: list[Element] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    skip: str | None = None  # why the whole statement is not checked (an inequality, …)
    section: int = 0         # which problem of the document it belongs to
    problem: str = ""        # the number of that problem ("" before the first)
    part: int = 0            # which part (between headings)
    update: bool = False     # w \\leftarrow w - η g: the head is the parameter's new value
    renews: bool = False     # its heading or sentence says values change (a new step, example)
    conditional: bool = False  # inside "if z < 0 then …": a hypothetical, not a fact
    condition: str = ""        # the words and math of that condition, for the judge to read

    @property
    def last_line(self) -> int:
        return self.elements[-1].line if self.elements else self.line


class _Lines:
    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def is_latex(text: str, filename: str = "") -> bool:
    return filename.endswith((".tex", ".ltx")) or r"\documentclass" in text[:20000] \
        or r"\begin{document}" in text


def statements(text: str, latex: bool = False) -> list[Statement]:
    """Every statement with at least one relation (=, ≈, or an inequality), in order."""
    clean = _blank_non_math(text, latex)
    lines = _Lines(text)
    numbered = problem_starts(clean)
    sections = [start for start, _ in numbered]
    labels = [""] + [label for _, label in numbered]
    headings = [m.start() for m in _HEADING.finditer(clean)]
    renewing = [bool(_RENEW.search(line) or _NEW_PART.search(line))
                for line in (clean[h:clean.find("\n", h) % (len(clean) + 1)] for h in headings)]
    found: list[Statement] = []
    for start, end, rows_env in _segments(clean):
        content = clean[start:end]
        section = bisect.bisect_right(sections, start)
        if end - start > MAX_SEGMENT:
            if "=" in content:
                line = lines.of(start)
                found.append(Statement(line, _shorten(content), skip="math too long to read",
                                       section=section))
            continue
        tokens = lex(content, base=start)
        contradiction = _CONTRADICTION.search(_after(clean, end))
        condition = _condition(clean, start, end, content)
        for row in _logical_rows(tokens, rows_env):
            for statement in _statements_of_row(row, text, lines):
                statement.section = section
                statement.problem = labels[section]
                statement.part = bisect.bisect_right(headings, start)
                before = _sentence_before(clean, start)
                statement.renews = statement.part > 0 and renewing[statement.part - 1] \
                    or bool(_RENEW.search(before) or _SETS.search(before))
                statement.conditional, statement.condition = bool(condition), condition
                if contradiction and not statement.skip:
                    statement.skip = "the text around it calls it a contradiction"
                found.append(statement)
    return found


# A new problem starts a new scope: its names mean new things (w1 of problem 2 is not
# w1 of problem 4). A problem starts at a line that opens with its number ("4、",
# "第 4 题", "Problem 4", also as a Markdown heading or a \section title); its parts
# (a), (b), … and any other headings share its scope.
# Numbers must rise: "2、" after problem 5 is an item of a list, not problem 2.
_PROBLEM = re.compile(r"^[ \t]*(?:#{1,6}[ \t]*|\\(?:chapter|section)\*?\{[ \t]*|\*\*)?"
                      r"(?:第\s*(\d+)\s*题|(?:Problem|Exercise|Question)\s*(\d+)\b|(\d+)\s*、)",
                      re.M | re.I)
_CONTRADICTION = re.compile(r"矛盾|不成立|不可能|contradict|absurd|impossible", re.I)
# A heading (a LaTeX \section, a Markdown #) starts a new part. Names from earlier parts
# keep their values, but a chain that starts with one defines it anew (a new problem that
# reuses L) instead of claiming the old formula's value.
_HEADING = re.compile(r"^[ \t]*(?:\\(?:sub)*section\*?\{|#{1,6}[ \t])", re.M)
# "If z_1 < 0, then ReLU'(z_1) = 0", "当 z 较大时 … ≈ 0": a statement under a condition on a
# size or a sign is hypothetical. A bare "if" is not enough: "若 (o_1, o_2) = (0.12, 0.95)"
# gives data.
_IF = re.compile(r"\b(?:if|when|whenever|suppose|assume|assuming|once)\b|若|如果|假设|假如|当",
                 re.I)
_SIZE = re.compile(r"<|>|\\le|\\ge|\\lt|\\gt|≤|≥|\\to\b|\\rightarrow|→|\b(?:large|small|big|tiny|negative|"
                   r"positive|saturat\w*|close to|near|approach\w*)\b|较大|较小|很大|很小|过大|"
                   r"过小|负|正数|接近|趋于|饱和", re.I)
# "After the update, …", "### Step 2", "a new example", "第 2 步", "更新后": names may take new
# values there; elsewhere a computed name stated again is a claim about its value.
_RENEW = re.compile(r"\b(?:after (?:the |one |an? |each )?(?:update|step|iteration|epoch)s?|updated|"
                    r"new (?:examples?|samples?|inputs?|values?|data|weights?|parameters?)|"
                    r"next (?:example|sample|step|iteration|epoch)|"
                    r"(?:step|iteration|epoch|example|sample|round) \d+)\b|"
                    r"更新后|更新之后|新的?(?:样本|输入|数据|参数|权重)|下一(?:步|个样本|轮|次迭代)|"
                    r"第\s*[0-9一二三四五六七八九十]+\s*(?:步|轮|次迭代|个样本)", re.I)
# A heading that names a new problem, part or case ("## Problem B", "### Quiz 2", "(b)").
_NEW_PART = re.compile(r"\b(?:problems?|exercises?|questions?|parts?|tasks?|quiz(?:zes)?|"
                       r"examples?|cases?|steps?|iterations?|epochs?|rounds?)\b|\([a-h]\)|"
                       r"题|例|问|步|轮|情形|情况", re.I)
# "reached at $z ≈ 1.49$", "let $x = 2$", "在 $z = 0$ 处": the math sets a name, not states it.
_SETS = re.compile(r"(?:\b(?:at|where|for|with|when|let|set|take|taking|choose)|在|令|设|取|当)"
                   r"[ \t]*(?:\$\$?|\\[(\[])?$", re.I)
_SENTENCE_END = re.compile(r"[。！？；;!?]|\.(?=\s)|\n[ \t]*\n")


def _condition(text: str, start: int, end: int, math: str = "") -> str:
    """The sentence around a piece of math when it puts it under a condition on a size
    (its words before the math, the math when short, its words after), else ""."""
    before = _sentence_before(text, start)
    if not _IF.search(before):
        return ""
    after = text[end:end + 200].split("\n", 1)[0]
    m = _SENTENCE_END.search(after)
    after = after[:m.start()] if m else after
    condition = before + " " + (math if len(math) < 40 else "") + " " + after
    return condition if _SIZE.search(condition) else ""


def _sentence_before(text: str, start: int) -> str:
    """The words of the sentence a piece of math at ``start`` is in, up to the math."""
    line_start = max(text.rfind("\n", 0, start) + 1, start - 200)
    before = text[line_start:start]
    ends = list(_SENTENCE_END.finditer(before))
    return before[ends[-1].end():] if ends else before


def _section_starts(text: str) -> list[int]:
    return [start for start, _ in problem_starts(text)]


def problem_starts(text: str) -> list[tuple[int, str]]:
    """(offset, number) where each numbered problem starts."""
    starts, last = [], -1
    for m in _PROBLEM.finditer(text):
        label = next(g for g in m.groups() if g is not None)[:9]
        if int(label) > last:
            starts.append((m.start(), str(int(label))))
            last = int(label)
    return starts


def _after(text: str, end: int) -> str:
    """The rest of the line after a piece of math (past its closing delimiter)."""
    return text[end:end + 80].split("\n", 1)[0]


# -- the document -> pieces of math -----------------------------------------------------------

def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _blank_non_math(text: str, latex: bool) -> str:
    """``text`` with comments, code and verbatim blanked out (offsets and lines kept)."""
    pieces = []
    if latex:
        begin = text.find(r"\begin{document}")
        if begin > 0:
            pieces.append((0, begin))
        for m in re.finditer(r"(?<!\\)%[^\n]*", text):
            pieces.append(m.span())
        pieces += _spans(text, re.compile(r"\\begin\{(verbatim|lstlisting|minted)\}"),
                         lambda m: "\\end{" + m.group(1) + "}")
    else:
        pieces += _spans(text, re.compile(r"^ {0,3}(```|~~~)", re.M), lambda m: "\n" + m.group(1))
        for m in re.finditer(r"`[^`\n]+`", text):
            pieces.append(m.span())
        for m in re.finditer(r"^[ \t]*>(?:[ \t]*>)*", text, re.M):  # blockquote markers
            pieces.append(m.span())
    if not pieces:
        return text
    chars = list(text)
    for start, end in pieces:
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def _spans(text: str, opening: re.Pattern, closing) -> list[tuple[int, int]]:
    """(start, end) of each block from ``opening`` to its ``closing(match)`` (or the end)."""
    spans, pos = [], 0
    while (m := opening.search(text, pos)) is not None:
        close = text.find(closing(m), m.end())
        end = len(text) if close < 0 else close + len(closing(m))
        spans.append((m.start(), end))
        pos = end
    return spans


def _segments(text: str):
    """(start, end, rows) of each piece of math; rows: its lines split at \\\\."""
    pos = 0
    while True:
        m = _OPENERS.search(text, pos)
        if m is None:
            return
        opener = m.group(0)
        if opener == "\\$":
            pos = m.end()
            continue
        if opener == "$$":
            close = text.find("$$", m.end())
            if close < 0:
                pos = m.end()
                continue
            yield m.end(), close, True  # \\ inside $$ breaks rows, as MathJax draws it
            pos = close + 2
        elif opener == "$":
            close = _inline_close(text, m.end())
            if close is None:
                pos = m.end()
                continue
            yield m.end(), close, False
            pos = close + 1
        elif opener in ("\\[", "\\("):
            closing = "\\]" if opener == "\\[" else "\\)"
            close = text.find(closing, m.end())
            if close < 0:
                pos = m.end()
                continue
            yield m.end(), close, opener == "\\["
            pos = close + 2
        else:
            env = m.group(1) + m.group(2)
            closing = "\\end{" + env + "}"
            close = text.find(closing, m.end())
            if close < 0:
                pos = m.end()
                continue
            yield m.end(), close, m.group(1) in _ROW_ENVS
            pos = close + len(closing)


def _inline_close(text: str, start: int) -> int | None:
    """Where a ``$…$`` opened at ``start`` closes; None when it runs into a blank line."""
    k = start
    while True:
        close = text.find("$", k)
        if close < 0:
            return None
        if text[close - 1] == "\\":
            k = close + 1
            continue
        if re.search(r"\n[ \t\r]*\n", text[start:close]):
            return None
        return close if close > start else None


# -- math -> rows -> statements -> elements -----------------------------------------------------

def _env_name(tokens: list[Token], i: int) -> tuple[str, int]:
    """The environment named after \\begin / \\end at ``i``, and the index after its braces."""
    j, name = i + 1, ""
    if j < len(tokens) and tokens[j].text == "{":
        j += 1
        while j < len(tokens) and tokens[j].text != "}":
            name += tokens[j].text
            j += 1
        j += 1
    return name, j


def _skip_group(tokens: list[Token], j: int, opening: str = "{", closing: str = "}") -> int:
    if j < len(tokens) and tokens[j].text == opening:
        depth = 0
        while j < len(tokens):
            depth += {opening: 1, closing: -1}.get(tokens[j].text, 0)
            j += 1
            if depth == 0:
                break
    return j


def _logical_rows(tokens: list[Token], rows_env: bool) -> list[list[Token]]:
    rows: list[list[Token]] = [[]]
    stack: list[bool] = []  # for each open environment: does it split rows?
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.text in (r"\begin", r"\end") and t.kind == "cmd":
            name, j = _env_name(tokens, i)
            splits = name.rstrip("*") in _ROW_ENVS
            if t.text == r"\begin":
                stack.append(splits)
                if name.rstrip("*") in ("alignat", "alignedat"):
                    j = _skip_group(tokens, j)
            else:
                stack = stack[:-1]
            if splits:
                i = j
                continue
            rows[-1].extend(tokens[i:j])
            i = j
            continue
        in_rows = stack[-1] if stack else rows_env
        if in_rows and t.text == "\\\\":
            rows.append([])
            i += 1 + (i + 1 < len(tokens) and tokens[i + 1].text == "*")  # \\* keeps a page
            i = _skip_group(tokens, i, "[", "]")
            continue
        if in_rows and t.text == "&":
            i += 1
            continue
        if t.text in (r"\intertext", r"\shortintertext"):  # text between two rows
            rows.append([])
            i = _skip_group(tokens, i + 1)
            continue
        if t.text in (r"\label", r"\tag", r"\eqref", r"\ref"):
            i = _skip_group(tokens, i + 1 + (i + 1 < len(tokens) and tokens[i + 1].text == "*"))
            continue
        rows[-1].append(t)
        i += 1
    logical: list[list[Token]] = []
    for row in rows:
        while row and row[0].text in _DROPPED:  # "&\quad + d" continues like "& + d"
            row = row[1:]
        if not row:
            continue
        if logical and row[0].text in _CONTINUES:
            logical[-1].extend(row)
        else:
            logical.append(row)
    return [_without_final_punctuation(row) for row in logical]


def _without_final_punctuation(row: list[Token]) -> list[Token]:
    """"… = 0.2858." ends a sentence, not the number."""
    while row and (row[-1].text in (".", ":") or row[-1].text in "。，；：、"):
        row = row[:-1]
    return row


def _statements_of_row(row: list[Token], text: str, lines: _Lines) -> list[Statement]:
    found = []
    for piece in _split_top(row, _is_separator):
        statement = _chain(piece, text, lines)
        if statement is not None:
            found.append(statement)
    return found


def _is_separator(tokens: list[Token], i: int) -> int:
    """How many tokens the separator at ``i`` takes (0 when there is none)."""
    t = tokens[i]
    if t.kind in ("char", "cmd") and t.text in _SEPARATORS:
        return 1
    if t.text in (r"\text", r"\mbox", r"\textrm") and i + 1 < len(tokens) and tokens[i + 1].text == "{":
        end = _skip_group(tokens, i + 1)
        inner = tokens[i + 2:end - 1]
        if inner and (any(x.kind == "other" for x in inner)
                      or inner[0].start > tokens[i + 1].end or tokens[end - 1].start > inner[-1].end):
            return end - i
    return 0


def _nesting(depth: int, t: Token) -> int:
    """The bracket depth after ``t``: (, [, {, \\left and \\begin open; their partners close."""
    if t.kind in ("char", "cmd"):
        if t.text in _OPEN or t.text == r"\begin":
            return depth + 1
        if t.text in _CLOSE or t.text == r"\end":
            return max(0, depth - 1)
    return depth


def _split_top(tokens: list[Token], at) -> list[list[Token]]:
    pieces, current, depth, i = [], [], 0, 0
    while i < len(tokens):
        t = tokens[i]
        depth = _nesting(depth, t)
        width = at(tokens, i) if depth == 0 else 0
        if width:
            pieces.append(current)
            current = []
            i += width
            continue
        current.append(t)
        i += 1
    pieces.append(current)
    return [p for p in pieces if p]


def _chain(tokens: list[Token], text: str, lines: _Lines) -> Statement | None:
    parts: list[list[Token]] = [[]]
    relations: list[str] = []
    other = False
    statement_update = False
    depth = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        depth = _nesting(depth, t)
        if depth == 0 and t.kind in ("char", "cmd"):
            if t.text == ":" and i + 1 < len(tokens) and tokens[i + 1].text == "=":
                i += 1
                t = tokens[i]
            if t.text in _UPDATES and not relations and parts[0]:
                statement_update = True
                relations.append("=")
                parts.append([])
                i += 1
                continue
            if t.text in _RELATIONS or is_inequality(t):
                relations.append(_RELATIONS.get(t.text, t.text))
                parts.append([])
                i += 1
                continue
            if is_other_relation(t):
                other = True
        if t.text not in _DROPPED:
            parts[-1].append(t)
        i += 1
    if not relations:
        return None
    first, last = tokens[0], tokens[-1]
    statement = Statement(lines.of(first.start), _collapse(text[first.start:last.end]),
                          update=statement_update)
    if other:
        statement.skip = "not an equation (∈, →, ∼ …)"
        return statement
    for part in parts:
        if part:
            snippet = _collapse(text[part[0].start:part[-1].end])
            statement.elements.append(Element(part, snippet, lines.of(part[0].start)))
        else:
            statement.elements.append(Element([], "", statement.line))
    statement.relations = relations
    shown = [r"\leftarrow" if statement_update and k == 0 else _SHOWN.get(r, r)
             for k, r in enumerate(relations)]
    statement.text = statement.elements[0].text + "".join(
        f" {r} {e.text}" for r, e in zip(shown, statement.elements[1:]))
    if any(not e.tokens for e in statement.elements):
        if sum(1 for e in statement.elements if e.tokens) < 2:
            return None
        statement.skip = "an incomplete chain"
    return statement


def _collapse(s: str) -> str:
    return " ".join(s.split())


def _shorten(s: str, width: int = 60) -> str:
    s = _collapse(s)
    return s if len(s) <= width else s[:width - 1] + "…"
