"""The bundled CJK font: Noto Sans SC (SIL OFL 1.1) from the pip package ``justmytype-intl-cjk``.

The package ships the variable TrueType font ``NotoSansSC[wght].ttf``. matplotlib's FreeType cannot pick a
weight in a variable font (it would draw the default, Thin), so the first call builds two static TrueType
files, Regular (wght 400) and Bold (wght 700), family ``Noto Sans SC Report`` (renamed, so a system-wide
"Noto Sans SC" can never shadow them), and caches them. The recipe is in :mod:`analysis.present.font_build`
(subset first, then ``fontTools.varLib.instancer``, the two weights in parallel: about 5-10 s on 2 cores);
the characters covered are in :mod:`analysis.present.font_charset` (GB 2312, every character of the packaged
catalogues and report templates, and the symbol blocks a report uses).

- cache folder: ``$ENFORCEMENT_FONT_CACHE`` if set, else ``$XDG_CACHE_HOME/enforcement-analysis/fonts``,
  else ``~/.cache/enforcement-analysis/fonts``; if that folder cannot be written, a per-user folder
  under the system temp dir;
- file names carry the font package version, ``BUILD_VERSION`` and the hash of the character set, so an
  upgrade or a catalogue with a new character rebuilds;
- built in a child process (``python -m analysis.present.fonts build``, so calling code never needs an
  ``if __name__ == "__main__"`` guard) under a file lock, so parallel processes wait for one builder; files
  are written through :mod:`analysis.atomic` (``.tmp-<pid>-<token>-<name>`` + ``os.replace``), and the next
  builder removes the temp files of a killed one.

A character outside the static fonts (a rare name in a case record) is never a blank box: matplotlib falls
back to the full variable font (drawn at its default weight), and :func:`font_face_css` adds a third
``@font-face`` with a variable subset for just those characters (``unicode-range``), so the browser draws
them at the right weight. Each such character is reported once as a :class:`FontCoverageWarning`
(:func:`warn_uncovered`, :func:`warn_uncovered_in_figure`).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import io
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

from analysis.present.font_build import FONT_FAMILY, SOURCE_PACKAGE, STYLE_NAMES, WEIGHTS, source_font_path
from analysis.present.font_charset import charset_digest, static_characters

__all__ = [
    "BUILD_VERSION", "CSS_FAMILY", "FONT_FAMILY", "FontCoverageWarning", "WEIGHTS", "cache_dir", "cjk_font_path",
    "font_face_css", "source_font_path", "subset_font_bytes", "uncovered", "use_house_font", "warn_uncovered",
    "warn_uncovered_in_figure",
]

CSS_FAMILY = "ReportCJK"
"""Default family name used in generated ``@font-face`` rules."""

BUILD_VERSION = 2
"""Bump when the build recipe changes, so caches rebuild (1: CFF2 collection, hand-written instancer)."""

_FILE_PREFIX = "NotoSansSC-Report-"
_LEGACY_PREFIXES = ("NotoSansCJKsc-Report-",)  # files of BUILD_VERSION 1, removed once superseded
_SUPERSEDED_AGE_S = 24 * 3600  # a superseded build is kept this long for processes that may still use it
_SUBSET_TEMP_AGE_S = 3600  # a subset temp file this old belongs to a killed process (a write takes < 1 s)

# Always part of a web subset, whatever the text: printable ASCII and common Chinese punctuation.
COMMON_PUNCTUATION = (
    "\u3000，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·～％＋－＝／．０１２３４５６７８９￥°±×÷≤≥℃‰"
)
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))

# ``font-weight`` descriptor of each static face in the CSS. The Bold face serves 500-900: JupyterLab's
# stylesheet (nbconvert's ``lab`` template) sets headings to 500, which a face declared only at 700 would
# leave to the Regular face (CSS font matching rounds 500 down to 400); measured in Chromium.
CSS_WEIGHTS: dict[str, str] = {"regular": "400", "bold": "500 900"}

_CSS_FAMILY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]{0,63}$")
_registered: set[str] = set()
_reported: set[str] = set()


class FontCoverageWarning(UserWarning):
    """Characters outside the static report fonts were drawn with the fallback font."""


# --------------------------------------------------------------------------- locating and caching


def _package_version() -> str:
    try:
        return metadata.version(SOURCE_PACKAGE)
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


def _build_tag() -> str:
    return f"b{BUILD_VERSION}-{charset_digest(static_characters())}"


def _cached_name(weight: str) -> str:
    version = re.sub(r"[^0-9A-Za-z.]+", "_", _package_version())
    return f"{_FILE_PREFIX}{STYLE_NAMES[weight]}-{version}-{_build_tag()}.ttf"


def _check_weight(weight: str) -> str:
    key = weight.lower()
    if key not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; expected one of {sorted(WEIGHTS)}")
    return key


def _is_valid_font_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return path.stat().st_size > 100_000 and fh.read(4) in (b"\x00\x01\x00\x00", b"true")
    except OSError:
        return False


def cjk_font_path(weight: str = "regular") -> Path:
    """Path of the static bundled CJK font for ``weight`` ("regular" or "bold"), building it on first use.

    The first call on a machine builds both weights (5-10 s, see the README); later calls return the
    cached file at once.
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
            _remove_superseded(folder)
    if not _is_valid_font_file(target):
        raise RuntimeError(f"the bundled CJK font could not be built at {target}")
    return target


