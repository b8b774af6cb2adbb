"""Problem specs: TOML (contract §1) to a validated :class:`Sheet`.

Every way a spec can be wrong is an :class:`InputError` whose ``where`` is the file name
and whose ``what`` starts with the key path, e.g.
``hw6.toml: problem[2].network.weights.w5: unknown neuron 'o3'``.

Positions in key paths count from 1, as a reader counts them: ``problem[2]`` is the
second ``[[problem]]`` of the file (whatever its ``id``), ``layers[1]`` the first layer,
``examples[3]`` the third example. Layers count from 1 in parameter names too (w1_2_3).

Seeded initialisation (``init = { seed, scale }`` on a dense layer) draws each value
uniformly from the grid {-scale, ..., -scale/10^4, 0, scale/10^4, ..., scale}
(``random.Random(seed).randint(-10^4, 10^4) * scale / 10^4``), so every value is an exact
decimal and the same seed gives the same network on every machine: W row by row (neuron j
of the layer, then neuron k of the layer before), then b.
"""

import dataclasses
import math
import numbers
import random
import re
import tomllib
from dataclasses import field
from pathlib import Path
from typing import ClassVar, Mapping

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.activations import resolve
from symderiv.errors import InputError
from symderiv.calculus.expr import exact_number, symbol
from symderiv.nets.graph import is_softmax
from symderiv.calculus.latex import latex
from symderiv.nets.losses import LOSSES
from symderiv.nets.network import Bias, Edge, Layer, Network
from symderiv.nets.notation import LEARNING_RATE, default_net_input, default_target

ACTIVATION_PARTS = ("tanh-vanishing", "dying-relu", "swish-gelu")
LANGS = ("zh", "en")
MAX_STEPS = 10_000
MIN_PRECISION = 2       # fewer places would print 0.05 as 0 and 0.1 − 0.1·0.04 as 0.1
MAX_PRECISION = 15
# Bounds that keep every value a sheet computes within double range and every solve
# within about a minute (the JSON holds doubles; 50-digit arithmetic costs ~20 µs per
# parameter and example for each pass through the network).
MAX_MAGNITUDE = 10**6          # |any number in a spec|
MAX_INIT_SCALE = 1000          # init = { scale }: random values in [-scale, scale]
MAX_ACTIVATION_PARAMETER = 100 # |β| of swish, |α| of leaky_relu / elu, …
MAX_PARAMETERS = 50_000        # weights and biases of one network
MAX_WORK = 400_000             # parameters × examples × (steps + 1)
INIT_GRID = 10_000  # seeded values are multiples of scale / INIT_GRID
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# -- what a spec becomes -------------------------------------------------------------------

def in_language(text: str | dict[str, str] | None, lang: str, fallback: str) -> str | None:
    """A text given once or per language: the one in ``lang``, else ``fallback``'s, else
    the first given."""
    if not isinstance(text, dict):
        return text
    for choice in (lang, fallback):
        if choice in text:
            return text[choice]
    return next(iter(text.values()))


@dataclass(frozen=True)
class Example:
    """One training example: a value per input, and a target per output neuron."""

    inputs: dict[str, sp.Expr]
    targets: dict[str, sp.Expr]


@dataclass(frozen=True)
class Training:
    loss: str                        # one of LOSSES
    loss_symbol: str                 # how the sheet writes the loss ("E", "e")
    learning_rate: sp.Expr
    gradients: tuple[str, ...]       # parameters whose gradients the sheet works out
    train: tuple[str, ...]           # parameters gradient descent updates
    steps: int
    optimizer: object = None         # symderiv.nets.optimizers.Optimizer (None: plain SGD)
    weight_decay: sp.Expr = sp.S.Zero
    output: str | None = None        # loss = "output": the output neuron that is the loss
    input_gradients: tuple[str, ...] = ()   # inputs among `gradients` (contract §5.5)


@dataclass(frozen=True)
class Problem:
    """What every problem has; ``position`` counts from 1 in the file.

    ``statement`` is one text, or one per language ({"zh": …, "en": …}; an extension of
    contract §1 so that one spec serves both languages).
    """

    position: int
    id: str
    statement: str | dict[str, str] | None
    source: str = ""                    # the spec's file name, for errors found solving it
    vary: tuple = ()                    # [problem.vary]: symderiv.variants.spec.Vary entries
    kind: ClassVar[str] = ""

    def statement_in(self, lang: str, fallback: str) -> str | None:
        return in_language(self.statement, lang, fallback)


@dataclass(frozen=True)
class NotationSpec:
    """How the sheet writes net inputs and targets (default z_{h1}, y_{o1}); the seed
    writes z1, z2 and y1, y2: ``[problem.notation]`` with ``net_inputs = { o1 = "z1" }``
    and ``targets = { o1 = "y1" }`` (an extension of contract §1)."""

    net_inputs: dict[str, str] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BackpropProblem(Problem):
    network: Network = None
    examples: tuple[Example, ...] = ()
    training: Training | None = None    # None: the forward pass only
    notation: NotationSpec = field(default_factory=NotationSpec)
    kind: ClassVar[str] = "backprop"


@dataclass(frozen=True)
class XorProblem(Problem):
    network: Network | None = None      # None: design mode
    hidden: int = 2                     # design mode: hidden neurons
    activation: object = None           # design mode: BoundActivation (ReLU)
    prove_linear_impossible: bool = False
    kind: ClassVar[str] = "xor"


@dataclass(frozen=True)
class ActivationsProblem(Problem):
    parts: tuple[str, ...] = ACTIVATION_PARTS
    range: tuple[sp.Expr, sp.Expr] = (sp.Integer(-4), sp.Integer(4))
    beta: sp.Expr | None = None         # None: a symbolic β
    functions: tuple = ()               # FunctionSpec each (symderiv.problems.activation_tasks)
    tasks: tuple[str, ...] = ()
    kind: ClassVar[str] = "activations"


