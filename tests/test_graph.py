"""kind = "graph" (contract §5.2): circuits forward and backward, gate by gate.

Oracles: mpmath (50 digits) differentiating Python functions written here independently of
the parser (held-out circuits of CS231n's notes, and random formulas built as text and as
a function at once); for a stage, the derivative of the output with respect to a
perturbation added to that stage alone.
"""

import json

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symderiv.cli import main
from symderiv.errors import InputError
from symderiv.problems import solve, solve_sheet
from symderiv.render.latex_sheet import render_sheet
from symderiv.spec import load_sheet, load_sheet_text



@pytest.fixture(autouse=True)
def fifty_digits():
    """The oracle's precision, for these tests only (mpmath's is global)."""
    with mpmath.workdps(50):
        yield


def graph(body: str, lang="en"):
    sheet = load_sheet_text(f'[sheet]\ntitle = "g"\nlang = "{lang}"\n\n[[problem]]\nid = "1"\n'
                            f'kind = "graph"\n{body}', "g.toml")
    return solve(sheet.problems[0]).to_json()


def close(a, b, tol=1e-12):
    return abs(float(a) - float(b)) <= tol * (1 + abs(float(b)))


def sig(v):
    return 1 / (1 + mpmath.exp(-v))


def check_gradients(out, f, point):
    """Every variable's gradient against mpmath's derivative of ``f`` at ``point``."""
    names = list(point)
    assert close(out["value"], f(*point.values()))
    for k, name in enumerate(names):
        def along(t, k=k):
            args = list(point.values())
            args[k] = args[k] + t
            return f(*args)
        assert close(out["gradients"][name], mpmath.diff(along, 0)), name


def test_x_plus_y_times_z():
    out = graph('formula = "(x + y)*z"\nvalues = { x = -2, y = 5, z = -4 }')
    check_gradients(out, lambda x, y, z: (x + y) * z, {"x": -2, "y": 5, "z": -4})
    ops = [(n["op"], n["inputs"]) for n in out["nodes"]]
    # the user's order: x + y first, then times z
    assert ops == [("input", []), ("input", []), ("add", ["x", "y"]), ("input", []),
                   ("mul", ["g1", "z"])]
    assert out["verified"] is True


def test_sigmoid_neuron_in_elementary_gates():
    point = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}
    out = graph('formula = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"\n'
                'values = { w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3 }\nwrt = ["w0", "w1", "w2"]')
    check_gradients(out, lambda w0, x0, w1, x1, w2: 1 / (1 + mpmath.exp(-(w0 * x0 + w1 * x1 + w2))),
                    point)
    gates = [n for n in out["nodes"] if n["op"] != "input"]
    assert [g["op"] for g in gates] == ["mul", "mul", "add", "add", "neg", "exp", "add", "recip"]
    assert gates[6]["inputs"][0] == 1          # 1 + exp(...): the constant as written, first
    # the sigmoid's local gradient σ(1 − σ) times 1 at the last gate's input
    # the reciprocal gate's local gradient −1/u², and at the dot product the sigmoid's σ(1 − σ)
    s = out["value"]
    assert close(gates[6]["gradient"], -1 / gates[6]["value"] ** 2)
    assert close(gates[3]["gradient"], s * (1 - s))


STAGES = [("sigy", "sigmoid(y)"), ("num", "x + sigy"), ("sigx", "sigmoid(x)"),
          ("xpy", "x + y"), ("xpysqr", "xpy**2"), ("den", "sigx + xpysqr"),
          ("invden", "1/den"), ("f", "num*invden")]


