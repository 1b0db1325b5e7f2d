"""Every chart function: Chinese labels, no missing glyphs, watermark when sample, PNG + SVG saved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from analysis.present import charts
from analysis.present.charts.style import HIGHLIGHT, OKABE_ITO, WATERMARK_TEXT

from .conftest import capture_font_warnings

YEARS = [2020, 2021, 2022, 2023, 2024]


def _trend(**kw):
    df = pd.DataFrame({"year": YEARS, "value": [180.0, 195.0, np.nan, 230.0, 214.0]})
    return charts.trend_line(df, "立案查处案件", "起", **kw)


def _small(**kw):
    a = pd.DataFrame({"indicator": "立案查处案件", "unit": "起", "year": YEARS, "value": [1, 2, 3, 4, 5]})
    b = pd.DataFrame({"indicator": "罚没款", "unit": "万元", "year": YEARS, "value": [1.5, 2.5, 3.5, 4.5, 5.5]})
    return charts.small_multiples(pd.concat([a, b]), **kw)


def _ranking(**kw):
    df = pd.DataFrame({"region_name": ["银川市", "石嘴山市", "吴忠市", "固原市", "中卫市"],
                       "value": [80.0, 30.0, 45.0, 20.0, 40.0]})
    return charts.ranking_bars(df, unit="起", indicator_name="立案查处案件", **kw)


def _heatmap(**kw):
    pivot = pd.DataFrame([[1.5, 2.25, np.nan], [3.0, 4.0, 5.125]], index=["银川市", "吴忠市"], columns=[2022, 2023, 2024])
    return charts.region_year_heatmap(pivot, "万元", indicator_name="罚没款", **kw)


CATEGORIES = ["警告", "罚款", "没收违法所得", "没收非法财物", "责令停产停业", "通报批评", "暂扣许可证件",
              "降低资质等级", "吊销许可证件", "行政拘留"]


def _composition(**kw):
    rows = [(y, c, float(10 - i)) for y in (2023, 2024) for i, c in enumerate(CATEGORIES)]
    return charts.penalty_composition(pd.DataFrame(rows, columns=["year", "category", "value"]), **kw)


def _pass_rate(**kw):
    df = pd.DataFrame({"label": [2022, 2023, 2024], "rate": [90.0, 92.5, 95.0], "lo": [85.0, 88.0, 91.0],
                       "hi": [93.0, 95.0, 97.0]})
    return charts.pass_rate_chart(df, reference=93.0, **kw)


def _limits(p=0.9):
    n = np.linspace(5, 200, 40)
    se = np.sqrt(p * (1 - p) / n)
    return pd.DataFrame({"n": n, "lo95": 100 * (p - 1.96 * se), "hi95": np.minimum(100, 100 * (p + 1.96 * se)),
                         "lo998": 100 * (p - 3.09 * se), "hi998": np.minimum(100, 100 * (p + 3.09 * se))})


FUNNEL_DF = pd.DataFrame({"label": ["银川市", "石嘴山市", "吴忠市"], "n": [150, 40, 80], "rate": [70.0, 92.5, 91.0]})


def _funnel(**kw):
    return charts.funnel_plot(FUNNEL_DF, _limits(), center=90.0, **kw)


BUILDERS = {"trend": _trend, "small": _small, "ranking": _ranking, "heatmap": _heatmap,
            "composition": _composition, "pass_rate": _pass_rate, "funnel": _funnel}


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text))]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_chart_renders_chinese_and_saves_png_and_svg(name, tmp_path, house_font):
    with capture_font_warnings() as box:
        fig = BUILDERS[name](title="测试图表标题", source="自然资源执法统计年报", data_year=2024, is_sample=True)
        paths = charts.save_figure(fig, tmp_path, f"chart_{name}", formats=("png", "svg"))
    assert isinstance(fig, Figure)
    assert box.missing_glyph == [], box.messages
    texts = _texts(fig)
    assert "测试图表标题" in texts
    assert any("数据来源：自然资源执法统计年报" in t and "2024年" in t for t in texts)
    assert WATERMARK_TEXT in texts
    assert set(paths) == {"png", "svg"}
    with Image.open(paths["png"]) as img:
        width_in, height_in = fig.get_size_inches()
        assert img.size == (round(width_in * 200), round(height_in * 200))  # 200 dpi
    svg = paths["svg"].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_watermark_for_real_data(name, house_font):
    fig = BUILDERS[name](is_sample=False)
    assert WATERMARK_TEXT not in _texts(fig)
    assert any(t.startswith("数据来源：") for t in _texts(fig))


def test_axis_labels_carry_units(house_font):
    fig = _trend()
    ax = fig.axes[0]
    assert ax.get_ylabel() == "立案查处案件（起）"
    fig = _heatmap()
    assert any(a.get_ylabel() == "罚没款（万元）" for a in fig.axes)
    assert _pass_rate().axes[0].get_ylabel() == "案卷合格率（%）"


def test_trend_line_yoy_annotations(house_font):
    texts = _texts(_trend())
    # 180 -> 195: +8.3%; 230 -> 214: -7.0%; 2021->2022 and 2022->2023 involve a missing year: no label.
    assert f"{(195 - 180) / 180 * 100:+.1f}%" in texts
    assert f"{(214 - 230) / 230 * 100:+.1f}%" in texts
    assert sum(1 for t in texts if t.endswith("%") and t[0] in "+-") == 2


def test_ranking_bars_average_line(house_font):
    texts = _texts(_ranking())
    mean = (80 + 30 + 45 + 20 + 40) / 5
    assert f"全省平均：{mean:,.0f}" in texts
    texts = _texts(_ranking(average=50.0, average_label="全市平均"))
    assert "全市平均：50" in texts


def test_heatmap_annotates_every_cell(house_font):
    texts = _texts(_heatmap())
    # 5.125 is shown rounded half-up (四舍五入), as Chinese readers expect.
    for expected in ("1.50", "2.25", "3.00", "4.00", "5.13", "—"):
        assert expected in texts


def test_composition_groups_small_categories(house_font):
    fig = _composition(max_categories=5)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == CATEGORIES[:4] + ["其他"]
    total = sum(10 - i for i in range(len(CATEGORIES)))
    assert str(total) in _texts(fig)


def test_pass_rate_error_bars_match_wilson_bounds(house_font):
    fig = _pass_rate()
    ax = fig.axes[0]
    segments = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    ys = sorted(tuple(sorted((seg[0][1], seg[1][1]))) for seg in segments[0].get_segments())
    assert ys == [(85.0, 93.0), (88.0, 95.0), (91.0, 97.0)]


def test_funnel_labels_name_every_point_and_mark_outliers(house_font):
    # issue 12: every point carries its region name (few points); the outliers' names are in the accent colour
    def coloured(fig):
        return {t.get_text(): t.get_color() for t in fig.axes[0].texts if t.get_gid() == "point-label"}

    labels = coloured(_funnel())
    assert set(labels) == {"银川市", "石嘴山市", "吴忠市"}
    assert labels["银川市"] == HIGHLIGHT  # 70% at n=150 is far below the 99.8% limit
    assert labels["石嘴山市"] != HIGHLIGHT and labels["吴忠市"] != HIGHLIGHT
    explicit = FUNNEL_DF.assign(outlier=[False, True, False])
    labels = coloured(charts.funnel_plot(explicit, _limits(), center=90.0))
    assert labels["石嘴山市"] == HIGHLIGHT and labels["银川市"] != HIGHLIGHT


def test_palette_is_okabe_ito_first(house_font):
    fig = _small()
    colours = [line.get_color().upper() for ax in fig.axes for line in ax.get_lines()]
    assert colours[:2] == [OKABE_ITO[0], OKABE_ITO[1]]


@pytest.mark.parametrize("stem", ["../evil", "a/b", "", ".hidden"])
def test_save_figure_rejects_unsafe_names(stem, tmp_path, house_font):
    with pytest.raises(ValueError):
        charts.save_figure(_trend(), tmp_path, stem)


def test_missing_columns_are_reported(house_font):
    with pytest.raises(ValueError, match="year"):
        charts.trend_line(pd.DataFrame({"value": [1]}), "立案查处案件", "起")


def test_dollar_signs_in_names_do_not_trigger_mathtext(tmp_path, house_font):
    df = pd.DataFrame({"region_name": ["银川$市", "$\\frac{1}{0}$", "吴忠市"], "value": [3.0, 2.0, 1.0]})
    fig = charts.ranking_bars(df, unit="起", indicator_name="立案查处案件")
    charts.save_figure(fig, tmp_path, "dollar")  # an unbalanced "$" would make mathtext raise here
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "银川\\$市" in labels


def test_svg_only_on_request(tmp_path, house_font, monkeypatch):
    monkeypatch.delenv("ENFORCEMENT_CHART_SVG", raising=False)
    fig = BUILDERS["trend"](is_sample=False)
    assert set(charts.save_figure(fig, tmp_path, "png_only")) == {"png"}
    assert not (tmp_path / "png_only.svg").exists()
    monkeypatch.setenv("ENFORCEMENT_CHART_SVG", "1")
    assert set(charts.save_figure(fig, tmp_path, "both")) == {"png", "svg"}
    with pytest.raises(ValueError, match="unknown chart format"):
        charts.save_figure(fig, tmp_path, "bad", formats=("jpg",))


def test_dropping_the_layout_engine_keeps_the_pixels(tmp_path, house_font):
    """finish_figure drops tight_layout's placeholder engine: one draw less, the same picture."""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine
    from PIL import Image, ImageChops

    fig = BUILDERS["trend"](is_sample=True)
    assert fig.get_layout_engine() is None
    charts.save_figure(fig, tmp_path, "now")
    fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
    fig.savefig(tmp_path / "before.png", format="png", dpi=200)  # the old path: engine kept, zlib level 6
    with Image.open(tmp_path / "now.png") as now, Image.open(tmp_path / "before.png") as before:
        assert now.size == before.size
        assert ImageChops.difference(now.convert("RGB"), before.convert("RGB")).getbbox() is None
