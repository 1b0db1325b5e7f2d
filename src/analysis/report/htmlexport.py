"""Executed notebook -> one self-contained, fully offline HTML report.

- nbconvert ``HTMLExporter`` with the ``report`` template (``templates/report/``, extends ``lab``)
  that drops require.js, the widget renderer, MathJax and mermaid; code cells and prompts hidden.
- Charts are embedded (nbconvert writes ``image/png`` outputs as base64 data URIs).
- ``<html lang="zh-CN">``; ``@font-face`` subsets of Noto Sans SC, Regular and Bold, covering exactly the
  characters on the page (``analysis.present.fonts.font_face_css``) so Chinese renders on a machine
  without Chinese fonts; characters outside the bundled static fonts are noted in the export's warnings.
- Post-checks that fail loudly: no ``http(s)://`` (or protocol-relative) ``src``/``href`` on any
  script, link, img, iframe, embed, object, source, audio or video tag; ``lang`` is zh.
- Navigation (:mod:`analysis.report.navigation`): links bar (index, the year's reports, the report's
  own Excel/Word/PDF), table of contents, and tables that scroll in their own box on a phone.
- Papermill's English failure markers are rewritten in Chinese, and a timed-out cell gets one,
  so a failed report shows clearly where it stopped.
"""

from __future__ import annotations

import html as html_lib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from analysis.atomic import atomic_write_bytes
from analysis.errors import OutputError
from analysis.report.navigation import PageLinks, add_navigation, page_links

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "report"
FONT_MARKER = "<!--REPORT-FONT-CSS-->"
FONT_FAMILY = "ReportCJK"
MAX_REPORT_BYTES = 1_500_000  # 1.5 MB per report
LANG = "zh-CN"

_ERROR_TAG = "papermill-error-cell-tag"
_TAG_RE = re.compile(
    r"<(script|link|img|iframe|embed|object|source|audio|video|track|input)\b[^>]*>", re.IGNORECASE | re.DOTALL
)
_URL_ATTR_RE = re.compile(
    r"""\b(src|href|data|srcset|poster)\s*=\s*(["']?)\s*(https?:|//)""", re.IGNORECASE
)
_CSS_URL_RE = re.compile(r"""(@import\s+|url\(\s*["']?)\s*(https?:|//)""", re.IGNORECASE)
_STRIP_BLOCKS_RE = re.compile(r"<(style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_STRIP_TAGS_RE = re.compile(r"<[^>]+>")
_HTML_LANG_RE = re.compile(r'<html\s+lang="[^"]*"', re.IGNORECASE)


class NotOfflineError(OutputError):
    """The exported HTML would load something from the network."""


@dataclass
class ExportResult:
    path: Path
    size: int
    warnings: list[str] = field(default_factory=list)

    @property
    def too_large(self) -> bool:
        return self.size > MAX_REPORT_BYTES


# --- notebook preparation ------------------------------------------------------------------------


def _failure_banner(text_zh: str, anchor: bool) -> str:
    ident = ' id="papermill-error-cell"' if anchor else ""
    return f'<div class="report-failure"{ident}>{html_lib.escape(text_zh)}</div>'


def localize_error_markers(nb) -> bool:
    """Rewrite papermill's English error-marker cells in Chinese; True when the notebook failed."""
    failed = False
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if _ERROR_TAG not in tags:
            continue
        failed = True
        if 'id="papermill-error-cell"' in cell.source:
            cell.source = _failure_banner("执行在此处出错并中止，以下内容未生成：", anchor=True)
        else:
            cell.source = (
                _failure_banner("本报告未能完整生成：笔记本执行出错，下文红框处为出错位置。", anchor=False)
                + '\n\n<a href="#papermill-error-cell">跳转到出错位置</a>'
            )
    return failed


def mark_timeout(nb, timeout: float) -> None:
    """Insert failure markers for a cell stopped by the per-cell timeout (papermill adds none)."""
    from nbformat.v4 import new_markdown_cell

    index = None
    for i, cell in enumerate(nb.cells):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.cell_type == "code" and status not in (None, "pending"):
            index = i
        if status == "pending":
            break
    top = new_markdown_cell(
        _failure_banner(f"本报告未能完整生成：某个步骤运行超过 {timeout:g} 秒，已被终止。", anchor=False)
        + '\n\n<a href="#papermill-error-cell">跳转到中止位置</a>'
    )
    top.metadata["tags"] = [_ERROR_TAG]
    here = new_markdown_cell(_failure_banner(f"执行在此处超时（超过 {timeout:g} 秒）并中止：", anchor=True))
    here.metadata["tags"] = [_ERROR_TAG]
    if index is not None:
        nb.cells.insert(index, here)
    else:
        nb.cells.append(here)
    nb.cells.insert(0, top)


# --- rendering -----------------------------------------------------------------------------------

_LOCAL = threading.local()


def _exporter():
    """One exporter per thread (preprocessors keep state between calls)."""
    if getattr(_LOCAL, "exporter", None) is None:
        from nbconvert import HTMLExporter

        _LOCAL.exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            language_code="zh",  # nbconvert accepts ISO 639-1 only; region added below
        )
    return _LOCAL.exporter


