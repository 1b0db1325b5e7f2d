"""Context-scoped resolution against the national catalogue (analysis.catalog.regions)."""

from __future__ import annotations

import pytest

from analysis.catalog import load_catalog


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _code(m):
    return m.region.code if m.region is not None else None


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("曲阜市自然资源和规划局", "370881"),
        ("曲阜市", "370881"),
        ("曲阜", "370881"),
        ("长春市朝阳区自然资源局", "220104"),  # the city named in the label places the district
        ("北京市朝阳区", "110105"),
        ("山东省自然资源厅", "370000"),
        ("宁夏自然资源厅", "640000"),
        ("黔南州", "522700"),
        ("鄂温克旗", "150724"),
        ("神农架林区", "429021"),
        ("仙桃市", "429004"),
        ("640104", "640104"),
        ("640104 兴庆区", "640104"),
    ],
)
def test_names_as_agencies_write_them(cat, label, code):
    m = cat.resolve_region(label)
    assert m.status == "ok", (label, m)
    assert m.region.code == code


def test_ambiguous_without_context_resolved_with_it(cat):
    m = cat.resolve_region("朝阳区")
    assert m.status == "ambiguous"
    assert {r.code for r in m.candidates} == {"110105", "220104"}
    assert _code(cat.resolve_region("朝阳区", ("220100", "220000"))) == "220104"
    assert _code(cat.resolve_region("朝阳区", ("110000",))) == "110105"
    gulou = cat.resolve_region("鼓楼区")
    assert gulou.status == "ambiguous" and len(gulou.candidates) >= 3
    assert _code(cat.resolve_region("鼓楼区", ("320100",))) == "320106"  # 南京
    assert _code(cat.resolve_region("鼓楼区", ("350100",))) == "350102"  # 福州


def test_context_from_title_and_rows(cat):
    r = cat.resolver
    assert r.regions_in_text("长春市2023年自然资源执法统计表")[:2] == ("220100", "220000")
    assert r.regions_in_text("2023年自然资源执法统计表") == ()  # 资源 (资源县) inside 自然资源 is not a name
    rows = [("南关区", ()), ("朝阳区", ()), ("二道区", ())]
    ctxs = r.row_contexts(rows)
    assert _code(cat.resolve_region("朝阳区", ctxs[1])) == "220104"
    # A city row above its districts (the parent row) places them.
    rows = [("北京市", ()), ("朝阳区", ()), ("长春市", ()), ("朝阳区", ())]
    ctxs = r.row_contexts(rows)
    assert [_code(cat.resolve_region(lab, c)) for (lab, _), c in zip(rows, ctxs, strict=True)] == [
        "110000", "110105", "220100", "220104"]
    # A parent column.
    ctxs = r.row_contexts([("朝阳区", ("长春市",))])
    assert _code(cat.resolve_region("朝阳区", ctxs[0])) == "220104"


def test_generic_labels_follow_the_context(cat):
    assert _code(cat.resolve_region("全省", ("370000",))) == "370000"
    assert _code(cat.resolve_region("自然资源厅", ("370881", "370800", "370000"))) == "370000"
    assert _code(cat.resolve_region("全市", ("220100", "220000"))) == "220100"
    assert _code(cat.resolve_region("全市", ("110000",))) == "110000"  # a municipality
    assert _code(cat.resolve_region("全省")) == "640000"  # no context: the alias the 宁夏 catalogue gave it


def test_former_units(cat):
    m = cat.resolve_region("临安市", year=2016)
    assert (m.status, _code(m), m.change.old_code, m.change.kind) == ("ok", "330112", "330185", "upgrade-to-district")
    assert _code(cat.resolve_region("330185", year=2016)) == "330112"
    late = cat.resolve_region("临安市", year=2019)
    assert (late.status, late.problem, [c.code for c in late.candidates]) == ("invalid", "abolished", ["330112"])
    merged = cat.resolve_region("孟津县", year=2020)
    assert (merged.status, merged.problem, [c.code for c in merged.candidates]) == (
        "invalid", "not_one_to_one", ["410308"])
    assert cat.resolve_region("410306", year=2020).problem == "not_one_to_one"  # 吉利区


def test_bad_codes(cat):
    mismatch = cat.resolve_region("640104 固原市")
    assert (mismatch.status, mismatch.problem) == ("invalid", "code_name_mismatch")
    assert [c.code for c in mismatch.candidates] == ["640104", "640400"]
    unknown = cat.resolve_region("999999")
    assert (unknown.status, unknown.problem) == ("invalid", "code_unknown")
    named = cat.resolve_region("649999 兴庆区")
    assert named.problem == "code_unknown" and [c.code for c in named.candidates] == ["640104"]


def test_unknown_name_lists_close_names(cat):
    m = cat.resolve_region("曲埠市")  # a typo of 曲阜市
    assert m.status == "unknown"
    assert "370881" in {c.code for c in m.close_names()}
    assert cat.resolve_region("火星市").status == "unknown"


def test_user_catalogue_override_still_works(tmp_path):
    (tmp_path / "regions.csv").write_text(
        "code,name,short_name,level,parent_code,aliases\n330000,浙江省,浙江,province,,全省\n"
        "330100,杭州市,杭州,city,330000,\n", encoding="utf-8")
    cat = load_catalog(tmp_path)
    assert len(cat.regions) == 2
    assert _code(cat.resolve_region("杭州市自然资源和规划局")) == "330100"
    assert cat.resolve_region("银川市").status == "unknown"
