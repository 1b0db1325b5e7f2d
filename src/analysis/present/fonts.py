"""The bundled CJK font: Noto Sans CJK SC (SIL OFL 1.1) from the pip package ``manimgx-fonts-cjk``.

The package ships one *variable* CFF2 font collection (``NotoSansCJK-VF.otf.ttc``: JP, KR, SC, TC, HK).
matplotlib's FreeType cannot pick a weight in a variable font (it would draw the default, Thin), so the
first call builds two static, CFF-flavoured OpenType files from the SC face, Regular (wght 400) and
Bold (wght 700), and caches them:

- cache folder: ``$ENFORCEMENT_FONT_CACHE`` if set, else ``$XDG_CACHE_HOME/enforcement-analysis/fonts``,
  else ``~/.cache/enforcement-analysis/fonts``; if that folder cannot be written, a per-user folder
  under the system temp dir;
- file names carry the font package version and ``BUILD_VERSION``, so an upgrade rebuilds;
- written atomically (unique temp name + ``os.replace``) under a file lock, so parallel processes
  (e.g. notebooks run side by side) wait for one builder instead of clashing.

The static files cover Latin, Greek, Cyrillic, general punctuation and symbols, CJK symbols and
punctuation, kana, CJK Unified Ideographs (U+4E00-U+9FFF), Extension A, compatibility ideographs and
full-width forms. Hangul syllables and the supplementary planes are left out to keep the one-off build
short; those characters would fall back to another font.

Why not ``fontTools.varLib.instancer``? On this 65,535-glyph CFF2 font it takes about five minutes.
Instead each glyph is drawn through fontTools' variation-aware glyph set at the target location and
re-encoded as a static Type 2 charstring (blended outlines, HVAR-adjusted advance widths), spread over a
few worker processes. The builder runs in a child process (``python -m analysis.present.fonts build``) so that
calling code never needs an ``if __name__ == "__main__"`` guard.

The family is renamed ``Noto Sans CJK SC Report`` (OFL modified versions may be renamed; the reserved
name "Source" is not used), so a system-wide "Noto Sans CJK SC" can never shadow the bundled file.
Copyright, licence and licence-URL name records are kept in the font.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

FONT_FAMILY = "Noto Sans CJK SC Report"
"""Family name of the bundled static fonts, as matplotlib and the font's name table know it."""

CSS_FAMILY = "ReportCJK"
"""Default family name used in generated ``@font-face`` rules."""

BUILD_VERSION = 1
"""Bump when the build recipe changes, so caches rebuild."""

SC_FAMILY_IN_COLLECTION = "Noto Sans CJK SC"
_TTC_NAME = "NotoSansCJK-VF.otf.ttc"
_FONT_PACKAGE = "manimgx-fonts-cjk"

WEIGHTS: dict[str, int] = {"regular": 400, "bold": 700}
_STYLE_NAMES = {"regular": "Regular", "bold": "Bold"}

# Unicode ranges kept in the static fonts: [start, stop).
_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007F),  # Basic Latin
    (0x00A0, 0x0250),  # Latin-1 supplement, Latin extended A/B
    (0x02B0, 0x0300),  # spacing modifier letters
    (0x0370, 0x0500),  # Greek, Cyrillic
    (0x2000, 0x2C00),  # punctuation, super/subscripts, currency, letterlike, numbers, arrows, math, shapes
    (0x2E80, 0x2FE0),  # CJK radicals supplement, Kangxi radicals
    (0x3000, 0x3400),  # CJK symbols and punctuation, kana, bopomofo, enclosed CJK, CJK compatibility
    (0x3400, 0x4DC0),  # CJK Unified Ideographs Extension A
    (0x4E00, 0xA000),  # CJK Unified Ideographs
    (0xF900, 0xFB00),  # CJK compatibility ideographs
    (0xFE10, 0xFE20),  # vertical forms
    (0xFE30, 0xFE70),  # CJK compatibility forms, small form variants
    (0xFF00, 0xFFF0),  # half-width and full-width forms
)

