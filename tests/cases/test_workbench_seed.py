"""The demo's cases: a mix of kinds and states, some overdue, with dated timelines made by
the real services (so the clocks agree with the timelines)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.cases import repository as repo
from sunshine.cases.clocks import running_clock, set_due
from sunshine.cases.demo import seed_cases
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import Case, CaseEvent
from sunshine.core.time import to_local


def _seed(session: Session, demo: Demo, per_county: int) -> list[Case]:
    before = session.execute(select(func.coalesce(func.max(Case.id), 0))).scalar_one()
    seed_cases(
        session=session,
        rng=random.Random("cases-7"),
        today=demo.today,
        counties=demo.counties,
        per_county=per_county,
    )
    return list(session.execute(select(Case).where(Case.id > before)).scalars())


def test_the_demo_cases_are_a_realistic_mix(session: Session, demo: Demo) -> None:
    cases = _seed(session, demo, per_county=24)
    assert len(cases) == 48
    assert {c.county_code for c in cases} == set(demo.counties)
    # Failed-sample cases are opened by the sampling demo, from its failed samples, and
    # enforcement cases by the rectification demo, from overdue orders.
    assert {c.kind for c in cases} == set(CaseKind) - {
        CaseKind.SAMPLING,
        CaseKind.ENFORCEMENT,
        CaseKind.RECALL,
    }
    states = {c.state for c in cases}
    assert {CaseState.RECEIVED, CaseState.ACCEPTED, CaseState.VERIFYING} <= states
    assert {CaseState.CLOSED, CaseState.REJECTED} <= states
    overdue = [c for c in cases if c.due_on is not None and c.due_on < demo.today]
    assert overdue, "some cases are overdue"
    assert any(c.escalations for c in overdue), "the sweep escalated overdue cases"
    assert any(c.due_on is not None and c.due_on >= demo.today for c in cases)


def test_timelines_are_dated_in_order_and_the_clocks_agree(session: Session, demo: Demo) -> None:
    cases = _seed(session, demo, per_county=12)
    for case in cases:
        events = list(repo.events_of(session, case.id))
        assert events[0].action == "receive"
        assert to_local(events[0].occurred_at).date() == case.received_on
        moments = [e.occurred_at for e in events]
        assert moments == sorted(moments)
        ids = [e.id for e in events]
        assert ids == sorted(ids), f"{case.reference}: steps out of order"
        if case.state is CaseState.CLOSED:
            assert case.closed_at is not None
            assert to_local(case.closed_at).date() <= demo.today
        due, key = case.due_on, case.due_limit_key
        set_due(session=session, case=case)  # recomputed from the dated timeline
        assert (case.due_on, case.due_limit_key) == (due, key)
        if case.state in (CaseState.CLOSED, CaseState.REJECTED):
            assert running_clock(session=session, case=case) is None
    worked = [c for c in cases if c.state is CaseState.CLOSED]
    assert worked
    spans = [
        to_local(max(e.occurred_at for e in repo.events_of(session, c.id))).date() - c.received_on
        for c in worked
    ]
    assert max(spans) > timedelta(days=3)


def test_the_same_seed_gives_the_same_cases(session: Session, demo: Demo) -> None:
    first = _seed(session, demo, per_county=10)
    second = _seed(session, demo, per_county=10)

    def shape(cases: list[Case]) -> list[tuple[object, ...]]:
        return [(c.kind, c.title, c.business_id, c.received_on) for c in cases]

    assert shape(first) == shape(second)
    events = session.execute(
        select(func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.case_id.in_([c.id for c in first]))
    ).scalar_one()
    assert events > len(first)
