"""End-to-end: the sample data, cleaned into ``tmp_path``, through the report runner (issues 4 and 5).

One report run for 2024 is shared by the tests of this module (module-scoped fixture). The raw copy gets
one extra, hostile table: a row label that is HTML (``<img onerror=…>``, an unknown region) and an agency
label with a ``<script>`` block (it resolves to 银川市 through its suffix and is kept verbatim). Both reach
the reports as data; they must show as text and never run.

Checks: every notebook executes; every HTML file exists, is offline (no ``http(s)://`` script src or link
href), has ``lang="zh…"``, carries its Chinese heading and stays under 1.5 MB; the overview states the real
2024 province figures (214 起, 9172.05 万元); the index links every report; figures, tables and the Word
document are written; the pages open in headless Chromium with the network blocked, without console
errors or broken images, and are not blank; the markup is escaped and never executes.
"""

from __future__ import annotations

import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.browser import chromium_path

from analysis.clean.pipeline import clean, write_outputs
from analysis.report.htmlexport import MAX_REPORT_BYTES
from analysis.report.runner import run_report
from analysis.report.suite import DEFAULT_SUITE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
HEADINGS = {spec.id: spec.title for spec in DEFAULT_SUITE}
PWNED = "pwned"
IMG_LABEL = f"<img src=x onerror=\"document.title='{PWNED}'\">"
SCRIPT_AGENCY = f"<script>document.title='{PWNED}'</script>银川市自然资源局"
N_REGIONS = 27  # 5 cities + 22 counties in the sample


