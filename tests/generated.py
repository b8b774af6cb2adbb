"""The generators under tests/data/check/ write the check corpora from mpmath values; each
corpus's test loads its generator here and holds the files on disk to what it writes."""

import importlib.util
from pathlib import Path


def load_generator(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_written_by(generator: Path, folder: Path) -> None:
    """Every document in ``folder`` is exactly what ``generator``'s DOCUMENTS write."""
    for name, make in load_generator(generator).DOCUMENTS.items():
        assert (folder / name).read_text(encoding="utf-8") == make(), name