# Always part of a web subset, whatever the text: printable ASCII and common Chinese punctuation.
COMMON_PUNCTUATION = (
    "\u3000，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·～％＋－＝／．０１２３４５６７８９￥°±×÷≤≥℃‰"
)
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))

_CSS_FAMILY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]{0,63}$")
_registered: set[str] = set()


# --------------------------------------------------------------------------- locating and caching


def source_font_path() -> Path:
    """Path of the variable TTC shipped by ``manimgx-fonts-cjk``."""
    import manimgx_fonts_cjk

    path = Path(manimgx_fonts_cjk.__file__).resolve().parent / _TTC_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{_TTC_NAME} not found in the manimgx-fonts-cjk package at {path.parent}")
    return path


def _package_version() -> str:
    try:
        return metadata.version(_FONT_PACKAGE)
    except metadata.PackageNotFoundError:  # pragma: no cover - depends on the install
        return "unknown"


def cache_dir() -> Path:
    """The font cache folder (created if needed); see the module docstring for the rules."""
    override = os.environ.get("ENFORCEMENT_FONT_CACHE")
    if override:
        candidates = [Path(override).expanduser()]
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
        candidates = [base / "enforcement-analysis" / "fonts"]
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        candidates.append(Path(tempfile.gettempdir()) / f"enforcement-analysis-fonts-{uid}")
    last_error: OSError | None = None
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError as err:
            last_error = err
    raise OSError(f"no writable font cache folder among {[str(c) for c in candidates]}: {last_error}")


def _cached_name(weight: str) -> str:
    version = re.sub(r"[^0-9A-Za-z.]+", "_", _package_version())
    return f"NotoSansCJKsc-Report-{_STYLE_NAMES[weight]}-{version}-b{BUILD_VERSION}.otf"


def _check_weight(weight: str) -> str:
    key = weight.lower()
    if key not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; expected one of {sorted(WEIGHTS)}")
    return key


def _is_valid_font_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return path.stat().st_size > 100_000 and fh.read(4) == b"OTTO"
    except OSError:
        return False


def cjk_font_path(weight: str = "regular") -> Path:
    """Path of the static bundled CJK font for ``weight`` ("regular" or "bold"), building it on first use.

    The first call on a machine builds both weights (tens of seconds, see the README); later calls
    return the cached file at once.
    """
    key = _check_weight(weight)
    folder = cache_dir()
    target = folder / _cached_name(key)
    if _is_valid_font_file(target):
        return target
    from filelock import FileLock

    with FileLock(str(folder / ".build.lock"), timeout=1800):
        missing = [w for w in WEIGHTS if not _is_valid_font_file(folder / _cached_name(w))]
        if missing:
            _remove_stale_temps(folder)
            _run_builder(missing, folder)
    if not _is_valid_font_file(target):
        raise RuntimeError(f"the bundled CJK font could not be built at {target}")
    return target


def _remove_stale_temps(folder: Path) -> None:
    """Delete temp files a killed builder left behind (only called while holding the build lock)."""
    for tmp in folder.glob(".NotoSansCJKsc-Report-*.tmp"):
        tmp.unlink(missing_ok=True)


def _run_builder(weights: list[str], folder: Path) -> None:
    """Build ``weights`` into ``folder`` in a child process (keeps worker pools out of the caller)."""
    cmd = [sys.executable, "-m", "analysis.present.fonts", "build", "--out-dir", str(folder), *weights]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout)[-2000:]
        raise RuntimeError(f"building the bundled CJK font failed (exit {proc.returncode}):\n{tail}")


# --------------------------------------------------------------------------- building


