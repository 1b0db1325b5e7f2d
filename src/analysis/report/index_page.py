"""The landing page ``outputs/<year>/index.html``: links to every report, run date, data quality, sample flag.

Rendered with Jinja2 autoescaping from ``templates/report/landing.html.j2``: every string that
comes from data (region names, titles) is escaped, so ``<script>`` in a region name shows as text.
The page is offline like the reports (embedded CJK font subset, no network references) and is
written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.atomic import atomic_write_text
from analysis.report.htmlexport import FONT_FAMILY, TEMPLATE_DIR, check_offline, visible_text

STATUS_WORDS = {"ok": "已生成", "failed": "未能完整生成"}


@dataclass(frozen=True)
class IndexEntry:
    job_id: str
    title: str  # full Chinese title, e.g. 地区画像：银川市
    href: str  # relative to outputs/<year>/
    status: str  # ok | failed
    group: str = ""  # spec title for per-region reports (地区画像), "" for the main reports
    label: str = ""  # short label inside a group (the region name)


def quality_status(counts: dict[str, int]) -> tuple[str, str]:
    if counts.get("error", 0):
        return "存在错误，请核查后再使用", "q-error"
    if counts.get("warning", 0):
        return "存在警告", "q-warning"
    return "未发现问题", "q-ok"


def render_index(
    year: int,
    entries: list[IndexEntry],
    run_date: str,
    quality: dict[str, int],
    is_sample: bool,
    quality_href: str = "",
    embed_font: bool = True,
) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR / "report")),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
    )
    template = env.get_template("landing.html.j2")
    groups: dict[str, list[IndexEntry]] = {}
    for e in entries:
        if e.group:
            groups.setdefault(e.group, []).append(e)
    status_text, status_class = quality_status(quality)
    context = dict(
        year=int(year),
        run_date=run_date,
        is_sample=bool(is_sample),
        quality={k: int(quality.get(k, 0)) for k in ("error", "warning", "info")},
        quality_status=status_text,
        quality_class=status_class,
        quality_href=quality_href,
        main_entries=[e for e in entries if not e.group],
        region_groups=[{"title": t, "entries": es} for t, es in groups.items()],
        status_words=STATUS_WORDS,
        n_total=len(entries),
        n_failed=sum(e.status != "ok" for e in entries),
        font_css="",
    )
    page = template.render(**context)
    if embed_font:
        try:
            from analysis.present.fonts import font_face_css
        except ImportError:
            pass
        else:
            from markupsafe import Markup

            css = font_face_css("".join(sorted(set(visible_text(page)))), family=FONT_FAMILY)
            if css and "<style" not in css:
                css = f'<style type="text/css">\n{css}\n</style>'
            context["font_css"] = Markup(css)
            page = template.render(**context)
    check_offline(page, "index.html")
    return page


def write_index(year_dir: Path | str, page: str) -> Path:
    return atomic_write_text(Path(year_dir) / "index.html", page)
