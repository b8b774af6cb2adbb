"""verify.decide and `symderiv verify`: identities proved, non-identities refuted with a
point that an independent mpmath evaluation confirms, hard cases never called equal."""

import json
import time

import mpmath
import pytest
import sympy as sp

from symderiv.calculus.functions import Phi, phi, relu, sigmoid
from symderiv.calculus.budget import cpu_clock
from symderiv.calculus.verify import Verdict, decide, run_bounded, simplify_bounded

x, y = sp.symbols("x y", real=True)
p, q = sp.symbols("p q", positive=True)
half, sqrt2 = sp.Rational(1, 2), sp.sqrt(2)
alpha = sp.Rational(1, 100)


def leaky(z, a=alpha):
    return sp.Max(z, a * z)


IDENTITIES = {
    "pythagoras": (sp.sin(x) ** 2 + sp.cos(x) ** 2, 1),
    "double angle sin": (sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x)),
    "double angle cos": (sp.cos(2 * x), 1 - 2 * sp.sin(x) ** 2),
    "half angle tan": (sp.tan(x / 2), sp.sin(x) / (1 + sp.cos(x))),
    "sin 7x": (sp.sin(7 * x), sp.expand_trig(sp.sin(7 * x))),
    "addition theorem": (sp.sin(x + y), sp.sin(x) * sp.cos(y) + sp.cos(x) * sp.sin(y)),
    "tan": (sp.tan(x), sp.sin(x) / sp.cos(x)),
    "cosh sinh": (sp.cosh(x) ** 2 - sp.sinh(x) ** 2, 1),
    "binomial": ((x + 1) ** 3, x ** 3 + 3 * x ** 2 + 3 * x + 1),
    "quotient": ((x ** 3 - 1) / (x - 1), x ** 2 + x + 1),
    "softplus difference": (sp.log(1 + sp.exp(x)) - sp.log(1 + sp.exp(-x)), x),
    "log of a square": (sp.log(x ** 2), 2 * sp.log(sp.Abs(x))),
    "erfc": (sp.erfc(x), 1 - sp.erf(x)),
    "Phi via erf": (Phi(x), (1 + sp.erf(x / sqrt2)) / 2),
    "Phi symmetry": (Phi(-x), 1 - Phi(x)),
    "gelu derivative": (sp.diff(x * Phi(x), x), Phi(x) + x * phi(x)),
    "sigmoid definition": (sigmoid(x), 1 / (1 + sp.exp(-x))),
    "sigmoid derivative": (sp.diff(1 / (1 + sp.exp(-x)), x), sigmoid(x) * (1 - sigmoid(x))),
    "sigmoid symmetry": (1 - sigmoid(x), sigmoid(-x)),
    "tanh via sigmoid": (sp.tanh(x), 2 * sigmoid(2 * x) - 1),
    "tanh derivative": (1 - sp.tanh(x) ** 2, 4 * sigmoid(2 * x) * (1 - sigmoid(2 * x))),
    "swish derivative": (sp.diff(x * sigmoid(x), x), sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x))),
    "relu is max": (relu(x), sp.Max(0, x)),
    "relu via abs": (relu(x), (x + sp.Abs(x)) / 2),
    "relu odd part": (relu(x) - relu(-x), x),
    "shifted relu": (relu(x - sp.Rational(7, 3)), sp.Max(x, sp.Rational(7, 3)) - sp.Rational(7, 3)),
    "relu via Heaviside": (x * sp.Heaviside(x, 0), relu(x)),
    "leaky relu piecewise": (leaky(x), sp.Piecewise((x, x > 0), (alpha * x, True))),
    "leaky relu via abs": (leaky(x), (1 + alpha) / 2 * x + (1 - alpha) / 2 * sp.Abs(x)),
    "Heaviside halves": (sp.Heaviside(x) + sp.Heaviside(-x), 1),
    "abs is max": (sp.Abs(x), sp.Max(x, -x)),
    "sqrt of a square": (sp.sqrt(x ** 2 + 2 * x + 1), sp.Abs(x + 1)),
    "max plus min": (sp.Max(x, y) + sp.Min(x, y), x + y),
}

