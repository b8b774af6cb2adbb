"""Safe formula parsing: plain-math text to SymPy, without eval (being built)."""

import sympy as sp


def symbol(name: str) -> sp.Symbol:
    """The one way symderiv makes a symbol: every variable is real (z, a, w5, h1, β)."""
    return sp.Symbol(name, real=True)
