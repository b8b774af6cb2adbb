"""symderiv: neural-network coursework as verified mathematics.

    import symderiv as sd
    sheet = sd.load("examples/hw6.toml")      # or sd.loads(toml_text), sd.sheet(dict)
    solutions = sd.solve(sheet)               # s.to_json(); shown as worked steps in Jupyter
    tex = sd.render(solutions, format="tex")
    sd.derive("tanh").df_in_output            # (1 + a)*(1 - a)
    sd.verify("tanh(x)", "2*sigmoid(2*x) - 1").equal
    sd.check(text).wrong

The calls live in :mod:`symderiv.api`; importing symderiv stays cheap (SymPy loads on the
first call, not here).
"""

from symderiv.errors import InputError

__version__ = "0.1.0"
__all__ = ["load", "loads", "sheet", "solve", "render", "derive", "verify", "check",
           "export", "InputError"]


def __getattr__(name: str):
    # PEP 562: the api module (and with it SymPy) is imported on first use.
    if name in __all__:
        from symderiv import api

        return getattr(api, name)
    raise AttributeError(f"module 'symderiv' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
