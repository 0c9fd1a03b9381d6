"""Yearly inspection plans: the rules as data with their sources, every business graded and
given the inspections its level asks for, totals by area and level, and progress counted
from the inspections recorded."""

from __future__ import annotations

import pytest
from plan_helpers import add_officer, office_of, record, station_businesses
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.enums import Role
from sunshine.core.errors import ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import plan_rules as rules
from sunshine.inspections import plans
from sunshine.inspections.enums import InspectionKind
from sunshine.inspections.plan_enums import RiskLevel, RuleStatus
from sunshine.inspections.plan_models import InspectionPlanItem
from sunshine.registry.enums import BusinessForm, BusinessScale, OperatingStatus
from sunshine.registry.models import Business


def test_every_form_and_scale_has_a_level_and_every_level_a_frequency() -> None:
    for form in BusinessForm:
        for scale in BusinessScale:
            matching = [r for r in rules.STATIC_LEVEL_RULES if r.matches(form, scale)]
            assert matching == [rules.static_level(form, scale)]  # exactly one rule each
    assert [(f.level, f.minimum, f.maximum) for f in rules.FREQUENCIES] == [
        (RiskLevel.A, 1, None),
        (RiskLevel.B, 1, 2),
        (RiskLevel.C, 2, 3),
        (RiskLevel.D, 3, 4),
    ]
    assert rules.FREQUENCIES[0].source.status is RuleStatus.CORROBORATED
    assert rules.static_level(BusinessForm.SCHOOL_CANTEEN, BusinessScale.MICRO).level is RiskLevel.D
    assert (
        rules.static_level(BusinessForm.CENTRAL_KITCHEN, BusinessScale.LARGE).level is RiskLevel.D
    )


def test_each_rule_names_its_source_and_the_inferred_ones_say_so() -> None:
    verified = {
        r.key: r for r in (rules.FULL_COVERAGE, rules.MIN_GROUP, rules.NO_REPEAT_AFTER_UPPER_LEVEL)
    }
    assert {k: (r.value, r.source.article) for k, r in verified.items()} == {
        "full_coverage_years": (2, "22"),
        "min_inspectors": (2, "23"),
        "no_repeat_months": (3, "42"),
    }
    assert all(r.source.status is RuleStatus.VERIFIED for r in verified.values())
    for rule in rules.STATIC_LEVEL_RULES:
        assert rule.source.where and rule.source.note
        if rule.source.status is RuleStatus.UNVERIFIED:
            assert "Inference" in rule.source.note
    corroborated = {
        r.key for r in rules.STATIC_LEVEL_RULES if r.source.status is RuleStatus.CORROBORATED
    }
    assert corroborated == {"special_groups", "large_collective"}


@pytest.fixture
def leader_a(session: Session) -> str:
    add_officer(
        session,
        username="leader_a",
        unit=office_of(session, "inspector_a"),
        role=Role.BUREAU_LEADER,
    )
    return "leader_a"


def _county_businesses(session: Session) -> list[Business]:
    county = office_of(session, "inspector_a").region_code
    stmt = select(Business).where(
        Business.county_code == county, Business.operating_status == OperatingStatus.OPERATING
    )
    return list(session.execute(stmt).scalars())


def test_a_plan_grades_every_operating_business_of_the_jurisdiction(
    session: Session, leader_a: str
) -> None:
    year = today_local().year
    plan = plans.make_plan(session=session, actor=principal_of(session, leader_a), year=year)
    county = _county_businesses(session)
    items = list(
        session.execute(
            select(InspectionPlanItem).where(InspectionPlanItem.plan_id == plan.id)
        ).scalars()
    )
    assert {i.business_id for i in items} == {b.id for b in county}
    by_id = {b.id: b for b in county}
    for item in items:
        rule = rules.static_level(by_id[item.business_id].form, by_id[item.business_id].scale)
        assert (item.level, item.rule_key) == (rule.level, rule.key)
        assert item.required == rules.frequency(rule.level).minimum
        assert item.area_code == by_id[item.business_id].township_code  # a county's areas
    assert plan.businesses == len(county) and plan.required == sum(i.required for i in items)
    # Grading again keeps one plan per office and year (audited both times).
    again = plans.make_plan(session=session, actor=principal_of(session, leader_a), year=year)
    assert again.id == plan.id
    actions = session.execute(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "inspection_plan")
        .order_by(AuditEntry.seq)
    ).scalars()
    assert list(actions) == ["plan.make", "plan.refresh"]


