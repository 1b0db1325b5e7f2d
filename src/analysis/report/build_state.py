"""Incremental build state (Ploomber-style): skip a notebook whose inputs did not change.

A job's *key* is a SHA-256 over

- the notebook's content: cell types, sources and tags (outputs, execution counts and other
  metadata are ignored, so opening and saving a notebook in JupyterLab does not force a re-run);
- the parameters passed to it (canonical JSON);
- the content hash of every processed data file it reads (content, not mtime: ``touch`` alone
  does not re-run anything; for ``meta.json`` only the keys in :data:`META_KEYS`);
- :func:`package_digest`: ``analysis.__version__`` plus the bytes of the package's code, catalogues,
  narrative templates and export templates, so editing ``src/analysis`` re-runs what it affects
  without a version bump.

State lives in ``outputs/<year>/.cache/state.json`` and is rewritten atomically right after each
successful job whose executed notebook and HTML are in place, never before. A missing or
corrupt state file just means "run everything".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.atomic import atomic_write_text

# The hashing helpers live in the base layer (the views' summary memo uses them too); re-exported here.
from analysis.fingerprint import PACKAGE_SUFFIXES, file_digest, package_digest  # noqa: F401
from analysis.processed import META_JSON

STATE_VERSION = 1


META_KEYS = ("is_sample", "years", "regions")
"""The parts of ``meta.json`` notebooks depend on. Its provenance (``raw_digest``) and finding counts
change with any raw byte; the quality notebook reads ``quality.csv`` itself, so those alone re-run nothing."""


def data_digest(path: Path | str) -> str:
    """Digest of one processed file as a notebook sees it: ``meta.json`` by :data:`META_KEYS`, else bytes."""
    path = Path(path)
    if path.name == META_JSON:
        try:
            meta = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return file_digest(path)
        if isinstance(meta, dict):
            subset = {k: meta.get(k) for k in META_KEYS}
            return hashlib.sha256(json.dumps(subset, sort_keys=True, default=str).encode()).hexdigest()
    return file_digest(path)


def notebook_digest(path: Path | str) -> str:
    """SHA-256 over a notebook's cell types, sources and tags (not outputs or other metadata)."""
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    parts = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        parts.append([cell.get("cell_type", ""), source, tags])
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
    payload = json.dumps({"cells": parts, "kernel": kernel}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def job_key(notebook: str, parameters: dict[str, Any], data: dict[str, str], version: str) -> str:
    payload = json.dumps(
        {"notebook": notebook, "parameters": parameters, "data": data, "version": version},
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class BuildState:
    """The contents of ``state.json``: finished jobs and cached notebook inspections."""

    path: Path
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    notebooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str) -> BuildState:
        path = Path(path)
        try:
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                raise ValueError("unknown state version")
            return cls(
                path,
                dict(data.get("jobs", {})),
                dict(data.get("notebooks", {})),
                dict(data.get("extra", {})),
            )
        except (OSError, ValueError):
            # Missing or unreadable state: everything is considered stale.
            return cls(path)

    def is_fresh(self, job_id: str, key: str, outputs: list[Path]) -> bool:
        entry = self.jobs.get(job_id)
        return bool(entry) and entry.get("key") == key and all(p.is_file() for p in outputs)

    def record(self, job_id: str, entry: dict[str, Any]) -> None:
        self.jobs[job_id] = entry

    def forget(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def save(self) -> None:
        payload = {
            "version": STATE_VERSION,
            "jobs": self.jobs,
            "notebooks": self.notebooks,
            "extra": self.extra,
        }
        atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True))
