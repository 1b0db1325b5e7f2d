"""Benchmark: where a chart's time goes, and today's chart path against the one before, in the same run.

Run: ``.venv/bin/python benchmarks/bench_charts.py [--rounds 7]``

Two typical charts (a six-year trend line and a 22-region ranking) are built and saved, alternating the
two paths in shuffled rounds so machine drift hits both alike:

- **baseline** (the path before this change): the figure keeps the placeholder layout engine
  ``tight_layout`` leaves (so every ``savefig`` makes an extra dry-run draw), then a 200-dpi PNG
  (zlib level 6) and an SVG with text as paths, as every chart was saved before;
- **current**: :func:`analysis.present.charts.save_figure` with its defaults (no layout engine left on the
  figure, a 200-dpi PNG at zlib level 1 only; the SVG on request). The pictures are pixel-identical
  (``tests/presentation/test_charts.py``).

Each phase is timed separately (build, PNG, SVG) and the medians are printed with the ratio
current / baseline per chart (target: a typical chart at least 1.5x as fast, i.e. a ratio <= 0.67).
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

from analysis.present.charts import ranking_bars, save_figure, trend_line
from analysis.present.fonts import use_house_font

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
    return {"build": t1 - t0, "png": t2 - t1, "svg": t3 - t2}


def run_current(kind: str, out: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    fig = build(kind)
    t1 = time.perf_counter()
    save_figure(fig, out, f"c_{kind}")
    t2 = time.perf_counter()
    save_figure(fig, out, f"c_{kind}_svg", formats=("svg",))
    t3 = time.perf_counter()
    return {"build": t1 - t0, "png": t2 - t1, "svg": t3 - t2}


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
    print(f"{'chart':8} {'path':9} {'build':>7} {'png':>7} {'svg':>7} {'default':>8}   (median seconds, {args.rounds} rounds)")
    worst = 0.0
    for kind in ("trend", "ranking"):
        med = {}
        for path in ("baseline", "current"):
            phases = {ph: statistics.median(r[ph] for r in results[(kind, path)]) for ph in ("build", "png", "svg")}
            # what a report pays per chart: before, build + PNG + SVG; now, build + PNG (SVG on request)
            phases["default"] = phases["build"] + phases["png"] + (phases["svg"] if path == "baseline" else 0.0)
            med[path] = phases
            print(f"{kind:8} {path:9} {phases['build']:7.3f} {phases['png']:7.3f} {phases['svg']:7.3f} {phases['default']:8.3f}")
        ratio = med["current"]["default"] / med["baseline"]["default"]
        png_ratio = (med["current"]["build"] + med["current"]["png"]) / (med["baseline"]["build"] + med["baseline"]["png"])
        worst = max(worst, ratio)
        print(f"{kind:8} ratio current/baseline: {ratio:.2f} per report chart ({1 / ratio:.2f}x as fast); "
              f"PNG alone {png_ratio:.2f}")
    print(f"target <= 0.67 (1.5x as fast): {'met' if worst <= 0.67 else 'NOT met'} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
