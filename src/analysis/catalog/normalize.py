"""Text normalisation for header names, region names and units (the keys every catalogue lookup uses).

Pure functions that never raise on user data; the unit vocabulary comes from ``units.csv``
(:mod:`analysis.catalog.units`).

``normalize_text(s)``
    For header names and region names. Steps, repeated until the text stops changing
    (at most a few rounds, so the result is a fixed point and the function is idempotent):
    Unicode NFKC (full-width digits, letters and brackets become half-width, CJK
    compatibility ideographs become unified ones), OpenCC ``t2s`` (traditional ->
    simplified, one cached converter), removal of *all* whitespace (including U+3000 and
    NBSP), of control and format characters (C0, C1, zero-width space, BOM, ...) and of
    lone surrogates, and unification of dash variants (‐ ‑ ‒ – — ― − ﹣ －) to ``-``.

``normalize_header(s) -> HeaderText(name, unit)``
    ``normalize_text`` plus: leading numbering (``1.``, ``1、``, ``一、``, ``(一)``, ``（1）``)
    and trailing footnote marks (``*``, ``※``) are stripped; a bracketed unit
    (``(万元)``, ``[元]``, ``【起】``, ``(单位:万元)``) or a ``单位:`` suffix is split off and
    normalised (see :func:`normalize_unit`). Bracket content that is not a known unit stays in
    the name (``行政处罚(一般程序)``). The name is idempotent: normalising it again gives it back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from analysis.catalog.units import UNIT_ALIASES, UNITS

__all__ = ["DASHES", "HeaderText", "normalize_header", "normalize_text", "normalize_unit"]

#: Dash variants unified to ``-`` in names (values treat a run of them as a missing mark).
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2e3a\u2e3b"
_DASHES = DASHES

@lru_cache(maxsize=1)
def _opencc():
    """The one cached OpenCC t2s converter (``None`` when OpenCC cannot load)."""
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - the dependency is declared; stay usable without it
        return None


def _t2s(text: str) -> str:
    if not text or text.isascii():
        return text
    conv = _opencc()
    if conv is None:  # pragma: no cover
        return text
    try:
        out = conv.convert(text)
    except Exception:  # pragma: no cover - OpenCC must never take the pipeline down
        return text
    return out if isinstance(out, str) else text


_DASH_TABLE = {ord(ch): "-" for ch in _DASHES}


def _drop_char(ch: str) -> bool:
    if ch.isspace():
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")


def _strip_invisible(text: str) -> str:
    return "".join(ch for ch in text if not _drop_char(ch))


@lru_cache(maxsize=65536)
def _normalize_text_cached(text: str) -> str:
    for _ in range(6):
        out = unicodedata.normalize("NFKC", _strip_invisible(text))
        out = _strip_invisible(_t2s(out)).translate(_DASH_TABLE)
        if out == text:
            break
        text = out
    return text


def normalize_text(s: object) -> str:
    """Normalise a header or region name; ``None`` -> ``""``; never raises."""
    if s is None:
        return ""
    if isinstance(s, bytes | bytearray):
        s = bytes(s).decode("utf-8", errors="replace")
    if not isinstance(s, str):
        try:
            s = str(s)
        except Exception:
            return ""
    if len(s) > 4096:  # not cached: a header/region name is never this long
        out = s
        for _ in range(6):
            new = unicodedata.normalize("NFKC", _strip_invisible(out))
            new = _strip_invisible(_t2s(new)).translate(_DASH_TABLE)
            if new == out:
                break
            out = new
        return out
    return _normalize_text_cached(s)


@dataclass(frozen=True)
class HeaderText:
    """A normalised header: the indicator text and the unit found in it (if any)."""

    name: str
    unit: str | None


_UNIT_SET = frozenset(UNITS)


def normalize_unit(s: object) -> str | None:
    """Canonical unit for a unit text (``（萬元）`` -> ``万元``, ``单位:元`` -> ``元``), else ``None``."""
    t = normalize_text(s)
    t = re.sub(r"^单位[:：]?", "", t)
    t = t.strip("()[]【】〔〕{}<>")
    if not t:
        return None
    if t in _UNIT_SET:
        return t
    return UNIT_ALIASES.get(t)


_OPEN = "([【〔{〈《<"
_CLOSE = ")]】〕}〉》>"
_BRACKET_RE = re.compile(r"[(\[【〔{〈《<]([^()\[\]【】〔〕{}〈〉《》<>]*)[)\]】〕}〉》>]")
_NUMBERING_RES = (
    re.compile(r"^[(\[【〔]?[0-9一二三四五六七八九十百]+[)\]】〕](?=.)"),  # (一) （1） 1)
    re.compile(r"^[0-9]{1,3}[.、](?![0-9])(?=.)"),  # 1. 1、  (not 1.2)
    re.compile(r"^[一二三四五六七八九十百]+[、.](?=.)"),  # 一、
    re.compile(r"^[①-⑳⑴-⒇⒈-⒛]"),  # circled numbers (already digits after NFKC mostly)
)
_FOOTNOTE_RE = re.compile(r"[*※]+$")
_UNIT_SUFFIX_RE = re.compile(r"^(.*?)[,;:：，；]?单位[:：]?(.+)$")


def _header_step(name: str) -> tuple[str, str | None]:
    unit: str | None = None
    # trailing footnote marks
    name = _FOOTNOTE_RE.sub("", name) or name
    # bracketed units (every bracket group whose content is a unit is removed; first one wins)
    pieces: list[str] = []
    pos = 0
    for m in _BRACKET_RE.finditer(name):
        u = normalize_unit(m.group(1))
        if u is not None:
            if unit is None:
                unit = u
            pieces.append(name[pos : m.start()])
            pos = m.end()
    if pieces:
        pieces.append(name[pos:])
        name = "".join(pieces)
    # "单位:万元" suffix
    m = _UNIT_SUFFIX_RE.match(name)
    if m:
        u = normalize_unit(m.group(2))
        if u is not None:
            unit = unit or u
            name = m.group(1)
    # leading numbering
    for rx in _NUMBERING_RES:
        new = rx.sub("", name, count=1)
        if new != name and new:
            name = new
            break
    return name, unit


def normalize_header(s: object) -> HeaderText:
    """Split a header cell into a normalised name and its unit; never raises."""
    name = normalize_text(s)
    unit: str | None = None
    for _ in range(12):
        new, u = _header_step(name)
        new = normalize_text(new)
        if unit is None:
            unit = u
        if new == name:
            break
        name = new
    return HeaderText(name, unit)

