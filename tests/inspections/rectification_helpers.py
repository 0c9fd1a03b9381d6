"""Builders of the rectification and enforcement tests: inspections recorded through the
real service (with failed items and a deadline), answers with evidence, filed cases."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from plan_helpers import add_officer, office_of
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of, signatures, tiny_pdf
from sunshine.auth.models import User
from sunshine.auth.principal import SYSTEM
from sunshine.core.evidence import Upload
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, rectification, service
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.models import Inspection
from sunshine.inspections.rectification_models import RectificationOrder
from sunshine.inspections.service import InspectionForm, ItemAnswer
from sunshine.registry.models import Business

PARTNER = "officer_rect"  # a second officer of county A's bureau (inspections need two)


def store_a(session: Session) -> Business:
    """owner_a's store (county A)."""
    business_id = principal_of(session, "owner_a").business_id
    business = session.get(Business, business_id)
    assert business is not None
    return business


def _partner(session: Session) -> str:
    found = session.execute(select(User).where(User.username == PARTNER)).scalar_one_or_none()
    if found is None:
        add_officer(session, username=PARTNER, unit=office_of(session, "inspector_a"))
    return PARTNER


def inspect(
    session: Session,
    business: Business,
    failed: dict[str, str] | None = None,
    *,
    kind: InspectionKind = InspectionKind.ROUTINE,
    days_ago: int = 0,
    rectify_in: int = 10,
) -> Inspection:
    """An inspection of a county-A business by inspector_a and a colleague, ``days_ago``
    days ago; failed items get a deadline ``rectify_in`` days after the inspection."""
    if checklists.in_force(session=session, code="catering", province_code="510000") is None:
        checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=current.id)
    failed = failed or {}
    answers = [
        ItemAnswer(item.code, ItemOutcome.FAIL, failed[item.code])
        if item.code in failed
        else ItemAnswer(item.code, ItemOutcome.PASS)
        for _, items in shown.sections
        for item in items
    ]
    ids = [principal_of(session, n).user_id or 0 for n in ("inspector_a", _partner(session))]
    finished = utc_now() - timedelta(days=days_ago, minutes=10)
    started = finished - timedelta(hours=1)
    form = InspectionForm(
        business_id=business.id,
        checklist_id=current.id,
        kind=kind,
        started_at=started,
        finished_at=finished,
        inspector_ids=ids,
        answers=answers,
        representative_name="李店长",
        signatures=signatures(ids),
        rectify_by=to_local(started).date() + timedelta(days=rectify_in) if failed else None,
    )
    return service.record_inspection(
        session=session, actor=principal_of(session, "inspector_a"), form=form
    )


def order_of(session: Session, inspection: Inspection) -> RectificationOrder:
    order = repo.order_of_inspection(session, inspection.id)
    assert order is not None
    return order


def photo(name: str = "fixed.jpg", colour: str = "green") -> Upload:
    image = Image.new("RGB", (64, 48), colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    buffer.seek(0)
    return Upload(name, buffer)


def pdf(name: str = "training.pdf") -> Upload:
    return Upload(name, io.BytesIO(tiny_pdf()))


def answer_all(
    session: Session, order: RectificationOrder, *, by: str = "owner_a"
) -> RectificationOrder:
    """The business answers every item with a photo and a PDF."""
    items = repo.items_of_order(session, order.id)
    form = rectification.AnswerForm(
        expected_version=order.version,
        items=[
            rectification.ItemAnswerForm(row.id, "已更换并培训，附照片和培训记录", [photo(), pdf()])
            for row, _ in items
        ],
    )
    return rectification.answer_order(
        session=session, actor=principal_of(session, by), order_id=order.id, form=form
    )
