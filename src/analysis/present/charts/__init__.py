"""Chinese charts in one house style (bundled CJK font, colour-blind-safe palette, source line, watermark).

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so they work the same in a
script, a test and a notebook (Jupyter displays a returned Figure inline).
"""

from analysis.present.charts.leader import change_bars, enforcement_chain_chart
from analysis.present.charts.plots import (
    funnel_plot,
    heatmap_scale,
    pass_rate_chart,
    penalty_composition,
    ranking_bars,
    region_year_heatmap,
    small_multiples,
    trend_line,
)
from analysis.present.charts.saving import RenderedFigure, render_figure, save_figure
from analysis.present.charts.style import (
    OKABE_ITO,
    PALETTE,
    WATERMARK_TEXT,
    add_watermark,
    apply_house_style,
    finish_figure,
)

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "RenderedFigure",
    "WATERMARK_TEXT",
    "add_watermark",
    "apply_house_style",
    "change_bars",
    "enforcement_chain_chart",
    "finish_figure",
    "funnel_plot",
    "heatmap_scale",
    "pass_rate_chart",
    "penalty_composition",
    "ranking_bars",
    "region_year_heatmap",
    "render_figure",
    "save_figure",
    "small_multiples",
    "trend_line",
]
