"""The ledger exports: the 台账 (operating-norms layout) and the FSMA 204 spreadsheet."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import openpyxl
from fastapi.testclient import TestClient
from ledger_helpers import line_data, store_of, suppliers
from sqlalchemy.orm import Session, sessionmaker

from helpers import principal_of
from sunshine.ingredients import exports, service

Opener = Callable[[str], TestClient]


def _record(db: sessionmaker[Session]) -> int:
    with db() as session:
        registered, external = suppliers(session)
        actor = principal_of(session, "staff_a")
        business_id = store_of(session).id
        for supplier, batch in ((registered, "LOT-A"), (external, "LOT-B")):
            service.record_line(
                session=session,
                actor=actor,
                business_id=business_id,
                data=line_data(supplier.id, batch_number=batch),
            )
        session.commit()
        return business_id


def test_store_exports_its_ledger_in_the_norms_layout(
    db: sessionmaker[Session], new_client: Opener
) -> None:
    _record(db)
    owner = new_client("owner_a")
    response = owner.get("/biz/ledger/export.xlsx?from=2000-01-01")
    assert response.status_code == 200, response.text[:500]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].values)
    headings = rows[1]
    assert len([h for h in headings if h]) == len(exports.BOOK_COLUMNS)
    data = [r for r in rows[2:] if r and r[1] == "猪肉（鲜）"]
    assert len(data) == 2
    assert exports.CHECKED in data[0]  # the licence column is ticked
    csv_response = owner.get("/biz/ledger/export-book.csv")
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert "LOT-A" in text and "LOT-B" in text
    bad = owner.get("/biz/ledger/export.xlsx?from=yesterday")
    assert bad.status_code == 422


def test_neighbour_cannot_export_store_a(db: sessionmaker[Session], new_client: Opener) -> None:
    business_id = _record(db)
    neighbour = new_client("owner_b")
    assert neighbour.get(f"/biz/ledger/export.xlsx?business={business_id}").status_code == 404
    own = neighbour.get("/biz/ledger/export-book.csv")
    assert "LOT-A" not in own.content.decode("utf-8-sig")
    fsma = neighbour.get("/biz/ledger/fsma.zip")
    with zipfile.ZipFile(io.BytesIO(fsma.content)) as z:
        assert "LOT-A" not in z.read("receiving.csv").decode("utf-8-sig")
    # Another county's inspector cannot export store A either.
    other = new_client("inspector_b")
    assert other.get(f"/gov/ledger/export.xlsx?business={business_id}").status_code == 404


def test_regulator_exports_a_store_and_the_fsma_spreadsheet(
    db: sessionmaker[Session], new_client: Opener
) -> None:
    business_id = _record(db)
    inspector = new_client("inspector_a")
    book = inspector.get(f"/gov/ledger/export.xlsx?business={business_id}")
    assert book.status_code == 200
    fsma = inspector.get("/gov/ledger/fsma.xlsx?lot=LOT-A")
    assert fsma.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(fsma.content))
    assert workbook.sheetnames[:3] == ["Receiving", "Shipping", "Transformation"]
    receiving = list(workbook["Receiving"].values)
    assert receiving[0][0] == "Traceability Lot Code (TLC)"
    assert receiving[1][0] == "21 CFR 1.1345(a)(1)"
    lots = [r for r in receiving[2:] if r[11] == "LOT-A"]
    assert len(lots) == 1 and all(r[11] != "LOT-B" for r in receiving[2:])
    assert lots[0][0]  # a traceability lot code
    zipped = inspector.get("/gov/ledger/fsma.zip")
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as z:
        assert set(z.namelist()) >= {"receiving.csv", "shipping.csv", "transformation.csv"}
        rows = list(csv.reader(io.StringIO(z.read("receiving.csv").decode("utf-8-sig"))))
        assert rows[0][0] == "Traceability Lot Code (TLC)"
        assert {r[11] for r in rows[2:]} >= {"LOT-A", "LOT-B"}
