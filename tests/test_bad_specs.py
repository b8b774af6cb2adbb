"""Malformed specs: each exits 2 with one stderr line naming the file and the key path,
and writes nothing (contract §4).

The CLI cases run as real subprocesses (``python -m symderiv solve``), several at once so
that the file stays fast; a few more cases check the loader in-process.
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from symderiv.cli import main
from symderiv.errors import InputError
from symderiv.spec import load_sheet_text

BASE = """\
[sheet]
title = "bad specs"
precision = 4

[[problem]]
id = "4"
kind = "backprop"

[problem.network]
inputs = ["i1", "i2"]
layers = [
  { neurons = ["h1", "h2"], activation = "sigmoid" },
  { neurons = ["o1", "o2"], activation = "sigmoid" },
]

[problem.network.weights]
w1 = { from = "i1", to = "h1", value = 0.15 }
w2 = { from = "i1", to = "h2", value = 0.25 }
w3 = { from = "i2", to = "h1", value = 0.20 }
w4 = { from = "i2", to = "h2", value = 0.30 }
w5 = { from = "h1", to = "o1", value = 0.30 }
w6 = { from = "h1", to = "o2", value = 0.50 }
w7 = { from = "h2", to = "o1", value = 0.45 }
w8 = { from = "h2", to = "o2", value = 0.55 }

[problem.network.biases]
b1 = { to = ["h1", "h2"], value = 0.35 }
b2 = { to = ["o1", "o2"], value = 0.60 }

[problem.data]
inputs  = { i1 = 0.05, i2 = 0.10 }
targets = { o1 = 0.12, o2 = 0.95 }

[problem.training]
loss = "sse"
learning_rate = 0.1
gradients = ["w5", "w6"]
"""

XOR = """\
[[problem]]
kind = "xor"
"""

DENSE = """\
[[problem]]
kind = "backprop"
[problem.network]
inputs = 2
layers = [LAYER]
[problem.data]
inputs = [1, 2]
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


P = "problem[1]"
NET = f"{P}.network"