def _sc_index(ttc_path: Path) -> int:
    """Index of the Simplified Chinese face in the collection, found by its family name."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(ttc_path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == SC_FAMILY_IN_COLLECTION:
                return index
    finally:
        collection.close()
    raise LookupError(f"{SC_FAMILY_IN_COLLECTION!r} not found in {ttc_path}")


def _draw_chunk(args: tuple[str, int, int, list[str]]) -> list[tuple[str, int, list, tuple | None]]:
    """Worker: blend each glyph at ``wght``; return (name, advance, static charstring program, bounds)."""
    from fontTools.misc.roundTools import otRound
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.teePen import TeePen
    from fontTools.ttLib import TTFont

    ttc_path, index, wght, names = args
    font = TTFont(ttc_path, fontNumber=index, lazy=True)
    glyph_set = font.getGlyphSet(location={"wght": wght})
    out = []
    for name in names:
        glyph = glyph_set[name]
        advance = otRound(glyph.width)
        pen = T2CharStringPen(advance, glyph_set)
        bounds = BoundsPen(glyph_set)
        glyph.draw(TeePen(pen, bounds))
        box = tuple(otRound(v) for v in bounds.bounds) if bounds.bounds else None
        out.append((name, advance, pen.getCharString().program, box))
    font.close()
    return out


def build_static_font(weight: str, dest: Path, jobs: int | None = None) -> Path:
    """Build the static ``weight`` font from the variable SC face and write it atomically to ``dest``."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from fontTools.fontBuilder import FontBuilder
    from fontTools.misc.psCharStrings import T2CharString
    from fontTools.ttLib import TTFont

    key = _check_weight(weight)
    wght = WEIGHTS[key]
    style = _STYLE_NAMES[key]
    ttc = source_font_path()
    index = _sc_index(ttc)
    src = TTFont(str(ttc), fontNumber=index, lazy=True)
    full_order = src.getGlyphOrder()
    cmap = {cp: name for cp, name in src.getBestCmap().items() if any(a <= cp < b for a, b in _RANGES)}
    wanted = set(cmap.values())
    wanted.add(full_order[0])
    order = [name for name in full_order if name in wanted]  # keep the original glyph order, .notdef first

    jobs = jobs or int(os.environ.get("ENFORCEMENT_FONT_JOBS", "0")) or min(os.cpu_count() or 1, 4)
    n_chunks = max(1, jobs * 4)
    chunks = [order[i::n_chunks] for i in range(n_chunks)]
    tasks = [(str(ttc), index, wght, chunk) for chunk in chunks if chunk]
    if jobs > 1 and "fork" in _start_methods():
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            results = list(pool.map(_draw_chunk, tasks))
    else:
        results = [_draw_chunk(task) for task in tasks]

    charstrings: dict[str, T2CharString] = {}
    metrics: dict[str, tuple[int, int]] = {}
    boxes: dict[str, tuple[int, int, int, int]] = {}
    for chunk_result in results:
        for name, advance, program, box in chunk_result:
            charstrings[name] = T2CharString(program=program)
            metrics[name] = (advance, box[0] if box else 0)
            if box:
                boxes[name] = box

    src_os2 = src["OS/2"]
    src_hhea = src["hhea"]
    src_name = src["name"]
    ps_name = f"NotoSansCJKscReport-{style}"
    version = f"Version {src['head'].fontRevision:.3f}; static {style} instance built by enforcement-analysis"

    fb = FontBuilder(src["head"].unitsPerEm, isTTF=False)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(cmap)
    fb.setupCFF(
        ps_name,
        {"FullName": f"{FONT_FAMILY} {style}", "FamilyName": FONT_FAMILY, "Weight": style},
        charstrings,
        {},
    )
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=src_hhea.ascent, descent=src_hhea.descent, lineGap=src_hhea.lineGap)
    names = {
        "copyright": src_name.getDebugName(0),
        "familyName": FONT_FAMILY,
        "styleName": style,
        "uniqueFontIdentifier": f"{ps_name};{_package_version()};b{BUILD_VERSION}",
        "fullName": f"{FONT_FAMILY} {style}",
        "psName": ps_name,
        "version": version,
        "licenseDescription": src_name.getDebugName(13),
        "licenseInfoURL": src_name.getDebugName(14),
        "manufacturer": src_name.getDebugName(8),
    }
    fb.setupNameTable({k: v for k, v in names.items() if v})
    fb.setupOS2(
        usWeightClass=wght,
        fsSelection=(1 << 5) if key == "bold" else (1 << 6),  # BOLD or REGULAR
        achVendID=src_os2.achVendID,
        sTypoAscender=src_os2.sTypoAscender,
        sTypoDescender=src_os2.sTypoDescender,
        sTypoLineGap=src_os2.sTypoLineGap,
        usWinAscent=src_os2.usWinAscent,
        usWinDescent=src_os2.usWinDescent,
        sxHeight=src_os2.sxHeight,
        sCapHeight=src_os2.sCapHeight,
        ulUnicodeRange1=src_os2.ulUnicodeRange1,
        ulUnicodeRange2=src_os2.ulUnicodeRange2,
        ulUnicodeRange3=src_os2.ulUnicodeRange3,
        ulUnicodeRange4=src_os2.ulUnicodeRange4,
        ulCodePageRange1=src_os2.ulCodePageRange1,
        ulCodePageRange2=src_os2.ulCodePageRange2,
        fsType=0,
    )
    fb.setupPost(keepGlyphNames=False)
    fb.font["head"].macStyle = 1 if key == "bold" else 0
    _set_bounds(fb.font, metrics, boxes)
    src.close()
    _atomic_save(fb.font, dest)
    return dest


