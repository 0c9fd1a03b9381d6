"""Shipments in the portals: a supplier's people record one with its documents, the
receiving store confirms it on its page, the regulators list them by jurisdiction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from shipment_helpers import caterer_of, supplier_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import csrf_of, tiny_pdf
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.time import today_local
from sunshine.ingredients.shipments_models import Shipment, ShipmentStatus

Open = Callable[[str], TestClient]


def _form(code: str, **changes: str) -> dict[str, str]:
    today = today_local()
    values = {
        "caterer_code": code,
        "product_name": "冷鲜鸡",
        "category": "meat_poultry",
        "specification": "约1.5kg/只",
        "batch_number": "",
        "production_date": (today - timedelta(days=1)).isoformat(),
        "expiry_date": (today + timedelta(days=3)).isoformat(),
        "quantity": "12",
        "unit": "只",
        "reference": "DN-77",
        "doc_licence": "1",
        "doc_quarantine": "1",
    }
    values.update(changes)
    return values


def _record(supplier: TestClient, code: str, **changes: str) -> int:
    token = csrf_of(supplier, "/biz/shipments/new")
    response = supplier.post(
        "/biz/shipments/new",
        data={**_form(code, **changes), "csrf_token": token},
        files={"files": ("quarantine.pdf", tiny_pdf(), "application/pdf")},
    )
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].split("/")[-1].split("?")[0])


def test_a_supplier_records_a_shipment_with_its_documents_and_the_store_confirms_it(
    new_client: Open, session: Session
) -> None:
    username = supplier_user(session)
    store = caterer_of(session, "owner_a")
    supplier = new_client(username)
    shipment_id = _record(supplier, store.public_code)
    files = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.owner_type == "shipment", EvidenceFile.owner_id == shipment_id
        )
    ).all()
    assert len(files) == 1
    page = supplier.get(f"/biz/shipments/{shipment_id}")
    assert page.status_code == 200 and 'id="confirm-form"' not in page.text
    assert "quarantine.pdf" in page.text

    staff = new_client("staff_a")
    listed = staff.get("/biz/shipments")
    assert f'data-shipment="{shipment_id}"' in listed.text
    detail = staff.get(f"/biz/shipments/{shipment_id}")
    assert 'id="confirm-form"' in detail.text
    token = csrf_of(staff, f"/biz/shipments/{shipment_id}")
    bad = staff.post(
        f"/biz/shipments/{shipment_id}/confirm",
        data={"csrf_token": token, "outcome": "partial", "received_quantity": "",
              "recorder_name": "员工甲"},
    )  # fmt: skip
    assert bad.status_code == 422 and 'data-field="received_quantity"' in bad.text
    done = staff.post(
        f"/biz/shipments/{shipment_id}/confirm",
        data={"csrf_token": token, "outcome": "partial", "received_quantity": "10",
              "recorder_name": "员工甲", "temperature_c": "2.5"},
    )  # fmt: skip
    assert done.status_code == 303
    shown = staff.get(done.headers["location"])
    assert 'id="ledger-line-link"' in shown.text and 'data-flag="mismatch"' in shown.text
    shipment = session.get(Shipment, shipment_id)
    assert shipment is not None and shipment.status is ShipmentStatus.PARTIAL
    line = staff.get(f"/biz/ledger/{shipment.ledger_line_id}")
    assert line.status_code == 200 and "冷鲜鸡" in line.text


def test_form_problems_are_named_and_nothing_is_stored(new_client: Open, session: Session) -> None:
    supplier = new_client(supplier_user(session))
    token = csrf_of(supplier, "/biz/shipments/new")
    before = len(session.scalars(select(Shipment)).all())
    response = supplier.post(
        "/biz/shipments/new",
        data={**_form("NOPE", quantity="", expiry_date=""), "csrf_token": token},
    )
    assert response.status_code == 422
    assert 'data-field="quantity"' in response.text
    assert len(session.scalars(select(Shipment)).all()) == before


def test_the_regulators_list_shipments_of_their_jurisdiction_only(
    new_client: Open, session: Session
) -> None:
    store = caterer_of(session, "owner_a")
    shipment_id = _record(new_client(supplier_user(session)), store.public_code)
    own = new_client("inspector_a").get("/gov/shipments")
    assert own.status_code == 200 and f'data-shipment="{shipment_id}"' in own.text
    other = new_client("inspector_b").get("/gov/shipments")
    assert other.status_code == 200 and f'data-shipment="{shipment_id}"' not in other.text
    neighbour = new_client("owner_a2")
    assert f'data-shipment="{shipment_id}"' not in neighbour.get("/biz/shipments").text
    assert neighbour.get(f"/biz/shipments/{shipment_id}").status_code == 404


def test_the_government_list_shows_unconfirmed_shipments_flagged(
    new_client: Open, session: Session
) -> None:
    store = caterer_of(session, "owner_a")
    supplier = new_client(supplier_user(session))
    late = _record(supplier, store.public_code)
    shipment = session.get(Shipment, late)
    assert shipment is not None
    shipment.shipped_at = shipment.shipped_at - timedelta(hours=49)  # left two days ago
    session.flush()
    fresh = _record(supplier, store.public_code, batch_number="B2")
    inspector = new_client("inspector_a")
    flagged = inspector.get("/gov/shipments?flag=unconfirmed")
    assert f'data-shipment="{late}"' in flagged.text
    assert f'data-shipment="{fresh}"' not in flagged.text
    assert 'data-flag="unconfirmed"' in flagged.text
    # Both sides see the flag too.
    assert 'data-flag="unconfirmed"' in new_client("staff_a").get(f"/biz/shipments/{late}").text
    assert 'data-flag="unconfirmed"' in supplier.get("/biz/shipments").text


def test_a_neighbour_cannot_confirm_through_the_portal(new_client: Open, session: Session) -> None:
    store = caterer_of(session, "owner_a")
    shipment_id = _record(new_client(supplier_user(session)), store.public_code)
    neighbour = new_client("owner_a2")
    token = csrf_of(neighbour, "/biz/ledger")
    response = neighbour.post(
        f"/biz/shipments/{shipment_id}/confirm",
        data={"csrf_token": token, "outcome": "full", "recorder_name": "店主丙"},
    )
    assert response.status_code == 404
    shipment = session.get(Shipment, shipment_id)
    assert shipment is not None and shipment.status is ShipmentStatus.PENDING
