"""Builders shared by the plan, draw and task tests: officers of an office, inspections
recorded through the real service, draws of a station."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import SYSTEM
from sunshine.core.evidence import Upload
from sunshine.core.time import today_local, utc_now
from sunshine.inspections import checklists, draws, service
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.models import Inspection
from sunshine.inspections.plan_models import RandomDraw
from sunshine.inspections.service import InspectionForm, ItemAnswer, Signature
from sunshine.regions.models import OrgUnit
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business


def office_of(session: Session, username: str) -> OrgUnit:
    unit_id = principal_of(session, username).org_unit_id
    unit = session.get(OrgUnit, unit_id)
    assert unit is not None
    return unit


def add_officer(
    session: Session, *, username: str, unit: OrgUnit, role: Role = Role.INSPECTOR
) -> User:
    """An officer account of ``unit`` (signs in with the demo password, as the bench's)."""
    template = session.execute(select(User).where(User.username == "chief_a")).scalar_one()
    user = User(
        username=username,
        display_name=f"执法{username[-2:]}",
        password_hash=template.password_hash,
        role=role,
        org_unit_id=unit.id,
    )
    session.add(user)
    session.flush()
    return user


def station_businesses(session: Session, username: str) -> list[Business]:
    """The operating businesses of the township of ``username``'s station, by id."""
    unit = office_of(session, username)
    stmt = (
        select(Business)
        .where(
            Business.township_code == unit.region_code,
            Business.operating_status == OperatingStatus.OPERATING,
        )
        .order_by(Business.id)
    )
    return list(session.execute(stmt).scalars())


def _png(shade: int) -> Upload:
    image = Image.new("RGB", (200, 80), "white")
    for x in range(20, 180):
        image.putpixel((x, 40 + (x % 9)), (shade, shade, shade))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return Upload("signature.png", buffer)


def record(
    session: Session,
    *,
    by: str,
    business: Business,
    officers: list[str],
    kind: InspectionKind = InspectionKind.ROUTINE,
    days_ago: int = 0,
    task_id: int | None = None,
) -> Inspection:
    """An inspection (every item passed) recorded by ``by`` with ``officers`` through the
    real service, ``days_ago`` days ago."""
    if checklists.in_force(session=session, code="catering", province_code="510000") is None:
        checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=current.id)
    answers = [
        ItemAnswer(item.code, ItemOutcome.PASS) for _, items in shown.sections for item in items
    ]
    ids = [principal_of(session, name).user_id or 0 for name in officers]
    finished = utc_now() - timedelta(days=days_ago, minutes=10)
    form = InspectionForm(
        business_id=business.id,
        checklist_id=current.id,
        kind=kind,
        started_at=finished - timedelta(hours=1),
        finished_at=finished,
        inspector_ids=ids,
        answers=answers,
        representative_name="李店长",
        signatures=[*(Signature(i, _png(0)) for i in ids), Signature(None, _png(60))],
        task_id=task_id,
    )
    return service.record_inspection(session=session, actor=principal_of(session, by), form=form)


def station_draw(
    session: Session,
    *,
    by: str = "chief_a",
    quantity: str = "100",
    kind: str = draws.PERCENT,
    group_size: int = 2,
    filters: draws.DrawFilters | None = None,
    seed: str | None = None,
) -> RandomDraw:
    request = draws.DrawRequest(
        title="2026年第一批双随机抽查",
        filters=filters or draws.DrawFilters(),
        quantity_kind=kind,
        quantity=quantity,
        due_on=today_local() + timedelta(days=60),
        group_size=group_size,
    )
    return draws.create_draw(
        session=session, actor=principal_of(session, by), request=request, seed=seed
    )
