"""The demo's inspection plans, 双随机 draw and tasks around county A: a few more officers
for its bureau and chief_a's station (the directory a draw needs), this year's plans of the
province, county A and the station, a conflict of interest, a published draw of the
station's businesses with its tasks (two already inspected, so the plan shows progress and
the public page shows results) and a task a case asked for, for inspector_a and chief_a.

Everything goes through the real services; the draw's seed is derived from the demo's seed
so the demo is the same each time (a real draw's seed comes from the operating system).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image
from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.core.evidence import Upload
from sunshine.core.time import SHANGHAI, utc_now
from sunshine.inspections import checklists, conflicts, draws, plans, service, tasks
from sunshine.inspections import plan_repository as repo
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.plan_models import RandomDraw
from sunshine.inspections.service import InspectionForm, ItemAnswer, Signature

__all__ = ["SeededPlans", "seed_plans"]

#: Officers added to the demo directory: (username, name, office of which account).
_OFFICERS = (
    ("officer_a1", "执法员张伟", "inspector_a"),
    ("officer_a2", "执法员李娜", "inspector_a"),
    ("officer_s1", "执法员王强", "chief_a"),
    ("officer_s2", "执法员刘洋", "chief_a"),
)


@dataclass(frozen=True)
class SeededPlans:
    plans: int
    draw_reference: str | None
    tasks: int
    inspections: int


def _principal(session: Session, username: str) -> Principal | None:
    user = auth_repo.get_user_by_username(session, username)
    return auth_service.principal_for(session, user) if user is not None else None


def _add_officers(session: Session) -> None:
    for username, name, colleague in _OFFICERS:
        template = auth_repo.get_user_by_username(session, colleague)
        if template is None or auth_repo.get_user_by_username(session, username) is not None:
            continue
        session.add(
            User(
                username=username,
                display_name=name,
                password_hash=template.password_hash,  # the demo password, hashed once
                role=Role.INSPECTOR,
                org_unit_id=template.org_unit_id,
            )
        )
    session.flush()


def _png(shade: int) -> Upload:
    image = Image.new("RGB", (240, 90), "white")
    for x in range(20, 220):
        image.putpixel((x, 45 + (x * 7) % 13 - 6), (shade, shade, shade))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return Upload("signature.png", buffer)


def _inspect(
    session: Session, *, actor: Principal, business_id: int, officers: list[int], failed: str | None
) -> None:
    """An inspection by ``officers`` recorded by ``actor`` this morning: every item passed,
    or one key item failed with a rectification deadline."""
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    if current is None:
        return
    shown = checklists.view(session=session, actor=actor, checklist_id=current.id)
    answers = [
        ItemAnswer(item.code, ItemOutcome.FAIL, "两名厨师健康证明已过期")
        if item.code == failed
        else ItemAnswer(item.code, ItemOutcome.PASS)
        for _, items in shown.sections
        for item in items
    ]
    finished = utc_now() - timedelta(minutes=30)
    form = InspectionForm(
        business_id=business_id,
        checklist_id=current.id,
        kind=InspectionKind.ROUTINE,
        started_at=finished - timedelta(hours=1),
        finished_at=finished,
        inspector_ids=officers,
        answers=answers,
        representative_name="店长",
        rectify_by=finished.astimezone(SHANGHAI).date() + timedelta(days=10) if failed else None,
        signatures=[*(Signature(u, _png(20)) for u in officers), Signature(None, _png(70))],
    )
    service.record_inspection(session=session, actor=actor, form=form)


def seed_plans(*, session: Session, seed: int, today: date) -> SeededPlans:
    admin = _principal(session, "admin")
    chief = _principal(session, "chief_a")
    inspector = _principal(session, "inspector_a")
    if admin is None or chief is None or inspector is None or chief.org_unit_id is None:
        return SeededPlans(0, None, 0, 0)
    _add_officers(session)
    made = [
        plans.make_plan(session=session, actor=admin, year=today.year),
        plans.make_plan(
            session=session, actor=admin, year=today.year, org_unit_id=inspector.org_unit_id
        ),
        plans.make_plan(session=session, actor=chief, year=today.year),
    ]
    station = repo.operating_businesses(
        session,
        level=made[2].region_level,
        code=made[2].region_code,
        area_level=made[2].region_level,
    )
    officer = _principal(session, "officer_s1")
    if station and officer is not None:
        conflicts.declare_conflict(
            session=session,
            actor=officer,
            business_id=station[-1][0],
            reason="本人配偶在该店担任厨师长",
        )
    draw = _draw(session, chief=chief, seed=seed, today=today, businesses=len(station))
    inspected = 0
    if draw is not None:
        entries = [e for e in repo.entries_of(session, draw.id) if len(e.inspector_ids) >= 2]
        for entry, failed in zip(entries[:2], (None, "4.2"), strict=False):
            actor = _principal_by_id(session, entry.inspector_ids[0])
            if actor is not None:
                _inspect(
                    session,
                    actor=actor,
                    business_id=entry.business_id,
                    officers=list(entry.inspector_ids),
                    failed=failed,
                )
                inspected += 1
    case_tasks = _case_task(session, chief=chief, inspector=inspector, today=today)
    return SeededPlans(
        plans=len(made),
        draw_reference=draw.reference if draw else None,
        tasks=(draw.drawn_count if draw else 0) + case_tasks,
        inspections=inspected,
    )


def _principal_by_id(session: Session, user_id: int) -> Principal | None:
    user = auth_repo.get_user(session, user_id)
    return auth_service.principal_for(session, user) if user is not None else None


def _draw(
    session: Session, *, chief: Principal, seed: int, today: date, businesses: int
) -> RandomDraw | None:
    """The station's first draw of the year: a third of its businesses, published."""
    if businesses == 0:
        return None
    request = draws.DrawRequest(
        title=f"{today.year}年第一批“双随机、一公开”监督检查",
        filters=draws.DrawFilters(),
        quantity_kind=draws.PERCENT,
        quantity="30",
        due_on=today + timedelta(days=45),
        group_size=2,
    )
    demo_seed = hashlib.sha256(f"sunshine-demo-draw-{seed}".encode()).hexdigest()
    made = draws.create_draw(session=session, actor=chief, request=request, seed=demo_seed)
    return draws.publish_draw(session=session, actor=chief, draw_id=made.id)


def _case_task(session: Session, *, chief: Principal, inspector: Principal, today: date) -> int:
    """A case of the station asks for an inspection by inspector_a and chief_a."""
    case = repo.open_case_with_business(session, township_code=chief.jurisdiction_code or "")
    if case is None or repo.open_task_of_case(session, case.id) is not None:
        return 0
    due = case.due_on if case.due_on and case.due_on >= today else today + timedelta(days=10)
    ids = [inspector.user_id or 0, chief.user_id or 0]
    tasks.create_task_from_case(
        session=session, actor=chief, case_id=case.id, due_on=due, inspector_ids=ids
    )
    return 1
