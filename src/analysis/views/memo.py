"""The summary table, memoised on disk so the suite's notebooks (one per region) build it once.

The key covers the facts, the reference table, the sample flag and :func:`analysis.fingerprint.package_digest`
(a digest of the package's code and catalogues), so any change rebuilds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from analysis.fingerprint import package_digest


def _code_digest() -> str:
    """Digest of the package's code and catalogues (a code change invalidates cached summaries)."""
    return package_digest()


def _frame_digest(df: pd.DataFrame | None) -> bytes:
    if df is None:
        return b"none"
    cols = ",".join(map(str, df.columns)).encode()
    values = pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes()
    return hashlib.sha256(cols + values).digest()


def summary_key(facts: pd.DataFrame, reference: pd.DataFrame | None, is_sample: bool) -> str:
    """The cache key of a summary table: facts, reference table, sample flag and package code."""
    h = hashlib.sha256(_code_digest().encode())
    h.update(_frame_digest(facts))
    h.update(_frame_digest(reference))
    h.update(b"sample" if is_sample else b"real")
    return h.hexdigest()[:32]


def cached_summary(facts: pd.DataFrame, reference: pd.DataFrame | None = None, is_sample: bool = False,
                   cache_dir: str | Path | None = None) -> pd.DataFrame:
    """:func:`analysis.stats.summary.build_summary`, memoised as a parquet file in ``cache_dir``.

    The suite runs one notebook per region; each would otherwise import scipy and rebuild the same
    table. The key (:func:`summary_key`) covers the facts, the reference table, the sample flag and a
    digest of the package's code and catalogues, so any change rebuilds. The file is written atomically;
    an unreadable cache file is ignored. ``cache_dir=None`` builds without caching.
    """
    path = Path(cache_dir) / f"summary-{summary_key(facts, reference, is_sample)}.parquet" if cache_dir else None
    if path is not None and path.is_file():
        try:
            return pd.read_parquet(path)
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt
            pass
    from analysis.stats.summary import build_summary

    summary = build_summary(facts, reference=reference, is_sample=is_sample)
    if path is not None:
        from analysis.atomic import atomic_path

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                summary.to_parquet(tmp, index=False)
        except OSError:
            pass  # caching is an optimisation only
    return summary


def summary_cache_dir(output_dir: str | Path) -> Path:
    """Where the notebooks of one output folder share their summary tables: ``<output_dir>/.cache/summary``."""
    return Path(output_dir) / ".cache" / "summary"