def _set_bounds(font, metrics: dict[str, tuple[int, int]], boxes: dict[str, tuple[int, int, int, int]]) -> None:
    """Fill head/hhea/CFF bounding boxes from the bounds the workers measured.

    fontTools would otherwise re-run every charstring twice at save time (hhea and CFF FontBBox).
    """
    x_min = min(b[0] for b in boxes.values())
    y_min = min(b[1] for b in boxes.values())
    x_max = max(b[2] for b in boxes.values())
    y_max = max(b[3] for b in boxes.values())
    font.recalcBBoxes = False
    head = font["head"]
    head.xMin, head.yMin, head.xMax, head.yMax = x_min, y_min, x_max, y_max
    hhea = font["hhea"]
    hhea.advanceWidthMax = max(adv for adv, _ in metrics.values())
    hhea.minLeftSideBearing = min(b[0] for b in boxes.values())
    hhea.minRightSideBearing = min(metrics[name][0] - b[2] for name, b in boxes.items())
    hhea.xMaxExtent = max(b[2] for b in boxes.values())
    font["CFF "].cff.topDictIndex[0].FontBBox = [x_min, y_min, x_max, y_max]


def _start_methods() -> list[str]:
    from multiprocessing import get_all_start_methods

    return get_all_start_methods()


def _atomic_save(font, dest: Path) -> None:
    from analysis.atomic import atomic_path

    with atomic_path(dest) as tmp:
        font.save(tmp)
        os.chmod(tmp, 0o644)


# --------------------------------------------------------------------------- matplotlib


def use_house_font() -> str:
    """Register the bundled Regular and Bold with matplotlib and make them the default sans-serif.

    Sets ``font.family`` to sans-serif with the bundled family first in ``font.sans-serif`` and
    ``axes.unicode_minus=False``. Idempotent. Returns the family name.
    """
    import matplotlib
    from matplotlib import font_manager

    for weight in WEIGHTS:
        path = str(cjk_font_path(weight))
        if path not in _registered:
            font_manager.fontManager.addfont(path)
            _registered.add(path)
    rc = matplotlib.rcParams
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = [FONT_FAMILY, *[f for f in rc["font.sans-serif"] if f != FONT_FAMILY]]
    rc["axes.unicode_minus"] = False
    return FONT_FAMILY


