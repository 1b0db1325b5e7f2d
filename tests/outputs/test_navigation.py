"""Navigation of one report page (analysis.report.navigation), on hand-made pages: links bar, contents, tables."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from support.browser import chromium_path

from analysis.atomic import temp_path_for
from analysis.report import navigation
from analysis.report.navigation import PageLinks, add_navigation, final_name, page_links

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>地区比较</title></head><body><main>
<div class="jp-Cell jp-MarkdownCell"><h1 id="t">地区比较<a class="anchor-link" href="#t">¶</a></h1></div>
<div class="jp-Cell"><p>正文 &lt;script&gt;x&lt;/script&gt;</p>
<h2 id="a">一、各设区市比较<a class="anchor-link" href="#a">¶</a></h2>
<h3>（一）排名</h3>
<table><tr><th>地区</th><th>立案（起）</th></tr><tr><td>银川市</td><td>66</td></tr></table>
<h2>二、数据来源</h2>
<table><tr><td>2019/2019年宁夏自然资源行政执法主要指标_县区_示例数据.csv</td><td>1</td></tr></table>
</div></main></body></html>"""


def test_final_name_undoes_the_atomic_temp_name(tmp_path: Path):
    dest = tmp_path / "html" / "05_region_profile_640104.html"
    assert final_name(temp_path_for(dest)) == dest.name
    assert final_name(dest) == dest.name


def test_contents_headings_and_tables():
    out = add_navigation(PAGE, None)
    doc = lxml.html.fromstring(out)
    toc = doc.find_class("report-toc")[0]
    assert [(a.text, a.get("href")) for a in toc.iter("a")] == [
        ("一、各设区市比较", "#a"), ("（一）排名", "#sec-1"), ("二、数据来源", "#sec-2")]
    assert [h.get("id") for h in doc.iter("h2", "h3")] == ["a", "sec-1", "sec-2"]
    # the contents come right after the title's cell; no links bar without links
    assert toc.getprevious().find(".//h1") is not None
    assert not doc.find_class("report-links")
    tables = list(doc.iter("table"))
    assert all(t.getparent().get("class") == "table-scroll" for t in tables)
    assert "sticky-first" in tables[0].get("class")  # region names: fixed first column
    assert "sticky-first" not in (tables[1].get("class") or "")  # a long file name must not be pinned
    assert "&lt;script&gt;x&lt;/script&gt;" in out and "<script>" not in out


def test_links_bar_escapes_titles_and_marks_the_current_page():
    links = PageLinks("../index.html", (("01_quality.html", "数据质量报告", False),
                                        ("03_regions.html", "地区<比较>", True)),
                      (("Excel 数据表", "../tables/03_regions.xlsx"),))
    out = add_navigation(PAGE, links)
    nav = lxml.html.fromstring(out).find_class("report-links")[0]
    assert [a.get("href") for a in nav.iter("a")] == ["../index.html", "01_quality.html", "../tables/03_regions.xlsx"]
    assert nav.find(".//strong").get("aria-current") == "page"
    assert "地区&lt;比较&gt;" in out
    assert "report-nav" in nav.get("class")  # print.css hides .report-nav


def _notebook(folder: Path) -> SimpleNamespace:
    (folder / "a.ipynb").write_text("{}", "utf-8")
    (folder / "p.ipynb").write_text("{}", "utf-8")
    (folder / "suite.json").write_text(json.dumps([
        {"id": "a_main", "file": "a.ipynb", "title": "总览"},
        {"id": "p_region", "file": "p.ipynb", "title": "地区画像", "per_region": True},
    ], ensure_ascii=False), "utf-8")
    return SimpleNamespace(metadata={"papermill": {"input_path": str(folder / "a.ipynb")}})


def test_page_links_from_the_suite_and_existing_files(tmp_path: Path, monkeypatch):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nb = _notebook(nbs)
    year = tmp_path / "2024"
    (year / "html").mkdir(parents=True)
    (year / "tables").mkdir()
    (year / "tables" / "p_region_640104.xlsx").write_bytes(b"x")
    monkeypatch.setattr("analysis.report.pdf.chromium_executable", lambda: None)
    dest = temp_path_for(year / "html" / "p_region_640104.html")
    links = page_links(dest, nb)
    assert links.index_href == "../index.html"
    assert links.reports == (("a_main.html", "总览", False),)  # profiles are reached through the index
    assert links.downloads == (("Excel 数据表", "../tables/p_region_640104.xlsx"),)  # no docx, no printer
    (year / "pdf").mkdir()
    (year / "pdf" / "p_region_640104.pdf").write_bytes(b"%PDF")
    assert ("PDF", "../pdf/p_region_640104.pdf") in page_links(dest, nb).downloads
    monkeypatch.setattr("analysis.report.pdf.chromium_executable", lambda: "/usr/bin/chromium")
    links = page_links(year / "html" / "a_main.html", nb)
    assert links.reports == (("a_main.html", "总览", True),)
    assert links.downloads == (("PDF", "../pdf/a_main.pdf"),)  # printed after the run
    # outside a year's html/ folder: no links bar
    assert page_links(tmp_path / "x.html", nb) is None
    assert navigation.page_links(year / "html" / "a_main.html", SimpleNamespace(metadata={})).reports == ()


@pytest.mark.slow
@pytest.mark.skipif(chromium_path() is None, reason="Chromium not installed (/usr/bin/chromium)")
def test_a_script_in_a_report_never_runs(tmp_path: Path):
    """Defence in depth: even raw HTML output with a script (never escaped) is blocked by the page's CSP."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
    from support.browser import offline_page

    from analysis.report.htmlexport import render_html

    hostile = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"><p>正文</p>"
    nb = new_notebook(cells=[
        new_markdown_cell("# 测试报告\n\n## 一、概况"),
        new_code_cell("x", outputs=[new_output("display_data", data={"text/html": hostile})]),
    ])
    page, _, _ = render_html(nbformat.from_dict(nb), "测试报告")
    assert "<script>document.title='pwned'</script>" in page  # really in the page, unescaped
    path = tmp_path / "r.html"
    path.write_text(page, "utf-8")
    with offline_page(path) as (browser_page, report):
        assert browser_page.title() == "测试报告"
        assert browser_page.is_visible("nav.report-toc")
    assert any("Content Security Policy" in m for m in report.console_errors), report.console_errors
