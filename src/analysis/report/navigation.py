"""Navigation inside one exported report: links bar, table of contents, scrollable tables.

Applied by :mod:`analysis.report.htmlexport` to the rendered page, before the font subset is embedded
(so the subset covers the navigation's characters). The page is parsed and written back with
``lxml.html`` (a faithful round trip: text stays escaped, styles untouched).

- **Links bar** (``<nav class="report-nav report-links">``, top of ``<main>``): back to
  ``../index.html``, the year's main reports (every non-per-region notebook of the suite the report
  was run from, read from the executed notebook's papermill metadata; region profiles are reached
  through the index), and the report's own downloads: ``../tables/<id>.xlsx`` and ``.docx`` when the
  notebook wrote them (they exist at export time), ``../pdf/<id>.pdf`` when it exists or Chromium is
  there to print it after the run (:mod:`analysis.report.pdf`).
- **Table of contents** (``<nav class="report-nav report-toc">``, after the ``h1``): the ``h2``/``h3``
  headings; a heading without an ``id`` gets ``sec-N``.
- **Tables** are wrapped in ``<div class="table-scroll">`` so a wide table scrolls inside its own box on
  a phone; a table whose first-column cells are short (region names, at most
  :data:`STICKY_MAX_CHARS` characters) also gets ``sticky-first``: that column stays fixed while the
  rest scrolls and never wraps. The CSS is in ``templates/report/index.html.j2``.

The print stylesheet (``print.css``) hides ``.report-nav``, so PDFs carry neither bar nor contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.atomic import TEMP_PREFIX
from analysis.errors import AnalysisError

STICKY_MAX_CHARS = 12
INDEX_HREF = "../index.html"
# analysis.atomic.temp_path_for names a temp file ".tmp-<pid>-<8 hex>-<final name>"
_TEMP_NAME_RE = re.compile(rf"^{re.escape(TEMP_PREFIX)}\d+-[0-9a-f]+-(.+)$")
_HEADINGS = ("h2", "h3")


@dataclass(frozen=True)
class PageLinks:
    """What the links bar of one report shows; hrefs are relative to ``html/``."""

    index_href: str = INDEX_HREF
    reports: tuple[tuple[str, str, bool], ...] = ()  # (href, title, is_this_page)
    downloads: tuple[tuple[str, str], ...] = ()  # (label, href)


@dataclass
class TocItem:
    level: int
    text: str
    anchor: str
    children: list[TocItem] = field(default_factory=list)


def final_name(path: Path) -> str:
    """The final file name of ``path``, also when it is an atomic-write temp name."""
    m = _TEMP_NAME_RE.match(path.name)
    return m.group(1) if m else path.name


def _suite_reports(nb) -> list[tuple[str, str]]:
    """(id, title) of the suite's main reports, from the notebook folder papermill ran from."""
    from analysis.report.suite import load_suite

    input_path = (nb.metadata.get("papermill") or {}).get("input_path")
    if not input_path:
        return []
    try:
        suite = load_suite(Path(input_path).parent)
    except AnalysisError:
        return []
    return [(s.id, s.title) for s in suite.specs if not s.per_region]


def _pdf_expected(pdf: Path) -> bool:
    if pdf.is_file():
        return True
    from analysis.report.pdf import chromium_executable

    return chromium_executable() is not None


def page_links(dest: Path | str, nb) -> PageLinks | None:
    """The links bar for a report exported to ``dest`` (``outputs/<year>/html/<id>.html`` or its temp name).

    None when ``dest`` is not in an ``html/`` folder of a year's outputs (an export elsewhere has no
    index or siblings to link).
    """
    dest = Path(dest)
    if dest.parent.name != "html":
        return None
    year_dir = dest.parent.parent
    stem = Path(final_name(dest)).stem
    reports = tuple((f"{rid}.html", title, rid == stem) for rid, title in _suite_reports(nb))
    downloads = []
    for label, sub, suffix in (("Excel 数据表", "tables", ".xlsx"), ("Word 文档", "tables", ".docx")):
        if (year_dir / sub / f"{stem}{suffix}").is_file():
            downloads.append((label, f"../{sub}/{stem}{suffix}"))
    if _pdf_expected(year_dir / "pdf" / f"{stem}.pdf"):
        downloads.append(("PDF", f"../pdf/{stem}.pdf"))
    return PageLinks(INDEX_HREF, reports, tuple(downloads))


