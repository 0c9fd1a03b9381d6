"""Masking of personal data for display (个人信息去标识化展示).

Every screen, export and log line that shows a person's name, phone number, ID number or
certificate number goes through these functions. They never raise: ``None`` and empty input
give ``""``, and input too short for the usual pattern is masked more heavily rather than
shown in full.
"""

from __future__ import annotations

__all__ = ["mask_cert_number", "mask_id_number", "mask_name", "mask_phone"]

MASK_CHAR = "*"


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Replace all but ``keep_start`` leading and ``keep_end`` trailing characters with ``*``.

    When the value is too short for at least one character to be hidden, only the last third
    (rounded down) is kept, so short input is never shown in full.
    """
    length = len(value)
    if length == 0:
        return ""
    if length <= keep_start + keep_end:
        keep_start, keep_end = 0, length // 3
    hidden = length - keep_start - keep_end
    return value[:keep_start] + MASK_CHAR * hidden + value[length - keep_end :]


def mask_name(name: str | None) -> str:
    """Person's name (姓名): first character, then one ``*`` per remaining character.

    ``"张三丰"`` → ``"张**"``, ``"李四"`` → ``"李*"``; a one-character name becomes ``"*"``.
    Spaces inside a name (e.g. romanised names) are kept.
    """
    text = (name or "").strip()
    if len(text) <= 1:
        return MASK_CHAR * len(text)
    rest = "".join(char if char.isspace() else MASK_CHAR for char in text[1:])
    return text[0] + rest


def mask_phone(phone: str | None) -> str:
    """Phone number (联系电话): keep the first 3 and last 4, e.g. ``"138****1234"``."""
    return _mask_middle((phone or "").strip(), 3, 4)


def mask_id_number(id_number: str | None) -> str:
    """Resident ID number (身份证号码): keep the first 6 and last 4, e.g. ``510104********123X``."""
    return _mask_middle((id_number or "").strip().upper(), 6, 4)


def mask_cert_number(cert_number: str | None) -> str:
    """Certificate number (证书编号, e.g. a health certificate): keep the last 4 characters."""
    return _mask_middle((cert_number or "").strip(), 0, 4)
