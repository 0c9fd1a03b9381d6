"""How much each kind of risk signal weighs, and which source records it (data).

The weights are provisional: the risk grading issue calibrates them against the province's
dynamic-factor table and the back-testing data, and may replace them. What they encode now
is only an order: a repeated violation weighs more than a single confirmed one, because
the same violation coming back after being pointed out says more about how the business
is managed (the grading's 食品安全管理能力) than one lapse does. A signal keeps the weight
it was recorded with, so a grade computed in the past can be reproduced after recalibration.
"""

from __future__ import annotations

from types import MappingProxyType

from sunshine.risk.enums import SignalKind, SignalSource

WEIGHTS = MappingProxyType(
    {
        SignalKind.KITCHEN_VIOLATION_CONFIRMED: 1,
        SignalKind.KITCHEN_REPEATED_VIOLATION: 3,
    }
)

KIND_SOURCE = MappingProxyType(
    {
        SignalKind.KITCHEN_VIOLATION_CONFIRMED: SignalSource.KITCHEN,
        SignalKind.KITCHEN_REPEATED_VIOLATION: SignalSource.KITCHEN,
    }
)
