"""Drawing a variant's givens and writing them into the sheet.

Draws come from one ``random.Random(seed)`` in a fixed order (problems in the file's
order, each ``[problem.vary]`` in its keys' order, one ``randrange`` each), so the n-th
draw is the same on every machine and whatever was rejected before it.
"""

import dataclasses
import math
import random

from symderiv.spec import Example, Sheet
from symderiv.variants.spec import given_name

Values = dict[str, dict]   # problem id -> {key as in [problem.vary]: exact value}


def varied(sheet: Sheet) -> list:
    """The problems that draw something."""
    return [p for p in sheet.problems if p.vary]


def distinct_draws(sheet: Sheet) -> int:
    """How many different variants the ranges allow."""
    return math.prod(v.domain.count for p in varied(sheet) for v in p.vary)


def draw(sheet: Sheet, rng: random.Random) -> Values:
    return {p.id: {v.key: v.domain.value(rng.randrange(v.domain.count)) for v in p.vary}
            for p in varied(sheet)}


def apply(sheet: Sheet, values: Values) -> Sheet:
    """``sheet`` with the drawn values in place of the spec's."""
    problems = tuple(_apply(p, values[p.id]) if p.id in values else p
                     for p in sheet.problems)
    return dataclasses.replace(sheet, problems=problems)


def _apply(problem, values: dict):
    if problem.kind == "graph":
        drawn = {given_name(k): v for k, v in values.items()}
        return dataclasses.replace(problem, values={**problem.values, **drawn})
    parameters = {k: v for k, v in values.items() if "." not in k and k != "learning_rate"}
    changes = {"network": problem.network.with_parameters(parameters)}
    inputs = {k.partition(".")[2]: v for k, v in values.items() if k.startswith("inputs.")}
    targets = {k.partition(".")[2]: v for k, v in values.items() if k.startswith("targets.")}
    if inputs or targets:   # [problem.vary] names inputs and targets of one example only
        example = problem.examples[0]
        changes["examples"] = (Example({**example.inputs, **inputs},
                                       {**example.targets, **targets}),)
    if "learning_rate" in values:
        changes["training"] = dataclasses.replace(problem.training,
                                                  learning_rate=values["learning_rate"])
    return dataclasses.replace(problem, **changes)