NON_IDENTITIES = {
    "sin(tan(-u)^3) is odd in tan": (sp.sin(sp.tan(-4 * x ** 2 - 3) ** 3), sp.sin(sp.tan(4 * x ** 2 + 3) ** 3)),
    "exp is not linear": (sp.exp(x), 1 + x),
    "double angle slip": (sp.sin(2 * x), 2 * sp.sin(x)),
    "cos double angle slip": (sp.cos(2 * x), 1 - sp.sin(x) ** 2),
    "addition slip": (sp.sin(x + y), sp.sin(x) + sp.sin(y)),
    "exp product slip": (sp.exp(x) * sp.exp(y), sp.exp(x * y)),
    "binomial slip": ((x + 1) ** 3, x ** 3 + 3 * x ** 2 + 3 * x),
    "sigmoid derivative slip": (sp.diff(sigmoid(x), x), sigmoid(x) * (1 + sigmoid(x))),
    "sigmoid symmetry slip": (1 - sigmoid(x), sigmoid(x)),
    "tanh via sigmoid slip": (sp.tanh(x), 2 * sigmoid(x) - 1),
    "Phi without sqrt 2": (Phi(x), (1 + sp.erf(x)) / 2),
    "Phi is not a logistic": (Phi(x), sigmoid(sp.Rational(1702, 1000) * x)),
    "gelu tanh approximation": (x * Phi(x), x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi)
                                                                 * (x + sp.Rational(44715, 10 ** 6) * x ** 3)))),
    "erf is not tanh": (sp.erf(x), sp.tanh(x)),
    "softplus is not relu": (sp.log(1 + sp.exp(x)), relu(x)),
    "cosh is not half exp": (sp.cosh(x), sp.exp(x) / 2),
    "relu is not abs": (relu(x), sp.Abs(x)),
    "relu sign slip": (relu(x), (x - sp.Abs(x)) / 2),
    "shifted relu slip": (relu(x - 1), relu(x) - 1),
    "leaky slopes differ": (leaky(x), leaky(x, sp.Rational(1, 10))),
    "Heaviside at 0": (sp.Heaviside(x), sp.Heaviside(x, 0)),
    "relu derivative is not H(x)": (sp.diff(relu(x), x), sp.Heaviside(x)),
    "pi is not 355/113": (sp.pi, sp.Rational(355, 113)),
    "differ only beyond 50": (sp.Min(x, 50), x),
    "differ only below -30": (relu(x + 30) - 30, x),
}


def mpmath_value(expr, point: dict, digits: int = 60):
    """``expr`` at ``point`` ({name: decimal text}) by lambdify on mpmath, with σ, ReLU, Φ, φ
    given by mpmath's own functions: independent of symderiv's evaluator."""
    names = sorted(point)
    symbols = [next((s for s in expr.free_symbols if s.name == n), sp.Symbol(n)) for n in names]
    own = {"sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)), "relu": lambda z: max(z, 0),
           "Phi": mpmath.ncdf, "phi": mpmath.npdf}
    f = sp.lambdify(symbols, expr, modules=[own, "mpmath"])
    with mpmath.workdps(digits):
        return mpmath.mpmathify(f(*[mpmath.mpf(point[n]) for n in names]))


def as_expr(value):
    return value if isinstance(value, sp.Basic) else sp.Integer(value)


def variable_names(lhs, rhs) -> set:
    return {s.name for s in as_expr(lhs).free_symbols | as_expr(rhs).free_symbols}


def assert_real_counterexample(lhs, rhs, verdict: Verdict, method="numeric counterexample",
                               digits: int = 60):
    """The reported point, values and difference, against mpmath at ``digits``."""
    found = verdict.counterexample
    assert verdict.equal is False and verdict.method == method
    assert set(found) == {"point", "lhs", "rhs", "difference"}
    json.dumps(found)  # JSON-friendly: strings only
    assert all(isinstance(v, str) for v in (*found["point"].values(), found["lhs"], found["rhs"],
                                            found["difference"]))
    assert set(found["point"]) == variable_names(lhs, rhs)
    left = mpmath_value(as_expr(lhs), found["point"], digits)
    right = mpmath_value(as_expr(rhs), found["point"], digits)
    with mpmath.workdps(digits):
        gap = left - right
        assert gap != 0
        # the values shown differ, each right to within a tenth of the gap
        assert mpmath.mpf(found["lhs"]) != mpmath.mpf(found["rhs"])
        for reported, true in ((found["lhs"], left), (found["rhs"], right)):
            assert abs(mpmath.mpf(reported) - true) <= min(1e-13 * max(abs(true), 1), abs(gap) / 10)
        assert abs(mpmath.mpf(found["difference"]) - gap) <= 1e-13 * abs(gap)


