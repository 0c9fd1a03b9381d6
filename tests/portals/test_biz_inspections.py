"""The enterprise portal's inspection records: a business reads its own inspections, item
by item with the inspectors' notes; a neighbouring business sees none of them, and a chain
headquarters reads its outlets' through ``?business=``."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import login, principal_of, signatures
from sunshine.auth import service as auth_service
from sunshine.auth.models import User
from sunshine.auth.principal import SYSTEM
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, inspector_app, service
from sunshine.inspections import rectification_repository as rectification_repo
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.models import Inspection
from sunshine.inspections.service import InspectionForm, ItemAnswer
from sunshine.registry.models import Business

HTML = {"accept": "text/html"}


def _inspect(session: Session, business_id: int, failed: dict[str, str]) -> Inspection:
    """An inspection of the business by two officers covering it, ``failed`` items failed."""
    checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=current.id)
    codes = [item.code for _, items in shown.sections for item in items]
    officers = inspector_app.officers_for(
        session=session, actor=principal_of(session, "leader"), business_id=business_id
    )
    ids = [officers[0].id, officers[1].id]
    user = session.get(User, ids[0])
    assert user is not None
    finished = utc_now() - timedelta(minutes=5)
    form = InspectionForm(
        business_id=business_id,
        checklist_id=current.id,
        kind=InspectionKind.ROUTINE,
        started_at=finished - timedelta(hours=1),
        finished_at=finished,
        inspector_ids=ids,
        answers=[
            ItemAnswer(c, ItemOutcome.FAIL, failed[c])
            if c in failed
            else ItemAnswer(c, ItemOutcome.PASS)
            for c in codes
        ],
        representative_name="王店长",
        signatures=signatures(ids),
        rectify_by=to_local(finished).date() + timedelta(days=7) if failed else None,
    )
    actor = auth_service.principal_for(session, user)
    return service.record_inspection(session=session, actor=actor, form=form)


def test_a_business_reads_its_own_inspection_records(client: TestClient, session: Session) -> None:
    store = principal_of(session, "owner_a").business_id
    assert store is not None
    inspection = _inspect(session, store, {"5.1": "地面有油污，未及时清洁"})
    session.commit()
    login(client, "staff_a")
    listing = client.get("/biz/inspections", headers=HTML)
    assert listing.status_code == 200
    assert f'data-inspection="{inspection.reference}"' in listing.text
    assert 'data-result="basically_compliant"' in listing.text
    detail = client.get(f"/biz/inspections/{inspection.id}", headers=HTML).text
    assert "地面有油污，未及时清洁" in detail
    assert 'data-item="5.1" data-outcome="fail"' in detail
    assert 'id="rectify-by"' in detail
    # The order the result set is one click away.
    order = rectification_repo.order_of_inspection(session, inspection.id)
    assert order is not None and f'href="/biz/rectification/{order.id}"' in detail


def test_a_neighbouring_business_sees_none_of_them(client: TestClient, session: Session) -> None:
    store = principal_of(session, "owner_a").business_id
    assert store is not None
    inspection = _inspect(session, store, {})
    session.commit()
    login(client, "owner_b")
    listing = client.get("/biz/inspections", headers=HTML).text
    assert inspection.reference not in listing
    assert client.get(f"/biz/inspections/{inspection.id}", headers=HTML).status_code == 404
    assert client.get(f"/biz/inspections?business={store}", headers=HTML).status_code == 404


def test_a_chain_headquarters_reads_its_outlets_records(
    client: TestClient, session: Session
) -> None:
    hq = principal_of(session, "chain_hq")
    outlet = session.execute(
        select(Business).where(Business.chain_hq_id == hq.business_id).limit(1)
    ).scalar_one()
    inspection = _inspect(session, outlet.id, {})
    session.commit()
    login(client, "chain_hq")
    listing = client.get(f"/biz/inspections?business={outlet.id}", headers=HTML).text
    assert inspection.reference in listing
    assert client.get(f"/biz/inspections/{inspection.id}", headers=HTML).status_code == 200
