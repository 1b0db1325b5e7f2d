"""The charts a department head asks for first: the year's change by region and the enforcement chain.

- :func:`change_bars`: a diverging bar chart of each region's change on the previous year (which city fell?);
  falls in vermillion on the left of zero, rises in blue on the right, each bar labelled with the change and
  the percentage.
- :func:`enforcement_chain_chart`: the steps 巡查 → 制止 → 通知书 → 立案 → 结案 of one year as a step chart, one
  bar per step in chain order, each labelled with its count and unit and an optional note (for example the
  结案率 beside 结案).

Common keywords ``title``, ``source``, ``data_year``, ``is_sample`` as every chart
(:mod:`analysis.present.charts.plots`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis.present.charts.style import (
    NEUTRAL_GREY,
    OKABE_ITO,
    apply_house_style,
    axis_label,
    finish_figure,
    safe_label,
)
from analysis.present.numbers import is_blank, label_text, number_text

RISE = OKABE_ITO[0]
FALL = OKABE_ITO[3]
LOG_SPAN = 100.0
"""The chain chart switches to a log scale only when its largest step is this many times its smallest (a
leader reads bar lengths; the value labels carry the small steps on a linear scale)."""


def _require(df: pd.DataFrame, columns: list[str], func: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{func}: missing column(s) {missing}; got {list(df.columns)}")


def _signed(value: float, unit: str) -> str:
    text = label_text(abs(value), unit)
    if text.rstrip("%") in ("0", "0.0", "0.00"):
        return text
    return ("+" if value > 0 else "-") + text


def change_label(change: float, pct: float | None, unit: str) -> str:
    """``+12（+5.2%）``, ``-3.50（-8.0%）``; without the bracket when there is no percentage."""
    text = _signed(change, unit)
    if pct is None or is_blank(pct) or not np.isfinite(pct):
        return text
    sign = "+" if pct > 0 else ("-" if pct < 0 else "")
    return f"{text}（{sign}{number_text(abs(pct), 1)}%）"


def change_frame_values(df: pd.DataFrame) -> pd.DataFrame:
    """``region_name, change, pct`` from ``region_name, value, prev_value`` (change = value - prev_value;
    pct = 100 * change / |prev_value|, NaN when the previous value is zero). Rows without both values are
    dropped; sorted by change, largest rise first."""
    _require(df, ["region_name", "value", "prev_value"], "change_bars")
    data = df[["region_name", "value", "prev_value"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype(float)
    data["prev_value"] = pd.to_numeric(data["prev_value"], errors="coerce").astype(float)
    data = data.dropna(subset=["value", "prev_value"])
    data["change"] = data["value"] - data["prev_value"]
    base = data["prev_value"].abs().replace(0.0, np.nan)
    data["pct"] = data["change"] / base * 100
    return data.sort_values(["change", "region_name"], ascending=[False, True]).reset_index(drop=True)


def change_bars(
    df: pd.DataFrame,
    *,
    unit: str = "",
    indicator_name: str = "",
    percent_points: bool = False,
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Each region's change on the previous year as diverging horizontal bars (largest rise on top).

    Columns: ``region_name``, ``value``, ``prev_value`` (the bars are ``value - prev_value``). Regions
    without a previous value are left out. With ``percent_points`` (a rate) the labels give the change in
    percentage points only.
    """
    data = change_frame_values(df)
    shown = data.iloc[::-1]  # barh draws the first row at the bottom
    apply_house_style()
    fig = Figure(figsize=figsize or (8, max(3.0, 0.42 * len(data) + 1.8)))
    ax = fig.subplots()
    changes = shown["change"].to_numpy(dtype=float)
    colours = [RISE if c > 0 else (FALL if c < 0 else NEUTRAL_GREY) for c in changes]
    ax.set_axisbelow(True)
    ax.barh([safe_label(n) for n in shown["region_name"]], changes, color=colours, height=0.65, gid="change-bar")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.grid(axis="x", color="#DDDDDD")
    ax.grid(axis="y", visible=False)
    span = float(np.abs(changes).max()) if len(changes) else 1.0
    span = span or 1.0
    for y, (c, p) in enumerate(zip(changes, shown["pct"].to_numpy(dtype=float))):
        label = (_signed(c, "") + "个百分点") if percent_points else change_label(c, p, unit)
        offset = span * 0.02
        ax.text(c + offset if c >= 0 else c - offset, y, label, va="center", ha="left" if c >= 0 else "right",
                fontsize=8)
    low = min(0.0, float(changes.min()) if len(changes) else 0.0)
    high = max(0.0, float(changes.max()) if len(changes) else 0.0)
    pad = span * 0.45
    ax.set_xlim(low - (pad if low < 0 else span * 0.05), high + (pad if high > 0 else span * 0.05))
    unit_text = "百分点" if percent_points else unit
    ax.set_xlabel(safe_label(axis_label(f"{indicator_name or '数值'}同比增减", unit_text)))
    finish_figure(fig, title=title or f"各地区{indicator_name}同比增减", source=source, data_year=data_year,
                  is_sample=is_sample)
    return fig