def staged(x, y, bump=None, t=0):
    """CS231n's staged f(x, y), written out; ``bump`` adds t to one stage's value."""
    v = {}

    def put(name, value):
        v[name] = value + (t if name == bump else 0)
    put("sigy", sig(y))
    put("num", x + v["sigy"])
    put("sigx", sig(x))
    put("xpy", x + y)
    put("xpysqr", v["xpy"] ** 2)
    put("den", v["sigx"] + v["xpysqr"])
    put("invden", 1 / v["den"])
    put("f", v["num"] * v["invden"])
    return v


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staged_computation_every_stage(lang):
    body = ('values = { x = 3, y = -4 }\nstages = [\n'
            + "".join(f'  {{ name = "{n}", formula = "{f}" }},\n' for n, f in STAGES) + "]")
    out = graph(body, lang)
    nodes = {n["name"]: n for n in out["nodes"]}
    exact = staged(mpmath.mpf(3), mpmath.mpf(-4))
    for name, _ in STAGES:
        assert close(nodes[name]["value"], exact[name]), name
        slope = mpmath.diff(lambda t: staged(mpmath.mpf(3), mpmath.mpf(-4), name, t)["f"], 0)
        assert close(nodes[name]["gradient"], slope), name
    check_gradients(out, lambda x, y: staged(x, y)["f"], {"x": 3, "y": -4})
    # one gate per stage: the circuit is the stages themselves
    assert [n["name"] for n in out["nodes"] if n["op"] != "input"] == [n for n, _ in STAGES]


# -- random formulas: text and an mpmath function built together ----------------------------

LEAVES = st.sampled_from([("x", lambda v: v["x"]), ("y", lambda v: v["y"]),
                          ("z", lambda v: v["z"]), ("2", lambda v: 2), ("0.5", lambda v: mpmath.mpf("0.5"))])
UNARY = [("exp({})", lambda a: mpmath.exp(a)), ("sigmoid({})", sig), ("tanh({})", mpmath.tanh),
         ("-({})", lambda a: -a), ("log(1 + ({})**2)", lambda a: mpmath.log(1 + a ** 2))]
BINARY = [("({}) + ({})", lambda a, b: a + b), ("({}) - ({})", lambda a, b: a - b),
          ("({})*({})", lambda a, b: a * b), ("({})/(2 + ({})**2)", lambda a, b: a / (2 + b ** 2)),
          ("max({}, {})", lambda a, b: mpmath.mpf(max(a, b)))]


def formulas():
    def extend(children):
        unary = st.tuples(st.sampled_from(UNARY), children).map(
            lambda p: (p[0][0].format(p[1][0]), lambda v, f=p[0][1], g=p[1][1]: f(g(v))))
        binary = st.tuples(st.sampled_from(BINARY), children, children).map(
            lambda p: (p[0][0].format(p[1][0], p[2][0]),
                       lambda v, f=p[0][1], g=p[1][1], h=p[2][1]: f(g(v), h(v))))
        return unary | binary
    return st.recursive(LEAVES, extend, max_leaves=8)


values = st.integers(-20, 20).map(lambda n: n / 10)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(formulas(), values, values, values)
def test_random_formulas_match_mpmath(formula, x, y, z):
    text, f = formula
    point = {"x": mpmath.mpf(str(x)), "y": mpmath.mpf(str(y)), "z": mpmath.mpf(str(z))}
    used = [n for n in point if n in text]
    if not used:
        return
    body = (f'formula = "{text}"\nvalues = {{ '
            + ", ".join(f'{n} = "{x if n == "x" else y if n == "y" else z}"' for n in used) + " }")
    try:
        out = graph(body)
    except InputError:
        return  # a kink (max tie) or no finite value: refused, not answered
    assert close(out["value"], f(point))
    for n in used:
        slope = mpmath.diff(lambda t: f({**point, n: point[n] + t}), 0)
        if "max" in text and not mpmath.isfinite(slope):
            continue
        assert close(out["gradients"][n], slope, 1e-9), (text, n)


# -- bad input: one line, exit 2, nothing written -------------------------------------------

