"""The bundled CJK font: a static SC face, used by matplotlib, subset for the web."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from analysis.present import fonts

from .conftest import capture_font_warnings

CATALOGS = Path(fonts.__file__).resolve().parents[1] / "catalog" / "data"


def test_static_fonts_are_cff_sc_faces_with_the_right_weights():
    regular, bold = fonts.cjk_font_path("regular"), fonts.cjk_font_path("bold")
    assert regular != bold
    for path, weight in ((regular, 400), (bold, 700)):
        font = TTFont(str(path), lazy=True)
        assert "CFF " in font and "CFF2" not in font and "fvar" not in font  # static, CFF-flavoured
        assert font["name"].getDebugName(1) == fonts.FONT_FAMILY
        assert font["OS/2"].usWeightClass == weight
        assert "SIL Open Font License" in font["name"].getDebugName(13)
        cmap = font.getBestCmap()
        for ch in "中华人民共和国罚没款立案查处万元起％，。A9":
            assert ord(ch) in cmap, ch
    # Weight really differs: the Latin "a" of the bold face is wider than the regular one.
    reg, bld = TTFont(str(regular), lazy=True), TTFont(str(bold), lazy=True)
    a_reg = reg["hmtx"][reg.getBestCmap()[ord("a")]][0]
    a_bld = bld["hmtx"][bld.getBestCmap()[ord("a")]][0]
    assert a_bld > a_reg


def test_unknown_weight_is_rejected():
    with pytest.raises(ValueError):
        fonts.cjk_font_path("heavy")


def test_matplotlib_resolves_the_family_to_the_bundled_files(house_font):
    assert house_font == fonts.FONT_FAMILY
    assert Path(findfont(FontProperties(family=[house_font]))) == fonts.cjk_font_path("regular")
    assert Path(findfont(FontProperties(family=house_font, weight="bold"))) == fonts.cjk_font_path("bold")
    # The default sans-serif (what a plain Chinese label uses) is the bundled font too.
    assert Path(findfont(FontProperties(family=["sans-serif"]))) == fonts.cjk_font_path("regular")
    import matplotlib

    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert fonts.use_house_font() == house_font  # idempotent


def _render(text: str) -> None:
    fig = Figure(figsize=(4, 2))
    ax = fig.subplots()
    ax.set_title(text, fontweight="bold")
    ax.set_xlabel(text)
    ax.plot([0, 1], [-1, 1])
    fig.savefig(io.BytesIO(), format="png")
    fig.savefig(io.BytesIO(), format="svg")


def test_chinese_labels_render_without_missing_glyph_warnings(house_font):
    with capture_font_warnings() as box:
        _render("2024年宁夏回族自治区罚没款（万元）同比下降−5.2%，案卷合格率：95.1%")
    assert box.missing_glyph == [], box.messages


def test_warning_capture_detects_a_really_missing_glyph(house_font):
    # Hangul syllables are deliberately not in the static font: the capture must see that warning.
    with capture_font_warnings() as box:
        _render("한")
    assert box.missing_glyph, "the warning capture did not notice a missing glyph"


def test_every_region_and_indicator_name_is_covered_by_the_font():
    cmap = TTFont(str(fonts.cjk_font_path()), lazy=True).getBestCmap()
    chars: set[str] = set()
    with open(CATALOGS / "regions.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            chars.update(row["name"] + row.get("short_name", ""))
    with open(CATALOGS / "indicators.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            chars.update(row["name_zh"] + row["unit"])
    missing = sorted(c for c in chars if ord(c) not in cmap and c.isprintable())
    assert missing == []


def _woff2_cmap(data: bytes) -> dict[int, str]:
    assert data[:4] == b"wOF2"
    return TTFont(io.BytesIO(data)).getBestCmap()


def test_subset_covers_exactly_the_text_plus_ascii_and_punctuation():
    text = "银川市自然资源局立案查处"
    cmap = _woff2_cmap(fonts.subset_font_bytes(text))
    for ch in text + "AZaz09%（）。，":
        assert ord(ch) in cmap, ch
    for ch in "龘鬱":  # in the font, not in the text
        assert ord(ch) not in cmap
    assert len(cmap) < 400


def test_subset_for_a_typical_report_is_small():
    text = "".join(Path(p).read_text(encoding="utf-8") for p in (CATALOGS / "regions.csv", CATALOGS / "indicators.csv"))
    text += (Path(fonts.__file__).parent / "narrative" / "templates.yaml").read_text(encoding="utf-8")
    data = fonts.subset_font_bytes(text)
    n_chars = len(set(text))
    assert n_chars > 300
    assert len(data) < 400_000, len(data)


def test_font_face_css_is_a_self_contained_rule():
    css = fonts.font_face_css("执法", family="ReportCJK")
    assert css.startswith("@font-face {") and css.endswith("}")
    assert 'font-family: "ReportCJK"' in css and "font-weight: 400" in css
    match = re.search(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)', css)
    assert match
    cmap = _woff2_cmap(base64.b64decode(match.group(1)))
    assert ord("执") in cmap and ord("法") in cmap
    assert "http" not in css
    assert "font-weight: 700" in fonts.font_face_css("执法", weight="bold")


@pytest.mark.parametrize("family", ['x"; } body { color: red', "a\nb", "", "1abc"])
def test_font_face_css_rejects_unsafe_family_names(family):
    with pytest.raises(ValueError):
        fonts.font_face_css("执法", family=family)


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ENFORCEMENT_FONT_CACHE", str(tmp_path / "fc"))
    assert fonts.cache_dir() == tmp_path / "fc"
    monkeypatch.delenv("ENFORCEMENT_FONT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fonts.cache_dir() == tmp_path / "xdg" / "enforcement-analysis" / "fonts"


def test_a_valid_cached_font_is_reused_and_a_broken_one_rebuilt(tmp_path, monkeypatch):
    built = {w: fonts.cjk_font_path(w) for w in fonts.WEIGHTS}
    cache = tmp_path / "fc"
    monkeypatch.setenv("ENFORCEMENT_FONT_CACHE", str(cache))
    cache.mkdir()
    calls: list[list[str]] = []

    def fake_builder(weights, folder):
        calls.append(list(weights))
        for w in weights:
            shutil.copyfile(built[w], Path(folder) / built[w].name)

    monkeypatch.setattr(fonts, "_run_builder", fake_builder)
    # A truncated file left by a killed run is not accepted: the builder runs for it.
    (cache / built["regular"].name).write_bytes(b"OTTO" + b"\0" * 10)
    shutil.copyfile(built["bold"], cache / built["bold"].name)
    stale = cache / f".{built['regular'].name}.dead1234.tmp"
    stale.write_bytes(b"")
    assert fonts.cjk_font_path("regular") == cache / built["regular"].name
    assert calls == [["regular"]]
    assert not stale.exists()
    # Now both are valid: no further build.
    assert fonts.cjk_font_path("bold") == cache / built["bold"].name
    assert calls == [["regular"]]
    assert (cache / built["regular"].name).stat().st_size == built["regular"].stat().st_size
