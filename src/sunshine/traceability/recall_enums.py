"""Values of batch recalls (批次召回)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from sunshine.core.i18n import N_


class RecallLevel(StrEnum):
    """The recall's level (召回级别) by the harm the food may do: 《食品召回管理办法》
    (CFDA Order 12, 2015) Art. 13 — unverified: the text is not in ../shared/regulations;
    the hours below are the widely cited 24/48/72 hours to start the recall."""

    LEVEL_1 = "level_1"  # 一级: serious harm or death
    LEVEL_2 = "level_2"  # 二级: possible harm
    LEVEL_3 = "level_3"  # 三级: no harm expected (e.g. labelling)


#: Hours within which each holder should acknowledge (Art. 13, unverified, see above).
ACKNOWLEDGE_WITHIN = {
    RecallLevel.LEVEL_1: timedelta(hours=24),
    RecallLevel.LEVEL_2: timedelta(hours=48),
    RecallLevel.LEVEL_3: timedelta(hours=72),
}


class RecallOrigin(StrEnum):
    REGULATOR = "regulator"  # marked by a regulator
    SAMPLING = "sampling"  # opened when a sample of the batch failed


class HolderStatus(StrEnum):
    PENDING = "pending"  # told, not yet acknowledged
    ACKNOWLEDGED = "acknowledged"
    REPORTED = "reported"  # quantities kept / destroyed / returned reported


LABELS = {
    RecallLevel.LEVEL_1: N_("Level 1 recall (serious harm)"),
    RecallLevel.LEVEL_2: N_("Level 2 recall (possible harm)"),
    RecallLevel.LEVEL_3: N_("Level 3 recall (no harm expected)"),
    RecallOrigin.REGULATOR: N_("Marked by a regulator"),
    RecallOrigin.SAMPLING: N_("Failed sample of the batch"),
    HolderStatus.PENDING: N_("Not yet acknowledged"),
    HolderStatus.ACKNOWLEDGED: N_("Acknowledged"),
    HolderStatus.REPORTED: N_("Quantities reported"),
}


def recall_label(value: object) -> str:
    """The English label (msgid) of a recall value."""
    return LABELS.get(value, str(value)) if isinstance(value, StrEnum) else str(value)