BAD = {
    "later stage": ('values = { x = 1 }\nstages = [ { name = "a", formula = "b + x" }, '
                    '{ name = "b", formula = "2*x" } ]', "stages[1].formula: 'a' uses 'b', which is defined later"),
    "cycle": ('values = { x = 1 }\nstages = [ { name = "a", formula = "b + x" }, '
              '{ name = "b", formula = "a*x" } ]', "the stages form a cycle: a → b → a"),
    "unknown wrt": ('formula = "x*y"\nvalues = { x = 1, y = 2 }\nwrt = ["x", "q"]',
                    "wrt[2]: unknown variable 'q'"),
    "unknown name": ('formula = "x*q"\nvalues = { x = 1 }', "'q' is not a variable here"),
    "both": ('formula = "x"\nstages = []\nvalues = { x = 1 }', "give either 'formula' or 'stages'"),
    "unused value": ('formula = "x*2"\nvalues = { x = 1, y = 2 }', "values.y: 'y' is not used"),
    "no value": ('formula = "log(x)"\nvalues = { x = 0 }', "not a finite real number"),
    "beyond doubles": ('formula = "exp(exp(x))"\nvalues = { x = 10 }', "beyond the range of a double"),
    "stage repeats": ('values = { x = 1 }\nstages = [ { name = "a", formula = "x" }, '
                      '{ name = "b", formula = "2*a" } ]', "stage must compute something"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_graph_specs(case, tmp_path, capsys):
    body, message = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(f'[sheet]\ntitle = "g"\n\n[[problem]]\nid = "1"\nkind = "graph"\n{body}\n',
                    encoding="utf-8")
    out_dir = tmp_path / "out"
    code = main(["solve", str(spec), "-o", str(out_dir), "--format", "tex,json"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("symderiv: error: bad.toml: problem[1]") and err.count("\n") == 1, err
    assert message in err, err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_circuits_example_solves_and_renders(tmp_path):
    solved = solve_sheet(load_sheet("examples/circuits.toml"), "en")
    tex = render_sheet(solved)
    assert tex.count(r"\begin{tikzpicture}") == 3
    assert r"\mathit{xpysqr}" in tex
    data = json.loads(json.dumps(solved.to_json()["problems"]))
    assert [p["kind"] for p in data] == ["graph"] * 3


def test_large_circuits_are_refused_or_listed_without_a_drawing():
    many = " + ".join(f"x*{k}" for k in range(1, 150))   # 149 products and 148 sums
    with pytest.raises(InputError, match="gates; a sheet works out at most 200"):
        graph(f'formula = "{many}"\nvalues = {{ x = 1 }}')
    sheet = load_sheet_text('[sheet]\ntitle = "g"\n[[problem]]\nid = "1"\nkind = "graph"\n'
                            f'formula = "{" + ".join(f"x*{k}" for k in range(1, 30))}"\n'
                            'values = { x = 2 }\n', "g.toml")
    tex = render_sheet(solve_sheet(sheet))
    assert r"\begin{tikzpicture}" not in tex and r"\begin{longtable}" in tex


def test_a_variable_that_cancels_is_still_a_gate():
    out = graph('formula = "x + (y - y)"\nvalues = { x = 1, y = 2 }')
    assert out["gradients"] == {"x": 1.0, "y": 0.0}
    assert [n["op"] for n in out["nodes"]] == ["input", "input", "neg", "add", "add"]


def test_exact_values_and_other_gates():
    """sqrt(2)/2 as a value; max, tanh, a variable power, a registry activation with its
    parameter's default and a log to base 2, each one gate: against mpmath."""
    h = mpmath.sqrt(2) / 2
    out = graph('formula = "x*sigmoid(x)"\nvalues = { x = "sqrt(2)/2" }')
    check_gradients(out, lambda x: x * sig(x), {"x": h})
    out = graph('formula = "max(x, y)*tanh(y) - x^y"\nvalues = { x = 2, y = 0.5 }')
    check_gradients(out, lambda x, y: max(x, y) * mpmath.tanh(y) - x ** y,
                    {"x": mpmath.mpf(2), "y": mpmath.mpf("0.5")})
    assert [n["op"] for n in out["nodes"]] == ["input", "input", "max", "tanh", "mul", "pow",
                                               "neg", "add"]
    out = graph('formula = "leaky_relu(x) + log(x^2, 2)"\nvalues = { x = -1.5 }')
    check_gradients(out, lambda x: (x if x > 0 else mpmath.mpf("0.01") * x)
                    + mpmath.log(x ** 2, 2), {"x": mpmath.mpf("-1.5")})