@pytest.mark.parametrize("name", IDENTITIES)
def test_identity_is_proved(name):
    lhs, rhs = IDENTITIES[name]
    for point in ({"x": "-2.75", "y": "0.3"}, {"x": "1.9", "y": "-4.1"}):  # the test data is right
        point = {k: v for k, v in point.items() if k in variable_names(lhs, rhs)}
        assert abs(mpmath_value(as_expr(lhs), point) - mpmath_value(as_expr(rhs), point)) < 1e-40
    verdict = decide(lhs, rhs)
    assert verdict.equal is True, verdict
    assert verdict.counterexample is None
    assert not verdict.method.startswith("undecided")


@pytest.mark.parametrize("name", NON_IDENTITIES)
def test_non_identity_is_refuted_at_a_real_point(name):
    lhs, rhs = NON_IDENTITIES[name]
    verdict = decide(lhs, rhs)
    assert_real_counterexample(lhs, rhs, verdict)


def test_counts_asked_by_the_issue():
    assert len(IDENTITIES) >= 20 and len(NON_IDENTITIES) >= 20


def test_the_sin_tan_pair_differs_by_a_sign():
    u = 4 * x ** 2 + 3
    first, second = sp.sin(sp.tan(-u) ** 3), sp.sin(sp.tan(u) ** 3)
    # What is true: sin and tan are odd, so sin(tan(−u)³) = −sin(tan(u)³).
    point = {"x": "0.37"}
    assert abs(mpmath_value(first, point) + mpmath_value(second, point)) < 1e-40
    assert abs(mpmath_value(second, point)) > 0.01
    assert_real_counterexample(first, second, decide(first, second))
    assert decide(first, -second).equal is True


def test_a_polynomial_identity_too_big_to_expand_is_proved_by_evaluation():
    # The proof takes about 2 s on an idle machine; the generous bound keeps a loaded one
    # (parallel test workers) from turning it into "undecided".
    verdict = decide((x ** 2 + 2 * x + 1) ** 500, (x + 1) ** 1000, timeout=60)
    assert verdict.equal is True and verdict.method.startswith("polynomial identity")
    assert decide((x ** 2 + 2 * x + 1) ** 500, (x + 1) ** 1000 + x ** 999, timeout=60).equal is False


# A true identity (exp of the same polynomial) that SymPy cannot simplify quickly.
HARD_LHS, HARD_RHS = "exp((x^2+2*x+1)^500)", "exp((x+1)^1000)"


def test_a_hard_true_identity_is_undecided_in_time_never_equal():
    lhs, rhs = sp.exp((x ** 2 + 2 * x + 1) ** 500), sp.exp((x + 1) ** 1000)
    start = cpu_clock()   # the bound is CPU time (this process and its proof children)
    verdict = decide(lhs, rhs, timeout=2)
    assert cpu_clock() - start < 6
    assert verdict.equal is None and verdict.counterexample is None
    assert verdict.method.startswith("undecided: numerically equal at ")
    assert "no symbolic proof within 2 CPU s" in verdict.method


def test_a_difference_only_at_a_kink_off_the_decimals_is_found_exactly():
    # Heaviside conventions (H(0) = 1/2 against 0) differ only at x = 1/3, at x = ±√2.
    third = sp.Rational(1, 3)
    for u, kink in ((x - third, third), (x ** 2 - 2, -sp.sqrt(2))):
        lhs, rhs = sp.Heaviside(u), sp.Heaviside(u, 0)
        verdict = decide(lhs, rhs, timeout=2)
        assert verdict.equal is False
        assert verdict.counterexample["point"] == {"x": str(kink)}
        assert sp.Rational(verdict.counterexample["lhs"]) == lhs.subs(x, kink) == sp.Rational(1, 2)
        assert sp.Rational(verdict.counterexample["rhs"]) == rhs.subs(x, kink) == 0


