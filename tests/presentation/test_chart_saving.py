"""One 200-dpi render serves the PNG file and the page's copy: the same bytes as ``savefig``, the same page image."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.present.charts import ranking_bars, render_figure, save_figure, trend_line
from analysis.views.display import inline_png, screen_png


def _charts():
    series = pd.DataFrame({"year": [2021, 2022, 2023, 2024], "value": [120.0, 150.0, 170.0, 214.0]})
    regions = pd.DataFrame({"region_name": ["银川市", "石嘴山市", "吴忠市"], "value": [9.5, 4.0, 6.25],
                            "region_code": ["640100", "640200", "640300"]})
    return [trend_line(series, "立案数", "起", title="立案数变化", is_sample=True, data_year=2024),
            ranking_bars(regions, unit="万元", indicator_name="罚没款", title="各市罚没款", data_year=2024)]


@pytest.mark.parametrize("index", [0, 1])
def test_png_file_is_what_savefig_writes(tmp_path, index):
    fig = _charts()[index]
    reference = tmp_path / "ref.png"
    fig.savefig(reference, format="png", dpi=200, bbox_inches=None, metadata={"Software": None},
                pil_kwargs={"compress_level": 1})
    rendered = render_figure(fig, tmp_path, "chart")
    assert rendered.paths["png"].read_bytes() == reference.read_bytes()
    with Image.open(reference) as img:
        assert rendered.rgba.shape == (img.height, img.width, 4)
        assert np.array_equal(rendered.rgba, np.asarray(img.convert("RGBA")))
    # The page's copy from the pixels in memory equals the copy made by reading the file back.
    assert screen_png(Image.fromarray(rendered.rgba, "RGBA")) == inline_png(reference)


def test_render_leaves_the_figure_as_it_was(tmp_path):
    fig = _charts()[0]
    canvas, dpi = fig.canvas, fig.dpi
    render_figure(fig, tmp_path, "chart")
    assert fig.canvas is canvas and fig.dpi == dpi
    # Saved again afterwards, the figure gives the same file (nothing drawn into it stays behind).
    first = (tmp_path / "chart.png").read_bytes()
    save_figure(fig, tmp_path, "again")
    assert (tmp_path / "again.png").read_bytes() == first


def test_svg_only_on_request_and_no_pixels_without_png(tmp_path, monkeypatch):
    fig = _charts()[1]
    monkeypatch.delenv("ENFORCEMENT_CHART_SVG", raising=False)
    assert set(render_figure(fig, tmp_path, "a").paths) == {"png"}
    svg_only = render_figure(fig, tmp_path, "b", formats=("svg",))
    assert set(svg_only.paths) == {"svg"} and svg_only.rgba is None
    monkeypatch.setenv("ENFORCEMENT_CHART_SVG", "1")
    assert set(render_figure(fig, tmp_path, "c").paths) == {"png", "svg"}
    with pytest.raises(ValueError, match="unsafe"):
        render_figure(fig, tmp_path, "../x")
