"""``symderiv check``: re-derive every equation chain of a worked solution.

extract (math and its line numbers) -> lexer, texmath (LaTeX into SymPy) -> judge (chains,
with scope: bindings and formulas, and intervals: printed numbers) -> report (text, JSON).
The entry point is :func:`symderiv.check.judge.check_text`.
"""
