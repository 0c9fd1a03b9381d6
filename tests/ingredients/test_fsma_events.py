"""The FSMA 204 spreadsheet's shipping and transformation sheets: rows from the shipments
suppliers record and from central kitchens' TransformationEvents, with their key data
elements, kept to what the principal may see and to the days and lots asked for."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from ledger_helpers import product, store_of
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.time import SHANGHAI, to_local, today_local, utc_now
from sunshine.ingredients import exports, shipments
from sunshine.ingredients.shipments_models import Shipment
from sunshine.ingredients.shipments_schemas import Outcome, ShipmentConfirmIn, ShipmentIn
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business
from sunshine.traceability.epcis import service as epcis
from sunshine.traceability.lots import lot_id

Opener = Callable[[str], TestClient]
CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
GTIN = "6901234567892"


def _as(business: Business) -> Principal:
    return Principal(
        user_id=None,
        username=f"test-{business.public_code}",
        display_name=business.name,
        role=Role.ENTERPRISE_OWNER,
        business_id=business.id,
    )


def _supplier(session: Session) -> Business:
    """A supplier business (not a caterer) outside county B (owner_b's)."""
    county_b = store_of(session, "owner_b").county_code
    return session.scalars(
        select(Business)
        .where(Business.category != BusinessCategory.CATERER, Business.county_code != county_b)
        .order_by(Business.id)
        .limit(1)
    ).one()


def _kitchen(session: Session, store: Business) -> Business:
    """Another business of the store's county: the central kitchen."""
    return session.scalars(
        select(Business)
        .where(Business.county_code == store.county_code, Business.id != store.id)
        .order_by(Business.id)
        .limit(1)
    ).one()


def _ship(session: Session, supplier: Business, store: Business, **changes: Any) -> Shipment:
    today = today_local()
    values: dict[str, Any] = {
        "caterer_code": store.public_code,
        "product_name": "冻虾仁",
        "category": "aquatic",
        "specification": "500g/袋",
        "gtin": GTIN,
        "producer_name": "湛江海产食品有限公司",
        "batch_number": "ZJ20261120",
        "production_date": today - timedelta(days=10),
        "expiry_date": today + timedelta(days=355),
        "quantity": "10",
        "unit": "袋",
        "documents": ["licence", "voucher"],
        "reference": "DN-0001",
    }
    values.update(changes)
    return shipments.record_shipment(
        session=session, actor=_as(supplier), data=ShipmentIn.model_validate(values)
    )


def _sheet(response: Any, name: str) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.text[:500]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book[name].values)


def test_shipping_rows_carry_the_kdes_of_each_shipment(
    session: Session, new_client: Opener
) -> None:
    store = store_of(session)
    supplier = _supplier(session)
    sent = _ship(session, supplier, store)
    refused = _ship(session, supplier, store, batch_number="ZJ20261121", reference="")
    shipments.confirm_shipment(
        session=session,
        actor=principal_of(session, "staff_a"),
        shipment_id=sent.id,
        answer=ShipmentConfirmIn(
            outcome=Outcome.PARTIAL, received_quantity=Decimal("8"), recorder_name="李四"
        ),
    )
    shipments.confirm_shipment(
        session=session,
        actor=principal_of(session, "staff_a"),
        shipment_id=refused.id,
        answer=ShipmentConfirmIn(outcome=Outcome.REFUSED, reason="包装破损"),
    )
    session.commit()

    inspector = new_client("inspector_a")
    rows = _sheet(inspector.get("/gov/ledger/fsma.xlsx"), "Shipping")
    assert rows[0][0] == "Traceability Lot Code (TLC)" and rows[1][0] == "21 CFR 1.1340(a)(1)"
    assert len(rows[0]) == len(exports.SHIPPING_COLUMNS)
    by_tlc = {r[0]: r for r in rows[2:]}
    row = by_tlc[sent.lot_id]
    assert sent.lot_id == f"https://id.gs1.org/01/0{GTIN}/10/ZJ20261120"
    assert row[1] == 10 and row[2] == "袋"
    assert row[3] == "冻虾仁 500g/袋"
    assert store.name in row[4] and store.address in row[4]  # the recipient
    assert supplier.name in row[5] and supplier.contact_phone in row[5]  # the shipper
    assert row[6] == to_local(sent.shipped_at).date().isoformat()
    assert row[7] == "Producer: 湛江海产食品有限公司 (location not recorded)"
    assert row[8] == "Despatch advice (delivery note)" and row[9] == "DN-0001"
    assert row[11] == "ZJ20261120" and row[13] == "Aquatic products"
    assert row[14] == "Received in part: 8 袋"
    other = by_tlc[refused.lot_id]
    assert other[8] == "Platform shipment record" and other[9] == f"Shipment {refused.id}"
    assert other[14] == "Refused"

    # The lots and days asked for.
    only = _sheet(inspector.get("/gov/ledger/fsma.xlsx?lot=ZJ20261121"), "Shipping")
    assert [r[0] for r in only[2:]] == [refused.lot_id]
    by_code = _sheet(
        inspector.get("/gov/ledger/fsma.xlsx", params={"lot": sent.lot_id}), "Shipping"
    )
    assert [r[0] for r in by_code[2:]] == [sent.lot_id]
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    assert _sheet(inspector.get(f"/gov/ledger/fsma.xlsx?from={tomorrow}"), "Shipping")[2:] == []
    today = today_local().isoformat()
    assert len(_sheet(inspector.get(f"/gov/ledger/fsma.xlsx?to={today}"), "Shipping")[2:]) >= 2

    # The CSV files carry the same rows.
    zipped = inspector.get("/gov/ledger/fsma.zip?lot=ZJ20261120")
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as z:
        lines = list(csv.reader(io.StringIO(z.read("shipping.csv").decode("utf-8-sig"))))
    assert [r[0] for r in lines[2:]] == [sent.lot_id] and lines[2][9] == "DN-0001"


