"""End-to-end navigation (issue 12 section 3): a reduced report suite built from the sample, loaded in Chromium.

The module builds once: the sample cleaned into ``tmp_path``, then a suite of four notebooks (quality,
overview, regions, region profile) restricted to one county (``-p region=640104``), then the PDFs
(:func:`analysis.report.pdf.print_reports`, which the full ``make report`` run also calls).

Checks, in a real browser with the network blocked: every report has the links bar (back to the index,
the other reports, its own Excel and PDF) and a table of contents; every link the browser resolves
points at an existing file, and every fragment at an existing element; at a phone width (390 px) no
first-column cell is narrower than two characters, the page itself does not scroll sideways, and a wide
table scrolls in its own box with its first column fixed; printing hides the navigation; the index
groups the county under its city and all its links resolve.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from support.browser import chromium_path

from analysis.clean.pipeline import clean, write_outputs
from analysis.report.runner import run_report
from analysis.report.suite import DEFAULT_SUITE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1500),
    pytest.mark.skipif(chromium_path() is None, reason="Chromium not installed (/usr/bin/chromium)"),
]

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
COUNTY = "640104"  # 兴庆区, a district of 银川市 (640100)
SUITE_IDS = ("01_quality", "02_overview", "03_regions", "05_region_profile")
PHONE = (390, 844)

_LINKS_JS = """() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.href])"""
_FIRST_COLUMN_JS = """() => {
  const narrow = [];
  for (const t of document.querySelectorAll('table')) {
    for (const row of t.rows) {
      const cell = row.cells[0];
      if (!cell || cell.textContent.trim().length < 2) continue;
      const em = parseFloat(getComputedStyle(cell).fontSize);
      const w = cell.getBoundingClientRect().width;
      if (w < 2 * em) narrow.push([cell.textContent.trim(), w, em]);
    }
  }
  return narrow;
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from analysis.report.pdf import print_reports

    base = tmp_path_factory.mktemp("navigation_e2e")
    processed = base / "data" / "processed"
    facts, report, meta = clean(ROOT / "data" / "raw", progress=False)
    write_outputs(processed, facts, report, meta)
    (base / "data" / "reference").mkdir()
    shutil.copy(ROOT / "data" / "reference" / "regions_population_area_sample.csv", base / "data" / "reference")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    specs = [s for s in DEFAULT_SUITE if s.id in SUITE_IDS]
    for spec in specs:
        shutil.copy(ROOT / "notebooks" / spec.file, notebooks / spec.file)
    (notebooks / "suite.json").write_text(json.dumps(
        [{"id": s.id, "file": s.file, "title": s.title, "reads": list(s.reads), "per_region": s.per_region}
         for s in specs], ensure_ascii=False), "utf-8")
    stream = io.StringIO()
    result = run_report(YEAR, processed_dir=processed, notebooks_dir=notebooks, outputs_dir=base / "outputs",
                        parameters={"region": COUNTY}, progress=True, stream=stream)
    assert not result.failed, stream.getvalue()
    print_reports(result.year_dir, stream=stream)
    pages = sorted((result.year_dir / "html").glob("*.html"))
    return SimpleNamespace(year_dir=result.year_dir, pages=pages, log=stream.getvalue())


def test_the_reduced_suite_was_built(built):
    assert [p.stem for p in built.pages] == ["01_quality", "02_overview", "03_regions",
                                             f"05_region_profile_{COUNTY}"], built.log
    assert sorted(p.stem for p in (built.year_dir / "pdf").glob("*.pdf")) == [p.stem for p in built.pages], built.log


def _check_links(page, page_path: Path) -> list[str]:
    """Problems with the page's links: a file that does not exist, a fragment with no element."""
    problems = []
    for raw, resolved in page.evaluate(_LINKS_JS):
        parts = urlsplit(resolved)
        assert parts.scheme == "file", (page_path.name, raw)  # no web links in a report
        target = Path(unquote(parts.path))
        if not target.is_file():
            problems.append(f"{raw}: missing {target}")
            continue
        if parts.fragment:
            frag = parts.fragment
            if target == page_path:
                found = page.evaluate("f => !!(document.getElementById(f) || document.getElementById("
                                      "decodeURIComponent(f)))", frag)
            else:
                text = target.read_text("utf-8")
                found = f'id="{frag}"' in text or f'id="{unquote(frag)}"' in text
            if not found:
                problems.append(f"{raw}: no element #{frag}")
    return problems


def test_every_report_has_navigation_and_working_links(built):
    from support.browser import offline_page

    for path in built.pages:
        with offline_page(path) as (page, report):
            nav = page.eval_on_selector("nav.report-links", "n => [...n.querySelectorAll('a')]"
                                        ".map(a => a.getAttribute('href'))")
            assert "../index.html" in nav, (path.name, nav)
            assert f"../tables/{path.stem}.xlsx" in nav and f"../pdf/{path.stem}.pdf" in nav, (path.name, nav)
            others = {f"{i}.html" for i in SUITE_IDS if i != "05_region_profile"} - {path.name}
            assert others <= set(nav), (path.name, nav)
            toc = page.eval_on_selector_all("nav.report-toc a", "as => as.map(a => a.getAttribute('href'))")
            assert toc and all(h.startswith("#") for h in toc), (path.name, toc)
            assert _check_links(page, path) == [], path.name
        assert not report.console_errors and not report.external_requests, (path.name, report)
        assert "script-src 'none'" in path.read_text("utf-8")  # the browser refuses any script in a report
    overview = (built.year_dir / "html" / "02_overview.html").read_text("utf-8")
    assert 'href="../tables/02_overview.docx"' in overview  # the overview's Word export


def test_phone_width_tables_keep_their_first_column(built, tmp_path):
    from support.browser import is_blank_image, offline_page

    for path in built.pages:
        with offline_page(path, viewport=PHONE) as (page, _):
            assert page.evaluate(_FIRST_COLUMN_JS) == [], path.name
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), path.name
            shot = tmp_path / f"{path.stem}_phone.png"
            page.screenshot(path=str(shot), full_page=True)
            assert not is_blank_image(shot)