def write_hostile_table(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "执法人员"
    for row in (["地区", "行政执法人员（名）"], [SCRIPT_AGENCY, 35], [IMG_LABEL, 7]):
        ws.append(row)
    wb.save(path)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports_e2e")
    raw = base / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    write_hostile_table(raw / str(YEAR) / "执法人员统计_示例数据.xlsx")
    processed = base / "data" / "processed"
    facts, report, meta = clean(raw, progress=False)
    write_outputs(processed, facts, report, meta)
    # the population/area table beside the processed folder (data/reference/), as in the repository
    (base / "data" / "reference").mkdir()
    shutil.copy(ROOT / "data" / "reference" / "regions_population_area_sample.csv", base / "data" / "reference")
    stream = io.StringIO()
    result = run_report(YEAR, processed_dir=processed, notebooks_dir=ROOT / "notebooks",
                        outputs_dir=base / "outputs", progress=True, stream=stream)
    return SimpleNamespace(base=base, processed=processed, result=result, year_dir=result.year_dir,
                           log=stream.getvalue(), facts=facts, report=report)


def html_files(year_dir: Path) -> list[Path]:
    return sorted((year_dir / "html").glob("*.html"))


class _Refs(HTMLParser):
    """Collects script src, link href and anchor href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.script_src: list[str] = []
        self.link_href: list[str] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.script_src.append(a["src"])
        elif tag == "link" and a.get("href"):
            self.link_href.append(a["href"])
        elif tag == "a" and a.get("href"):
            self.anchors.append(a["href"])


def refs(page: str) -> _Refs:
    parser = _Refs()
    parser.feed(page)
    return parser


# --------------------------------------------------------------------------- the run


def test_hostile_rows_reached_the_processed_data(e2e):
    """Guard for the escaping tests: the markup is really in the data the reports read."""
    assert SCRIPT_AGENCY in set(e2e.facts["agency"])
    assert any(f.raw_value == IMG_LABEL for f in e2e.report.findings)


def test_every_notebook_executes(e2e):
    results = e2e.result.results
    failed = [(r.job.id, r.message) for r in results if r.status != "ok"]
    assert not failed, e2e.log
    ids = {r.job.id for r in results}
    assert {"01_quality", "02_overview", "03_regions", "04_casefile", "06_cases"} <= ids
    assert len([i for i in ids if i.startswith("05_region_profile_")]) == N_REGIONS
    assert len(results) == 5 + N_REGIONS


def test_each_html_is_offline_chinese_and_small(e2e):
    pages = html_files(e2e.year_dir)
    assert len(pages) == 5 + N_REGIONS  # 01-04, 06 and one profile per region
    for path in pages:
        page = path.read_text("utf-8")
        r = refs(page)
        remote = [u for u in r.script_src + r.link_href if re.match(r"\s*(https?:)?//", u, re.IGNORECASE)]
        assert not remote, (path.name, remote)
        assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?\s*https?://", page, re.IGNORECASE)
        assert re.search(r"<html[^>]*\blang=\"zh", page), path.name
        heading = HEADINGS[path.stem if not path.stem.startswith("05_") else "05_region_profile"]
        assert re.search(rf"<h1[^>]*>\s*{heading}", page), (path.name, heading)
        assert path.stat().st_size < MAX_REPORT_BYTES, (path.name, path.stat().st_size)
        assert "示例数据" in page  # the sample notice / watermark source line


def test_overview_states_the_2024_province_figures(e2e):
    page = (e2e.year_dir / "html" / "02_overview.html").read_text("utf-8")
    assert "214" in page and "9172.05" in page
    assert "立案查处案件214起" in page and "罚没款9172.05万元" in page  # the narrative, as formatted
    assert "针对2023年度办结的行政执法案卷" in page  # which year's cases the evaluation covers
    assert "案卷合格率为94.9%" in page  # (10 + 27) / 39


def test_reports_write_figures_and_tables(e2e):
    figures = e2e.year_dir / "figures"
    tables = e2e.year_dir / "tables"
    for stem in ("01_quality", "02_overview", "03_regions", "04_casefile", "05_profile_640100"):
        assert list(figures.glob(f"{stem}*.png")), stem
    assert not list(figures.glob("*.svg")), "SVG is written only on request (ENFORCEMENT_CHART_SVG=1)"
    for stem in ("01_quality", "02_overview", "03_regions", "04_casefile", "05_region_profile_640104"):
        assert (tables / f"{stem}.xlsx").is_file(), stem
        assert list(tables.glob(f"{stem}_*.csv")), stem
    assert (tables / "02_overview.docx").is_file()
    from docx import Document

    text = "\n".join(p.text for p in Document(str(tables / "02_overview.docx")).paragraphs)
    assert "9172.05万元" in text and "示例数据" in text
    # per-capita view: the reference table beside data/processed was found
    page = (e2e.year_dir / "html" / "03_regions.html").read_text("utf-8")
    assert "每万人立案查处案件" in page


def test_index_links_every_report(e2e):
    index = e2e.year_dir / "index.html"
    page = index.read_text("utf-8")
    assert re.search(r"<html[^>]*\blang=\"zh", page)
    links = {h.split("#", 1)[0] for h in refs(page).anchors}
    expected = {f"html/{p.name}" for p in html_files(e2e.year_dir)}
    assert expected <= links, sorted(expected - links)
    for href in links & expected:
        assert (e2e.year_dir / href).is_file()


# --------------------------------------------------------------------------- escaping


def test_markup_from_raw_data_is_shown_as_text(e2e):
    page = (e2e.year_dir / "html" / "01_quality.html").read_text("utf-8")
    # shown, escaped: the unknown-region label among the findings, the agency in the agency table
    assert "&lt;img src=x onerror=" in page
    assert "&lt;script&gt;document.title=" in page
    # never as live markup
    assert "<img src=x" not in page
    assert f"<script>document.title='{PWNED}'" not in page
    index = (e2e.year_dir / "index.html").read_text("utf-8")
    assert "<img src=x" not in index and f"<script>document.title='{PWNED}'" not in index
    for path in html_files(e2e.year_dir):
        text = path.read_text("utf-8")
        assert "<img src=x" not in text and f"<script>document.title='{PWNED}'" not in text, path.name


# --------------------------------------------------------------------------- in a real browser


def _browser_pages(e2e) -> list[Path]:
    html = e2e.year_dir / "html"
    return [html / "01_quality.html", html / "02_overview.html", html / "03_regions.html",
            html / "04_casefile.html", e2e.year_dir / "index.html", html / "05_region_profile_640100.html",
            html / "05_region_profile_640104.html"]


@pytest.mark.skipif(chromium_path() is None, reason="Chromium not installed (/usr/bin/chromium); .ci/run installs it")
def test_pages_open_offline_in_chromium(e2e, tmp_path):
    from support.browser import check_page

    for path in _browser_pages(e2e):
        report = check_page(path, tmp_path / f"{path.stem}.png")
        assert not report.external_requests, (path.name, report.external_requests)
        assert not report.console_errors, (path.name, report.console_errors)
        assert not report.failed_requests, (path.name, report.failed_requests)
        assert not report.failed_images, (path.name, report.failed_images)
        assert not report.blank, path.name
        assert PWNED not in report.title, (path.name, report.title)  # the markup never executed
        if path.name != "index.html":
            assert report.title.startswith(HEADINGS[path.stem if not path.stem.startswith("05_") else
                                                    "05_region_profile"]), report.title


# --------------------------------------------------------------------------- the first year


def test_first_year_reports_run(e2e):
    """2019 is the first year of the data: no previous year, no trend, no case-file evaluation yet."""
    stream = io.StringIO()
    result = run_report(2019, processed_dir=e2e.processed, notebooks_dir=ROOT / "notebooks",
                        outputs_dir=e2e.base / "outputs", parameters={"region": "640521"}, progress=True,
                        stream=stream)
    assert not result.failed, stream.getvalue()
    assert len(result.results) == 6  # 01-04, 06 and the one profile asked for
    page = (result.year_dir / "html" / "02_overview.html").read_text("utf-8")
    assert "本年度为首个统计年度，暂无上年数据可供比较" in page
    assert "尚无案卷评查统计数据" in page
    casefile = (result.year_dir / "html" / "04_casefile.html").read_text("utf-8")
    assert "尚无案卷评查统计数据" in casefile


# --------------------------------------------------------------------------- incremental builds from raw


def _reclean(e2e) -> None:
    facts, report, meta = clean(e2e.base / "raw", progress=False)
    write_outputs(e2e.processed, facts, report, meta)


def _rerun(e2e):
    stream = io.StringIO()
    result = run_report(YEAR, processed_dir=e2e.processed, notebooks_dir=ROOT / "notebooks",
                        outputs_dir=e2e.base / "outputs", progress=True, stream=stream)
    assert not result.failed, stream.getvalue()
    return {r.job.id for r in result.results if r.status == "ok"}, {r.job.id for r in result.results}


def test_touching_a_raw_file_reruns_nothing(e2e):
    import os

    raw_file = next((e2e.base / "raw" / str(YEAR)).glob("*.xlsx"))
    os.utime(raw_file, None)  # a new mtime, same bytes
    _reclean(e2e)
    ran, jobs = _rerun(e2e)
    assert ran == set() and len(jobs) == 5 + N_REGIONS


def test_a_raw_change_reruns_exactly_the_notebooks_it_affects(e2e):
    """A raw file holding no table changes only the quality report: only 01_quality re-runs."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["本表为填报说明，不含统计数据。"])
    wb.save(e2e.base / "raw" / str(YEAR) / "填报说明_示例数据.xlsx")
    _reclean(e2e)
    ran, _ = _rerun(e2e)
    assert ran == {"01_quality"}
