"""Charts and tables straight from the summary table, for analysts exploring in JupyterLab.

The report notebooks use :mod:`analysis.views`; these are the short forms that ``import analysis`` offers
(``analysis.trend_chart``, ``analysis.indicator_table``): one region, one indicator or one year, in the
house style.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.errors import ParameterError


def _region_rows(summary: pd.DataFrame, region_code: str) -> pd.DataFrame:
    rows = summary[summary["region_code"].astype(str) == str(region_code)]
    if rows.empty:
        have = "、".join(sorted(summary["region_code"].astype(str).unique())[:10])
        raise ParameterError(f"汇总表中没有地区 {region_code}（已有：{have}…）",
                             f"region {region_code} is not in the summary table")
    return rows


def trend_chart(summary: pd.DataFrame, region_code: str, indicator: str, **options):
    """The house trend chart of one indicator for one region over every year in ``summary``."""
    from analysis.present.charts import trend_line

    rows = _region_rows(summary, region_code)
    rows = rows[rows["indicator"] == indicator].sort_values("year")
    if rows.empty:
        raise ParameterError(f"地区 {region_code} 没有指标 {indicator} 的数据",
                             f"region {region_code} has no rows for indicator {indicator}")
    first = rows.iloc[0]
    series = rows[["year", "value"]].assign(value=rows["value"].where(~rows["missing"].astype(bool)))
    options.setdefault("title", f"{first['region_name']}{first['name_zh']}")
    options.setdefault("is_sample", bool(rows["is_sample"].any()) if "is_sample" in rows else False)
    options.setdefault("data_year", int(rows["year"].max()))
    return trend_line(series, str(first["name_zh"]), str(first["unit"]), **options)


def indicator_table(summary: pd.DataFrame, region_code: str, year: int,
                    indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Key indicators of one region and year (指标, 数值, 单位, 上年, 同比变化, 趋势, 排名)."""
    from analysis.present.tables import key_indicator_table

    _region_rows(summary, region_code)
    return key_indicator_table(summary, region_code, year, indicators)
