"""Which files under the raw folder are data: listed without opening anything."""

from __future__ import annotations

import os
from pathlib import Path

from analysis.clean.findings import QualityReport
from analysis.clean.readers.sniff import TABLE_EXTS

_SKIP_NAMES = {"manifest.csv", "sample", "sample.md", "sample.txt", "thumbs.db", "desktop.ini"}


def _skip_file(name: str) -> bool:
    low = name.lower()
    if name.startswith(".") or name.startswith("~$"):
        return True
    if low in _SKIP_NAMES:
        return True
    return low.startswith("readme")


def discover_files(raw_root: Path, report: QualityReport | None = None) -> list[Path]:
    """All data files under ``raw_root``, sorted by relative path; nothing is opened.

    Hidden files and folders, ``~$`` lock files, ``README*``, ``manifest.csv`` and the ``SAMPLE``
    marker are skipped; symlinked folders are not followed. With ``report``, a skipped hidden file
    whose extension says it is a table (``.x.csv``, ``..%2fevil.xlsx``) gets a ``file_hidden`` error,
    so no figure vanishes silently. macOS ``._*`` resource forks and files inside hidden folders
    (``.git``) are not reported.
    """
    root = Path(raw_root)
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if _skip_file(name):
                if (report is not None and name.startswith(".") and not name.startswith("._")
                        and Path(name).suffix.lower() in TABLE_EXTS):
                    report.add("file_hidden", file=(Path(dirpath) / name).relative_to(root).as_posix())
                continue
            p = Path(dirpath) / name
            if not p.is_file():
                continue
            rel = p.relative_to(root).as_posix()
            found.append((rel, p))
    found.sort(key=lambda t: t[0])
    return [p for _, p in found]
