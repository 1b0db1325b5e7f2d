"""Case-record raw folders written by the tests (no committed binaries)."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "证件类型", "证件号码",
          "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚类别", "处罚内容", "罚款金额(万元)",
          "没收违法所得、没收非法财物的金额(万元)", "处罚决定日期", "处罚机关"]
PERSON_ID = "640104190001010017"  # fictitious: birth date 1900-01-01
OLD_ID = "640104900101001"


def row(name="示例某某建材有限公司", kind="法人及非法人组织", code="91640104MA7000001X", id_type="", id_no="",
        no="兴庆自然资罚〔2024〕1号", vtype="非法占用土地", facts="未经批准占用土地（示例）", category="罚款",
        content="罚款人民币壹拾贰万叁仟元整", fine="12.3", confiscation="— —", date="2024-03-05",
        agency="兴庆区自然资源局") -> list[str]:
    return [name, kind, code, id_type, id_no, no, vtype, facts, category, content, fine, confiscation, date, agency]


def write_csv(path: Path, rows: list[list], header: list[str] = HEADER, title: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        if title:
            w.writerow([title])
        w.writerow(header)
        w.writerows(rows)
    return path


def yearly_table(raw: Path, fines: float = 20.0, penalties: int = 3) -> Path:
    """A small 2024 yearly table for 兴庆区: 行政处罚合计 and 罚没款 (万元)."""
    return write_csv(raw / "2024" / "2024年处罚统计表（示例数据）.csv",
                     [["兴庆区", penalties, fines]], header=["地区", "行政处罚合计", "罚没款（万元）"],
                     title="2024年兴庆区行政处罚情况（示例数据）")