# --------------------------------------------------------------------------- web subsets


def subset_characters(text: str) -> str:
    """The characters a subset for ``text`` covers: those of ``text`` plus ASCII and common punctuation."""
    chars = set(text) | set(_ASCII) | set(COMMON_PUNCTUATION)
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u3000"))


@functools.lru_cache(maxsize=16)
def subset_font_bytes(text: str, weight: str = "regular") -> bytes:
    """A WOFF2 subset of the bundled font covering the characters of ``text`` plus ASCII and punctuation.

    Characters the font lacks are skipped silently (the browser falls back for them). Results are
    cached in memory and on disk (``<cache>/subsets/``, keyed by the character set and the font file).
    """
    key = _check_weight(weight)
    chars = subset_characters(text)
    font_path = cjk_font_path(key)
    digest = hashlib.sha256(f"{font_path.name}\n{chars}".encode()).hexdigest()[:32]
    cached = cache_dir() / "subsets" / f"{digest}.woff2"
    try:
        data = cached.read_bytes()
        if data[:4] == b"wOF2":
            return data
    except OSError:
        pass
    data = _make_subset(font_path, chars)
    from analysis.atomic import atomic_write_bytes
    from analysis.errors import OutputError

    with contextlib.suppress(OSError, OutputError):  # a read-only cache only costs speed
        atomic_write_bytes(cached, data)
    return data


def _make_subset(font_path: Path, chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.recalc_bounds = False  # re-running every charstring for exact bounds costs seconds, gains nothing
    font = TTFont(str(font_path), lazy=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        font.recalcBBoxes = False
        font.flavor = "woff2"
        buf = io.BytesIO()
        font.save(buf)
        return buf.getvalue()
    finally:
        font.close()


def font_face_css(text: str, family: str = CSS_FAMILY, weight: str = "regular") -> str:
    """A CSS ``@font-face`` rule for ``family`` whose ``src`` is an inline base64 WOFF2 subset for ``text``.

    Use it once per weight, e.g. ``font_face_css(t) + font_face_css(t, weight="bold")``, and set
    ``font-family: "ReportCJK", sans-serif`` on the page. ``family`` must be a plain name (letters,
    digits, space, ``_``, ``-``) so it can never break out of the CSS string.
    """
    if not _CSS_FAMILY_RE.match(family):
        raise ValueError(f"unsafe CSS font family name {family!r}")
    key = _check_weight(weight)
    data = base64.b64encode(subset_font_bytes(text, key)).decode("ascii")
    return (
        "@font-face {"
        f' font-family: "{family}";'
        f' src: url("data:font/woff2;base64,{data}") format("woff2");'
        f" font-weight: {WEIGHTS[key]}; font-style: normal; font-display: block;"
        " }"
    )


# --------------------------------------------------------------------------- command line (builder)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.present.fonts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the static fonts into a folder")
    build.add_argument("--out-dir", type=Path, default=None)
    build.add_argument("--jobs", type=int, default=None)
    build.add_argument("weights", nargs="*", default=list(WEIGHTS))
    sub.add_parser("path", help="print the cached font paths (building them if needed)")
    args = parser.parse_args(argv)
    if args.command == "path":
        if not all((cache_dir() / _cached_name(w)).is_file() for w in WEIGHTS):
            print(
                "首次使用：正在生成内置中文字体，约需一至两分钟，仅此一次…"
                " | first use: building the bundled CJK font once (about 1-2 minutes)…",
                file=sys.stderr,
                flush=True,
            )
        for weight in WEIGHTS:
            print(cjk_font_path(weight))
        return 0
    folder = args.out_dir or cache_dir()
    for weight in args.weights:
        start = time.perf_counter()
        dest = build_static_font(weight, folder / _cached_name(_check_weight(weight)), jobs=args.jobs)
        print(f"{dest} built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
