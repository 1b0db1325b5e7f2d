"""PDF printing: a report HTML exported with the real template is printed by headless Chromium and opened
with pdfplumber (text extractable, fonts embedded, A4, page numbers, running header, no column lost)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from analysis.report import pdf as pdfmod

A4_PT = (595.28, 841.89)  # 210 x 297 mm in points (72 / 25.4 per mm)
TITLE = "测试报告　各地区指标"
N_COLS = 16

needs_chromium = pytest.mark.skipif(pdfmod.chromium_executable() is None,
                                    reason="needs /usr/bin/chromium (apt-get install chromium); CI installs it")


def _report_html(dest: Path) -> Path:
    """A report page made by the real exporter (template, print CSS, embedded font) from a small notebook."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from analysis.report.htmlexport import export_html

    nb = new_notebook()
    nb.cells.append(new_markdown_cell("# 各地区行政执法指标\n\n本报告列示各县（市、区）的主要指标。"))
    head = "".join(f"<th>第{i}项执法指标</th>" for i in range(N_COLS))
    rows = "".join("<tr><td>青铜峡市</td>" + "".join(f"<td>{1000 + i}</td>" for i in range(N_COLS)) + "</tr>"
                   for _ in range(30))
    cell = new_code_cell("")
    cell.outputs = [new_output("display_data", data={
        "text/html": f"<table><thead><tr><th>地区</th>{head}</tr></thead><tbody>{rows}</tbody></table>"})]
    nb.cells.append(cell)
    nb.cells.append(new_markdown_cell("## 结论\n\n" + "各地区执法工作稳步推进。" * 40))
    src = dest.with_suffix(".ipynb")
    nbformat.write(nb, str(src))
    export_html(src, dest, TITLE)
    return dest


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    if pdfmod.chromium_executable() is None:
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium); CI installs it")
    year_dir = tmp_path_factory.mktemp("year")
    (year_dir / "html").mkdir()
    _report_html(year_dir / "html" / "03_regions.html")
    out = io.StringIO()
    written = pdfmod.print_reports(year_dir, stream=out)
    return year_dir, written, out.getvalue()


def _fonts(pdf):
    """(name, embedded) for every font of every page, descendant fonts included."""
    from pdfminer.pdftypes import resolve1

    seen = []
    for page in pdf.pages:
        resources = resolve1(page.page_obj.resources) or {}
        for ref in (resolve1(resources.get("Font")) or {}).values():
            font = resolve1(ref)
            parts = [font] + [resolve1(d) for d in resolve1(font.get("DescendantFonts")) or []]
            descriptors = [resolve1(p.get("FontDescriptor")) for p in parts if p.get("FontDescriptor")]
            embedded = any(k in (d or {}) for d in descriptors for k in ("FontFile", "FontFile2", "FontFile3"))
            seen.append((str(font.get("BaseFont")), embedded))
    return seen


@needs_chromium
def test_pdf_is_a4_with_text_page_numbers_and_header(printed):
    import pdfplumber

    year_dir, written, log = printed
    assert written == [year_dir / "pdf" / "03_regions.pdf"]
    assert log == ""
    with pdfplumber.open(str(written[0])) as pdf:
        assert len(pdf.pages) > 0
        for number, page in enumerate(pdf.pages, start=1):
            size = sorted((round(page.width, 0), round(page.height, 0)))
            assert size == [round(A4_PT[0], 0), round(A4_PT[1], 0)]  # A4, portrait or landscape
            text = page.extract_text()
            assert f"— {number} —" in text  # page number in the footer
            assert TITLE.replace("　", " ") in text.replace("　", " ")  # running header
        full = "".join(p.extract_text() for p in pdf.pages)
        assert "各地区行政执法指标" in full and "结论" in full  # Chinese text is extractable


@needs_chromium
def test_fonts_are_embedded(printed):
    import pdfplumber

    _, written, _ = printed
    with pdfplumber.open(str(written[0])) as pdf:
        fonts = _fonts(pdf)
    assert fonts
    assert [name for name, embedded in fonts if not embedded] == []


@needs_chromium
def test_wide_table_prints_landscape_with_every_column(printed):
    import pdfplumber

    _, written, _ = printed
    with pdfplumber.open(str(written[0])) as pdf:
        landscape = [p for p in pdf.pages if p.width > p.height]
        assert landscape, "the 17-column table should print on landscape pages"
        table_text = "".join(p.extract_text() for p in landscape)
    # the last column's header (wrapped over two lines) and its value in every row are on the pages:
    # nothing was cut off at the right edge
    assert f"第{N_COLS - 1}项" in table_text
    assert table_text.count(str(1000 + N_COLS - 1)) == 30


@needs_chromium
def test_unchanged_html_is_not_printed_again(printed):
    year_dir, written, _ = printed
    before = written[0].stat().st_mtime_ns
    again = pdfmod.print_reports(year_dir, stream=io.StringIO())
    assert again == written
    assert written[0].stat().st_mtime_ns == before


def test_missing_chromium_skips_with_one_line(tmp_path, monkeypatch):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "a.html").write_text("<html lang='zh-CN'><title>x</title></html>", "utf-8")
    monkeypatch.setattr(pdfmod, "chromium_executable", lambda: None)
    out = io.StringIO()
    assert pdfmod.print_reports(tmp_path, stream=out) is None
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "apt-get install chromium" in lines[0]
    assert not (tmp_path / "pdf").exists()


def test_chromium_lookup_honours_the_environment(tmp_path, monkeypatch):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n", "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv(pdfmod.CHROMIUM_ENV, str(fake))
    assert pdfmod.chromium_executable() == str(fake)


@needs_chromium
def test_pages_printed_in_the_background_and_the_rest_at_close(tmp_path):
    """The runner's way: Chromium started first, a page printed as soon as it is submitted, the rest at close."""
    year_dir = tmp_path / "2024"
    (year_dir / "html").mkdir(parents=True)
    first = _report_html(year_dir / "html" / "01_first.html")
    _report_html(year_dir / "html" / "02_second.html")
    out = io.StringIO()
    printer = pdfmod.PdfPrinter(year_dir, stream=out).start()
    printer.submit(first)
    written = printer.close()  # waits for the background page, then prints the one never submitted
    assert written == [year_dir / "pdf" / "01_first.pdf", year_dir / "pdf" / "02_second.pdf"]
    assert out.getvalue() == "" and printer.printed == 2
    assert all(p.read_bytes().startswith(b"%PDF") for p in written)

    # Nothing changed: a new printer prints nothing and starts no browser.
    before = [p.stat().st_mtime_ns for p in written]
    again = pdfmod.PdfPrinter(year_dir, stream=io.StringIO())
    assert again.close() == written and again.printed == 0 and again.tools is None
    assert [p.stat().st_mtime_ns for p in written] == before


@needs_chromium
def test_an_interrupted_run_prints_nothing_more(tmp_path):
    year_dir = tmp_path / "2024"
    (year_dir / "html").mkdir(parents=True)
    _report_html(year_dir / "html" / "01_first.html")
    printer = pdfmod.PdfPrinter(year_dir, stream=io.StringIO()).start()
    assert printer.close(finish=False) == []
    assert not (year_dir / "pdf").exists() and printer.tools is None
