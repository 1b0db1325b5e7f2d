"""The bundled CJK font: static Noto Sans SC faces for matplotlib, web subsets, fallback, cache and build."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from analysis.present import font_charset, fonts

from .conftest import capture_font_warnings

PACKAGE = Path(fonts.__file__).resolve().parents[1]
PLACE_NAMES = ("硚口区", "埇桥区", "浉河区", "猇亭区", "鄠邑区", "瀍河区")  # real districts outside GB 2312
RARE = "龘"  # in the full Noto Sans SC, in no catalogue or template, not in GB 2312


def _gb2312() -> set[str]:
    """GB 2312 written out independently: EUC-CN rows 0xA1-0xF7 x cells 0xA1-0xFE through Python's codec."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.add(bytes([hi, lo]).decode("gb2312"))
    return out


def _packaged_text_characters() -> set[str]:
    """Every character of the catalogue CSVs and report templates, read here from the files themselves."""
    files = [*(PACKAGE / "catalog" / "data").rglob("*.csv"), *(PACKAGE / "present" / "narrative").rglob("*.yaml")]
    files += [p for p in (PACKAGE / "report" / "templates").rglob("*") if p.is_file()]
    assert len(files) > 5
    return {c for p in files for c in p.read_text(encoding="utf-8-sig") if c.isprintable() and not c.isspace()}


def _cmap(path: Path) -> dict[int, str]:
    return TTFont(str(path), lazy=True).getBestCmap()


# --------------------------------------------------------------------------- the static files


def test_static_fonts_are_truetype_sc_faces_with_the_right_weights():
    regular, bold = fonts.cjk_font_path("regular"), fonts.cjk_font_path("bold")
    assert regular != bold
    for path, weight, style in ((regular, 400, "Regular"), (bold, 700, "Bold")):
        font = TTFont(str(path), lazy=True)
        assert "glyf" in font and not {"fvar", "gvar", "CFF2", "HVAR"} & set(font.keys())  # static TrueType
        assert font["name"].getDebugName(1) == fonts.FONT_FAMILY
        assert font["name"].getDebugName(2) == style
        assert "Source" not in fonts.FONT_FAMILY  # the OFL reserved font name
        assert font["OS/2"].usWeightClass == weight
        assert "SIL Open Font License" in font["name"].getDebugName(13)
        assert "Adobe" in font["name"].getDebugName(0)
        cmap = font.getBestCmap()
        for ch in "中华人民共和国罚没款立案查处万元起％，。A9" + "".join(PLACE_NAMES):
            assert ord(ch) in cmap, ch
    # Weight really differs: the Latin "a" of the bold face is wider than the regular one.
    reg, bld = TTFont(str(regular), lazy=True), TTFont(str(bold), lazy=True)
    assert bld["hmtx"][bld.getBestCmap()[ord("a")]][0] > reg["hmtx"][reg.getBestCmap()[ord("a")]][0]


@pytest.mark.parametrize(("weight", "wght"), [("regular", 400), ("bold", 700)])
def test_static_outlines_match_the_variable_font_at_that_weight(weight, wght):
    # Independent of the instancer: fontTools' variation-aware glyph set blends the source at ``wght``.
    source = TTFont(str(fonts.source_font_path()), lazy=True)
    blended, src_cmap = source.getGlyphSet(location={"wght": wght}), source.getBestCmap()
    static = TTFont(str(fonts.cjk_font_path(weight)), lazy=True)
    static_set, cmap = static.getGlyphSet(), static.getBestCmap()
    for ch in "罚没款" + PLACE_NAMES[0] + "Ag%":
        expected, got = DecomposingRecordingPen(blended), DecomposingRecordingPen(static_set)
        blended[src_cmap[ord(ch)]].draw(expected)
        static_set[cmap[ord(ch)]].draw(got)
        assert abs(static_set[cmap[ord(ch)]].width - blended[src_cmap[ord(ch)]].width) <= 1
        assert [op for op, _ in got.value] == [op for op, _ in expected.value], ch
        for (_, pts_got), (_, pts_exp) in zip(got.value, expected.value):
            for p, q in zip(pts_got, pts_exp):
                assert abs(p[0] - q[0]) <= 1 and abs(p[1] - q[1]) <= 1, ch


def test_static_fonts_cover_gb2312_and_every_packaged_character():
    cmap = _cmap(fonts.cjk_font_path())
    wanted = _gb2312() | _packaged_text_characters()
    in_source = set(_cmap(fonts.source_font_path()))
    missing = sorted(c for c in wanted if ord(c) not in cmap and ord(c) in in_source)
    assert missing == []
    assert len(cmap) > 7_445
    assert ord(RARE) not in cmap  # the static fonts are a subset, not the whole font


