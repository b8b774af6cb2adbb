"""The figures of ``kind = "boolean"``: the network (its weights as values) and, for two
inputs, the plane with the rows by class and the decision boundary: the separating line
when one exists, else the lines x1 + x2 = k + 1/2 where the designed network's output
crosses 1/2 (XOR's two lines). Lines are clipped to the drawn square here."""

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.expr import symbol
from symderiv.calculus.latex import TeX, latex
from symderiv.render.figures import network_diagram, xor_plane

BOX = (sp.Rational(-1, 2), sp.Rational(3, 2))   # the square the plane figure draws


@dataclass(frozen=True)
class Boundary:
    start: tuple[float, float]
    end: tuple[float, float]
    label: TeX


def boolean_figures(solution, precision) -> dict:
    out = {"network": network_diagram(solution.network, edge_labels="value",
                                      precision=precision)}
    xs = [symbol(n) for n in solution.network.inputs]
    *w, b = solution.model
    out["unit"] = TeX(f"${latex(sp.Add(*[wk * xk for wk, xk in zip(w, xs)], b))}$")
    if solution.separator is not None:
        sep = solution.separator
        lhs = sp.Add(*[wk * xk for wk, xk in zip(sep.weights, xs)], sep.bias)
        out["separator_lhs"] = latex(lhs)
        out["separator"] = latex(sp.Eq(lhs, 0))
    if solution.certificate is not None:
        c = solution.certificate
        # row i's inequality, labelled by its inputs: w·xᵢ + b > 0 where the target is 1,
        # −(w·xᵢ + b) ≥ 0 where it is 0 (the unit is only asked not to exceed 0 there)
        out["certificate_rows"] = tuple(
            TeX(rf"{latex(_row_inequality(term, solution.rows[i].expected))} & "
                rf"({_inputs(solution.rows[i], xs)})")
            for i, term in zip(c.rows, c.terms))
    if len(solution.network.inputs) == 2:
        x1, x2 = solution.network.inputs
        out["plane"] = xor_plane(((*r.inputs, r.expected) for r in solution.rows), x1, x2)
        out["boundaries"] = boundaries(solution)
    return out


def _row_inequality(term, expected) -> sp.Basic:
    relation = sp.StrictGreaterThan if expected == 1 else sp.GreaterThan
    return relation(term, 0, evaluate=False)


def _inputs(row, xs) -> TeX:
    return TeX(", ".join(f"{latex(x)} = {v}" for x, v in zip(xs, row.inputs)))


def boundaries(solution) -> tuple[Boundary, ...]:
    x, y = (symbol(n) for n in solution.network.inputs)
    lines = []
    if solution.separator is not None:
        (a, b), c = solution.separator.weights, solution.separator.bias
        lines.append((a, b, c))
    elif solution.construction == "symmetric":
        g = {sum(r.inputs): r.expected for r in solution.rows}
        lines += [(1, 1, -(k + sp.Rational(1, 2))) for k in range(2) if g[k] != g[k + 1]]
    out = []
    for a, b, c in lines:
        ends = clip(a, b, c)
        if ends:
            out.append(Boundary(*ends, latex(sp.Eq(a * x + b * y + c, 0))))
    return tuple(out)


def clip(a, b, c):
    """Where a·x + b·y + c = 0 crosses the square BOX², as two points, or None."""
    lo, hi = BOX
    points = []
    for edge in (lo, hi):
        if b != 0:
            yv = -(a * edge + c) / sp.Integer(b)
            if lo <= yv <= hi:
                points.append((edge, yv))
        if a != 0:
            xv = -(b * edge + c) / sp.Integer(a)
            if lo <= xv <= hi:
                points.append((xv, edge))
    points = sorted(set(points))
    if len(points) < 2:
        return None
    return tuple((float(px), float(py)) for px, py in (points[0], points[-1]))