# (name, spec text, the place the message starts with, a fragment of the message)
CASES = [
    ("toml syntax", edit('title = "bad specs"', 'title = "bad specs'), "bad TOML: line 2, column",
     "illegal character"),
    ("toml duplicate key", edit("precision = 4", "precision = 4\nprecision = 5"), "bad TOML: line",
     "cannot overwrite"),
    ("unknown table", edit("[sheet]", "[sheets]"), "sheets", "did you mean 'sheet'?"),
    ("misspelt sheet key", edit("precision = 4", "precison = 4"), "sheet.precison",
     "did you mean 'precision'?"),
    ("misspelt problem key", edit('kind = "backprop"', 'kind = "backprop"\nstatment = "x"'),
     f"{P}.statment", "did you mean 'statement'?"),
    ("misspelt training key", edit("learning_rate = 0.1", "learning_rat = 0.1"),
     f"{P}.training", "missing key 'learning_rate' ('learning_rat' is given: a misspelling?)"),
    ("misspelt layer key", edit('{ neurons = ["h1", "h2"], activation = "sigmoid" }',
                                '{ neurons = ["h1", "h2"], activaton = "sigmoid" }'),
     f"{NET}.layers[1].activaton", "unknown key (did you mean 'activation'?)"),
    ("missing kind", edit('kind = "backprop"\n', ""), P, "missing key 'kind'"),
    ("unknown kind", edit('kind = "backprop"', 'kind = "backprob"'), f"{P}.kind",
     "did you mean 'backprop'?"),
    ("wrong type", edit("precision = 4", 'precision = "4"'), "sheet.precision",
     "expected an integer, got string"),
    ("precision range", edit("precision = 4", "precision = 99"), "sheet.precision",
     "must be from 2 to 15"),
    ("unknown language", edit("precision = 4", 'precision = 4\nlang = "fr"'), "sheet.lang",
     "unknown language 'fr'"),
    ("nan", edit("value = 0.15", "value = nan"), f"{NET}.weights.w1.value", "finite"),
    ("inf", edit("learning_rate = 0.1", "learning_rate = inf"), f"{P}.training.learning_rate",
     "finite"),
    ("not a number", edit("value = 0.15", 'value = "abc"'), f"{NET}.weights.w1.value", "abc"),
    ("boolean number", edit("i1 = 0.05", "i1 = true"), f"{P}.data.inputs.i1",
     "expected a number"),
    ("unknown activation", edit('activation = "sigmoid" },\n  { neurons = ["o1"',
                                'activation = "sigmoidd" },\n  { neurons = ["o1"'),
     f"{NET}.layers[1].activation", "unknown activation 'sigmoidd'"),
    ("unknown loss", edit('loss = "sse"', 'loss = "sse2"'), f"{P}.training.loss",
     "unknown loss 'sse2'"),
    ("edge to a missing neuron", edit('to = "o1", value = 0.30', 'to = "o3", value = 0.30'),
     f"{NET}.weights.w5", "unknown neuron 'o3'"),
    ("edge from a missing neuron", edit('from = "h2", to = "o2"', 'from = "h3", to = "o2"'),
     f"{NET}.weights.w8", "unknown neuron 'h3'"),
    ("neuron with no input", edit('w2 = { from = "i1", to = "h2", value = 0.25 }\n', "",
                                  edit('w4 = { from = "i2", to = "h2", value = 0.30 }\n', "")),
     f"{NET}.layers[1]", "neuron 'h2' has no input"),
    ("backward edge", edit('w5 = { from = "h1", to = "o1"', 'w5 = { from = "o1", to = "h1"'),
     f"{NET}.weights.w5", "points backwards"),
    ("edge within a layer (a cycle)", edit('w5 = { from = "h1", to = "o1"',
                                           'w5 = { from = "h2", to = "h1"'),
     f"{NET}.weights.w5", "joins two neurons of layer 1"),
    ("edge into an input", edit('w5 = { from = "h1", to = "o1"', 'w5 = { from = "h1", to = "i1"'),
     f"{NET}.weights.w5", "cannot end at the input 'i1'"),
    ("duplicate edge", edit('w8 = { from = "h2", to = "o2"', 'w8 = { from = "h2", to = "o1"'),
     f"{NET}.weights.w8", "already given as 'w7'"),
    ("bias named like a weight", edit("b2 = {", "w1 = {"), f"{NET}.biases.w1",
     "'w1' is already the name of a weight"),
    ("neuron named like an input", edit('neurons = ["h1", "h2"]', 'neurons = ["h1", "i2"]'),
     f"{NET}.layers[1].neurons[2]", "'i2' is already the name of an input"),
    ("weight named like a neuron", edit("w8 = {", "h1 = {"), f"{NET}.weights.h1",
     "'h1' is already the name of a neuron"),
    ("two biases on a neuron", edit('b2 = { to = ["o1", "o2"]', 'b2 = { to = ["o1", "h2"]'),
     f"{NET}.biases.b2", "'h2' already has the bias 'b1'"),
    ("neuron without a bias", edit('b2 = { to = ["o1", "o2"]', 'b2 = { to = ["o1"]'),
     f"{NET}.layers[2]", "neuron 'o2' has no bias"),
    ("target not an output", edit("targets = { o1 = 0.12", "targets = { h1 = 0.12"),
     f"{P}.data.targets.h1", "'h1' is not an output neuron"),
    ("missing target", edit(", o2 = 0.95", ""), f"{P}.data.targets", "missing output neuron 'o2'"),
    ("unknown input value", edit("i2 = 0.10 }", "i2 = 0.10, i3 = 1 }"), f"{P}.data.inputs.i3",
     "unknown input 'i3'"),
    ("gradient of an unknown parameter", edit('gradients = ["w5", "w6"]', 'gradients = ["w5", "w9"]'),
     f"{P}.training.gradients[2]", "unknown parameter 'w9'"),
    ("training an unknown parameter", edit('gradients = ["w5", "w6"]',
                                           'gradients = ["w5", "w6"]\ntrain = ["b3"]'),
     f"{P}.training.train[1]", "unknown parameter 'b3'"),
    ("zero learning rate", edit("learning_rate = 0.1", "learning_rate = 0"),
     f"{P}.training.learning_rate", "must be positive"),
    ("negative learning rate", edit("learning_rate = 0.1", 'learning_rate = "-1/10"'),
     f"{P}.training.learning_rate", "must be positive"),
    ("zero steps", edit("learning_rate = 0.1", "learning_rate = 0.1\nsteps = 0"),
     f"{P}.training.steps", "must be from 1 to 10000"),
    ("too many steps", edit("learning_rate = 0.1", "learning_rate = 0.1\nsteps = 10001"),
     f"{P}.training.steps", "must be from 1 to 10000"),
    ("bce target out of range", edit('loss = "sse"', 'loss = "bce"', edit("o2 = 0.95", "o2 = 1.5")),
     f"{P}.data.targets.o2", "targets in [0, 1]"),
    ("bce without sigmoid outputs", edit('loss = "sse"', 'loss = "bce"',
                                         edit('["o1", "o2"], activation = "sigmoid"',
                                              '["o1", "o2"], activation = "tanh"')),
     f"{NET}.layers[2].activation", 'loss "bce" needs activation = "sigmoid"'),
    ("softmax on a hidden layer", edit('["h1", "h2"], activation = "sigmoid"',
                                       '["h1", "h2"], activation = "softmax"'),
     f"{NET}.layers[1].activation", "softmax is for the output layer only"),
    ("softmax output without ce", edit('["o1", "o2"], activation = "sigmoid"',
                                       '["o1", "o2"], activation = "softmax"'),
     f"{NET}.layers[2].activation", 'needs loss = "ce"'),
    ("dense W of the wrong shape",
     DENSE.replace("LAYER", '{ size = 2, activation = "relu", W = [[1, 2], [3]], b = [0, 0] }'),
     f"{NET}.layers[1].W[2]", "expected 2 columns"),
    ("dense parameter neither given nor initialised",
     DENSE.replace("LAYER", '{ size = 2, activation = "relu", W = [[1, 2], [3, 4]] }'),
     f"{NET}.layers[1]", "neuron 'n1_1' has no bias"),
    ("init with a negative scale",
     DENSE.replace("LAYER", '{ size = 2, activation = "relu", init = { seed = 1, scale = -1 } }'),
     f"{NET}.layers[1].init.scale", "must be positive"),
    ("xor with three inputs", XOR + '[problem.network]\ninputs = 3\nlayers = [{ size = 1, '
     'activation = "relu", W = [[1, 1, 1]], b = [0] }]\n', f"{NET}.inputs", "2 inputs, got 3"),
    ("xor design with one neuron", XOR + "hidden = 1\n", f"{P}.hidden", "cannot solve XOR"),
    ("no problems", '[sheet]\ntitle = "empty"\n', "problem", "no [[problem]]"),
    ("duplicate ids", BASE + '\n[[problem]]\nid = "4"\nkind = "xor"\n', "problem[2].id",
     "already used by problem[1]"),
    ("the contract's example", edit('[[problem]]\nid = "4"', XOR + 'hidden = 2\n\n[[problem]]\nid = "4"',
                                    edit('to = "o1", value = 0.30', 'to = "o3", value = 0.30')),
     "problem[2].network.weights.w5: unknown neuron 'o3'", ""),
    ("unknown activations part", '[[problem]]\nkind = "activations"\nparts = ["tanh-vanish"]\n',
     f"{P}.parts[1]", "did you mean 'tanh-vanishing'?"),
    # fewer places would print the given 0.05 as 0 and η = 0.1 as 0
    ("precision below 2", edit("precision = 4", "precision = 1"), "sheet.precision",
     "must be from 2 to 15, got 1"),
    # a misspelt key of a dense layer is named before what it leaves missing
    ("misspelt dense layer key",
     DENSE.replace("LAYER", '{ size = 2, activation = "relu", W = [[1, 2], [3, 4]], bb = [0, 0] }'),
     f"{NET}.layers[1].bb", "unknown key (did you mean 'b'?)"),
    ("misspelt size", DENSE.replace("LAYER", '{ sise = 2, activation = "relu" }'),
     f"{NET}.layers[1].sise", "unknown key (did you mean 'size'?)"),
    # names that would print like another thing on the sheet
    ("weight named like the learning rate", edit("w8 = {", "eta = {"), f"{NET}.weights.eta",
     "the weight eta would print as $\\eta$, the same as η, the learning rate"),
    ("bias named like a net input", edit("b1 = {", "z_h1 = {"), f"{NET}.biases.z_h1",
     "the bias z_h1 would print as $z_{h1}$, the same as the net input of h1"),
    ("two names that print alike", edit("w8 = {", "w_1 = {"), f"{NET}.weights.w_1",
     "the weight w_1 would print as $w_{1}$, the same as the weight w1"),
    ("notation like another net input",
     edit("[problem.training]", '[problem.notation]\nnet_inputs = { o1 = "z_o2" }\n'
          "[problem.training]"), f"{P}.notation.net_inputs.o1",
     "the net input of o1 would print as $z_{o2}$, the same as the net input of o2"),
    # magnitudes a sheet can compute with, and the work of a solve
    ("value too large", edit("value = 0.15", "value = 1e7"), f"{NET}.weights.w1.value",
     "10000000.0 is too large: at most 1,000,000 in size"),
    ("exact string too large", edit("i1 = 0.05", 'i1 = "10^300"'), f"{P}.data.inputs.i1",
     "'10^300' is too large"),
    ("init scale too large",
     DENSE.replace("LAYER", '{ size = 2, activation = "relu", init = { seed = 1, scale = 5000 } }'),
     f"{NET}.layers[1].init.scale", "too large: at most 1,000 in size"),
    ("activation parameter too large",
     edit('activation = "sigmoid" },\n  { neurons = ["o1"',
          'activation = { name = "swish", beta = 1e300 } },\n  { neurons = ["o1"'),
     f"{NET}.layers[1].activation.beta", "1.00000e+300 is too large: at most 100 in size"),
    ("activation parameter beyond its bound",
     edit('activation = "sigmoid" },\n  { neurons = ["o1"',
          'activation = { name = "leaky_relu", alpha = 500 } },\n  { neurons = ["o1"'),
     f"{NET}.layers[1].activation.alpha", "at most 100 in size"),
    ("activations beta too large", '[[problem]]\nkind = "activations"\nbeta = 1000\n',
     f"{P}.beta", "at most 100 in size"),
    ("too many parameters", DENSE.replace("inputs = 2", "inputs = 300").replace(
        "LAYER", '{ size = 200, activation = "relu", init = { seed = 1, scale = 1 } }'),
     f"{NET}.layers[1]", "more than 50,000 parameters up to this layer (60,200)"),
    ("too many steps for the network",
     DENSE.replace("inputs = 2", "inputs = 3").replace("inputs = [1, 2]", "inputs = [1, 2, 3]\n"
                                                         "targets = [0]").replace(
        "LAYER", '{ size = 100, activation = "tanh", init = { seed = 1, scale = 1 } }, '
                 '{ size = 1, activation = "linear", init = { seed = 2, scale = 1 } }')
     + '[problem.training]\nloss = "sse"\nlearning_rate = 0.1\nsteps = 1000\n',
     f"{P}.training.steps", "501 parameters × 1 examples × 1,001 passes is 501,501 "
     "parameter updates; at most 400,000"),
    # values the network cannot compute: named at the layer's activation or the problem
    ("activation without a value",
     DENSE.replace("LAYER", '{ size = 1, activation = "1/z", W = [[1, -0.5]], b = [0] }'),
     f"{NET}.layers[1].activation", "not real and finite at z = 0 for neuron n1_1: division "
     "by zero"),
    ("activation with a complex value",
     DENSE.replace("LAYER", '{ size = 1, activation = "sqrt(z)", W = [[-1, 0]], b = [0] }'),
     f"{NET}.layers[1].activation", "not real and finite at z = -1 for neuron n1_1: not real"),
    ("activation beyond double range",
     DENSE.replace("LAYER", '{ size = 1, activation = "exp(exp(exp(z)))", W = [[3, 0]], '
                            'b = [0] }'),
     f"{NET}.layers[1].activation", "the output of n1_1 (at z = 3) is 2.05099e+229520860, beyond"),
    ("net input beyond double range",
     "[[problem]]\nkind = \"backprop\"\n[problem.network]\ninputs = 1\nlayers = ["
     + ", ".join(['{ size = 1, activation = "linear", W = [[1e6]], b = [0] }'] * 60)
     + "]\n[problem.data]\ninputs = [1]\n",
     P, "the net input of n52_1 is 1e+312, beyond the range of a double"),
]


