"""Data preparation for the report notebooks, so the notebooks hold only parameters, calls and headings.

A report notebook opens its context with :func:`open_report`, then calls one function per section of its
report module; each returns a :class:`~analysis.views.display.Section` of ready blocks (a paragraph, a
table, a figure) that :func:`show` displays, and the last call writes the tables the sections kept.

Modules (one per report notebook, then the shared helpers):

- :mod:`~analysis.views.quality` (01 数据质量报告), :mod:`~analysis.views.overview` (02 年度执法工作总览),
  :mod:`~analysis.views.regions` (03 地区比较), :mod:`~analysis.views.casefile` (04 案卷评查分析),
  :mod:`~analysis.views.profile` (05 地区画像);
- :mod:`~analysis.views.context` -- :func:`open_report` and the :class:`Report` the sections share;
- :mod:`~analysis.views.loading` -- the processed folder and the notebook parameters;
- :mod:`~analysis.views.memo` -- the summary table memoised on disk;
- :mod:`~analysis.views.shaping` -- summary-table slices and indicator lists shared by several reports;
- :mod:`~analysis.views.display` -- ready blocks and IPython display; :mod:`~analysis.views.export` -- CSV/XLSX;
- :mod:`~analysis.views.wording` -- the Chinese wording, read from
  ``analysis/present/narrative/reports/<report>.yaml``.

The names below are re-exported for the notebooks and for ``from analysis import views as v``.
"""

from __future__ import annotations

from analysis.stats.hierarchy import ROLLED_UP_SOURCE, with_rollups
from analysis.views import casefile, overview, profile, quality, regions
from analysis.views.casefile import (
    casefile_difference,
    casefile_paragraph,
    casefile_rate_table,
    casefile_rates,
    describe_test,
    funnel_frames,
    pass_rate_frame,
)
from analysis.views.context import Report, open_report
from analysis.views.display import (
    Figure,
    Html,
    Paragraphs,
    Section,
    Table,
    esc,
    header_html,
    inline_png,
    paragraphs_html,
    sample_notice_html,
    show,
    show_figure,
    show_html,
    show_paragraphs,
    show_table,
)
from analysis.views.export import write_tables
from analysis.views.loading import (
    REFERENCE_FILE,
    Processed,
    check_region,
    find_reference,
    load_processed,
    province_of,
    require_year,
    resolve_path,
)
from analysis.views.memo import cached_rollups, cached_summary, summary_cache_dir, summary_key
from analysis.views.overview import (
    key_paragraph,
    license_paragraph,
    penalty_composition_frame,
    penalty_share_table,
)
from analysis.views.profile import peer_table
from analysis.views.quality import (
    FINDING_COLUMNS,
    agency_mapping,
    cell_position,
    coverage_matrix,
    coverage_pivot,
    coverage_table,
    findings_summary,
    findings_table,
    hierarchy_table,
    loaded_files,
    missing_vs_zero,
    missing_vs_zero_table,
    severity_counts,
)
from analysis.views.regions import outlier_table, per_capita_table
from analysis.views.shaping import (
    CASEFILE_INDICATORS,
    KEY_INDICATORS,
    LICENSE_INDICATORS,
    OVERVIEW_INDICATORS,
    available_indicators,
    indicator_series,
    present,
    ranking_frame,
    ranking_table,
    region_year_pivot,
    row_of,
)

__all__ = [
    "CASEFILE_INDICATORS",
    "FINDING_COLUMNS",
    "Figure",
    "Html",
    "KEY_INDICATORS",
    "LICENSE_INDICATORS",
    "OVERVIEW_INDICATORS",
    "Paragraphs",
    "Processed",
    "REFERENCE_FILE",
    "ROLLED_UP_SOURCE",
    "Report",
    "Section",
    "Table",
    "agency_mapping",
    "available_indicators",
    "cached_rollups",
    "cached_summary",
    "casefile",
    "casefile_difference",
    "casefile_paragraph",
    "casefile_rate_table",
    "casefile_rates",
    "cell_position",
    "check_region",
    "require_year",
    "coverage_matrix",
    "coverage_pivot",
    "coverage_table",
    "describe_test",
    "esc",
    "find_reference",
    "findings_summary",
    "findings_table",
    "funnel_frames",
    "header_html",
    "hierarchy_table",
    "indicator_series",
    "inline_png",
    "key_paragraph",
    "license_paragraph",
    "load_processed",
    "loaded_files",
    "missing_vs_zero",
    "missing_vs_zero_table",
    "open_report",
    "outlier_table",
    "overview",
    "paragraphs_html",
    "pass_rate_frame",
    "peer_table",
    "penalty_composition_frame",
    "penalty_share_table",
    "per_capita_table",
    "present",
    "profile",
    "province_of",
    "quality",
    "ranking_frame",
    "ranking_table",
    "region_year_pivot",
    "regions",
    "resolve_path",
    "row_of",
    "sample_notice_html",
    "severity_counts",
    "show",
    "show_figure",
    "show_html",
    "show_paragraphs",
    "show_table",
    "summary_cache_dir",
    "summary_key",
    "with_rollups",
    "write_tables",
]
