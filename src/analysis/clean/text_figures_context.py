"""What a letter says about itself: its paragraphs as sentences, its year, its agency and the places it names.

- Paragraphs that do not end a sentence run on into the next one (hard-wrapped lines of a letter copied
  out of a PDF), so a phrase or a number is never cut in two; a run keeps the locations of its first and
  last pieces (``P3-P5``).
- The year comes, in the order used for tables, from the manifest, the text (the title's ``2024年度``, or
  ``今年`` resolved against the letter's dateline), the file name and the folder name
  (:func:`letter_year_sources`).
- The agency and its region come from the title, else from the signature lines at the end
  (宁夏回族自治区自然资源厅 -> 640000). A place named in a clause or sentence (固原市 -> 640400) overrides it
  (:class:`PlaceFinder`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from analysis.catalog import Catalog, Region
from analysis.clean.extract import single_year
from analysis.clean.text_figures_numbers import fold

RUN_ON_END = tuple("。！？；：!?;:」』”）)")
_DATELINE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_THIS_YEAR = ("今年", "本年度", "本年")
DEPTH = {"province": 0, "city": 1, "county": 2}


@dataclass
class Block:
    """A logical paragraph: consecutive raw paragraphs joined until one ends a sentence."""

    location: str
    text: str


def loc_text(p) -> tuple[str, str]:
    if isinstance(p, tuple):
        return str(p[0]), str(p[1] or "")
    return str(getattr(p, "location", "")), str(getattr(p, "text", "") or "")


def logical_blocks(paragraphs) -> list[Block]:
    """Join paragraphs (``Paragraph`` objects or ``(location, text)`` pairs) that run on."""
    out: list[Block] = []
    first = last = ""
    buf = ""
    for p in paragraphs:
        loc, text = loc_text(p)
        text = text.strip()
        if not text:
            continue
        if not buf:
            first = loc
        last = loc
        buf += text
        if text.endswith(RUN_ON_END):
            out.append(Block(first if first == last else f"{first}-{last}", buf))
            buf = ""
    if buf:
        out.append(Block(first if first == last else f"{first}-{last}", buf))
    return out


def dateline(blocks: list[Block]) -> tuple[int, int, int] | None:
    """The letter's date: the last 年月日 date in its last five blocks."""
    for b in reversed(blocks[-5:]):
        hits = list(_DATELINE_RE.finditer(fold(b.text)))
        if hits:
            y, m, d = (int(g) for g in hits[-1].groups())
            return y, m, d
    return None


def title_text(blocks: list[Block]) -> str:
    """The title: the first block (a title run on into the salutation stays one block)."""
    return blocks[0].text if blocks else ""


def letter_year_sources(rel_path: str, blocks: list[Block], manifest_year: int | None,
                        first_paragraph: str = "") -> list[tuple[str, str, int]]:
    """(source key, Chinese label, year) in precedence order: manifest, text (the first paragraph, else the
    first logical block), file, folder."""
    out: list[tuple[str, str, int]] = []
    if manifest_year is not None:
        out.append(("manifest", "清单 manifest.csv", manifest_year))
    y = None
    for title in (first_paragraph, title_text(blocks)):  # a title with no full stop runs on into the text
        y = single_year(fold(title)) if title else None
        if y is not None:
            break
    if y is not None:
        out.append(("title", "标题", y))
    else:
        date = dateline(blocks)
        if date is not None and any(w in b.text for b in blocks for w in _THIS_YEAR):
            out.append(("this_year", f"正文“今年”（落款日期{date[0]}年{date[1]}月{date[2]}日）", date[0]))
    p = PurePosixPath(rel_path)
    y = single_year(p.stem)
    if y is not None:
        out.append(("file", "文件名", y))
    for folder in reversed(p.parts[:-1]):
        y = single_year(folder)
        if y is not None:
            out.append(("folder", "文件夹名", y))
            break
    return out


class PlaceFinder:
    """Finds the regions named in a text by full name or catalogue alias (never by a bare short name:
    贺兰山 is no 贺兰县). A name several regions share (朝阳区) counts only inside ``within`` (the letter's
    own province), else not at all."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        names: dict[str, list[str]] = {}
        for r in catalog.regions.values():
            for n in (r.name, *r.aliases):
                if len(n) >= 2 and r.code not in names.setdefault(fold(n), []):
                    names[fold(n)].append(r.code)
        ordered = sorted(names, key=lambda n: (-len(n), n))
        self._rx = re.compile("|".join(re.escape(n) for n in ordered)) if ordered else None
        self._codes = {n: tuple(c) for n, c in names.items()}
        self.within = ""

    def province(self, code: str) -> str:
        seen = set()
        while code in self.catalog.regions and self.catalog.regions[code].parent_code and code not in seen:
            seen.add(code)
            code = self.catalog.regions[code].parent_code
        return code

    def found(self, text: str) -> list[tuple[int, int, Region]]:
        if self._rx is None:
            return []
        out = []
        for m in self._rx.finditer(fold(text)):
            codes = self._codes[m.group()]
            if len(codes) > 1 and self.within:
                codes = tuple(c for c in codes if self.province(c) == self.within)
            if len(codes) == 1:
                out.append((m.start(), m.end(), self.catalog.regions[codes[0]]))
        return out

    def single(self, text: str) -> tuple[Region | None, int]:
        """(the one deepest region named, number of distinct deepest regions): several -> (None, n)."""
        regions = {r.code: r for _, _, r in self.found(text)}
        if not regions:
            return None, 0
        deepest = max(DEPTH.get(r.level, 0) for r in regions.values())
        top = [r for r in regions.values() if DEPTH.get(r.level, 0) == deepest]
        # A county named with its own city (石嘴山市大武口区) is one place.
        return (top[0], 1) if len(top) == 1 else (None, len(top))

    def agency(self, text: str, suffixes: tuple[str, ...]) -> tuple[str, Region | None]:
        """The agency named in ``text`` (a region name or alias followed by an agency suffix, or an alias
        that is itself an agency name) and its region; the longest such name wins."""
        folded = fold(text)
        best: tuple[str, Region | None] = ("", None)
        for start, end, region in self.found(text):
            name = folded[start:end]
            for suf in suffixes:
                if folded.startswith(suf, end):
                    name = folded[start:end + len(suf)]
                    break
            if (name != folded[start:end] or name.endswith(("厅", "局"))) and len(name) > len(best[0]):
                best = (text[start:start + len(name)], region)
        return best


def letter_agency(blocks: list[Block], places: PlaceFinder, suffixes: tuple[str, ...]) -> tuple[str, Region | None]:
    """Agency and region from the title, else from the signature (the last blocks)."""
    places.within = ""
    name, region = places.agency(title_text(blocks), suffixes)
    tail_name, tail_region = "", None
    for b in reversed(blocks[-6:]):
        n, r = places.agency(b.text, suffixes)
        if r is not None and len(n) > len(tail_name):
            tail_name, tail_region = n, r
    if region is None:
        name, region = tail_name, tail_region
    elif tail_region is not None and tail_region.code == region.code and len(tail_name) > len(name):
        name = tail_name  # the signature spells the full name
    places.within = places.province(region.code) if region is not None else ""
    return name, region
