"""The reward calculator for reports of major violations, against the published rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sunshine.cogovernance.rewards import (
    CAP,
    Exclusion,
    ReportFacts,
    RewardLevel,
    calculate,
    exclusions,
)

ELIGIBLE = ReportFacts(natural_person=True, substantiated_and_closed=True)


@pytest.mark.parametrize(
    ("level", "fines", "expected"),
    [
        (RewardLevel.FIRST, "200000", "10000.00"),  # 5 %
        (RewardLevel.SECOND, "200000", "6000.00"),  # 3 %
        (RewardLevel.THIRD, "200000", "2000.00"),  # 1 %
        (RewardLevel.FIRST, "50000", "5000"),  # 2,500 is below the 5,000 floor
        (RewardLevel.THIRD, "0", "1000"),  # no fine: the floor
        (RewardLevel.FIRST, "30000000", "1000000"),  # 1.5 M capped at 1 M
    ],
)
def test_levels_floors_and_cap(level: RewardLevel, fines: str, expected: str) -> None:
    result = calculate(level=level, fines_and_confiscations=Decimal(fines), facts=ELIGIBLE)
    assert result.amount == Decimal(expected)
    assert result.steps and result.excluded_by == ()


def test_large_awards_are_set_with_the_finance_bureau() -> None:
    big = calculate(
        level=RewardLevel.FIRST, fines_and_confiscations=Decimal("10000000"), facts=ELIGIBLE
    )
    assert big.amount == Decimal("500000.00") and big.needs_finance_cosign
    assert "finance bureau" in big.steps[-1]
    small = calculate(
        level=RewardLevel.FIRST, fines_and_confiscations=Decimal("9999980"), facts=ELIGIBLE
    )
    assert not small.needs_finance_cosign
    assert Decimal("1000000") == CAP


def test_an_insider_may_get_a_raised_rate_others_may_not() -> None:
    insider = ReportFacts(
        natural_person=True, violator=True, insider=True, substantiated_and_closed=True
    )
    raised = calculate(
        level=RewardLevel.SECOND,
        fines_and_confiscations=Decimal("1000000"),
        facts=insider,
        insider_rate=Decimal("0.06"),
    )
    assert raised.amount == Decimal("60000.00")
    plain = calculate(
        level=RewardLevel.SECOND,
        fines_and_confiscations=Decimal("1000000"),
        facts=ELIGIBLE,
        insider_rate=Decimal("0.06"),
    )
    assert plain.amount == Decimal("30000.00")


def test_every_exclusion_is_named() -> None:
    facts = ReportFacts(
        natural_person=False,
        regulator_staff=True,
        infringed_party=True,
        violator=True,
        paid_to_report=True,
        in_scope=False,
        already_known=True,
    )
    assert set(exclusions(facts)) == set(Exclusion)
    result = calculate(
        level=RewardLevel.FIRST, fines_and_confiscations=Decimal("100000"), facts=facts
    )
    assert result.amount == 0 and set(result.excluded_by) == set(Exclusion)
    with pytest.raises(ValueError):
        calculate(level=RewardLevel.FIRST, fines_and_confiscations=Decimal(-1), facts=ELIGIBLE)