def _remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temp files a killed builder left behind; only called while holding the build lock.

    The builder writes through ``analysis.atomic`` (``.tmp-<pid>-<token>-<final name>``), and only a builder
    holding the lock writes font files, so every such temp file in ``folder`` is dead. Subset temp files
    (written without the lock) are removed only when they are clearly abandoned.
    """
    from analysis.atomic import TEMP_PREFIX

    removed = []
    dead = [*folder.glob(f"{TEMP_PREFIX}*-{_FILE_PREFIX}*"), *folder.glob(f".{_LEGACY_PREFIXES[0]}*.tmp")]
    cutoff = time.time() - _SUBSET_TEMP_AGE_S
    for tmp in (folder / "subsets").glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                dead.append(tmp)
    for tmp in dead:
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _remove_superseded(folder: Path) -> None:
    """Delete font builds of other versions or character sets, once no process is likely to use them."""
    current = {_cached_name(w) for w in WEIGHTS}
    cutoff = time.time() - _SUPERSEDED_AGE_S
    for prefix in (_FILE_PREFIX, *_LEGACY_PREFIXES):
        for path in folder.glob(f"{prefix}*"):
            with contextlib.suppress(OSError):
                if path.name not in current and path.stat().st_mtime < cutoff:
                    path.unlink()


def _run_builder(weights: list[str], folder: Path) -> None:
    """Build ``weights`` into ``folder`` in a child process (keeps the forked worker out of the caller)."""
    cmd = [sys.executable, "-m", "analysis.present.fonts", "build", "--out-dir", str(folder), *weights]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout)[-2000:]
        raise RuntimeError(f"building the bundled CJK font failed (exit {proc.returncode}):\n{tail}")


def build_into(folder: Path, weights: list[str] | None = None, jobs: int | None = None) -> dict[str, Path]:
    """Build the static fonts for ``weights`` (default: all) into ``folder`` now, in this process.

    It forks one worker for the second weight, so call it from a process without threads, as the ``build``
    command does; library code goes through :func:`cjk_font_path`, which runs that command.
    """
    from analysis.present.font_build import build_static_fonts

    keys = [_check_weight(w) for w in (weights or list(WEIGHTS))]
    targets = {w: Path(folder) / _cached_name(w) for w in keys}
    return build_static_fonts(targets, static_characters(), _package_version(), _build_tag(), jobs=jobs)


# --------------------------------------------------------------------------- coverage and fallback


@functools.lru_cache(maxsize=4)
def _cmap_of(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _static_cmap() -> frozenset[int]:
    return _cmap_of(str(cjk_font_path("regular")))


def _fallback_cmap() -> frozenset[int]:
    return _cmap_of(str(source_font_path()))


def uncovered(text: str) -> str:
    """The sorted distinct visible characters of ``text`` that the static fonts lack."""
    cmap = _static_cmap()
    return "".join(sorted({c for c in text if not c.isspace() and c.isprintable() and ord(c) not in cmap}))


def _coverage_message(chars: str) -> str:
    in_fallback = _fallback_cmap()
    by_fallback = "".join(c for c in chars if ord(c) in in_fallback)
    by_system = "".join(c for c in chars if ord(c) not in in_fallback)
    parts = []
    if by_fallback:
        parts.append(f"以完整字体显示 / drawn with the full variable font: {by_fallback}")
    if by_system:
        parts.append(f"内置字体均无此字，由系统字体显示 / in no bundled font, left to the system fonts: {by_system}")
    return "内置报告字体未收录以下字符 / characters outside the static report fonts — " + "; ".join(parts)


def warn_uncovered(text: str) -> str:
    """Warn (:class:`FontCoverageWarning`) about characters of ``text`` outside the static fonts.

    Each character is reported once per process. Returns the characters newly reported.
    """
    new = "".join(c for c in uncovered(text) if c not in _reported)
    if new:
        _reported.update(new)
        warnings.warn(_coverage_message(new), FontCoverageWarning, stacklevel=2)
    return new


def warn_uncovered_in_figure(fig) -> str:
    """:func:`warn_uncovered` for every text artist of a matplotlib figure (titles, labels, ticks, notes)."""
    from matplotlib.text import Text

    return warn_uncovered("".join(t.get_text() for t in fig.findobj(Text)))


# --------------------------------------------------------------------------- matplotlib


def _register(path: Path) -> str:
    """Add ``path`` to matplotlib's font manager (once) and return its family name there."""
    from matplotlib import font_manager

    name = str(path)
    if name not in _registered:
        font_manager.fontManager.addfont(name)
        _registered.add(name)
    return next(f.name for f in font_manager.fontManager.ttflist if f.fname == name)


