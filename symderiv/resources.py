"""Where the built-in templates and example specs are.

In a wheel they are the subpackages ``symderiv.templates`` and ``symderiv.examples``
(pyproject.toml maps the top-level folders there). In a source checkout or an editable
install, the mapping does not exist, so they are the top-level folders beside the package.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _folder(name: str) -> Path:
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    """The built-in Jinja2 templates (the top-level ``templates/``)."""
    return _folder("templates")


def examples_dir() -> Path:
    """The built-in example specs (the top-level ``examples/``), e.g. ``hw6.toml``."""
    return _folder("examples")
