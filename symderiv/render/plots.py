"""Plot data for pgfplots: curves sampled in Python as coordinate lists.

pgfplots cannot evaluate erf (GELU) or σ reliably, so every curve is sampled here from the
same SymPy expression the sheet prints, and the figure template
(``latex/figures/curves.tex.j2``) only draws the coordinates. A curve with a jump (ReLU′
at 0) is sampled as separate segments, each up to the one-sided limit, so no vertical
line is drawn through the jump. Legend entries are printer output.
"""

import functools

import sympy as sp

from symderiv.records import dataclass
from symderiv.calculus.functions import to_elementary
from symderiv.calculus.latex import TeX, format_decimal, latex

SAMPLES = 161        # points per curve over the plotted range (every 0.05 on [−4, 4])
PLACES = 4           # decimals written per coordinate: far below a line's width
EDGE = 1e-9          # how close to a jump a segment's end is sampled
PAD = 0.08           # fraction of the data's height added above and below


@dataclass(frozen=True)
class Curve:
    label: TeX                                           # legend entry (math mode)
    segments: tuple[tuple[tuple[float, float], ...], ...]
    dashed: bool = False

    @property
    def coordinates(self) -> TeX:
        """All segments for one ``\\addplot coordinates``, a (x, nan) gap between two
        (drawn as a gap under pgfplots' ``unbounded coords=jump``)."""
        gaps = [TeX(f"({_num(seg[-1][0])},nan)") for seg in self.segments[:-1]]
        parts = [coordinates(self.segments[0])]
        for gap, seg in zip(gaps, self.segments[1:]):
            parts += [gap, coordinates(seg)]
        return TeX(" ".join(parts))


@dataclass(frozen=True)
class Plot:
    xlabel: TeX
    xmin: float
    xmax: float
    ymin: float
    ymax: float
    curves: tuple[Curve, ...]


def sample(expr, var, lo, hi, breaks=(), samples=SAMPLES):
    """``expr`` at ``samples`` even points of [lo, hi], split into segments at ``breaks``."""
    f = _float_function(to_elementary(expr).rewrite(sp.Piecewise), var)
    # floats: each operation rounds to 53 bits as mpmath's default context would
    lo, hi = float(sp.N(lo, 20)), float(sp.N(hi, 20))
    xs = [lo + (hi - lo) * k / (samples - 1) for k in range(samples)]
    cuts = sorted(float(sp.N(b, 20)) for b in breaks if lo < b < hi)
    segments, start = [], lo
    for cut in [*cuts, hi]:
        inner = [x for x in xs if start < x < cut]
        ends = [start + (EDGE if start > lo else 0), cut - (EDGE if cut < hi else 0)]
        points = [ends[0], *inner, ends[1]]
        segments.append(tuple((float(x), f(x)) for x in points))
        start = cut
    return tuple(segments)


def _float_function(expr, var):
    """expr in machine floats (the coordinates are floats, written to PLACES decimals);
    mpmath, which neither overflows nor lacks a function, where floats cannot (made only
    then: most curves never need it)."""
    slow = functools.cache(lambda: _lambdify(var, expr, "mpmath"))
    try:
        fast = _lambdify(var, expr, "math")
    except (NameError, KeyError, TypeError):
        return lambda x: float(slow()(x))

    def f(x):
        try:
            return float(fast(x))
        except (OverflowError, NameError, TypeError, ValueError):
            return float(slow()(x))
    return f


def _lambdify(var, expr, module):
    # No docstring: lambdify would print the expression into one, for no reader.
    return sp.lambdify(var, expr, module, docstring_limit=-1)


def plot(curves, lo, hi, xlabel) -> Plot:
    """A plot of ``curves`` (each a :class:`Curve`) over [lo, hi], y-range from the data."""
    ys = [y for c in curves for seg in c.segments for _, y in seg]
    pad = PAD * ((max(ys) - min(ys)) or 1.0)
    return Plot(xlabel, float(lo), float(hi), min(ys) - pad, max(ys) + pad, tuple(curves))


def coordinates(segment) -> TeX:
    """A segment as pgfplots ``coordinates`` content: ``(x,y) (x,y) …``."""
    return TeX(" ".join(f"({_num(x)},{_num(y)})" for x, y in segment))


def _num(value: float) -> str:
    return format_decimal(value, PLACES)


# -- the figures of kind = "activations" ---------------------------------------------------

def tanh_plot(vanishing, lo, hi) -> Plot:
    """Seed figure 5: tanh z and its derivative 1 − tanh²z on one axis."""
    act, z = vanishing.activation, vanishing.z_var
    return plot((Curve(latex(act.expr(z)), sample(act.expr(z), z, lo, hi)),
                 Curve(latex(act.derivative(z)), sample(act.derivative(z), z, lo, hi),
                       dashed=True)), lo, hi, latex(z))


def activation_plots(swish_gelu, lo, hi) -> tuple[Plot, Plot]:
    """Seed figures 7 and 8: ReLU, Swish (each plotted β) and GELU, then their derivatives."""
    x = swish_gelu.x
    jumps = {s.name: () if s.continuous else (0,) for s in swish_gelu.smoothness}
    acts = [("relu", swish_gelu.relu),
            *(("swish", act) for _, act in swish_gelu.swish_by_beta),
            ("gelu", swish_gelu.gelu.activation)]
    values, slopes = [], []
    for name, act in acts:
        values.append(Curve(latex(act.expr(x)), sample(act.expr(x), x, lo, hi)))
        slope_label = latex(sp.Derivative(act.expr(x), x, evaluate=False))
        slopes.append(Curve(slope_label, sample(act.derivative(x), x, lo, hi, jumps[name])))
    return plot(values, lo, hi, latex(x)), plot(slopes, lo, hi, latex(x))

