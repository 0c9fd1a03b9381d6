"""The workbench's queue pages (``page_cases``) against a plain reading of their rules.

``page_cases`` reads pages from indexes, splits a scope made of alternatives into parts
and merges them, and stops counting the closed queue: whatever it does, every page must
hold exactly the cases the rules say, in the queue's order, with the right size.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.auth import access
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.cases import repository as repo
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import CLOSED_QUEUE_STATES, Case
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business

TODAY = date(2026, 11, 30)
DUE_SOON_UNTIL = TODAY + timedelta(days=2)
LIMIT = 5
REGULATORS = ("leader", "city_leader", "inspector_a", "chief_a")
_PLACE = {
    RegionLevel.PROVINCE: "province_code",
    RegionLevel.PREFECTURE: "prefecture_code",
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "township_code",
}


def _cases(session: Session, n: int) -> list[Case]:
    """``n`` cases in every state, near the demo accounts' offices, some handled by an
    office outside the place's jurisdiction (transferred or escalated) both ways."""
    rng = random.Random(7)
    chief = principal_of(session, "chief_a")
    station = session.get(OrgUnit, chief.org_unit_id)
    assert station is not None and station.parent_id is not None
    near = list(
        session.execute(
            select(Business).where(Business.county_code == station.region_code[:6]).limit(40)
        ).scalars()
    )
    near.append(
        session.execute(
            select(Business).where(Business.township_code == station.region_code).limit(1)
        ).scalar_one()
    )
    far = list(
        session.execute(
            select(Business).where(Business.prefecture_code != station.region_code[:4] + "00")
        )
        .scalars()
        .all()[:20]
    )
    units = list(session.execute(select(OrgUnit.id)).scalars())
    officers = list(session.execute(select(User.id).where(User.org_unit_id.is_not(None))).scalars())
    cases = []
    for i in range(n):
        business = rng.choice(near if rng.random() < 0.8 else far)
        state = rng.choice(list(CaseState))
        office = rng.choice(units) if rng.random() < 0.15 else station.id
        received = TODAY - timedelta(days=rng.randint(0, 60))
        open_ = state not in CLOSED_QUEUE_STATES
        cases.append(
            Case(
                reference=f"TQ{i:06d}",
                kind=rng.choice(list(CaseKind)),
                state=state,
                title="t",
                summary="s",
                business_id=business.id,
                province_code=business.province_code,
                prefecture_code=business.prefecture_code,
                county_code=business.county_code,
                township_code=business.township_code,
                org_unit_id=office,
                assignee_id=rng.choice([None, chief.user_id, *officers[:3]]),
                received_on=received,
                state_since=received + timedelta(days=rng.randint(0, 3)),
                # Ties on purpose: the id decides between equal dates.
                due_on=TODAY + timedelta(days=rng.randint(-4, 6))
                if open_ and rng.random() < 0.8
                else None,
            )
        )
    session.add_all(cases)
    session.flush()
    return cases


def _expected(
    session: Session, cases: list[Case], who: Principal, queue: repo.CaseQueue
) -> list[Case]:
    level, code = who.jurisdiction_level, who.jurisdiction_code
    assert level is not None and code is not None
    offices = {u.id for u in regions_repo.org_units_within(session, level=level, code=code)}
    seen = [c for c in cases if getattr(c, _PLACE[level]) == code or c.org_unit_id in offices]
    if queue.name == "closed":
        chosen = [c for c in seen if c.state in CLOSED_QUEUE_STATES]
        chosen.sort(key=lambda c: (c.state_since, c.id), reverse=True)
        return [c for c in chosen if _filtered(c, queue)]
    chosen = [c for c in seen if c.state not in CLOSED_QUEUE_STATES and _filtered(c, queue)]
    if queue.name == "overdue":
        chosen = [c for c in chosen if c.due_on is not None and c.due_on < TODAY]
    elif queue.name == "due_soon":
        chosen = [c for c in chosen if c.due_on is not None and TODAY <= c.due_on <= DUE_SOON_UNTIL]
    elif queue.name == "mine":
        chosen = [c for c in chosen if c.assignee_id == queue.assignee_id]
    return sorted(chosen, key=lambda c: (c.due_on is None, c.due_on or TODAY, c.received_on, c.id))


def _filtered(case: Case, queue: repo.CaseQueue) -> bool:
    return (queue.kind is None or case.kind is queue.kind) and (
        queue.state is None or case.state is queue.state
    )


@pytest.mark.parametrize("who", REGULATORS)
def test_every_queue_page_holds_the_right_cases_in_order(
    session: Session, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    _cases(session, 240)
    cases = list(session.execute(select(Case)).scalars())  # with any the demo holds
    monkeypatch.setattr(repo, "CLOSED_COUNT_CAP", 12)  # small enough to be reached here
    principal = principal_of(session, who)
    queues = [
        repo.CaseQueue(
            name=name,
            kind=kind,
            state=state,
            assignee_id=principal.user_id if name == "mine" else None,
        )
        for name in ("open", "due_soon", "overdue", "mine", "closed")
        for kind in (None, CaseKind.COMPLAINT)
        for state in (
            (None, CaseState.REJECTED) if name == "closed" else (None, CaseState.VERIFYING)
        )
    ]
    checked = 0
    for queue in queues:
        expected = _expected(session, cases, principal, queue)
        for offset in (0, LIMIT, 3 * LIMIT, 1000):
            rows, total = repo.page_cases(
                session,
                scope=access.case_condition(principal),
                queue=queue,
                today=TODAY,
                due_soon_until=DUE_SOON_UNTIL,
                offset=offset,
                limit=LIMIT,
            )
            where = f"{who} {queue} offset {offset}"
            assert [c.id for c in rows] == [c.id for c in expected[offset : offset + LIMIT]], where
            cap = repo.count_cap_of(queue)
            assert total == (len(expected) if cap is None else min(len(expected), cap + 1)), where
            checked += len(rows)
    assert checked > 100  # the data reached every kind of page


def test_only_the_closed_queue_has_a_count_cap() -> None:
    closed = repo.CaseQueue(name="closed")
    assert repo.count_cap_of(closed) == repo.CLOSED_COUNT_CAP
    assert repo.count_cap_of(repo.CaseQueue(name="open")) is None


@pytest.mark.parametrize("name", ["open", "closed"])
@pytest.mark.parametrize("how", ["narrowed_by", "in the scope", "as an OR in the scope"])
def test_further_conditions_narrow_the_queue(session: Session, name: str, how: str) -> None:
    _cases(session, 120)
    cases = list(session.execute(select(Case)).scalars())
    principal = principal_of(session, "inspector_a")
    queue = repo.CaseQueue(name=name)
    station = principal_of(session, "chief_a").org_unit_id
    expected = [c for c in _expected(session, cases, principal, queue) if c.org_unit_id == station]
    condition = Case.org_unit_id == station
    if how == "as an OR in the scope":  # as a text filter is: a second OR after the scope's
        condition = or_(Case.org_unit_id == station, Case.assignee_id == -1)
    scope = access.case_condition(principal)
    rows, total = repo.page_cases(
        session,
        scope=and_(scope, condition) if how != "narrowed_by" else scope,
        queue=queue,
        today=TODAY,
        due_soon_until=DUE_SOON_UNTIL,
        offset=0,
        limit=200,
        narrowed_by=[condition] if how == "narrowed_by" else (),
    )
    assert expected and [c.id for c in rows] == [c.id for c in expected]
    assert total == len(expected)