@dataclass(frozen=True)
class Sheet:
    name: str                           # the file's stem: output files are <name>.<ext>
    source: str                         # the file name errors are reported against
    title: str | dict[str, str]         # one text, or one per language (like statements)
    lang: str
    precision: int
    problems: tuple[Problem, ...] = field(default_factory=tuple)


# -- entry points ----------------------------------------------------------------------------

def load_sheet(path) -> Sheet:
    """Read and validate the spec at ``path``."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a spec file") from None
    except UnicodeDecodeError as e:
        raise InputError(path.name, f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise InputError(str(path), e.strerror or "cannot be read") from None
    return load_sheet_text(text, path.name)


def load_sheet_text(text: str, name: str) -> Sheet:
    """Read and validate spec ``text``; ``name`` is its file name (errors name it; the stem
    names the output files)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(name, f"bad TOML: {_toml_message(e)}") from None
    return _SheetReader(name).sheet(data)


def load_sheet_data(data, name: str = "sheet") -> Sheet:
    """Read and validate a spec given as Python data in the TOML's shape (``{"sheet": {…},
    "problem": [{…}, …]}``); ``name`` stands for the file name in errors and outputs.

    Beside TOML's types, a tuple is an array, any integer or real (NumPy's too) a number,
    and a number or formula may be a SymPy object, bounded like parsed text.
    """
    return _SheetReader(name).sheet(_plain(data, name, "", 0))


MAX_DATA_DEPTH = 20       # tables and arrays nested in a spec given as Python data


def _plain(value, name: str, path: str, depth: int):
    """Python data as the TOML reader would give it: dicts, lists, str, int, float, bool;
    SymPy objects stay for :meth:`_SheetReader.number` and the activation reader."""
    if depth > MAX_DATA_DEPTH:
        raise InputError(name, f"{path or 'the spec'}: nested more than {MAX_DATA_DEPTH} deep")
    if isinstance(value, sp.Integer):
        return int(value)   # a count too (precision, steps, seed), not only a number
    if isinstance(value, (str, bool, int, float, sp.Basic)):
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(name, f"{path or 'the spec'}: key {key!r} is not a string")
            out[key] = _plain(item, name, f"{path}.{key}" if path else key, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, name, f"{path}[{i}]", depth + 1)
                for i, item in enumerate(value, start=1)]
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value   # the reader names it in its error: "expected a number, got …"


def _toml_message(e: tomllib.TOMLDecodeError) -> str:
    # tomllib says "Invalid value (at line 3, column 7)": lead with the place.
    m = re.match(r"^(.*) \(at line (\d+), column (\d+)\)$", str(e))
    if m:
        what, line, col = m.groups()
        return f"line {line}, column {col}: {what[:1].lower() + what[1:]}"
    return str(e)


# -- reading tables with exact locations --------------------------------------------------

_REQUIRED = object()
_TYPES = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "table": (dict,),
    "array": (list,),
}


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    for name, types in (("integer", (int,)), ("number", (float,)), ("string", (str,)),
                        ("table", (dict,)), ("array", (list,))):
        if isinstance(value, types):
            return name
    return type(value).__name__  # dates and times


