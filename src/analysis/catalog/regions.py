"""Region resolution over the national catalogue: an index, a context, and the code changes over time.

:class:`RegionResolver` is built once per catalogue (``Catalog.regions`` plus ``region_changes.csv``):

- an index ``normalised name / short name / alias -> candidates`` (a full name beats a short name or alias
  of another unit: ``吉林市`` is the city, ``吉林`` is the province or the city);
- names inside a longer text (``长春市朝阳区自然资源局``) are found by looking up the text's substrings in the
  same index (never a scan of the catalogue); a unit whose ancestor is named too wins (长春市 + 朝阳区 ->
  220104), otherwise the deepest unit;
- a *context* (a tuple of region codes, narrowest first: the row's parent column or parent row, the
  table's common ancestor, the file title's region) chooses among candidates with the same name: 朝阳区
  in the context 长春市 is 220104, with no context it is ``ambiguous`` with both candidates;
- generic labels (全省, 全区, 自治区, 自然资源厅, 全市) mean the context's province or city;
- codes (``640104`` or ``640104 兴庆区``) are checked: an unknown code, a code whose name disagrees with the
  written name, a code abolished before the data's year and a merged or split unit each come back as
  ``invalid`` with a ``problem`` and the candidates;
- a former name or code (临安市 330185) maps to the current code when the chain of changes to it is
  one-to-one (rename, upgrade to a district or city, recode); a merge, split or abolition is ``invalid``
  with ``problem="not_one_to_one"`` (a finding, never a silent guess).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

CHANGE_COLUMNS = ["old_code", "old_name", "new_code", "new_name", "date", "kind"]
CHANGE_KINDS = {"rename", "upgrade-to-district", "upgrade-to-city", "recode", "merge", "split", "abolish", "adjust"}
ONE_TO_ONE_KINDS = {"rename", "upgrade-to-district", "upgrade-to-city", "recode"}
DEPTH = {"province": 0, "city": 1, "county": 2}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

#: Labels that mean "the province of this file" (resolved through the context; without one, the index).
GENERIC_PROVINCE = frozenset({
    "全省", "全区", "全自治区", "自治区", "本省", "全省合计", "自然资源厅", "省自然资源厅", "自治区自然资源厅",
    "国土资源厅", "省国土资源厅",
})
#: Labels that mean "the city of this file" (a municipality's 全市 is the province-level unit).
GENERIC_CITY = frozenset({"全市", "本市", "全州", "全盟", "全地区"})

#: Unit names that are also ordinary words in titles.
TEXT_STOPWORDS = frozenset({"城区", "郊区", "矿区", "市区", "新区", "市中区"})

_LEADING_NUMBER_RE = re.compile(r"^(\d+[.、)]?|\(?[一二三四五六七八九十]+[)、])")
_CODE_RE = re.compile(r"^(\d{6})(?:\d{6})?(?:\.0)?(?![\d.])[-:：,，]*(.*)$")
_AGENCY_ENDINGS = ("局", "厅", "分局", "所", "中心", "大队", "支队", "委员会", "办公室")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class RegionChange:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    year: int
    kind: str
    document: str = ""


@dataclass(frozen=True)
class RegionMatch:
    """Outcome of resolving a row label.

    ``status``: ``ok`` (one region), ``total`` (a 合计-style label), ``unknown``, ``ambiguous`` (several
    regions share the label; ``candidates`` lists them), ``empty``, or ``invalid`` (a code or a former unit
    that cannot be used; ``problem`` says why: ``code_unknown``, ``code_name_mismatch``, ``abolished``,
    ``not_one_to_one``; ``candidates`` are the units meant or succeeding).
    ``via_agency`` is true when the label was an agency name (suffix stripped). ``change`` is the change
    record when a former name or code was mapped to the current unit; ``reported_code`` is the code written
    in the label (``""`` when none); ``generic`` marks labels such as 全省 that only mean something in context.
    """

    status: str
    region: Region | None = None
    candidates: tuple[Region, ...] = ()
    via_agency: bool = False
    total_kind: str = ""
    change: RegionChange | None = None
    problem: str = ""
    reported_code: str = ""
    generic: bool = False
    suggest: Callable[[], tuple[Region, ...]] | None = field(default=None, compare=False, repr=False)

    def close_names(self) -> tuple[Region, ...]:
        """Close names for an unknown label, computed only when asked (when its finding is written):
        matching every label a layout merely probes against ~3,200 names would cost ~50 ms a file."""
        return self.candidates or (self.suggest() if self.suggest is not None else ())


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]


def _norm(text: str) -> str:
    from analysis.catalog.normalize import normalize_text

    return normalize_text(text)


class RegionResolver:
    """Name/alias/code index over one catalogue's regions, with context-scoped choice and change mapping."""

    def __init__(self, regions: dict[str, Region], agency_suffixes: tuple[str, ...],
                 total_labels: dict[str, str], changes: list[RegionChange] = ()):  # type: ignore[assignment]
        self.regions = regions
        self.agency_suffixes = agency_suffixes
        self.total_labels = total_labels
        self.ancestors: dict[str, tuple[str, ...]] = {c: self._chain(c) for c in regions}
        index: dict[str, dict[str, bool]] = defaultdict(dict)  # key -> code -> is the full name
        for r in regions.values():
            for name in (r.name, r.short_name, *r.aliases):
                key = _norm(name)
                if key:
                    index[key][r.code] = index[key].get(r.code, False) or key == _norm(r.name)
        self.index: dict[str, tuple[tuple[str, bool], ...]] = {k: tuple(v.items()) for k, v in index.items()}
        # Names inside longer texts: keys that are part of an agency suffix (资源 in 自然资源局) never count.
        noise = (*agency_suffixes, *GENERIC_PROVINCE, *GENERIC_CITY)
        self.contain_keys = {k for k in self.index if len(k) >= 2 and not any(k in s for s in noise)}
        self.contain_index = {k: tuple(c for c, _ in self.index[k]) for k in self.contain_keys}
        self.max_key = max((len(k) for k in self.contain_keys), default=0)
        # Free texts (titles, file names) only count full names, aliases and the short names of provinces
        # and cities or of three characters or more: 东方 or 平安 in a title is a word, not 东方市 or 平安区.
        text_keys: dict[str, set[str]] = defaultdict(set)
        for r in regions.values():
            shorts = (r.short_name,) if r.level != "county" or len(r.short_name) >= 3 else ()
            for name in (r.name, *r.aliases, *shorts):
                key = _norm(name)
                if key in self.contain_keys and key not in TEXT_STOPWORDS:
                    text_keys[key].add(r.code)
        self.text_keys = {k: tuple(sorted(v)) for k, v in text_keys.items()}
        self.changes_by_code: dict[str, list[RegionChange]] = defaultdict(list)
        self.changes_by_name: dict[str, list[RegionChange]] = defaultdict(list)
        for ch in changes:
            self.changes_by_code[ch.old_code].append(ch)
            if ch.old_name:
                self.changes_by_name[_norm(ch.old_name)].append(ch)
        self._cache: dict[tuple, RegionMatch] = {}

    # ------------------------------------------------------------------ hierarchy
    def _chain(self, code: str) -> tuple[str, ...]:
        out, seen = [], {code}
        parent = self.regions[code].parent_code
        while parent and parent in self.regions and parent not in seen:
            out.append(parent)
            seen.add(parent)
            parent = self.regions[parent].parent_code
        return tuple(out)

    def within(self, code: str, scope: str) -> bool:
        """``code`` is ``scope`` or lies inside it (by the catalogue's parents)."""
        return code == scope or scope in self.ancestors.get(code, ())

    def scope_of(self, codes) -> tuple[str, ...]:
        """The common ancestors-or-self of ``codes``, narrowest first (``()`` when they share none)."""
        common: list[str] | None = None
        for c in codes:
            if c not in self.regions:
                continue
            chain = [c, *self.ancestors[c]]
            common = chain if common is None else [a for a in common if a in chain]
            if not common:
                return ()
        return tuple(common or ())

    # ------------------------------------------------------------------ public
    def resolve(self, label: object, context: tuple[str, ...] = (), year: int | None = None) -> RegionMatch:
        """Resolve a row label (name, short name, alias, agency name, code) within ``context``."""
        if label is None:
            return RegionMatch("empty")
        if isinstance(label, float) and label.is_integer():
            label = int(label)
        key = (str(label), tuple(context), year)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            hit = self._cache[key] = self._resolve(str(label), tuple(context), year)
        return hit

    def regions_in_text(self, text: str) -> tuple[str, ...]:
        """The region a free text (title, file name, 填报单位 line) names, as a context tuple (or ``()``)."""
        key = _norm(text or "")
        if not key:
            return ()
        codes = self._contained(key, self.text_keys)
        return (codes[0], *self.ancestors[codes[0]]) if len(codes) == 1 else ()

    def row_contexts(self, rows: list[tuple[str, tuple[str, ...]]], base: tuple[str, ...] = (),
                     year: int | None = None) -> list[tuple[str, ...]]:
        """The context of each row of a table, narrowest first.

        ``rows``: per data row, its label and the texts of its parent columns (a city column beside the
        county column). ``base``: the file's context (title, file name). A row's context is its parent
        columns' region, the last province- or city-level row above it (a 长春市 row over its districts),
        the common ancestor of the table's unambiguous rows, then ``base``.
        """
        first = [self.resolve(label, base, year) for label, _ in rows]
        table = self.scope_of(m.region.code for m in first if m.status == "ok" and not m.generic)
        shared = tuple(dict.fromkeys((*table, *base)))
        out: list[tuple[str, ...]] = []
        last: dict[str, str] = {}
        for (label, parents), m0 in zip(rows, first, strict=True):
            own: list[str] = []
            for text in parents:
                pm = self.resolve(text, shared, year)
                if pm.status == "ok":
                    own.extend((pm.region.code, *self.ancestors[pm.region.code]))
            above = [last[lv] for lv in ("city", "province") if lv in last]
            ctx = tuple(dict.fromkeys((*own, *above, *shared)))
            out.append(ctx)
            m = m0 if m0.status == "ok" else self.resolve(label, ctx, year)
            if m.status == "ok" and not m.generic and m.region.level in ("province", "city"):
                last[m.region.level] = m.region.code
                if m.region.level == "province":
                    last.pop("city", None)
        return out

    def suggestions(self, key: str, context: tuple[str, ...] = (), n: int = 3) -> tuple[Region, ...]:
        """Close names for an unknown label (within the context when there is one)."""
        pool = self.index.keys()
        if context:
            scoped = [k for k, hits in self.index.items() if any(self.within(c, context[-1]) for c, _ in hits)]
            pool = scoped or pool
        out: dict[str, Region] = {}
        close = difflib.get_close_matches(key, list(pool), n=12, cutoff=0.6)
        # Among equally close names, those sharing the first characters come first (曲埠市 -> 曲阜市, not 蚌埠市).
        close.sort(key=lambda k: (-difflib.SequenceMatcher(None, key, k).ratio(),
                                  -len(_common_prefix(key, k)), k))
        for k in close:
            for c, _ in self.index[k]:
                out.setdefault(c, self.regions[c])
        return tuple(out.values())[:n]

    def describe(self, region: Region) -> str:
        """``长春市朝阳区(220104)``: a candidate named with its parent, for findings."""
        parent = self.regions.get(region.parent_code)
        prefix = parent.name if parent is not None and region.level != "province" else ""
        return f"{prefix}{region.name}({region.code})"

    # ------------------------------------------------------------------ internals
    def _resolve(self, label: str, context: tuple[str, ...], year: int | None) -> RegionMatch:
        key = _norm(label)
        m = _CODE_RE.match(key)
        if m:
            return self._resolve_code(m.group(1), m.group(2), context, year)
        # Leading running numbers such as "1." or "（一）" are not part of the name.
        key = _LEADING_NUMBER_RE.sub("", key)
        if not key:
            return RegionMatch("empty")
        total_kind = self.total_labels.get(key, "")
        if total_kind:
            return RegionMatch("total", total_kind=total_kind)
        generic = self._generic(key, context)
        if generic is not None:
            return generic
        return self._resolve_name(key, context, year)

    def _generic(self, key: str, context: tuple[str, ...]) -> RegionMatch | None:
        if key not in GENERIC_PROVINCE and key not in GENERIC_CITY:
            return None
        levels = {self.regions[c].level: c for c in context if c in self.regions}
        target = ""
        if key in GENERIC_PROVINCE:
            target = levels.get("province", "")
        elif "city" in levels:
            target = levels["city"]
        elif levels.get("province") in MUNICIPALITIES:
            target = levels["province"]
        if target:
            return RegionMatch("ok", self.regions[target], generic=True)
        hits = self.index.get(key, ())
        if hits:
            m = self._choose(tuple(c for c, _ in hits), context, via_agency=False)
            return RegionMatch(m.status, m.region, m.candidates, m.via_agency, generic=True)
        return RegionMatch("ambiguous" if key in GENERIC_PROVINCE else "unknown", generic=True)

    def _resolve_name(self, key: str, context: tuple[str, ...], year: int | None) -> RegionMatch:
        hits = self.index.get(key)
        if hits:
            return self._from_hits(hits, key, context, year, via_agency=False)
        stripped = key
        for suffix in self.agency_suffixes:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                stripped = stripped[: -len(suffix)]
                break
        via_agency = stripped != key
        if via_agency:
            hits = self.index.get(stripped)
            if hits:
                return self._from_hits(hits, stripped, context, year, via_agency=True)
        if via_agency or key.endswith(_AGENCY_ENDINGS):
            contained = self._contained(stripped)
            if contained:
                return self._choose(contained, context, via_agency=True)
        elif len(key) >= 4:
            # 北京市朝阳区: names that together make up the whole label.
            tiled = self._contained(key, cover=True)
            if tiled:
                return self._choose(tiled, context, via_agency=False)
        former = self._former_name(stripped, context, year, via_agency)
        if former is not None:
            return former
        return RegionMatch("unknown", suggest=functools.partial(self.suggestions, stripped, context))

    def _from_hits(self, hits, key, context, year, via_agency) -> RegionMatch:
        exact = tuple(c for c, full in hits if full)
        codes = exact or tuple(c for c, _ in hits)
        if context and not any(self.within(c, s) for c in codes for s in context):
            # Nothing of that name in the file's region: a former name there (桥东区 of 邢台) comes first.
            former = self._former_name(key, context, year, via_agency, strict=True)
            if former is not None:
                return former
        return self._choose(codes, context, via_agency)

    def _choose(self, codes: tuple[str, ...], context: tuple[str, ...], via_agency: bool) -> RegionMatch:
        unique = tuple(dict.fromkeys(codes))
        if len(unique) == 1:
            return RegionMatch("ok", self.regions[unique[0]], via_agency=via_agency)
        for scope in context:
            inside = tuple(c for c in unique if self.within(c, scope))
            if len(inside) == 1:
                return RegionMatch("ok", self.regions[inside[0]], via_agency=via_agency)
            if inside:
                unique = inside
                break
        return RegionMatch("ambiguous", candidates=tuple(self.regions[c] for c in unique), via_agency=via_agency)

    def _contained(self, text: str, keys: dict[str, tuple[str, ...]] | None = None,
                   cover: bool = False) -> tuple[str, ...]:
        if keys is None:
            keys = self.contain_index
        spans: list[tuple[int, int, str]] = []
        n = len(text)
        for i in range(n - 1):
            for j in range(i + 2, min(n, i + self.max_key) + 1):
                hits = keys.get(text[i:j])
                if hits:
                    spans.extend((i, j, c) for c in hits)
        if not spans:
            return ()
        maximal = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0]
                                               for o in spans)]
        if cover:
            return self._tiled(spans, n)
        codes = set(dict.fromkeys(c for _, _, c in maximal))
        anchored = {c for c in codes if any(a in codes for a in self.ancestors[c])}
        pool = anchored or codes
        deepest = max(DEPTH[self.regions[c].level] for c in pool)
        return tuple(sorted(c for c in pool if DEPTH[self.regions[c].level] == deepest))

    def _tiled(self, spans: list[tuple[int, int, str]], n: int) -> tuple[str, ...]:
        """Units named one inside the other, end to end, covering the whole text (北京市 + 朝阳区; 宁夏 + 银川);
        白云 + 矿区 (two unrelated units) is no tiling."""
        by_start: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s0, s1, c in spans:
            by_start[s0][s1].append(c)
        found: set[str] = set()

        def walk(i: int, scope: tuple[str, ...], pieces: int) -> None:
            if i == n:
                if pieces >= 2:
                    found.update(scope)
                return
            for j, codes in by_start.get(i, {}).items():
                inside = tuple(c for c in codes if not scope or any(c != p and self.within(c, p) for p in scope))
                if inside:
                    walk(j, inside, pieces + 1)

        walk(0, (), 0)
        return tuple(sorted(found))

    # ------------------------------------------------------------------ codes and changes
    def _names_of(self, code: str) -> set[str]:
        r = self.regions[code]
        names = {_norm(x) for x in (r.name, r.short_name, *r.aliases)}
        for ch in self.changes_by_code.get(code, ()):  # a code kept through a rename (桥东区 -> 襄都区)
            names.add(_norm(ch.old_name))
        return names

    def _resolve_code(self, code: str, name: str, context, year) -> RegionMatch:
        if code in self.regions:
            region = self.regions[code]
            if not name:
                return RegionMatch("ok", region, reported_code=code)
            named = self._resolve_name(name, (code, *self.ancestors[code], *context), year)
            if named.status == "ok" and named.region.code == code:
                return RegionMatch("ok", region, via_agency=named.via_agency, reported_code=code,
                                   change=named.change)
            stripped = name
            for suffix in self.agency_suffixes:
                stripped = stripped.removesuffix(suffix)
            if stripped in self._names_of(code):
                return RegionMatch("ok", region, via_agency=stripped != name, reported_code=code)
            others = named.candidates or ((named.region,) if named.region else ())
            return RegionMatch("invalid", candidates=(region, *[o for o in others if o.code != code]),
                               problem="code_name_mismatch", reported_code=code)
        if code in self.changes_by_code:
            m = self._follow(self.changes_by_code[code], year)
            return RegionMatch(m.status, m.region, m.candidates, change=m.change, problem=m.problem,
                               reported_code=code)
        named = self._resolve_name(name, context, year) if name else RegionMatch("unknown")
        cands = named.candidates or ((named.region,) if named.region else ())
        return RegionMatch("invalid", candidates=cands, problem="code_unknown", reported_code=code)

    def _former_name(self, key, context, year, via_agency, strict: bool = False) -> RegionMatch | None:
        changes = self.changes_by_name.get(key)
        if not changes:
            return None
        if context:
            scoped = [ch for ch in changes if any(self._code_in_scope(ch.old_code, s) for s in context)]
            if scoped:
                changes = scoped
            elif strict:
                return None
        if len({ch.old_code for ch in changes}) > 1:
            cands = tuple({r.code: r for ch in changes for r in self._targets(ch)}.values())
            return RegionMatch("ambiguous", candidates=cands, via_agency=via_agency)
        m = self._follow(changes, year)
        return RegionMatch(m.status, m.region, m.candidates, via_agency, change=m.change, problem=m.problem)

    def _code_in_scope(self, code: str, scope: str) -> bool:
        """A former code lies in ``scope`` by its digits (province: 2, city: 4, county: all 6)."""
        if scope not in self.regions:
            return False
        width = {"province": 2, "city": 4}.get(self.regions[scope].level, 6)
        return code[:width] == scope[:width]

    def _targets(self, ch: RegionChange, depth: int = 0) -> tuple[Region, ...]:
        if ch.new_code in self.regions:
            return (self.regions[ch.new_code],)
        if depth > 10 or ch.new_code not in self.changes_by_code:
            return ()
        return tuple(r for nxt in self.changes_by_code[ch.new_code] for r in self._targets(nxt, depth + 1))

    def _follow(self, changes: list[RegionChange], year: int | None) -> RegionMatch:
        """Map a former unit to the current one when every step is one-to-one; else ``invalid``."""
        first = min(changes, key=lambda ch: ch.year)
        targets = tuple({r.code: r for ch in changes for r in self._targets(ch)}.values())
        kinds = set()
        stack, seen = list(changes), set()
        while stack:
            ch = stack.pop()
            if (ch.old_code, ch.new_code, ch.year) in seen:
                continue
            seen.add((ch.old_code, ch.new_code, ch.year))
            kinds.add(ch.kind)
            if ch.new_code not in self.regions:
                stack.extend(self.changes_by_code.get(ch.new_code, ()))
        if year is not None and first.year < year:
            return RegionMatch("invalid", candidates=targets, change=first, problem="abolished")
        if len(targets) == 1 and kinds <= ONE_TO_ONE_KINDS:
            return RegionMatch("ok", targets[0], change=first)
        return RegionMatch("invalid", candidates=targets, change=first, problem="not_one_to_one")


def parse_changes(rows: list[dict[str, str]], where: str) -> list[RegionChange]:
    """``region_changes.csv`` rows -> change records (``date`` starts with the year)."""
    from analysis.errors import CatalogError

    out: list[RegionChange] = []
    for i, row in enumerate(rows, start=2):
        kind = row.get("kind", "")
        date = row.get("date", "")
        if kind not in CHANGE_KINDS or not re.match(r"^(19|20)\d{2}", date) or not re.fullmatch(r"\d{6}",
                                                                                               row["old_code"]):
            raise CatalogError(f"{where} 第{i}行无效（旧代码应为6位数字，日期以年份开头，变更类型为 "
                               f"{'/'.join(sorted(CHANGE_KINDS))} 之一）", f"{where} line {i}: bad change row")
        out.append(RegionChange(row["old_code"], row.get("old_name", ""), row.get("new_code", ""),
                                row.get("new_name", ""), int(date[:4]), kind, row.get("document", "")))
    return out


