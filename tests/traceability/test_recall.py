"""Batch recalls (批次召回): fan-out to every holder the forward trace finds, with a notice
and a to-do each, acknowledgement and reports, the case, scope, and the automatic recall
when a sample of a batch the ledger knows fails."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from trace_helpers import build_network, move

from helpers import principal_of
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import to_local, today_local, utc_now
from sunshine.ingredients.enums import LicenceState, ProductCategory
from sunshine.ingredients.models import LedgerLine, Supplier
from sunshine.notifications.models import Notification
from sunshine.registry.models import Business
from sunshine.sampling import service as sampling
from sunshine.sampling.forms import ItemForm, ReportForm, SampleForm
from sunshine.traceability import recall
from sunshine.traceability.lots import lot_id
from sunshine.traceability.recall_enums import HolderStatus, RecallLevel, RecallOrigin
from sunshine.traceability.recall_models import Recall, RecallHolder


def _failed_sample(business_id: int) -> SampleForm:
    """A sample of 自制辣椒酱 batch 20261101 whose lead exceeds the limit."""
    return SampleForm(
        business_id=business_id,
        product_name="自制辣椒酱",
        category="condiment",
        batch_number="20261101",
        production_date=(today_local() - timedelta(days=20)).isoformat(),
        sampled_at=to_local(utc_now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        sampling_place="后厨调料间",
        sampling_agency="锦江区市场监督管理局",
        samplers="张明、李华",
        items=(
            ItemForm(
                name="铅(以Pb计)",
                standard="GB 2762-2022",
                comparator="le",
                limit="0.2",
                unit="mg/kg",
                method="GB 5009.12-2023",
                result="0.35",
            ),
        ),
        report=ReportForm(
            lab_name="四川省食品检验研究院",
            report_number="SP2026-00123",
            report_date=today_local().isoformat(),
        ),
    )


def _open(session: Session, lot: str, user: str = "inspector_a") -> Recall:
    return recall.open_recall(
        session=session,
        actor=principal_of(session, user),
        form=recall.RecallForm(lot=lot, reason="检出沙门氏菌", level="level_1", scope="全部"),
    )


def _holders(session: Session, found: Recall) -> dict[int, RecallHolder]:
    rows = session.scalars(select(RecallHolder).where(RecallHolder.recall_id == found.id))
    return {h.business_id: h for h in rows}


def test_a_recall_reaches_every_holder_with_a_notice(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    holders = _holders(session, found)
    expected = {net.wholesaler, net.kitchen, net.caterer, net.store, net.outlet}
    assert set(holders) == {b.id for b in expected}
    assert holders[net.store.id].received_quantity == 30
    assert all(h.status is HolderStatus.PENDING for h in holders.values())
    case = session.get(Case, found.case_id)
    assert case is not None and case.kind is CaseKind.RECALL
    assert case.reference.startswith("ZH") and "B2603" in case.title
    assert found.level is RecallLevel.LEVEL_1 and found.origin is RecallOrigin.REGULATOR
    assert found.acknowledge_by - found.created_at == timedelta(hours=24)
    owner = principal_of(session, "owner_a")
    notices = session.scalars(
        select(Notification).where(
            Notification.kind == "recall.opened", Notification.recipient_user_id == owner.user_id
        )
    ).all()
    assert len(notices) == 1 and notices[0].link == f"/biz/recalls/{found.id}"
    # One open recall per lot.
    with pytest.raises(ConflictError):
        _open(session, net.lot)


def test_bad_input_is_refused_whole(session: Session) -> None:
    net = build_network(session)
    before = session.scalar(select(func.count()).select_from(Recall))
    with pytest.raises(ValidationFailed) as caught:
        recall.open_recall(
            session=session,
            actor=principal_of(session, "inspector_a"),
            form=recall.RecallForm(lot=net.lot, reason=" ", level="level_9"),
        )
    assert {p.field for p in caught.value.problems} == {"reason", "level"}
    assert session.scalar(select(func.count()).select_from(Recall)) == before


def test_a_holder_acknowledges_then_reports(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    owner = principal_of(session, "owner_a")
    listed = recall.holdings(session=session, actor=owner)
    assert [r.id for _, r, _ in listed] == [found.id]
    holder = recall.respond(
        session=session, actor=owner, recall_id=found.id, form=recall.ResponseForm()
    )
    assert holder.status is HolderStatus.ACKNOWLEDGED and holder.acknowledged_at is not None
    with pytest.raises(ValidationFailed):
        recall.respond(
            session=session,
            actor=owner,
            recall_id=found.id,
            form=recall.ResponseForm(kept="-1"),
        )
    holder = recall.respond(
        session=session,
        actor=owner,
        recall_id=found.id,
        form=recall.ResponseForm(kept="5", destroyed="20", returned="5", note="已封存"),
    )
    assert holder.status is HolderStatus.REPORTED
    assert (holder.kept, holder.destroyed, holder.returned) == (5, 20, 5)
    view = recall.get_recall(
        session=session, actor=principal_of(session, "inspector_a"), recall_id=found.id
    )
    assert view.counts == {"pending": 4, "acknowledged": 0, "reported": 1}
    # Staff do not answer a recall.
    with pytest.raises(ForbiddenError):
        recall.respond(
            session=session,
            actor=principal_of(session, "staff_a"),
            recall_id=found.id,
            form=recall.ResponseForm(),
        )


def test_neighbours_see_nothing_and_cannot_act(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    neighbour = principal_of(session, "owner_b")
    assert recall.holdings(session=session, actor=neighbour) == []
    with pytest.raises(NotFoundError):
        recall.respond(
            session=session, actor=neighbour, recall_id=found.id, form=recall.ResponseForm()
        )
    other_county = principal_of(session, "inspector_b")
    with pytest.raises(NotFoundError):
        recall.get_recall(session=session, actor=other_county, recall_id=found.id)
    assert (
        recall.list_recalls(session=session, actor=other_county, page=PageRequest(1, 20)).items
        == []
    )


def _ledger_line(session: Session, store: Business, supplier: Business) -> LedgerLine:
    record = Supplier(business_id=store.id, supplier_business_id=supplier.id, name="")
    session.add(record)
    session.flush()
    line = LedgerLine(
        business_id=store.id,
        province_code=store.province_code,
        prefecture_code=store.prefecture_code,
        county_code=store.county_code,
        township_code=store.township_code,
        purchase_date=today_local() - timedelta(days=21),
        product_name="自制辣椒酱",
        category=ProductCategory.CONDIMENTS,
        specification="500g/瓶",
        quantity=Decimal("10"),
        unit="瓶",
        batch_number="20261101",
        supplier_id=record.id,
        supplier_business_id=supplier.id,
        supplier_name=supplier.name,
        supplier_address=supplier.address,
        supplier_contact=supplier.contact_phone,
        supplier_licence_state=LicenceState.VALID,
        appearance_ok=True,
        recorder_name="张三",
        retain_until=today_local() + timedelta(days=730),
        entered_on=today_local(),
    )
    session.add(line)
    session.flush()
    return line


def test_a_failed_sample_of_a_known_batch_recalls_it(session: Session) -> None:
    net = build_network(session)
    _ledger_line(session, net.store, net.kitchen)
    sauce = lot_id(
        gtin=None,
        supplier_code=net.kitchen.public_code,
        product_id=None,
        product_name="自制辣椒酱",
        batch="20261101",
    )
    move(session, lot=sauce, source=net.kitchen, destination=net.outlet, quantity=6, uom="H87")
    sample = sampling.record_sample(
        session=session,
        actor=principal_of(session, "inspector_a"),
        form=_failed_sample(net.store.id),
    )
    found = session.scalars(select(Recall).where(Recall.sample_id == sample.id)).one()
    assert found.origin is RecallOrigin.SAMPLING and found.lot == sauce
    assert sample.reference in found.reason
    # The outlet received the batch; the sampled store holds it though no event says so.
    assert set(_holders(session, found)) == {net.outlet.id, net.store.id}


def test_a_failed_sample_of_an_unknown_batch_recalls_nothing(session: Session) -> None:
    net = build_network(session)
    sample = sampling.record_sample(
        session=session,
        actor=principal_of(session, "inspector_a"),
        form=_failed_sample(net.store.id),
    )
    assert sample.case_id is not None
    assert session.scalar(select(Recall.id).where(Recall.sample_id == sample.id)) is None
