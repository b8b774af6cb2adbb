"""kind = "boolean": truth tables by brute enumeration, networks by a plain forward pass
written here, separators checked row by row here, certificates re-checked here, and the
number of linearly separable functions of three inputs (104, a known count: OEIS A000609).
"""

import itertools
import math
import textwrap
from fractions import Fraction

import pytest

from symderiv.errors import InputError
from symderiv.problems import solve
from symderiv.problems.boolean import find_separator, gordan_certificate
from symderiv.calculus.expr import symbol
from symderiv.spec import load_sheet_text

TRUTH = {"and": lambda a, b: a & b, "or": lambda a, b: a | b,
         "nand": lambda a, b: 1 - (a & b), "nor": lambda a, b: 1 - (a | b),
         "xor": lambda a, b: a ^ b, "xnor": lambda a, b: 1 - (a ^ b)}
HAND = {"relu": lambda z: max(z, 0), "linear": lambda z: z,
        "sigmoid": lambda z: 1 / (1 + math.exp(-z))}


def spec(body: str) -> str:
    return textwrap.dedent("[[problem]]\nid = \"1\"\nkind = \"boolean\"\n") + textwrap.dedent(body)


def solved(body: str):
    return solve(load_sheet_text(spec(body), "b.toml").problems[0])


def forward(network, xs):
    """The network by hand: Fractions through ReLU/linear, floats through σ."""
    values = dict(zip(network.inputs, map(Fraction, xs)))
    for layer in network.layers:
        f = HAND[layer.activation.name]
        for n in layer.neurons:
            z = sum((Fraction(str(e.value)) * values[e.source]
                     for e in network.weights.values() if e.target == n), Fraction(0))
            z += sum((Fraction(str(b.value)) for b in network.biases.values()
                      if n in b.targets), Fraction(0))
            values[n] = f(z) if layer.activation.name != "sigmoid" else f(float(z))
    return values[network.outputs[0]]


def separates(weights, bias, table) -> bool:
    return all((sum(w * x for w, x in zip(weights, xs)) + bias > 0) == bool(y)
               for xs, y in table)


def certificate_holds(lam, rows) -> bool:
    """Σ λᵢ sᵢ (xᵢ, 1) = 0 with every λᵢ > 0, recomputed here."""
    n = len(rows[0][0])
    total = [sum(l * (1 if y else -1) * v[k] for l, (xs, y) in zip(lam, rows)
                 for v in [(*xs, 1)]) for k in range(n + 1)]
    return all(l > 0 for l in lam) and total == [0] * (n + 1)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_designed_network_computes_every_row(name):
    s = solved(f'function = "{name}"\nprove_linear = true\n')
    assert s.designed and s.solves and s.exact
    for (a, b) in itertools.product((0, 1), repeat=2):
        assert forward(s.network, (a, b)) == TRUTH[name](a, b)
    data = s.to_json()
    assert [r["expected"] for r in data["truth_table"]] == [
        TRUTH[name](a, b) for a, b in itertools.product((0, 1), repeat=2)]
    table = [((a, b), TRUTH[name](a, b)) for a, b in itertools.product((0, 1), repeat=2)]
    if name in ("xor", "xnor"):
        assert data["linearly_separable"] is False and data["linear_impossible"] is True
        rows = [(tuple(r), TRUTH[name](*r)) for r in data["certificate"]["rows"]]
        assert certificate_holds(data["certificate"]["multipliers"], rows)
    else:
        sep = data["separator"]
        assert data["linearly_separable"] is True
        assert separates(sep["weights"], Fraction(sep["bias_exact"]), table)


def test_and_separated_by_a_checked_line():
    data = solved('function = "and"\nprove_linear = true\n').to_json()
    assert data["separator"] == {"weights": [1, 1], "bias": -1.5, "bias_exact": "-3/2"}
    assert data["hidden_needed"] == 1


