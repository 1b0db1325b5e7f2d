"""Showing report content in a notebook: escaped HTML, paragraphs, tables and figures (IPython imported lazily).

A report section (``analysis.views.quality`` ...) returns a :class:`Section`, a list of ready blocks --
:class:`Html`, :class:`Paragraphs`, :class:`Table`, :class:`Figure` -- in the order the report shows them;
:func:`show` displays them. The blocks are plain data, so an analyst can inspect a section's table or
figure before (or instead of) showing it.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.views.wording import say


def esc(value) -> str:
    """HTML-escaped text of any value (names and labels come from raw data)."""
    return html.escape("" if value is None else str(value))


REPORT_CSS = (
    "<style>.jp-RenderedHTMLCommon table.narrative-table td{text-align:left;}"
    " .jp-RenderedHTMLCommon table.narrative-table th{white-space:nowrap;}"
    " .report-subtitle{font-size:1.25em;font-weight:600;margin:0.2em 0 0.6em 0;}</style>"
)
SAMPLE_NOTICE_STYLE = ("border:2px solid #B22222;background:#FFF4F4;color:#8B0000;padding:0.6em 1em;"
                       "margin:0.5em 0;font-weight:bold;")


def header_html(subtitle: str, is_sample: bool) -> str:
    """The report's subtitle line (escaped), the table style, and the 示例数据 notice when applicable."""
    return f'{REPORT_CSS}<div class="report-subtitle">{esc(subtitle)}</div>{sample_notice_html(is_sample)}'


def sample_notice_html(is_sample: bool) -> str:
    """The 示例数据 notice box (empty string for real data)."""
    if not is_sample:
        return ""
    return f'<div style="{SAMPLE_NOTICE_STYLE}">{esc(say("common", "sample_notice"))}</div>'


def paragraphs_html(texts: Sequence[str]) -> str:
    return "".join(f'<p style="text-indent:2em;line-height:1.8;">{esc(t)}</p>' for t in texts if t)


def list_html(heading: str, items: Sequence[str]) -> str:
    """A bold lead-in line and a numbered list (both escaped)."""
    return f"<p><b>{esc(heading)}</b></p><ol>" + "".join(f"<li>{esc(t)}</li>" for t in items) + "</ol>"


def heading_html(text: str, level: int = 2) -> str:
    """A heading shown only when its section has content (escaped)."""
    return f"<h{int(level)}>{esc(text)}</h{int(level)}>"


def show_html(fragment: str) -> None:
    """Display an HTML fragment (the caller escapes any data-derived text)."""
    from IPython.display import HTML, display

    display(HTML(fragment))


def show_paragraphs(*texts: str) -> None:
    """Display plain-text paragraphs (escaped) in the report's body style."""
    show_html(paragraphs_html(texts))


def show_table(df: pd.DataFrame, caption: str) -> None:
    """Display a table as styled, escaped HTML (:func:`analysis.present.tables.to_html`)."""
    from analysis.present.tables import to_html

    if df is None or df.empty:
        show_paragraphs(say("common", "table.empty", caption=caption))
        return
    show_html(to_html(df, caption))


SAVED_DPI = 200  # analysis.present.charts.render_figure draws and writes PNGs at 200 dpi


def screen_png(image, dpi: int = 100, saved_dpi: int = SAVED_DPI) -> bytes:
    """A screen-resolution PNG of a high-resolution chart ``image`` (a PIL image), for embedding in the report.

    Downscaled from ``saved_dpi`` to ``dpi`` (Lanczos) and reduced to a 256-colour palette: charts have
    few colours, so this keeps each embedded image at a fraction of the full-colour size, and it avoids
    drawing the figure a second time (text layout dominates matplotlib's rendering time).
    """
    from PIL import Image

    rgb = image.convert("RGB")
    if dpi < saved_dpi:
        size = (max(1, round(rgb.width * dpi / saved_dpi)), max(1, round(rgb.height * dpi / saved_dpi)))
        rgb = rgb.resize(size, Image.Resampling.LANCZOS)
    small = rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


