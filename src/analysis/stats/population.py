"""Population and area reference table for per-capita and per-area normalisation.

File format (``data/reference/regions_population_area_sample.csv``), UTF-8 CSV with columns::

    region_code,region_name,year,population_10k,area_km2,source_note

``population_10k`` is the resident population in units of 10,000 people (万人); ``area_km2`` is the land
area in km². ``source_note`` says where a number comes from (and must say so when it is not official).

Alignment rule (:func:`align_reference`): a figure of year Y uses the reference row of the same region and
year Y; when that year is absent, the nearest earlier year; when there is none, the nearest later year. The
year actually used is returned as ``reference_year`` so a report can say so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError

REFERENCE_COLUMNS = ["region_code", "region_name", "year", "population_10k", "area_km2", "source_note"]
DEFAULT_REFERENCE_PATH = Path("data/reference/regions_population_area_sample.csv")
VALUE_COLUMNS = ["population_10k", "area_km2"]


def load_reference(path: str | Path = DEFAULT_REFERENCE_PATH) -> pd.DataFrame:
    """Read and check a population/area reference CSV.

    Checks: all columns of :data:`REFERENCE_COLUMNS` are present; ``year`` is an integer; population and
    area are numeric and > 0 where given (blank = unknown, NaN); no duplicate ``(region_code, year)``.
    ``region_code`` is read as a string (leading zeros kept).

    Raises :class:`~analysis.errors.AnalysisError` with a bilingual message when the file is missing or
    malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"找不到人口面积参考表：{path}", f"reference table not found: {path}")
    df = pd.read_csv(path, dtype={"region_code": str, "region_name": str, "source_note": str},
                     encoding="utf-8-sig")
    return validate_reference(df, where=str(path))


def validate_reference(df: pd.DataFrame, where: str = "reference") -> pd.DataFrame:
    """Check and normalise an in-memory reference table (same rules as :func:`load_reference`)."""
    missing = [c for c in REFERENCE_COLUMNS if c not in df.columns]
    if missing:
        raise AnalysisError(f"参考表 {where} 缺少列：{', '.join(missing)}",
                            f"reference table {where} lacks columns: {', '.join(missing)}")
    out = df[REFERENCE_COLUMNS].copy()
    out["region_code"] = out["region_code"].astype(str).str.strip()
    out["region_name"] = out["region_name"].fillna("").astype(str)
    out["source_note"] = out["source_note"].fillna("").astype(str)
    try:
        out["year"] = pd.to_numeric(out["year"], errors="raise").astype(int)
        for c in VALUE_COLUMNS:
            out[c] = pd.to_numeric(out[c], errors="raise").astype(float)
    except (ValueError, TypeError) as exc:
        raise AnalysisError(f"参考表 {where} 含非数值的年份、人口或面积",
                            f"reference table {where} has a non-numeric year, population or area: {exc}") from exc
    bad = (out[VALUE_COLUMNS] <= 0).any(axis=1)
    if bad.any():
        codes = ", ".join(out.loc[bad, "region_code"].astype(str).unique()[:5])
        raise AnalysisError(f"参考表 {where} 的人口或面积必须大于 0（{codes}）",
                            f"reference table {where}: population and area must be > 0 ({codes})")
    dup = out.duplicated(["region_code", "year"])
    if dup.any():
        codes = ", ".join(out.loc[dup, "region_code"].astype(str).unique()[:5])
        raise AnalysisError(f"参考表 {where} 有重复的地区-年份（{codes}）",
                            f"reference table {where} repeats region-year rows ({codes})")
    return out.sort_values(["region_code", "year"], ignore_index=True)


def align_reference(keys: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Attach ``population_10k``, ``area_km2`` and ``reference_year`` to ``(year, region_code)`` keys.

    Rule: same year; else the nearest earlier year; else the nearest later year (area rarely changes, and
    population changes slowly, so a neighbouring year is a documented approximation). Regions absent from
    the reference get NaN. Vectorised with two :func:`pandas.merge_asof` passes. The output keeps the order
    and length of ``keys``.
    """
    missing = [c for c in ["region_code", "year", *VALUE_COLUMNS] if c not in reference.columns]
    if missing:
        raise AnalysisError(f"参考表缺少列：{', '.join(missing)}", f"reference table lacks columns: {missing}")
    ref = reference
    left = keys[["year", "region_code"]].copy()
    left["year"] = left["year"].astype(int)
    left["region_code"] = left["region_code"].astype(str)
    left["_row"] = np.arange(len(left))
    r = ref[["region_code", "year", *VALUE_COLUMNS]].copy()
    r["region_code"] = r["region_code"].astype(str)
    r["reference_year"] = r["year"].astype(int)
    r = r.sort_values("year")
    ls = left.sort_values("year")
    back = pd.merge_asof(ls, r, on="year", by="region_code", direction="backward")
    fwd = pd.merge_asof(ls, r, on="year", by="region_code", direction="forward")
    back = back.set_index("_row").sort_index()
    fwd = fwd.set_index("_row").sort_index()
    use_fwd = back["reference_year"].isna()
    out = back.copy()
    for c in [*VALUE_COLUMNS, "reference_year"]:
        out[c] = back[c].where(~use_fwd, fwd[c])
    out = out.reset_index(drop=True)
    out["reference_year"] = out["reference_year"].astype("Int64")
    return out[["year", "region_code", *VALUE_COLUMNS, "reference_year"]]
