"""Benchmark: where a chart's time goes, and today's chart path against the one before, in the same run.

Run: ``.venv/bin/python benchmarks/bench_charts.py [--rounds 7]``

Two typical charts (a six-year trend line and a 22-region ranking) are built and saved, alternating the
two paths in shuffled rounds so machine drift hits both alike:

- **baseline** (the path before issue 13): the figure keeps the placeholder layout engine
  ``tight_layout`` leaves (so every ``savefig`` makes an extra dry-run draw), then a 200-dpi PNG
  (zlib level 6) and an SVG with text as paths, and the page's copy made by reading the PNG file back;
- **current**: :func:`analysis.present.charts.render_figure` with its defaults (no layout engine left on
  the figure, one 200-dpi draw written as a PNG at zlib level 1; the SVG on request) and the page's copy
  reduced from the pixels of that draw (:func:`analysis.views.display.screen_png`), as
  :func:`analysis.views.display.show_figure` does. The pictures are pixel-identical
  (``tests/presentation/test_charts.py``, ``tests/presentation/test_chart_saving.py``).

Each phase is timed separately (build, PNG, SVG, page copy) and the medians are printed with the ratio
current / baseline per chart, for what a report pays per chart and for each format alone (target: a
typical chart at least 1.5x as fast, i.e. a ratio <= 0.67).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from PIL import Image

from analysis.present.charts import ranking_bars, render_figure, save_figure, trend_line
from analysis.present.fonts import use_house_font
from analysis.views.display import inline_png, screen_png

YEARS = list(range(2019, 2025))
SERIES = pd.DataFrame({"year": YEARS, "value": [120.0, 150.0, 170.0, 160.0, 190.0, 214.0]})
REGIONS = pd.DataFrame({"region_name": [f"示例{i:02d}县" for i in range(22)], "value": np.linspace(5, 80, 22),
                        "region_code": [str(640101 + i) for i in range(22)]})


def build(kind: str):
    if kind == "trend":
        return trend_line(SERIES, "立案数", "起", title="立案数变化", is_sample=True, data_year=2024)
    return ranking_bars(REGIONS, unit="起", indicator_name="立案数", title="各县立案数", is_sample=True, data_year=2024)


def run_baseline(kind: str, out: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    fig = build(kind)
    # what tight_layout left behind before: a placeholder engine, so each savefig made a dry-run draw
    fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
    t1 = time.perf_counter()
    fig.savefig(out / f"b_{kind}.png", format="png", dpi=200, metadata={"Software": None})
    t2 = time.perf_counter()
    fig.savefig(out / f"b_{kind}.svg", format="svg", metadata={"Date": None})
    t3 = time.perf_counter()
    inline_png(out / f"b_{kind}.png")
    t4 = time.perf_counter()
    return {"build": t1 - t0, "png": t2 - t1, "svg": t3 - t2, "page": t4 - t3}


def run_current(kind: str, out: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    fig = build(kind)
    t1 = time.perf_counter()
    rendered = render_figure(fig, out, f"c_{kind}")
    t2 = time.perf_counter()
    save_figure(fig, out, f"c_{kind}_svg", formats=("svg",))
    t3 = time.perf_counter()
    screen_png(Image.fromarray(rendered.rgba, "RGBA"))
    t4 = time.perf_counter()
    return {"build": t1 - t0, "png": t2 - t1, "svg": t3 - t2, "page": t4 - t3}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    use_house_font()
    rng = random.Random(11)
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for kind in ("trend", "ranking"):  # warm-up: fonts, caches
            run_baseline(kind, out)
            run_current(kind, out)
        for _ in range(args.rounds):
            plan = [(k, p) for k in ("trend", "ranking") for p in ("baseline", "current")]
            rng.shuffle(plan)
            for kind, path in plan:
                fn = run_baseline if path == "baseline" else run_current
                results.setdefault((kind, path), []).append(fn(kind, out))
    print(f"{'chart':8} {'path':9} {'build':>7} {'png':>7} {'svg':>7} {'page':>7} {'default':>8}"
          f"   (median seconds, {args.rounds} rounds)")
    worst = 0.0
    for kind in ("trend", "ranking"):
        med = {}
        for path in ("baseline", "current"):
            phases = {ph: statistics.median(r[ph] for r in results[(kind, path)])
                      for ph in ("build", "png", "svg", "page")}
            # what a report pays per chart: before, build + PNG + SVG + page copy; now the SVG only on request
            phases["default"] = (phases["build"] + phases["png"] + phases["page"]
                                 + (phases["svg"] if path == "baseline" else 0.0))
            med[path] = phases
            print(f"{kind:8} {path:9} {phases['build']:7.3f} {phases['png']:7.3f} {phases['svg']:7.3f}"
                  f" {phases['page']:7.3f} {phases['default']:8.3f}")
        ratio = med["current"]["default"] / med["baseline"]["default"]
        each = {ph: med["current"][ph] / med["baseline"][ph] for ph in ("png", "svg", "page")}
        worst = max(worst, ratio)
        print(f"{kind:8} ratio current/baseline: {ratio:.2f} per report chart ({1 / ratio:.2f}x as fast); "
              f"per format: PNG {each['png']:.2f}, SVG {each['svg']:.2f}, page copy {each['page']:.2f}")
    print(f"target <= 0.67 (1.5x as fast): {'met' if worst <= 0.67 else 'NOT met'} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
