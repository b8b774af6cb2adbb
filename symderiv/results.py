"""What the library's calls return (contract §5.1): plain fields, ``to_json()`` (the
command's JSON), ``text()`` (what the command prints), and Jupyter display.

Each result shows itself as LaTeX (``_repr_latex_``) and, where it reads better in a
notebook, as Markdown with ``$…$`` math (``_repr_markdown_``; JupyterLab prefers it). A
solution's display is its worked steps from the sheet's own templates.

Imported on the first library call that returns one of these (it loads SymPy).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.activations import Derivation as DerivationData


# -- derive ----------------------------------------------------------------------------------

class Derivation(DerivationData):
    """f, f′ and f′ written in the output a = f(z) (None where none exists), each checked.

    Fields: ``name``, ``variable``, ``f``, ``df``, ``df_in_output``, ``output`` (the
    symbol a), ``checks`` (what, how it was checked) and ``verified`` (f′ matches mpmath
    finite differences). For ``softmax``, ``f`` is the vector of outputs and ``df`` its
    Jacobian.
    """

    @classmethod
    def of(cls, d: DerivationData) -> "Derivation":
        return d if isinstance(d, cls) else cls(*(getattr(d, f.name)
                                                   for f in dataclasses.fields(d)))

    def to_json(self) -> dict:
        """``symderiv derive --format json``'s object."""
        from symderiv.calculus.outputform import form_text

        return {"name": self.name, "variable": str(self.variable),
                "f": _plain(self.f), "df": _plain(self.df),
                "df_in_output": form_text(self.df_in_output), "output": str(self.output),
                "verified": self.verified,
                "checks": [{"what": what, "method": how} for what, how in self.checks]}

    def text(self) -> str:
        """The derivation for people (what ``symderiv derive`` prints)."""
        (_, how_df), (_, how_out) = self.checks
        if isinstance(self.f, sp.MatrixBase):  # a layer function (softmax): a_j and ∂a_j/∂z_k
            labels = ("a_j", "da_j/dz_k", "da_j/dz_k in a")
        else:
            v, a = self.variable, self.output
            labels = (f"f({v})", f"f'({v})", f"f' in {a} = f({v})")
        rows = [(labels[0], _human(self.f), None), (labels[1], _human(self.df), how_df)]
        if self.df_in_output is None:
            rows.append((labels[2], how_out, None))
        else:
            rows.append((labels[2], _human(self.df_in_output, order="none"), how_out))
        width = max(len(label) for label, _, _ in rows)
        indent = " " * (width + 5)
        lines = [self.name]
        for label, body, how in rows:
            lines.append(f"  {label.ljust(width)} = " + body.replace("\n", "\n" + indent))
            if how:
                lines.append(f"{indent}[{how}]")
        lines.append(f"  verified: {'yes' if self.verified else 'NO'}")
        return "\n".join(lines)

    def equations(self) -> list[str]:
        """f = …, f′ = … and (where there is one) f′ = … in the output, as LaTeX."""
        from symderiv.calculus.expr import symbol
        from symderiv.calculus.latex import latex

        if isinstance(self.f, sp.MatrixBase):  # softmax: a_j and ∂a_j/∂z_k
            f, df = symbol("a_j"), sp.Derivative(symbol("a_j"), symbol("z_k"))
            where = ""
        else:
            f = sp.Function("f")(self.variable)
            df = sp.Derivative(f, self.variable)
            where = rf", \quad {latex(self.output)} = {latex(f)}"
        lines = [f"{latex(f)} = {latex(self.f)}", f"{latex(df)} = {latex(self.df)}"]
        if self.df_in_output is not None:
            lines.append(f"{latex(df)} = {latex(self.df_in_output, order='none')}{where}")
        return lines

    def latex(self) -> str:
        """The equations, one a line, then how each was checked as TeX comments
        (``symderiv derive --format latex``)."""
        return "\n".join([*self.equations(), *(f"% {what}: {how}" for what, how in self.checks)])

    def _repr_latex_(self) -> str:
        rows = r" \\ ".join(self.equations())
        return rf"$\displaystyle \begin{{gathered}} {rows} \end{{gathered}}$"

    def _repr_markdown_(self) -> str:
        lines = [f"`{_cell(self.name)}`", ""]
        lines += [f"$${eq}$$" for eq in self.equations()]
        lines += [f"- {what}: {how}" for what, how in self.checks]  # symderiv's own words
        lines.append(f"- verified: {'yes' if self.verified else '**NO**'}")
        return "\n".join(lines)