# The first CLI_CASES run as subprocesses; the rest through symderiv.cli.main in-process
# (the same code path without the interpreter start-up, which dominates the time).
CLI_CASES = CASES[:33]
IN_PROCESS_CASES = CASES[33:]


def _run_case(case, root: Path):
    name, text, _, _ = case
    folder = root / name.replace(" ", "_")
    folder.mkdir()
    (folder / "bad.toml").write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "symderiv", "solve", "bad.toml", "-o", "out",
                             "--format", "json,md"], cwd=folder, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": _repo_path()})
    return result, folder / "out"


def _repo_path() -> str:
    repo = str(Path(__file__).resolve().parents[1])
    return os.pathsep.join(p for p in (repo, os.environ.get("PYTHONPATH")) if p)


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_specs")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: _run_case(c, root), CLI_CASES))
    return dict(zip((c[0] for c in CLI_CASES), results))


def test_there_are_at_least_30_cases_run_as_processes():
    assert len(CLI_CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


def _check(returncode, stdout, stderr, out: Path, place, fragment):
    assert returncode == 2, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"symderiv: error: bad.toml: {place}"), lines[0]
    assert fragment in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_malformed_spec_exits_2_with_one_line_and_writes_nothing(case, cli_results):
    name, _, place, fragment = case
    result, out = cli_results[name]
    _check(result.returncode, result.stdout, result.stderr, out, place, fragment)


