"""Time limits of the complaint ladder, as data with their source.

Before the regulator: the consumer and the business settle it themselves. The national 12315
platform's online dispute resolution (ODR, 在线消费纠纷解决) gives the business **ten working
days** to negotiate with the consumer once a complaint reaches it; the consumer may go to the
regulator if that fails. We use the same limit for the store and, after escalation, for the
company head (a platform policy modelled on ODR, not a statutory limit on this step).
The regulator's own limits (acceptance within 7 working days, ...) are the case engine's
(:mod:`sunshine.cases.limits`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepLimit:
    workdays: int
    basis: str
    sources: tuple[str, ...]
    status: str  # verified | press | secondary | policy


_ODR_SOURCES = (
    "全国12315平台 ODR 说明: 由经营者在十个工作日内与消费者进行协商和解 "
    "(mengtianwen.com/answer/172495.html, secondary)",
    "ODR知识普及 (m.plpkl.com/.../xfzs/content/post_5259531.html)",
)

MERCHANT_ANSWER = StepLimit(
    workdays=10,
    basis="12315 ODR: the business negotiates with the consumer within ten working days",
    sources=_ODR_SOURCES,
    status="secondary",
)
HEAD_ANSWER = StepLimit(
    workdays=10,
    basis="platform policy: the company head gets the same time as the store (ODR)",
    sources=_ODR_SOURCES,
    status="policy",
)
#: Days before a merchant's deadline when the store is reminded.
REMINDER_WORKDAYS = 2
