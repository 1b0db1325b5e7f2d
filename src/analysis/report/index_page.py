"""The landing page ``outputs/<year>/index.html``: links to every report, run date, data quality, sample flag.

Rendered with Jinja2 autoescaping from ``templates/report/landing.html.j2``: every string that
comes from data (region names, titles) is escaped, so ``<script>`` in a region name shows as text.
The page is offline like the reports (embedded CJK font subset, no network references) and is
written atomically.

Made to stay usable with thousands of reports (a national run has ~3,200 region profiles a year):

- Region profiles are grouped by the catalogue's hierarchy (``regions.csv`` ``parent_code``): counties
  under their city, cities under their province when the entries span several provinces; a county
  directly under a province (直辖市 districts, 省直辖县) is listed under the province itself. Each
  group is a ``<details>`` element (no script needed to open or close it), open when the page lists
  at most :data:`OPEN_LIMIT` profiles. A jump list links the top-level groups.
- Searching works without any script: the browser's find (Ctrl+F) searches closed ``<details>`` too
  and opens the group of a hit. A small inline script (:data:`SEARCH_SCRIPT`, a constant: it never
  contains data) adds a filter box on top of that; without it the box stays hidden and nothing else
  changes. The page's Content-Security-Policy allows exactly that script (by its SHA-256 hash), no
  other script, handler or network request, so markup from data could not run even if it were not
  escaped.
- Downloads: with ``year_dir``, the letter draft(s) under ``letter/`` and each main report's PDF,
  Excel and Word files that exist are linked (the index is written after them).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.atomic import atomic_write_text
from analysis.report.htmlexport import FONT_FAMILY, TEMPLATE_DIR, check_offline, visible_text

STATUS_WORDS = {"ok": "已生成", "failed": "未能完整生成"}
OPEN_LIMIT = 200  # profiles; above it every group starts closed
OTHER_GROUP = "其他地区"
_CODE_RE = re.compile(r"_(\d{6})$")

SEARCH_SCRIPT = """
(function () {
  var box = document.getElementById("region-search-box");
  var input = document.getElementById("region-search");
  var count = document.getElementById("region-search-count");
  if (!box || !input || !count) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("li[data-search]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.region-group"));
  var initial = groups.map(function (d) { return d.open; });
  box.hidden = false;
  function run() {
    var q = input.value.replace(/\\s+/g, "").toLowerCase();
    var shown = 0;
    items.forEach(function (li) {
      var hit = !q || li.getAttribute("data-search").toLowerCase().indexOf(q) >= 0;
      li.hidden = !hit;
      if (hit) { shown += 1; }
    });
    groups.forEach(function (d, i) {
      var any = !q || d.querySelector("li[data-search]:not([hidden])") !== null;
      d.hidden = !any;
      d.open = q ? any : initial[i];
    });
    count.textContent = q ? "找到 " + shown + " 份" : "";
  }
  input.addEventListener("input", run);
})();
"""


def script_hash(script: str = SEARCH_SCRIPT) -> str:
    """The CSP source expression allowing exactly ``script`` as an inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    return (f"default-src 'none'; script-src {script_hash()}; style-src 'unsafe-inline'; "
            "font-src data:; img-src data:; base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class IndexEntry:
    job_id: str
    title: str  # full Chinese title, e.g. 地区画像：银川市
    href: str  # relative to outputs/<year>/
    status: str  # ok | failed
    group: str = ""  # spec title for per-region reports (地区画像), "" for the main reports
    label: str = ""  # short label inside a group (the region name)
    code: str = ""  # region code of a per-region report ("" -> the six digits ending job_id, if any)

    @property
    def region_code(self) -> str:
        if self.code:
            return self.code
        m = _CODE_RE.search(self.job_id)
        return m.group(1) if m else ""


@dataclass
class RegionGroup:
    """One ``<details>`` of the index: a province or a city with the profiles under it."""

    code: str
    name: str
    own: list[IndexEntry] = field(default_factory=list)  # the profile of the group's region itself
    entries: list[IndexEntry] = field(default_factory=list)  # profiles under it, sorted by code
    groups: list[RegionGroup] = field(default_factory=list)  # cities under a province
    search_context: str = ""  # names added to each entry's search key (the city, the province)

    @property
    def count(self) -> int:
        return len(self.own) + len(self.entries) + sum(g.count for g in self.groups)


def quality_status(counts: dict[str, int]) -> tuple[str, str]:
    if counts.get("error", 0):
        return "存在错误，请核查后再使用", "q-error"
    if counts.get("warning", 0):
        return "存在警告", "q-warning"
    return "未发现问题", "q-ok"


# --- grouping ------------------------------------------------------------------------------------


def _catalog_regions() -> dict:
    from analysis.catalog import env_override_dir, load_catalog

    return load_catalog(env_override_dir()).regions


def _ancestors(code: str, regions: dict) -> tuple[str, str]:
    """(province code, city code) above or at ``code``; "" where there is none."""
    province = city = ""
    seen = set()
    node = regions.get(code)
    while node is not None and node.code not in seen:
        seen.add(node.code)
        if node.level == "province" and not province:
            province = node.code
        elif node.level == "city" and not city:
            city = node.code
        node = regions.get(node.parent_code) if node.parent_code else None
    return province, city


def group_regions(entries: list[IndexEntry], regions: dict | None = None) -> list[RegionGroup]:
    """Per-region entries as province groups (each with its city groups); unknown codes in 其他地区."""
    regions = _catalog_regions() if regions is None else regions
    provinces: dict[str, RegionGroup] = {}
    cities: dict[str, RegionGroup] = {}
    for e in sorted(entries, key=lambda x: (x.region_code, x.job_id)):
        code = e.region_code
        p_code, c_code = _ancestors(code, regions) if code in regions else ("", "")
        p_name = regions[p_code].name if p_code else OTHER_GROUP
        province = provinces.setdefault(p_code, RegionGroup(p_code, p_name, search_context=p_name if p_code else ""))
        if not c_code:
            (province.own if code == p_code and p_code else province.entries).append(e)
            continue
        city = cities.get(c_code)
        if city is None:
            c_name = regions[c_code].name
            city = cities[c_code] = RegionGroup(c_code, c_name, search_context=f"{c_name} {province.search_context}")
            province.groups.append(city)
        (city.own if code == c_code else city.entries).append(e)
    return sorted(provinces.values(), key=lambda g: (g.code == "", g.code))


def _download_links(year_dir: Path, stem: str) -> list[tuple[str, str]]:
    found = []
    for label, rel in (("PDF", f"pdf/{stem}.pdf"), ("Excel", f"tables/{stem}.xlsx"), ("Word", f"tables/{stem}.docx")):
        if (year_dir / rel).is_file():
            found.append((label, rel))
    return found


def _letters(year_dir: Path) -> list[str]:
    folder = year_dir / "letter"
    return sorted(f"letter/{p.name}" for p in folder.glob("*.docx")) if folder.is_dir() else []


# --- rendering -----------------------------------------------------------------------------------


def render_index(
    year: int,
    entries: list[IndexEntry],
    run_date: str,
    quality: dict[str, int],
    is_sample: bool,
    quality_href: str = "",
    embed_font: bool = True,
    year_dir: Path | str | None = None,
    regions: dict | None = None,
) -> str:
    """The index page. ``year_dir``: list the downloads found there; ``regions``: code -> catalogue
    region (default: the catalogue), for grouping."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR / "report")),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
    )
    template = env.get_template("landing.html.j2")
    by_spec: dict[str, list[IndexEntry]] = {}
    for e in entries:
        if e.group:
            by_spec.setdefault(e.group, []).append(e)
    n_regional = sum(len(v) for v in by_spec.values())
    region_groups = []
    for title, es in by_spec.items():
        provinces = group_regions(es, regions)
        region_groups.append({"title": title, "n": len(es), "provinces": provinces,
                              "several": len(provinces) > 1})
    main_entries = [e for e in entries if not e.group]
    root = Path(year_dir) if year_dir is not None else None
    downloads = {e.job_id: _download_links(root, e.job_id) for e in main_entries} if root else {}
    status_text, status_class = quality_status(quality)
    context = dict(
        year=int(year),
        run_date=run_date,
        is_sample=bool(is_sample),
        quality={k: int(quality.get(k, 0)) for k in ("error", "warning", "info")},
        quality_status=status_text,
        quality_class=status_class,
        quality_href=quality_href,
        main_entries=main_entries,
        downloads=downloads,
        letters=_letters(root) if root else [],
        region_groups=region_groups,
        open_groups=n_regional <= OPEN_LIMIT,
        status_words=STATUS_WORDS,
        n_total=len(entries),
        n_failed=sum(e.status != "ok" for e in entries),
        csp=content_security_policy(),
        search_script=Markup(SEARCH_SCRIPT) if n_regional else "",
        font_css="",
    )
    page = template.render(**context)
    if embed_font:
        try:
            from analysis.present.fonts import font_face_css
        except ImportError:
            pass
        else:
            css = font_face_css("".join(sorted(set(visible_text(page)))), family=FONT_FAMILY)
            if css and "<style" not in css:
                css = f'<style type="text/css">\n{css}\n</style>'
            context["font_css"] = Markup(css)
            page = template.render(**context)
    check_offline(page, "index.html")
    return page


def write_index(year_dir: Path | str, page: str) -> Path:
    return atomic_write_text(Path(year_dir) / "index.html", page)