@pytest.mark.parametrize("case", IN_PROCESS_CASES, ids=[c[0] for c in IN_PROCESS_CASES])
def test_malformed_spec_in_process(case, tmp_path, capsys, monkeypatch):
    name, text, place, fragment = case
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["solve", "bad.toml", "-o", "out", "--format", "json,md"])
    captured = capsys.readouterr()
    _check(code, captured.out, captured.err, tmp_path / "out", place, fragment)


def test_a_bad_spec_among_good_ones_writes_nothing(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", _repo_path())  # run from a folder outside the checkout
    (tmp_path / "good.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(edit('loss = "sse"', 'loss = "sse2"'), encoding="utf-8")
    result = run_cli("solve", "good.toml", "bad.toml", "-o", "out", "--format", "json",
                     cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "symderiv: error: bad.toml: problem[1].training.loss: unknown loss 'sse2' "
        "(did you mean 'sse'?); losses: sse, half-sse, mse, bce, ce, output"]
    assert not (tmp_path / "out").exists()


# -- in-process: more places the loader names ------------------------------------------------

MORE = [
    (edit('activation = "sigmoid" },\n  { neurons = ["o1"',
          'activation = { name = "leaky_relu", alpha = "x" } },\n  { neurons = ["o1"'),
     f"{NET}.layers[1].activation.alpha"),
    (edit("inputs  = { i1 = 0.05, i2 = 0.10 }\ntargets = { o1 = 0.12, o2 = 0.95 }",
          "examples = [{ inputs = [0.05, 0.1], targets = [0.1] }]"),
     f"{P}.data.examples[1].targets"),
    (edit("inputs  = { i1", "examples = []\ninputs  = { i1"), f"{P}.data"),
    (edit('b1 = { to = ["h1", "h2"]', 'b1 = { to = ["h1", "i1"]'), f"{NET}.biases.b1"),
    (edit("[problem.training]", '[problem.notation]\ntargets = { h1 = "y1" }\n[problem.training]'),
     f"{P}.notation.targets.h1"),
    (edit('loss = "sse"', 'loss = "sse"\nloss_symbol = "w1"'), f"{P}.training.loss_symbol"),
    (edit('["h1", "h2"], activation', '["h1", "h 2"], activation'),
     f"{NET}.layers[1].neurons[2]"),
    (XOR + 'activation = "tanh"\n', f"{P}.activation"),
    (XOR + 'hidden = 2\n[problem.network]\ninputs = 2\nlayers = []\n', f"{P}.hidden"),
    ('[[problem]]\nkind = "activations"\nrange = [1, 1]\n', f"{P}.range"),
    ("problem = 3\n", "problem"),
    ("[[problem]]\nkind = 3\n", f"{P}.kind"),
]


@pytest.mark.parametrize("text,place", MORE)
def test_loader_names_the_place(text, place):
    with pytest.raises(InputError) as caught:
        load_sheet_text(text, "bad.toml")
    assert caught.value.where == "bad.toml"
    assert caught.value.what.startswith(place + ":"), caught.value.what