def _is(value, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    return isinstance(value, _TYPES[kind])


def _suggest(word: str, options) -> str:
    import difflib   # only for a spec with a mistake

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _listing(options, most: int | None = None) -> str:
    """The valid choices, as an error message lists them (the first ``most``, then how
    many more)."""
    options = list(options)
    if most is None or len(options) <= most:
        return ", ".join(options)
    return ", ".join(options[:most]) + f", … ({len(options) - most} more)"


class _Table:
    """A TOML table being read: keys are taken one by one; :meth:`done` rejects the rest."""

    def __init__(self, reader: "_SheetReader", value, path: str):
        if not isinstance(value, dict):
            raise reader.error(path, f"expected a table, got {_type_name(value)}")
        self.reader, self.value, self.path = reader, value, path
        self.allowed: list[str] = []

    def at(self, key) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def has(self, key: str) -> bool:
        self.allowed.append(key)
        return key in self.value

    def get(self, key: str, kind: str | None = None, default=_REQUIRED):
        """The value at ``key`` (of TOML type ``kind`` when given), or ``default``."""
        self.allowed.append(key)
        if key not in self.value:
            if default is _REQUIRED:
                raise self.reader.error(self.path or key, f"missing key '{key}'{self._near(key)}"
                                        if self.path else "missing")
            return default
        value = self.value[key]
        if kind is not None and not _is(value, kind):
            raise self.reader.error(self.at(key), f"expected {_article(kind)}, got {_type_name(value)}")
        return value

    def _near(self, key: str) -> str:
        """A hint when a key present here looks like a misspelling of the missing ``key``."""
        import difflib   # only for a spec with a mistake

        others = [k for k in self.value if k not in self.allowed]
        close = difflib.get_close_matches(key, others, n=1, cutoff=0.6)
        return f" ('{close[0]}' is given: a misspelling?)" if close else ""

    def table(self, key: str, default=_REQUIRED) -> "_Table | None":
        value = self.get(key, "table", default)
        return None if value is None else _Table(self.reader, value, self.at(key))

    def done(self) -> None:
        for key in self.value:
            if key not in self.allowed:
                known = sorted(set(self.allowed))
                raise self.reader.error(self.at(key), f"unknown key{_suggest(key, known)}; "
                                        f"known here: {_listing(known)}")


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


class _SheetReader:
    """Turns parsed TOML into a Sheet; every error names ``source`` and the key path."""

    def __init__(self, source: str):
        self.source = source

    def error(self, path: str, what: str) -> InputError:
        return InputError(self.source, f"{path}: {what}" if path else what)

    def relocate(self, e: InputError, path: str) -> InputError:
        """An error from a library function (activation, formula) placed at ``path``."""
        if e.where == path or e.where.startswith((f"{path}.", f"{path}[")):
            return self.error(e.where, e.what)
        return self.error(path, f"{e.where}: {e.what}" if e.where else e.what)

    # -- numbers ---------------------------------------------------------------------------
    def number(self, value, path: str) -> sp.Expr:
        """An exact, finite, real SymPy number from a TOML int, float or string (or, from
        Python code, a SymPy number: :func:`symderiv.calculus.expr.from_sympy` bounds it)."""
        if isinstance(value, bool) or not isinstance(value, (int, float, str, sp.Basic)):
            raise self.error(path, f"expected a number, got {_type_name(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(path, f"expected a finite number, got {value}")
        try:
            result = exact_number(value, path)
        except InputError as e:
            raise self.relocate(e, path) from None
        if not (result.is_number and result.is_extended_real is True and result.is_finite):
            raise self.error(path, f"expected a finite real number, got {value!r}")
        return self.at_most(result, MAX_MAGNITUDE, path, value)

    def at_most(self, number: sp.Expr, bound, path: str, written=None) -> sp.Expr:
        """``number`` if |number| <= bound, else an error at ``path``."""
        if abs(number) > bound:
            shown = repr(written) if written is not None else str(sp.N(number, 6))
            raise self.error(path, f"{shown} is too large: at most {bound:,} in size "
                             "(larger values leave the range a sheet can compute in)")
        return number

    def integer(self, table: _Table, key: str, low: int, high: int, default=_REQUIRED) -> int:
        value = table.get(key, "integer", default)
        if key in table.value and not low <= value <= high:
            raise self.error(table.at(key), f"must be from {low} to {high}, got {value}")
        return value

    def name(self, value, path: str, what: str = "a name") -> str:
        if not isinstance(value, str):
            raise self.error(path, f"expected {what} (a string), got {_type_name(value)}")
        if not _NAME.match(value):
            raise self.error(path, f"'{value}' is not a valid name (a letter, then letters, "
                             "digits or _)")
        return value

    def activation(self, value, path: str):
        if not isinstance(value, (str, dict, sp.Expr, sp.Lambda)):
            raise self.error(path, f"expected an activation name, table or formula, got "
                             f"{_type_name(value)}")
        try:
            activation = resolve(value, path)
        except InputError as e:
            raise self.relocate(e, path) from None
        for key, number in activation.params.items():
            where = f"{path}.{key}" if isinstance(value, dict) and key in value else path
            if getattr(number, "is_number", False):
                self.at_most(number, MAX_ACTIVATION_PARAMETER, where)
            elif where != path:   # a SymPy symbol from Python code: a sheet computes numbers
                raise self.error(where, f"expected a number, got {number}")
        return activation

    # -- the sheet -------------------------------------------------------------------------
    def sheet(self, data: dict) -> Sheet:
        top = _Table(self, data, "")
        head = top.table("sheet", default={})
        stem = Path(self.source).stem
        title = self.texts(head, "title", stem)
        lang = head.get("lang", "string", "en")
        if lang not in LANGS:
            raise self.error(head.at("lang"), f"unknown language '{lang}'; use one of "
                             f"{_listing(LANGS)}")
        precision = self.integer(head, "precision", MIN_PRECISION, MAX_PRECISION, 4)
        head.done()
        raw = top.get("problem", "array", [])
        top.done()
        if not raw:
            raise self.error("problem", "no [[problem]] in the spec")
        problems = tuple(self.problem(p, i) for i, p in enumerate(raw, start=1))
        seen: dict[str, int] = {}
        for p in problems:
            if p.id in seen:
                raise self.error(f"problem[{p.position}].id", f"id '{p.id}' is already used "
                                 f"by problem[{seen[p.id]}]")
            seen[p.id] = p.position
        return Sheet(stem, self.source, title, lang, precision, problems)

    def problem(self, raw, position: int) -> Problem:
        t = _Table(self, raw, f"problem[{position}]")
        pid = t.get("id", default=str(position))
        if isinstance(pid, bool) or not isinstance(pid, (str, int)) or str(pid).strip() == "":
            raise self.error(t.at("id"), f"expected a non-empty string, got {_type_name(pid)}")
        pid = str(pid)
        kind = t.get("kind", "string")
        statement = self.texts(t, "statement")
        from symderiv.kinds import KINDS
        if kind not in KINDS:
            raise self.error(t.at("kind"), f"unknown kind '{kind}'{_suggest(kind, KINDS)}; "
                             f"kinds: {_listing(KINDS)}")
        problem = KINDS[kind].read()(self, t, position, pid, statement)
        if t.has("vary"):   # the variants' reader is loaded only for a spec that varies
            from symderiv.variants.spec import read_vary
            problem = read_vary(self, t, problem)
        t.done()
        return dataclasses.replace(problem, source=self.source)

    def texts(self, t: _Table, key: str, default=None) -> str | dict[str, str] | None:
        """A text, or one per language: ``{ zh = "…", en = "…" }``."""
        raw = t.get(key, default=default)
        if raw is None or isinstance(raw, str):
            return raw
        if not isinstance(raw, dict) or not raw:
            raise self.error(t.at(key), f"expected a string or a table of languages "
                             f"(zh, en), got {_type_name(raw) if raw != {} else 'an empty table'}")
        for lang, text in raw.items():
            if lang not in LANGS:
                raise self.error(f"{t.at(key)}.{lang}", f"unknown language"
                                 f"{_suggest(lang, LANGS)}; languages: {_listing(LANGS)}")
            if not isinstance(text, str):
                raise self.error(f"{t.at(key)}.{lang}", f"expected a string, got "
                                 f"{_type_name(text)}")
        return dict(raw)

    # -- kind = "backprop" -----------------------------------------------------------------
    def backprop(self, t: _Table, position, pid, statement) -> BackpropProblem:
        network, paths = self.network(t.table("network"))
        training_table = t.table("training", default=None)
        loss = None
        if training_table is not None:
            loss = training_table.get("loss", "string")
            if loss not in LOSSES:
                raise self.error(training_table.at("loss"), f"unknown loss '{loss}'"
                                 f"{_suggest(loss, LOSSES)}; losses: {_listing(LOSSES)}")
        self.check_output_activation(network, t.at("network"), loss)
        data = t.table("data", default=None)
        if data is None:
            if training_table is not None:
                raise self.error(t.path, "missing key 'data' (the inputs and targets to train on)")
            raise self.error(t.path, "missing key 'data' (the inputs to evaluate)")
        from symderiv.spec_training import read_output, selected
        output = None if training_table is None else read_output(self, training_table, network)
        examples = self.examples(data, network, None if output else loss)
        if output:
            examples = selected(examples, network, output)
        training = None
        if training_table is not None:
            training = self.training(training_table, network, loss)
        notation = self.notation(t.table("notation", default=None), network, training)
        self.check_printed_names(network, paths, t.path, training, len(examples), notation)
        self.check_work(network, t.path, len(examples), training)
        return BackpropProblem(position, pid, statement, network=network, examples=examples,
                               training=training, notation=notation)

    def check_work(self, network: Network, path: str, examples: int, training) -> None:
        """At most MAX_PARAMETERS, and MAX_WORK parameter updates over all steps."""
        count = len(network.parameters())
        if count > MAX_PARAMETERS:
            raise self.error(f"{path}.network", f"{count:,} parameters; at most "
                             f"{MAX_PARAMETERS:,} are supported")
        steps = training.steps if training is not None else 0
        work = count * examples * (steps + 1)
        if work > MAX_WORK:
            where = f"{path}.training.steps" if steps > 1 else f"{path}.data"
            raise self.error(where, f"{count:,} parameters × {examples:,} examples × "
                             f"{steps + 1:,} passes is {work:,} parameter updates; at most "
                             f"{MAX_WORK:,} are supported (use fewer steps, examples or "
                             "parameters)")

    def notation(self, t: _Table | None, network: Network, training) -> NotationSpec:
        if t is None:
            return NotationSpec()
        taken = {*network.inputs, *network.neurons, *network.parameters()}
        if training is not None:
            taken.add(training.loss_symbol)
        chosen: dict[str, str] = {}
        maps = []
        for key, names, what in (("net_inputs", network.neurons, "neuron"),
                                 ("targets", network.outputs, "output neuron")):
            raw = t.get(key, "table", {})
            mapping = {}
            for neuron, written in raw.items():
                path = f"{t.at(key)}.{neuron}"
                if neuron not in names:
                    raise self.error(path, f"unknown {what} '{neuron}'{_suggest(neuron, names)}")
                written = self.name(written, path, "a symbol name")
                if written in taken or written in chosen:
                    raise self.error(path, f"'{written}' already names something else")
                chosen[written] = path
                mapping[neuron] = written
            maps.append(mapping)
        t.done()
        return NotationSpec(*maps)

    def examples(self, data: _Table, network: Network, loss: str | None):
        """The examples; with a loss (a training table) every one needs targets."""
        if data.has("examples"):
            if data.has("inputs") or data.has("targets"):
                raise self.error(data.path, "give either 'examples' or 'inputs'/'targets', "
                                 "not both")
            raw = data.get("examples", "array")
            if not raw:
                raise self.error(data.at("examples"), "no examples")
            tables = [_Table(self, e, f"{data.at('examples')}[{i}]")
                      for i, e in enumerate(raw, start=1)]
        else:
            tables = [data]
        examples = []
        for table in tables:
            inputs = self.values(table, "inputs", network.inputs, "input")
            targets = {}
            if loss is not None or table.has("targets"):
                targets = self.values(table, "targets", network.outputs, "output neuron",
                                      others=network.neurons)
                self.check_targets(targets, table.at("targets"), loss)
            table.done()
            examples.append(Example(inputs, targets))
        data.done()
        return tuple(examples)

    def values(self, table: _Table, key: str, names, what: str, others=()) -> dict:
        """A number for each of ``names``: a table keyed by name, or an array in order."""
        raw = table.get(key)
        path = table.at(key)
        if isinstance(raw, list):
            if len(raw) != len(names):
                raise self.error(path, f"expected {len(names)} values ({_listing(names)}), "
                                 f"got {len(raw)}")
            return {n: self.number(v, f"{path}[{i}]")
                    for i, (n, v) in enumerate(zip(names, raw), start=1)}
        if not isinstance(raw, dict):
            raise self.error(path, f"expected a table (or an array), got {_type_name(raw)}")
        for k in raw:
            if k not in names:
                if k in others:
                    raise self.error(f"{path}.{k}", f"'{k}' is not an {what}; "
                                     f"{what}s: {_listing(names)}")
                raise self.error(f"{path}.{k}", f"unknown {what} '{k}'{_suggest(k, names)}; "
                                 f"{what}s: {_listing(names)}")
        for n in names:
            if n not in raw:
                raise self.error(path, f"missing {what} '{n}'")
        return {n: self.number(raw[n], f"{path}.{n}") for n in names}

    def training(self, t: _Table, network: Network, loss: str) -> Training:
        names = network.parameters()
        loss_symbol = self.name(t.get("loss_symbol", default="E"), t.at("loss_symbol"))
        if loss_symbol in (*names, *network.inputs, *network.neurons):
            raise self.error(t.at("loss_symbol"), f"'{loss_symbol}' is already the name of a "
                             "neuron or parameter")
        rate = self.number(t.get("learning_rate"), t.at("learning_rate"))
        if not rate > 0:
            raise self.error(t.at("learning_rate"), f"must be positive, got {rate}")
        from symderiv.spec_training import read_optimizer, read_output, read_weight_decay
        asked = self.parameter_list(t, "gradients", [*names, *network.inputs], "all")
        gradients = tuple(p for p in asked if p in names)
        if t.value.get("gradients", "all") == "all":
            asked = gradients   # "all" means the parameters, as it always has
        train = self.parameter_list(t, "train", names, "all")
        steps = self.integer(t, "steps", 1, MAX_STEPS, 1)
        optimizer = read_optimizer(self, t, rate)
        decay = read_weight_decay(self, t)
        output = read_output(self, t, network)
        t.done()
        return Training(loss, loss_symbol, rate, gradients, train, steps, optimizer, decay,
                        output, tuple(p for p in asked if p in network.inputs))

    def parameter_list(self, t: _Table, key: str, names, default) -> tuple[str, ...]:
        raw = t.get(key, default=default)
        path = t.at(key)
        if raw == "all":
            return tuple(names)
        if not isinstance(raw, list):
            raise self.error(path, f'expected "all" or an array of parameter names, got '
                             f"{_type_name(raw)}")
        return self.names_from(raw, path, names, "parameter", 12)

    def names_from(self, raw: list, path: str, known, noun: str, shown=None) -> tuple[str, ...]:
        """The names of ``raw``, each a string among ``known`` and listed once; an error
        names the entry and lists what is valid (``parameters: w1, w2, …``)."""
        chosen = []
        for i, n in enumerate(raw, start=1):
            if not isinstance(n, str):
                raise self.error(f"{path}[{i}]", f"expected a {noun} name, got {_type_name(n)}")
            if n not in known:
                raise self.error(f"{path}[{i}]", f"unknown {noun} '{n}'{_suggest(n, known)}; "
                                                 f"{noun}s: {_listing(known, shown)}")
            if n in chosen:
                raise self.error(f"{path}[{i}]", f"'{n}' is listed twice")
            chosen.append(n)
        return tuple(chosen)

    def check_output_activation(self, network: Network, path: str, loss: str | None) -> None:
        """softmax only on the output layer, and only with ce; bce needs sigmoid outputs.
        (ce after any other output layer reads the outputs as logits, as PyTorch does.)"""
        last = len(network.layers)
        for index, layer in enumerate(network.layers, start=1):
            if is_softmax(layer):
                where = f"{path}.layers[{index}].activation"
                if index != last:
                    raise self.error(where, "softmax is for the output layer only")
                if loss != "ce":
                    raise self.error(where, "a softmax output layer needs loss = \"ce\"")
        if loss == "bce" and getattr(network.layers[-1].activation, "name", None) != "sigmoid":
            raise self.error(f"{path}.layers[{last}].activation",
                             'loss "bce" needs activation = "sigmoid" on the output layer')

    def check_targets(self, targets: dict, path: str, loss: str | None) -> None:
        """bce and ce compare probabilities: targets in [0, 1]."""
        if loss not in ("bce", "ce"):
            return
        for n, y in targets.items():
            if not 0 <= y <= 1:
                raise self.error(f"{path}.{n}", f'loss "{loss}" needs targets in [0, 1], '
                                 f"got {y}")

    # -- kind = "xor" ------------------------------------------------------------------------
    def xor(self, t: _Table, position, pid, statement) -> XorProblem:
        prove = t.get("prove_linear_impossible", "boolean", False)
        if t.has("network"):
            for key in ("hidden", "activation"):
                if key in t.value:
                    raise self.error(t.at(key), "applies only when no network is given "
                                     "(design mode)")
            path = t.at("network")
            network, paths = self.network(t.table("network"))
            self.check_printed_names(network, paths, t.path)
            self.check_work(network, t.path, 4, None)
            if len(network.inputs) != 2:
                raise self.error(f"{path}.inputs", f"an XOR network has 2 inputs, got "
                                 f"{len(network.inputs)}")
            if len(network.outputs) != 1:
                raise self.error(f"{path}.layers[{len(network.layers)}]",
                                 f"an XOR network has 1 output neuron, got {len(network.outputs)}")
            self.check_output_activation(network, path, None)
            return XorProblem(position, pid, statement, network=network,
                              prove_linear_impossible=prove)
        hidden = self.integer(t, "hidden", 1, 1000, 2)
        if hidden == 1:
            raise self.error(t.at("hidden"), "one ReLU neuron cannot solve XOR (its output is "
                             "monotone along every line); use hidden = 2 or more")
        activation = self.activation(t.get("activation", default="relu"), t.at("activation"))
        if activation.name != "relu":
            raise self.error(t.at("activation"), f"design mode builds ReLU networks; got "
                             f"'{activation.name}'")
        return XorProblem(position, pid, statement, hidden=hidden, activation=activation,
                          prove_linear_impossible=prove)

    # -- kind = "activations" (problem 5; solved by symderiv.problems.activations) -----------
    def activations(self, t: _Table, position, pid, statement,
                    parts_optional: bool = False) -> ActivationsProblem:
        """The seed's parts (all three by default; none by default when ``functions``
        are given, ``parts_optional``), range and beta."""
        raw = t.get("parts", "array", [] if parts_optional else list(ACTIVATION_PARTS))
        parts = []
        for i, part in enumerate(raw, start=1):
            where = f"{t.at('parts')}[{i}]"
            if part not in ACTIVATION_PARTS:
                shown = part if isinstance(part, str) else _type_name(part)
                raise self.error(where, f"unknown part '{shown}'"
                                 f"{_suggest(str(part), ACTIVATION_PARTS)}; parts: "
                                 f"{_listing(ACTIVATION_PARTS)}")
            if part in parts:
                raise self.error(where, f"'{part}' is listed twice")
            parts.append(part)
        if not parts and not parts_optional:
            raise self.error(t.at("parts"), "no parts")
        span = t.get("range", "array", None)
        bounds = ActivationsProblem.range
        if span is not None:
            if len(span) != 2:
                raise self.error(t.at("range"), f"expected [low, high], got {len(span)} values")
            bounds = tuple(self.number(v, f"{t.at('range')}[{i}]")
                           for i, v in enumerate(span, start=1))
            if not bounds[0] < bounds[1]:
                raise self.error(t.at("range"), "low must be below high")
        beta = t.get("beta", default=None)
        if beta is not None:
            beta = self.number(beta, t.at("beta"))
            if not beta > 0:
                raise self.error(t.at("beta"), f"must be positive, got {beta}")
            self.at_most(beta, MAX_ACTIVATION_PARAMETER, t.at("beta"))
        return ActivationsProblem(position, pid, statement, parts=tuple(parts), range=bounds,
                                  beta=beta)

    # -- networks ----------------------------------------------------------------------------
    def network(self, t: _Table) -> tuple[Network, dict[str, str]]:
        """The network, and the key path where each of its names is given."""
        reader = _NetworkReader(self, t)
        return reader.build(), reader.paths

    def check_printed_names(self, network: Network, paths: dict[str, str], problem_path: str,
                            training: "Training | None" = None, examples: int = 1,
                            notation: NotationSpec | None = None) -> None:
        """No two things a sheet prints may look alike: a weight ``eta`` beside the learning
        rate η, a bias ``z_o`` beside the net input z_o of neuron ``o``, ``w_1`` beside
        ``w1``. The names symderiv makes come first, so an error names the spec's."""
        names = _PrintedNames(self)
        reserved = [("sigma", "σ, the sigmoid"), ("Phi", "Φ, the normal distribution"),
                    ("phi", "φ, the normal density"), ("varphi", "φ, the normal density")]
        if training is not None:
            reserved += [(LEARNING_RATE, "η, the learning rate"),
                         ("delta", "δ, the backward pass")]
        for name, what in reserved:
            names.add(name, what, problem_path)
        notation = notation or NotationSpec()
        if training is not None:
            names.add(training.loss_symbol, "the loss", f"{problem_path}.training.loss_symbol")
            if examples > 1:
                for i in range(1, examples + 1):
                    names.add(f"{training.loss_symbol}_{i}", f"the loss of example {i}",
                              f"{problem_path}.training.loss_symbol")
        for n in network.neurons:
            if n not in notation.net_inputs:
                names.add(default_net_input(n), f"the net input of {n}", paths[n])
        if training is not None:
            for n in network.outputs:
                if n not in notation.targets:
                    names.add(default_target(n), f"the target of {n}", paths[n])
        for key, chosen in (("net_inputs", notation.net_inputs), ("targets", notation.targets)):
            for n, written in chosen.items():
                names.add(written, f"the {key[:-1].replace('_', ' ')} of {n}",
                          f"{problem_path}.notation.{key}.{n}")
        kinds = {n: "the input" for n in network.inputs}
        kinds.update({n: "the neuron" for n in network.neurons})
        kinds.update({n: "the weight" for n in network.weights})
        kinds.update({n: "the bias" for n in network.biases})
        for n, what in kinds.items():
            names.add(n, f"{what} {n}", paths[n])


class _PrintedNames:
    """The names a sheet prints, by how they print (w1 and w_1 both print as w_{1})."""

    def __init__(self, reader: _SheetReader):
        self.r = reader
        self.seen: dict[str, str] = {}   # printed TeX -> what it stands for

    def add(self, name: str, what: str, path: str) -> None:
        tex = str(latex(symbol(name)))
        if tex in self.seen:
            raise self.r.error(path, f"{what} would print as ${tex}$, the same as "
                               f"{self.seen[tex]}; choose another name")
        self.seen[tex] = what


LAYER_KEYS = ("neurons", "size", "activation", "bias", "init", "W", "b")


class _NetworkReader:
    """[problem.network] in either form: named neurons and edges, or dense matrices."""

    def __init__(self, reader: _SheetReader, t: _Table):
        self.r, self.t = reader, t
        self.kinds: dict[str, str] = {}    # every name -> "input", "neuron", "weight", "bias"
        self.paths: dict[str, str] = {}    # every name -> the key path that gives it
        self.weights: dict[str, Edge] = {}
        self.biases: dict[str, Bias] = {}

    def claim(self, name: str, kind: str, path: str) -> None:
        if name in self.kinds:
            other = self.kinds[name]
            raise self.r.error(path, f"'{name}' is already the name of {_article(other)}"
                               if other != kind else f"'{name}' is given twice")
        self.kinds[name] = kind
        self.paths[name] = path

    def build(self) -> Network:
        t = self.t
        inputs = self.inputs(t.get("inputs"), t.at("inputs"))
        raw_layers = t.get("layers", "array")
        if not raw_layers:
            raise self.r.error(t.at("layers"), "no layers")
        layer_tables = [_Table(self.r, raw, f"{t.at('layers')}[{i}]")
                        for i, raw in enumerate(raw_layers, start=1)]
        for lt in layer_tables:   # a misspelt key first: it explains whatever else is missing
            lt.allowed.extend(LAYER_KEYS)
            lt.done()
        neurons = [self.neurons(lt, i) for i, lt in enumerate(layer_tables, start=1)]
        self.check_size(layer_tables, [inputs, *neurons])
        activations = [self.r.activation(lt.get("activation"), lt.at("activation"))
                       for lt in layer_tables]
        self.layer_of = {n: 0 for n in inputs}
        for index, names in enumerate(neurons, start=1):
            self.layer_of.update({n: index for n in names})
        dense = [self.dense_parameters(lt, index, neurons[index - 1],
                                       inputs if index == 1 else neurons[index - 2])
                 for index, lt in enumerate(layer_tables, start=1)]
        weights_table = t.table("weights", default=None)
        biases_table = t.table("biases", default=None)
        t.done()
        if weights_table is not None:
            self.named_edges(weights_table, dense)
        if biases_table is not None:
            self.named_biases(biases_table, layer_tables, dense)
        self.check_complete(layer_tables, neurons)
        layers = tuple(Layer(tuple(names), act) for names, act in zip(neurons, activations))
        for lt in layer_tables:
            lt.done()
        return Network(tuple(inputs), layers, self.weights, self.biases)

    def check_size(self, layer_tables, names) -> None:
        """At most MAX_PARAMETERS in dense layers, counted before a value is made."""
        total = 0
        for lt, before, here in zip(layer_tables, names, names[1:]):
            if "W" in lt.value or "init" in lt.value:
                total += len(here) * len(before)
                total += len(here) if lt.value.get("bias", True) else 0
            if total > MAX_PARAMETERS:
                raise self.r.error(lt.path, f"the network has more than {MAX_PARAMETERS:,} "
                                   f"parameters up to this layer ({total:,}); use smaller "
                                   "layers")

    def inputs(self, raw, path: str) -> list[str]:
        if isinstance(raw, int) and not isinstance(raw, bool):
            if not 1 <= raw <= 10_000:
                raise self.r.error(path, f"must be from 1 to 10000, got {raw}")
            names = [f"x{k}" for k in range(1, raw + 1)]
        elif isinstance(raw, list):
            if not raw:
                raise self.r.error(path, "no inputs")
            names = [self.r.name(n, f"{path}[{i}]", "an input name")
                     for i, n in enumerate(raw, start=1)]
        else:
            raise self.r.error(path, f"expected a count or an array of names, got "
                               f"{_type_name(raw)}")
        for i, n in enumerate(names, start=1):
            self.claim(n, "input", f"{path}[{i}]" if isinstance(raw, list) else path)
        return names

    def neurons(self, lt: _Table, index: int) -> list[str]:
        names = lt.get("neurons", "array", None)
        size = lt.get("size", "integer", None)
        if names is None and size is None:
            raise self.r.error(lt.path, "give 'neurons' (names) or 'size' (a count)")
        if size is not None and not 1 <= size <= 10_000:
            raise self.r.error(lt.at("size"), f"must be from 1 to 10000, got {size}")
        if names is None:
            names = [f"n{index}_{j}" for j in range(1, size + 1)]
            paths = [lt.at("size")] * size
        else:
            if not names:
                raise self.r.error(lt.at("neurons"), "no neurons")
            if size is not None and size != len(names):
                raise self.r.error(lt.at("size"), f"is {size} but {len(names)} neurons are named")
            paths = [f"{lt.at('neurons')}[{j}]" for j in range(1, len(names) + 1)]
            names = [self.r.name(n, p, "a neuron name") for n, p in zip(names, paths)]
        for n, p in zip(names, paths):
            self.claim(n, "neuron", p)
        return names

    # dense layers: W, b, init --------------------------------------------------------------
    def dense_parameters(self, lt: _Table, index: int, names, before) -> dict:
        """The layer's W/b/init as {"weights": bool, "biases": bool}; adds the parameters."""
        has_bias = lt.get("bias", "boolean", True)
        init = lt.table("init", default=None)
        rng = scale = None
        if init is not None:
            seed = init.get("seed", "integer")
            scale = self.r.number(init.get("scale"), init.at("scale"))
            if not scale > 0:
                raise self.r.error(init.at("scale"), f"must be positive, got {scale}")
            self.r.at_most(scale, MAX_INIT_SCALE, init.at("scale"))
            init.done()
            rng = random.Random(seed)
        W = lt.get("W", "array", None)
        b = lt.get("b", "array", None)
        if b is not None and not has_bias:
            raise self.r.error(lt.at("b"), "the layer has bias = false")
        if W is not None:
            self.dense_weights(self.matrix(W, lt.at("W"), len(names), len(before)),
                               index, names, before, lt.at("W"))
        elif rng is not None:
            values = [[scale * sp.Rational(rng.randint(-INIT_GRID, INIT_GRID), INIT_GRID)
                       for _ in before] for _ in names]
            self.dense_weights(values, index, names, before, lt.at("init"))
        if b is not None:
            if len(b) != len(names):
                raise self.r.error(lt.at("b"), f"expected {len(names)} values (one per "
                                   f"neuron), got {len(b)}")
            values = [self.r.number(v, f"{lt.at('b')}[{j}]") for j, v in enumerate(b, start=1)]
            self.dense_biases(values, index, names, lt.at("b"))
        elif rng is not None and has_bias:
            values = [scale * sp.Rational(rng.randint(-INIT_GRID, INIT_GRID), INIT_GRID)
                      for _ in names]
            self.dense_biases(values, index, names, lt.at("init"))
        return {"weights": W is not None or rng is not None,
                "biases": b is not None or (rng is not None and has_bias),
                "has_bias": has_bias}

    def matrix(self, raw, path: str, rows: int, cols: int):
        if len(raw) != rows:
            raise self.r.error(path, f"expected {rows} rows (one per neuron), got {len(raw)}")
        matrix = []
        for j, row in enumerate(raw, start=1):
            if not isinstance(row, list):
                raise self.r.error(f"{path}[{j}]", f"expected a row (an array), got "
                                   f"{_type_name(row)}")
            if len(row) != cols:
                raise self.r.error(f"{path}[{j}]", f"expected {cols} columns (one per neuron "
                                   f"of the layer before), got {len(row)}")
            matrix.append([self.r.number(v, f"{path}[{j}][{k}]")
                           for k, v in enumerate(row, start=1)])
        return matrix

    def dense_weights(self, values, index, names, before, path) -> None:
        for j, (target, row) in enumerate(zip(names, values), start=1):
            for k, (source, value) in enumerate(zip(before, row), start=1):
                name = f"w{index}_{j}_{k}"
                self.claim(name, "weight", path)
                self.weights[name] = Edge(name, source, target, value)

    def dense_biases(self, values, index, names, path) -> None:
        for j, (target, value) in enumerate(zip(names, values), start=1):
            name = f"b{index}_{j}"
            self.claim(name, "bias", path)
            self.biases[name] = Bias(name, (target,), value)

    # named edges and biases ------------------------------------------------------------------
    def named_edges(self, t: _Table, dense) -> None:
        seen: dict[tuple[str, str], str] = {}
        for name, raw in t.value.items():
            path = t.at(name)
            self.r.name(name, path, "a weight name")
            e = _Table(self.r, raw, path)
            source = self.neuron(e.get("from", "string"), path)
            target = self.neuron(e.get("to", "string"), path)
            value = self.r.number(e.get("value"), e.at("value"))
            e.done()
            ls, lt = self.layer_of[source], self.layer_of[target]
            if lt == 0:
                raise self.r.error(path, f"an edge cannot end at the input '{target}'")
            if ls >= lt:
                how = (f"joins two neurons of layer {lt}" if ls == lt else
                       f"points backwards (layer {ls} to layer {lt})")
                raise self.r.error(path, f"edge {source} → {target} {how}; edges go from a "
                                   "layer to a later one, so that the network has no cycle")
            if dense[lt - 1]["weights"]:
                raise self.r.error(path, f"'{target}' is in a dense layer (layers[{lt}] has "
                                   "W or init); its weights come from there")
            if (source, target) in seen:
                raise self.r.error(path, f"edge {source} → {target} is already given as "
                                   f"'{seen[source, target]}'")
            seen[source, target] = name
            self.claim(name, "weight", path)
            self.weights[name] = Edge(name, source, target, value)
            t.allowed.append(name)

    def named_biases(self, t: _Table, layer_tables, dense) -> None:
        for name, raw in t.value.items():
            path = t.at(name)
            self.r.name(name, path, "a bias name")
            b = _Table(self.r, raw, path)
            to = b.get("to")
            if isinstance(to, str):
                to = [to]
            if not isinstance(to, list) or not to:
                raise self.r.error(b.at("to"), f"expected a neuron name or a non-empty array "
                                   f"of them, got {_type_name(to)}")
            targets = []
            for i, n in enumerate(to, start=1):
                if not isinstance(n, str):
                    raise self.r.error(f"{b.at('to')}[{i}]", f"expected a neuron name, got "
                                       f"{_type_name(n)}")
                n = self.neuron(n, path)
                layer = self.layer_of[n]
                if layer == 0:
                    raise self.r.error(path, f"'{n}' is an input; biases go to computed neurons")
                if not dense[layer - 1]["has_bias"]:
                    raise self.r.error(path, f"'{n}' is in layers[{layer}], which has "
                                       "bias = false")
                if n in targets:
                    raise self.r.error(path, f"'{n}' is listed twice")
                targets.append(n)
            value = self.r.number(b.get("value"), b.at("value"))
            b.done()
            self.claim(name, "bias", path)
            self.biases[name] = Bias(name, tuple(targets), value)
            t.allowed.append(name)

    def neuron(self, name: str, path: str) -> str:
        if name not in self.layer_of:
            known = list(self.layer_of)
            raise self.r.error(path, f"unknown neuron '{name}'{_suggest(name, known)}")
        return name

    def check_complete(self, layer_tables, neurons) -> None:
        """Every computed neuron has an input and exactly one bias (unless bias = false)."""
        has_input = {e.target for e in self.weights.values()}
        bias_of: dict[str, str] = {}
        for b in self.biases.values():
            for n in b.targets:
                if n in bias_of:
                    raise self.r.error(f"{self.t.at('biases')}.{b.name}", f"'{n}' already has "
                                       f"the bias '{bias_of[n]}'")
                bias_of[n] = b.name
        for lt, names in zip(layer_tables, neurons):
            needs_bias = lt.value.get("bias", True)
            for n in names:
                if n not in has_input:
                    raise self.r.error(lt.path, f"neuron '{n}' has no input (give it an edge "
                                       "in network.weights, or W / init on the layer)")
                if needs_bias and n not in bias_of:
                    raise self.r.error(lt.path, f"neuron '{n}' has no bias (list one in "
                                       "network.biases, give b / init, or set bias = false)")


# The readers of the built-in kinds, as :mod:`symderiv.kinds` names them: a kind defined
# elsewhere has a function of this shape in its own module.

def read_backprop(reader: _SheetReader, t: _Table, position: int, pid: str, statement):
    return reader.backprop(t, position, pid, statement)


def read_xor(reader: _SheetReader, t: _Table, position: int, pid: str, statement):
    return reader.xor(t, position, pid, statement)

