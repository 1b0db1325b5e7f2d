"""Figures inside sentences (narrative letters, and the paragraphs of Word, PDF and web pages) -> facts.

:func:`extract_text_figures` reads the running text of one file. Every number in it (see
:mod:`analysis.clean.text_figures_numbers`) becomes exactly one of:

- a fact, when a pattern of ``catalog/data/text_patterns.csv`` names its indicator (a trigger phrase in the
  same clause, before or after the number, the right unit, the pattern's context word in the sentence);
  its provenance is the file, the paragraph (``source_sheet``), the sentence (``source_cell`` ``S3``), the
  sentence itself (``evidence``) and the character span of the number with its unit (``evidence_span``);
- a finding saying why not: a date or year, a document number or title, an ordinal (一是), a percentage
  no pattern names, a number no pattern matched, a number cut off by a truncated text, a part-year
  figure, a figure repeated (title, summary, body: one fact), or a figure whose year or region is
  unknown. Finding cells are ``S3:12-18`` (sentence and span), the raw value is the number as written.

Nothing is silently dropped (the conservation property for text, ``tests/text``).
"""

from __future__ import annotations

from analysis.catalog import Catalog, Region
from analysis.catalog.scope import text_scope
from analysis.catalog.text_patterns import TextPattern, load_text_patterns
from analysis.catalog.units import MONEY_FACTORS_TO_WANYUAN
from analysis.clean.findings import QualityReport
from analysis.clean.text_figures_context import (
    Block,
    PlaceFinder,
    letter_agency,
    letter_year_sources,
    loc_text,
    logical_blocks,
)
from analysis.clean.text_figures_numbers import (
    NumberToken,
    clause_bounds,
    fold,
    mask_titles,
    scan_numbers,
    split_sentences,
)

SAMPLE_MARK = "示例数据"
NOT_FIGURE_CODES = {"date": "text_number_date", "reference": "text_number_reference", "ordinal": "text_number_ordinal",
                    "truncated": "text_number_truncated", "unparsed": "text_number_unmatched"}


def paragraphs_are_sample(paragraphs) -> bool:
    """True when the running text labels itself sample data (示例数据)."""
    return any(SAMPLE_MARK in str(getattr(p, "text", p[1] if isinstance(p, tuple) else "")) for p in paragraphs)


def _excerpt(sentence: str, a: int, b: int, width: int = 24) -> str:
    lo, hi = max(0, a - width), min(len(sentence), b + width)
    return ("…" if lo else "") + sentence[lo:hi] + ("…" if hi < len(sentence) else "")


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


class _Sentence:
    def __init__(self, block: Block, index: int, text: str):
        self.block = block
        self.index = index
        self.text = text
        self.folded = fold(text)
        self.masked = mask_titles(self.folded)


