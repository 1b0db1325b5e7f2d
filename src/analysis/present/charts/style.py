"""The house style shared by every chart: font, palette, title, source line, data year, watermark.

Every chart function calls :func:`apply_house_style` and finishes with :func:`finish_figure`, so a
chart made in an analyst's notebook looks the same as one in the yearly report.
"""

from __future__ import annotations

import matplotlib
from matplotlib.layout_engine import TightLayoutEngine

from analysis.present.fonts import use_house_font

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
# Paul Tol's "muted" scheme, used after Okabe-Ito when a chart needs more categories.
TOL_MUTED: tuple[str, ...] = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
)
PALETTE: tuple[str, ...] = OKABE_ITO[:6] + TOL_MUTED
NEUTRAL_GREY = "#8C8C8C"
HIGHLIGHT = OKABE_ITO[3]
SEQUENTIAL_CMAP = "cividis"  # perceptually uniform and colour-blind-safe

WATERMARK_TEXT = "示例数据"
WATERMARK_GID = "sample-watermark"
SOURCE_PREFIX = "数据来源："
DEFAULT_SOURCE = "行政执法统计报表"

UNIT_LABELS = {"万元": "万元", "起": "起", "%": "%"}


def apply_house_style() -> str:
    """Register the bundled CJK font and set the house rcParams. Returns the font family name."""
    family = use_house_font()
    rc = matplotlib.rcParams
    rc["axes.prop_cycle"] = matplotlib.cycler(color=list(PALETTE))
    rc["axes.spines.top"] = False
    rc["axes.spines.right"] = False
    rc["axes.grid"] = True
    rc["axes.grid.axis"] = "y"
    rc["grid.color"] = "#DDDDDD"
    rc["grid.linewidth"] = 0.6
    rc["axes.titlesize"] = 12
    rc["axes.labelsize"] = 10
    rc["xtick.labelsize"] = 9
    rc["ytick.labelsize"] = 9
    rc["legend.frameon"] = False
    rc["figure.dpi"] = 100
    rc["savefig.dpi"] = 200
    rc["svg.fonttype"] = "path"  # glyphs as outlines: the SVG renders anywhere, no font needed
    rc["svg.hashsalt"] = "enforcement-analysis"  # stable ids, reproducible SVG files
    return family


def axis_label(name: str, unit: str | None) -> str:
    """``罚没款（万元）``; no brackets when there is no unit."""
    return f"{name}（{unit}）" if unit else name


def finish_figure(
    fig,
    *,
    title: str | None,
    source: str | None = None,
    data_year: int | str | None = None,
    is_sample: bool = False,
) -> None:
    """Add the title, the source line with the data year, and the sample watermark to ``fig``."""
    # The tight layout is applied once, without installing it as the figure's layout engine: an installed
    # engine (even the placeholder fig.tight_layout leaves) makes every savefig draw the figure twice.
    TightLayoutEngine(rect=(0, 0.06, 1, 0.93 if title else 1)).execute(fig)
    if title:
        fig.suptitle(safe_label(title), fontsize=14, fontweight="bold", x=0.02, ha="left", y=0.975)
    parts = [f"{SOURCE_PREFIX}{safe_label(source or DEFAULT_SOURCE)}"]
    if data_year is not None and str(data_year) != "":
        parts.append(f"数据年度：{data_year}年")
    fig.text(0.02, 0.015, "　".join(parts), fontsize=8, color="#555555", ha="left", va="bottom", gid="source-line")
    if is_sample:
        add_watermark(fig)


WATERMARK_ZORDER = -10
"""Below every axes (zorder 0) and so below all data, labels and ticks: the figure draws its own artists
in zorder order after its background, so the watermark is painted first and everything else on top."""


def add_watermark(fig, text: str = WATERMARK_TEXT) -> None:
    """A large, diagonal, semi-transparent watermark *behind* the data (never over bars, lines or labels).

    The watermark is a figure text at :data:`WATERMARK_ZORDER`, drawn straight after the figure
    background; every axes background is made transparent so that it shows through the empty plot
    area while bars, lines, images and text, all drawn later, cover it.
    """
    width, height = fig.get_size_inches()
    size = max(28.0, min(width, height) * 12)
    for ax in fig.axes:
        ax.patch.set_alpha(0.0)
    fig.text(
        0.5, 0.5, text,
        fontsize=size, color="#B22222", alpha=0.18, rotation=30, ha="center", va="center",
        fontweight="bold", zorder=WATERMARK_ZORDER, gid=WATERMARK_GID,
    )


def safe_label(text) -> str:
    """Data text for a chart label: ``$`` escaped so a name from raw data never switches on mathtext."""
    return str(text).replace("$", r"\$")


def colors_for(n: int) -> list[str]:
    """``n`` colours from the house palette (cycled if more are asked for)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]

