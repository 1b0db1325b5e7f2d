"""One report notebook's context: its parameters checked, its data loaded, the tables it exports.

:func:`open_report` is the first call of every report notebook. It resolves the output folder, loads the
processed data (:func:`analysis.views.loading.load_processed`), checks the year (and the region of the
region profile), completes parents' figures (:func:`analysis.stats.hierarchy.with_rollups`, memoised by
:func:`analysis.views.memo.cached_rollups`) and builds or reads the memoised summary table
(:func:`analysis.views.memo.cached_summary`).

The report sections record the tables they produce with :meth:`Report.keep` (and the paragraphs of the
Word export with :meth:`Report.keep_text`); :meth:`Report.export` writes them all at the end -- the one
home of the closing "write the tables" step.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.views.display import Section, paragraphs
from analysis.views.export import write_tables
from analysis.views.loading import (
    Processed,
    check_region,
    load_processed,
    province_of,
    require_year,
    resolve_path,
    select_province,
)
from analysis.views.memo import cached_rollups, cached_summary, summary_cache_dir
from analysis.views.wording import say


@dataclass
class Report:
    """What the sections of one report notebook share."""

    year: int
    data: Processed
    out_dir: Path
    facts: pd.DataFrame
    summary: pd.DataFrame | None = None
    region: dict | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    method_notes: list[str] = field(default_factory=list)

    @property
    def is_sample(self) -> bool:
        return self.data.is_sample

    @property
    def chart(self) -> dict:
        """Keyword arguments every chart takes: the source line, the data year, the sample flag."""
        source = say("common", "chart.source")
        if self.is_sample:
            source += say("common", "chart.source_sample_suffix")
        return {"source": source, "data_year": self.year, "is_sample": self.is_sample}

    @functools.cached_property
    def flags(self) -> frozenset[tuple[int, str, str]]:
        """``(year, region_code, indicator)`` of the figures the quality report flags
        (:func:`analysis.views.flags.flagged_figures`)."""
        from analysis.views.flags import flagged_figures

        return flagged_figures(self.data.facts, self.data.quality)

    @property
    def province(self) -> dict:
        """``{"code", "name"}`` of the province in the facts."""
        return province_of(self.data.facts)

    def keep(self, name: str, table: pd.DataFrame) -> pd.DataFrame:
        """Record a table for :meth:`export` under its (Chinese) sheet name; returns the table."""
        self.tables[name] = table
        return table

    def keep_text(self, text: str) -> str:
        """Record a paragraph for the Word export; returns the text."""
        if text:
            self.texts.append(text)
        return text

    def keep_note(self, text: str) -> str:
        """Record a sentence for the report's 附注 on methods (:mod:`analysis.views.notes`); returns it."""
        if text:
            self.method_notes.append(text)
        return text

    def export(self, stem: str, *, keep_empty: bool = False, fallback: dict | None = None,
               docx_title: str | None = None, note: str | None = "tables") -> Section:
        """Write the kept tables to ``tables/<stem>.xlsx`` and ``tables/<stem>_<name>.csv``.

        Empty tables are left out unless ``keep_empty``; when none is left, ``fallback`` tables are written
        instead. With ``docx_title`` the tables and the kept paragraphs (after the sample-data notice for
        sample data) also go to ``tables/<stem>.docx``. Returns the closing paragraph named by ``note``
        (``common.yaml`` ``export.<note>``; ``None``: nothing to show).
        """
        tables = {k: t for k, t in self.tables.items() if keep_empty or len(t)}
        if not tables and fallback is not None:
            tables = fallback
        write_tables(self.out_dir, stem, tables, is_sample=self.is_sample)
        if docx_title is not None:
            from analysis.present.tables import to_docx

            texts = list(self.texts)
            if self.is_sample:
                texts.insert(0, say("common", "sample_notice_docx"))
            to_docx(tables, texts, self.out_dir / "tables" / f"{stem}.docx", title=docx_title)
        if note is None:
            return Section()
        return Section([paragraphs(say("common", f"export.{note}", stem=stem))])


def open_report(processed_dir: str | Path, year, output_dir: str | Path = "", *, summary: bool = True,
                require_quality: bool = False, with_reference: bool = True, region: str | None = None,
                province: str = "") -> Report:
    """Check the parameters, load the processed data and (``summary=True``) the summary table.

    ``output_dir`` empty means ``../outputs/<year>/`` (beside the notebooks). ``province`` (a code or a name)
    chooses one province when the data covers several (:func:`select_province`). Bad parameters raise a
    bilingual :class:`analysis.errors.ParameterError`.
    """
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    year = int(year)
    out_dir = resolve_path(output_dir or f"../outputs/{year}")
    data = load_processed(processed_dir, require_quality=require_quality, with_reference=with_reference)
    data.facts = select_province(data.facts, province, region)  # one province's reports at a time
    year = require_year(data.facts, year)
    info = check_region(data.facts, str(region)) if region is not None else None
    if not summary:
        return Report(year, data, out_dir, data.facts, region=info)
    facts = cached_rollups(data.facts, summary_cache_dir(out_dir))
    table = cached_summary(facts, data.reference, data.is_sample, summary_cache_dir(out_dir))
    return Report(year, data, out_dir, facts, table, region=info)
