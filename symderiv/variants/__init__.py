"""Per-student variants of a sheet (contract §5.7): draw each student's givens from
``[problem.vary]``, solve, reject degenerate draws, and write the class's files.

spec (``[problem.vary]``) -> draw (values, the variant's sheet) -> rules (asked answers,
rejection) -> batch (solving N, in parallel when N is large) -> answers (JSON, CSV),
moodle (Moodle XML), latex (question sheets and keys).
"""