class _FallbackWeightFilter:
    """Drop matplotlib's "Failed to find font weight" log records for the fallback family only.

    The variable fallback font has one matplotlib entry (its default instance, weight 100), so every regular
    or bold text would log that warning, and a notebook would print it into the report.
    """

    def __init__(self) -> None:
        self.families: set[str] = set()

    def filter(self, record) -> bool:
        msg = str(record.msg)
        return not (msg.startswith("findfont: Failed to find font weight") and len(record.args or ()) == 3
                    and record.args[1] in self.families)


_WEIGHT_FILTER = _FallbackWeightFilter()


def use_house_font() -> str:
    """Register the bundled Regular and Bold (and the full variable font as fallback) with matplotlib.

    Sets ``font.family`` to the bundled family, then the fallback family, then DejaVu Sans, puts the
    bundled family first in ``font.sans-serif`` and sets ``axes.unicode_minus=False``. Idempotent.
    Returns the family name.
    """
    import matplotlib

    for weight in WEIGHTS:
        _register(cjk_font_path(weight))
    families = [FONT_FAMILY]
    with contextlib.suppress(OSError, StopIteration):  # without the source font, no fallback: still usable
        families.append(_register(source_font_path()))
        _WEIGHT_FILTER.families.add(families[-1])
        logger = logging.getLogger("matplotlib.font_manager")
        if _WEIGHT_FILTER not in logger.filters:
            logger.addFilter(_WEIGHT_FILTER)
    rc = matplotlib.rcParams
    rc["font.family"] = [*families, "DejaVu Sans"]  # DejaVu (shipped with matplotlib) for other symbols
    rc["font.sans-serif"] = [*families, *[f for f in rc["font.sans-serif"] if f not in families]]
    rc["axes.unicode_minus"] = False
    return FONT_FAMILY


# --------------------------------------------------------------------------- web subsets


def subset_characters(text: str) -> str:
    """The characters a subset for ``text`` covers: those of ``text`` plus ASCII and common punctuation."""
    chars = set(text) | set(_ASCII) | set(COMMON_PUNCTUATION)
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u3000"))


def _disk_cached(key: str, make) -> bytes:
    cached = cache_dir() / "subsets" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.woff2"
    try:
        data = cached.read_bytes()
        if data[:4] == b"wOF2":
            return data
    except OSError:
        pass
    data = make()
    from analysis.atomic import atomic_write_bytes
    from analysis.errors import OutputError

    with contextlib.suppress(OSError, OutputError):  # a read-only cache only costs speed
        atomic_write_bytes(cached, data)
    return data


