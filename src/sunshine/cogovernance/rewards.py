"""Rewards for reports of major violations (举报奖励), as data with their sources.

《市场监管领域重大违法行为举报奖励暂行办法》 (SAMR and the Ministry of Finance, in force
2021-12-01): a substantiated report of a major violation earns the reporter a share of the
fines and confiscations (罚没款) by level (Art. 11, 12), with a floor that also applies when
there is no fine, a cap per case, and co-signature by the finance bureau for large awards.
The numbers come from press summaries consistent with each other (status ``press``, see
``../shared/regulations/complaints-and-cases.md`` §4); the document number is unverified.

The calculation is shown to the handler step by step, so a payout can be checked and its
basis audited later (处置结果可倒查).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

REGULATION = "市场监管领域重大违法行为举报奖励暂行办法 (2021-12-01)"
SOURCES = (
    "www.qzcns.com/qznews/2021/0831/617675.html (闽南日报 2021-08-31: Arts. 3, 11, 12)",
    "freewechat.com/a/MjM5MzIyMzU0OA==/2650804923/2 (市场监管总局 / 中国新闻网 repost)",
    "tech.dongchanet.com/20210823/78655.html (eligibility)",
    "www.shaanxi.gov.cn/hd/sxzswd/sjzswd/202504/t20250403_3478518.html (Shaanxi Q&A)",
)
STATUS = "press"

CAP = Decimal("1000000")  # per case (Art. 12)
FINANCE_COSIGN_FROM = Decimal("500000")  # set together with the same-level finance bureau
_CENT = Decimal("0.01")


class RewardLevel(StrEnum):
    """How well the report matched the facts found (Art. 11)."""

    FIRST = "first"  # 一级: detailed facts and direct evidence, fully matching; especially serious
    SECOND = "second"  # 二级: facts and direct evidence, fully matching
    THIRD = "third"  # 三级: basic facts and related evidence, broadly matching


@dataclass(frozen=True)
class LevelRule:
    rate: Decimal  # share of the fines and confiscations
    floor: Decimal  # minimum award, also when there is no fine


LEVELS: dict[RewardLevel, LevelRule] = {
    RewardLevel.FIRST: LevelRule(rate=Decimal("0.05"), floor=Decimal("5000")),
    RewardLevel.SECOND: LevelRule(rate=Decimal("0.03"), floor=Decimal("3000")),
    RewardLevel.THIRD: LevelRule(rate=Decimal("0.01"), floor=Decimal("1000")),
}


class Exclusion(StrEnum):
    """Why a reporter gets no reward (eligibility, per the sources above)."""

    NOT_A_NATURAL_PERSON = "not_a_natural_person"  # only 自然人 are rewarded
    REGULATOR_STAFF = "regulator_staff"  # SAMR staff, anyone with a duty to supervise or report
    INFRINGED_PARTY = "infringed_party"  # the infringed party, its agents, interested parties
    VIOLATOR = "violator"  # the violator itself (insiders excepted)
    PAID_TO_REPORT = "paid_to_report"  # paid by another market entity for reporting
    OUT_OF_SCOPE = "out_of_scope"  # not a major violation of the rewarded scope (Art. 3)
    ALREADY_KNOWN = "already_known"  # the regulator already knew of it
    NOT_SUBSTANTIATED = "not_substantiated"  # not found true, or the case is not closed


@dataclass(frozen=True, kw_only=True)
class ReportFacts:
    """What the handler records about the reporter and the outcome of the case."""

    natural_person: bool
    regulator_staff: bool = False
    infringed_party: bool = False
    violator: bool = False
    insider: bool = False  # 违法主体内部人员: may report their employer and be rewarded more
    paid_to_report: bool = False
    in_scope: bool = True
    already_known: bool = False
    substantiated_and_closed: bool = False


def exclusions(facts: ReportFacts) -> list[Exclusion]:
    """Every reason the reporter is not eligible (empty: eligible)."""
    found = [
        (not facts.natural_person, Exclusion.NOT_A_NATURAL_PERSON),
        (facts.regulator_staff, Exclusion.REGULATOR_STAFF),
        (facts.infringed_party, Exclusion.INFRINGED_PARTY),
        (facts.violator and not facts.insider, Exclusion.VIOLATOR),
        (facts.paid_to_report, Exclusion.PAID_TO_REPORT),
        (not facts.in_scope, Exclusion.OUT_OF_SCOPE),
        (facts.already_known, Exclusion.ALREADY_KNOWN),
        (not facts.substantiated_and_closed, Exclusion.NOT_SUBSTANTIATED),
    ]
    return [exclusion for excluded, exclusion in found if excluded]


@dataclass(frozen=True)
class RewardCalculation:
    """The award and how it was reached, line by line, for the handler to check."""

    amount: Decimal
    steps: tuple[str, ...]
    needs_finance_cosign: bool
    excluded_by: tuple[Exclusion, ...]


def calculate(
    *,
    level: RewardLevel,
    fines_and_confiscations: Decimal,
    facts: ReportFacts,
    insider_rate: Decimal | None = None,
) -> RewardCalculation:
    """The award for a report at ``level`` on a case with these fines and confiscations.

    ``insider_rate`` is a raised rate for an insider, agreed with the finance bureau (the
    rules allow it without fixing it); it is ignored for anyone else.
    """
    if fines_and_confiscations < 0:
        raise ValueError("fines and confiscations cannot be negative")
    excluded = tuple(exclusions(facts))
    if excluded:
        reasons = ", ".join(e.value for e in excluded)
        return RewardCalculation(Decimal("0"), (f"not eligible: {reasons}",), False, excluded)
    rule = LEVELS[level]
    rate = insider_rate if facts.insider and insider_rate is not None else rule.rate
    share = (fines_and_confiscations * rate).quantize(_CENT, rounding=ROUND_HALF_UP)
    steps = [f"{level.value} level: {rate:%} of {fines_and_confiscations} = {share}"]
    amount = share
    if amount < rule.floor:
        steps.append(f"below the floor of {rule.floor}: {rule.floor}")
        amount = rule.floor
    if amount > CAP:
        steps.append(f"above the cap of {CAP} per case: {CAP}")
        amount = CAP
    cosign = amount >= FINANCE_COSIGN_FROM
    if cosign:
        steps.append(f"{amount} is at least {FINANCE_COSIGN_FROM}: set with the finance bureau")
    return RewardCalculation(amount, tuple(steps), cosign, ())