def test_wide_table_scrolls_in_its_box_with_the_region_column_fixed(built):
    from support.browser import offline_page

    with offline_page(built.year_dir / "html" / "03_regions.html", viewport=PHONE) as (page, _):
        moved = page.evaluate("""() => {
          const box = [...document.querySelectorAll('div.table-scroll')]
            .find(b => b.scrollWidth > b.clientWidth + 50 && b.querySelector('table.sticky-first'));
          if (!box) return null;
          const row = box.querySelector('tbody tr');
          const before = [row.cells[0].getBoundingClientRect().left, row.cells[1].getBoundingClientRect().left];
          box.scrollLeft = 150;
          const after = [row.cells[0].getBoundingClientRect().left, row.cells[1].getBoundingClientRect().left];
          return {first: after[0] - before[0], second: after[1] - before[1], text: row.cells[0].textContent};
        }""")
    assert moved is not None, "no wide region table in 03_regions"
    assert abs(moved["first"]) <= 1 and moved["second"] <= -100, moved


def test_print_hides_the_navigation(built):
    from support.browser import offline_page

    with offline_page(built.year_dir / "html" / "02_overview.html") as (page, _):
        assert page.is_visible("nav.report-links") and page.is_visible("nav.report-toc")
        page.emulate_media(media="print")
        assert not page.is_visible("nav.report-links") and not page.is_visible("nav.report-toc")


def test_index_groups_the_county_under_its_city_and_links_resolve(built):
    from support.browser import offline_page

    index = built.year_dir / "index.html"
    with offline_page(index) as (page, report):
        ids = page.evaluate(f"""() => {{
          const a = document.querySelector('a[href="html/05_region_profile_{COUNTY}.html"]');
          const out = []; for (let d = a.closest('details'); d; d = d.parentElement.closest('details')) out.push(d.id);
          return out; }}""")
        assert ids == ["r1-640100"], ids
        assert _check_links(page, index) == []
    assert not report.console_errors and not report.external_requests, report
