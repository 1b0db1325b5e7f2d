"""Build the static Regular and Bold report fonts from the Noto Sans SC variable TrueType font.

Recipe (about 5-10 s on 2 cores):

1. load ``NotoSansSC[wght].ttf`` (SIL OFL 1.1, PyPI ``justmytype-intl-cjk``) and subset it to
   :func:`analysis.present.font_charset.static_characters` first (about 7,600 of its 31,000 glyphs), so that
   the instancer has a quarter of the work;
2. instance the subset at ``wght`` 400 and 700 with ``fontTools.varLib.instancer``, the two weights in two
   processes (the Bold one forked after the subset, so it needs no reload);
3. rename the family ``Noto Sans SC Report`` (an OFL modified version may be renamed; the reserved font name
   "Source" is not used), set the weight class and style bits, keep the copyright, trademark and licence
   name records, and save each file atomically (``analysis.atomic``).

This module only builds; :mod:`analysis.present.fonts` decides when (cache, lock, stale temp files).
"""

from __future__ import annotations

import os
from pathlib import Path

FONT_FAMILY = "Noto Sans SC Report"
"""Family name of the static fonts, as matplotlib and the font's name table know it."""

WEIGHTS: dict[str, int] = {"regular": 400, "bold": 700}
STYLE_NAMES = {"regular": "Regular", "bold": "Bold"}

SOURCE_PACKAGE = "justmytype-intl-cjk"
SOURCE_MODULE = "justmytype_intl_cjk"
SOURCE_RELPATH = ("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")

# Name records copied from the source font unchanged: copyright, trademark, manufacturer, designer,
# description, vendor URL, designer URL, licence, licence URL.
_KEPT_NAME_IDS = (0, 7, 8, 9, 10, 11, 12, 13, 14)


def source_font_path() -> Path:
    """Path of the variable ``NotoSansSC[wght].ttf`` shipped by ``justmytype-intl-cjk``."""
    import importlib.util

    spec = importlib.util.find_spec(SOURCE_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the pip package {SOURCE_PACKAGE} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*SOURCE_RELPATH)
    if not path.is_file():
        raise FileNotFoundError(f"{SOURCE_RELPATH[-1]} not found in {SOURCE_PACKAGE} at {path.parent}")
    return path


def subset_variable_font(chars: str, source: Path | None = None):
    """The variable source font cut down to ``chars`` (still variable; no layout features, no hinting)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source or source_font_path()))
    options = subset.Options()
    options.layout_features = []  # matplotlib and the report pages use no OpenType features
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    return font


def instance(variable_font, weight: str, package_version: str, build_tag: str, inplace: bool = False):
    """A static ``weight`` instance of ``variable_font``, renamed to :data:`FONT_FAMILY`.

    ``inplace=True`` turns ``variable_font`` itself into the instance: three times faster (no deep copy),
    for a process that instances the font once.
    """
    from fontTools.varLib import instancer

    wght = WEIGHTS[weight]
    src_names = variable_font["name"]
    names = {i: src_names.getDebugName(i) for i in _KEPT_NAME_IDS}
    revision = variable_font["head"].fontRevision
    font = instancer.instantiateVariableFont(variable_font, {"wght": wght}, inplace=inplace)
    style = STYLE_NAMES[weight]
    ps_name = f"NotoSansSCReport-{style}"
    names.update({
        1: FONT_FAMILY,
        2: style,
        3: f"{ps_name};{package_version};{build_tag}",
        4: f"{FONT_FAMILY} {style}",
        5: f"Version {revision:.3f}; static {style} instance built by enforcement-analysis",
        6: ps_name,
    })
    table = font["name"]
    table.names = []
    for name_id, value in sorted(names.items()):
        if value:
            table.setName(value, name_id, 3, 1, 0x409)  # Windows Unicode only: names 9/10 hold CJK
    font["OS/2"].usWeightClass = wght
    selection = font["OS/2"].fsSelection & ~((1 << 0) | (1 << 5) | (1 << 6))  # clear ITALIC, BOLD, REGULAR
    font["OS/2"].fsSelection = selection | ((1 << 5) if weight == "bold" else (1 << 6))
    font["OS/2"].fsType = 0  # installable embedding, as the OFL allows
    font["head"].macStyle = 1 if weight == "bold" else 0
    for tag in ("STAT",):
        if tag in font:
            del font[tag]
    return font


def _save(font, dest: Path) -> None:
    from analysis.atomic import atomic_path

    with atomic_path(dest) as tmp:
        font.save(str(tmp))
        os.chmod(tmp, 0o644)


def _build_one(variable_font, weight: str, dest: Path, package_version: str, build_tag: str, inplace: bool) -> None:
    _save(instance(variable_font, weight, package_version, build_tag, inplace=inplace), dest)


def build_static_fonts(
    targets: dict[str, Path],
    chars: str,
    package_version: str,
    build_tag: str,
    jobs: int | None = None,
) -> dict[str, Path]:
    """Build each ``weight -> destination`` of ``targets`` from one subset; two weights run in parallel.

    With ``jobs == 1`` or without the ``fork`` start method the weights are built one after the other.
    """
    from multiprocessing import get_all_start_methods, get_context

    variable = subset_variable_font(chars)
    # Decompile everything before forking, so the child shares the parsed tables instead of re-parsing them.
    variable.ensureDecompiled()
    pending = list(targets.items())
    jobs = jobs or int(os.environ.get("ENFORCEMENT_FONT_JOBS", "0")) or min(os.cpu_count() or 1, 2)
    children = []
    if jobs > 1 and len(pending) > 1 and "fork" in get_all_start_methods():
        ctx = get_context("fork")
        for weight, dest in pending[1:]:
            # The forked child owns its copy of the parsed font, so it may instance it in place.
            proc = ctx.Process(target=_build_one, args=(variable, weight, dest, package_version, build_tag, True))
            proc.start()
            children.append((weight, proc))
        pending = pending[:1]
    failed = []
    try:
        for i, (weight, dest) in enumerate(pending):
            _build_one(variable, weight, dest, package_version, build_tag, i == len(pending) - 1)
    finally:
        for weight, proc in children:
            proc.join()
            if proc.exitcode != 0:
                failed.append(f"{weight} (exit {proc.exitcode})")
    if failed:
        raise RuntimeError(f"building the static font failed for {', '.join(failed)}")
    return dict(targets)
