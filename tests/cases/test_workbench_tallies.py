"""The tabs' counts are cached per jurisdiction and retired by every change of a case that
jurisdiction sees, so a count shown is never older than the last committed change."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from helpers import open_station_case, principal_of
from sunshine.auth.principal import Principal
from sunshine.cases import service, workbench
from sunshine.cases.enums import CaseAction
from sunshine.cases.repository import CaseQueue, WorkbenchFilter
from sunshine.cases.service import Step
from sunshine.core.cache import current_version
from sunshine.core.pagination import PageRequest
from sunshine.regions.models import OrgUnit


def _counts(session: Session, actor: Principal, **filters: Any) -> workbench.QueueCounts:
    return workbench.list_workbench(
        session=session,
        actor=actor,
        queue=CaseQueue(),
        filters=WorkbenchFilter(**filters),
        page=PageRequest(1, 5),
    ).counts


def _tally_statements(engine: Engine, run: Any) -> int:
    seen: list[str] = []

    def record(*args: Any) -> None:
        if "count(*)" in args[2] and "GROUP BY cases.state" in args[2]:
            seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


@pytest.fixture
def chief(session: Session) -> Principal:
    return principal_of(session, "chief_a")


def test_counts_are_read_once_then_from_the_cache(
    session: Session, engine: Engine, chief: Principal
) -> None:
    open_station_case(session, kind="complaint", received_workdays_ago=2)
    session.commit()
    first = _tally_statements(engine, lambda: _counts(session, chief))
    again = _tally_statements(engine, lambda: _counts(session, chief))
    # The jurisdiction's cases and the caller's own: counted the first time only.
    assert first == 2 and again == 0


def test_a_committed_change_shows_on_the_next_page(session: Session, chief: Principal) -> None:
    before = _counts(session, chief)
    case = open_station_case(session, kind="complaint", received_workdays_ago=0)
    session.commit()
    after = _counts(session, chief)
    assert after.open == before.open + 1
    step = Step(action=CaseAction.REJECT, expected_version=case.version, reason="不属于本所")
    service.act(session=session, actor=chief, case_id=case.id, step=step)
    session.commit()
    assert _counts(session, chief).open == before.open


def test_the_transaction_that_moves_cases_sees_its_own_counts(
    session: Session, chief: Principal
) -> None:
    before = _counts(session, chief)
    open_station_case(session, kind="report", received_workdays_ago=0)
    # Not committed: a page answered in the same transaction (a bulk assignment's) counts
    # the database it changed, not the cache.
    assert _counts(session, chief).open == before.open + 1
    session.rollback()
    assert _counts(session, chief).open == before.open


def test_an_assignment_shows_in_the_officer_s_own_count(session: Session, chief: Principal) -> None:
    case = open_station_case(session, kind="complaint", received_workdays_ago=0)
    session.commit()
    before = _counts(session, chief).mine
    accepted = service.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=Step(action=CaseAction.ACCEPT, expected_version=case.version),
    )
    service.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=Step(
            action=CaseAction.ASSIGN,
            expected_version=accepted.version,
            assignee_id=chief.user_id,
        ),
    )
    session.commit()
    assert _counts(session, chief).mine == before + 1


def test_a_change_elsewhere_keeps_a_township_s_counts(session: Session, chief: Principal) -> None:
    mine = current_version(f"cases:township:{chief.jurisdiction_code}")
    open_station_case(session, kind="complaint", received_workdays_ago=1, username="chief_b")
    session.commit()
    assert current_version(f"cases:township:{chief.jurisdiction_code}") == mine


def test_a_transfer_retires_the_counts_of_both_offices(session: Session, chief: Principal) -> None:
    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    session.commit()
    county = principal_of(session, "inspector_a")
    county_office = session.execute(
        select(OrgUnit).where(OrgUnit.id == county.org_unit_id)
    ).scalar_one()
    chief_counts = _counts(session, chief)
    county_counts = _counts(session, county, org_unit_id=county_office.id)
    station = f"cases:township:{chief.jurisdiction_code}"
    bureau = f"cases:county:{county.jurisdiction_code}"
    versions = (current_version(station), current_version(bureau))
    accepted = service.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=Step(action=CaseAction.ACCEPT, expected_version=case.version),
    )
    service.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=Step(
            action=CaseAction.TRANSFER,
            expected_version=accepted.version,
            reason="需县局处理",
            to_org_unit_id=county_office.id,
        ),
    )
    session.commit()
    assert current_version(station) != versions[0] and current_version(bureau) != versions[1]
    moved = _counts(session, county, org_unit_id=county_office.id)
    assert moved.open == county_counts.open + 1
    assert _counts(session, chief).open == chief_counts.open  # still placed in the township
