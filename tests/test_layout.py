"""Layout detection on in-memory grids (no files): titles, header levels, units, labels, notes."""

from __future__ import annotations

from analysis.catalog import load_catalog
from analysis.clean.layout import detect_layout
from analysis.clean.readers import Sheet


def sheet(rows, merged=None, kind="xlsx", name="S"):
    width = max(len(r) for r in rows)
    values = [list(r) + [None] * (width - len(r)) for r in rows]
    return Sheet(name=name, values=values, merged=merged or [], flags={}, kind=kind)


CAT = load_catalog()


def test_title_header_data_total_notes():
    s = sheet([
        ["2023年主要指标统计表", None, None],
        ["序号", "地区", "立案（起）"],
        [1, "银川市", 5],
        [2, "石嘴山市", 3],
        [None, "合计", 8],
        ["注：本表为示例数据", None, None],
    ])
    lay = detect_layout(s, CAT)
    assert lay.status == "table"
    assert lay.title_rows == [0] and lay.header_rows == [1]
    assert lay.index_cols == [0] and lay.label_cols == [1]
    assert [(d.row, d.kind) for d in lay.rows] == [(2, "data"), (3, "data"), (4, "total")]
    assert lay.note_rows == [5]
    assert lay.is_sample
    assert [c.path for c in lay.value_columns] == ["立案"]
    assert lay.value_columns[0].unit == "起"


def test_two_level_merged_groups_side_by_side():
    s = sheet(
        [
            ["地区", "执法情况", None, "案卷评查", None, None, None],
            [None, "立案", "罚没款(元)", "评查数", "优秀", "合格", "不合格"],
            ["银川市", 1, 2, 3, 1, 1, 1],
        ],
        merged=[(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 0, 6)],
    )
    lay = detect_layout(s, CAT)
    assert lay.header_rows == [0, 1]
    assert [c.path for c in lay.value_columns] == [
        "执法情况/立案", "执法情况/罚没款", "案卷评查/评查数", "案卷评查/优秀", "案卷评查/合格", "案卷评查/不合格",
    ]
    assert lay.value_columns[1].unit == "元"
    assert [c.match.indicator for c in lay.value_columns][-1] == "casefile_failed"


def test_three_level_header_and_separate_unit_row():
    s = sheet(
        [
            ["地区", "主要执法指标", None, None],
            [None, "执法办案", None, "执法巡查"],
            [None, "立案", "罚没款", "巡查次数"],
            [None, "起", "万元", "次"],
            ["银川市", 1, 2.5, 3],
        ],
        merged=[(0, 0, 3, 0), (0, 1, 0, 3), (1, 1, 1, 2)],
    )
    lay = detect_layout(s, CAT)
    assert lay.header_rows == [0, 1, 2]
    assert lay.unit_rows == [3]
    cols = lay.value_columns
    assert cols[0].path == "主要执法指标/执法办案/立案"
    assert [c.unit for c in cols] == ["起", "万元", "次"]
    assert [c.match.indicator for c in cols] == ["cases_filed", "fines_collected", "patrols"]


def test_table_unit_line_above_header():
    s = sheet([["单位：万元", None], ["地区", "罚没款"], ["银川市", 3]])
    lay = detect_layout(s, CAT)
    assert lay.table_unit == "万元" and lay.header_rows == [1]


def test_column_number_row_is_not_data():
    s = sheet([["地区", "立案", "结案"], ["甲", 1, 2], ["银川市", 7, 6]])
    lay = detect_layout(s, CAT)
    assert lay.numbering_rows == [1]
    assert [d.row for d in lay.rows] == [2]


def test_instruction_sheet_is_no_table():
    lay = detect_layout(sheet([["填报说明"], ["一、请按地区填报。"], ["二、金额单位为万元。"]]), CAT)
    assert lay.status == "no_table"


def test_title_only_is_no_table():
    assert detect_layout(sheet([["2024年统计表"]]), CAT).status == "no_table"


def test_header_without_data():
    lay = detect_layout(sheet([["地区", "立案", "结案"]]), CAT)
    assert lay.status == "no_data"


def test_data_without_header():
    lay = detect_layout(sheet([["银川市", 1, 2], ["石嘴山市", 3, 4]]), CAT)
    assert lay.status == "no_header"
    assert [d.row for d in lay.rows] == [0, 1]


def test_many_blank_rows_below_data_are_trimmed():
    rows = [["地区", "立案"], ["银川市", 1]] + [[None, None]] * 10000
    lay = detect_layout(sheet(rows), CAT)
    assert lay.n_rows == 2 and [d.row for d in lay.rows] == [1]


def test_csv_group_fill_does_not_cross_a_leaf_column():
    # 罚没款 has nothing below it: the blank right of it belongs to the next group, not to 罚没款.
    s = sheet(
        [["地区", "罚没款", "案卷评查", None], [None, None, "优秀", "合格"], ["银川市", 1, 2, 3]],
        kind="csv",
    )
    lay = detect_layout(s, CAT)
    assert [c.path for c in lay.value_columns] == ["罚没款", "案卷评查/优秀", "案卷评查/合格"]


def test_reporting_unit_line_above_header_is_not_data():
    s = sheet([
        ["2024年行政处罚实施情况统计表", None, None],
        ["填报单位：宁夏回族自治区自然资源厅", None, "填报日期：2025年1月20日"],
        ["单位名称", "警告", "罚款"],
        ["银川市自然资源局", 1, 2],
    ])
    lay = detect_layout(s, CAT)
    assert lay.status == "table"
    assert lay.title_rows == [0, 1] and lay.header_rows == [2]
    assert [d.row for d in lay.rows] == [3]