def test_progress_counts_the_inspections_of_the_year(session: Session, leader_a: str) -> None:
    actor = principal_of(session, leader_a)
    plan = plans.make_plan(session=session, actor=actor, year=today_local().year)
    before = plans.plan_board(session=session, actor=actor, plan_id=plan.id)
    assert before.total.done == 0 and before.total.required == plan.required
    assert before.coverage_due == plan.businesses
    business = station_businesses(session, "chief_a")[0]
    record(session, by="inspector_a", business=business, officers=["inspector_a", "chief_a"])
    record(
        session,
        by="inspector_a",
        business=business,
        officers=["inspector_a", "chief_a"],
        kind=InspectionKind.FOLLOW_UP,
    )
    after = plans.plan_board(session=session, actor=actor, plan_id=plan.id)
    assert after.total.done == 1  # the follow-up is not a planned inspection
    area = next(a for a in after.by_area if a.code == business.township_code)
    assert area.done == 1
    assert after.coverage_due == plan.businesses - 1
    lines = plans.plan_lines(
        session=session,
        actor=actor,
        plan_id=plan.id,
        area_code=None,
        level=None,
        behind=False,
        page=PageRequest(),
    )
    line = next(x for x in lines.items if x.business_id == business.id)
    assert line.done == 1 and line.name == business.name
    behind = plans.plan_lines(
        session=session,
        actor=actor,
        plan_id=plan.id,
        area_code=None,
        level=None,
        behind=True,
        page=PageRequest(),
    )
    assert (business.id in {x.business_id for x in behind.items}) == (line.done < line.required)
    assert len(behind.items) == behind.total < lines.total
    assert sum(t.businesses for t in after.by_level) == plan.businesses


def test_inspectors_read_plans_but_do_not_make_them_and_neighbours_see_none(
    session: Session, leader_a: str
) -> None:
    year = today_local().year
    with pytest.raises(ForbiddenError):
        plans.make_plan(session=session, actor=principal_of(session, "inspector_a"), year=year)
    with pytest.raises(ValidationFailed):
        plans.make_plan(session=session, actor=principal_of(session, leader_a), year=year + 5)
    plan = plans.make_plan(session=session, actor=principal_of(session, leader_a), year=year)
    inspector = principal_of(session, "inspector_a")
    assert [p.id for p in plans.visible_plans(session=session, actor=inspector, year=year)] == [
        plan.id
    ]
    assert (
        plans.plan_board(session=session, actor=inspector, plan_id=plan.id).total.businesses
        == plan.businesses
    )
    neighbour = principal_of(session, "inspector_b")
    assert plans.visible_plans(session=session, actor=neighbour, year=year) == []
    with pytest.raises(NotFoundError):
        plans.plan_board(session=session, actor=neighbour, plan_id=plan.id)
    # The province sees the county's plan; a station makes its own.
    assert plan.id in {
        p.id
        for p in plans.visible_plans(
            session=session, actor=principal_of(session, "leader"), year=year
        )
    }
    station_plan = plans.make_plan(
        session=session, actor=principal_of(session, "chief_a"), year=year
    )
    count = session.execute(
        select(func.count())
        .select_from(InspectionPlanItem)
        .where(InspectionPlanItem.plan_id == station_plan.id)
    ).scalar_one()
    assert count == len(station_businesses(session, "chief_a"))
