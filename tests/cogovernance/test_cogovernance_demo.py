"""The demo's co-governance activity goes through the real services."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.cogovernance.complaints.enums import ComplaintState
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.demo import seed_cogovernance
from sunshine.cogovernance.reports.models import Report, WhistleblowerProfile


def test_the_demo_shows_every_step_of_the_ladder(session: Session, demo: Demo) -> None:
    seeded = seed_cogovernance(
        session=session,
        seed=7,
        today=demo.today,
        counties=demo.counties,
        owner_store_id=demo.account("owner_a")["business_id"],
    )
    assert seeded.complaints > 0 and seeded.reports > 0 and seeded.policies > 0
    states = set(session.execute(select(Complaint.state)).scalars())
    assert {
        ComplaintState.WITH_MERCHANT,
        ComplaintState.WITH_HEAD,
        ComplaintState.WITH_REGULATOR,
        ComplaintState.RESOLVED,
    } <= states
    owner_store = demo.account("owner_a")["business_id"]
    assert session.execute(
        select(func.count()).select_from(Complaint).where(Complaint.business_id == owner_store)
    ).scalar_one()
    assert session.execute(select(func.count()).select_from(Report)).scalar_one() == seeded.reports
    assert session.execute(select(func.count()).select_from(WhistleblowerProfile)).scalar_one() == 1
