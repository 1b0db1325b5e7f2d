"""Content fingerprints (base layer): the package's own code and data, and single files.

:func:`package_digest` changes whenever any code or data file of the installed ``analysis`` package
changes (or its version), so caches keyed on it (the report runner's build state, the memoised summary
tables of ``analysis.views``) are invalidated by a code edit without a version bump.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE_SUFFIXES = (".py", ".csv", ".yaml", ".j2", ".json", ".css")
_CHUNK = 1 << 20
_PACKAGE_ROOT = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """SHA-256 over ``analysis.__version__`` and every code/data file of the installed package."""
    from analysis import __version__

    root = _PACKAGE_ROOT
    h = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.suffix in PACKAGE_SUFFIXES and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root).as_posix()).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def file_digest(path: Path | str) -> str:
    """SHA-256 of a file's bytes (``"missing"`` when the file does not exist)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except FileNotFoundError:
        return "missing"
    return h.hexdigest()
