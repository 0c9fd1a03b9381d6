"""Enforcement cases (立案查处) filed from rectification orders, their 90-day decision clock,
and penalty decisions (行政处罚决定) with field-specific validation and public display."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from rectification_helpers import inspect, order_of
from sqlalchemy.orm import Session

from helpers import principal_of, store_of_station, tiny_pdf
from sunshine.cases import clocks
from sunshine.cases.calendar import is_workday
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.core.errors import ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.evidence import Upload
from sunshine.core.time import today_local
from sunshine.inspections import public, rectification
from sunshine.inspections import rectification_penalties as penalties
from sunshine.inspections.rectification_enums import OrderState, PublicStatus

ALL = frozenset(rectification.FILING_CONDITIONS)


def _overdue_order(session: Session):  # type: ignore[no-untyped-def]
    store = store_of_station(session, "chief_a")
    return order_of(session, inspect(session, store, {"5.1": "油污"}, days_ago=20, rectify_in=5))


def _file(session: Session, order, by: str = "chief_a", **changes: object):  # type: ignore[no-untyped-def]
    form = rectification.FilingForm(
        expected_version=order.version, facts="逾期未整改，后厨卫生持续不达标", conditions=ALL
    )
    return rectification.file_case(
        session=session,
        actor=principal_of(session, by),
        order_id=order.id,
        form=replace(form, **changes),  # type: ignore[arg-type]
    )


def _ninety_days_on(day):  # type: ignore[no-untyped-def]
    """Filing day + 90 calendar days, moved to the next working day (limits.PERIOD_COUNTING)."""
    due = day + timedelta(days=90)
    while not is_workday(due):
        due += timedelta(days=1)
    return due


def test_an_overdue_order_is_filed_with_a_ninety_day_decision_clock(session: Session) -> None:
    order = _overdue_order(session)
    case = _file(session, order)
    assert case.kind is CaseKind.ENFORCEMENT and case.state is CaseState.RECEIVED
    assert case.reference.startswith("LA") and case.business_id == order.business_id
    assert case.due_limit_key == "case.decide"
    assert case.received_on == today_local()
    assert case.due_on == _ninety_days_on(today_local())
    assert order.state is OrderState.FILED and order.case_id == case.id
    assert order.reference in case.summary and "5.1" in case.summary
    assert rectification.public_status(order, today_local()) is PublicStatus.FILED
    extended = clocks.extend_clock(
        session=session,
        actor=principal_of(session, "leader"),
        case_id=case.id,
        reason="案情复杂，需补充调查",
    )
    assert extended.due_on is not None and extended.due_on >= case.received_on + timedelta(days=120)


def test_filing_needs_the_head_every_condition_and_a_reason_to_file(session: Session) -> None:
    order = _overdue_order(session)
    with pytest.raises(ForbiddenError):
        _file(session, order, by="inspector_a")
    with pytest.raises(ValidationFailed) as exc:
        _file(session, order, facts=" ", conditions=frozenset({"evidence"}))
    fields = {p.field for p in exc.value.problems}
    assert fields == {
        "facts",
        "conditions.penalty_due",
        "conditions.jurisdiction",
        "conditions.limitation",
    }
    fresh = order_of(
        session, inspect(session, store_of_station(session, "chief_a"), {"5.1": "油污"})
    )
    with pytest.raises(ValidationFailed) as exc:
        _file(session, fresh)
    assert [p.field for p in exc.value.problems] == ["order"]
    assert fresh.state is OrderState.OPEN


def test_a_serious_finding_may_be_filed_before_its_deadline(session: Session) -> None:
    store = store_of_station(session, "chief_a")
    order = order_of(session, inspect(session, store, {"4.2": "健康证明过期"}))
    case = _file(session, order)
    assert case.kind is CaseKind.ENFORCEMENT


def _penalty(**changes: object) -> penalties.PenaltyForm:
    form = penalties.PenaltyForm(
        number="成锦市监处罚〔2026〕18号",
        penalty_types=["warning", "fine"],
        fine_yuan="5000",
        violation="经责令改正逾期未改正",
        violated_law="《中华人民共和国食品安全法》",
        violated_article="第五十五条",
        penalty_law="《中华人民共和国食品安全法》",
        penalty_article="第一百二十六条第一款",
        decided_on=(today_local() - timedelta(days=5)).isoformat(),
        served_on=(today_local() - timedelta(days=3)).isoformat(),
        documents=[Upload("决定书.pdf", io.BytesIO(tiny_pdf()))],
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def test_a_penalty_decision_is_recorded_and_published_without_personal_data(
    session: Session,
) -> None:
    case = _file(session, _overdue_order(session))
    chief = principal_of(session, "chief_a")
    decision = penalties.record_penalty(
        session=session, actor=chief, case_id=case.id, form=_penalty()
    )
    assert decision.fine_yuan == Decimal("5000.00") and decision.penalty_types == [
        "warning",
        "fine",
    ]
    assert [
        d.id for d in penalties.penalties_of(session=session, actor=chief, case_id=case.id)
    ] == [decision.id]
    store = store_of_station(session, "chief_a")
    [shown] = public.store_inspections(session=session, code=store.public_code).penalties
    assert shown.number == decision.number and shown.types == ["警告", "罚款"]
    assert shown.fine_yuan == Decimal("5000.00") and "第一百二十六条" in shown.basis
    assert not hasattr(shown, "violation")


def test_penalty_problems_are_named_by_field(session: Session) -> None:
    case = _file(session, _overdue_order(session))
    chief = principal_of(session, "chief_a")
    bad = _penalty(
        fine_yuan="-100",
        penalty_law=" ",
        violated_article="",
        decided_on=(today_local() - timedelta(days=2)).isoformat(),
        served_on=(today_local() - timedelta(days=4)).isoformat(),
        executed_on=today_local().isoformat(),
    )
    with pytest.raises(ValidationFailed) as exc:
        penalties.record_penalty(session=session, actor=chief, case_id=case.id, form=bad)
    problems = {p.field: p.text for p in exc.value.problems}
    assert problems["fine_yuan"] == "an amount cannot be negative"
    assert problems["penalty_law"] == "Required" and problems["violated_article"] == "Required"
    assert problems["served_on"] == "a decision is served on or after the day it is made"
    assert penalties.penalties_of(session=session, actor=chief, case_id=case.id) == []


def test_penalty_types_amounts_and_detention(session: Session) -> None:
    case = _file(session, _overdue_order(session))
    chief = principal_of(session, "chief_a")
    cases = {
        "no fine amount": (_penalty(fine_yuan=""), "fine_yuan"),
        "amount without its type": (
            _penalty(penalty_types=["warning"], confiscated_income_yuan="300"),
            "confiscated_income_yuan",
        ),
        "detention": (_penalty(penalty_types=["detention"], fine_yuan=""), "penalty_types"),
        "no type": (_penalty(penalty_types=[], fine_yuan=""), "penalty_types"),
        "executed before served": (
            _penalty(served_on="", executed_on=today_local().isoformat()),
            "executed_on",
        ),
        "not a date": (_penalty(decided_on="2026-13-40"), "decided_on"),
        "future": (
            _penalty(decided_on=(today_local() + timedelta(days=1)).isoformat()),
            "decided_on",
        ),
    }
    for name, (form, field) in cases.items():
        with pytest.raises(ValidationFailed) as exc:
            penalties.record_penalty(session=session, actor=chief, case_id=case.id, form=form)
        assert field in {p.field for p in exc.value.problems}, name
    penalties.record_penalty(session=session, actor=chief, case_id=case.id, form=_penalty())
    with pytest.raises(ValidationFailed) as exc:
        penalties.record_penalty(session=session, actor=chief, case_id=case.id, form=_penalty())
    assert [p.field for p in exc.value.problems] == ["number"]


def test_another_stations_officers_see_no_enforcement_case(session: Session) -> None:
    case = _file(session, _overdue_order(session))
    for name in ("inspector_b", "chief_b"):
        other = principal_of(session, name)
        with pytest.raises(NotFoundError):
            penalties.enforcement_case(session=session, actor=other, case_id=case.id)
        with pytest.raises(NotFoundError):
            penalties.record_penalty(session=session, actor=other, case_id=case.id, form=_penalty())
        listed = penalties.list_enforcement_cases(
            session=session, actor=other, page=rectification.PageRequest(1, 50)
        )
        assert all(c.id != case.id for c, _, _ in listed.items)
    own = penalties.list_enforcement_cases(
        session=session,
        actor=principal_of(session, "chief_a"),
        page=rectification.PageRequest(1, 50),
    )
    assert [c.id for c, _, _ in own.items] == [case.id]