# -- verify ----------------------------------------------------------------------------------

# How each proof of symderiv.calculus.verify reads in a sentence (JSON keeps the method's name).
_PROOF_WORDS = {
    "structural": "identical after rewriting",
    "expand": "proved by expanding",
    "cancel": "proved by cancelling",
    "polynomial identity (zero at deg + 1 points)":
        "proved as polynomials: the difference is 0 at more points than its degree",
    "cases": "proved case by case between the kinks",
    "rewrite(exp) + cancel": "proved by writing it in exponentials and cancelling",
    "rewrite(Abs) + simplify": "proved by writing max and min with |.| and simplifying",
    "simplify": "proved by simplifying",
}


@dataclass(frozen=True)
class Verification:
    """Whether ``lhs`` and ``rhs`` are identical: ``equal`` True (proved), False (with a
    ``counterexample``: ``{"point": {...}, "lhs", "rhs", "difference"}``, exact strings) or
    None (undecided within the time bound: never reported as equal); ``method`` says how."""

    equal: bool | None
    method: str
    counterexample: dict | None
    lhs: sp.Expr
    rhs: sp.Expr

    def to_json(self) -> dict:
        """``symderiv verify --format json``'s object."""
        return {"equal": self.equal, "method": self.method,
                "counterexample": self.counterexample}

    def text(self) -> str:
        """The verdict as a person reads it (what ``symderiv verify`` prints)."""
        if self.equal:
            return f"equal ({_PROOF_WORDS.get(self.method, f'proved by {self.method}')})"
        if self.equal is None:
            return self.method
        found = self.counterexample
        where = ", ".join(f"{name} = {value}" for name, value in found["point"].items())
        values = f"LHS = {found['lhs']}, RHS = {found['rhs']}, LHS - RHS = {found['difference']}"
        return f"NOT equal: at {where}, {values}" if where else f"NOT equal: {values}"

    def _relation(self) -> str:
        return {True: "=", False: r"\neq", None: r"\overset{?}{=}"}[self.equal]

    def _repr_latex_(self) -> str:
        from symderiv.calculus.latex import latex

        return (rf"$\displaystyle {latex(self.lhs)} {self._relation()} {latex(self.rhs)}"
                rf" \quad \text{{({_tex_text(self.text())})}}$")

    def _repr_markdown_(self) -> str:
        from symderiv.calculus.latex import latex

        return f"$${latex(self.lhs)} {self._relation()} {latex(self.rhs)}$$\n\n{self.text()}"


# -- check ------------------------------------------------------------------------------------

class CheckReport:
    """What ``check`` found: counts of chains (``checked``, ``wrong``, ``rounding``,
    ``skipped``) and ``items``, one per chain (``.line``, ``.text``, ``.status`` of ok,
    rounding, WRONG or skipped, ``.detail``: conditional, data differ, inherits line N or
    None, ``.expected``: the recomputed value)."""

    def __init__(self, report):
        self._report = report

    checked = property(lambda self: self._report.checked,
                       doc="Chains with at least one link judged.")
    wrong = property(lambda self: self._report.count("WRONG"), doc="Chains judged WRONG.")
    rounding = property(lambda self: self._report.count("rounding"),
                        doc="Chains whose worst slip is in the last printed digit.")
    skipped = property(lambda self: self._report.count("skipped"),
                       doc="Chains nothing of which could be read or evaluated.")
    items = property(lambda self: self._report.items, doc="Each chain, in document order.")
    exit_code = property(lambda self: self._report.exit_code,
                         doc="The command's exit status: 1 when something is WRONG, else 0.")

    def to_json(self) -> dict:
        """``symderiv check --format json``'s object."""
        return self._report.data()

    def text(self) -> str:
        """The report for people (what ``symderiv check`` prints)."""
        return self._report.text()

    def __repr__(self) -> str:
        return f"<CheckReport {self._report.summary()}>"

    def _repr_latex_(self) -> str:
        # The chains themselves are TeX: MathJax would typeset them, not show them (the
        # Markdown table has them as text).
        from symderiv.check.report import number

        rows = [r"\text{line} & \text{status} & \text{recomputed} \\ \hline"]
        for item in self.items:
            expected = "" if item.expected is None else _tex_text(number(item.expected))
            status = rf"\mathbf{{{item.status}}}" if item.status == "WRONG" else \
                rf"\text{{{item.status}}}"
            rows.append(rf"{item.line} & {status} & \text{{{expected}}} \\")
        summary = _tex_text(self._report.summary())
        return rf"$\begin{{array}}{{r|l|r}} {' '.join(rows)} \end{{array}} \quad \text{{{summary}}}$"

    def _repr_markdown_(self) -> str:
        from symderiv.check.report import number

        rows = ["| line | status | chain | recomputed |", "|---:|:---|:---|---:|"]
        for item in self.items:
            status = f"**{item.status}**" if item.status == "WRONG" else item.status
            expected = "" if item.expected is None else number(item.expected)
            rows.append(f"| {item.line} | {status} | `{_cell(item.text)}` | {_cell(expected)} |")
        return "\n".join([*rows, "", self._report.summary()])


