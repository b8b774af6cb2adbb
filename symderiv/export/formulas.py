"""What an export writes, as plain data: straight-line programs of SymPy formulas.

An activation gives three one-argument programs, f(z), df(z) and df_from_output(a) (the
last only where an output form exists). A backprop problem gives one program whose
arguments are the parameters, inputs and targets (each with the spec's value as default)
and whose results are the loss and every asked gradient. The problem's formulas come from
the per-neuron walk of :func:`symderiv.nets.backprop.closed_form` (never a nested loss
differentiated), which names each neuron's values once; ``sympy.cse`` then names every
other shared subexpression once, so their size grows linearly with the network.

Code targets (``for_code=True``) first get the overflow-free forms the evaluator uses:
1/(1+e^u) as σ, log(1+e^u) as softplus, and every constant subexpression (√(2/π)) as one
float; small integers and fractions stay exact (2, 1/2 are exact in every language).
"""

import heapq
import math
from collections import Counter
from pathlib import Path

import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

from symderiv.records import dataclass
from symderiv.calculus.activations import OUTPUT, Z, BoundActivation, resolve
from symderiv.calculus.expr import parse_formula, symbol
from symderiv.calculus.latex import TeX
from symderiv.calculus.outputform import fold_sigmoid
from symderiv.errors import InputError
from symderiv.nets.backprop import closed_form, WalkError
from symderiv.nets.graph import Graph
from symderiv.nets.losses import LOSSES, loss_expression

# Rationals whose numerator or denominator a double cannot hold exactly are printed as
# one correctly rounded float (SELU's 31-digit constants), not as a quotient of huge ints.
EXACT_INT = 2 ** 53
READABLE_DIGITS = 13


class Temporary(sp.Symbol):
    """A subexpression that ``sympy.cse`` named; each printer writes it its own way."""


class softplus(sp.Function):  # noqa: N801 -- named as the function it is, like sympy.exp
    """log(1 + e^x), which the code printers write in a form that cannot overflow."""

    nargs = 1


class sech2(sp.Function):  # noqa: N801
    """1 − tanh²x, which the code printers write as 4e^{−2|x|}/(1 + e^{−2|x|})², the
    evaluator's form: 1 − tanh² cancels to 0 long before the value underflows (x = 20)."""

    nargs = 1


@dataclass(frozen=True)
class Argument:
    symbol: sp.Symbol
    default: float | None  # the spec's value; None for an activation's input


@dataclass(frozen=True)
class Result:
    name: str         # the function a user calls: f, df, loss, grad_w5
    label: sp.Expr    # what it is, for LaTeX and MathML: f(z), ∂E/∂w5
    value: sp.Expr    # in the arguments and the temporaries


@dataclass(frozen=True)
class Program:
    """Straight-line code: arguments, temporaries (in order), then results."""

    arguments: tuple[Argument, ...]
    temporaries: tuple[tuple[Temporary, sp.Expr], ...]
    results: tuple[Result, ...]


@dataclass(frozen=True)
class Formulas:
    """Everything one export writes. ``kind``: "activation" (one program per function) or
    "problem" (one program for all results). ``source``: the header's lines."""

    kind: str
    title: str
    source: tuple[str, ...]
    programs: tuple[Program, ...]
    output: sp.Symbol | None = None   # the a of df_from_output(a)
    variable: sp.Symbol | None = None


# -- activations --------------------------------------------------------------------------------

def activation_formulas(target, for_code: bool) -> Formulas:
    """``target``: a registry name, a formula in one variable, a SymPy expression, or a
    spec-style table (``{"name": "swish", "beta": 1.5}``)."""
    name, bound = _bound_activation(target)
    f, df = bound.expr(Z), bound.derivative(Z)
    form = bound.derivative_in_output(OUTPUT)
    fz = sp.Function("f")(Z)
    programs = [_program((Argument(Z, None),), [("f", fz, f)], for_code, for_code),
                _program((Argument(Z, None),), [("df", sp.Derivative(fz, Z), df)], for_code,
                         for_code)]
    source = [f"f(z) = {sp.sstr(_readable(f))}", f"f'(z) = {sp.sstr(_readable(df))}"]
    if form is None:
        source.append("df_from_output: none (f' cannot be written in a = f(z))")
    else:
        programs.append(_program((Argument(OUTPUT, None),),
                                 [("df_from_output", sp.Derivative(fz, Z), form)], for_code,
                                 for_code))
        source.append(f"f'(z) in a = f(z): {sp.sstr(_readable(form), order='none')}")
    return Formulas("activation", f"activation {name}", tuple(source), tuple(programs),
                    output=OUTPUT, variable=Z)


