"""A Moodle XML quiz: one cloze question per variant and problem.

Each question's text (HTML, in CDATA) states the variant's givens (a backprop problem's
network and examples, a graph's computation and values) and asks every number
of :func:`symderiv.variants.rules.answers` as a NUMERICAL sub-question
``{1:NUMERICAL:=value:tolerance}``: the value at full double precision, the tolerance half
a unit of the sheet's last decimal, so every correctly rounded answer is accepted.
Mathematics is the printer's LaTeX between ``\\( \\)`` (Moodle's MathJax filter).
User text is HTML-escaped, and its braces become entities so that no statement can
open a sub-question of its own.
"""

from decimal import Decimal
from html import escape as html_escape
from xml.sax.saxutils import escape as xml_escape

import sympy as sp

from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import ExampleSymbol, format_given, latex
from symderiv.render.environment import fill_fields


def tolerance(precision: int) -> str:
    """Half a unit of the last decimal: 0.00005 at 4 places."""
    return _plain(Decimal(5).scaleb(-(precision + 1)))


def _plain(number: Decimal) -> str:
    return format(number, "f")


def numerical(value: float, precision: int) -> str:
    """A cloze NUMERICAL sub-question (decimal notation: no exponent for Moodle to read)."""
    return f"{{1:NUMERICAL:={_plain(Decimal(repr(value)))}:{tolerance(precision)}}}"


def _text(text: str) -> str:
    return html_escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _math(expr_tex) -> str:
    return f"\\({html_escape(str(expr_tex), quote=False)}\\)"


def _word(strings: dict, key: str, **fields) -> str:
    return _text(fill_fields(strings[key], str, fields))


def question_html(solution, answers, statement: str | None, strings: dict,
                  precision: int) -> str:
    """The text of one variant's problem: statement, givens, one blank per answer."""
    w = strings
    givens = _GIVENS[solution.kind](solution, w, precision)
    parts = [f"<p>{_text(para)}</p>" for para in (statement or "").split("\n\n") if para.strip()]
    parts.append(f"<p>{_word(w, 'moodle_given')}</p>")
    parts.append("<ul>" + "".join(f"<li>{g}</li>" for g in givens) + "</ul>")
    parts.append(f"<p>{_word(w, 'moodle_answer', places=precision)}</p>")
    rows = "".join(f"<tr><td>{_math(label_tex(a))}</td><td>{numerical(a.number.value, precision)}"
                   f"</td></tr>" for a in answers)
    parts.append(f"<table>{rows}</table>")
    return "\n".join(parts)


def _graph_givens(solution, w: dict, precision: int) -> list[str]:
    """The computation (each stage, in order) and the variables' values."""
    stages = ", ".join(_math(f"{latex(name)} = {latex(formula, order='none', keep_order=True)}")
                       for name, formula in solution.stages)
    return [_word(w, "moodle_computation") + ": " + stages,
            _word(w, "moodle_values") + ": " + _values(solution.values, precision)]


def _backprop_givens(solution, w: dict, precision: int) -> list[str]:
    """The parameters, activations, each example's inputs and targets, loss, learning rate."""
    net = solution.network
    givens = [
        _word(w, "moodle_parameters") + ": " + ", ".join(
            _math(f"{latex(symbol(n))} = {format_given(v, precision)}")
            for n, v in net.parameters().items()),
        _word(w, "moodle_activations") + ": " + ", ".join(
            _math(f"{', '.join(str(latex(symbol(n))) for n in layer.neurons)}: "
                  f"{layer.activation.latex_name}") for layer in net.layers),
    ]
    several = len(solution.examples) > 1
    for i, ex in enumerate(solution.examples, start=1):
        prefix = _word(w, "moodle_example", n=i) + ", " if several else ""
        givens.append(prefix + _word(w, "moodle_inputs") + ": " + _values(ex.inputs, precision))
        if ex.targets and solution.loss is not None:
            targets = {solution.target_symbols.get(n, symbol(n)): v for n, v in ex.targets.items()}
            givens.append(prefix + _word(w, "moodle_targets") + ": "
                          + _values(targets, precision))
    if solution.loss is not None:
        givens.append(_word(w, "moodle_loss") + ": "
                      + _math(f"{latex(solution.loss.lhs)} = "
                              f"{latex(solution.loss.symbolic, order='none')}"))
    if solution.learning_rate is not None:
        givens.append(_word(w, "moodle_learning_rate") + ": "
                      + _math(f"\\eta = {format_given(solution.learning_rate.exact, precision)}"))
    return givens


_GIVENS = {"backprop": _backprop_givens, "graph": _graph_givens}


def label_tex(answer) -> str:
    """How an answer is named: o_{1}, E, ∂E/∂w_5, w_5' (^{(n)} for example n of several)."""
    if answer.example is not None:
        return str(latex(ExampleSymbol(answer.lhs, answer.example)))
    return str(latex(answer.lhs))


def _values(values: dict, precision: int) -> str:
    return ", ".join(_math(f"{latex(k if isinstance(k, sp.Basic) else symbol(k))} = "
                           f"{format_given(v.exact, precision)}") for k, v in values.items())


def quiz_xml(category: str, questions: list[tuple[str, str]]) -> str:
    """The quiz file: ``questions`` are (name, HTML text) pairs, in order."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
           '  <question type="category">',
           f"    <category><text>{xml_escape(category)}</text></category>",
           "  </question>"]
    for name, html in questions:
        out += ['  <question type="cloze">',
                f"    <name><text>{xml_escape(name)}</text></name>",
                f'    <questiontext format="html"><text>{_cdata(html)}</text></questiontext>',
                '    <generalfeedback format="html"><text></text></generalfeedback>',
                "    <penalty>0.3333333</penalty>",
                "    <hidden>0</hidden>",
                "  </question>"]
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _cdata(text: str) -> str:
    # "]]>" would end the section: split it across two
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
