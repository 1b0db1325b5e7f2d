"""Writing a report's tables: one CSV per table and one XLSX workbook (atomic writes, formula-safe text)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd


def _csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    from analysis.present.tables import safe_text

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v if not isinstance(v, str) else safe_text(v))
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


_FILE_BAD = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")


def write_tables(output_dir: str | Path, stem: str, tables: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
    """Write each table as ``<stem>_<name>.csv`` (UTF-8 with BOM, for Excel) and all of them as one
    ``<stem>.xlsx`` workbook (one sheet per table) into ``<output_dir>/tables/``; atomic writes.

    ``name`` is the table's (Chinese) key with anything but letters, digits, CJK, ``_`` and ``-``
    replaced by ``_``. Text cells pass through the spreadsheet formula-injection guard. Returns the
    written paths by table name, plus ``"xlsx"``.
    """
    from analysis.atomic import atomic_path
    from analysis.present.tables import to_xlsx

    folder = Path(output_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for i, (name, df) in enumerate(tables.items(), start=1):
        safe = _FILE_BAD.sub("_", str(name)).strip("_")[:40] or str(i)
        dest = folder / f"{stem}_{safe}.csv"
        with atomic_path(dest) as tmp:
            _csv_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig")
        paths[name] = dest
    paths["xlsx"] = to_xlsx(dict(tables), folder / f"{stem}.xlsx")
    return paths