def test_shipping_rows_stay_within_what_the_principal_sees(
    session: Session, new_client: Opener
) -> None:
    store = store_of(session)
    sent = _ship(session, _supplier(session), store)
    session.commit()
    own = _sheet(new_client("owner_a").get("/biz/ledger/fsma.xlsx"), "Shipping")
    assert sent.lot_id in {r[0] for r in own[2:]}
    for username, path in (
        ("owner_b", "/biz/ledger/fsma.xlsx"),
        ("inspector_b", "/gov/ledger/fsma.xlsx"),
    ):
        rows = _sheet(new_client(username).get(path), "Shipping")
        assert sent.lot_id not in {r[0] for r in rows[2:]}, username


def _capture(session: Session, by: Business, event: dict[str, Any]) -> str:
    body = json.dumps({"@context": [CONTEXT], **event}).encode()
    return epcis.capture_event(session=session, actor=_as(by), body=body).event_id


def _transformation(kitchen: Business, inputs: list[str], output: str) -> dict[str, Any]:
    moment = to_local(utc_now()).replace(microsecond=0, tzinfo=SHANGHAI)
    return {
        "type": "TransformationEvent",
        "eventID": "urn:uuid:8f3a2c1e-6b1d-4d0e-9a7b-2f5c4e3d2a10",
        "eventTime": moment.isoformat(),
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "commissioning",
        "inputQuantityList": [{"epcClass": lot, "quantity": 12.5, "uom": "KGM"} for lot in inputs],
        "outputQuantityList": [{"epcClass": output, "quantity": 30, "uom": "KGM"}],
        "bizTransactionList": [
            {
                "type": "prodorder",
                "bizTransaction": f"urn:sunshine:prodorder:{kitchen.public_code}-88",
            }
        ],
    }


def test_transformation_rows_pair_each_input_with_the_new_lot(
    session: Session, new_client: Opener
) -> None:
    store = store_of(session)
    wholesaler, kitchen = _supplier(session), _kitchen(session, store)
    milk = product(session)  # the library's 纯牛奶 with the GTIN
    pork = lot_id(
        gtin=None,
        supplier_code=wholesaler.public_code,
        product_id=None,
        product_name="冷鲜猪肉",
        batch="P0301",
    )
    dairy = lot_id(gtin=GTIN, supplier_code="x", product_id=milk.id, batch="M0301")
    dish = lot_id(
        gtin=None,
        supplier_code=kitchen.public_code,
        product_id=None,
        product_name="红烧肉（半成品）",
        batch="D0304",
    )
    _capture(session, kitchen, _transformation(kitchen, [pork, dairy], dish))
    session.commit()

    inspector = new_client("inspector_a")
    rows = _sheet(inspector.get("/gov/ledger/fsma.xlsx"), "Transformation")
    assert rows[0][0] == "Input Traceability Lot Code" and rows[1][0] == "21 CFR 1.1350(a)(1)"
    mine = [r for r in rows[2:] if r[4] == dish]
    assert {r[0] for r in mine} == {pork, dairy}
    by_input = {r[0]: r for r in mine}
    assert by_input[pork][1] == "冷鲜猪肉" and by_input[dairy][1] == "纯牛奶 250mL×24盒"
    assert by_input[pork][2] == 12.5 and by_input[pork][3] == "kg"
    row = by_input[pork]
    assert kitchen.name in row[5] and kitchen.address in row[5]
    assert row[6] == today_local().isoformat()
    assert row[7] == "红烧肉（半成品）" and row[8] == 30 and row[9] == "kg"
    assert row[10] == "Production order"
    assert row[11] == f"urn:sunshine:prodorder:{kitchen.public_code}-88"

    # A lot code or a batch finds the transformation; another lot does not.
    for lot in (dish, "P0301"):
        found = _sheet(
            inspector.get("/gov/ledger/fsma.xlsx", params={"lot": lot}), "Transformation"
        )
        assert {r[0] for r in found[2:]} == {pork, dairy}, lot
    none = _sheet(inspector.get("/gov/ledger/fsma.xlsx?lot=NOSUCHLOT"), "Transformation")
    assert none[2:] == []
    # Another county's regulator and another county's store see none of it.
    for username, path in (
        ("inspector_b", "/gov/ledger/fsma.xlsx"),
        ("owner_b", "/biz/ledger/fsma.xlsx"),
    ):
        other = _sheet(new_client(username).get(path), "Transformation")
        assert dish not in {r[4] for r in other[2:]}, username


def test_a_withdrawn_transformation_is_left_out(session: Session) -> None:
    store = store_of(session)
    wholesaler, kitchen = _supplier(session), _kitchen(session, store)
    pork = lot_id(
        gtin=None,
        supplier_code=wholesaler.public_code,
        product_id=None,
        product_name="猪肉",
        batch="W1",
    )
    dish = lot_id(
        gtin=None,
        supplier_code=kitchen.public_code,
        product_id=None,
        product_name="肉丸",
        batch="W2",
    )
    event = _transformation(kitchen, [pork], dish)
    _capture(session, kitchen, event)
    actor = principal_of(session, "inspector_a")
    query = exports.FsmaQuery(None, None, (dish,))
    rows = list(exports._provided("transformation", session, actor, query))
    assert [r[0] for r in rows] == [pork]
    declared = {
        **event,
        "errorDeclaration": {
            "declarationTime": to_local(utc_now()).replace(microsecond=0).isoformat(),
            "reason": "incorrect_data",
        },
    }
    _capture(session, kitchen, declared)
    assert list(exports._provided("transformation", session, actor, query)) == []