def test_three_input_parity_designed_and_inseparable():
    rows = [[*xs, sum(xs) % 2] for xs in itertools.product((0, 1), repeat=3)]
    s = solved(f"truth_table = {rows}\nprove_linear = true\n")
    assert s.solves and s.needed == 3
    for xs in itertools.product((0, 1), repeat=3):
        assert forward(s.network, xs) == sum(xs) % 2
    data = s.to_json()
    assert data["linear_impossible"] is True
    cert = [(tuple(r), sum(r) % 2) for r in data["certificate"]["rows"]]
    assert certificate_holds(data["certificate"]["multipliers"], cert)


def test_non_symmetric_table_designed_by_rows():
    rows = [[0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 1], [0, 1, 1, 1],
            [1, 0, 0, 0], [1, 0, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]]
    s = solved(f"truth_table = {rows}\n")
    assert s.construction == "rows" and s.solves
    for *xs, y in rows:
        assert forward(s.network, xs) == y


def test_given_nand_network_checked_on_every_row():
    s = solved("""
        function = "nand"
        [problem.network]
        inputs = ["x1", "x2"]
        layers = [{ neurons = ["y"], activation = "sigmoid" }]
        [problem.network.weights]
        w1 = { from = "x1", to = "y", value = -20 }
        w2 = { from = "x2", to = "y", value = -20 }
        [problem.network.biases]
        b = { to = ["y"], value = 30 }
    """)
    assert s.solves and not s.designed
    for r in s.rows:
        assert abs(float(r.y.exact) - forward(s.network, r.inputs)) < 1e-15
        assert (forward(s.network, r.inputs) > 0.5) == bool(TRUTH["nand"](*r.inputs))


def test_a_wrong_network_is_reported():
    s = solved("""
        function = "or"
        [problem.network]
        inputs = 2
        layers = [{ size = 1, activation = "linear", W = [[1, 1]], b = [-1] }]
    """)
    assert not s.solves     # (0, 1) gives 0, below 1/2


@pytest.mark.slow
def test_separable_count_for_three_inputs_is_104():
    model = tuple(symbol(n) for n in ("w1", "w2", "w3", "b"))
    separable = 0
    for outputs in itertools.product((0, 1), repeat=8):
        table = tuple(zip(itertools.product((0, 1), repeat=3), outputs))
        sep = find_separator(table)
        if sep is not None:
            separable += 1
            assert separates(sep.weights, sep.bias, table)
        else:
            cert = gordan_certificate(table, model)
            assert cert.checked
            assert certificate_holds(cert.multipliers, [table[i] for i in cert.rows])
    assert separable == 104


@pytest.mark.parametrize("body, message", [
    ("truth_table = [[0, 0, 0], [0, 1, 1], [1, 0, 1]]\n", "row for inputs [1, 1] is missing"),
    ("truth_table = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [0, 1, 0]]\n", "repeat row 2"),
    ("truth_table = [[0, 0, 0], [0, 1, 2], [1, 0, 1], [1, 1, 0]]\n", "expected 0 or 1"),
    ("truth_table = [[0, 0, 0, 0, 1]]\n", "four or more inputs"),
    ('function = "implies"\n', "unknown function 'implies'"),
    ('function = "and"\ntruth_table = [[0, 0, 0]]\n', "not both"),
    ("prove_linear = true\n", "not neither"),
    ('function = "xor"\nhidden = 1\n', "needs 2 hidden neurons"),
])
def test_bad_input(body, message):
    with pytest.raises(InputError) as e:
        load_sheet_text(spec(body), "bad.toml")
    assert message in str(e.value)


def test_bad_table_is_one_line_exit_2(tmp_path, run_cli):
    path = tmp_path / "bad.toml"
    path.write_text(spec("truth_table = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0.5]]\n"))
    out = tmp_path / "out"
    done = run_cli("solve", path, "-o", out)
    assert done.returncode == 2 and not out.exists()
    assert done.stderr.count("\n") == 1 and "truth_table[4][3]: expected 0 or 1" in done.stderr