def test_unknown_weight_is_rejected():
    with pytest.raises(ValueError):
        fonts.cjk_font_path("heavy")


# --------------------------------------------------------------------------- cache key and cache folder


def test_character_set_follows_the_catalogue_files(tmp_path):
    (tmp_path / "catalog" / "data" / "column_maps").mkdir(parents=True)
    (tmp_path / "catalog" / "data" / "regions.csv").write_text("code,name\n420104,硚口区\n", encoding="utf-8")
    (tmp_path / "report" / "templates").mkdir(parents=True)
    (tmp_path / "report" / "templates" / "page.html.j2").write_text("<h1>{{ t }}·瀍</h1>", encoding="utf-8")
    before = font_charset.static_characters(tmp_path)
    assert "硚" in before and "瀍" in before and RARE not in before
    assert _gb2312() <= set(before)
    (tmp_path / "catalog" / "data" / "column_maps" / "x.csv").write_text(f"a\n{RARE}\n", encoding="utf-8")
    font_charset.static_characters.cache_clear()
    after = font_charset.static_characters(tmp_path)
    assert set(after) - set(before) == {RARE}
    assert font_charset.charset_digest(after) != font_charset.charset_digest(before)


def test_cached_file_names_change_with_the_character_set(monkeypatch):
    names = {w: fonts._cached_name(w) for w in fonts.WEIGHTS}
    monkeypatch.setattr(fonts, "static_characters", lambda: font_charset.static_characters() + RARE)
    changed = {w: fonts._cached_name(w) for w in fonts.WEIGHTS}
    assert all(names[w] != changed[w] for w in fonts.WEIGHTS)


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
    (cache / built["regular"].name).write_bytes(b"\x00\x01\x00\x00" + b"\0" * 10)
    shutil.copyfile(built["bold"], cache / built["bold"].name)
    assert fonts.cjk_font_path("regular") == cache / built["regular"].name
    assert calls == [["regular"]]
    # Now both are valid: no further build.
    assert fonts.cjk_font_path("bold") == cache / built["bold"].name
    assert calls == [["regular"]]
    assert (cache / built["regular"].name).stat().st_size == built["regular"].stat().st_size


def test_superseded_builds_are_removed_only_when_old(tmp_path):
    current = [tmp_path / fonts._cached_name(w) for w in fonts.WEIGHTS]
    old_build = tmp_path / "NotoSansSC-Report-Regular-0.0.1-b2-000000000000.ttf"
    legacy = tmp_path / "NotoSansCJKsc-Report-Regular-2026.9-b1.otf"
    recent_build = tmp_path / "NotoSansSC-Report-Bold-0.0.1-b2-111111111111.ttf"
    unrelated = tmp_path / "someone-elses.ttf"
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (*current, old_build, legacy, recent_build, unrelated):
        path.write_bytes(b"x")
    for path in (*current, old_build, legacy, unrelated):
        os.utime(path, (two_days_ago, two_days_ago))
    fonts._remove_superseded(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (*current, recent_build, unrelated))


# A builder that, once a temp file is completely written, says so in a marker file and then waits to be
# killed: the state of a build killed between writing its temp file and moving it into place.
_KILLABLE_BUILD = """
import os, signal, sys
from pathlib import Path
from fontTools.ttLib import TTFont

markers = Path(sys.argv[1])
real_save = TTFont.save

def save_then_hang(self, file, *args, **kwargs):
    real_save(self, file, *args, **kwargs)
    (markers / f"saved-{os.getpid()}").write_text(str(file))
    signal.pause()

TTFont.save = save_then_hang
from analysis.present import fonts
fonts._main(["build", "--out-dir", sys.argv[2]])
"""


def test_a_killed_build_leaves_nothing_behind_after_the_next_run(tmp_path, monkeypatch):
    cache, markers = tmp_path / "fc", tmp_path / "markers"
    cache.mkdir()
    markers.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE_BUILD, str(markers), str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not any(markers.iterdir()):  # wait on the file the builder writes, not on a guessed delay
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the builder never wrote its temp file"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the builder and its forked worker
        proc.communicate()
    left = sorted(p.name for p in cache.iterdir() if p.name.startswith(".tmp-"))
    assert left, "the killed build left no temp file: the test would prove nothing"
    assert all(fonts._FILE_PREFIX in name for name in left)
    assert not any(p.name.startswith(fonts._FILE_PREFIX) for p in cache.iterdir())  # nothing was published

    monkeypatch.setenv("ENFORCEMENT_FONT_CACHE", str(cache))
    regular = fonts.cjk_font_path("regular")  # the next run: a real build into the same cache
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".build.lock")) == sorted(
        fonts._cached_name(w) for w in fonts.WEIGHTS
    )
    assert TTFont(str(regular), lazy=True)["OS/2"].usWeightClass == 400