# -- solve -------------------------------------------------------------------------------------

class Solution:
    """One solved problem. ``to_json()`` is its object of contract §3; every field of the
    kind's solution (``loss``, ``gradients``, ``examples``, …: :mod:`symderiv.solution`)
    reads through. It shows itself as its worked steps, from the sheet's own templates."""

    def __init__(self, solution, sheet):
        self._solution = solution   # symderiv.solution.<Kind>Solution: plain data
        self._sheet = sheet         # the SheetSolution it belongs to (title, lang, precision)

    @property
    def id(self) -> str:
        return self._solution.id

    @property
    def kind(self) -> str:
        return self._solution.kind

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._solution, name)

    def __dir__(self):
        return sorted({*super().__dir__(), *(f.name for f in dataclasses.fields(self._solution))})

    def __repr__(self) -> str:
        return f"<Solution of problem {self.id} ({self.kind})>"

    def to_json(self) -> dict:
        return self._solution.to_json()

    def alone(self):
        """A SheetSolution holding this problem only."""
        return dataclasses.replace(self._sheet, problems=(self._solution,))

    def _repr_latex_(self) -> str:
        from symderiv.render.latex_sheet import render_problems

        return render_problems(self.alone())

    def _repr_markdown_(self) -> str:
        from symderiv.render.markdown import render_problems

        return render_problems(self.alone())


class Solutions(list):
    """The solutions of one sheet, in problem order (a list), with the sheet's ``title``,
    ``lang``, ``precision`` and ``name``; ``to_json()`` is ``solve --format json``'s object."""

    def __init__(self, sheet):
        super().__init__(Solution(p, sheet) for p in sheet.problems)
        self.sheet = sheet

    name = property(lambda self: self.sheet.name)
    title = property(lambda self: self.sheet.title)
    lang = property(lambda self: self.sheet.lang)
    precision = property(lambda self: self.sheet.precision)

    def to_json(self) -> dict:
        return self.sheet.to_json()

    def _repr_latex_(self) -> str:
        from symderiv.render.latex_sheet import render_problems

        return render_problems(self.sheet)

    def _repr_markdown_(self) -> str:
        from symderiv.render.markdown import render_markdown

        return render_markdown(self.sheet)


# -- small helpers --------------------------------------------------------------------------------

@cache
def _human_printer_class():
    from sympy.printing.str import StrPrinter

    class HumanPrinter(StrPrinter):
        """SymPy's str form, with a piecewise function written as a teacher reads it."""

        def _print_Piecewise(self, expr):
            parts = [f"{self._print(e)} if {self._print(c)}" if c is not sp.true else
                     f"{self._print(e)} otherwise" for e, c in expr.args]
            return "{" + "; ".join(parts) + "}"

    return HumanPrinter


def _human(e, order: str | None = None) -> str:
    """Text for people, matrices row by row; ``order="none"`` keeps a product as the
    output form built it ((1 + a)*(1 - a), not (1 - a)*(a + 1))."""
    printer = _human_printer_class()({"order": order})
    if isinstance(e, sp.MatrixBase):
        return "\n".join("[" + ", ".join(printer.doprint(x) for x in e.row(i)) + "]"
                         for i in range(e.rows))
    return printer.doprint(e)


def _plain(e) -> str:
    """SymPy's str form (the contract's JSON), on one line."""
    return sp.sstr(e.tolist() if isinstance(e, sp.MatrixBase) else e)


def _tex_text(text: str) -> str:
    from symderiv.render.escape import escape_tex

    return escape_tex(text)


def _cell(text: str) -> str:
    """Text inside a Markdown table cell (in backticks): no pipes, no backticks, one line."""
    return " ".join(str(text).replace("|", "/").replace("`", "'").split())
