"""The summary table and the rolled-up facts, memoised on disk so the suite's notebooks (one per region)
build them once.

The keys cover the facts (and for the summary the reference table and the sample flag) and
:func:`analysis.fingerprint.package_digest` (a digest of the package's code and catalogues), so any change
rebuilds.
"""

from __future__ import annotations

import contextlib
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
    from analysis.stats.summary import build_summary

    path = Path(cache_dir) / f"summary-{summary_key(facts, reference, is_sample)}.parquet" if cache_dir else None
    return _memoised(path, lambda: build_summary(facts, reference=reference, is_sample=is_sample))


def rollups_key(facts: pd.DataFrame) -> str:
    """The cache key of :func:`cached_rollups`: the facts and the package code."""
    h = hashlib.sha256(b"rollups" + _code_digest().encode())
    h.update(_frame_digest(facts))
    return h.hexdigest()[:32]


DTYPES_KEY = b"enforcement.dtypes"
"""Parquet schema metadata of a cached frame: its pandas column types by name (a frame read back without
them would get pandas' inferred string type where the computation gives ``object``)."""


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis.atomic import atomic_path

    table = pa.Table.from_pandas(frame, preserve_index=False)
    dtypes = json.dumps({str(c): t.name for c, t in frame.dtypes.items()}).encode()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), DTYPES_KEY: dtypes})
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _read_frame(path: Path) -> pd.DataFrame:
    import json

    import pyarrow.parquet as pq

    table = pq.read_table(path)
    dtypes = json.loads(table.schema.metadata[DTYPES_KEY])
    frame = table.to_pandas()
    if list(frame.columns) != list(dtypes):
        raise ValueError("columns differ from the recorded types")
    return frame.astype(dtypes)


def cached_rollups(facts: pd.DataFrame, cache_dir: str | Path | None = None) -> pd.DataFrame:
    """:func:`analysis.stats.hierarchy.with_rollups`, memoised as a parquet file in ``cache_dir``.

    Every notebook of a run would otherwise sum the same children again (about 0.15 s each). The file
    records the column types, so a hit equals a fresh computation exactly, types included
    (``tests/test_views.py``). Written atomically; an unreadable cache file is ignored;
    ``cache_dir=None`` computes without caching.
    """
    from analysis.stats.hierarchy import with_rollups

    path = Path(cache_dir) / f"rollups-{rollups_key(facts)}.parquet" if cache_dir else None
    return _memoised(path, lambda: with_rollups(facts))


def _memoised(path: Path | None, compute) -> pd.DataFrame:
    """``compute()``, read from ``path`` when a readable cache file is there, else computed and written
    (atomically; a failed write only loses the saving). ``path=None`` computes without caching."""
    if path is not None and path.is_file():
        try:
            return _read_frame(path)
        except Exception:  # noqa: BLE001 - a damaged (or older, untyped) cache file is computed again
            pass
    out = compute()
    if path is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            _write_frame(out, path)
    return out


def summary_cache_dir(output_dir: str | Path) -> Path:
    """Where the notebooks of one output folder share their summary tables: ``<output_dir>/.cache/summary``."""
    return Path(output_dir) / ".cache" / "summary"
