"""Chart functions. Each takes a plain DataFrame (column convention in its docstring) and returns a Figure.

Common keyword arguments of every function:

- ``title``: the chart title (Chinese); a sensible default is used when omitted;
- ``source``: the source line text after ``数据来源：`` (default ``行政执法统计报表``);
- ``data_year``: the year of the data, printed after the source line;
- ``is_sample``: draw the diagonal ``示例数据`` watermark.

Rates are percentages (0-100), money is 万元, counts are plain numbers, as in the summary table.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.present.charts.labels import funnel_label_mask, label_points
from analysis.present.charts.style import (
    HIGHLIGHT,
    NEUTRAL_GREY,
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    apply_house_style,
    axis_label,
    colors_for,
    finish_figure,
    safe_label,
)
from analysis.present.numbers import label_text


def _require(df: pd.DataFrame, columns: list[str], func: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{func}: missing column(s) {missing}; got {list(df.columns)}")


def _new_figure(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    apply_house_style()
    fig = Figure(figsize=figsize)
    ax = fig.subplots()
    return fig, ax


def _year_ticks(ax, years) -> None:
    years = [int(y) for y in years]
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    if years:
        ax.set_xlim(min(years) - 0.5, max(years) + 0.5)


def trend_line(
    series_df: pd.DataFrame,
    indicator_name: str,
    unit: str,
    *,
    yoy: bool = True,
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] = (8, 4.5),
) -> Figure:
    """One indicator over the years, with markers, value labels and year-on-year change annotations.

    Columns: ``year`` (int), ``value`` (float; NaN = missing, drawn as a gap).
    The YoY label between two consecutive years is ``+5.2%``/``-3.1%``; it is left out when the
    previous year is missing or zero (no meaningful percentage).
    """
    _require(series_df, ["year", "value"], "trend_line")
    df = series_df.sort_values("year").reset_index(drop=True)
    fig, ax = _new_figure(figsize)
    years = df["year"].astype(int).to_numpy()
    values = df["value"].astype(float).to_numpy()
    ax.plot(years, values, marker="o", markersize=6, linewidth=2, color=OKABE_ITO[0])
    finite = values[np.isfinite(values)]
    span = (finite.max() - min(finite.min(), 0)) if finite.size else 1.0
    span = span or 1.0
    for x, y in zip(years, values):
        if np.isfinite(y):
            ax.annotate(label_text(y, unit), (x, y), xytext=(0, 8), textcoords="offset points",
                        ha="center", fontsize=9)
    if yoy:
        for i in range(1, len(df)):
            prev, cur = values[i - 1], values[i]
            if years[i] - years[i - 1] != 1 or not (np.isfinite(prev) and np.isfinite(cur)) or prev == 0:
                continue
            pct = (cur - prev) / abs(prev) * 100
            label = f"{pct:+.1f}%" if abs(pct) >= 0.05 else "持平"
            colour = OKABE_ITO[2] if pct > 0 else (OKABE_ITO[3] if pct < 0 else NEUTRAL_GREY)
            ax.annotate(label, ((years[i] + years[i - 1]) / 2, (prev + cur) / 2), xytext=(0, -14),
                        textcoords="offset points", ha="center", fontsize=8, color=colour,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour, "lw": 0.6})
    ax.set_xlabel("年份")
    ax.set_ylabel(safe_label(axis_label(indicator_name, unit)))
    _year_ticks(ax, years)
    if finite.size:
        ax.set_ylim(min(0, finite.min() - 0.1 * span), finite.max() + 0.18 * span)
    if unit not in ("万元", "%"):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    finish_figure(fig, title=title or f"{indicator_name}年度变化情况", source=source,
                  data_year=data_year, is_sample=is_sample)
    return fig


def small_multiples(
    df: pd.DataFrame,
    *,
    ncols: int = 3,
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    panel_size: tuple[float, float] = (3.4, 2.6),
) -> Figure:
    """Several indicators over the years, one small panel each (own y scale).

    Columns: ``indicator`` (display name, e.g. ``立案查处案件``), ``year``, ``value``, ``unit``.
    Panels follow the order in which indicators first appear.
    """
    _require(df, ["indicator", "year", "value", "unit"], "small_multiples")
    apply_house_style()
    names = list(dict.fromkeys(df["indicator"]))
    if not names:
        raise ValueError("small_multiples: no indicators to draw")
    ncols = max(1, min(ncols, len(names)))
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows + 1.0))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    all_years = sorted(int(y) for y in df["year"].unique())
    for ax, name, colour in zip(axes, names, colors_for(len(names))):
        part = df[df["indicator"] == name].sort_values("year")
        unit = str(part["unit"].iloc[0]) if len(part) else ""
        ax.plot(part["year"].astype(int), part["value"].astype(float), marker="o", markersize=4, color=colour)
        ax.set_title(safe_label(axis_label(name, unit)), fontsize=10)
        _year_ticks(ax, all_years)
        ax.tick_params(axis="x", labelrotation=0)
        ax.set_ylim(bottom=0)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    finish_figure(fig, title=title or "主要指标年度变化", source=source, data_year=data_year, is_sample=is_sample)
    return fig


def ranking_bars(
    df: pd.DataFrame,
    value_col: str = "value",
    *,
    unit: str = "",
    indicator_name: str = "",
    average: float | str | None = "mean",
    average_label: str = "全省平均",
    highlight: str | None = None,
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Regions ranked by a value (horizontal bars, largest on top) with the average as a dashed line.

    Columns: ``region_name`` and ``value_col``. ``average`` is a number, ``"mean"`` (mean of the
    bars, the default) or None (no line). ``highlight`` names one region to draw in the accent colour.
    """
    _require(df, ["region_name", value_col], "ranking_bars")
    data = df[["region_name", value_col]].dropna().sort_values(value_col, ascending=True)
    height = figsize or (8, max(3.0, 0.38 * len(data) + 1.6))
    fig, ax = _new_figure(height)
    colours = [HIGHLIGHT if name == highlight else OKABE_ITO[0] for name in data["region_name"]]
    ax.barh([safe_label(n) for n in data["region_name"]], data[value_col].astype(float), color=colours,
            height=0.65)
    ax.grid(axis="x", color="#DDDDDD")
    ax.grid(axis="y", visible=False)
    vmax = float(data[value_col].max()) if len(data) else 1.0
    for y, v in enumerate(data[value_col].astype(float)):
        ax.text(v + vmax * 0.01, y, label_text(v, unit), va="center", fontsize=8)
    if average is not None and len(data):
        avg = float(data[value_col].mean()) if average == "mean" else float(average)
        ax.axvline(avg, color=OKABE_ITO[1], linestyle="--", linewidth=1.5)
        ax.text(avg, len(data) - 0.4, f"{average_label}：{label_text(avg, unit)}", color="#8A5A00",
                fontsize=8, ha="left", va="bottom")
    ax.set_xlim(0, vmax * 1.15 if vmax > 0 else 1)
    ax.set_xlabel(safe_label(axis_label(indicator_name or "数值", unit)))
    ax.set_ylabel("")
    finish_figure(fig, title=title or f"各地区{indicator_name}排名", source=source, data_year=data_year,
                  is_sample=is_sample)
    return fig