# --------------------------------------------------------------------------- matplotlib


def test_matplotlib_resolves_the_family_to_the_bundled_files(house_font):
    assert house_font == fonts.FONT_FAMILY
    assert Path(findfont(FontProperties(family=[house_font]))) == fonts.cjk_font_path("regular")
    assert Path(findfont(FontProperties(family=house_font, weight="bold"))) == fonts.cjk_font_path("bold")
    # The default sans-serif (what a plain Chinese label uses) is the bundled font too.
    assert Path(findfont(FontProperties(family=["sans-serif"]))) == fonts.cjk_font_path("regular")
    import matplotlib

    assert matplotlib.rcParams["font.family"][0] == house_font
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


def _pixels(text: str) -> np.ndarray:
    fig = Figure(figsize=(1, 1), dpi=100)
    fig.text(0.5, 0.5, text, fontsize=48, ha="center", va="center")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


def test_chinese_labels_render_without_missing_glyph_warnings(house_font):
    with capture_font_warnings() as box:
        _render("2024年宁夏回族自治区罚没款（万元）同比下降−5.2%，案卷合格率：95.1%")
        _render("、".join(PLACE_NAMES))
    assert box.missing_glyph == [], box.messages


def test_the_fallback_font_logs_no_weight_warnings(house_font):
    # Unusual sizes are fresh keys of matplotlib's findfont cache, so the lookups really run here.
    fig = Figure()
    fig.text(0.1, 0.5, "执法", fontsize=11.137)
    fig.text(0.1, 0.2, "执法", fontsize=11.139, fontweight="bold")
    with capture_font_warnings() as box:
        FigureCanvasAgg(fig).draw()
    assert not any("font weight" in m for m in box.messages), box.messages


def test_warning_capture_detects_a_really_missing_glyph(house_font):
    # Hangul is in neither the static fonts nor the Simplified Chinese fallback: the capture must see that.
    with capture_font_warnings() as box:
        _render("한")
    assert box.missing_glyph, "the warning capture did not notice a missing glyph"


def test_a_character_outside_the_static_fonts_renders_through_the_fallback_and_warns_once(house_font):
    assert ord(RARE) not in _cmap(fonts.cjk_font_path()) and ord(RARE) in _cmap(fonts.source_font_path())
    with capture_font_warnings() as box:
        rare = _pixels(RARE)
    assert box.missing_glyph == [], box.messages
    blank = _pixels(" ")
    with pytest.warns(UserWarning, match="missing from font"):
        tofu = _pixels("\ue000")  # a private-use character no font has: the missing-glyph box
    assert (rare < 128).sum() > 100  # ink on the canvas
    assert not np.array_equal(rare, blank) and not np.array_equal(rare, tofu)

    fig = Figure()
    fig.suptitle(f"某某{RARE}镇执法案卷")
    fonts._reported.discard(RARE)
    with pytest.warns(fonts.FontCoverageWarning, match=RARE):
        assert fonts.warn_uncovered_in_figure(fig) == RARE
    with capture_font_warnings() as box:
        assert fonts.warn_uncovered_in_figure(fig) == ""  # reported once, not again
    assert not any(RARE in m for m in box.messages)


# --------------------------------------------------------------------------- web subsets


def _woff2_cmap(data: bytes) -> dict[int, str]:
    assert data[:4] == b"wOF2"
    return TTFont(io.BytesIO(data)).getBestCmap()


def _faces(css: str) -> list[dict[str, str]]:
    faces = []
    for block in re.findall(r"@font-face \{(.*?)\}", css):
        faces.append({
            "weight": re.search(r"font-weight: ([0-9 ]+);", block).group(1),
            "data": re.search(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)', block).group(1),
            "range": (re.search(r"unicode-range: ([^;]+);", block) or [None, ""])[1],
        })
    return faces


def test_subset_covers_exactly_the_text_plus_ascii_and_punctuation():
    text = "银川市自然资源局立案查处"
    cmap = _woff2_cmap(fonts.subset_font_bytes(text))
    for ch in text + "AZaz09%（）。，":
        assert ord(ch) in cmap, ch
    for ch in "鬱郸":  # in the static font, not in the text
        assert ord(ch) not in cmap
    assert len(cmap) < 400