def test_points_where_a_side_is_undefined_are_skipped():
    # sqrt(x) is complex for x < 0, where |x|^(1/2) is real: no counterexample there.
    verdict = decide(sp.sqrt(x), sp.sqrt(sp.Abs(x)), timeout=1.5)
    assert verdict.equal is None
    assert verdict.counterexample is None
    # (x² − 1)/(x − 1) is undefined at 1, equal to x + 1 elsewhere.
    assert decide((x ** 2 - 1) / (x - 1), x + 1).equal is True


def test_domains_of_positive_symbols_are_respected():
    assert decide(sp.log(p * q), sp.log(p) + sp.log(q)).equal is not False
    refuted = decide(sp.log(p), p - 1)
    assert refuted.equal is False
    assert all(mpmath.mpf(v) > 0 for v in refuted.counterexample["point"].values())


def test_counterexamples_near_kinks_are_found():
    # differ only on (0, 1/1000): the kink points must be sampled on both sides
    lhs, rhs = relu(x), sp.Max(0, x - relu(x - sp.Rational(1, 1000)))
    verdict = decide(lhs, rhs)
    assert_real_counterexample(lhs, rhs, verdict)


def test_simplify_bounded_returns_pickled_custom_functions():
    expr = sigmoid(x) * Phi(x) + phi(x) * (sp.sin(x) ** 2 + sp.cos(x) ** 2)
    assert simplify_bounded(expr, 20) == sigmoid(x) * Phi(x) + phi(x)


def test_simplify_bounded_gives_up_in_time():
    start = cpu_clock()
    assert simplify_bounded((x ** 2 + 2 * x + 1) ** 1500 - (x + 1) ** 3000, 0.5) is None
    assert cpu_clock() - start < 3


def _spin():
    while True:
        pass


def _nap(seconds):
    time.sleep(seconds)
    return "awake"


def test_run_bounded_kills_and_reports_failures():
    start = time.monotonic()
    assert run_bounded(_spin, (), 0.3) is None          # its CPU budget ends it
    assert time.monotonic() - start < 3
    assert run_bounded(int, ("not a number",), 5) is None
    assert run_bounded(pow, (2, 100), 5) == 2 ** 100


def test_run_bounded_counts_cpu_not_wall_time():
    """A child that waits uses no CPU: it may outlast its budget in wall time (as a child
    starved by a loaded machine does) and still answer; past the wall backstop it is
    killed all the same."""
    assert run_bounded(_nap, (1.0,), 0.2) == "awake"
    start = time.monotonic()
    assert run_bounded(_nap, (60,), 0.05) is None
    assert time.monotonic() - start < 10


def test_cpu_clock_counts_the_bounded_children():
    before = cpu_clock()
    run_bounded(_spin, (), 0.3)
    assert cpu_clock() - before >= 0.25


# ---- the command ---------------------------------------------------------------------------

