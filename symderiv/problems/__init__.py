"""Problem kinds: one module per ``kind``, each with ``solve(problem) -> solution``.

A module turns its spec (:mod:`symderiv.spec`) into plain data (:mod:`symderiv.solution`);
it computes and never formats. Modules are imported when a sheet needs them.
"""

import dataclasses

from symderiv.kinds import KINDS
from symderiv.solution import SheetSolution
from symderiv.spec import in_language


def solve(problem):
    """The solution of one problem (a :class:`symderiv.spec.Problem`)."""
    return KINDS[problem.kind].solve()(problem)


def solve_sheet(sheet, lang: str | None = None) -> SheetSolution:
    """Every problem of ``sheet`` solved, with the title and statements in ``lang``
    (default: the sheet's)."""
    lang = lang or sheet.lang
    problems = tuple(solve(dataclasses.replace(p, statement=p.statement_in(lang, sheet.lang)))
                     for p in sheet.problems)
    title = in_language(sheet.title, lang, sheet.lang)
    return SheetSolution(title, lang, sheet.precision, problems, sheet.name)
