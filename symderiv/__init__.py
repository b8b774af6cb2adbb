"""symderiv: neural-network coursework as verified mathematics.

    import symderiv as sd
    sheet = sd.load("examples/hw6.toml")      # or sd.loads(toml_text), sd.sheet(dict)
    solutions = sd.solve(sheet)               # s.to_json(); shown as worked steps in Jupyter
    tex = sd.render(solutions, format="tex")
    sd.derive("tanh").df_in_output            # (1 + a)*(1 - a)
    sd.verify("tanh(x)", "2*sigmoid(2*x) - 1").equal
    sd.check(text).wrong

The calls live in :mod:`symderiv.api`. Importing symderiv stays cheap: SymPy loads on the
first call, not here.
"""

import functools
import importlib
import sys
import types

from symderiv.errors import InputError

__version__ = "0.1.0"
__all__ = ["load", "loads", "sheet", "solve", "render", "derive", "verify", "check",
           "export", "InputError"]
_CALLS = frozenset(__all__) - {"InputError"}


def __getattr__(name: str):
    # PEP 562: symderiv.api is imported on first use (it, in turn, imports SymPy only
    # inside the calls).
    if name in _CALLS:
        return getattr(importlib.import_module("symderiv.api"), name)
    raise AttributeError(f"module 'symderiv' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})


class _CallAndPackage:
    """``sd.render``, ``sd.check`` and ``sd.export`` are calls, and ``symderiv.render``,
    ``symderiv.check`` and ``symderiv.export`` are subpackages: called, this is the call;
    its other attributes are the subpackage's, so ``import symderiv.check.judge as judge``
    still works."""

    def __init__(self, name: str):
        self._package = f"symderiv.{name}"
        functools.update_wrapper(self, getattr(importlib.import_module("symderiv.api"), name))

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(importlib.import_module(self._package), name)

    def __repr__(self) -> str:
        return f"<function symderiv.{self.__name__}>"


class _SharedName:
    """The module attribute ``render``/``check``/``export``: always the call. The import system sets
    the attribute to the subpackage when it loads one; that write is set aside (the
    subpackage stays in ``sys.modules`` and behind the call's attributes)."""

    def __set_name__(self, owner, name: str):
        self.name = name

    def __get__(self, module, owner=None):
        if module is None:
            return self
        call = module.__dict__.get(f"_{self.name}_call")
        if call is None:
            call = module.__dict__[f"_{self.name}_call"] = _CallAndPackage(self.name)
        return call

    def __set__(self, module, value):
        pass


class _Library(types.ModuleType):
    render = _SharedName()
    check = _SharedName()
    export = _SharedName()


sys.modules[__name__].__class__ = _Library