def test_subset_for_a_typical_report_is_small():
    text = (PACKAGE / "catalog" / "data" / "indicators.csv").read_text(encoding="utf-8")
    text += (PACKAGE / "present" / "narrative" / "templates.yaml").read_text(encoding="utf-8")
    data = fonts.subset_font_bytes(text)
    assert len(set(text)) > 300
    assert len(data) < 400_000, len(data)


def test_font_face_css_embeds_regular_and_bold():
    css = fonts.font_face_css("执法", family="ReportCJK")
    faces = _faces(css)
    assert [f["weight"] for f in faces] == ["400", "500 900"]
    assert css.count('font-family: "ReportCJK"') == 2 and "http" not in css
    for face, weight, style in zip(faces, (400, 700), ("Regular", "Bold")):
        font = TTFont(io.BytesIO(base64.b64decode(face["data"])))
        assert ord("执") in font.getBestCmap() and ord("法") in font.getBestCmap()
        assert font["OS/2"].usWeightClass == weight and font["name"].getDebugName(2) == style
    assert [f["weight"] for f in _faces(fonts.font_face_css("执法", weight="bold"))] == ["500 900"]


def test_html_export_embeds_both_weights():
    from analysis.report import htmlexport

    page = "<html><head></head><body><h1>执法工作总览</h1><p>银川市</p></body></html>"
    warnings: list[str] = []
    out = htmlexport.embed_font(page, warnings)
    assert [f["weight"] for f in _faces(out)] == ["400", "500 900"]
    assert warnings == []


def test_a_rare_character_in_a_page_gets_a_variable_fallback_face_and_a_warning():
    page_warnings: list[str] = []
    css = fonts.font_face_css(f"当事人住所：某某{RARE}镇", warnings_out=page_warnings)
    faces = _faces(css)
    assert [f["weight"] for f in faces] == ["400", "500 900", "100 900"]
    assert faces[2]["range"] == f"U+{ord(RARE):X}"
    fallback = TTFont(io.BytesIO(base64.b64decode(faces[2]["data"])))
    assert ord(RARE) in fallback.getBestCmap() and "fvar" in fallback  # variable: right weight in the browser
    for face in faces[:2]:
        assert ord(RARE) not in _woff2_cmap(base64.b64decode(face["data"]))
    assert len(page_warnings) == 1 and RARE in page_warnings[0]
    # Without a list the warning goes through ``warnings`` once per process.
    fonts._reported.discard(RARE)
    with pytest.warns(fonts.FontCoverageWarning, match=RARE):
        fonts.font_face_css(RARE)
    assert fonts.warn_uncovered(RARE) == ""


@pytest.mark.parametrize("family", ['x"; } body { color: red', "a\nb", "", "1abc"])
def test_font_face_css_rejects_unsafe_family_names(family):
    with pytest.raises(ValueError):
        fonts.font_face_css("执法", family=family)


_MEASURE = """async () => {
  await Promise.all(['400', '700'].map((w) => document.fonts.load(`${w} 20px ReportCJK`, '执法')));
  const h1 = document.querySelector('h1');
  const text = [...h1.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);  // not the hidden anchor link
  const range = document.createRange();
  range.selectNodeContents(text);
  const style = getComputedStyle(h1);
  const probe = (weight) => {
    const span = document.createElement('span');
    span.textContent = text.textContent;
    span.style.cssText = `font-family: ${style.fontFamily}; font-size: ${style.fontSize}; font-weight: ${weight};`
      + ' white-space: nowrap; font-synthesis: none;';
    document.body.appendChild(span);
    return span.getBoundingClientRect().width;
  };
  return {heading_weight: style.fontWeight, heading: range.getBoundingClientRect().width,
          regular: probe(400), bold: probe(700)};
}"""


@pytest.mark.slow
def test_exported_headings_render_with_the_bold_face_in_chromium(tmp_path):
    from support.browser import LAUNCH_ARGS, chromium_path

    if chromium_path() is None:
        pytest.skip("Chromium not installed at /usr/bin/chromium")
    import nbformat
    from playwright.sync_api import sync_playwright

    from analysis.report import htmlexport

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 执法工作总览 Annual Review\n\n正文 text")])
    page, _, _ = htmlexport.render_html(nb, "字体测试")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS)
        try:
            tab = browser.new_page()
            tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            tab.goto(path.as_uri())
            tab.evaluate("() => document.fonts.ready.then(() => true)")
            widths = tab.evaluate(_MEASURE)
        finally:
            browser.close()
    assert widths["bold"] > widths["regular"] * 1.01, widths  # the two embedded faces really differ
    assert widths["heading"] == pytest.approx(widths["bold"], rel=0.002), widths  # heading drawn with Bold
