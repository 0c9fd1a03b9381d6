"""The hygiene rating (量化分级): exact scores by the Jiangsu table, the grade boundaries,
the cases without a grade, and the annual grade."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hygiene_helpers import NA, F, P, record
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpers import store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import SYSTEM
from sunshine.core.time import today_local
from sunshine.inspections import hygiene, hygiene_rules
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.hygiene_models import (
    AnnualGrade,
    HygieneGrade,
    HygieneScore,
    NoGradeReason,
)
from sunshine.registry.enums import BusinessForm, BusinessScale
from sunshine.registry.models import Business

A_OFFICERS = ("inspector_a", "chief_a")


@pytest.fixture
def table() -> hygiene_rules.HygieneTable:
    found = hygiene_rules.table_for("catering", "2016")
    assert found is not None
    return found


@pytest.fixture
def store(session: Session) -> Business:
    """A small restaurant licensed two years ago: column S of the table."""
    business = store_of_station(session, "chief_a")
    business.form, business.scale = BusinessForm.RESTAURANT, BusinessScale.SMALL
    business.licence_issue_date = today_local() - timedelta(days=730)
    session.flush()
    return business


def _score(session: Session, inspection_id: int) -> HygieneScore:
    found = session.get(HygieneScore, inspection_id)
    assert found is not None
    return found


def test_the_table_has_every_item_of_the_2016_checklist_and_each_column_sums_to_90(
    table: hygiene_rules.HygieneTable,
) -> None:
    assert len(table.points) == 30
    for column in "LSCU":
        assert sum(p.get(column) or 0 for p in table.points.values()) == 90  # + 10 for 31-32
    assert table.points["3.2"]["S"] is None and table.points["7.5"]["C"] == 4
    assert (table.excellent, table.good, table.average) == (90, 75, 60)
    assert hygiene_rules.table_for("catering", "2022-draft") is None


def test_business_forms_map_to_the_table_columns(table: hygiene_rules.HygieneTable) -> None:
    assert table.column_for(BusinessForm.RESTAURANT, BusinessScale.LARGE) == "L"
    assert table.column_for(BusinessForm.FAST_FOOD, BusinessScale.MICRO) == "S"
    assert table.column_for(BusinessForm.CENTRAL_KITCHEN, BusinessScale.SMALL) == "C"
    assert table.column_for(BusinessForm.SCHOOL_CANTEEN, BusinessScale.LARGE) == "U"
    assert table.column_for(BusinessForm.WHOLESALER, BusinessScale.LARGE) is None


def test_every_item_passed_scores_100_excellent(session: Session, store: Business) -> None:
    row = _score(session, record(session, store, A_OFFICERS).id)
    assert (row.column, row.achieved_points, row.applicable_points) == ("S", 90, 90)
    assert row.score == 100.0 and row.grade is HygieneGrade.EXCELLENT
    assert row.no_grade_reason is None and row.table_code == "jiangsu-2016"
    audit = session.execute(
        select(AuditEntry).where(AuditEntry.action == "hygiene.score")
    ).scalar_one()
    assert audit.entity_id == str(row.inspection_id)


def test_one_failed_key_item_loses_its_points(session: Session, store: Business) -> None:
    # 4.2 (seq 8, key) is worth 5 in column S: 85 / 90 = 94.44 → 94.4
    row = _score(session, record(session, store, A_OFFICERS, failed=["4.2"]).id)
    assert (row.achieved_points, row.applicable_points, row.score_tenths) == (85, 90, 944)
    assert row.key_failed == 1 and row.grade is HygieneGrade.EXCELLENT


def test_not_applicable_items_come_out_of_the_maximum(session: Session, store: Business) -> None:
    # N/A 7.3 (3) and 7.4 (1); 7.5 has no points in column S; 5.1 (6) fails: 80 / 86
    inspection = record(
        session, store, A_OFFICERS, failed=["5.1"], not_applicable=["7.3", "7.4", "7.5"]
    )
    row = _score(session, inspection.id)
    assert (row.achieved_points, row.applicable_points) == (80, 86)
    assert row.score_tenths == 930  # 93.023 → 93.0


def test_grade_boundaries_90_75_60(table: hygiene_rules.HygieneTable) -> None:
    cases = {
        1000: HygieneGrade.EXCELLENT,
        900: HygieneGrade.EXCELLENT,
        899: HygieneGrade.GOOD,
        750: HygieneGrade.GOOD,
        749: HygieneGrade.AVERAGE,
        600: HygieneGrade.AVERAGE,
    }
    for tenths, grade in cases.items():
        assert hygiene_rules.grade_of(table, tenths) == (grade, None)
    assert hygiene_rules.grade_of(table, 599) == (None, NoGradeReason.BELOW_MINIMUM)


def _outcomes(
    table: hygiene_rules.HygieneTable, failed: set[str]
) -> list[tuple[str, bool, ItemOutcome]]:
    keys = {"3.1", "3.2", "4.1", "4.2", "6.1", "8.4", "9.3"}
    return [(code, code in keys, F if code in failed else P) for code in table.points]


def test_scores_at_the_boundaries_round_half_up(table: hygiene_rules.HygieneTable) -> None:
    # Column S: 9 points lost (5.2 = 4, 8.2 = 3, 2.1 = 2) → 81 / 90 = 90.0 exactly: 优秀
    exact = hygiene_rules.score(table, "S", _outcomes(table, {"5.2", "8.2", "2.1"}))
    assert exact is not None and exact.tenths == 900
    assert hygiene_rules.grade_of(table, exact.tenths)[0] is HygieneGrade.EXCELLENT
    # 10 lost (5.1 = 6, 5.2 = 4) → 80 / 90 = 88.89 → 88.9: 良好
    good = hygiene_rules.score(table, "S", _outcomes(table, {"5.1", "5.2"}))
    assert good is not None and good.tenths == 889
    # 36 lost (four items of 6, two of 4, two of 2) → 54 / 90 = 60.0: still 一般
    lost = {"5.1", "4.4", "7.2", "9.2", "5.2", "6.3", "1.1", "2.1"}
    average = hygiene_rules.score(table, "S", _outcomes(table, lost))
    assert average is not None and (average.achieved, average.tenths) == (54, 600)
    assert hygiene_rules.grade_of(table, average.tenths)[0] is HygieneGrade.AVERAGE
    # one more point lost (4.3 = 1) → 53 / 90 = 58.9: no grade
    below = hygiene_rules.score(table, "S", _outcomes(table, lost | {"4.3"}))
    assert below is not None and below.tenths == 589
    assert hygiene_rules.grade_of(table, below.tenths) == (None, NoGradeReason.BELOW_MINIMUM)
    # 75.0 exactly: 60 of 80 applicable (10 points not applicable: 7.3, 7.4, 4.3 ... in
    # column S: 4.4 = 6 and 5.2 = 4 N/A; 5.1 = 6, 7.2 = 6, 9.2 = 6, 1.1 = 2 lost)
    outcomes = [
        (code, key, NA if code in {"4.4", "5.2"} else outcome)
        for code, key, outcome in _outcomes(table, {"5.1", "7.2", "9.2", "1.1"})
    ]
    at_75 = hygiene_rules.score(table, "S", outcomes)
    assert at_75 is not None and (at_75.achieved, at_75.applicable, at_75.tenths) == (
        60,
        80,
        750,
    )
    assert hygiene_rules.grade_of(table, at_75.tenths)[0] is HygieneGrade.GOOD


def test_two_failed_key_items_give_no_grade(session: Session, store: Business) -> None:
    # 3.1 (3) and 4.2 (5) fail: 82 / 90 = 91.1, but two key items → 不评定等级 (Hainan)
    row = _score(session, record(session, store, A_OFFICERS, failed=["3.1", "4.2"]).id)
    assert row.score_tenths == 911
    assert row.grade is None and row.no_grade_reason is NoGradeReason.KEY_ITEMS


def test_under_60_gives_no_grade(session: Session, store: Business) -> None:
    failed = ["5.1", "4.4", "7.2", "9.2", "6.2", "8.3", "5.2", "6.3", "7.1"]  # 44 points
    row = _score(session, record(session, store, A_OFFICERS, failed=failed).id)
    assert (row.achieved_points, row.score_tenths) == (46, 511)
    assert row.grade is None and row.no_grade_reason is NoGradeReason.BELOW_MINIMUM


def test_no_dynamic_grade_within_3_months_of_a_new_licence(
    session: Session, store: Business
) -> None:
    store.licence_issue_date = today_local() - timedelta(days=40)
    session.flush()
    row = _score(session, record(session, store, A_OFFICERS).id)
    assert row.score == 100.0 and row.grade is None
    assert row.no_grade_reason is NoGradeReason.NEW_LICENCE
    table = hygiene_rules.tables()[0]
    issued = date(2026, 1, 31)
    assert hygiene_rules.add_months(issued, 3) == date(2026, 4, 30)
    result = hygiene_rules.Score(90, 90, 1000, 0)
    on_day = hygiene_rules.dynamic_grade(
        table, result, inspected_on=date(2026, 4, 30), licence_issued_on=issued
    )
    assert on_day == (HygieneGrade.EXCELLENT, None)


def test_a_flying_inspection_of_some_items_gets_no_score(session: Session, store: Business) -> None:
    inspection = record(session, store, A_OFFICERS, failed=["5.1"], only=["5.1", "4.2"])
    assert session.get(HygieneScore, inspection.id) is None


def test_the_annual_grade_is_the_mean_of_the_last_12_months(
    session: Session, store: Business, table: hygiene_rules.HygieneTable
) -> None:
    assert hygiene_rules.annual_grade(table, [900, 899]) == (AnnualGrade.A, 900)  # 899.5 ↑
    assert hygiene_rules.annual_grade(table, [1000, 889, 700]) == (AnnualGrade.B, 863)
    assert hygiene_rules.annual_grade(table, [700, 700]) == (AnnualGrade.C, 700)
    assert hygiene_rules.annual_grade(table, [600, 590]) == (None, 595)
    assert hygiene_rules.annual_grade(table, []) == (None, None)
    record(session, store, A_OFFICERS, failed=["5.1", "5.2"], days_ago=400)  # too old
    record(session, store, A_OFFICERS, failed=["5.1", "5.2"], days_ago=200)  # 88.9
    record(session, store, A_OFFICERS, days_ago=30)  # 100.0
    latest = record(session, store, A_OFFICERS, failed=["4.2"], days_ago=2)  # 94.4
    rating = hygiene.business_rating(session=session, business_id=store.id)
    assert rating is not None
    assert rating.inspected_on == latest.inspected_on and rating.grade is HygieneGrade.EXCELLENT
    assert rating.annual_count == 3
    assert rating.annual_score == 94.4  # (889 + 1000 + 944) / 3 = 944.3
    assert rating.annual is AnnualGrade.A


def test_backfill_scores_the_inspections_without_a_score(session: Session, store: Business) -> None:
    first = record(session, store, A_OFFICERS, failed=["4.2"])
    second = record(session, store, A_OFFICERS)
    session.execute(delete(HygieneScore))
    session.flush()
    assert hygiene.backfill_all(session=session, actor=SYSTEM) == 2
    assert _score(session, first.id).score_tenths == 944
    assert _score(session, second.id).score_tenths == 1000
    assert hygiene.backfill_all(session=session, actor=SYSTEM) == 0  # nothing left
