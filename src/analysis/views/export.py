"""Writing a report's tables: one CSV per table and one XLSX workbook (atomic writes, formula-safe text).

Both are made for pasting into a spreadsheet or a document:

- numbers are rounded to the decimals the reader sees (:func:`analysis.present.tables.export_number`), so a
  CSV never carries float noise such as ``42.86004672897196``;
- a ``rank/n`` cell such as ``1/5`` (which Excel opens as the date 1月5日) is written ``第1位（共5个）`` in a
  rank column and ``1（共5）`` elsewhere (:func:`spreadsheet_fraction`);
- the workbook has a title row, the unit, the source and, for sample data, the 示例数据 note on every sheet,
  A4 pages fitted to the width (:func:`analysis.present.tables.to_xlsx`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.views.wording import say

FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
"""A cell Excel would read as a date (``1/5`` -> 1月5日) or a fraction: two whole numbers around a slash."""


def spreadsheet_fraction(text: str, column: str) -> str:
    """``1/5`` as ``第1位（共5个）`` in a column whose name contains 排名 (rank of n peers), else ``1（共5）``;
    any other text unchanged."""
    match = FRACTION.match(text)
    if not match:
        return text
    a, b = match.groups()
    return f"第{a}位（共{b}个）" if "排名" in str(column) else f"{a}（共{b}）"


def _csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    from analysis.present.numbers import is_blank
    from analysis.present.tables import cell_units, export_number
    from analysis.safe_cells import spreadsheet_text

    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_numeric_dtype(series):
            units = cell_units(df, col)
            out[col] = pd.Series([v if is_blank(v) else export_number(v, u) for v, u in zip(series, units)],
                                 index=out.index, dtype=object)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(lambda v, c=col: spreadsheet_text(spreadsheet_fraction(v, c)) if isinstance(v, str)
                                  else v)
    out.columns = [spreadsheet_text(str(c)) for c in out.columns]
    return out


_FILE_BAD = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")


def write_tables(output_dir: str | Path, stem: str, tables: Mapping[str, pd.DataFrame], *,
                 is_sample: bool = False, source: str | None = None,
                 titles: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Write each table as ``<stem>_<name>.csv`` (UTF-8 with BOM, for Excel) and all of them as one
    ``<stem>.xlsx`` workbook (one sheet per table) into ``<output_dir>/tables/``; atomic writes.

    ``name`` is the table's (Chinese) key with anything but letters, digits, CJK, ``_`` and ``-``
    replaced by ``_``. Text cells pass through the spreadsheet formula-injection guard. Every sheet gets a
    title (``titles[name]``, the table's ``attrs["caption"]`` or its name), the unit, the source (``source``,
    default the charts' source line) and with ``is_sample`` the sample-data note. Returns the written paths by
    table name, plus ``"xlsx"``.
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
    if source is None:
        source = say("common", "chart.source") + (say("common", "chart.source_sample_suffix") if is_sample else "")
    note = say("common", "sample_notice_docx") if is_sample else None
    paths["xlsx"] = to_xlsx(dict(tables), folder / f"{stem}.xlsx", titles=titles, source=source, sample_note=note)
    return paths
