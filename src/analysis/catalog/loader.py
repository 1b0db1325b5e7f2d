"""Catalogues as data: indicators, regions, agency suffixes, total-row labels and column maps.

Everything here is loaded from CSV files in ``catalogs/`` (package data). A user elsewhere in
China supplies their own ``regions.csv`` (or any other catalogue file) by passing an override
directory: a file present there replaces the packaged file of the same name, with no code change.

Header aliases are normalised with :func:`analysis.catalog.normalize.normalize_header` level by level; a
group path such as ``案卷评查/优秀`` keeps its ``/`` separator. An alias that maps to two different
indicators is a :class:`~analysis.errors.CatalogError` at load time, never a silent guess.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from analysis.catalog.regions import Region, RegionChange, RegionMatch, RegionResolver, parse_changes
from analysis.errors import CatalogError

INDICATOR_COLUMNS = [
    "code", "name_zh", "name_en", "unit", "kind", "category", "direction", "evaluation_lag", "aliases",
]
REGION_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "aliases"]
KINDS = {"count", "money", "rate", "people"}
LEVELS = {"province", "city", "county"}
DIRECTIONS = {"up-good", "down-good", "neutral"}

# Header texts that name the row-label column (region or agency), not an indicator.
LABEL_HEADERS = {
    "地区", "区域", "地域", "行政区划", "行政区", "地市", "市县", "市县区", "县区", "县市区", "市、县(区)",
    "市县(区)", "单位", "单位名称", "执法单位", "执法机关", "执法部门", "部门", "机关", "机关名称", "名称",
    "实施机关", "填报单位", "项目", "市州", "城市", "区县", "区(县)", "县(区)", "设区市", "所属地区", "地方",
    # a region-code column (640104) is a label too: the resolver checks it against the name in the same row
    "区划代码", "行政区划代码", "地区代码", "区域代码", "区划编码", "行政区划编码", "统计用区划代码", "代码",
}
# Header texts of running-number columns, which are ignored.
INDEX_HEADERS = {"序号", "编号", "序", "排序", "no", "no.", "№"}

_LEADING_NUMBER_RE = re.compile(r"^(\d+[.、)]?|\(?[一二三四五六七八九十]+[)、])")
_AGENCY_ENDINGS = ("局", "厅", "分局", "所", "中心", "大队", "支队", "委员会", "办公室")
_YEAR_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def _norm_text(text: str) -> str:
    from analysis.catalog.normalize import normalize_text

    return normalize_text(text)


@lru_cache(maxsize=8192)
def norm_header_path(text: str) -> str:
    """Normalise a header or a ``group/leaf`` alias path level by level (units dropped)."""
    from analysis.catalog.normalize import normalize_header

    parts = [normalize_header(p).name for p in str(text).split("/")]
    return "/".join(p for p in parts if p)


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    category: str
    direction: str
    evaluation_lag: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class HeaderMatch:
    """Outcome of mapping a header path to an indicator: ``ok``, ``ambiguous`` or ``unmapped``."""

    status: str
    indicator: str = ""
    candidates: tuple[str, ...] = ()
    source: str = ""  # "template:<name>" or "alias"


@dataclass
class Catalog:
    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    alias_index: dict[str, str]
    column_maps: dict[str, dict[str, str]]
    total_labels: dict[str, str]
    agency_suffixes: tuple[str, ...]
    region_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    children_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_dir: str = ""
    changes: tuple[RegionChange, ...] = ()
    _resolver: RegionResolver | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- regions
    def children(self, code: str) -> list[Region]:
        return [self.regions[c] for c in self.children_index.get(code, ())]

    def province_codes(self) -> list[str]:
        return [r.code for r in self.regions.values() if r.level == "province"]

    def is_total_label(self, label: str) -> str:
        """Return the total kind (``total`` or ``subtotal``) when ``label`` means a 合计 row, else ``""``."""
        key = _norm_text(label)
        key = _LEADING_NUMBER_RE.sub("", key)
        return self.total_labels.get(key, "")

    @property
    def resolver(self) -> RegionResolver:
        """The region index (built on first use; see :mod:`analysis.catalog.regions`)."""
        if self._resolver is None:
            self._resolver = RegionResolver(self.regions, self.agency_suffixes, self.total_labels, list(self.changes))
        return self._resolver

    def resolve_region(self, label: object, context: tuple[str, ...] = (), year: int | None = None) -> RegionMatch:
        """Resolve a row label (name, short name, alias, agency name or code) to a region.

        ``context``: region codes the file, its title, its agency or the row's parent establish, narrowest
        first; they choose among units sharing a name. ``year``: the data's year (a unit abolished before
        it is reported). See :class:`analysis.catalog.regions.RegionResolver`.
        """
        return self.resolver.resolve(label, tuple(context), year)

    # -------------------------------------------------------------- indicators
    def indicator(self, code: str) -> Indicator:
        return self.indicators[code]

    def template_score(self, template: str, paths: list[str]) -> int:
        """How many of the header paths a template maps (by full path or by a trailing sub-path)."""
        mapping = self.column_maps.get(template, {})
        return sum(1 for p in paths if _lookup_path(mapping, p))

    def best_template(self, paths: list[str]) -> str:
        """The column-map template covering most header paths (ties: fewer entries, then name)."""
        best, best_score = "", 0
        for name in sorted(self.column_maps, key=lambda n: (len(self.column_maps[n]), n)):
            score = self.template_score(name, paths)
            if score > best_score:
                best, best_score = name, score
        return best

    def match_header(self, path: str, template: str = "") -> HeaderMatch:
        """Map a normalised header path (``group/leaf``) to an indicator code.

        Order: the template's column map (full path, then trailing sub-paths), then catalogue
        aliases the same way. When nothing matches exactly, aliases contained in the header
        text are considered: one indicator is a match, several are ``ambiguous``. Last, a child that
        repeats its group (执法巡查/巡查（次）) resolves through the group path.
        """
        path = norm_header_path(path)
        if not path:
            return HeaderMatch("unmapped")
        if template:
            hit = _lookup_path(self.column_maps.get(template, {}), path)
            if hit:
                return HeaderMatch("ok", hit, source=f"template:{template}")
        hit = _lookup_path(self.alias_index, path)
        if hit:
            return HeaderMatch("ok", hit, source="alias")
        leaf = path.split("/")[-1]
        found = self._contained_aliases(leaf)
        if len(found) == 1:
            return HeaderMatch("ok", found[0], source="alias-contained")
        if len(found) > 1:
            return HeaderMatch("ambiguous", candidates=tuple(found))
        group = self._group_of_repeating_child(path, template)
        if group:
            return HeaderMatch("ok", group, source="group")
        return HeaderMatch("unmapped")

    def _group_of_repeating_child(self, path: str, template: str) -> str:
        """A child that repeats its group (执法巡查/巡查) means the group's own indicator: the group path is
        looked up exactly (template, then aliases), never by contained text."""
        parts = path.split("/")
        if len(parts) < 2 or not parts[-1] or parts[-1] not in parts[-2]:
            return ""
        group = "/".join(parts[:-1])
        if template:
            hit = _lookup_path(self.column_maps.get(template, {}), group)
            if hit:
                return hit
        return _lookup_path(self.alias_index, group)

    def _contained_aliases(self, text: str) -> list[str]:
        spans: list[tuple[int, int, str]] = []
        for alias, code in self.alias_index.items():
            if "/" in alias or len(alias) < 2:
                continue
            start = text.find(alias)
            while start >= 0:
                spans.append((start, start + len(alias), code))
                start = text.find(alias, start + 1)
        # Keep maximal spans only: 不合格 hides the 合格 inside it.
        maximal = [
            s for s in spans
            if not any((o[0] <= s[0] and s[1] <= o[1]) and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)
        ]
        return sorted({s[2] for s in maximal})


def _lookup_path(mapping: dict[str, str], path: str) -> str:
    parts = path.split("/")
    for i in range(len(parts)):
        hit = mapping.get("/".join(parts[i:]))
        if hit:
            return hit
    return ""


def year_candidates(text: str) -> list[int]:
    """Distinct 4-digit years (19xx/20xx) in ``text``; those written as ``2023年`` come first."""
    norm = _norm_text(text)
    with_nian = [int(m.group(1)) for m in re.finditer(r"(?<!\d)(19\d{2}|20\d{2})(?=年)", norm)]
    if with_nian:
        return list(dict.fromkeys(with_nian))
    return list(dict.fromkeys(int(m.group(1)) for m in _YEAR_RE.finditer(norm)))


# --------------------------------------------------------------------------- loading


def _read_text(name: str, override_dir: Path | None) -> tuple[str, str]:
    if override_dir is not None:
        candidate = Path(override_dir) / name
        if candidate.is_file():
            try:
                return candidate.read_text("utf-8-sig"), str(candidate)
            except (OSError, UnicodeDecodeError) as err:
                raise CatalogError(f"无法读取目录文件 {candidate}", f"cannot read catalogue file {candidate}: {err}") from err
    res = resources.files("analysis").joinpath("catalog", "data").joinpath(name)
    if not res.is_file():
        raise CatalogError(f"缺少目录文件 {name}", f"missing catalogue file {name}")
    return res.read_text("utf-8-sig"), f"catalog/data/{name}"


def _rows(text: str, where: str, required: list[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"目录文件 {where} 缺少列：{'、'.join(missing)}", f"{where} lacks columns {missing}")
    return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def _column_map_names(override_dir: Path | None) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    base = resources.files("analysis").joinpath("catalog", "data").joinpath("column_maps")
    for entry in base.iterdir():
        if entry.name.endswith(".csv"):
            out[entry.name[:-4]] = (entry.read_text("utf-8-sig"), f"catalog/data/column_maps/{entry.name}")
    if override_dir is not None and (Path(override_dir) / "column_maps").is_dir():
        for p in sorted((Path(override_dir) / "column_maps").glob("*.csv")):
            out[p.stem] = (p.read_text("utf-8-sig"), str(p))
    return out


#: A folder whose catalogue files (e.g. ``regions.csv``) replace the packaged ones, for users elsewhere.
CATALOG_ENV = "ENFORCEMENT_CATALOG_DIR"


def env_override_dir() -> Path | None:
    """The folder named by ``ENFORCEMENT_CATALOG_DIR`` (None when unset); a missing folder is an error."""
    value = os.environ.get(CATALOG_ENV) or None
    if value is None:
        return None
    if not Path(value).is_dir():
        raise CatalogError(f"目录覆盖文件夹不存在：{value}", f"catalogue folder not found: {value}")
    return Path(value)


def read_catalog_text(name: str) -> str:
    """One catalogue file's text, honouring ``ENFORCEMENT_CATALOG_DIR`` like :func:`load_catalog` callers do."""
    return _read_text(name, env_override_dir())[0]