def inline_png(png_path: str | Path, dpi: int = 100, saved_dpi: int = SAVED_DPI) -> bytes:
    """:func:`screen_png` of a saved chart PNG file."""
    from PIL import Image

    with Image.open(png_path) as img:
        img.load()
        return screen_png(img, dpi, saved_dpi)


def figure_title(fig) -> str:
    """The title drawn on a matplotlib figure: its suptitle, else the first axes title ("" when none)."""
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        return suptitle.get_text().strip()
    for ax in getattr(fig, "axes", []):
        for loc in ("center", "left", "right"):
            text = ax.get_title(loc=loc).strip()
            if text:
                return text
    return ""


def alt_text(fig, alt: str = "") -> str:
    """The Chinese alternative text of a chart image: ``alt``, else 图表：<its title>, else a generic label."""
    if alt:
        return alt
    title = " ".join(figure_title(fig).split())
    return say("common", "figure.alt", title=title) if title else say("common", "figure.alt_default")


def image_html(png: bytes, alt: str) -> str:
    """An ``<img>`` with the PNG as a data URI and its (escaped) alternative text."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}" title="{esc(alt)}" style="max-width:100%;">'


def show_figure(fig, output_dir: str | Path, stem: str, dpi: int = 100, alt: str = "") -> None:
    """Save ``fig`` as PNG (SVG on request) into ``<output_dir>/figures/`` (:func:`analysis.present.charts.render_figure`)
    and display it inline as a screen-resolution PNG (:func:`screen_png` of the same 200-dpi pixels, not
    of the file read back) with Chinese alternative text.

    The output is an HTML ``<img alt=…>`` with the PNG as a data URI: nbconvert's ``image/png`` output has
    no alternative text, an HTML output keeps it (one copy of the image, in the notebook and the report).
    """
    from IPython.display import display
    from PIL import Image

    from analysis.present.charts import render_figure

    folder = Path(output_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    text = alt_text(fig, alt)
    rendered = render_figure(fig, folder, stem)  # the default formats always include the PNG
    png = screen_png(Image.fromarray(rendered.rgba, "RGBA"), dpi=dpi)
    display({"text/html": image_html(png, text)}, raw=True)


# --------------------------------------------------------------------------- ready blocks


@dataclass(frozen=True)
class Html:
    """An HTML fragment whose data-derived text is already escaped."""

    fragment: str


@dataclass(frozen=True)
class Paragraphs:
    """Plain-text paragraphs (escaped when shown); empty strings are skipped."""

    texts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.texts)


@dataclass(frozen=True, eq=False)
class Table:
    """A table with its caption (an empty table shows as "caption：暂无数据。")."""

    df: pd.DataFrame
    caption: str


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart and where it is saved: ``<output_dir>/figures/<stem>.png|.svg``; ``alt``: its alternative
    text (default: 图表：<the chart's title>, :func:`alt_text`)."""

    fig: Any
    output_dir: Path
    stem: str
    alt: str = ""


class Section(list):
    """The blocks of one report section, in display order."""

    def tables(self) -> list[pd.DataFrame]:
        return [b.df for b in self if isinstance(b, Table)]

    def figures(self) -> list[Any]:
        return [b.fig for b in self if isinstance(b, Figure)]


def paragraphs(*texts: str) -> Paragraphs:
    return Paragraphs(tuple(texts))


def _show_one(block) -> None:
    if isinstance(block, Html):
        show_html(block.fragment)
    elif isinstance(block, Paragraphs):
        show_paragraphs(*block.texts)
    elif isinstance(block, Table):
        show_table(block.df, block.caption)
    elif isinstance(block, Figure):
        show_figure(block.fig, block.output_dir, block.stem, alt=block.alt)
    else:
        raise TypeError(f"cannot show {type(block).__name__}")


def show(*items: Html | Paragraphs | Table | Figure | Iterable) -> None:
    """Display blocks (or sections of blocks) in order; ``None`` is skipped."""
    for item in items:
        if item is None:
            continue
        if isinstance(item, (list, tuple)):
            show(*item)
        else:
            _show_one(item)