SKEW_RATIO = 5.0
"""A heatmap is skewed when its largest cell is at least this many times its median cell: one large region
would then paint every other region in the same dark colour on a linear scale."""


def heatmap_scale(data: pd.DataFrame, scale: str = "auto") -> str:
    """``"linear"``, ``"log"`` or ``"row"`` for a heatmap of ``data`` (``scale="auto"``: decide from the skew).

    Skewed (max / median >= :data:`SKEW_RATIO`) and all values positive: a log scale; skewed with zeros or
    negative values (a log scale cannot show them): each row normalised to its own largest value.
    """
    if scale != "auto":
        if scale not in ("linear", "log", "row"):
            raise ValueError(f"region_year_heatmap: unknown scale {scale!r}; use auto, linear, log or row")
        return scale
    finite = data.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2:
        return "linear"
    median = float(np.median(finite))
    if median <= 0 or float(finite.max()) / median < SKEW_RATIO:
        return "linear"
    return "log" if float(finite.min()) > 0 else "row"


def region_year_heatmap(
    pivot_df: pd.DataFrame,
    unit: str,
    *,
    indicator_name: str = "",
    scale: str = "auto",
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Regions (rows) x years (columns) with every cell annotated; missing cells show ``—`` on grey.

    Input: a pivot table, index = region names, columns = years, values in ``unit``. The colour scale is
    chosen by :func:`heatmap_scale`: linear, logarithmic (colourbar label ``…（对数刻度）``) or per row
    (colours show each region's value as a share of its own largest, colourbar ``占本地区最大值的比例（%）``).
    The cell annotations always show the actual values.
    """
    from matplotlib.colors import LogNorm, Normalize

    if pivot_df.empty:
        raise ValueError("region_year_heatmap: empty table")
    data = pivot_df.astype(float)
    used = heatmap_scale(data, scale)
    size = figsize or (max(5.0, 1.0 * data.shape[1] + 3), max(3.0, 0.42 * data.shape[0] + 1.8))
    fig, ax = _new_figure(size)
    shown = data
    if used == "row":
        row_max = data.abs().max(axis=1).replace(0, np.nan)
        shown = data.div(row_max, axis=0) * 100
    masked = np.ma.masked_invalid(shown.to_numpy())
    finite = masked.compressed()
    if used == "log" and finite.size:
        norm = LogNorm(vmin=float(finite.min()), vmax=float(finite.max()))
    elif finite.size:
        norm = Normalize(vmin=float(finite.min()), vmax=float(finite.max()))
    else:
        norm = Normalize(vmin=0.0, vmax=1.0)
    cmap = matplotlib.colormaps[SEQUENTIAL_CMAP].with_extremes(bad="#EEEEEE")
    image = ax.imshow(masked, aspect="auto", cmap=cmap, norm=norm)
    ax.grid(False)
    ax.set_xticks(range(data.shape[1]))
    ax.set_xticklabels([str(c) for c in data.columns])
    ax.set_yticks(range(data.shape[0]))
    ax.set_yticklabels([safe_label(i) for i in data.index])
    for r in range(data.shape[0]):
        for c in range(data.shape[1]):
            v = data.iat[r, c]
            if np.isfinite(v):
                level = float(norm(shown.iat[r, c])) if np.isfinite(shown.iat[r, c]) else 0.0
                colour = "white" if level < 0.5 else "black"  # cividis: dark at the low end
                ax.text(c, r, label_text(v, unit), ha="center", va="center", fontsize=8, color=colour)
            else:
                ax.text(c, r, "—", ha="center", va="center", fontsize=8, color="#666666")
    cbar = fig.colorbar(image, ax=ax, shrink=0.85)
    label = safe_label(axis_label(indicator_name or "数值", unit))
    if used == "log":
        label += "（对数刻度）"
    elif used == "row":
        label = "占本地区最大值的比例（%）"
    cbar.set_label(label)
    ax.set_xlabel("年份")
    ax.spines[:].set_visible(False)
    finish_figure(fig, title=title or f"各地区{indicator_name}年度对比", source=source, data_year=data_year,
                  is_sample=is_sample)
    return fig


def penalty_composition(
    df: pd.DataFrame,
    *,
    unit: str = "宗",
    share: bool = False,
    max_categories: int = 8,
    other_label: str = "其他",
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] = (8, 4.8),
) -> Figure:
    """Stacked bars of penalty categories per year.

    Columns: ``year``, ``category`` (display name), ``value``. Categories beyond the
    ``max_categories`` largest (over all years) are summed into ``其他``. With ``share=True`` each
    bar is scaled to 100% and the axis is in %.
    """
    _require(df, ["year", "category", "value"], "penalty_composition")
    table = df.pivot_table(index="year", columns="category", values="value", aggfunc="sum").fillna(0.0)
    order = table.sum().sort_values(ascending=False).index.tolist()
    if len(order) > max_categories:
        keep, rest = order[: max_categories - 1], order[max_categories - 1:]
        table[other_label] = table[rest].sum(axis=1) + (table[other_label] if other_label in keep else 0)
        table = table[[c for c in keep if c != other_label] + [other_label]]
    else:
        table = table[order]
    if share:
        totals = table.sum(axis=1).replace(0, np.nan)
        table = table.div(totals, axis=0) * 100
    fig, ax = _new_figure(figsize)
    bottom = np.zeros(len(table))
    years = table.index.astype(int).to_numpy()
    for colour, name in zip(colors_for(table.shape[1]), table.columns):
        vals = table[name].fillna(0).to_numpy(dtype=float)
        ax.bar(years, vals, bottom=bottom, color=colour, label=safe_label(name), width=0.6, edgecolor="white",
               linewidth=0.5)
        bottom += vals
    for x, total in zip(years, bottom):
        ax.text(x, total, label_text(total, "%" if share else unit), ha="center", va="bottom", fontsize=8)
    _year_ticks(ax, years)
    ax.set_xlabel("年份")
    ax.set_ylabel("占比（%）" if share else axis_label("行政处罚案件", unit))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    finish_figure(fig, title=title or "行政处罚种类构成", source=source, data_year=data_year, is_sample=is_sample)
    return fig


def pass_rate_chart(
    df: pd.DataFrame,
    *,
    label_col: str = "label",
    rate_name: str = "案卷合格率",
    reference: float | None = None,
    reference_label: str = "全省平均",
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] = (8, 4.5),
) -> Figure:
    """Rates with Wilson confidence intervals as error bars (points with whiskers).

    Columns: ``label_col`` (a year or region name), ``rate``, ``lo``, ``hi`` (all in %, 0-100).
    ``reference`` draws a horizontal line (e.g. the province rate).
    """
    _require(df, [label_col, "rate", "lo", "hi"], "pass_rate_chart")
    fig, ax = _new_figure(figsize)
    labels = [safe_label(v) for v in df[label_col]]
    rate = df["rate"].astype(float).to_numpy()
    lo = df["lo"].astype(float).to_numpy()
    hi = df["hi"].astype(float).to_numpy()
    x = np.arange(len(labels))
    yerr = np.vstack([np.clip(rate - lo, 0, None), np.clip(hi - rate, 0, None)])
    ax.errorbar(x, rate, yerr=yerr, fmt="o", color=OKABE_ITO[0], ecolor=OKABE_ITO[5], elinewidth=2,
                capsize=4, markersize=7, label=f"{rate_name}及95%置信区间（Wilson）")
    for xi, r in zip(x, rate):
        if np.isfinite(r):
            ax.annotate(label_text(r, "%"), (xi, r), xytext=(8, 0), textcoords="offset points",
                        va="center", fontsize=8)
    if reference is not None:
        ax.axhline(reference, color=OKABE_ITO[1], linestyle="--", linewidth=1.2,
                   label=f"{reference_label}：{label_text(reference, '%')}")
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=0 if len(labels) <= 8 else 45, ha="center" if len(labels) <= 8 else "right")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    finite_lo = lo[np.isfinite(lo)]
    ax.set_ylim(max(0.0, (finite_lo.min() if finite_lo.size else 0) - 5), 102)
    ax.set_ylabel(axis_label(rate_name, "%"))
    ax.legend(loc="lower left", fontsize=8)
    finish_figure(fig, title=title or f"{rate_name}及置信区间", source=source, data_year=data_year,
                  is_sample=is_sample)
    return fig


def funnel_plot(
    df: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    center: float | None = None,
    rate_name: str = "案卷合格率",
    volume_name: str = "评查案卷数",
    volume_unit: str = "宗",
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] = (8, 5),
    label_all_upto: int = 12,
) -> Figure:
    """Rate against volume with 95% and 99.8% control limits; points carry their region names.

    With at most ``label_all_upto`` points every point is labelled; with more, the points outside the
    limits and the extremes (highest and lowest rate, largest volume) are (:func:`funnel_label_mask`).
    Labels are placed beside their points, moved to a free side when they would overlap.

    ``df`` columns: ``label`` (region name), ``n`` (volume, the denominator), ``rate`` (%), and
    optionally ``outlier`` (bool; when absent a point is an outlier if it lies outside the 99.8%
    limits interpolated at its ``n``). ``limits`` columns: ``n``, ``lo95``, ``hi95``, ``lo998``,
    ``hi998`` (%), and optionally ``center``; ``center`` (the overall rate) may also be passed.
    """
    _require(df, ["label", "n", "rate"], "funnel_plot")
    _require(limits, ["n", "lo95", "hi95", "lo998", "hi998"], "funnel_plot limits")
    lim = limits.sort_values("n")
    if center is None and "center" in lim.columns:
        center = float(lim["center"].iloc[0])
    fig, ax = _new_figure(figsize)
    n_lim = lim["n"].astype(float).to_numpy()
    ax.plot(n_lim, lim["lo95"], color=OKABE_ITO[1], linestyle="--", linewidth=1.2, label="95%控制限")
    ax.plot(n_lim, lim["hi95"], color=OKABE_ITO[1], linestyle="--", linewidth=1.2)
    ax.plot(n_lim, lim["lo998"], color=OKABE_ITO[3], linestyle=":", linewidth=1.5, label="99.8%控制限")
    ax.plot(n_lim, lim["hi998"], color=OKABE_ITO[3], linestyle=":", linewidth=1.5)
    if center is not None:
        ax.axhline(center, color=NEUTRAL_GREY, linewidth=1, label=f"总体水平：{label_text(center, '%')}")
    n = df["n"].astype(float).to_numpy()
    rate = df["rate"].astype(float).to_numpy()
    if "outlier" in df.columns:
        outlier = df["outlier"].fillna(False).astype(bool).to_numpy()
    else:
        lo = np.interp(n, n_lim, lim["lo998"].astype(float))
        hi = np.interp(n, n_lim, lim["hi998"].astype(float))
        outlier = (rate < lo) | (rate > hi)
    ax.scatter(n[~outlier], rate[~outlier], color=OKABE_ITO[0], s=36, zorder=3, label="地区")
    ax.scatter(n[outlier], rate[outlier], color=HIGHLIGHT, s=48, marker="D", zorder=4, label="超出控制限")
    ax.set_xlabel(axis_label(volume_name, volume_unit))
    ax.set_ylabel(axis_label(rate_name, "%"))
    ax.set_ylim(max(0.0, min(np.nanmin(rate), float(lim["lo998"].min())) - 5), 102)
    ax.set_xlim(0, max(float(np.nanmax(n)), float(n_lim.max())) * 1.05)
    chosen = funnel_label_mask(n, rate, outlier, max_all=label_all_upto)
    label_points(ax, [str(v) for v in df["label"]], n, rate, chosen,
                 colours=[HIGHLIGHT if o else "#333333" for o in outlier])
    ax.legend(loc="lower right", fontsize=8)
    finish_figure(fig, title=title or f"{rate_name}漏斗图", source=source, data_year=data_year, is_sample=is_sample)
    return fig