def load_catalog(override_dir: Path | str | None = None) -> Catalog:
    """Load every catalogue; files in ``override_dir`` replace the packaged ones of the same name."""
    if override_dir is None:
        return _default_catalog()
    return _load(Path(override_dir))


@lru_cache(maxsize=1)
def _default_catalog() -> Catalog:
    return _load(None)


def _load(override_dir: Path | None) -> Catalog:
    indicators = _load_indicators(override_dir)
    alias_index = _build_alias_index(indicators)
    regions, region_index, children = _load_regions(override_dir)
    changes = _load_changes(override_dir)
    text, _ = _read_text("agency_suffixes.csv", override_dir)
    suffixes = tuple(
        sorted({_norm_text(r["suffix"]) for r in _rows(text, "agency_suffixes.csv", ["suffix"]) if r["suffix"]},
               key=lambda s: (-len(s), s))
    )
    text, _ = _read_text("region_totals.csv", override_dir)
    totals = {
        _norm_text(r["label"]): ("subtotal" if "小计" in r["label"] else "total")
        for r in _rows(text, "region_totals.csv", ["label"]) if r["label"]
    }
    column_maps: dict[str, dict[str, str]] = {}
    for name, (cm_text, where) in _column_map_names(override_dir).items():
        mapping: dict[str, str] = {}
        for row in _rows(cm_text, where, ["raw_header", "indicator"]):
            key = norm_header_path(row["raw_header"])
            code = row["indicator"]
            if code not in indicators:
                raise CatalogError(
                    f"列映射 {where} 引用了不存在的指标代码 {code}", f"{where}: unknown indicator code {code}"
                )
            if key in mapping and mapping[key] != code:
                raise CatalogError(
                    f"列映射 {where} 中表头“{row['raw_header']}”同时对应 {mapping[key]} 和 {code}，请删除其中一行",
                    f"{where}: header {row['raw_header']!r} maps to both {mapping[key]} and {code}",
                )
            mapping[key] = code
        column_maps[name] = mapping
    return Catalog(
        indicators=indicators,
        regions=regions,
        alias_index=alias_index,
        column_maps=column_maps,
        total_labels=totals,
        agency_suffixes=suffixes,
        region_index=region_index,
        children_index=children,
        source_dir=str(override_dir or ""),
        changes=tuple(changes),
    )