def enforcement_chain_chart(
    df: pd.DataFrame,
    *,
    log_scale: bool | None = None,
    title: str | None = None,
    source: str | None = None,
    data_year: int | None = None,
    is_sample: bool = False,
    figsize: tuple[float, float] = (8, 4.2),
) -> Figure:
    """The enforcement chain of one year: one horizontal bar per step, in the order given (top to bottom).

    Columns: ``stage`` (e.g. ``日常执法巡查``), ``value``, ``unit``, optionally ``note`` (text after the value
    label, e.g. ``结案率95.3%``). Steps without a value are drawn as ``—`` with no bar. ``log_scale``
    (default: when the largest step is :data:`LOG_SPAN` times the smallest) puts the counts on a log axis
    and says so in the axis label.
    """
    _require(df, ["stage", "value", "unit"], "enforcement_chain_chart")
    values = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    if log_scale is None:
        log_scale = bool(positive.size >= 2 and positive.max() / positive.min() >= LOG_SPAN)
    apply_house_style()
    fig = Figure(figsize=figsize)
    ax = fig.subplots()
    n = len(df)
    ys = np.arange(n)[::-1]  # first step on top
    drawn = np.where(np.isfinite(values), values, 0.0)
    if log_scale:
        drawn = np.where(drawn > 0, drawn, np.nan)
    ax.set_axisbelow(True)
    ax.barh(ys, drawn, color=OKABE_ITO[0], height=0.6, gid="chain-bar")
    notes = df["note"].tolist() if "note" in df.columns else [""] * n
    for y, v, unit, note in zip(ys, values, df["unit"].tolist(), notes):
        text = label_text(v, unit) + ("" if is_blank(v) or is_blank(unit) else str(unit))
        if note and not is_blank(note):
            text += "　" + str(note)
        x = v if np.isfinite(v) and (v > 0 or not log_scale) else (positive.min() if log_scale and positive.size
                                                                    else 0.0)
        ax.text(x, y, " " + safe_label(text), va="center", ha="left", fontsize=9)
    ax.set_yticks(ys)
    ax.set_yticklabels([safe_label(s) for s in df["stage"]])
    ax.grid(axis="x", color="#DDDDDD")
    ax.grid(axis="y", visible=False)
    if log_scale:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: label_text(v, "")))
        if positive.size:
            ax.set_xlim(positive.min() / 2, positive.max() * 6)
        ax.set_xlabel("数量（对数刻度）")
    else:
        top = float(positive.max()) if positive.size else 1.0
        ax.set_xlim(0, top * 1.45)
        ax.set_xlabel("数量")
    finish_figure(fig, title=title or "执法链条：巡查—制止—通知书—立案—结案", source=source, data_year=data_year,
                  is_sample=is_sample)
    return fig


__all__ = ["change_bars", "change_frame_values", "change_label", "enforcement_chain_chart"]
