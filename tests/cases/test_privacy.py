"""ID masking and natural/legal person decisions."""

from __future__ import annotations

import pytest

from analysis.clean.cases.privacy import (
    PERSON_LABEL,
    has_id_number,
    mask_id,
    mask_text,
    party_kind,
    public_name,
)


def test_mask_id_keeps_four_and_four():
    assert mask_id("640104190001010017") == "6401**********0017"
    assert mask_id("64010419000101001X") == "6401**********001X"
    assert mask_id("640104900101001") == "6401*******1001"


def test_mask_text_masks_every_id_and_nothing_else():
    text = "当事人身份证号640104190001010017，旧证640104900101001；信用代码91640104MA7000001X；电话13912345678"
    masked = mask_text(text)
    assert masked == ("当事人身份证号6401**********0017，旧证6401*******1001；"
                      "信用代码91640104MA7000001X；电话13912345678")
    assert not has_id_number(masked)


@pytest.mark.parametrize(("name", "code", "kind", "expected"), [
    ("张示例", "", "自然人", "natural"),
    ("张示例", "", "", "natural"),                          # name pattern
    ("王示例", "640104190001010017", "", "natural"),        # an ID number in the code column
    ("示例某某建材有限公司", "", "", "legal"),
    ("示例甲乙", "91640104MA7000001X", "", "legal"),          # 统一社会信用代码
    ("银川市示例商店", "92640100MA7000002X", "个体工商户", "legal"),
    ("示例某某村民委员会", "", "", "legal"),
])
def test_party_kind(name, code, kind, expected):
    assert party_kind(name, code, kind) == expected


def test_public_name():
    assert public_name("张示例", "natural") == PERSON_LABEL
    assert public_name("示例某某建材有限公司", "legal") == "示例某某建材有限公司"
