"""Case statistics: volumes by kind and month, response times in working days (median and
90th percentile, nearest rank), overdue rates by area and kind, all grouped in SQL and
scoped to the viewer's jurisdiction."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from helpers import api_token, open_station_case, principal_of
from sunshine.auth.principal import Principal
from sunshine.cases import repository as repo
from sunshine.cases import service, statistics
from sunshine.cases.calendar import add_workdays
from sunshine.cases.enums import CaseAction, CaseKind
from sunshine.cases.models import Case
from sunshine.cases.service import Step
from sunshine.core.errors import ForbiddenError
from sunshine.core.time import SHANGHAI, today_local

A = CaseAction


def _act(
    session: Session, actor: Principal, case: Case, action: CaseAction, **extra: object
) -> Case:
    step = Step(action=action, expected_version=case.version, **extra)  # type: ignore[arg-type]
    return service.act(session=session, actor=actor, case_id=case.id, step=step)


def _date_last_event(session: Session, case: Case, when: datetime) -> None:
    event = repo.last_event(session, case.id)
    assert event is not None
    event.occurred_at = when
    session.flush()


def _local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def chief(session: Session) -> Principal:
    return principal_of(session, "chief_a")


@pytest.fixture
def accepted_after(session: Session, chief: Principal) -> dict[int, Case]:
    """Three complaints received ten working days ago, accepted after 2, 5 and 9 working
    days (the last one just after midnight in China, still the evening before in UTC)."""
    out = {}
    for days in (2, 5, 9):
        case = open_station_case(session, kind="complaint", received_workdays_ago=10)
        case = _act(session, chief, case, A.ACCEPT)
        day = add_workdays(case.received_on, count=days)
        when = _local(day)
        if days == 9:
            when = datetime.combine(day - timedelta(days=1), time(16, 30), tzinfo=UTC)
        _date_last_event(session, case, when)
        out[days] = case
    return out


def test_a_step_counts_on_the_local_day_it_happened(
    session: Session, chief: Principal, accepted_after: dict[int, Case]
) -> None:
    late = accepted_after[9]
    rows = repo.first_step_days(
        session,
        scope=Case.id == late.id,
        since=late.received_on,
        action="accept",
    )
    assert rows == [
        (CaseKind.COMPLAINT, late.received_on, add_workdays(late.received_on, count=9), 1)
    ]


def test_response_times_are_medians_and_90th_percentiles_in_working_days(
    session: Session, chief: Principal, accepted_after: dict[int, Case]
) -> None:
    lead = open_station_case(session, kind="lead", received_workdays_ago=12)
    for action, extra in (
        (A.ACCEPT, {}),
        (A.ASSIGN, {"assignee_id": chief.user_id}),
        (A.START_VERIFYING, {}),
        (A.HANDLE, {"reason": "已责令整改"}),
        (A.CLOSE, {}),
    ):
        lead = _act(session, chief, lead, action, **extra)
    closed_on = add_workdays(lead.received_on, count=11)
    lead.closed_at = _local(closed_on, 15)
    accept_on = add_workdays(lead.received_on, count=1)
    first_accept = service.timeline(session=session, actor=chief, case_id=lead.id)[1]
    first_accept.occurred_at = _local(accept_on)
    session.flush()

    stats = statistics.case_statistics(session=session, actor=chief)
    by_kind = {r.kind: r for r in stats.response}
    complaints = by_kind[CaseKind.COMPLAINT].to_acceptance
    assert (complaints.count, complaints.median, complaints.p90) == (3, 5, 9)
    assert by_kind[CaseKind.COMPLAINT].to_closing.count == 0
    leads = by_kind[CaseKind.LEAD]
    assert (leads.to_acceptance.median, leads.to_closing.median, leads.to_closing.p90) == (
        1,
        11,
        11,
    )
    everything = by_kind[None].to_acceptance
    assert (everything.count, everything.median, everything.p90) == (4, 2, 9)
    assert by_kind[CaseKind.REPORT].to_acceptance.median is None


def test_volumes_by_month_and_kind(session: Session, chief: Principal) -> None:
    opened = [
        open_station_case(session, kind=kind, received_workdays_ago=ago)
        for kind, ago in (("complaint", 0), ("complaint", 30), ("report", 30), ("lead", 60))
    ]
    stats = statistics.case_statistics(session=session, actor=chief, months=6)
    assert len(stats.months) == 6 and stats.months[-1] == (today_local().year, today_local().month)
    expected: dict[tuple[CaseKind, tuple[int, int]], int] = {}
    for case in opened:
        key = (case.kind, (case.received_on.year, case.received_on.month))
        expected[key] = expected.get(key, 0) + 1
    for (kind, month), n in expected.items():
        assert stats.volumes[kind][stats.months.index(month)] == n
    assert sum(stats.monthly_totals) == 4


def test_overdue_rates_by_area_and_kind(session: Session, chief: Principal) -> None:
    overdue = open_station_case(session, kind="complaint", received_workdays_ago=10)
    open_station_case(session, kind="complaint", received_workdays_ago=1)
    open_station_case(session, kind="report", received_workdays_ago=1)
    service.sweep_clocks(session=session)  # finds the first one overdue
    stats = statistics.case_statistics(session=session, actor=chief)
    assert [r.key for r in stats.by_area] == [overdue.township_code]
    area = stats.by_area[0]
    assert area.name and (area.received, area.open, area.overdue, area.missed) == (3, 3, 1, 1)
    assert area.overdue_rate == pytest.approx(1 / 3)
    kinds = {r.key: r for r in stats.by_kind}
    assert (kinds["complaint"].open, kinds["complaint"].overdue) == (2, 1)
    assert kinds["complaint"].overdue_rate == pytest.approx(0.5)
    assert (kinds["report"].overdue, kinds["report"].overdue_rate) == (0, 0.0)
    county = statistics.case_statistics(session=session, actor=principal_of(session, "inspector_a"))
    assert county.area_level.value == "township"
    assert overdue.township_code in {r.key for r in county.by_area}


def test_a_neighbour_counts_nothing_of_it(session: Session, chief: Principal) -> None:
    open_station_case(session, kind="complaint", received_workdays_ago=10)
    neighbour = statistics.case_statistics(
        session=session, actor=principal_of(session, "inspector_b")
    )
    assert sum(neighbour.monthly_totals) == 0
    assert neighbour.by_area == [] and neighbour.by_kind == []
    assert all(r.to_acceptance.count == 0 for r in neighbour.response)
    with pytest.raises(ForbiddenError):
        statistics.case_statistics(session=session, actor=principal_of(session, "owner_a"))


def test_statistics_through_the_api(client: TestClient, session: Session) -> None:
    case = open_station_case(session, kind="report", received_workdays_ago=3)
    session.commit()
    answer = client.get("/api/v1/case-statistics", headers=api_token(client, "chief_a"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["volumes"]) == 12
    assert sum(v["counts"]["report"] for v in body["volumes"]) == 1
    assert body["by_area"][0]["key"] == case.township_code
    assert {r["kind"] for r in body["response_times_working_days"]} == {
        None,
        "complaint",
        "report",
        "lead",
        "sampling",
        "enforcement",
        "recall",
    }
    neighbour = client.get("/api/v1/case-statistics", headers=api_token(client, "inspector_b"))
    assert neighbour.json()["by_area"] == []
    assert (
        client.get(
            "/api/v1/case-statistics?months=0", headers=api_token(client, "chief_a")
        ).status_code
        == 422
    )
    assert (
        client.get("/api/v1/case-statistics", headers=api_token(client, "owner_a")).status_code
        == 403
    )
    assert client.get("/api/v1/case-statistics").status_code == 401