def _load_indicators(override_dir: Path | None) -> dict[str, Indicator]:
    text, where = _read_text("indicators.csv", override_dir)
    out: dict[str, Indicator] = {}
    for row in _rows(text, where, INDICATOR_COLUMNS):
        code = row["code"]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise CatalogError(f"{where} 中指标代码“{code}”不合规（应为小写字母、数字和下划线）", f"bad code {code!r}")
        if code in out:
            raise CatalogError(f"{where} 中指标代码 {code} 重复", f"{where}: duplicate indicator {code}")
        if row["kind"] not in KINDS:
            raise CatalogError(f"{where} 中指标 {code} 的类型“{row['kind']}”无效", f"{code}: bad kind {row['kind']!r}")
        if row["direction"] not in DIRECTIONS:
            raise CatalogError(f"{where} 中指标 {code} 的方向无效", f"{code}: bad direction {row['direction']!r}")
        try:
            lag = int(row["evaluation_lag"] or 0)
        except ValueError as err:
            raise CatalogError(f"{where} 中指标 {code} 的 evaluation_lag 应为整数", f"{code}: bad lag") from err
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        out[code] = Indicator(
            code, row["name_zh"], row["name_en"], row["unit"], row["kind"], row["category"],
            row["direction"], lag, aliases,
        )
    return out