class TextExtractor:
    """Turns the paragraphs of one file into fact rows and findings."""

    def __init__(self, source_file: str, catalog: Catalog, report: QualityReport, manifest_year: int | None):
        self.file = source_file
        self.catalog = catalog
        self.report = report
        self.manifest_year = manifest_year
        self.patterns = load_text_patterns(catalog)
        self.places = place_finder(catalog)
        self.facts: list[dict] = []
        self._seen: dict[tuple, dict] = {}

    # ------------------------------------------------------------------ findings
    def _finding(self, code: str, s: _Sentence, tok: NumberToken, **params) -> None:
        self.report.add(code, file=self.file, sheet=s.block.location, cell=f"S{s.index}:{tok.start}-{tok.end}",
                        raw_value=tok.text, excerpt=_excerpt(s.text, tok.start, tok.end), **params)

    # ------------------------------------------------------------------ matching
    def _unit_fits(self, p: TextPattern, tok: NumberToken) -> bool:
        ind = self.catalog.indicators[p.indicator]
        if ind.kind == "money":
            return tok.unit in MONEY_FACTORS_TO_WANYUAN and any(u in MONEY_FACTORS_TO_WANYUAN for u in p.units)
        return tok.unit in p.units

    def match(self, s: _Sentence, tok: NumberToken) -> TextPattern | None:
        """The pattern naming ``tok``: nearest trigger in the clause, then a pattern with context, then the
        longest trigger, then the earlier CSV row."""
        a, b = clause_bounds(s.folded, tok.start)
        before = s.masked[a:tok.start]
        after = s.masked[tok.end:b]
        best: tuple | None = None
        for p in self.patterns:
            if not self._unit_fits(p, tok):
                continue
            if p.context and not any(c in s.masked for c in p.context):
                continue
            for trig in p.triggers:
                dists = []
                if p.position in ("before", "either"):
                    i = before.rfind(trig)
                    if i >= 0:
                        dists.append(len(before) - (i + len(trig)))
                if p.position in ("after", "either"):
                    i = after.find(trig)
                    if i >= 0:
                        dists.append(i)
                for d in dists:
                    rank = (d, 0 if p.context else 1, -len(trig), p.line)
                    if best is None or rank < best[0]:
                        best = (rank, p)
        return best[1] if best else None

    def region_of(self, s: _Sentence, tok: NumberToken, carried: Region | None,
                  agency_region: Region | None) -> Region | None:
        a, b = clause_bounds(s.folded, tok.start)
        region, n = self.places.single(s.text[a:b])
        if region is not None:
            return region
        if n == 0:
            region, n = self.places.single(s.text)
            if region is not None:
                return region
        if n == 0 and carried is not None:
            return carried
        return agency_region

    # ------------------------------------------------------------------ main
    def run(self, paragraphs) -> list[dict]:
        blocks = logical_blocks(paragraphs)
        if not blocks:
            return []
        sentences: list[_Sentence] = []
        for block in blocks:
            for i, (_, text) in enumerate(split_sentences(block.text), start=1):
                sentences.append(_Sentence(block, i, text))
        complete = fold(blocks[-1].text.rstrip()).endswith(tuple("。！？；!?;)）”」』"))
        first = next((t for _, t in map(loc_text, paragraphs) if t.strip()), "")
        year, year_reason = self._year(blocks, first)
        agency, agency_region = letter_agency(blocks, self.places, self.catalog.agency_suffixes)
        carried: Region | None = None
        region_reported = year_reported = False
        for k, s in enumerate(sentences):
            tokens = scan_numbers(s.text, at_text_end=k == len(sentences) - 1, text_complete=complete)
            has_figure = False
            for tok in tokens:
                if tok.kind in NOT_FIGURE_CODES:
                    extra = {"reason_zh": "中文数字无法解析", "reason_en": "the Chinese numeral cannot be parsed"} \
                        if tok.kind == "unparsed" else {}
                    self._finding(NOT_FIGURE_CODES[tok.kind], s, tok, **extra)
                    continue
                p = self.match(s, tok)
                if p is None:
                    if tok.kind == "percent":
                        self._finding("text_percent_unmatched", s, tok)
                    else:
                        self._finding("text_number_unmatched", s, tok, reason_zh="没有匹配的提取规则",
                                      reason_en="no extraction pattern matched")
                    continue
                has_figure = True
                ind = self.catalog.indicators[p.indicator]
                if tok.partial:
                    self._finding("text_figure_partial_period", s, tok, indicator=ind.name_zh)
                    continue
                if year is None:
                    if not year_reported:
                        self.report.add(year_reason.pop("code"), file=self.file, **year_reason.pop("params"))
                        year_reported = True
                    self._finding("text_figure_not_used", s, tok, indicator=ind.name_zh, **year_reason)
                    continue
                region = self.region_of(s, tok, carried, agency_region)
                if region is None:
                    if not region_reported:
                        self.report.add("text_region_unknown", file=self.file)
                        region_reported = True
                    self._finding("text_figure_not_used", s, tok, indicator=ind.name_zh,
                                  reason_zh="无法确定所属行政区划", reason_en="the region is unknown")
                    continue
                self._emit(s, tok, ind.code, year, region, agency)
            # A sentence that states no figure and names one place sets the scene for the next sentence.
            region, n = self.places.single(s.text)
            carried = region if (not has_figure and n == 1) else None
        return self.facts

    def _year(self, blocks: list[Block], first: str) -> tuple[int | None, dict]:
        """The year, or None with the file-level finding (reported at the first figure) and the reason."""
        sources = letter_year_sources(self.file, blocks, self.manifest_year, first)
        if not sources:
            return None, {"code": "text_year_unknown", "params": {},
                          "reason_zh": "无法确定统计年份", "reason_en": "the statistics year is unknown"}
        _, label_a, y_a = sources[0]
        for _, label_b, y_b in sources[1:]:
            if y_b != y_a:
                return None, {"code": "text_year_conflict",
                              "params": {"source_a": label_a, "year_a": y_a, "source_b": label_b, "year_b": y_b},
                              "reason_zh": "统计年份相互矛盾", "reason_en": "the year sources disagree"}
        return y_a, {}

    def _emit(self, s: _Sentence, tok: NumberToken, indicator: str, year: int, region: Region, agency: str) -> None:
        ind = self.catalog.indicators[indicator]
        value = float(tok.value or 0.0)
        if ind.kind == "money":
            value = round(value * MONEY_FACTORS_TO_WANYUAN[tok.unit] / MONEY_FACTORS_TO_WANYUAN.get(ind.unit, 1.0), 8)
        scope = text_scope(s.text, self.catalog.source_dir)
        key = (year, region.code, indicator, scope)
        first = self._seen.get(key)
        if first is not None and abs(first["value"] - value) <= 1e-9 * max(1.0, abs(value)):
            self._finding("text_figure_repeated", s, tok, indicator=ind.name_zh, value=_fmt(value),
                          other=f"{first['source_sheet']}!{first['source_cell']}")
            return
        row = {
            "year": int(year), "region_code": region.code, "region_name": region.name, "level": region.level,
            "agency": agency, "indicator": indicator, "value": value, "unit": ind.unit, "approx": bool(tok.approx),
            "source_file": self.file, "source_sheet": s.block.location, "source_cell": f"S{s.index}",
            "raw_value": tok.text, "from_total": False, "scope": scope, "source_kind": "text",
            "evidence": s.text, "evidence_span": f"{tok.start}-{tok.end}",
        }
        self._seen.setdefault(key, row)
        self.facts.append(row)


_FINDERS: dict[int, tuple[Catalog, PlaceFinder]] = {}


def place_finder(catalog: Catalog) -> PlaceFinder:
    """One :class:`PlaceFinder` per catalogue object (its name pattern is built once)."""
    hit = _FINDERS.get(id(catalog))
    if hit is None or hit[0] is not catalog:
        if len(_FINDERS) > 4:
            _FINDERS.clear()
        hit = _FINDERS[id(catalog)] = (catalog, PlaceFinder(catalog))
    return hit[1]


def extract_text_figures(paragraphs, source_file: str, catalog: Catalog, report: QualityReport,
                         manifest: dict[str, int] | None = None) -> list[dict]:
    """Fact rows (the columns of ``analysis.processed.FACT_COLUMNS`` plus ``raw_value``/``from_total``) for
    the figures in ``paragraphs`` (``Paragraph`` objects or ``(location, text)`` pairs) of ``source_file``
    (the path relative to the raw folder); everything else becomes a finding in ``report``."""
    manifest_year = (manifest or {}).get(source_file)
    return TextExtractor(source_file, catalog, report, manifest_year).run(paragraphs)