# --- building the markup -------------------------------------------------------------------------


def _heading_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if "anchor-link" not in (child.get("class") or ""):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def table_of_contents(root) -> list[TocItem]:
    """The ``h2``/``h3`` headings of ``root`` as a two-level list; gives ``id="sec-N"`` where missing."""
    items: list[TocItem] = []
    taken = {el.get("id") for el in root.iter() if el.get("id")}
    n = 0
    for el in root.iter(*_HEADINGS):
        text = _heading_text(el)
        if not text:
            continue
        anchor = el.get("id")
        if not anchor:
            n += 1
            while f"sec-{n}" in taken:
                n += 1
            anchor = f"sec-{n}"
            el.set("id", anchor)
            taken.add(anchor)
        item = TocItem(int(el.tag[1]), text, anchor)
        if item.level == 3 and items:
            items[-1].children.append(item)
        else:
            items.append(item)
    return items


def _links_nav(links: PageLinks):
    from lxml.html import builder as E

    nav = E.NAV(E.CLASS("report-nav report-links"), **{"aria-label": "报告导航"})
    nav.append(E.A("← 返回报告目录", E.CLASS("nav-index"), href=links.index_href))
    if links.reports:
        group = E.SPAN(E.CLASS("nav-group"), E.SPAN("本年度报告：", E.CLASS("nav-label")))
        for href, title, current in links.reports:
            if current:
                group.append(E.STRONG(title, **{"aria-current": "page"}))
            else:
                group.append(E.A(title, href=href))
        nav.append(group)
    if links.downloads:
        group = E.SPAN(E.CLASS("nav-group nav-downloads"), E.SPAN("下载：", E.CLASS("nav-label")))
        for label, href in links.downloads:
            group.append(E.A(label, href=href))
        nav.append(group)
    return nav


def _toc_nav(items: list[TocItem]):
    from lxml.html import builder as E

    def entries(level_items):
        ol = E.OL()
        for item in level_items:
            li = E.LI(E.A(item.text, href=f"#{item.anchor}"))
            if item.children:
                li.append(entries(item.children))
            ol.append(li)
        return ol

    return E.NAV(
        E.CLASS("report-nav report-toc"),
        E.DETAILS(E.SUMMARY("本报告目录"), entries(items), open="open"),
        **{"aria-label": "本报告目录"},
    )


def _cell_of(el):
    """The notebook cell (``div.jp-Cell``) holding ``el``, else ``el`` itself."""
    node = el
    while node is not None:
        if node.tag == "div" and "jp-Cell" in (node.get("class") or "").split():
            return node
        node = node.getparent()
    return el


def wrap_tables(root) -> int:
    """Wrap every table in ``div.table-scroll``; short first columns become sticky. Returns the count."""
    from lxml.html import builder as E

    n = 0
    for table in list(root.iter("table")):
        parent = table.getparent()
        if parent is None or "table-scroll" in (parent.get("class") or ""):
            continue
        firsts = [row[0].text_content().strip() for row in table.iter("tr") if len(row)]
        if firsts and max(len(t) for t in firsts) <= STICKY_MAX_CHARS:
            table.set("class", " ".join(filter(None, [table.get("class"), "sticky-first"])))
        wrapper = E.DIV(E.CLASS("table-scroll"))
        wrapper.tail, table.tail = table.tail, None
        parent.replace(table, wrapper)
        wrapper.append(table)
        n += 1
    return n


def add_navigation(page: str, links: PageLinks | None) -> str:
    """``page`` with the links bar (when ``links``), the table of contents and scrollable tables."""
    import lxml.html

    doc = lxml.html.document_fromstring(page)
    main = next(doc.iter("main"), None)
    if main is None:
        main = doc.find("body")
    if main is None:
        return page
    items = table_of_contents(main)
    wrap_tables(main)
    if items:
        h1 = next(main.iter("h1"), None)
        toc = _toc_nav(items)
        if h1 is not None:
            cell = _cell_of(h1)
            cell.addnext(toc)
            toc.tail, cell.tail = cell.tail, "\n"
        else:
            main.insert(0, toc)
    if links is not None:
        nav = _links_nav(links)
        nav.tail = "\n" + (main.text or "")
        main.text = "\n"
        main.insert(0, nav)
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