def _build_alias_index(indicators: dict[str, Indicator]) -> dict[str, str]:
    index: dict[str, str] = {}
    for ind in indicators.values():
        for alias in (*ind.aliases, ind.name_zh):
            key = norm_header_path(alias)
            if not key:
                continue
            if key in index and index[key] != ind.code:
                if alias == ind.name_zh and alias not in ind.aliases:
                    continue  # a display name never overrides an explicit alias
                raise CatalogError(
                    f"指标目录中别名“{alias}”同时对应 {index[key]} 和 {ind.code}，请在 indicators.csv 中删除其中一个",
                    f"indicators.csv: alias {alias!r} maps to both {index[key]} and {ind.code}",
                )
            index.setdefault(key, ind.code)
    return index


def _load_regions(override_dir: Path | None):
    text, where = _read_text("regions.csv", override_dir)
    rows = _rows(text, where, REGION_COLUMNS[:5])
    regions: dict[str, Region] = {}
    for row in rows:
        code = row["code"]
        if not re.fullmatch(r"\d{6}", code):
            raise CatalogError(f"{where} 中行政区划代码“{code}”应为6位数字", f"{where}: bad region code {code!r}")
        if row["level"] not in LEVELS:
            raise CatalogError(f"{where} 中 {code} 的层级“{row['level']}”无效", f"{code}: bad level")
        if code in regions:
            raise CatalogError(f"{where} 中行政区划代码 {code} 重复", f"{where}: duplicate region {code}")
        aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
        regions[code] = Region(code, row["name"], row["short_name"], row["level"], row["parent_code"], aliases)
    for r in regions.values():
        if r.parent_code and r.parent_code not in regions:
            raise CatalogError(f"{where} 中 {r.code} 的上级代码 {r.parent_code} 不存在", f"{r.code}: unknown parent")
    index: dict[str, list[str]] = {}
    for r in regions.values():
        for name in (r.name, r.short_name, *r.aliases):
            key = _norm_text(name)
            if key:
                index.setdefault(key, [])
                if r.code not in index[key]:
                    index[key].append(r.code)
    children: dict[str, list[str]] = {}
    for r in regions.values():
        if r.parent_code:
            children.setdefault(r.parent_code, []).append(r.code)
    return (
        regions,
        {k: tuple(v) for k, v in index.items()},
        {k: tuple(v) for k, v in children.items()},
    )


def _load_changes(override_dir: Path | None) -> list[RegionChange]:
    """``region_changes.csv`` (optional: an override folder without it uses the packaged one)."""
    try:
        text, where = _read_text("region_changes.csv", override_dir)
    except CatalogError:
        return []
    return parse_changes(_rows(text, where, ["old_code", "old_name", "new_code", "new_name", "date", "kind"]), where)
