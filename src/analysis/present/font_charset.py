"""Which characters the static bundled fonts cover (see :mod:`analysis.present.fonts`).

The static Regular and Bold files cover, by design:

- GB 2312 (all 7,445 characters: 6,763 hanzi plus symbols, kana, Greek, Cyrillic, full-width forms);
- printable ASCII, Latin-1 and a few symbol blocks (general punctuation, letterlike symbols, number forms,
  arrows, mathematical operators, enclosed numbers, box drawing, geometric shapes, CJK symbols and
  punctuation, half- and full-width forms);
- every character of the packaged catalogues (``analysis/catalog/data/**/*.csv``: all region names, indicator
  names, finding templates) and of the report templates (``analysis/present/narrative/**/*.yaml`` and
  ``analysis/report/templates/**``). GB 2312 alone misses real place names such as 硚口区, 埇桥区, 浉河区,
  猇亭区, 鄠邑区 and 瀍河区, so the set is computed from those files whenever a process first needs it.

The set's hash is part of the cached file names, so a catalogue or template that brings a new character
rebuilds the fonts. The template folders are *read* (files, not imports), so this module keeps the layer rule.
Any other character (a rare name in a case record) falls back to the full variable font; see
``fonts.uncovered`` and ``fonts.warn_uncovered``.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""``src/analysis`` (the installed package folder)."""

# (folder relative to the package, glob) pairs whose files' characters the static fonts must cover.
TEXT_SOURCES: tuple[tuple[str, str], ...] = (
    ("catalog/data", "**/*.csv"),
    ("present/narrative", "**/*.yaml"),
    ("present/narrative", "**/*.yml"),
    ("report/templates", "**/*"),
)

# Unicode blocks always kept, [start, stop): small, and what numbers, units and symbols in a report use.
FIXED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007F),  # Basic Latin
    (0x00A0, 0x0100),  # Latin-1 supplement
    (0x2000, 0x2070),  # general punctuation
    (0x2100, 0x2190),  # letterlike symbols, number forms (Ⅰ Ⅱ)
    (0x2190, 0x2300),  # arrows, mathematical operators
    (0x2460, 0x2500),  # enclosed alphanumerics (①)
    (0x2500, 0x2600),  # box drawing, block elements, geometric shapes
    (0x3000, 0x3040),  # CJK symbols and punctuation
    (0xFF00, 0xFFF0),  # half-width and full-width forms
)


def gb2312_characters() -> frozenset[str]:
    """Every character encoded by GB 2312 (EUC-CN rows 0xA1-0xF7, cells 0xA1-0xFE), decoded by Python's codec."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def source_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The packaged text files (catalogues, templates) whose characters the static fonts must cover."""
    found: set[Path] = set()
    for folder, pattern in TEXT_SOURCES:
        base = root / folder
        if base.is_dir():
            found.update(p for p in base.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return sorted(found)


def _file_characters(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):  # a binary or unreadable file has no text to cover
        return set()
    return {c for c in text if c.isprintable() and ord(c) >= 0x80}


def _normalise(chars: set[str] | frozenset[str]) -> str:
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u3000"))


@functools.lru_cache(maxsize=4)
def static_characters(root: Path = PACKAGE_ROOT) -> str:
    """The sorted characters the static fonts are built for (before dropping those the source font lacks)."""
    chars: set[str] = set(gb2312_characters())
    for start, stop in FIXED_RANGES:
        chars.update(chr(c) for c in range(start, stop))
    for path in source_files(root):
        chars |= _file_characters(path)
    return _normalise(chars)


def charset_digest(chars: str) -> str:
    """Short, stable hash of a character set (part of the cached font file names)."""
    return hashlib.sha256(chars.encode("utf-8")).hexdigest()[:12]
