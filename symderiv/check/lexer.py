"""Tokens of LaTeX mathematics: numbers, letters, commands and single characters.

Spacing commands are dropped; Unicode operators and Greek letters become their LaTeX
commands (× is \\times, β is \\beta), so the parser sees one spelling of each.
"""

import re

from symderiv.records import dataclass


@dataclass
class Token:
    kind: str   # num, letter, cmd, char, other
    text: str
    start: int
    end: int


_UNICODE = {
    "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "−": "-", "–": "-", "≈": r"\approx",
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "∂": r"\partial", "π": r"\pi", "∞": r"\infty",
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "κ": r"\kappa", "λ": r"\lambda",
    "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau",
    "φ": r"\varphi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Σ": r"\Sigma",
    "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega", "′": "'",
}
_SKIPPED = {
    r"\,", r"\;", r"\:", r"\!", r"\ ", r"\displaystyle", r"\textstyle",
    r"\limits", r"\nolimits", r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr",
    r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\Biggl", r"\Biggr", r"\nonumber", r"\notag",
    r"\middle", r"\enspace", r"\thinspace", r"\mkern",
}
# 0.7401, 12, and the 1.5e-3 some hand-typed solutions use (not 2e^{x}: e needs digits).
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d{1,3}(?!\d))?")
# 101\,770 and 101{,}770: thousands set apart by a thin space or a braced comma.
_THOUSANDS = re.compile(r"\d{1,3}(?:(?:\\,|\{,\})\d{3})+(?![\d.])|\d{1,3}(?:(?:\\,|\{,\})\d{3})+\.\d+")
_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)", re.S)


def lex(text: str, base: int = 0) -> list[Token]:
    """Tokens of ``text`` (offsets shifted by ``base``). Spacing commands are dropped."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c == "~":
            i += 1
            continue
        if c == "%":  # a TeX comment runs to the end of the line
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "\\":
            m = _COMMAND.match(text, i)
            name = m.group(0)
            if name not in _SKIPPED:
                tokens.append(Token("cmd", name, base + i, base + m.end()))
            i = m.end()
            continue
        if c.isdigit():
            m = _THOUSANDS.match(text, i)
            if m is not None:
                digits = m.group(0).replace("\\,", "").replace("{,}", "")
                tokens.append(Token("num", digits, base + i, base + m.end()))
                i = m.end()
                continue
            m = _NUMBER.match(text, i)
            tokens.append(Token("num", m.group(0), base + i, base + m.end()))
            i = m.end()
            continue
        if c.isascii() and c.isalpha():
            tokens.append(Token("letter", c, base + i, base + i + 1))
        elif c in _UNICODE:
            mapped = _UNICODE[c]
            tokens.append(Token("cmd" if mapped.startswith("\\") else "char", mapped,
                                base + i, base + i + 1))
        elif c.isascii():
            tokens.append(Token("char", c, base + i, base + i + 1))
        else:
            tokens.append(Token("other", c, base + i, base + i + 1))
        i += 1
    return tokens
