"""Saving a chart: one 200-dpi render shared by the PNG file and the page's screen-resolution copy.

:func:`render_figure` draws the figure once with Agg at 200 dpi, writes ``<stem>.png`` from that pixel
buffer (the same bytes ``savefig`` writes: matplotlib's own ``imsave`` of the same buffer), writes the
SVG on request, and returns the buffer with the paths, so the page's copy is reduced from pixels
already in memory instead of decoding the file again. :func:`save_figure` is the same for callers
that only want the files.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from analysis.atomic import atomic_path
from analysis.present.fonts import warn_uncovered_in_figure

SAVED_DPI = 200
DEFAULT_FORMATS = ("png",)
"""What every chart is saved as: a 200-dpi PNG (print quality; the page embeds a downscaled copy).
An SVG (text as outlines) costs as much again, so it is written only on request: ``formats=("png", "svg")``
or ``ENFORCEMENT_CHART_SVG=1`` in the environment."""
SVG_ENV = "ENFORCEMENT_CHART_SVG"
_STEM_RE = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,120}$")
PNG_OPTIONS = {"metadata": {"Software": None}, "pil_kwargs": {"compress_level": 1}}
"""zlib level 1: a PNG about 15 % larger, written in half the time (the page embeds its own copy)."""


@dataclass(frozen=True, eq=False)
class RenderedFigure:
    """What :func:`render_figure` wrote (``{format: path}``) and the 200-dpi RGBA pixels (None without PNG)."""

    paths: dict[str, Path]
    rgba: np.ndarray | None


def _formats(formats: tuple[str, ...] | None) -> tuple[str, ...]:
    if formats is None:
        formats = DEFAULT_FORMATS + (("svg",) if os.environ.get(SVG_ENV) == "1" else ())
    unknown = set(formats) - {"png", "svg"}
    if unknown:
        raise ValueError(f"unknown chart format(s) {sorted(unknown)}; use png and/or svg")
    return tuple(formats)


def _draw_rgba(fig: Figure, dpi: int) -> np.ndarray:
    """The figure drawn by Agg at ``dpi``: what ``savefig(format="png", dpi=dpi)`` draws (an RGBA copy)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    original_canvas, original_dpi = fig.canvas, fig.dpi
    canvas = FigureCanvasAgg(fig)  # attaches itself to the figure until restored below
    try:
        fig.dpi = dpi
        canvas.draw()
        return np.array(canvas.buffer_rgba(), copy=True)
    finally:
        fig.dpi = original_dpi
        fig.set_canvas(original_canvas)


def render_figure(fig: Figure, out_dir: str | Path, stem: str,
                  formats: tuple[str, ...] | None = None) -> RenderedFigure:
    """Save ``fig`` as ``<stem>.png`` (200 dpi) and, on request, ``<stem>.svg`` in ``out_dir``, atomically.

    ``stem`` must be a plain file name (letters, digits, CJK, ``_.-``; no path separators). Characters
    outside the bundled static fonts are reported once (:func:`analysis.present.fonts.warn_uncovered_in_figure`);
    they still render through the fallback font.
    """
    from matplotlib.image import imsave

    if not _STEM_RE.match(stem) or ".." in stem:
        raise ValueError(f"unsafe figure file name {stem!r}")
    formats = _formats(formats)
    warn_uncovered_in_figure(fig)
    out = Path(out_dir)
    paths: dict[str, Path] = {}
    rgba = None
    for fmt in formats:
        dest = out / f"{stem}.{fmt}"
        with atomic_path(dest) as tmp:
            if fmt == "png":
                rgba = _draw_rgba(fig, SAVED_DPI)
                imsave(tmp, rgba, format="png", origin="upper", dpi=SAVED_DPI, **PNG_OPTIONS)
            else:
                fig.savefig(tmp, format="svg", dpi=SAVED_DPI, bbox_inches=None, metadata={"Date": None})
        paths[fmt] = dest
    return RenderedFigure(paths, rgba)


def save_figure(fig: Figure, out_dir: str | Path, stem: str, formats: tuple[str, ...] | None = None) -> dict[str, Path]:
    """:func:`render_figure`, returning only ``{format: path}``."""
    return render_figure(fig, out_dir, stem, formats).paths