def _bound_activation(target) -> tuple[str, BoundActivation]:
    if isinstance(target, sp.Expr):
        return sp.sstr(target), _formula_activation(target, "TARGET")
    if isinstance(target, str):
        text = " ".join(target.split())
        try:
            bound = resolve(text, "TARGET")
        except InputError:
            bound = None  # not a registry name: read it as a formula in any one variable
        if bound is not None and bound.elementwise:
            return text, bound
        if bound is None:
            return text, _formula_activation(parse_formula(text, "TARGET"), "TARGET")
        raise InputError("TARGET", f"{text} acts on a whole layer, not on one z; "
                                   "export takes elementwise activations")
    if isinstance(target, dict):
        bound = resolve(target, "TARGET")
        if not bound.elementwise:
            raise InputError("TARGET", f"{bound.name} acts on a whole layer; "
                                       "export takes elementwise activations")
        params = ", ".join(f"{k}={sp.sstr(v)}" for k, v in bound.params.items())
        return f"{bound.name}({params})" if params else bound.name, bound
    raise InputError("TARGET", "expected an activation name, a formula, a SymPy expression, "
                               "a spec file or a loaded sheet")


def _formula_activation(f: sp.Expr, where: str) -> BoundActivation:
    free = sorted(f.free_symbols, key=str)
    if len(free) > 1:
        raise InputError(where, f"a formula to export has one variable; this one has "
                                f"{', '.join(map(str, free))}")
    if f.has(sp.Derivative, sp.Integral, sp.Subs):
        raise InputError(where, "write the function itself; export derives it")
    at_z = f.xreplace({free[0]: Z}) if free else f
    return BoundActivation(name=sp.sstr(f), params={}, latex_name=TeX("f"), _formula=at_z)


# -- problems -------------------------------------------------------------------------------------

def problem_formulas(sheet, problem_id: str | None, for_code: bool) -> Formulas:
    """The loss and every asked gradient of one backprop problem of ``sheet``."""
    problem = _pick_problem(sheet, problem_id)
    net, training = problem.network, problem.training
    count = len(problem.examples)
    params = {k: symbol(k) for k in net.parameters()}
    arguments = [Argument(params[k], float(v)) for k, v in net.parameters().items()]
    examples = []
    for k, ex in enumerate(problem.examples, start=1):
        suffix = "" if count == 1 else f"_{k}"
        inputs = {n: symbol(f"{n}{suffix}") for n in net.inputs}
        arguments += [Argument(inputs[n], float(ex.inputs[n])) for n in net.inputs]
        if training.output is None:
            targets = {n: symbol(f"y_{n}{suffix}") for n in net.outputs}
            arguments += [Argument(targets[n], float(ex.targets[n])) for n in net.outputs]
        else:  # loss = "output": the targets only select the output, they are not data
            targets = dict(ex.targets)
        examples.append((inputs, targets))
    _check_unique(arguments, problem)
    try:
        definitions, loss, grads = closed_form(net, examples, training.loss, params,
                                               decay=training.weight_decay,
                                               inputs=training.input_gradients)
    except WalkError as e:  # a formula activation with no value, caught building formulas
        raise InputError(sheet.source, f"problem[{problem.position}]: {e.message}") from None
    E = symbol(training.loss_symbol)
    wrt = {**params, **{x: symbol(x) for x in training.input_gradients}}
    results = [("loss", E, loss)]
    results += [(f"grad_{p}", sp.Derivative(E, wrt[p]), grads[p])
                for p in (*training.gradients, *training.input_gradients)]
    title = f"problem {problem.id} of {sheet.source}"
    return Formulas("problem", title, _network_lines(problem, E),
                    (_program(tuple(arguments), results, for_code, definitions=definitions),))


def _pick_problem(sheet, problem_id: str | None):
    exportable = [p for p in sheet.problems if p.kind == "backprop" and p.training is not None]
    if problem_id is not None:
        for p in sheet.problems:
            if p.id == problem_id:
                if p not in exportable:
                    raise InputError("--problem", f"problem {p.id} (kind {p.kind}) has no loss; "
                                                  "export takes backprop problems with "
                                                  "[problem.training]")
                return p
        raise InputError("--problem", f"no problem {problem_id!r} in {sheet.source} "
                                      f"(ids: {', '.join(p.id for p in sheet.problems)})")
    if len(exportable) == 1:
        return exportable[0]
    if not exportable:
        raise InputError(sheet.source, "no backprop problem with [problem.training] to export")
    raise InputError("--problem", f"{sheet.source} has several backprop problems; name one "
                                  f"({', '.join(p.id for p in exportable)})")


