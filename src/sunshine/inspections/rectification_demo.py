"""The demo's rectification orders and enforcement: around county A, an open order for
owner_a's store (to answer in the enterprise portal), an answered one awaiting review
(store A2, answered by owner_a2 with photos), two overdue orders of other county-A
caterers, one of them filed (立案) by the city bureau's leader with a fine decided and
served (the demo's station has only stores A1 and A2). Everything goes through the
real services; the inspections are backdated so the deadlines have passed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.principal import Principal
from sunshine.core.evidence import Upload
from sunshine.core.time import SHANGHAI, utc_now
from sunshine.inspections import checklists, rectification, service
from sunshine.inspections import rectification_penalties as penalties
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.models import Inspection
from sunshine.inspections.service import InspectionForm, ItemAnswer, Signature
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business

__all__ = ["SeededRectification", "seed_rectification"]


@dataclass(frozen=True)
class SeededRectification:
    orders: int
    cases: int
    penalties: int


def _principal(session: Session, username: str) -> Principal | None:
    user = auth_repo.get_user_by_username(session, username)
    return auth_service.principal_for(session, user) if user is not None else None


def _image(colour: str, name: str) -> Upload:
    image = Image.new("RGB", (320, 240), colour)
    for x in range(40, 280):
        image.putpixel((x, 120), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    buffer.seek(0)
    return Upload(name, buffer)


def _inspect(
    session: Session,
    *,
    actor: Principal,
    officers: list[int],
    business_id: int,
    failed: dict[str, str],
    days_ago: int,
    rectify_in: int,
) -> Inspection | None:
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    if current is None:
        return None
    shown = checklists.view(session=session, actor=actor, checklist_id=current.id)
    answers = [
        ItemAnswer(item.code, ItemOutcome.FAIL, failed[item.code])
        if item.code in failed
        else ItemAnswer(item.code, ItemOutcome.PASS)
        for _, items in shown.sections
        for item in items
    ]
    finished = utc_now() - timedelta(days=days_ago, hours=2)
    started = finished - timedelta(hours=1)
    form = InspectionForm(
        business_id=business_id,
        checklist_id=current.id,
        kind=InspectionKind.ROUTINE,
        started_at=started,
        finished_at=finished,
        inspector_ids=officers,
        answers=answers,
        representative_name="店长",
        rectify_by=started.astimezone(SHANGHAI).date() + timedelta(days=rectify_in),
        signatures=[
            *(Signature(u, _image("white", "signature.jpg")) for u in officers),
            Signature(None, _image("white", "signature.jpg")),
        ],
    )
    return service.record_inspection(session=session, actor=actor, form=form)


def _county_stores(session: Session, county: str, avoid: set[int]) -> list[int]:
    stmt = (
        select(Business.id)
        .where(
            Business.county_code == county,
            Business.operating_status == OperatingStatus.OPERATING,
        )
        .order_by(Business.id.desc())
    )
    return [b for b in session.execute(stmt).scalars() if b not in avoid]


def seed_rectification(*, session: Session, today: date) -> SeededRectification:
    inspector = _principal(session, "inspector_a")
    partner = _principal(session, "officer_a1")  # added by inspections.demo.seed_plans
    chief = _principal(session, "city_leader")  # heads decide on filing (art. 18)
    owner = _principal(session, "owner_a")
    neighbour = _principal(session, "owner_a2")
    if None in (inspector, partner, chief, owner, neighbour):
        return SeededRectification(0, 0, 0)
    assert inspector and partner and chief and owner and neighbour
    officers = [inspector.user_id or 0, partner.user_id or 0]
    orders = cases = decided = 0

    def inspect(
        business_id: int, failed: dict[str, str], days_ago: int, rectify_in: int
    ) -> int | None:
        done = _inspect(
            session,
            actor=inspector,
            officers=officers,
            business_id=business_id,
            failed=failed,
            days_ago=days_ago,
            rectify_in=rectify_in,
        )
        order = repo.order_of_inspection(session, done.id) if done else None
        return order.id if order else None

    # owner_a's store: an open order to answer in the enterprise portal.
    if owner.business_id and inspect(
        owner.business_id,
        {"5.1": "后厨地面有油污积水", "8.3": "粗加工区垃圾桶未加盖"},
        days_ago=3,
        rectify_in=10,
    ):
        orders += 1
    # Store A2: answered with photos, awaiting the regulator's desk review.
    if neighbour.business_id and neighbour.business_id != owner.business_id:
        order_id = inspect(
            neighbour.business_id, {"4.4": "厨师未戴工作帽"}, days_ago=8, rectify_in=7
        )
        if order_id:
            orders += 1
            order = repo.get_order(session, order_id=order_id, scope=true())
            items = repo.items_of_order(session, order_id)
            if order is not None:
                rectification.answer_order(
                    session=session,
                    actor=neighbour,
                    order_id=order_id,
                    form=rectification.AnswerForm(
                        expected_version=order.version,
                        items=[
                            rectification.ItemAnswerForm(
                                row.id,
                                "已为全部厨师配发工作帽并开展个人卫生培训",
                                [_image("#2e7d32", "工作帽.jpg")],
                            )
                            for row, _ in items
                        ],
                    ),
                )
    # Two other caterers of county A: overdue orders, the second filed with a fine.
    county = inspector.jurisdiction_code or ""
    avoid = {b for b in (owner.business_id, neighbour.business_id) if b}
    stores = (_county_stores(session, county, avoid) * 2)[:2]  # a small county: one store twice
    overdue = [
        inspect(
            store,
            {"9.2": "消毒柜损坏未修复", "5.2": "排烟罩油垢严重"},
            days_ago=30 + 20 * n,
            rectify_in=10,
        )
        for n, store in enumerate(stores)
    ]
    orders += sum(1 for o in overdue if o)
    if len(overdue) == 2 and overdue[1]:
        order = repo.get_order(session, order_id=overdue[1], scope=true())
        if order is not None:
            case = rectification.file_case(
                session=session,
                actor=chief,
                order_id=order.id,
                form=rectification.FilingForm(
                    expected_version=order.version,
                    facts="经责令限期整改，逾期未改正：消毒设施损坏、排烟罩油垢严重，涉嫌违反食品安全法第三十三条。",
                    conditions=frozenset(rectification.FILING_CONDITIONS),
                ),
            )
            cases += 1
            penalties.record_penalty(
                session=session,
                actor=chief,
                case_id=case.id,
                form=penalties.PenaltyForm(
                    number=f"川市监罚〔{today.year}〕{case.id:03d}号",
                    penalty_types=["warning", "fine"],
                    fine_yuan="5000",
                    violation="餐具消毒设施损坏未修复、排烟设施未定期清洁，经责令改正逾期未改正。",
                    violated_law="《中华人民共和国食品安全法》",
                    violated_article="第三十三条第一款第（二）项",
                    penalty_law="《中华人民共和国食品安全法》",
                    penalty_article="第一百二十六条第一款第（五）项",
                    decided_on=(today - timedelta(days=2)).isoformat(),
                    served_on=(today - timedelta(days=1)).isoformat(),
                ),
            )
            decided += 1
    return SeededRectification(orders=orders, cases=cases, penalties=decided)
