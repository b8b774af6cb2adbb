"""kind = "activations": every derivative, bound, minimum and training run against an
independent oracle (mpmath finite differences and closed forms, plain-Python Fractions)."""

import json
from fractions import Fraction
from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp

from symderiv.errors import InputError
from symderiv.calculus.expr import symbol
from symderiv.calculus.functions import to_elementary
from symderiv.problems import activations, dying_relu, swish_gelu
from symderiv.calculus.latex import format_decimal, latex
from symderiv.render import plots
from symderiv.render.latex_sheet import render_sheet
from symderiv.render.markdown import render_markdown
from symderiv.render.pdf import compile_tex
from symderiv.spec import ActivationsProblem

mpmath.mp.dps = 30
POINTS = [mpmath.mpf(p) for p in ("-3.7", "-1.25", "-0.4", "0.3", "1.1", "2.9")]


# -- oracles, written from the definitions, not from the code under test -------------------
def ncdf(x):
    return (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2


def swish_mp(x, beta):
    return x / (1 + mpmath.exp(-beta * x))


def gelu_mp(x):
    return x * ncdf(x)


def mp(value):
    return mpmath.mpf(sp.N(value, 30))


def at(expr, x, value, **subs):
    e = to_elementary(expr).subs({symbol(k): v for k, v in subs.items()})
    return mpmath.mpf(sp.N(e.doit().subs(x, sp.Float(str(value), 40)), 30))


@pytest.fixture(scope="module")
def sol():
    return activations.solve(ActivationsProblem(1, "5", None))


# -- tanh-vanishing ------------------------------------------------------------------------
def test_tanh_gradient_matches_finite_differences(sol):
    v = sol.vanishing
    # Take e = a², so ∂e/∂a = 2a; the sheet's ∂e/∂W1 = ∂e/∂a·(1+a)(1−a)·x1.
    xs, ws = [0.3, -0.8, 0.5, 1.2], [0.7, 0.1, -0.4, 0.9]
    point = {**dict(zip(v.inputs, map(sp.Float, xs))), **dict(zip(v.weights, map(sp.Float, ws)))}
    a_value = sp.tanh(v.z.subs(point))
    grad = v.gradient.subs(sp.Derivative(v.loss, v.a, evaluate=False), 2 * v.a)
    got = sp.N(grad.subs(v.a, a_value).subs(point), 25)

    def loss(w1):
        return mpmath.tanh(w1 * xs[0] + sum(w * x for w, x in zip(ws[1:], xs[1:])))**2
    assert abs(got - mpmath.diff(loss, ws[0])) < 1e-15
    assert v.gradient_verified and v.output_form_verified


def test_tanh_bound_and_where_it_is_attained(sol):
    b = sol.vanishing.bound
    assert b.maximum == 1 and b.critical_points == sp.FiniteSet(0)
    assert b.gap == sol.vanishing.a**2 and b.curvature_at_max < 0
    # Independent: sech²z on a grid never exceeds 1 and is 1 only at 0.
    grid = [mpmath.mpf(k) / 50 for k in range(-300, 301)]
    values = [mpmath.sech(z)**2 for z in grid]
    assert max(values) == 1 and grid[values.index(max(values))] == 0


def test_vanishing_table_equals_direct_products(sol):
    v = sol.vanishing
    for row in v.table:
        for z, got in ((v.saturated_z, row.saturated), (v.healthy_z, row.healthy)):
            local = 1 - mpmath.tanh(mpmath.mpf(sp.N(z, 30)))**2
            product = mpmath.fprod([local] * row.layers)
            assert abs(mpmath.mpf(sp.N(got, 30)) / product - 1) < 1e-20
    assert [r.layers for r in v.table] == list(range(1, 11))
    assert v.table[-1].saturated < mpmath.mpf("1e-15") < v.table[-1].healthy


# -- dying-relu ------------------------------------------------------------------------------
def simulate(xs, ys, w, rate, alpha, steps, stop_when_alive=False):
    """Batch gradient descent on Σ(a − y)², a = z for z > 0 else alpha·z, in Fractions."""
    history = [w]
    for t in range(1, steps + 1):
        grad = [Fraction(0)] * len(w)
        for x, y in zip(xs, ys):
            z = sum(wi * xi for wi, xi in zip(w, x))
            slope = 1 if z > 0 else alpha
            for i, xi in enumerate(x):
                grad[i] += 2 * ((z if z > 0 else alpha * z) - y) * slope * xi
        w = [wi - rate * g for wi, g in zip(w, grad)]
        history.append(w)
        if stop_when_alive and t > 1 and any(
                sum(wi * xi for wi, xi in zip(w, x)) > 0 for x in xs):
            break
    return history


def frac(e):
    return Fraction(int(e.p), int(e.q))


def test_dying_relu_step_kills_and_gradients_are_exactly_zero(sol):
    d = sol.dying_relu
    after = d.relu.states[1]
    assert all(z < 0 for z in after.preactivations)
    assert all(g is sp.S.Zero for g in after.gradients)
    assert d.dead_gradients_exact_zero and d.relu.died_at == 1
    assert all(slope is sp.S.Zero for slope in d.dead_slopes)
    assert all(s.weights == after.weights for s in d.relu.states[1:])


def test_dying_relu_against_plain_python(sol):
    d = sol.dying_relu
    xs = [[frac(v) for v in ex.inputs] for ex in d.examples]
    ys = [frac(ex.target) for ex in d.examples]
    w0 = [frac(w) for w in d.initial_weights]
    rate = frac(d.relu.learning_rate)

    def dead(w):
        return all(sum(wi * xi for wi, xi in zip(w, x)) < 0 for x in xs)

    # The found rate is the first on the ladder whose single step kills the neuron.
    for r, killed in d.rates_tried:
        assert dead(simulate(xs, ys, w0, frac(r), 0, 1)[1]) == killed
    assert d.rates_tried[-1][1] and not any(k for _, k in d.rates_tried[:-1])
    # ReLU stays dead: weights never move again.
    relu = simulate(xs, ys, w0, rate, 0, 10)
    assert all(dead(w) and w == relu[1] for w in relu[1:])
    assert [frac(w) for w in d.relu.states[-1].weights] == relu[-1]
    # Leaky ReLU at the same rate: non-zero gradient, and z > 0 again at the reported step.
    alpha = frac(d.leaky.activation.params["alpha"])
    leaky = simulate(xs, ys, w0, rate, alpha, 1000, stop_when_alive=True)
    assert dead(leaky[1]) and any(g != 0 for g in d.leaky.states[1].gradients)
    assert d.leaky.recovered_at == len(leaky) - 1
    assert all(dead(w) for w in leaky[1:-1]) and not dead(leaky[-1])
    # The smaller rate: the neuron has z > 0 on some input after every step.
    small = simulate(xs, ys, w0, frac(d.small.learning_rate), 0, len(d.small.states) - 1)
    assert frac(d.small.learning_rate) < rate
    assert all(any(sum(wi * xi for wi, xi in zip(w, x)) > 0 for x in xs) for w in small)


def test_dying_relu_with_other_data_and_bad_data():
    R = sp.Rational
    examples = (dying_relu.Example((R(2), R(1)), R(0)), dying_relu.Example((R(1), R(3)), R(1, 10)))
    d = dying_relu.solve(examples, (R(1), R(1)))
    assert d.relu.states[1].dead and d.small.learning_rate < d.relu.learning_rate
    with pytest.raises(InputError, match="already dead"):
        dying_relu.solve(examples, (R(-1), R(-1)))
    with pytest.raises(InputError, match="no learning rate"):
        # targets far above the outputs: every step pushes the weights up, never kills
        dying_relu.solve((dying_relu.Example((R(1), R(1)), R(100)),), (R(1), R(1)))


# -- swish-gelu --------------------------------------------------------------------------------
def test_swish_forms_match_finite_differences(sol):
    s, x = sol.swish_gelu, sol.swish_gelu.x
    assert s.swish.verified and dict(s.swish.checks).keys() == {"product", "readable", "expanded"}
    for beta in ("0.5", "1", "2.5"):
        for form in (s.swish.readable, s.swish.expanded):
            for p in POINTS:
                want = mpmath.diff(lambda t: swish_mp(t, mpmath.mpf(beta)), p)
                assert abs(at(form, x, p, beta=sp.Float(beta, 30)) - want) < 1e-20


def test_gelu_forms_match_finite_differences(sol):
    s, x = sol.swish_gelu, sol.swish_gelu.x
    assert s.gelu.verified and len(s.gelu.checks) == 4
    for form in (s.gelu.readable, s.gelu.expanded, s.gelu.integral):
        for p in POINTS:
            assert abs(at(form, x, p) - mpmath.diff(gelu_mp, p)) < 1e-20


def test_gelu_integral_by_its_antiderivative_is_sympys_integral(sol):
    """The integral form evaluated by the fundamental theorem (Φ − lim_{−∞} Φ) equals what
    SymPy's integrator finds (the oracle); an integral whose density is not the given
    antiderivative's derivative is left to the integrator, and still right."""
    s, x = sol.swish_gelu, sol.swish_gelu.x
    g = to_elementary(s.gelu.gate)
    by_theorem = swish_gelu._evaluated(s.gelu.integral, g, x)
    assert not by_theorem.has(sp.Integral)
    assert sp.simplify(by_theorem - s.gelu.integral.doit(manual=True)) == 0
    other = swish_gelu._evaluated(s.gelu.integral, 2 * g, x)   # 2Φ: not the density's
    assert sp.simplify(other - by_theorem) == 0


def test_smoothness_at_zero(sol):
    by = {m.name: m for m in sol.swish_gelu.smoothness}
    assert (by["relu"].left, by["relu"].right) == (0, 1) and not by["relu"].continuous
    h = mpmath.mpf("1e-12")
    for name, f in (("swish", lambda t: swish_mp(t, 1)), ("gelu", gelu_mp)):
        assert by[name].continuous
        for side in (-h, h):
            assert abs(mpmath.diff(f, side) - by[name].left) < 1e-10


def test_values_left_of_zero(sol):
    probes = sol.swish_gelu.probes
    x0 = mpmath.mpf(sp.N(swish_gelu.PROBE_X, 30))
    for p in probes:
        if p.name == "relu":
            assert p.value == 0 and p.slope == 0
            continue
        f = gelu_mp if p.name == "gelu" else (lambda t, b=p.beta: swish_mp(t, mpmath.mpf(sp.N(b, 30))))
        assert abs(p.value_float - float(f(x0))) < 1e-15
        assert abs(p.slope_float - float(mpmath.diff(f, x0))) < 1e-15
        assert p.value != 0 and p.slope != 0


def test_gelu_minimum_by_an_independent_scan(sol):
    m = sol.swish_gelu.gelu_minimum
    # Second route: minimise GELU itself (no derivative) by a scan and golden sections.
    grid = [mpmath.mpf(k) / 1000 for k in range(-4000, 1)]
    k = min(range(len(grid)), key=lambda i: gelu_mp(grid[i]))
    lo, hi = grid[k - 1], grid[k + 1]
    g = (mpmath.sqrt(5) - 1) / 2
    for _ in range(120):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        lo, hi = (lo, b) if gelu_mp(a) < gelu_mp(b) else (a, hi)
    assert abs(mp(m.location) - lo) < 1e-12 and abs(mp(m.value) - gelu_mp(lo)) < 1e-20
    assert m.curvature > 0 and m.sign_changes == 1 and m.slope_limit_left == 0


def test_swish_minimum_against_lambert_w(sol):
    # swish′ = 0 ⇔ x = −1 − eˣ ⇔ x = −1 − W(1/e); there swish = −W(1/e) (β = 1), and
    # swish_β(x) = swish_1(βx)/β moves the minimum to x/β with value/β.
    w = mpmath.lambertw(1 / mpmath.e).real
    minima = sol.swish_gelu.swish_minima
    assert [m.beta for m in minima] == list(swish_gelu.PLOT_BETAS)
    for m in minima:
        beta = mpmath.mpf(sp.N(m.beta, 30))
        assert abs(mp(m.location) - (-1 - w) / beta) < 1e-20
        assert abs(mp(m.value) + w / beta) < 1e-20


def test_curvature_at_the_minima_from_closed_forms(sol):
    # GELU″ = (2 − x²)φ(x); Swish_1″ = 2σ′ + xσ″ with σ′ = σ(1 − σ), σ″ = σ′(1 − 2σ), and
    # Swish_β″(x) = β·Swish_1″(βx)
    m = sol.swish_gelu.gelu_minimum
    x = mp(m.location)
    assert abs(mp(m.curvature) - (2 - x**2) * mpmath.npdf(x)) < 1e-25
    for m in sol.swish_gelu.swish_minima:
        beta = mpmath.mpf(sp.N(m.beta, 30))
        t = beta * mp(m.location)
        s = 1 / (1 + mpmath.exp(-t))
        ds = s * (1 - s)
        assert abs(mp(m.curvature) - beta * (2 * ds + t * ds * (1 - 2 * s))) < 1e-25


def test_gelu_definition_prints_as_sympy_stats_does(sol):
    from sympy import stats   # the oracle: SymPy's own probability of a normal variable

    x = sol.swish_gelu.x
    want = x * stats.P(stats.Normal("X", 0, 1) <= x, evaluate=False)
    row = sol.swish_gelu.definitions["gelu"]
    assert latex(row[1]) == latex(want) and str(row[1]) == str(want)
    # and it means the same: P(X ≤ x) evaluated, against sympy.stats' own at a few points
    for point in ("-2.5", "0", "1.3"):
        at = {x: sp.Float(point, 30)}
        assert abs(sp.N(to_elementary(row[1].doit()).subs(at), 25)
                   - sp.N(want.doit().subs(at), 25)) < 1e-20


def test_concrete_beta_from_the_spec():
    s = swish_gelu.solve(sp.Rational(3, 2))
    assert s.plot_betas == (sp.Rational(3, 2),) and s.beta == sp.Rational(3, 2)
    w = mpmath.lambertw(1 / mpmath.e).real
    assert abs(mp(s.swish_minima[0].location) - (-1 - w) / mpmath.mpf("1.5")) < 1e-20


# -- plots and JSON --------------------------------------------------------------------------
def test_plots_sample_the_functions_and_break_at_the_jump(sol):
    values, slopes = plots.activation_plots(sol.swish_gelu, -4, 4)
    gelu = values.curves[-1].segments[0]
    assert len(gelu) == plots.SAMPLES
    assert all(abs(y - float(gelu_mp(mpmath.mpf(x)))) < 1e-12 for x, y in gelu)
    left, right = slopes.curves[0].segments          # ReLU′: two pieces, no vertical line
    assert all(y == 0 for _, y in left) and all(y == 1 for _, y in right)
    assert left[-1][0] < 0 < right[0][0]
    tanh = plots.tanh_plot(sol.vanishing, -4, 4)
    assert tanh.ymin < -1 and tanh.ymax > 1 and len(tanh.curves) == 2


def test_json_follows_the_contract(sol):
    j = json.loads(json.dumps(sol.to_json()))
    assert {"id", "kind", "functions", "vanishing", "dying_relu", "comparison"} <= j.keys()
    for name in ("tanh", "relu", "leaky_relu", "swish", "gelu"):
        assert set(j["functions"][name]) == {"derivative", "derivative_in_output", "verified"}
        assert j["functions"][name]["verified"] is True
    assert j["functions"]["gelu"]["derivative_in_output"] is None
    assert j["functions"]["tanh"]["derivative_in_output"] is not None
    assert j["dying_relu"]["gradients_exactly_zero"] and j["dying_relu"]["stays_dead"]
    assert j["comparison"]["gelu_minimum"]["x"] == float(sol.swish_gelu.gelu_minimum.location)


def test_parts_can_be_chosen():
    only = activations.solve(ActivationsProblem(1, "5", None, parts=("dying-relu",)))
    assert only.vanishing is None and only.swish_gelu is None
    assert set(only.to_json()["functions"]) == {"relu", "leaky_relu"}


# -- the LaTeX layout ------------------------------------------------------------------------
def sheet_of(sol, lang):
    return SimpleNamespace(title="t", lang=lang, precision=4, problems=(sol,), name="p5")


def test_latex_layout_shows_what_was_computed(sol):
    d, g = sol.dying_relu, sol.swish_gelu
    for lang in ("zh", "en"):
        tex = render_sheet(sheet_of(sol, lang), lang)
        # figures 4-8: two neurons, tanh (2 curves), activations and slopes (5 curves each)
        assert tex.count(r"\begin{tikzpicture}") == 5 and tex.count(r"\addplot") == 12
        for value in (g.gelu_minimum.location, g.gelu_minimum.value,
                      d.relu.learning_rate, d.small.learning_rate):
            assert format_decimal(Fraction(str(sp.Rational(sp.N(value, 20)))), 4) in tex
        assert f"{d.leaky.recovered_at}" in tex and "built-in method" not in tex
        assert "(nan" not in tex.split("ReLU")[0]   # only ReLU′ has a jump


@pytest.mark.tex
def test_latex_layout_compiles(sol, tmp_path):
    for lang in ("zh", "en"):
        pdf = compile_tex(render_sheet(sheet_of(sol, lang), lang), tmp_path / f"p5_{lang}.tex")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_markdown_layout(sol):
    for lang in ("zh", "en"):
        md = render_markdown(sheet_of(sol, lang))
        assert "&gt;" not in md and "&lt;" not in md
        assert format_decimal(Fraction(str(sol.swish_gelu.gelu_minimum.location)), 4) in md
        assert f" {sol.dying_relu.leaky.recovered_at} " in md


def test_builtin_sheet_has_problem_5_after_2_and_4(run_cli, tmp_path):
    done = run_cli("solve", "-o", tmp_path, "--format", "json,md")
    assert done.returncode == 0, done.stderr
    sheet = json.loads((tmp_path / "hw6.json").read_text(encoding="utf-8"))
    assert [(p["id"], p["kind"]) for p in sheet["problems"]] == [
        ("2", "xor"), ("4", "backprop"), ("5", "activations")]
    five = sheet["problems"][2]
    assert set(five["functions"]) == {"tanh", "relu", "leaky_relu", "swish", "gelu"}
    assert five["dying_relu"]["gradients_exactly_zero"] is True
    # GELU's minimum lies where its derivative Φ(x) + xφ(x) vanishes (checked by mpmath).
    x = mpmath.mpf(five["comparison"]["gelu_minimum"]["x"])
    assert abs(ncdf(x) + x * mpmath.npdf(x)) < 1e-15


def test_training_data_from_a_spec_shaped_problem():
    from symderiv.spec import Example

    R = sp.Rational
    problem = SimpleNamespace(
        id="5", statement=None, parts=("dying-relu",), range=(R(-4), R(4)), beta=None,
        examples=(Example({"x1": R(2), "x2": R(1)}, {"a": R(0)}),
                  Example({"x1": R(1), "x2": R(3)}, {"a": R(1, 10)})),
        weights={"W1": R(1), "W2": R(1)})
    d = activations.solve(problem).dying_relu
    assert d.initial_weights == (1, 1) and [ex.target for ex in d.examples] == [0, R(1, 10)]
    assert d.relu.states[1].dead and d.dead_gradients_exact_zero
