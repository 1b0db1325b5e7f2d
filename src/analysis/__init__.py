"""Analytics for Chinese administrative-enforcement statistics (行政执法数据).

The public face, for an analyst in JupyterLab (see ``notebooks/00_start_here.ipynb``)::

    import analysis
    data = analysis.load("../data/processed")          # facts, quality findings, meta (is_sample, years)
    summary = analysis.build_summary(data.facts)        # one row per year x region x indicator
    analysis.trend_chart(summary, "640000", "cases_filed")
    analysis.paragraph(summary, "640000", 2024, ["cases_filed", "fines_collected"])
    analysis.indicator_table(summary, "640000", 2024)

- ``load(processed_dir)``: the processed folder written by ``enforcement clean`` (:mod:`analysis.views`).
- ``build_summary(facts)``: the summary table (:mod:`analysis.stats.summary`; columns in docs/contracts.md).
- ``trend_chart(summary, region_code, indicator)``: a house-style chart (:mod:`analysis.present.quick`).
- ``paragraph(summary, region_code, year, indicators)``: formal-Chinese narrative (:mod:`analysis.present.narrative`).
- ``indicator_table(summary, region_code, year)``: the key-indicator table (:mod:`analysis.present.quick`).
- ``format_number(value, unit)``: the one number formatter (:mod:`analysis.present.numbers`).

The package is a one-way flow raw -> processed -> outputs, in layers (lowest first; a layer never
imports a higher one, ``tests/test_architecture.py`` enforces it):

- base: ``errors``, ``atomic`` (atomic writes), ``safe_cells`` (spreadsheet-safe text), ``fingerprint``
- ``catalog``: indicators, regions, units, column maps, finding codes as CSV data, and their loader
- ``processed``: the tidy-facts contract and the one reader/writer of the processed folder
- ``clean``: readers, layout detection, extraction, validation, findings, the ``enforcement clean`` pipeline
- ``stats``: derived indicators, trends, rates, comparisons, hierarchy, the summary table
- ``present``: numbers, charts, narrative, tables, fonts
- ``views``: what each report notebook shows, one module per notebook
- ``report``: the report runner, parameters, suite, build state, HTML export, index page
- ``cli``: the ``enforcement`` command

The names above are imported on first use, so ``import analysis`` itself stays cheap.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_FACE = {
    "load": ("analysis.views", "load_processed"),
    "build_summary": ("analysis.stats.summary", "build_summary"),
    "trend_chart": ("analysis.present.quick", "trend_chart"),
    "paragraph": ("analysis.present.narrative", "paragraph"),
    "indicator_table": ("analysis.present.quick", "indicator_table"),
    "format_number": ("analysis.present.numbers", "format_number"),
}

__all__ = ["__version__", *_FACE]


def __getattr__(name: str):
    try:
        module, attr = _FACE[name]
    except KeyError:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FACE))
