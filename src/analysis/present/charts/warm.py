"""First-use costs of a chart, paid once in a process that forks kernels (the warm-kernel template).

A fresh kernel's first chart costs about 0.25 s more than its second: registering the bundled fonts
with matplotlib, reading their character maps (the coverage check of :func:`analysis.present.charts.save_figure`), matplotlib's
font lookups, and the first layout and draw of Chinese text. :func:`warm_up` pays them in the template
(:mod:`analysis.report.executors.template`), so every kernel forked from it starts with them paid.

What a kernel sees stays the same as in an ordinary kernel: rcParams are restored (a notebook starts with
matplotlib's defaults either way), no pyplot figure is made (figure numbers start at 1), and nothing is
written. Matplotlib clears its open font files in a forked child itself (``os.register_at_fork``), so no
file offset is shared between kernels.
"""

from __future__ import annotations

import io

import matplotlib
import pandas as pd

from analysis.present.charts.plots import ranking_bars, trend_line
from analysis.present.fonts import uncovered


def warm_up() -> None:
    """Draw a trend and a ranking chart once (to memory) with the house style, then restore rcParams."""
    from analysis.catalog import load_catalog
    from analysis.stats.derive import derived_catalog, indicator_catalog, region_catalog

    # The packaged catalogues every notebook reads (cached per process).
    load_catalog()
    region_catalog()
    indicator_catalog()
    derived_catalog()
    uncovered("立案")  # the static font's character map
    with matplotlib.rc_context():
        from analysis.present.charts.style import apply_house_style

        apply_house_style()
        series = pd.DataFrame({"year": [2023, 2024], "value": [1.0, 2.0]})
        regions = pd.DataFrame({"region_name": ["银川市", "石嘴山市"], "value": [2.0, 1.0],
                                "region_code": ["640100", "640200"]})
        figures = [
            trend_line(series, "立案数", "起", title="立案数变化", is_sample=True, data_year=2024),
            ranking_bars(regions, unit="万元", indicator_name="罚没款", title="各地罚没款", data_year=2024),
        ]
        for fig in figures:
            fig.savefig(io.BytesIO(), format="png", dpi=200)