@functools.lru_cache(maxsize=16)
def subset_font_bytes(text: str, weight: str = "regular") -> bytes:
    """A WOFF2 subset of the bundled static font covering the characters of ``text`` plus ASCII and punctuation.

    Characters the static font lacks are left out (see :func:`font_face_css` for their fallback). Results
    are cached in memory and on disk (``<cache>/subsets/``, keyed by the character set and the font file).
    """
    font_path = cjk_font_path(_check_weight(weight))
    chars = subset_characters(text)
    return _disk_cached(f"{font_path.name}\n{chars}", lambda: _make_subset(font_path, chars))


@functools.lru_cache(maxsize=16)
def fallback_subset_bytes(chars: str) -> bytes:
    """A WOFF2 subset of the full *variable* source font for ``chars`` (keeps the ``wght`` axis)."""
    source = source_font_path()
    return _disk_cached(f"fallback-{_package_version()}\n{chars}", lambda: _make_subset(source, chars))


def _make_subset(font_path: Path, chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(str(font_path), lazy=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        font.flavor = "woff2"
        buf = io.BytesIO()
        font.save(buf)
        return buf.getvalue()
    finally:
        font.close()


def _face(family: str, data: bytes, weight: str, extra: str = "") -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        "@font-face {"
        f' font-family: "{family}";'
        f' src: url("data:font/woff2;base64,{encoded}") format("woff2");'
        f" font-weight: {weight}; font-style: normal; font-display: block;{extra}"
        " }"
    )


def font_face_css(
    text: str,
    family: str = CSS_FAMILY,
    weight: str | None = None,
    warnings_out: list[str] | None = None,
) -> str:
    """CSS ``@font-face`` rules for ``family`` with inline base64 WOFF2 subsets for the characters of ``text``.

    By default one rule per weight: Regular (``font-weight: 400``) and Bold (``font-weight: 500 900``, see
    :data:`CSS_WEIGHTS`), so headings and ``<b>`` render in the real bold instead of a lighter or synthesised
    face; ``weight="regular"``/``"bold"`` gives that one only. Characters of ``text``
    outside the static fonts get one more rule, a subset of the full variable font restricted to them by
    ``unicode-range`` (``font-weight: 100 900``), and are reported: appended to ``warnings_out`` when a list
    is given, else once per process as a :class:`FontCoverageWarning`. Set
    ``font-family: "ReportCJK", sans-serif`` on the page. ``family`` must be a plain name (letters, digits,
    space, ``_``, ``-``) so it can never break out of the CSS string.
    """
    if not _CSS_FAMILY_RE.match(family):
        raise ValueError(f"unsafe CSS font family name {family!r}")
    keys = list(WEIGHTS) if weight is None else [_check_weight(weight)]
    rules = [_face(family, subset_font_bytes(text, key), CSS_WEIGHTS[key]) for key in keys]
    missing = uncovered(subset_characters(text))
    if missing:
        if warnings_out is not None:
            warnings_out.append(_coverage_message(missing))
        else:
            warn_uncovered(missing)
        drawable = "".join(c for c in missing if ord(c) in _fallback_cmap())
        if drawable:
            ranges = ", ".join(f"U+{ord(c):X}" for c in drawable)
            rules.append(_face(family, fallback_subset_bytes(drawable), "100 900", f" unicode-range: {ranges};"))
    return "\n".join(rules)


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
        if not all(_is_valid_font_file(cache_dir() / _cached_name(w)) for w in WEIGHTS):
            print(
                "首次使用：正在生成内置中文字体，约需十秒，仅此一次…"
                " | first use: building the bundled CJK font once (about 10 s)…",
                file=sys.stderr,
                flush=True,
            )
        for weight in WEIGHTS:
            print(cjk_font_path(weight))
        return 0
    start = time.perf_counter()
    built = build_into(args.out_dir or cache_dir(), args.weights, jobs=args.jobs)
    for dest in built.values():
        print(f"{dest} built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