def visible_text(page: str) -> str:
    """The characters a reader can see (for the font subset): tags, styles and scripts removed."""
    body = page.split("<body", 1)[-1]
    body = _STRIP_BLOCKS_RE.sub(" ", body)
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    text = _STRIP_TAGS_RE.sub(" ", body) + " " + (title.group(1) if title else "")
    return html_lib.unescape(text)


def embed_font(page: str, warnings: list[str]) -> str:
    """Replace the template's font marker by an ``@font-face`` subset for the page's characters."""
    css = ""
    try:
        from analysis.present.fonts import font_face_css
    except ImportError:
        warnings.append("未嵌入中文字体子集（analysis.present.fonts 不可用） / CJK font subset not embedded")
    else:
        chars = "".join(sorted(set(visible_text(page))))
        css = font_face_css(chars, family=FONT_FAMILY, warnings_out=warnings)  # Regular + Bold, fallback noted
        if css and "<style" not in css:
            css = f'<style type="text/css">\n{css}\n</style>'
    if FONT_MARKER in page:
        return page.replace(FONT_MARKER, css, 1)
    return page.replace("</head>", css + "\n</head>", 1)


def offline_violations(page: str) -> list[str]:
    """Every tag or CSS rule that would fetch from the network (``http(s)://`` or ``//host``)."""
    bad = [m.group(0)[:160] for m in _TAG_RE.finditer(page) if _URL_ATTR_RE.search(m.group(0))]
    for block in re.findall(r"<style\b.*?</style\s*>", page, re.IGNORECASE | re.DOTALL):
        block = re.sub(r"/\*.*?\*/", "", block, flags=re.DOTALL)  # URLs in CSS comments are harmless
        bad.extend(m.group(0)[:160] for m in _CSS_URL_RE.finditer(block))
    return bad


def check_offline(page: str, source: str = "") -> None:
    bad = offline_violations(page)
    if bad:
        raise NotOfflineError(
            f"报告 {source} 含有联网引用（{len(bad)} 处），不能离线阅读：{bad[0]}",
            f"report {source} references the network ({len(bad)}x): {bad[0]}",
        )
    if not re.search(r"<html[^>]*\blang=\"zh", page[:2000], re.IGNORECASE):
        raise OutputError(f"报告 {source} 未声明中文语言", f"report {source} lacks <html lang=\"zh-CN\">")


def render_html(nb, title: str, timeout: float | None = None,
                links: PageLinks | None = None) -> tuple[str, list[str], bool]:
    """Render an executed notebook node; returns (html, warnings, failed). ``links``: the links bar."""
    failed = localize_error_markers(nb)
    if timeout is not None:
        mark_timeout(nb, timeout)
        failed = True
    nb.metadata["title"] = title
    page, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    page = _HTML_LANG_RE.sub(f'<html lang="{LANG}"', page, count=1)
    page = add_navigation(page, links)
    warnings: list[str] = []
    page = embed_font(page, warnings)
    return page, warnings, failed


def export_html(
    notebook_path: Path | str,
    dest: Path | str,
    title: str,
    timeout: float | None = None,
) -> ExportResult:
    """Export ``notebook_path`` to ``dest`` (atomic write); raises ``NotOfflineError`` when not offline.

    ``timeout``: the per-cell timeout that stopped this notebook, to mark where it stopped.
    """
    import nbformat

    dest = Path(dest)
    try:
        nb = nbformat.read(str(notebook_path), as_version=4)
    except (OSError, ValueError) as err:
        raise OutputError(f"无法读取已执行的笔记本 {notebook_path}", f"cannot read {notebook_path}: {err}") from None
    page, warnings, _ = render_html(nb, title, timeout, page_links(dest, nb))
    check_offline(page, dest.name)
    data = page.encode("utf-8")
    atomic_write_bytes(dest, data)
    result = ExportResult(dest, len(data), warnings)
    if result.too_large:
        result.warnings.append(
            f"报告 {dest.name} 大小 {len(data) / 1e6:.2f} MB，超过 1.5 MB 上限 / report exceeds 1.5 MB"
        )
    return result