def _check_unique(arguments, problem) -> None:
    seen = set()
    for a in arguments:
        if a.symbol.name in seen:
            raise InputError(problem.source, f"problem[{problem.position}]: the exported "
                                             f"argument {a.symbol.name} would name two values; "
                                             "rename the parameter, input or neuron")
        seen.add(a.symbol.name)


def _network_lines(problem, E: sp.Symbol) -> tuple[str, ...]:
    """The source formulas: one line per neuron, then the loss (several examples: summed)."""
    net, training = problem.network, problem.training
    graph = Graph(net)
    lines = []
    for layer in net.layers:
        zs = [graph.net_input_expr(n) for n in layer.neurons]
        for j, n in enumerate(layer.neurons):
            lines.append(f"{n} = {sp.sstr(layer.activation.layer_expr(zs, j))}")
    outputs = [symbol(n) for n in net.outputs]
    if training.output is None:
        targets = [symbol(f"y_{n}") for n in net.outputs]
    else:
        targets = [sp.Integer(n == training.output) for n in net.outputs]
    loss = loss_expression(training.loss, outputs, targets,
                           logits=training.loss == "ce" and net.layers[-1].activation.elementwise)
    if training.weight_decay:
        loss += training.weight_decay / 2 * sp.Add(*[symbol(w) ** 2 for w in net.weights])
    described = (LOSSES[training.loss].description if training.output is None
                 else f"the value of the output {training.output}")
    if training.weight_decay:
        described += ", plus weight decay on the weights"
    lines.append(f"{E} = {sp.sstr(loss)}  ({described})")
    if len(problem.examples) > 1:
        over = "averaged" if LOSSES[training.loss].averaged else "summed"
        lines.append(f"{over} over {len(problem.examples)} examples; example k's inputs and "
                     f"targets are the arguments suffixed _k")
    return tuple(lines)


# -- programs ------------------------------------------------------------------------------------

def _program(arguments, results, for_code: bool, share: bool = True,
             definitions=()) -> Program:
    """Straight-line code for ``results`` (name, label, formula), whose formulas may use the
    names of ``definitions`` (the walk's per-neuron values). ``sympy.cse`` runs over all of
    them at once, so a subexpression two formulas share is named once; then only what the
    results need is kept, in an order that defines each name before its use, and the names
    are numbered in that order. ``share=False``: the formulas as they are (one short
    formula, for a reader)."""
    definitions = _needed_in_order(list(definitions), [v for _, _, v in results])
    names = [s for s, _ in definitions]
    values = [v for _, v in definitions] + [v for _, _, v in results]
    values = code_forms(values) if for_code else [_readable(v) for v in values]
    found, reduced = [], values
    if share:
        # order="none": the canonical order counts every node of the unshared tree;
        # SymPy's own argument order is deterministic already.
        found, reduced = sp.cse(values, order="none",
                                symbols=sp.numbered_symbols("_cse", real=True))
    assignments = [*found, *zip(names, reduced[:len(names)])]
    outputs = reduced[len(names):]
    assignments, outputs = _without_aliases(assignments, outputs)
    ordered, outputs = _inline_single_use(_needed_in_order(assignments, outputs), outputs)
    number = {old: Temporary(f"_t{i}") for i, (old, _) in enumerate(ordered)}
    return Program(tuple(arguments),
                   tuple((number[s], e.xreplace(number)) for s, e in ordered),
                   tuple(Result(name, label, v.xreplace(number))
                         for (name, label, _), v in zip(results, outputs)))


def _without_aliases(assignments, outputs):
    """Drop ``x = y`` (a name for a name, or for a number): y is used instead of x."""
    alias = {}
    kept = []
    for s, e in assignments:
        e = e.xreplace(alias)
        if e.is_Atom:
            alias[s] = e
        else:
            kept.append((s, e))
    return [(s, e.xreplace(alias)) for s, e in kept], [o.xreplace(alias) for o in outputs]


