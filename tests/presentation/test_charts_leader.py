"""Issue 12 section 5, charts: the watermark behind the data, funnel labels, skew-aware heatmaps, and the
charts a leader asks for first (change by city, the enforcement chain). Expected values are written by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm

from analysis.present import charts
from analysis.present.charts.labels import funnel_label_mask
from analysis.present.charts.leader import FALL, RISE
from analysis.present.charts.style import WATERMARK_GID


def _watermark(fig):
    hits = [t for t in fig.texts if t.get_gid() == WATERMARK_GID]
    assert len(hits) == 1
    return hits[0]


def _render(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


# --------------------------------------------------------------------------- watermark


def test_watermark_is_below_every_axes_and_its_content():
    df = pd.DataFrame({"region_name": ["银川市", "吴忠市", "固原市"], "value": [30.0, 20.0, 10.0]})
    fig = charts.ranking_bars(df, unit="起", indicator_name="立案查处案件", is_sample=True)
    mark = _watermark(fig)
    for ax in fig.axes:
        assert mark.get_zorder() < ax.get_zorder()
        for artist in ax.get_children():
            if artist is ax.patch:
                continue
            assert mark.get_zorder() < artist.get_zorder(), artist
        assert ax.patch.get_alpha() == 0  # the plot area lets the watermark show through
    other_fig_texts = [t for t in fig.texts if t is not mark]
    assert other_fig_texts and all(mark.get_zorder() < t.get_zorder() for t in other_fig_texts)


def test_watermark_does_not_tint_a_bar_it_crosses():
    # one bar across the whole plot: the watermark (centred on the figure) crosses it
    df = pd.DataFrame({"region_name": ["银川市"], "value": [100.0]})
    kwargs = {"unit": "起", "indicator_name": "立案查处案件", "average": None, "figsize": (8, 4)}
    plain = charts.ranking_bars(df, **kwargs)
    sample = charts.ranking_bars(df, is_sample=True, **kwargs)
    img_plain, img_sample = _render(plain), _render(sample)
    bar = sample.axes[0].patches[0]
    box = bar.get_window_extent()
    height = img_sample.shape[0]
    # the figure centre (where the watermark sits) lies inside the bar
    cx, cy = img_sample.shape[1] / 2, img_sample.shape[0] / 2
    assert box.x0 < cx < box.x1 and box.y0 < height - cy < box.y1
    rows = slice(int(height - box.y1) + 3, int(height - box.y0) - 3)
    cols = slice(int(box.x0) + 3, int(box.x1 * 0.8))
    assert np.array_equal(img_plain[rows, cols], img_sample[rows, cols])


def test_watermark_shows_through_the_empty_plot_area():
    series = pd.DataFrame({"year": [2022, 2023, 2024], "value": [10.0, 12.0, 11.0]})
    plain = _render(charts.trend_line(series, "立案查处案件", "起", figsize=(8, 4)))
    sample = _render(charts.trend_line(series, "立案查处案件", "起", figsize=(8, 4), is_sample=True))
    centre = (slice(150, 250), slice(300, 500))  # the middle of the figure, where the watermark sits
    assert not np.array_equal(plain[centre], sample[centre])


# --------------------------------------------------------------------------- funnel labels


def _limits():
    n = np.arange(5, 80, dtype=float)
    half95, half998 = 30 / np.sqrt(n), 45 / np.sqrt(n)
    return pd.DataFrame({"n": n, "lo95": 90 - half95, "hi95": np.minimum(100, 90 + half95),
                         "lo998": 90 - half998, "hi998": np.minimum(100, 90 + half998)})


def _point_labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "point-label"]


def test_funnel_labels_every_point_with_its_region_name_when_few():
    names = ["银川市", "石嘴山市", "吴忠市", "固原市", "中卫市"]
    points = pd.DataFrame({"label": names, "n": [60, 30, 40, 20, 25], "rate": [92.0, 88.0, 90.0, 95.0, 85.0]})
    fig = charts.funnel_plot(points, _limits(), center=90.0)
    assert sorted(_point_labels(fig)) == sorted(names)


def test_funnel_labels_only_outliers_and_extremes_when_many():
    # 15 points: rate 85 + i/2 for i = 0..14 except three chosen ones; n = 20 + i
    rates = [85 + i / 2 for i in range(15)]
    rates[3] = 99.0  # highest rate -> labelled
    rates[7] = 60.0  # lowest rate, far outside the 99.8% limits -> outlier and labelled
    names = [f"县{i}" for i in range(15)]
    n = [20 + i for i in range(15)]  # largest volume: 县14 -> labelled
    points = pd.DataFrame({"label": names, "n": n, "rate": rates})
    fig = charts.funnel_plot(points, _limits(), center=90.0)
    assert sorted(_point_labels(fig)) == sorted(["县3", "县7", "县14"])


def test_funnel_label_mask_by_hand():
    mask = funnel_label_mask([10, 20, 30], [80, 90, 70], [False, False, False], max_all=2)
    # 3 points > max_all: highest rate (index 1), lowest (2), largest n (2)
    assert mask.tolist() == [False, True, True]


def test_funnel_labels_of_nearby_points_do_not_overlap():
    points = pd.DataFrame({"label": ["甲市", "乙市", "丙市"], "n": [40, 40.5, 41], "rate": [90.0, 90.2, 89.9]})
    fig = charts.funnel_plot(points, _limits(), center=90.0)
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_gid() == "point-label"]
    assert len(boxes) == 3
    for i in range(3):
        for j in range(i + 1, 3):
            assert not boxes[i].overlaps(boxes[j]), (i, j)


# --------------------------------------------------------------------------- heatmap scale


def _cbar_label(fig) -> str:
    return fig.axes[-1].get_ylabel()


def test_heatmap_switches_to_log_when_one_region_dwarfs_the_others():
    pivot = pd.DataFrame({2023: [1000.0, 10.0, 8.0], 2024: [1200.0, 12.0, 9.0]}, index=["银川市", "吴忠市", "固原市"])
    # median of the six cells = (10 + 12) / 2 = 11; max / median = 1200 / 11 = 109 >= 5, all positive -> log
    assert charts.heatmap_scale(pivot) == "log"
    fig = charts.region_year_heatmap(pivot, "起", indicator_name="立案查处案件")
    assert isinstance(fig.axes[0].images[0].norm, LogNorm)
    assert "对数刻度" in _cbar_label(fig)
    # the cell labels still show the actual values
    assert "1,200" in [t.get_text() for t in fig.axes[0].texts]


def test_heatmap_normalises_rows_when_skewed_with_zeros_and_stays_linear_otherwise():
    skewed_zero = pd.DataFrame({2023: [1000.0, 10.0, 8.0], 2024: [1200.0, 12.0, 0.0]}, index=["甲", "乙", "丙"])
    assert charts.heatmap_scale(skewed_zero) == "row"
    fig = charts.region_year_heatmap(skewed_zero, "起")
    data = fig.axes[0].images[0].get_array()
    # each row divided by its own largest value, in %: 甲 1000/1200, 乙 10/12, 丙 8/8 and 0/8
    assert data[0].tolist() == pytest.approx([1000 / 1200 * 100, 100.0])
    assert data[2].tolist() == pytest.approx([100.0, 0.0])
    assert "占本地区" in _cbar_label(fig)
    even = pd.DataFrame({2023: [12.0, 10.0], 2024: [15.0, 9.0]}, index=["甲", "乙"])
    assert charts.heatmap_scale(even) == "linear"  # 15 / median 11 < 5
    assert not isinstance(charts.region_year_heatmap(even, "起").axes[0].images[0].norm, LogNorm)


# --------------------------------------------------------------------------- leader charts


def test_change_bars_are_value_minus_previous_value():
    df = pd.DataFrame({"region_name": ["银川市", "石嘴山市", "吴忠市", "中卫市"],
                       "value": [120.0, 40.0, 55.0, 20.0], "prev_value": [100.0, 50.0, 55.0, np.nan]})
    fig = charts.change_bars(df, unit="起", indicator_name="立案查处案件")
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_gid() == "change-bar"] or list(ax.patches)
    names = [t.get_text() for t in ax.get_yticklabels()]
    widths = dict(zip(names, [b.get_width() for b in bars]))
    # 120 - 100 = +20, 40 - 50 = -10, 55 - 55 = 0; 中卫市 has no previous value and is left out
    assert widths == {"银川市": 20.0, "石嘴山市": -10.0, "吴忠市": 0.0}
    assert names[-1] == "银川市" and names[0] == "石嘴山市"  # largest rise on top, the fall at the bottom
    colours = {n: b.get_facecolor() for n, b in zip(names, bars)}
    from matplotlib.colors import to_rgba

    assert colours["石嘴山市"] == to_rgba(FALL) and colours["银川市"] == to_rgba(RISE)
    labels = [t.get_text() for t in ax.texts]
    assert "+20（+20.0%）" in labels and "-10（-20.0%）" in labels  # 20 / 100, -10 / 50


def test_enforcement_chain_keeps_the_order_and_the_values():
    stages = ["日常执法巡查", "发现制止违法行为", "下发责令停止违法行为通知书", "立案查处案件", "结案案件"]
    df = pd.DataFrame({"stage": stages, "value": [4637.0, 252.0, 150.0, 214.0, 202.0],
                       "unit": ["次", "起", "份", "起", "起"], "note": ["", "", "", "", "结案率94.4%"]})
    fig = charts.enforcement_chain_chart(df)
    ax = fig.axes[0]
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]), reverse=True)
    assert [name for _, name in ticks] == stages  # top to bottom in chain order
    widths = {round(p.get_y() + p.get_height() / 2): p.get_width() for p in ax.patches}
    assert [widths[round(y)] for y, _ in ticks] == [4637.0, 252.0, 150.0, 214.0, 202.0]
    assert ax.get_xscale() == "linear"  # 4637 / 150 = 31 < 100
    texts = [t.get_text().strip() for t in ax.texts]
    assert "4,637次" in texts and "202起　结案率94.4%" in texts
