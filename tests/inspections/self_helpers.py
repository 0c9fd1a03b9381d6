"""Builders shared by the self-inspection tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.principal import SYSTEM
from sunshine.core.evidence import Upload
from sunshine.core.time import SHANGHAI
from sunshine.inspections import checklists
from sunshine.inspections import repository as checklist_repo
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import Checklist
from sunshine.inspections.self_rules import SelfCheckFrequency
from sunshine.inspections.self_service import SelfAnswer, SelfInspectionForm, SelfPhoto
from sunshine.registry.models import Business

P, F, NA = ItemOutcome.PASS, ItemOutcome.FAIL, ItemOutcome.NOT_APPLICABLE


def load_checklist(session: Session) -> Checklist:
    checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    return current


def all_codes(session: Session, checklist: Checklist) -> list[str]:
    return [item.code for item in checklist_repo.items_of(session, checklist.id)]


def key_codes(session: Session, checklist: Checklist) -> list[str]:
    return [item.code for item in checklist_repo.items_of(session, checklist.id) if item.key]


def photo(name: str = "problem.jpg", size: tuple[int, int] = (64, 48)) -> Upload:
    image = Image.new("RGB", size, (200, 80, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    buffer.seek(0)
    return Upload(name, buffer)


def form(
    business: Business,
    codes: Sequence[str],
    frequency: SelfCheckFrequency = SelfCheckFrequency.DAILY,
    *,
    failed: dict[str, str] | None = None,
    not_applicable: Sequence[str] = (),
    due: dict[str, date] | None = None,
    photos: Sequence[SelfPhoto] = (),
) -> SelfInspectionForm:
    failed, due = failed or {}, due or {}
    answers = []
    for code in codes:
        if code in failed:
            answers.append(SelfAnswer(code, F, failed[code], due.get(code)))
        elif code in not_applicable:
            answers.append(SelfAnswer(code, NA))
        else:
            answers.append(SelfAnswer(code, P))
    return SelfInspectionForm(
        business_id=business.id,
        frequency=frequency,
        answers=answers,
        checked_by_name="食品安全员小王",
        photos=photos,
    )


def at(day: date, hour: int = 10) -> datetime:
    """A moment of ``day`` in Shanghai (the demo records past checks with it)."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def business_of(session: Session, business_id: int) -> Business:
    found = session.execute(select(Business).where(Business.id == business_id)).scalar_one()
    return found
