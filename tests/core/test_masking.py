"""Masking of personal data for display."""

from __future__ import annotations

import pytest

from sunshine.core.masking import mask_cert_number, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧***"),
        (" 王五 ", "王*"),
        ("John Smith", "J*** *****"),
        ("张", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        (" 13812341234 ", "138****1234"),
        ("028-85551234", "028*****1234"),
        ("1234567", "*****67"),
        ("12345", "****5"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("51010419900506123X", "510104********123X"),
        ("51010419900506123x", "510104********123X"),
        ("510104900506123", "510104*****6123"),
        ("5101041", "*****41"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(id_number: str | None, masked: str) -> None:
    assert mask_id_number(id_number) == masked


@pytest.mark.parametrize(
    ("cert", "masked"),
    [
        ("51010420260001892", "*************1892"),
        ("JK-2026-0042", "********0042"),
        ("12345", "*2345"),
        ("1234", "***4"),
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_cert_number(cert: str | None, masked: str) -> None:
    assert mask_cert_number(cert) == masked


def test_masks_keep_the_length_of_the_value() -> None:
    for value in ("13812341234", "51010419900506123X", "51010420260001892"):
        for mask in (mask_phone, mask_id_number, mask_cert_number):
            assert len(mask(value)) == len(value)
            assert "*" in mask(value)
