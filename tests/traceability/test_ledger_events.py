"""The bridge from the purchase ledger to EPCIS: each ledger line is one receiving event,
a correction declares the old event wrong, and lots are named one way everywhere."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from epcis_helpers import bearer
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.core.time import today_local
from sunshine.ingredients import catalog, service
from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business
from sunshine.traceability import ledger_events, lots
from sunshine.traceability.epcis.models import (
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventParty,
    EpcisEventQuantity,
    EpcisEventViewer,
)
from sunshine.traceability.ledger_event_models import LedgerLineEvent

GTIN = "6901234567892"


def _store(session: Session, username: str = "owner_a") -> Business:
    business = session.get(Business, principal_of(session, username).business_id)
    assert business is not None
    return business


def _wholesaler(session: Session) -> Business:
    return session.execute(
        select(Business)
        .where(Business.category != BusinessCategory.CATERER)
        .order_by(Business.id)
        .limit(1)
    ).scalar_one()


def _line(session: Session, *, registered: bool = True, **changes: Any) -> LedgerLine:
    actor = principal_of(session, "staff_a")
    if registered:
        supplier = catalog.add_registered_supplier(
            session=session, actor=actor, supplier_business_id=_wholesaler(session).id
        )
    else:
        supplier = catalog.add_external_supplier(
            session=session,
            actor=actor,
            data=catalog.ExternalSupplierInput(
                name="青石桥蔬菜批发摊",
                address="成都市锦江区青石桥南街 12 号",
                contact_name="王建国",
                contact_phone="13800001234",
            ),
        )
    today = today_local()
    values: dict[str, Any] = {
        "purchase_date": today,
        "product_name": "纯牛奶",
        "category": ProductCategory.DAIRY,
        "specification": "250mL×24盒",
        "gtin": GTIN,
        "quantity": Decimal("4"),
        "unit": "箱",
        "batch_number": "L20261129",
        "production_date": today - timedelta(days=1),
        "expiry_date": today + timedelta(days=170),
        "supplier_id": supplier.id,
        "documents": ["licence", "conformity", "voucher", "test_report"],
        "appearance_ok": True,
        "recorder_name": "李四",
    }
    values.update(changes)
    return service.record_line(
        session=session,
        actor=actor,
        business_id=_store(session).id,
        data=LedgerLineIn.model_validate(values),
    )


def _events(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    response = client.get(f"/epcis/events?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


# lots ---------------------------------------------------------------------------------------


def test_a_lot_with_a_gtin_is_the_canonical_lgtin_and_parses_back() -> None:
    lot = lots.lot_id(gtin=GTIN, supplier_code="X", product_id=3, batch="L-7")
    assert lot == "https://id.gs1.org/01/06901234567892/10/L-7"
    parts = lots.parse_lot_id(lot)
    assert parts is not None and (parts.gtin, parts.batch) == ("06901234567892", "L-7")
    assert lots.parse_lot_id("urn:epc:class:lgtin:6901234.056789.L-7") is not None


def test_a_lot_without_a_gtin_is_the_private_class_encoded_and_parses_back() -> None:
    lot = lots.lot_id(gtin=None, supplier_code="AB:1", product_id=12, batch="2026/11 批")
    assert lot.startswith("urn:sunshine:lot:AB%3A1:12:")
    assert ":" not in lot[len("urn:sunshine:lot:AB%3A1:12:") :]
    parts = lots.parse_lot_id(lot)
    assert parts == lots.LotParts(batch="2026/11 批", supplier_code="AB:1", product_id=12)
    named = lots.lot_id(
        gtin=None, supplier_code="s", product_id=None, batch="1", product_name="青椒"
    )
    assert lots.parse_lot_id(named) == lots.LotParts(
        batch="1", supplier_code="s", product_name="青椒"
    )


def test_a_batch_no_lgtin_can_hold_takes_the_private_class_even_with_a_gtin() -> None:
    lot = lots.lot_id(gtin=GTIN, supplier_code="S1", product_id=5, batch="批次 7")
    assert lot.startswith("urn:sunshine:lot:S1:5:")
    assert lots.parse_lot_id("https://id.gs1.org/01/06901234567892/21/serial") is None
    assert lots.parse_lot_id("https://example.com/x") is None
    assert lots.batch_of(batch_number=None, production_date=today_local()) == (
        today_local().isoformat()
    )


# the receiving event --------------------------------------------------------------------------


def test_a_ledger_line_is_exactly_one_receiving_event_seen_by_both_parties_only(
    client: TestClient, session: Session
) -> None:
    line = _line(session)
    store, supplier = _store(session), _wholesaler(session)
    links = session.scalars(
        select(LedgerLineEvent).where(LedgerLineEvent.ledger_line_id == line.id)
    ).all()
    assert [link.role for link in links] == ["receiving"]
    lot = "https://id.gs1.org/01/06901234567892/10/L20261129"
    assert links[0].lot_id == lot
    found = _events(client, bearer(session, "owner_a"), MATCH_epcClass=lot)
    assert len(found) == 1
    event = found[0]
    assert event["eventID"] == links[0].event_id == links[0].event_hash
    assert (event["action"], event["bizStep"], event["disposition"]) == (
        "OBSERVE",
        "receiving",
        "in_progress",
    )
    assert event["quantityList"] == [{"epcClass": lot, "quantity": 4.0}]
    assert event["sourceList"][0]["source"] == f"urn:sunshine:party:{supplier.public_code}"
    assert event["destinationList"][0]["destination"] == f"urn:sunshine:party:{store.public_code}"
    assert event["sourceList"][0]["type"] == "owning_party"
    ilmd = event["ilmd"]
    assert ilmd["cbvmda:itemExpirationDate"] == line.expiry_date.isoformat()  # type: ignore[union-attr]
    assert ilmd["cbvmda:lotNumber"] == "L20261129"
    assert ilmd["cbvmda:productionDate"] == line.production_date.isoformat()  # type: ignore[union-attr]
    kinds = {t["type"]: t["bizTransaction"] for t in event["bizTransactionList"]}
    assert kinds == {
        "inv": f"urn:sunshine:document:ledger-line:{line.id}:voucher",
        "testprd": f"urn:sunshine:document:ledger-line:{line.id}:test_report",
    }
    # The supplier sees it too (named as the source); a neighbouring store does not.
    supplier_user = _supplier_user(session, supplier)
    assert len(_events(client, bearer(session, supplier_user), MATCH_epcClass=lot)) == 1
    assert _events(client, bearer(session, "owner_a2"), MATCH_epcClass=lot) == []
    assert _events(client, bearer(session, "inspector_a"), MATCH_epcClass=lot) != []
    assert _events(client, bearer(session, "owner_b"), MATCH_epcClass=lot) == []
    assert ledger_events.events_of_line(session=session, line_id=line.id) == {
        "receiving": event["eventID"]
    }


def _supplier_user(session: Session, supplier: Business) -> str:
    from sunshine.auth.enums import Role
    from sunshine.auth.models import User
    from sunshine.auth.passwords import hash_password

    user = User(
        username=f"supplier-{supplier.id}",
        display_name="供货商",
        password_hash=hash_password("Sunshine#2026"),
        role=Role.ENTERPRISE_OWNER,
        business_id=supplier.id,
    )
    session.add(user)
    session.flush()
    return user.username


def test_an_external_supplier_is_a_party_of_its_own_and_a_private_lot(
    client: TestClient, session: Session
) -> None:
    line = _line(session, registered=False, gtin=None, product_name="青椒", batch_number=None,
                 category=ProductCategory.VEGETABLES, specification="散装", unit="kg",
                 expiry_date=None, no_shelf_life=True, documents=["voucher"])  # fmt: skip
    link = session.get(LedgerLineEvent, (line.id, "receiving"))
    assert link is not None
    assert link.lot_id.startswith(f"urn:sunshine:lot:supplier-{line.supplier_id}:name-")
    (event,) = _events(client, bearer(session, "owner_a"), EQ_eventID=link.event_id)
    assert event["sourceList"][0]["source"] == f"urn:sunshine:supplier:{line.supplier_id}"
    assert event["quantityList"][0]["uom"] == "KGM"
    assert event["ilmd"] == {"cbvmda:productionDate": line.production_date.isoformat()} | {  # type: ignore[union-attr]
        "cbvmda:lotNumber": line.production_date.isoformat()  # type: ignore[union-attr]
    }


def test_a_correction_declares_the_old_event_wrong_and_adds_the_new_receiving_event(
    client: TestClient, session: Session
) -> None:
    old = _line(session)
    old_id = session.get(LedgerLineEvent, (old.id, "receiving")).event_id  # type: ignore[union-attr]
    data = LedgerLineIn.model_validate(
        {**_values_of(old), "quantity": Decimal("3"), "batch_number": "L20261128"}
    )
    new = service.correct_line(
        session=session, actor=principal_of(session, "staff_a"), line_id=old.id, data=data,
        reason="箱数录错",
    )  # fmt: skip
    new_id = session.get(LedgerLineEvent, (new.id, "receiving")).event_id  # type: ignore[union-attr]
    declared = session.get(LedgerLineEvent, (old.id, "error_declaration"))
    assert declared is not None and declared.event_id == old_id
    both = _events(client, bearer(session, "owner_a"), EQ_eventID=old_id)
    assert len(both) == 2
    declaration = next(e for e in both if "errorDeclaration" in e)
    assert declaration["errorDeclaration"]["correctiveEventIDs"] == [new_id]
    assert declaration["errorDeclaration"]["reason"] == "incorrect_data"
    assert (
        declaration["quantityList"] == next(e for e in both if e is not declaration)["quantityList"]
    )
    (fresh,) = _events(client, bearer(session, "owner_a"), EQ_eventID=new_id)
    assert fresh["quantityList"][0]["epcClass"].endswith("/10/L20261128")


def _values_of(line: LedgerLine) -> dict[str, Any]:
    return {
        "purchase_date": line.purchase_date,
        "product_name": line.product_name,
        "category": line.category,
        "specification": line.specification,
        "gtin": line.gtin,
        "quantity": line.quantity,
        "unit": line.unit,
        "batch_number": line.batch_number,
        "production_date": line.production_date,
        "expiry_date": line.expiry_date,
        "supplier_id": line.supplier_id,
        "documents": line.documents,
        "appearance_ok": True,
        "recorder_name": "李四",
    }


def _forget_event(session: Session, event_hash: str) -> None:
    """Remove an event and its index rows (the product never deletes events, so the index
    tables have no foreign keys to cascade along)."""
    pk = session.scalar(select(EpcisEvent.id).where(EpcisEvent.event_hash == event_hash))
    for table in (
        EpcisEventEpc,
        EpcisEventQuantity,
        EpcisEventBizTransaction,
        EpcisEventParty,
        EpcisEventViewer,
    ):
        session.execute(table.__table__.delete().where(table.event_pk == pk))  # type: ignore[attr-defined]
    session.execute(EpcisEvent.__table__.delete().where(EpcisEvent.id == pk))  # type: ignore[attr-defined]


def test_capturing_a_line_again_stores_nothing_new_and_backfill_fills_the_gaps(
    session: Session,
) -> None:
    line = _line(session)
    count = session.scalar(select(func.count()).select_from(EpcisEvent))
    again = ledger_events.capture_line(
        session=session, actor=principal_of(session, "staff_a"), line=line
    )
    assert not again.new
    assert session.scalar(select(func.count()).select_from(EpcisEvent)) == count
    # A line recorded before the bridge existed: its link and event are gone.
    link = session.get(LedgerLineEvent, (line.id, "receiving"))
    session.delete(link)
    session.flush()
    _forget_event(session, link.event_hash)  # type: ignore[union-attr]
    assert ledger_events.backfill(session=session) >= 1
    refound = session.get(LedgerLineEvent, (line.id, "receiving"))
    assert refound is not None and refound.event_hash == link.event_hash  # type: ignore[union-attr]
    assert ledger_events.backfill(session=session) == 0
