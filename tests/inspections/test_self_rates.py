"""The regulator's self-inspection rates by area, with exact numbers on a small fixture:
September 2025 (30 days, four ISO weeks whose Thursday falls in it, one month)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from self_helpers import all_codes, at, business_of, form, key_codes, load_checklist
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.auth.principal import Principal
from sunshine.core.pagination import PageRequest
from sunshine.inspections import self_service, self_stats
from sunshine.inspections.models import Checklist
from sunshine.inspections.self_rules import SelfCheckFrequency, expected_periods, period_of
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory, OperatingStatus
from sunshine.registry.models import Business

DAILY, WEEKLY, MONTHLY = SelfCheckFrequency
SEPTEMBER = date(2025, 9, 1)


def test_the_periods_owed_in_a_month() -> None:
    later = date(2026, 1, 1)
    assert [expected_periods(f, SEPTEMBER, later) for f in SelfCheckFrequency] == [30, 4, 1]
    # weeks of 2025-09 start on the Mondays 1, 8, 15 and 22 (29 September's Thursday is in October)
    assert period_of(WEEKLY, date(2025, 10, 2)).start == date(2025, 9, 29)
    mid = date(2026, 11, 10)
    november = date(2026, 11, 1)
    assert [expected_periods(f, november, mid) for f in SelfCheckFrequency] == [10, 2, 1]
    assert [expected_periods(f, date(2026, 12, 1), mid) for f in SelfCheckFrequency] == [0, 0, 0]


def _operating_caterers(session: Session, column: str, code: str) -> int:
    stmt = select(func.count()).where(
        getattr(Business, column) == code,
        Business.category == BusinessCategory.CATERER,
        Business.operating_status == OperatingStatus.OPERATING,
    )
    return int(session.execute(stmt).scalar_one())


@pytest.fixture
def fixture_month(session: Session) -> dict[str, object]:
    """Store A: two daily checks (one problem), a weekly (two problems, one item not
    applicable) and a monthly; a neighbour in another township of county A: one daily;
    store B (county B):
    one daily with a problem."""
    checklist: Checklist = load_checklist(session)
    keys, codes = key_codes(session, checklist), all_codes(session, checklist)
    staff_a = principal_of(session, "staff_a")
    store_a = business_of(session, staff_a.business_id or 0)
    neighbour = session.execute(
        select(Business)
        .where(
            Business.county_code == store_a.county_code,
            Business.township_code != store_a.township_code,
            Business.category == BusinessCategory.CATERER,
            Business.operating_status == OperatingStatus.OPERATING,
        )
        .limit(1)
    ).scalar_one()
    owner_b = principal_of(session, "owner_b")
    store_b = business_of(session, owner_b.business_id or 0)

    def rec(actor: Principal, store: Business, day: int, **kw: object) -> None:
        codes_ = kw.pop("codes", keys)
        frequency = kw.pop("frequency", DAILY)
        self_service.record_self_inspection(
            session=session,
            actor=actor,
            form=form(store, codes_, frequency, **kw),  # type: ignore[arg-type]
            now=at(date(2025, 9, day)),
        )

    rec(staff_a, store_a, 1)
    rec(staff_a, store_a, 2, failed={keys[0]: "健康证过期"})
    rec(
        staff_a,
        store_a,
        9,
        codes=codes,
        frequency=WEEKLY,
        failed={"5.1": "地面油污", "8.3": "垃圾桶无盖"},
        not_applicable=["7.5"],
    )
    rec(staff_a, store_a, 15, codes=codes, frequency=MONTHLY)
    rec(replace(staff_a, business_id=neighbour.id), neighbour, 1)
    rec(owner_b, store_b, 1, failed={keys[1]: "无管理人员"})
    return {"store_a": store_a, "store_b": store_b, "neighbour": neighbour}


def test_completion_and_problem_rates_by_township(
    session: Session, fixture_month: dict[str, Business]
) -> None:
    store_a = fixture_month["store_a"]
    inspector = principal_of(session, "inspector_a")
    stats = self_stats.statistics(session=session, actor=inspector, month=date(2025, 9, 17))
    assert stats.month == SEPTEMBER and stats.area_level is RegionLevel.TOWNSHIP
    rows = {r.code: r for r in stats.rows}
    township = rows[store_a.township_code or ""]
    n = _operating_caterers(session, "township_code", store_a.township_code or "")
    assert township.businesses == n >= 1
    done = {f: (c.done, c.expected) for f, c in township.completion.items()}
    assert done == {DAILY: (2, 30 * n), WEEKLY: (1, 4 * n), MONTHLY: (1, n)}
    # 7 + 7 + 29 (one not applicable) + 30 answered; 0 + 1 + 2 + 0 failed
    assert (township.answered, township.failed, township.businesses_with_problems) == (73, 3, 1)
    assert township.problem_rate == pytest.approx(3 / 73)
    assert township.overdue == 3  # every September to-do is past its date
    other = rows[fixture_month["neighbour"].township_code or ""]
    assert other.completion[DAILY].done == 1 and other.completion[WEEKLY].done == 0
    assert (other.answered, other.failed, other.problem_rate) == (7, 0, 0)
    assert sum(r.answered for r in stats.rows) == 80  # store B (county B) is not counted
    county = _operating_caterers(session, "county_code", store_a.county_code or "")
    assert stats.total.businesses == county
    assert stats.total.completion[DAILY].done == 3
    assert stats.total.completion[DAILY].expected == 30 * county


def test_another_county_sees_only_its_own(
    session: Session, fixture_month: dict[str, Business]
) -> None:
    store_b = fixture_month["store_b"]
    inspector_b = principal_of(session, "inspector_b")
    stats = self_stats.statistics(session=session, actor=inspector_b, month=SEPTEMBER)
    assert (stats.total.answered, stats.total.failed) == (7, 1)
    assert {r.code for r in stats.rows if r.answered} == {store_b.township_code}
    overdue = self_stats.overdue_todos(session=session, actor=inspector_b, page=PageRequest(1, 50))
    assert overdue.total == 1 and overdue.items[0][0].business_id == store_b.id
    chief_a = principal_of(session, "chief_a")  # a station of county A: its township only
    assert all(
        todo.business_id != store_b.id
        for todo, _, _ in self_stats.overdue_todos(
            session=session, actor=chief_a, page=PageRequest(1, 50)
        ).items
    )
