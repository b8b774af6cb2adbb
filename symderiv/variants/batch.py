"""Solving a class's variants: draw, solve, reject, until N survive.

Candidates are drawn in order from one ``random.Random(seed)`` and judged in that order,
so which draws survive depends on the seed alone. Solving may run in worker processes
(when N is large): they only solve, in batches of candidates drawn ahead; the parent
judges the results in draw order and stops at the N-th survivor, discarding the rest of
the batch. One solve per distinct draw: a draw equal to an earlier rejected one gets the
same verdict without solving again.
"""

import multiprocessing
import os
import random
from concurrent.futures import ProcessPoolExecutor

from symderiv.records import dataclass
from symderiv.errors import InputError
from symderiv.problems import solve_sheet
from symderiv.spec import Sheet
from symderiv.variants.draw import Values, apply, distinct_draws, draw, varied
from symderiv.variants.outputs import Realised, realise
from symderiv.variants.rules import forward_rejection, reasons, rejection

MAX_VARIANTS = 2000
DRAWS_PER_VARIANT = 20       # give up after 20·N + 100 draws
PARALLEL_FROM = 50           # variants: from here on, solve in worker processes
MAX_WORKERS = 4


@dataclass(frozen=True)
class Variant:
    number: int            # from 1, in the order drawn
    values: Values
    outputs: Realised      # what the files hold of it (plain data)


@dataclass(frozen=True)
class ClassVariants:
    seed: int
    sheet: Sheet
    lang: str
    variants: tuple[Variant, ...]
    rejected: dict[str, int]     # every reason the varied kinds have, in REASONS' order
    draws: int


def make_variants(sheet: Sheet, count: int, seed: int, lang: str | None = None,
                  formats=("tex", "moodle"), templates=None, progress=None,
                  workers: int | None = None) -> ClassVariants:
    """``count`` variants of ``sheet`` drawn with ``seed``, each realised for ``formats``
    (:func:`symderiv.variants.outputs.realise`); ``progress(done, count)`` is called as
    variants survive. ``workers``: processes to solve in (default: one below
    PARALLEL_FROM variants, else up to MAX_WORKERS as the machine has cores)."""
    if not 1 <= count <= MAX_VARIANTS:
        raise InputError("-n", f"must be from 1 to {MAX_VARIANTS}, got {count}")
    if not varied(sheet):
        raise InputError(sheet.source, "no problem has a [problem.vary] table: nothing to "
                         "draw")
    possible = distinct_draws(sheet)
    if possible < count:
        raise InputError(sheet.source, f"the [problem.vary] ranges allow {possible} "
                         f"different variants; {count} were asked for")
    if workers is None:
        workers = 1 if count < PARALLEL_FROM else min(MAX_WORKERS, os.cpu_count() or 1)
    judge = _Judge(count, progress, reasons(varied(sheet)))
    task = _Task(sheet, lang or sheet.lang, frozenset(formats), templates)
    rng = random.Random(seed)
    limit = DRAWS_PER_VARIANT * count + 100
    with _Solver(task, workers) as solver:
        while len(judge.kept) < count and judge.draws < limit:
            wanted = count - len(judge.kept)
            batch = 1 if workers == 1 else min(limit - judge.draws, wanted + 2 * workers)
            candidates = [draw(sheet, rng) for _ in range(batch)]
            fresh = list({_key(v): v for v in candidates if _key(v) not in judge.verdicts
                          and _key(v) not in judge.kept_keys}.values())
            judge.take(candidates, dict(zip(map(_key, fresh), solver.solve(fresh))))
    if len(judge.kept) < count:
        raise InputError(sheet.source, f"only {len(judge.kept)} of {count} variants survived "
                         f"{judge.draws} draws (rejected: {_reasons(judge.rejected)}); widen "
                         "the [problem.vary] ranges")
    variants = tuple(Variant(i, v, s) for i, (v, s) in enumerate(judge.kept, start=1))
    return ClassVariants(seed, sheet, task.lang, variants, dict(judge.rejected), judge.draws)


def _key(values: Values) -> tuple:
    return tuple((pid, k, v) for pid, table in values.items() for k, v in table.items())


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in counts.items() if n) or "none"


class _Judge:
    """Takes candidates in draw order: keeps the fit ones until ``count`` are kept."""

    def __init__(self, count, progress, reasons):
        self.count, self.progress = count, progress
        self.kept: list[tuple[Values, Realised]] = []
        self.kept_keys: set[tuple] = set()
        self.verdicts: dict[tuple, str] = {}    # rejected draws -> why
        self.rejected = dict.fromkeys(reasons, 0)
        self.draws = 0

    def take(self, candidates: list[Values], solved: dict) -> None:
        for values in candidates:
            if len(self.kept) == self.count:
                return      # drawn ahead for a batch, not needed: as if never drawn
            self.draws += 1
            key = _key(values)
            if key in self.kept_keys:
                self.rejected["repeat"] += 1
                continue
            if key in self.verdicts:
                self.rejected[self.verdicts[key]] += 1
                continue
            outcome = solved[key]
            if isinstance(outcome, str):    # why it was rejected
                self.verdicts[key] = outcome
                self.rejected[outcome] += 1
                continue
            self.kept.append((values, outcome))
            self.kept_keys.add(key)
            if self.progress is not None:
                self.progress(len(self.kept), self.count)


# -- solving, here or in worker processes -----------------------------------------------------

@dataclass(frozen=True)
class _Task:
    sheet: Sheet
    lang: str
    formats: frozenset
    templates: object

    def attempt(self, values: Values) -> "str | Realised":
        """Why the draw is rejected, or what the files hold of it."""
        sheet = apply(self.sheet, values)
        drawn = {p.id for p in varied(self.sheet)}
        for p in sheet.problems:
            reason = forward_rejection(p) if p.id in drawn else None
            if reason is not None:
                return reason
        solution = solve_sheet(sheet, self.lang)
        for p in solution.problems:
            reason = rejection(p, solution.precision) if p.id in drawn else None
            if reason is not None:
                return reason
        return realise(solution, self.formats, self.templates)


_WORKER_TASK: _Task | None = None     # in a worker process


def _worker_start(task: _Task) -> None:
    global _WORKER_TASK
    _WORKER_TASK = task


def _worker_attempt(values: Values):
    return _WORKER_TASK.attempt(values)


class _Solver:
    def __init__(self, task: _Task, workers: int):
        self.task, self.workers = task, workers
        self.pool = None

    def __enter__(self):
        if self.workers > 1:
            # fork: the workers start with SymPy imported and the sheet read
            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                            initializer=_worker_start, initargs=(self.task,))
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def solve(self, candidates: list[Values]) -> list:
        if self.pool is None:
            return [self.task.attempt(v) for v in candidates]
        return list(self.pool.map(_worker_attempt, candidates,
                                  chunksize=max(1, len(candidates) // (4 * self.workers))))