def test_cli_equal_in_text(run_cli):
    done = run_cli("verify", "sigmoid(x)*(1-sigmoid(x))", "diff(sigmoid(x), x)")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "equal (identical after rewriting)\n"
    done = run_cli("verify", "sin(x)^2 + cos(x)^2", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("equal (proved by ") and "(" not in done.stdout[len("equal ("):]


def test_cli_names_each_proof_in_words(run_cli):
    from symderiv.calculus import verify
    from symderiv.results import _PROOF_WORDS

    methods = {"structural", "expand", "cancel"} | {method for method, *_ in verify._PROOFS}
    assert methods <= set(_PROOF_WORDS)
    done = run_cli("verify", "x+1-1", "x")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "equal (identical after rewriting)\n"


def test_cli_json_equal_by_cases(run_cli):
    done = run_cli("verify", "relu(x)", "(x+abs(x))/2", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"equal": True, "method": "cases", "counterexample": None}


def test_cli_sin_tan_pair_is_not_equal_within_10_s(run_cli):
    start = time.monotonic()
    done = run_cli("verify", "sin(tan(-4*x^2-3)^3)", "sin(tan(4*x^2+3)^3)")
    assert time.monotonic() - start < 10
    assert done.returncode == 1, done.stderr
    # "NOT equal: at x = 1, LHS = -0.61…, RHS = 0.61…, LHS - RHS = -1.2…": check with mpmath
    head, _, values = done.stdout.strip().partition(", LHS = ")
    assert head.startswith("NOT equal: at x = ")
    point = {"x": head.removeprefix("NOT equal: at x = ")}
    reported_lhs, _, rest = values.partition(", RHS = ")
    reported_rhs, _, reported_gap = rest.partition(", LHS - RHS = ")
    u = 4 * x ** 2 + 3
    true_lhs, true_rhs = mpmath_value(sp.sin(sp.tan(-u) ** 3), point), mpmath_value(sp.sin(sp.tan(u) ** 3), point)
    assert abs(true_lhs - true_rhs) > 1e-6
    assert abs(mpmath.mpf(reported_lhs) - true_lhs) < 1e-13 and abs(mpmath.mpf(reported_rhs) - true_rhs) < 1e-13
    assert abs(mpmath.mpf(reported_gap) - (true_lhs - true_rhs)) < 1e-13


def test_cli_json_not_equal(run_cli):
    done = run_cli("verify", "tanh(x)", "2*sigmoid(x) - 1", "--format", "json")
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"equal", "method", "counterexample"}
    assert answer["equal"] is False and answer["method"] == "numeric counterexample"
    assert_real_counterexample(sp.tanh(x), 2 * sigmoid(x) - 1, Verdict(**answer))


def test_cli_hard_identities_answer_in_bounded_time(run_cli):
    # The bound is what the user is promised (an answer, never a hang), in CPU seconds of
    # the command and its proof children; the default proof bound is 5 s, the rest start-up.
    start = cpu_clock()
    done = run_cli("verify", "(x^2+2*x+1)^500", "(x+1)^1000")
    assert cpu_clock() - start < 15
    assert done.returncode == 0 and done.stdout.startswith("equal (proved as polynomials")
    start = cpu_clock()
    done = run_cli("verify", HARD_LHS, HARD_RHS, "--format", "json")  # the default time bound
    assert cpu_clock() - start < 15
    assert done.returncode == 3, done.stderr
    answer = json.loads(done.stdout)
    assert answer["equal"] is None and answer["counterexample"] is None
    assert answer["method"].startswith("undecided: numerically equal at ")


