"""The workbench's queues with filters and tab counts, the case file (clock, legal basis,
the steps the viewer may take) and the clock's stops and extensions checked against the
version the handler saw."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import open_station_case, principal_of
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.cases import service, workbench
from sunshine.cases.calendar import add_workdays
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.limits import PauseKind
from sunshine.cases.models import Case
from sunshine.cases.repository import CaseQueue, WorkbenchFilter
from sunshine.cases.service import Step
from sunshine.core.errors import ConflictError, ForbiddenError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.regions.enums import RegionLevel

A = CaseAction


def _ids(session: Session, actor: Principal, queue: str = "open", **filters: object) -> list[int]:
    kind = filters.pop("kind", None)
    state = filters.pop("state", None)
    bench = workbench.list_workbench(
        session=session,
        actor=actor,
        queue=CaseQueue(name=queue, kind=kind, state=state),  # type: ignore[arg-type]
        filters=WorkbenchFilter(**filters),  # type: ignore[arg-type]
        page=PageRequest(1, 200),
    )
    return [row.case.id for row in bench.page.items]


def _accept(session: Session, actor: Principal, case: Case) -> Case:
    step = Step(action=A.ACCEPT, expected_version=case.version)
    return service.act(session=session, actor=actor, case_id=case.id, step=step)


@pytest.fixture
def chief(session: Session) -> Principal:
    return principal_of(session, "chief_a")


@pytest.fixture
def cases(session: Session, chief: Principal) -> dict[str, Case]:
    """Four cases of chief_a's station: overdue, due soon, recent (accepted, assigned to
    the chief) and closed-out (rejected)."""
    overdue = open_station_case(session, kind="complaint", received_workdays_ago=10)
    due_soon = open_station_case(session, kind="complaint", received_workdays_ago=6)
    fresh = open_station_case(session, kind="report", received_workdays_ago=0)
    fresh = _accept(session, chief, fresh)
    fresh = service.act(
        session=session,
        actor=chief,
        case_id=fresh.id,
        step=Step(action=A.ASSIGN, expected_version=fresh.version, assignee_id=chief.user_id),
    )
    rejected = open_station_case(session, kind="lead", received_workdays_ago=1)
    service.act(
        session=session,
        actor=chief,
        case_id=rejected.id,
        step=Step(action=A.REJECT, expected_version=rejected.version, reason="重复线索"),
    )
    return {"overdue": overdue, "due_soon": due_soon, "fresh": fresh, "rejected": rejected}


def test_queues_hold_what_their_names_say_most_urgent_first(
    session: Session, chief: Principal, cases: dict[str, Case]
) -> None:
    mine = {c.id for c in cases.values()}
    open_ids = [i for i in _ids(session, chief) if i in mine]
    assert open_ids == [cases["overdue"].id, cases["due_soon"].id, cases["fresh"].id]
    assert [i for i in _ids(session, chief, "overdue") if i in mine] == [cases["overdue"].id]
    assert [i for i in _ids(session, chief, "due_soon") if i in mine] == [cases["due_soon"].id]
    assert [i for i in _ids(session, chief, "mine") if i in mine] == [cases["fresh"].id]
    assert [i for i in _ids(session, chief, "closed") if i in mine] == [cases["rejected"].id]
    accepted_or_assigned = _ids(session, chief, state=CaseState.ASSIGNED)
    assert cases["fresh"].id in accepted_or_assigned
    assert cases["overdue"].id not in accepted_or_assigned


def test_tab_counts_match_the_queues(
    session: Session, chief: Principal, cases: dict[str, Case]
) -> None:
    bench = workbench.list_workbench(
        session=session,
        actor=chief,
        queue=CaseQueue(),
        filters=WorkbenchFilter(),
        page=PageRequest(1, 1),
    )
    counts = bench.counts
    for name in ("open", "due_soon", "overdue", "mine"):
        assert getattr(counts, name) == len(_ids(session, chief, name)), name
    assert counts.by_state[CaseState.RECEIVED] == len(
        _ids(session, chief, state=CaseState.RECEIVED)
    )
    assert counts.overdue >= 1 and CaseState.REJECTED not in counts.by_state
    assert bench.page.total == counts.open and len(bench.page.items) == 1


def test_rows_say_how_urgent_a_case_is(
    session: Session, chief: Principal, cases: dict[str, Case]
) -> None:
    bench = workbench.list_workbench(
        session=session,
        actor=chief,
        queue=CaseQueue(),
        filters=WorkbenchFilter(),
        page=PageRequest(1, 200),
    )
    rows = {row.case.id: row for row in bench.page.items}
    assert rows[cases["overdue"].id].urgency == "overdue"
    assert rows[cases["due_soon"].id].urgency == "due_soon"
    assert rows[cases["fresh"].id].urgency is None
    assert rows[cases["fresh"].id].assignee == chief.display_name
    assert rows[cases["fresh"].id].business  # the store's name
    assert rows[cases["fresh"].id].unit.endswith("市场监管所")


def test_filters_narrow_the_queue(
    session: Session, chief: Principal, cases: dict[str, Case]
) -> None:
    fresh = cases["fresh"]
    assert _ids(session, chief, kind=CaseKind.REPORT) == [fresh.id]
    assert _ids(session, chief, text=fresh.reference[:12].lower()) == [fresh.id]
    titled = _ids(session, chief, text="卫生")
    assert {cases["overdue"].id, fresh.id} <= set(titled)
    assert _ids(session, chief, text="100%_x") == []  # wildcards are taken literally
    assert _ids(session, chief, assignee_id=chief.user_id) == [fresh.id]
    assert set(_ids(session, chief, org_unit_id=chief.org_unit_id)) >= {fresh.id}
    township = (RegionLevel.TOWNSHIP, fresh.township_code)
    assert fresh.id in _ids(session, chief, area=township)
    elsewhere = (RegionLevel.COUNTY, "510000")
    assert _ids(session, chief, area=elsewhere) == []


def test_a_neighbouring_county_sees_none_of_it(session: Session, cases: dict[str, Case]) -> None:
    neighbour = principal_of(session, "inspector_b")
    ours = {c.id for c in cases.values()}
    for name in ("open", "due_soon", "overdue", "mine", "closed"):
        assert not ours & set(_ids(session, neighbour, name))
    county_a = principal_of(session, "inspector_a")
    assert ours <= {i for q in ("open", "closed") for i in _ids(session, county_a, q)}


def test_businesses_and_the_public_have_no_workbench(session: Session) -> None:
    with pytest.raises(ForbiddenError):
        workbench.list_workbench(
            session=session,
            actor=principal_of(session, "owner_a"),
            queue=CaseQueue(),
            filters=WorkbenchFilter(),
            page=PageRequest(),
        )


def test_the_case_file_shows_the_clock_its_law_and_the_next_steps(
    session: Session, chief: Principal, cases: dict[str, Case]
) -> None:
    case = cases["overdue"]
    file = workbench.case_file(session=session, actor=chief, case_id=case.id)
    assert file.clock is not None
    assert file.clock.rule.key == "complaint.accept" and file.clock.state == "overdue"
    assert file.clock.working_days_left is not None and file.clock.working_days_left < 0
    assert file.clock.rule.basis.regulation.startswith("《市场监督管理投诉举报处理")
    assert A.ACCEPT in file.actions and A.REJECT in file.actions
    assert A.REJECT in file.reason_required and A.ACCEPT not in file.reason_required
    assert file.transfer_targets and all(u.id != case.org_unit_id for u in file.transfer_targets)
    assert [t.event.action for t in file.timeline] == ["receive"]
    assert file.timeline[0].actor == "所长A"
    inspector = principal_of(session, "inspector_a")
    seen_by_inspector = workbench.case_file(session=session, actor=inspector, case_id=case.id)
    assert A.ACCEPT in seen_by_inspector.actions and A.REJECT not in seen_by_inspector.actions

    fresh = workbench.case_file(session=session, actor=chief, case_id=cases["fresh"].id)
    assert fresh.assignee == chief.display_name
    assert [t.event.action for t in fresh.timeline] == ["receive", "accept", "assign"]
    assert fresh.timeline[-1].assignee == chief.display_name
    assert chief.user_id in {a.id for a in fresh.assignees}
    assert fresh.clock is not None and PauseKind.TESTING in fresh.clock.pause_kinds
    assert not fresh.can_extend  # a station chief does not approve extensions
    done = workbench.case_file(session=session, actor=chief, case_id=cases["rejected"].id)
    assert done.clock is None and A.REOPEN not in done.actions


def _usernames(session: Session, people: list[workbench.Assignee]) -> set[str]:
    return {session.get(User, p.id).username for p in people}  # type: ignore[union-attr]


def test_assignees_are_the_officers_who_handle_cases(session: Session, chief: Principal) -> None:
    leader = principal_of(session, "city_leader")
    # A city bureau's pickers: its own officers and the counties' (one level down).
    usernames = _usernames(session, workbench.assignees(session=session, actor=leader))
    assert {"inspector_a", "inspector_b"} <= usernames
    assert not {"chief_a", "chief_b", "leader", "city_leader"} & usernames
    # Narrowed to a station, the station's officers.
    station = workbench.assignees(session=session, actor=leader, office_id=chief.org_unit_id)
    assert _usernames(session, station) == {"chief_a"}
    # An officer the queue is filtered by is listed too.
    chosen = workbench.assignees(session=session, actor=leader, chosen_id=chief.user_id)
    assert "chief_a" in _usernames(session, chosen)
    own = workbench.assignees(session=session, actor=chief)
    assert [p.id for p in own] == [chief.user_id]


def test_assignee_pickers_show_nobody_outside_the_jurisdiction(
    session: Session, chief: Principal
) -> None:
    other = principal_of(session, "chief_b")
    assert workbench.assignees(session=session, actor=other, office_id=chief.org_unit_id) == []
    assert workbench.assignees(session=session, actor=other, chosen_id=chief.user_id) == [
        p for p in workbench.assignees(session=session, actor=other)
    ]


def test_a_new_officer_is_offered_once_created(session: Session, chief: Principal) -> None:
    from sunshine.auth import service as auth_service
    from sunshine.auth.enums import Role

    admin = principal_of(session, "admin")
    before = workbench.assignees(session=session, actor=chief)
    session.commit()  # the pickers are cached until the staff changes
    user = auth_service.create_user(
        session=session,
        actor=admin,
        data=auth_service.NewUser(
            username="officer_new",
            display_name="新所员",
            password="Officer#2026-new",
            role=Role.STATION_CHIEF,
            org_unit_id=chief.org_unit_id,
        ),
    )
    session.commit()
    after = workbench.assignees(session=session, actor=chief)
    assert [p.id for p in after] != [p.id for p in before]
    assert user.id in [p.id for p in after]


def test_clock_steps_check_the_version_seen(session: Session, chief: Principal) -> None:
    case = open_station_case(session, kind="report", received_workdays_ago=4)
    seen = case.version
    with pytest.raises(ConflictError):
        workbench.pause(
            session=session,
            actor=chief,
            case_id=case.id,
            expected_version=seen - 1,
            kind=PauseKind.TESTING,
            reason="送检",
            start_on=None,
        )
    workbench.pause(
        session=session,
        actor=chief,
        case_id=case.id,
        expected_version=seen,
        kind=PauseKind.TESTING,
        reason="送检",
        start_on=add_workdays(today_local(), count=-1),
    )
    assert case.due_on is None and case.version > seen
    file = workbench.case_file(session=session, actor=chief, case_id=case.id)
    assert file.clock is not None and file.clock.state == "paused"
    assert file.clock.open_pause is not None
    with pytest.raises(ConflictError):
        workbench.resume(
            session=session, actor=chief, case_id=case.id, expected_version=seen, end_on=None
        )
    workbench.resume(
        session=session, actor=chief, case_id=case.id, expected_version=case.version, end_on=None
    )
    assert case.due_on is not None
    leader = principal_of(session, "leader")
    with pytest.raises(ValidationFailed):
        workbench.extend(
            session=session,
            actor=leader,
            case_id=case.id,
            expected_version=case.version,
            reason=" ",
        )
    workbench.extend(
        session=session,
        actor=leader,
        case_id=case.id,
        expected_version=case.version,
        reason="案情复杂，需进一步核查",
    )
    file = workbench.case_file(session=session, actor=leader, case_id=case.id)
    assert [x.approver for x in file.extensions] == ["省局领导"]
    assert file.clock is not None and not file.clock.extendable
    actions = [t.event.action for t in file.timeline]
    assert actions == ["receive", "pause", "resume", "extend"]


def test_working_days_left_count_the_holiday_calendar() -> None:
    from datetime import date

    # National Day 2026: 1-7 October are holidays (Saturday 10 October is a make-up workday).
    assert workbench.working_days_left(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert workbench.working_days_left(date(2026, 10, 9), date(2026, 9, 30)) == -2
    assert workbench.working_days_left(date(2026, 9, 30), date(2026, 9, 30)) == 0


def test_no_one_outside_the_jurisdiction_opens_the_file(
    session: Session, cases: dict[str, Case]
) -> None:
    from sunshine.core.errors import NotFoundError

    neighbour = principal_of(session, "chief_b")
    with pytest.raises(NotFoundError):
        workbench.case_file(session=session, actor=neighbour, case_id=cases["fresh"].id)
    with pytest.raises(NotFoundError):
        workbench.pause(
            session=session,
            actor=neighbour,
            case_id=cases["fresh"].id,
            expected_version=cases["fresh"].version,
            kind=PauseKind.TESTING,
            reason="x",
            start_on=None,
        )
    user = session.execute(select(User).where(User.username == "chief_b")).scalar_one()
    assert user.id == neighbour.user_id
