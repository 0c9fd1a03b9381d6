"""The inspector app's API: the checklist in force to keep offline, an inspection sent
(and sent again) with a device key, a business's history, and nothing for a neighbour."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import api_token, principal_of, store_of_station
from sunshine.auth.principal import SYSTEM
from sunshine.core.time import utc_now
from sunshine.inspections import checklists
from sunshine.inspections.models import Inspection


def _png() -> str:
    image = Image.new("RGB", (200, 80), "white")
    image.putpixel((10, 10), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _body(session: Session, client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    store = store_of_station(session, "chief_a")
    sheet = client.get(
        "/api/v1/checklists/in-force", params={"business_id": store.id}, headers=headers
    ).json()
    codes = [item["code"] for section in sheet["sections"] for item in section["items"]]
    finished = utc_now() - timedelta(minutes=3)
    ids = [principal_of(session, "inspector_a").user_id, principal_of(session, "chief_a").user_id]
    return {
        "business_id": store.id,
        "checklist_id": sheet["id"],
        "started_at": (finished - timedelta(minutes=50)).isoformat(),
        "finished_at": finished.isoformat(),
        "inspector_ids": ids,
        "signatures": [*({"user_id": i, "png": _png()} for i in ids), {"png": _png()}],
        "items": [{"item": code, "outcome": "pass"} for code in codes],
        "representative_name": "王店长",
        "latitude": 30.65,
        "longitude": 104.07,
        "client_key": "phone-7f3a:000001",
    }


def test_an_inspection_through_the_api_is_stored_once(client: TestClient, session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    session.commit()
    inspector = api_token(client, "inspector_a")
    body = _body(session, client, inspector)
    assert len(body["items"]) == 30
    first = client.post("/api/v1/inspections", json=body, headers=inspector)
    assert first.status_code == 201, first.text
    record = first.json()
    assert record["result"] == "compliant" and len(record["items"]) == 30
    again = client.post("/api/v1/inspections", json=body, headers=inspector)
    assert again.json()["id"] == record["id"]
    count = session.execute(select(func.count()).select_from(Inspection)).scalar_one()
    assert count == 1
    history = client.get(
        f"/api/v1/businesses/{body['business_id']}/inspections", headers=inspector
    ).json()
    assert [i["reference"] for i in history["items"]] == [record["reference"]]


def test_a_wrong_inspection_is_answered_with_each_problem(
    client: TestClient, session: Session
) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    session.commit()
    inspector = api_token(client, "inspector_a")
    body = _body(session, client, inspector)
    body["items"].append({"item": "1.1", "outcome": "fail", "note": "许可证过期"})
    body["result"] = "compliant"
    refused = client.post("/api/v1/inspections", json=body, headers=inspector)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert f"items[{len(body['items']) - 1}].item" in fields


def test_a_neighbour_sees_no_inspection(client: TestClient, session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    session.commit()
    inspector = api_token(client, "inspector_a")
    body = _body(session, client, inspector)
    record = client.post("/api/v1/inspections", json=body, headers=inspector).json()
    neighbour = api_token(client, "inspector_b")
    assert client.get(f"/api/v1/inspections/{record['id']}", headers=neighbour).status_code == 404
    listed = client.get(f"/api/v1/businesses/{body['business_id']}/inspections", headers=neighbour)
    assert listed.status_code == 404
    sheet = client.get(
        "/api/v1/checklists/in-force",
        params={"business_id": body["business_id"]},
        headers=neighbour,
    )
    assert sheet.status_code == 404
    owner = api_token(client, "owner_b")
    assert client.get(f"/api/v1/inspections/{record['id']}", headers=owner).status_code == 404