@pytest.mark.parametrize("args", [
    ("x+", "x"),
    ("x", "__import__('os').system('true')"),
    ("x", "x", "--timeout", "-1"),
    ("x", "x", "--timeout", "soon"),
    ("x", "x", "--format", "xml"),
    ("x",),
    ("", "x"),
])
def test_cli_bad_input_is_one_line_and_exit_2(run_cli, args):
    done = run_cli("verify", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("symderiv: error: ")


def test_variables_are_taken_real_and_text_is_refused():
    t = sp.Symbol("t")  # no assumptions: decide reads it as real
    assert decide(sp.sqrt(t ** 2), sp.Abs(t)).equal is True
    with pytest.raises(TypeError):
        decide("__import__('os')", "x")


# ---- a constant difference too small for the scan to call (finding 30) ---------------------

def tiny(exponent: int) -> sp.Rational:
    return sp.Rational(1, 10 ** exponent)


TINY_CONSTANT_DIFFERENCES = {
    # algebra leaves the constant: the difference cancels to it at once
    "sigmoid + 1e-30": (sigmoid(x), 1 / (1 + sp.exp(-x)) + tiny(30)),
    "sigmoid - 10^-50": (sigmoid(x), 1 / (1 + sp.exp(-x)) - tiny(50)),
    # the scan sees the same 1e-30 at every point
    "pythagoras + 1e-30": (sp.sin(x) ** 2 + sp.cos(x) ** 2, 1 + tiny(30)),
    "tanh form + 1e-30": (sigmoid(x), (1 + sp.tanh(x / 2)) / 2 + tiny(30)),
    # below the scan's noise: rewrite(exp) + cancel comes to the constant
    "tanh form - 10^-50": (sigmoid(x), (1 + sp.tanh(x / 2)) / 2 - tiny(50)),
    "Phi + 10^-50, two variables": (Phi(x) + y, (1 + sp.erf(x / sqrt2)) / 2 + y + tiny(50)),
    "large values, 1e-30 apart": (1000 * sp.exp(x), 1000 * sp.exp(x) + tiny(30)),
}


@pytest.mark.parametrize("name", TINY_CONSTANT_DIFFERENCES)
def test_a_tiny_constant_difference_is_not_equal(name):
    lhs, rhs = TINY_CONSTANT_DIFFERENCES[name]
    verdict = decide(lhs, rhs)
    assert_real_counterexample(lhs, rhs, verdict, method="constant difference", digits=200)
    with mpmath.workdps(200):
        gap = mpmath.mpf(verdict.counterexample["difference"])
        point = verdict.counterexample["point"]
        true_gap = mpmath_value(as_expr(lhs), point, 200) - mpmath_value(as_expr(rhs), point, 200)
        assert abs(gap - true_gap) <= 1e-13 * abs(true_gap)
        assert 1e-51 < abs(true_gap) < 1e-29


def test_a_constant_gap_counts_only_when_every_point_shows_it():
    from symderiv.calculus.verify import _constant_gap

    with mpmath.workdps(40):
        same = [(mpmath.mpf("1e-30") * (1 + k * mpmath.mpf(10) ** -12), mpmath.mpf(1)) for k in range(5)]
        assert _constant_gap(same) == same[0][0]
        noise = [(mpmath.mpf(10) ** -39 * k, mpmath.mpf(1)) for k in (1, -3, 2, 5)]
        assert _constant_gap(noise) is None
        varying = [(mpmath.mpf("1e-30") * k, mpmath.mpf(1)) for k in (1, 2, 3)]
        assert _constant_gap(varying) is None
        assert _constant_gap(same[:2]) is None  # too few points to call it constant


def test_cli_tiny_constant_difference_is_not_equal(run_cli):
    done = run_cli("verify", "sigmoid(x)", "1/(1+exp(-x))+1e-30")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    head, _, values = done.stdout.strip().partition(", LHS = ")
    assert head == "NOT equal: at x = 1"
    reported_lhs, _, rest = values.partition(", RHS = ")
    reported_rhs, _, reported_gap = rest.partition(", LHS - RHS = ")
    with mpmath.workdps(80):
        one = mpmath.mpf(1)
        true_lhs = 1 / (1 + mpmath.exp(-one))
        true_rhs = true_lhs + mpmath.mpf(10) ** -30
        assert mpmath.mpf(reported_lhs) != mpmath.mpf(reported_rhs)
        for reported, true in ((reported_lhs, true_lhs), (reported_rhs, true_rhs)):
            assert abs(mpmath.mpf(reported) - true) < mpmath.mpf(10) ** -31
        assert abs(mpmath.mpf(reported_gap) + mpmath.mpf(10) ** -30) < mpmath.mpf(10) ** -43


def test_a_disguised_zero_constant_is_still_equal():
    # sin²(1) + cos²(1) − 1 is a constant that is 0: never a "constant difference"
    verdict = decide(sp.sin(x) ** 2 + sp.cos(x) ** 2 + sp.sin(1) ** 2 + sp.cos(1) ** 2, 2)
    assert verdict.equal is not False


# -- issue 13: the cheap-algebra stage is bounded, and decide is total -------------------------

def _hangs(*args):
    _spin()


def test_the_cheap_algebra_stage_is_killed_at_its_bound(monkeypatch):
    import symderiv.calculus.verify as verify
    xs = sp.symbols("x0:12", real=True)
    big = sp.Add(*(x ** 3 * sp.exp(x) for x in xs))  # large enough to run in a child
    monkeypatch.setattr(verify, "_cheap_algebra", _hangs)  # an unlucky cancel, made certain
    start = time.monotonic()
    assert verify._cheap_algebra_bounded(big, big, cpu_clock() + 0.5) == (None, None)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("rhs", [sp.zoo, sp.Integer(1), sp.nan])
def test_decide_is_total_on_relu_quotients(rhs):
    from symderiv.calculus.functions import relu
    from symderiv.calculus.verify import decide
    x, y = sp.symbols("x y", real=True)
    verdict = decide(relu(x) / relu(y), rhs, timeout=2)
    assert verdict.equal in (False, None)