def _inline_single_use(ordered, outputs):
    """A name used once is replaced by its formula there (z in σ(z)); each formula is
    still written once, so the size stays linear."""
    uses = Counter(u for e in [*(e for _, e in ordered), *outputs]
                   for u in sp.preorder_traversal(e) if isinstance(u, sp.Symbol))
    inline, kept = {}, []
    for s, e in ordered:
        e = e.xreplace(inline)
        if uses[s] == 1:
            inline[s] = e
        else:
            kept.append((s, e))
    return kept, [o.xreplace(inline) for o in outputs]


def _needed_in_order(assignments, outputs):
    """The assignments the outputs need, each after those it uses; among the ready ones the
    first given goes first (the walk's forward order)."""
    position = {s: i for i, (s, _) in enumerate(assignments)}
    uses = {s: [u for u in e.free_symbols if u in position] for s, e in assignments}
    needed, todo = set(), [u for o in outputs for u in o.free_symbols if u in position]
    while todo:
        s = todo.pop()
        if s not in needed:
            needed.add(s)
            todo.extend(uses[s])
    waiting = {s: sum(1 for u in uses[s]) for s in needed}
    users = {s: [] for s in needed}
    for s in needed:
        for u in uses[s]:
            users[u].append(s)
    ready = [position[s] for s in needed if waiting[s] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        s, e = assignments[heapq.heappop(ready)]
        ordered.append((s, e))
        for user in users[s]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, position[user])
    return ordered


def code_forms(values: list[sp.Expr]) -> list[sp.Expr]:
    """The formulas as code should compute them: σ and softplus recognised (their printers
    write overflow-free forms) and each constant subexpression one float. Bottom up, once
    per distinct subexpression: a network's formulas share most of their nodes."""
    done: dict[sp.Basic, tuple[sp.Basic, bool]] = {}

    def walk(e):
        """(e rewritten, whether e is a constant)."""
        if e in done:
            return done[e]
        if e.is_Atom:
            out = (_as_float(e) if e.is_number else e, not e.free_symbols)
        else:
            parts = [walk(a) for a in e.args]
            constant = (all(c for _, c in parts) and isinstance(e, sp.Expr)
                        and not isinstance(e, (sp.Piecewise, ExprCondPair)))
            new = e.func(*[a for a, _ in parts]) if any(
                a is not b for (a, _), b in zip(parts, e.args)) else e
            out = (_as_float(new) if constant else _stable(new), constant)
        done[e] = out
        return out

    return [walk(sp.sympify(v))[0] for v in values]


def _readable(e: sp.Expr) -> sp.Expr:
    """For a reader: a rational of more than READABLE_DIGITS digits (SELU's λα, 62 of them)
    as its 17 significant digits, the precision of every code target."""
    long = {r: sp.Float(r, 17) for r in e.atoms(sp.Rational)
            if max(abs(r.p), r.q) >= 10 ** READABLE_DIGITS}
    return e.xreplace(long) if long else e


def _stable(e: sp.Expr) -> sp.Expr:
    if isinstance(e, sp.log) and _one_plus(e.args[0]) is not None:
        other = _one_plus(e.args[0])
        if isinstance(other, sp.exp):
            return softplus(other.args[0])
    other = _one_plus(e)
    if other is not None and other.is_Mul and len(other.args) == 2 and other.args[0] == -1:
        square = other.args[1]
        if square.is_Pow and square.exp == 2 and isinstance(square.base, sp.tanh):
            return sech2(square.base.args[0])
    return fold_sigmoid(e)


def _one_plus(e: sp.Expr) -> sp.Expr | None:
    """u when ``e`` is 1 + u, else None."""
    if e.is_Add and len(e.args) == 2 and sp.S.One in e.args:
        (other,) = [t for t in e.args if t != 1]
        return other
    return None


def _as_float(e: sp.Expr) -> sp.Expr:
    """A constant as one float, unless exact and small (2, 1/2: exact in every target)."""
    if e.is_Integer and abs(e) < EXACT_INT or e.is_Rational and abs(e.p) < EXACT_INT \
            and e.q < EXACT_INT:
        return e
    value = e.evalf(30)
    if not value.is_Float or not math.isfinite(float(value)):
        raise InputError("TARGET", f"the constant {sp.sstr(e)} is not a real number within "
                                   "the range of a double")
    return sp.Float(float(value))


def is_spec_path(target) -> bool:
    """A str or Path naming a spec file (rather than an activation or formula)."""
    if isinstance(target, Path):
        return True
    return isinstance(target, str) and (target.endswith(".toml") or Path(target).is_file())
