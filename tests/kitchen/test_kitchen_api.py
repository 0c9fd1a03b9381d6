"""The kitchen API: cameras added and changed through HTTP (credentials never returned, problems
named), alerts listed and answered, statistics, and a neighbouring store and another county's
inspector who see nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from kitchen_support import add_camera, raise_alert, store
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import api_token
from sunshine.kitchen.enums import AlertClass


def _body(business_id: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "business_id": business_id,
        "name": "后厨烹饪区",
        "area": "cooking",
        "stream_kind": "rtsp",
        "stream_url": "rtsp://10.0.0.8:554/h264/ch1/sub/av_stream",
        "username": "viewer",
        "password": "p@ss:word/1",
        "operating_hours": [{"day": d, "start": "10:00", "end": "02:00"} for d in range(7)],
        "zones": [{"name": "灶台", "polygon": [[0.2, 0.4], [0.8, 0.4], [0.8, 1], [0.2, 1]]}],
        "rule_overrides": {"phone": {"enabled": False}, "smoking": {"zone": "灶台"}},
        "public": True,
    }
    body.update(changes)
    return body


def test_a_store_owner_manages_its_cameras_and_never_sees_the_password(
    client: TestClient, session: Session, demo: Demo
) -> None:
    headers = api_token(client, "owner_a")
    business_id = store(session, demo).id
    created = client.post("/api/v1/kitchen/cameras", json=_body(business_id), headers=headers)
    assert created.status_code == 201, created.text
    camera = created.json()
    assert camera["credentials"] == "set"
    assert "p@ss" not in created.text and "viewer" not in created.text
    assert camera["public_token"] and camera["state"] == "connecting"
    assert {r["alert_class"] for r in camera["rules"]} >= {"smoking", "no_hat"}
    assert "phone" not in {r["alert_class"] for r in camera["rules"]}
    assert next(r for r in camera["rules"] if r["alert_class"] == "smoking")["zone"] == "灶台"
    # Change the name only: the credentials stay (left out of the body).
    body = _body(business_id, name="烹饪区 1", expected_version=camera["version"])
    del body["username"], body["password"], body["business_id"]
    changed = client.put(f"/api/v1/kitchen/cameras/{camera['id']}", json=body, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["credentials"] == "set" and changed.json()["name"] == "烹饪区 1"
    stale = client.put(f"/api/v1/kitchen/cameras/{camera['id']}", json=body, headers=headers)
    assert stale.status_code == 409
    listed = client.get("/api/v1/kitchen/cameras", headers=headers).json()
    assert [c["id"] for c in listed["items"]] == [camera["id"]]
    assert "p@ss" not in str(listed)
    gone = client.delete(f"/api/v1/kitchen/cameras/{camera['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/kitchen/cameras/{camera['id']}", headers=headers).status_code == 404


def test_bad_camera_input_is_a_problem_document_naming_each_field(
    client: TestClient, session: Session, demo: Demo
) -> None:
    headers = api_token(client, "inspector_a")
    response = client.post(
        "/api/v1/kitchen/cameras",
        json=_body(
            store(session, demo).id,
            stream_url="not a URL",
            zones=[{"name": "x", "polygon": [[0, 0], [2, 0], [1, 1]]}],
        ),
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {"stream_url", "zones[0].polygon[1]", "rule_overrides.smoking.zone"}
    assert "is not a URL" in errors["stream_url"]["message"]
    listed = client.get("/api/v1/kitchen/cameras", headers=headers).json()
    assert listed["total"] == 0


def test_alerts_are_answered_and_reviewed_through_the_api(
    client: TestClient, session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera, AlertClass.NO_MASK, clip=True)
    session.commit()
    owner = api_token(client, "owner_a")
    listed = client.get("/api/v1/kitchen/alerts?status=open", headers=owner).json()
    assert [a["id"] for a in listed["items"]] == [alert.id]
    detail = client.get(f"/api/v1/kitchen/alerts/{alert.id}", headers=owner).json()
    assert [f["file_name"] for f in detail["files"]] == [
        "snapshot-boxed.jpg",
        "snapshot-clean.jpg",
        "clip.mp4",
    ]
    assert all(len(f["sha256"]) == 64 for f in detail["files"])
    photo = client.get(detail["files"][0]["url"], headers=owner)
    assert photo.status_code == 200 and photo.content[:3] == b"\xff\xd8\xff"
    explained = client.post(
        f"/api/v1/kitchen/alerts/{alert.id}/actions",
        json={"action": "explain", "note": "员工正在更换口罩"},
        headers=owner,
    )
    assert explained.status_code == 200 and explained.json()["status"] == "explained"
    refused = client.post(
        f"/api/v1/kitchen/alerts/{alert.id}/actions",
        json={"action": "confirm"},
        headers=owner,
    )
    assert refused.status_code == 403
    inspector = api_token(client, "inspector_a")
    reviewed = client.post(
        f"/api/v1/kitchen/alerts/{alert.id}/actions",
        json={"action": "confirm", "note": "现场核实属实"},
        headers=inspector,
    )
    assert reviewed.status_code == 200, reviewed.text
    body = reviewed.json()
    assert body["status"] == "confirmed"
    assert [a["action"] for a in body["actions"]] == ["explain", "confirm"]
    again = client.post(
        f"/api/v1/kitchen/alerts/{alert.id}/actions",
        json={"action": "false_alarm", "note": "x"},
        headers=inspector,
    )
    assert again.status_code == 409
    cameras = client.get("/api/v1/kitchen/cameras", headers=inspector).json()["items"]
    assert next(c for c in cameras if c["id"] == camera.id)["false_alarm_rate"] == 0.0


def test_neighbours_and_another_county_see_nothing(
    client: TestClient, session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera)
    session.commit()
    token = None
    for outsider in ("owner_a2", "owner_b", "inspector_b"):
        headers = api_token(client, outsider)
        assert client.get("/api/v1/kitchen/cameras", headers=headers).json()["total"] == 0
        assert client.get("/api/v1/kitchen/alerts", headers=headers).json()["total"] == 0
        for path in (f"/api/v1/kitchen/cameras/{camera.id}", f"/api/v1/kitchen/alerts/{alert.id}"):
            assert client.get(path, headers=headers).status_code == 404
        acted = client.post(
            f"/api/v1/kitchen/alerts/{alert.id}/actions",
            json={"action": "acknowledge" if outsider != "inspector_b" else "confirm"},
            headers=headers,
        )
        assert acted.status_code == 404
        stats = client.get("/api/v1/kitchen/statistics", headers=headers).json()
        assert stats["total"] == 0 and stats["false_alarms"] == []
        if token is None:
            detail = client.get(
                f"/api/v1/kitchen/alerts/{alert.id}", headers=api_token(client, "owner_a")
            ).json()
            token = detail["files"][0]["token"]
        assert client.get(f"/evidence/{token}/original", headers=headers).status_code == 404
    assert client.get("/api/v1/kitchen/alerts").status_code == 401


def test_statistics_and_the_rule_table(client: TestClient, session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    raise_alert(session, camera)
    raise_alert(session, camera, AlertClass.NO_MASK)
    session.commit()
    headers = api_token(client, "inspector_a")
    stats = client.get("/api/v1/kitchen/statistics", headers=headers).json()
    assert stats["total"] == 2
    assert {t["key"]: t["count"] for t in stats["by_class"]} == {"no_mask": 1, "smoking": 1}
    assert stats["by_area"] == [{"key": "cold_room", "count": 2}]
    assert sum(t["count"] for t in stats["by_week"]) == 2
    assert stats["by_business"][0]["alerts"] == 2
    bad = client.get(
        "/api/v1/kitchen/statistics?since=2026-12-01&until=2026-11-01", headers=headers
    )
    assert bad.status_code == 422
    rules = client.get("/api/v1/kitchen/rules", headers=headers).json()
    no_mask = next(r for r in rules if r["alert_class"] == "no_mask")
    assert no_mask["areas"] == ["cold_room"] and no_mask["source_status"] == "secondary"
