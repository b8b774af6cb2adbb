"""LaTeX (an amsmath ``align*``) and presentation MathML (one ``<math>`` element holding an
``<mtable>``) from :class:`Formulas`: one row per named subexpression and per result."""

import sympy as sp
from xml.dom.minidom import Document

from symderiv.export.code import header_lines
from symderiv.export.formulas import Formulas
from symderiv.export.printers import LatexExportPrinter, MathMLExportPrinter

MATHML_NS = "http://www.w3.org/1998/Math/MathML"


def _rows(formulas: Formulas):
    """(left side, right side, note or None) for every line, in order."""
    for program in formulas.programs:
        for t, e in program.temporaries:
            yield t, e, None
        for r in program.results:
            note = None
            if r.name == "df_from_output":
                note = sp.Eq(formulas.output, sp.Function("f")(formulas.variable))
            yield r.label, r.value, note


def latex_document(formulas: Formulas, version: str) -> str:
    printer = LatexExportPrinter()
    head = [f"% {line}" for line in header_lines(formulas, "LaTeX (amsmath align*)", version)]
    lines = []
    for left, right, note in _rows(formulas):
        row = f"{printer.doprint(left)} &= {printer.doprint(right)}"
        if note is not None:
            row += rf", \quad {printer.doprint(note)}"
        lines.append(row)
    body = " \\\\\n".join(lines)
    return "\n".join(head) + "\n\\begin{align*}\n" + body + "\n\\end{align*}\n"


def mathml_document(formulas: Formulas, version: str) -> str:
    printer = MathMLExportPrinter()
    doc = Document()
    for line in header_lines(formulas, "presentation MathML", version):
        # "--" may not occur inside an XML comment
        doc.appendChild(doc.createComment(" " + line.replace("--", "- -") + " "))
    math = doc.createElementNS(MATHML_NS, "math")
    math.setAttribute("xmlns", MATHML_NS)
    math.setAttribute("display", "block")
    table = doc.createElement("mtable")
    for left, right, note in _rows(formulas):
        row = doc.createElement("mtr")
        cells = [printer.element(left), _operator(doc, "="), printer.element(right)]
        if note is not None:
            cells.append(printer.element(note))
        for content in cells:
            cell = doc.createElement("mtd")
            cell.appendChild(content)
            row.appendChild(cell)
        table.appendChild(row)
    math.appendChild(table)
    doc.appendChild(math)
    return "\n".join(node.toxml() for node in doc.childNodes) + "\n"


def _operator(doc: Document, text: str):
    mo = doc.createElement("mo")
    mo.appendChild(doc.createTextNode(text))
    return mo
