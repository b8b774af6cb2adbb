"""What a class's files hold: each surviving variant realised as plain data (it crosses
from worker processes), then the files assembled from them in variant order.

Files (contract §5.7): ``<stem>-variants.json``, ``<stem>-answers.csv``,
``<stem>-moodle.xml``, ``<stem>-questions.tex`` and ``<stem>-keys.tex`` (and their PDFs).
"""

import csv
import io
import json

from symderiv.records import dataclass
from symderiv.calculus.latex import TeX
from symderiv.render.environment import (fill_fields, language_strings, make_environment,
                                         number_text, render_template)
from symderiv.render.latex_sheet import render_sheet
from symderiv.spec import in_language
from symderiv.variants import moodle
from symderiv.variants.rules import answers

VARIANT_TEMPLATE = "latex/variant.tex.j2"
DOCUMENT_TEMPLATE = "latex/variants.tex.j2"
CSV_COLUMNS = ("variant", "problem", "quantity", "label", "value", "shown")


@dataclass(frozen=True)
class Realised:
    """One variant, as its files need it."""

    problems: tuple[dict, ...]           # contract §3's objects
    answers: tuple[tuple, ...]           # (problem id, key, label TeX, float, as shown)
    questions: TeX | None                # its pages in the questions document
    key: TeX | None                      # its pages in the keys document
    moodle: tuple[tuple[str, str], ...]  # (problem id, question HTML)


def realise(solution, formats, templates=None) -> Realised:
    """``solution`` (a SheetSolution) as the ``formats`` asked need it. Its pages are made
    before its number is known (a later draw may still be rejected): they count
    themselves, with TeX's counter ``variant``."""
    precision = solution.precision
    rows, questions = [], []
    strings = language_strings(make_environment(precision, templates), solution.lang)
    for p in solution.problems:
        found = answers(p)
        rows += [(p.id, a.key, moodle.label_tex(a), a.number.value,
                  number_text(a.number, precision)) for a in found]
        if found and "moodle" in formats:
            questions.append((p.id, moodle.question_html(p, found, p.statement,
                                                         strings["variants"], precision)))
    pages = {}
    if formats & {"tex", "pdf"}:
        for name, only in (("questions", True), ("key", False)):
            pages[name] = TeX(render_sheet(solution, templates=templates, questions_only=only,
                                           entry=VARIANT_TEMPLATE, variant=TeX(r"\thevariant")))
    return Realised(tuple(p.to_json() for p in solution.problems), tuple(rows),
                    pages.get("questions"), pages.get("key"), tuple(questions))


# -- the files ---------------------------------------------------------------------------------

def variants_json(result) -> str:
    data = {"seed": result.seed,
            "sheet": {"title": _title(result), "lang": _lang(result),
                      "precision": result.sheet.precision},
            "variants": [{"variant": v.number, "values": _values_json(v.values),
                          "problems": list(v.outputs.problems)} for v in result.variants],
            "rejected": result.rejected,
            "draws": result.draws}
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _values_json(values: dict) -> dict:
    """Exact values: a number where the JSON number reads back exactly (0.35), else the
    exact form as a string a spec accepts ("1/3", "sqrt(2)/2")."""
    import sympy as sp

    out = {}
    for pid, table in values.items():
        out[pid] = {}
        for key, value in table.items():
            as_float = float(value)
            exact = value.is_Rational and sp.Rational(repr(as_float)) == value
            out[pid][key] = (int(value) if value.is_Integer else as_float) if exact else str(value)
    return out


def answers_csv(result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in result.variants:
        for pid, key, label, value, shown in v.outputs.answers:
            writer.writerow((v.number, pid, key, label, repr(value), shown))
    return buffer.getvalue()


def moodle_xml(result) -> str:
    strings = _strings(result)
    title = _title(result)
    questions = [(fill_fields(strings["moodle_name"], str, {"title": title, "n": v.number,
                                                            "id": pid}), html)
                 for v in result.variants for pid, html in v.outputs.moodle]
    return moodle.quiz_xml(f"$course$/top/symderiv/{result.sheet.name}", questions)


def document(result, which: str, templates=None) -> str:
    """The questions (``which = "questions"``) or keys (``"key"``) of every variant."""
    env = make_environment(result.sheet.precision, templates)
    pages = [getattr(v.outputs, which) for v in result.variants]
    return render_template(env, DOCUMENT_TEMPLATE, sheet={"title": _title(result)},
                           variants=pages, t=language_strings(env, _lang(result)),
                           lang=_lang(result), questions_only=which == "questions")


def _lang(result) -> str:
    return result.lang or result.sheet.lang


def _title(result) -> str:
    return in_language(result.sheet.title, _lang(result), result.sheet.lang)


def _strings(result) -> dict:
    env = make_environment(result.sheet.precision)
    return language_strings(env, _lang(result))["variants"]
