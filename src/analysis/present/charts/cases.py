"""Charts of case-level penalty records, in the house style (see :mod:`analysis.present.charts.plots`).

Each takes a plain DataFrame and returns a Figure; common keywords ``title``, ``source``, ``data_year``,
``is_sample`` as in every chart. Money is 万元. Labels from the records pass :func:`safe_label`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.present.charts.style import OKABE_ITO, apply_house_style, finish_figure, safe_label
from analysis.present.numbers import label_text

CASE_SOURCE = "行政处罚结果公示（逐案记录）"


def _figure(figsize) -> tuple[Figure, object]:
    apply_house_style()
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def fine_histogram(amounts: pd.Series, *, title: str | None = None, source: str | None = None,
                   data_year: int | None = None, is_sample: bool = False) -> Figure:
    """Distribution of fine sizes (万元) on a log scale: logarithmic bins from the smallest to the largest fine.

    ``amounts``: one value per decision; zero and missing values are left out (the chart counts fines).
    """
    values = pd.to_numeric(pd.Series(amounts), errors="coerce")
    values = values[values > 0].astype(float)
    fig, ax = _figure((8, 4.2))
    if len(values):
        lo, hi = float(values.min()), float(values.max())
        edges = np.logspace(np.log10(lo), np.log10(hi if hi > lo else lo * 10), 16) if lo > 0 else 10
        ax.hist(values, bins=edges, color=OKABE_ITO[0], edgecolor="white")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: label_text(v, "")))
        median = float(values.median())
        ax.axvline(median, color=OKABE_ITO[1], linestyle="--", linewidth=1.5)
        ax.text(median, ax.get_ylim()[1] * 0.95, f" 中位数 {label_text(median, '万元')}", color="#8A5A00",
                fontsize=8, va="top")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("单笔罚没款（万元，对数刻度）")
    ax.set_ylabel("决定数（宗）")
    finish_figure(fig, title=title or "罚没款金额分布", source=source or CASE_SOURCE, data_year=data_year,
                  is_sample=is_sample)
    return fig


def case_bars(df: pd.DataFrame, label_col: str, value_col: str = "decisions", *, unit: str = "宗",
              value_name: str = "决定数", top: int | None = 15, title: str | None = None,
              source: str | None = None, data_year: int | None = None, is_sample: bool = False) -> Figure:
    """Horizontal bars, largest on top (violation types, agencies, penalty categories)."""
    data = df[[label_col, value_col]].dropna().sort_values(value_col, ascending=False)
    if top:
        data = data.head(top)
    data = data.iloc[::-1]
    fig, ax = _figure((8, max(3.0, 0.38 * len(data) + 1.6)))
    ax.barh([safe_label(v) for v in data[label_col]], data[value_col].astype(float), color=OKABE_ITO[0],
            height=0.65)
    ax.grid(axis="x", color="#DDDDDD")
    ax.grid(axis="y", visible=False)
    vmax = float(data[value_col].max()) if len(data) else 1.0
    for y, v in enumerate(data[value_col].astype(float)):
        ax.text(v + vmax * 0.01, y, label_text(v, unit), va="center", fontsize=8)
    ax.set_xlim(0, vmax * 1.15 if vmax > 0 else 1)
    ax.set_xlabel(f"{value_name}（{unit}）")
    finish_figure(fig, title=title or value_name, source=source or CASE_SOURCE, data_year=data_year,
                  is_sample=is_sample)
    return fig


def month_bars(df: pd.DataFrame, *, value_col: str = "decisions", title: str | None = None,
               source: str | None = None, data_year: int | None = None, is_sample: bool = False) -> Figure:
    """Decisions by month (columns ``month`` 1-12 and ``value_col``); months without decisions show as 0."""
    by = df.set_index("month")[value_col].reindex(range(1, 13), fill_value=0).astype(float)
    fig, ax = _figure((8, 3.8))
    ax.bar([f"{m}月" for m in by.index], by.to_numpy(), color=OKABE_ITO[0], width=0.7)
    for x, v in enumerate(by.to_numpy()):
        if v:
            ax.text(x, v, label_text(v, ""), ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("决定数（宗）")
    finish_figure(fig, title=title or "处罚决定的月份分布", source=source or CASE_SOURCE, data_year=data_year,
                  is_sample=is_sample)
    return fig
