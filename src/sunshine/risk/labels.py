"""How risk-signal vocabularies read to people (English msgids; gettext gives the Chinese)."""

from __future__ import annotations

from sunshine.core.i18n import N_
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType

SIGNAL_SOURCE_LABELS = {
    SignalSource.KITCHEN: N_("Sunshine Kitchen"),
}
SIGNAL_KIND_LABELS = {
    SignalKind.KITCHEN_VIOLATION_CONFIRMED: N_("Kitchen violation confirmed"),
    SignalKind.KITCHEN_REPEATED_VIOLATION: N_("Repeated kitchen violation"),
}
SUBJECT_TYPE_LABELS = {
    SubjectType.KITCHEN_ALERT: N_("Kitchen alert"),
    SubjectType.CASE: N_("Case"),
}
