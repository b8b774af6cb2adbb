"""Where the built-in templates and example specs are.

In a wheel they are the subpackages ``symderiv.templates`` and ``symderiv.examples``
(pyproject.toml maps the top-level folders there). In a source checkout or an editable
install, the mapping does not exist, so they are the top-level folders beside the package.
"""

import importlib.resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(name: str) -> Path:
    local = _CHECKOUT / name
    if (_CHECKOUT / "pyproject.toml").is_file() and local.is_dir():
        return local
    return Path(str(importlib.resources.files(f"symderiv.{name}")))


def templates_dir() -> Path:
    """The built-in Jinja2 templates (the top-level ``templates/``)."""
    return _folder("templates")


def examples_dir() -> Path:
    """The built-in example specs (the top-level ``examples/``), e.g. ``hw6.toml``."""
    return _folder("examples")
