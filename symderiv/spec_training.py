"""The training keys of contract §5.5 in ``[problem.training]``: ``optimizer``,
``weight_decay``, and ``loss = "output"`` with ``output``. Read for
:meth:`symderiv.spec._SheetReader.training`; every error names its key path.
"""

import dataclasses

import sympy as sp

from symderiv.nets.optimizers import OPTIMIZERS
from symderiv.spec import Example, _listing, _suggest

# the settings that are averaging factors, in [0, 1) as torch.optim requires (eps: > 0)
_FACTORS = ("beta", "beta1", "beta2", "rho")


def read_optimizer(reader, t, rate):
    """``optimizer = "adam"`` or ``{ name = "adam", beta1 = 0.9, … }`` (default "sgd")."""
    raw = t.get("optimizer", default="sgd")
    path = t.at("optimizer")
    if isinstance(raw, dict):
        table = dict(raw)
        name = table.pop("name", None)
        if not isinstance(name, str):
            raise reader.error(path, 'expected a table with name = "sgd", "momentum", '
                               '"nesterov", "rmsprop" or "adam"')
    elif isinstance(raw, str):
        name, table = raw, {}
    else:
        raise reader.error(path, "expected an optimizer name or a table")
    if name not in OPTIMIZERS:
        raise reader.error(path, f"unknown optimizer '{name}'{_suggest(name, OPTIMIZERS)}; "
                           f"optimizers: {_listing(OPTIMIZERS)}")
    kind = OPTIMIZERS[name]
    known = [f.name for f in dataclasses.fields(kind) if f.name != "lr"]
    settings = {}
    for key, value in table.items():
        where = f"{path}.{key}"
        if key not in known:
            raise reader.error(where, f"unknown setting of {name}{_suggest(key, known)}; "
                               f"settings: {_listing(known) if known else 'none'}")
        settings[key] = _in_range(reader, reader.number(value, where), key, where)
    return kind(rate, **settings)


def _in_range(reader, value, key, where):
    if key in _FACTORS and not 0 <= value < 1:
        raise reader.error(where, f"must be at least 0 and below 1, got {value}")
    if key == "eps" and not value > 0:
        raise reader.error(where, f"must be positive, got {value}")
    return value


def read_weight_decay(reader, t):
    value = reader.number(t.get("weight_decay", default=0), t.at("weight_decay"))
    if value < 0:
        raise reader.error(t.at("weight_decay"), f"must be 0 or more, got {value}")
    return value


def read_output(reader, t, network) -> str | None:
    """The output neuron of ``loss = "output"`` (None for another loss)."""
    loss = t.value.get("loss")
    if loss != "output":
        if t.has("output"):
            raise reader.error(t.at("output"), 'is for loss = "output" only')
        return None
    name = t.get("output", "string", default=None)
    if name is None:
        raise reader.error(t.path, 'loss = "output" needs output = "<an output neuron>"')
    if name not in network.outputs:
        hint = (f"'{name}' is not in the output layer" if name in network.neurons
                else f"no neuron '{name}'{_suggest(name, network.neurons)}")
        raise reader.error(t.at("output"), f"{hint}; outputs: {_listing(network.outputs)}")
    return name


def selected(examples, network, output: str) -> tuple:
    """The examples with the selector targets of ``loss = "output"``: 1 at ``output``,
    0 at every other output neuron."""
    targets = {n: sp.Integer(1 if n == output else 0) for n in network.outputs}
    return tuple(Example(e.inputs, targets) for e in examples)
