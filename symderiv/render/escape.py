"""Plain text to LaTeX (or Markdown) that prints it literally: specials, newlines, control codes.

User text (titles, statements, ids) goes through :func:`escape_tex` before it reaches a
template's output, so ``\\input{/etc/passwd} 50% $x_1$ #1 & ~`` prints as those characters.
"""

import re

from symderiv.calculus.latex import TeX

# A line may break after a backslash or a slash (\allowbreak prints nothing): a pasted
# path, URL or TeX command in a statement is one long word that would otherwise stick
# out of the margin.
_BREAK = r"\allowbreak{}"
_REPLACEMENTS = {
    "\\": r"\textbackslash{}" + _BREAK,
    "/": "/" + _BREAK,
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    # The text fonts have no prime (U+2032): f′ in a statement would print as f. Math has.
    "′": r"\ensuremath{'}",
    "″": r"\ensuremath{''}",
}
# Any newline or tab becomes one space: a line break or \par inside \section{...} or a
# table cell is a TeX error, and a lone CR would end TeX's input line. Other control
# characters (NUL, form feed, ESC, DEL) are invalid or invisible to TeX and are dropped.
_WHITESPACE = " "
_PATTERN = re.compile(r"[\\{}$&#^_%~/\"′″]|\r\n|[\r\n\t\v]|[\x00-\x08\x0c\x0e-\x1f\x7f]")
# A straight double quote opens a quotation at the start or after a space or bracket, and
# closes one elsewhere: TeX's fonts print " as a closing quote wherever it stands.
_OPENS_AFTER = " \t\n([{“‘-"


def _replace(match: re.Match) -> str:
    char = match.group()
    if char == '"':
        before = match.string[match.start() - 1] if match.start() else " "
        return r"\textquotedblleft{}" if before in _OPENS_AFTER else r"\textquotedblright{}"
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    return _WHITESPACE if char in ("\r\n", "\r", "\n", "\t", "\v") else ""


def escape_tex(text: str) -> TeX:
    """``text`` as LaTeX that typesets exactly those characters (one regex pass)."""
    if isinstance(text, TeX):
        return text
    return TeX(_PATTERN.sub(_replace, str(text)))


_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)\s*")


def paragraphs(text: str) -> list[TeX]:
    """``text`` split at blank lines into escaped paragraphs (empty ones dropped)."""
    return [escape_tex(p.strip()) for p in _BLANK_LINE.split(str(text)) if p.strip()]


# -- Markdown --------------------------------------------------------------------------------

# The ASCII punctuation that Markdown (CommonMark, GitHub, Pandoc) or its math ($…$) may
# read as markup anywhere in a line; a backslash before it prints it as itself. & < >
# become entities, so no HTML tag or entity is ever live. Marks that are markup only at
# the start of a line (- + = and "1." "1)") are escaped only there (_LINE_START):
# ordinary punctuation (3-4-3, e.g., f(x)) stays as written. ( ) ! : are markup only
# after ] or < (links, images, autolinks), which are always escaped.
_MARKDOWN_PATTERN = re.compile(
    r"[\\`*_{}\[\]|$~^#]|[&<>]|\r\n|[\r\n\t\v]|[\x00-\x08\x0c\x0e-\x1f\x7f]")
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _replace_markdown(match: re.Match) -> str:
    char = match.group()
    if char in _ENTITIES:
        return _ENTITIES[char]
    if char in ("\r\n", "\r", "\n", "\t", "\v"):
        return _WHITESPACE
    return "\\" + char if char.isprintable() else ""


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that prints exactly those characters, on one line: no
    emphasis, link, heading, list, table cell, math or HTML can start inside it."""
    escaped = _MARKDOWN_PATTERN.sub(_replace_markdown, str(text))
    return _LINE_START.sub(lambda m: m[1] + ("\\" + m[2] if m[2] else m[3] + "\\" + m[4]),
                           escaped, count=1)


def markdown_paragraphs(text: str) -> list[str]:
    """``text`` split at blank lines into escaped one-line paragraphs (empty ones dropped)."""
    return [escape_markdown(p.strip()) for p in _BLANK_LINE.split(str(text)) if p.strip()]
