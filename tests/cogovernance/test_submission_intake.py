"""The intake queue: submissions checked without the database, written a batch at a time,
answered with receipt codes only after the commit, and registered exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from helpers import store_of_station
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.complaints.service import ComplaintForm
from sunshine.cogovernance.reports.service import ReportForm
from sunshine.cogovernance.submissions import committer, service
from sunshine.cogovernance.submissions.models import IntakeOutcome, SubmissionIntake
from sunshine.cogovernance.submissions.service import Accepted, Incoming, Refused
from sunshine.core.errors import ValidationFailed
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business

HOTLINE = service.Sender(client_id=1, name="12345", hourly_limit=1000)
COMPLAINT = ComplaintForm(
    category="spoiled_food",
    desired_outcome="refund",
    description="外卖送到的凉菜有酸味，疑似变质。",
    name="刘洋",
    phone="13811112222",
)


def _complaint(store: Business, **changes: str) -> Incoming:
    form = ComplaintForm(**{**COMPLAINT.__dict__, **changes})  # type: ignore[arg-type]
    return service.check_complaint(sender=HOTLINE, form=form, store_code=store.public_code)


def _count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_bad_submissions_are_refused_before_any_batch() -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.check_complaint(
            sender=HOTLINE,
            form=ComplaintForm(
                category="x", desired_outcome="refund", description="", name="", phone="1"
            ),
            store_code="",
        )
    assert {p.field for p in caught.value.problems} == {"category", "description", "name", "phone"}
    with pytest.raises(ValidationFailed):
        service.check_report(sender=HOTLINE, form=ReportForm(category="hygiene", description="脏"))


def test_a_batch_is_written_at_once_and_each_sender_gets_its_own_answer(
    session: Session,
) -> None:
    store = store_of_station(session, "chief_a")
    assert store.township_code is not None
    items = [
        _complaint(store),
        service.check_complaint(sender=HOTLINE, form=COMPLAINT, store_code="NOSUCH99"),
        service.check_report(
            sender=HOTLINE,
            form=ReportForm(
                category="unlicensed",
                description="无证流动摊点",
                region_code=store.township_code,
                address="菜市场东门",
            ),
        ),
        service.check_report(
            sender=HOTLINE,
            form=ReportForm(
                category="unlicensed", description="无证", region_code="999999", address="某处"
            ),
        ),
    ]
    outcomes = service.accept_batch(session=session, items=items)
    assert [type(o) for o in outcomes] == [Accepted, Refused, Accepted, Refused]
    refused = outcomes[1]
    assert isinstance(refused, Refused) and refused.error.problems[0].field == "store_code"
    rows = session.execute(select(SubmissionIntake)).scalars().all()
    assert len(rows) == 2 and all(r.processed_at is None for r in rows)
    assert all("刘洋" not in r.payload_ciphertext for r in rows)


def test_registration_stores_each_submission_exactly_once(session: Session) -> None:
    store = store_of_station(session, "chief_a")
    outcomes = service.accept_batch(session=session, items=[_complaint(store) for _ in range(5)])
    codes = {o.receipt_code for o in outcomes if isinstance(o, Accepted)}
    first = service.process_pending(session=session)
    again = service.process_pending(session=session)
    assert (first.stored, again.stored) == (5, 0)
    stored = set(
        session.execute(
            select(Complaint.receipt_code).where(Complaint.receipt_code.in_(codes))
        ).scalars()
    )
    assert stored == codes
    statuses = {service.intake_of(session=session, receipt_code=c).outcome for c in codes}  # type: ignore[union-attr]
    assert statuses == {IntakeOutcome.STORED}


def test_a_store_closed_in_between_leaves_the_submission_refused_with_its_reason(
    session: Session,
) -> None:
    store = store_of_station(session, "chief_a")
    (accepted,) = service.accept_batch(session=session, items=[_complaint(store)])
    assert isinstance(accepted, Accepted)
    store.operating_status = OperatingStatus.CLOSED
    session.flush()
    result = service.process_pending(session=session)
    assert (result.stored, result.refused) == (0, 1)
    row = service.intake_of(session=session, receipt_code=accepted.receipt_code)
    assert row is not None and row.outcome is IntakeOutcome.REFUSED and row.error


def test_concurrent_senders_share_batches_and_all_are_registered(
    session: Session, db: sessionmaker[Session]
) -> None:
    store = store_of_station(session, "chief_a")
    session.commit()
    batches: list[int] = []

    def write(items: Sequence[Incoming]) -> list[Accepted | Refused]:
        batches.append(len(items))
        return committer.write_batch(items)

    group = committer.GroupCommitter(write=write, max_batch=20)

    async def send_all() -> list[Accepted | Refused]:
        return await asyncio.gather(*(group.submit(_complaint(store)) for _ in range(45)))

    before = _count(session, Complaint)
    outcomes = asyncio.run(send_all())
    assert all(isinstance(o, Accepted) for o in outcomes)
    assert sum(batches) == 45 and len(batches) <= 5 and max(batches) == 20
    session.expire_all()
    # Registration ran after each commit (jobs run at once in the tests).
    assert _count(session, Complaint) - before == 45


def test_a_sender_over_its_hourly_allowance_is_throttled_per_submission(
    session: Session,
) -> None:
    store = store_of_station(session, "chief_a")
    small = service.Sender(client_id=2, name="app", hourly_limit=3)
    items = [
        service.check_complaint(sender=small, form=COMPLAINT, store_code=store.public_code)
        for _ in range(5)
    ]
    outcomes = service.accept_batch(session=session, items=items)
    assert [type(o) for o in outcomes] == [Accepted] * 3 + [Refused] * 2
    refused = outcomes[-1]
    assert isinstance(refused, Refused) and refused.error.status == 429
