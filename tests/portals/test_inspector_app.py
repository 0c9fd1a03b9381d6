"""The inspector app (/gov/app) through HTTP: its pages, the JSON the phone keeps offline, the
endpoint the phone's outbox sends to (stored once per device key, 409 when the checklist
changed, 422 listing every problem, CSRF required), the printable record, and nothing of it
for an inspector of the neighbouring county."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import login, principal_of, store_of_station
from sunshine.auth.principal import SYSTEM
from sunshine.core.time import today_local, utc_now
from sunshine.inspections import checklists, files, plan_rules
from sunshine.inspections.models import Inspection
from sunshine.registry.models import Business

HTML = {"accept": "text/html"}
JSON = {"accept": "application/json"}


def _image(kind: str, size: tuple[int, int]) -> str:
    image = Image.new("RGB", size, "white")
    image.putpixel((10, 10), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _csrf(client: TestClient) -> str:
    page = client.get("/gov/app", headers=HTML)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Inspection)).scalar_one())


def _ready(session: Session, client: TestClient) -> Business:
    """The checklists loaded, inspector_a signed in, and a store of chief_a's station."""
    checklists.load_bundled(session=session, actor=SYSTEM)
    session.commit()
    login(client, "inspector_a")
    return store_of_station(session, "chief_a")


def _body(session: Session, client: TestClient, store: Business) -> dict[str, Any]:
    """One general item failed (with its note and a photo), the rest passed: basically
    compliant, so a rectification deadline is set."""
    sheet = client.get(f"/gov/app/businesses/{store.id}/checklist.json", headers=JSON).json()
    items = [item for section in sheet["sections"] for item in section["items"]]
    failed = next(item["code"] for item in items if not item["key"])
    finished = utc_now() - timedelta(minutes=3)
    ids = [principal_of(session, "inspector_a").user_id, principal_of(session, "chief_a").user_id]
    return {
        "client_key": "3f1c7a52-8d7e-4b8a-9c61-0f1d2e3a4b5c",
        "business_id": store.id,
        "checklist_id": sheet["id"],
        "started_at": (finished - timedelta(minutes=45)).isoformat(),
        "finished_at": finished.isoformat(),
        "inspector_ids": ids,
        "items": [
            {"item": item["code"], "outcome": "fail", "note": "冷藏柜温度 12℃，超过 8℃"}
            if item["code"] == failed
            else {"item": item["code"], "outcome": "pass"}
            for item in items
        ],
        "representative_name": "王店长",
        "result": "basically_compliant",
        "rectify_by": (today_local() + timedelta(days=10)).isoformat(),
        "latitude": 30.657,
        "longitude": 104.066,
        "location_accuracy_m": 12,
        "signatures": [
            *({"user_id": i, "png": _image("PNG", (300, 120))} for i in ids),
            {"user_id": None, "png": _image("PNG", (300, 120))},
        ],
        "photos": [{"item": failed, "filename": "fridge.jpg", "data": _image("JPEG", (800, 600))}],
    }


def _send(client: TestClient, body: dict[str, Any], token: str | None) -> Any:
    headers = {**JSON, **({"X-CSRF-Token": token} if token else {})}
    return client.post("/gov/app/inspections", json=body, headers=headers)


def test_the_app_pages_and_what_the_phone_keeps_offline(
    client: TestClient, session: Session
) -> None:
    store = _ready(session, client)
    home = client.get("/gov/app", headers=HTML)
    assert home.status_code == 200
    assert 'rel="manifest" href="/static/inspector.webmanifest"' in home.text
    assert 'id="outbox-list"' in home.text and 'name="csrf-token"' in home.text
    found = client.get("/gov/app/search", params={"q": store.name}, headers=HTML)
    assert f'href="/gov/app/businesses/{store.id}"' in found.text
    by_licence = client.get("/gov/app", params={"q": store.licence_number}, headers=HTML)
    assert f'data-business-id="{store.id}"' in by_licence.text

    profile = client.get(f"/gov/app/businesses/{store.id}", headers=HTML)
    assert profile.status_code == 200
    assert store.licence_number in profile.text
    # Until dynamic grading exists, the level the plan uses: that of the form and scale.
    level = plan_rules.static_level(store.form, store.scale).level
    assert f'id="risk-level" data-level="{level.value}"' in profile.text
    assert f'href="/gov/app/businesses/{store.id}/inspect"' in profile.text
    inspect = client.get(f"/gov/app/businesses/{store.id}/inspect", headers=HTML)
    assert inspect.status_code == 200 and 'id="inspection-form"' in inspect.text
    texts = re.search(r'id="app-texts">(.*?)</script>', inspect.text)
    assert texts and json.loads(texts.group(1))["waiting"]

    sheet = client.get(f"/gov/app/businesses/{store.id}/checklist.json", headers=JSON).json()
    assert sheet["result_rule"]["kind"] == "thresholds"
    assert sum(len(s["items"]) for s in sheet["sections"]) == 30
    officers = client.get(f"/gov/app/businesses/{store.id}/officers.json", headers=JSON).json()
    names = [o["name"] for o in officers["officers"]]
    me = principal_of(session, "inspector_a")
    assert officers["officers"][0]["id"] == me.user_id  # the inspector first
    assert principal_of(session, "chief_a").display_name in names
    assert principal_of(session, "inspector_b").display_name not in names


def test_the_service_worker_and_the_manifest(client: TestClient) -> None:
    worker = client.get("/gov/app/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/gov/app"
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "__CACHE_VERSION__" not in worker.text and "sunshine-inspector-" in worker.text
    manifest = client.get("/static/inspector.webmanifest").json()
    assert manifest["start_url"] == "/gov/app" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).headers["content-type"] == "image/png"


def test_an_inspection_from_the_outbox_is_stored_once(client: TestClient, session: Session) -> None:
    store = _ready(session, client)
    token = _csrf(client)
    body = _body(session, client, store)
    before = _count(session)
    first = _send(client, body, token)
    assert first.status_code == 201, first.text
    record = first.json()
    assert record["result"] == "basically_compliant" and record["client_key"] == body["client_key"]
    assert record["record_url"] == f"/gov/inspections/{record['id']}/record"
    again = _send(client, body, token)  # the phone never heard the first answer
    assert again.status_code == 201 and again.json()["id"] == record["id"]
    assert _count(session) == before + 1

    home = client.get("/gov/app", headers=HTML)
    assert record["reference"] in home.text  # among my recent inspections
    profile = client.get(f"/gov/app/businesses/{store.id}", headers=HTML)
    assert record["reference"] in profile.text
    failed = next(i["item"] for i in body["items"] if i["outcome"] == "fail")
    assert f'data-code="{failed}"' in profile.text  # an open problem


def test_a_changed_checklist_is_a_conflict(client: TestClient, session: Session) -> None:
    store = _ready(session, client)
    token = _csrf(client)
    body = _body(session, client, store)
    doc = json.loads(files.bundled("catering-2016.json"))
    doc["version"] = "2016-r2"
    checklists.load_checklist(
        session=session, actor=SYSTEM, data=json.dumps(doc).encode(), activate=True
    )
    session.commit()
    before = _count(session)
    conflict = _send(client, body, token)
    assert conflict.status_code == 409
    assert conflict.json()["detail"]
    assert _count(session) == before
    fresh = client.get(f"/gov/app/businesses/{store.id}/checklist.json", headers=JSON).json()
    assert fresh["id"] != body["checklist_id"]
    assert _send(client, {**body, "checklist_id": fresh["id"]}, token).status_code == 201


def test_a_wrong_inspection_is_refused_with_each_problem_in_the_readers_language(
    client: TestClient, session: Session
) -> None:
    store = _ready(session, client)
    client.cookies.set("lang", "en")
    token = _csrf(client)
    body = _body(session, client, store)
    failed = next(n for n, i in enumerate(body["items"]) if i["outcome"] == "fail")
    body["items"][failed]["note"] = ""
    body["signatures"] = body["signatures"][:1]
    body["representative_name"] = "x" * 61
    before = _count(session)
    refused = _send(client, body, token)
    assert refused.status_code == 422
    problems = refused.json()["errors"]
    assert [p["field"] for p in problems] == ["representative_name"]
    assert problems[0]["message"] == "Must be at most 60 characters"
    body["representative_name"] = "王店长"
    refused = _send(client, body, token)
    assert refused.status_code == 422
    fields = {p["field"] for p in refused.json()["errors"]}
    assert {f"items[{failed}].note", "signatures"} <= fields
    assert _count(session) == before


def test_sending_needs_the_csrf_header(client: TestClient, session: Session) -> None:
    store = _ready(session, client)
    body = _body(session, client, store)
    before = _count(session)
    assert _send(client, body, None).status_code == 403
    assert _send(client, body, "not-the-token").status_code == 403
    assert _count(session) == before


def test_the_record_prints_the_inspection(client: TestClient, session: Session) -> None:
    store = _ready(session, client)
    body = _body(session, client, store)
    record = _send(client, body, _csrf(client)).json()
    page = client.get(record["record_url"], headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert record["reference"] in text and store.name in text and store.licence_number in text
    assert "冷藏柜温度 12℃，超过 8℃" in text  # a failed item's note in full
    assert 'data-result="basically_compliant"' in text
    assert body["rectify_by"] in text and record["publish_by"] in text
    assert "书面限期整改" in text  # what follows, from the checklist
    signatures = re.findall(r'<img src="(/evidence/[^"]+)"', text)
    assert len(signatures) == 3
    assert client.get(signatures[0]).headers["content-type"].startswith("image/")
    english = client.get(record["record_url"], params={"lang": "en"}, headers=HTML)
    assert "Food safety supervision inspection result record" in english.text
    assert "Written order to rectify within a time limit" in english.text


def test_a_neighbour_gets_nothing(client: TestClient, session: Session, new_client: Any) -> None:
    store = _ready(session, client)
    record = _send(client, _body(session, client, store), _csrf(client)).json()
    neighbour = new_client("inspector_b")
    for path in (
        f"/gov/app/businesses/{store.id}",
        f"/gov/app/businesses/{store.id}/inspect",
        f"/gov/app/businesses/{store.id}/checklist.json",
        f"/gov/app/businesses/{store.id}/officers.json",
        record["record_url"],
    ):
        assert neighbour.get(path, headers=HTML).status_code == 404, path
    found = neighbour.get("/gov/app/search", params={"q": store.name}, headers=HTML)
    assert f"/gov/app/businesses/{store.id}" not in found.text
    home = neighbour.get("/gov/app", headers=HTML)
    assert record["reference"] not in home.text
    body = _body(session, client, store)
    body["client_key"] = "0b9e2c1d-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
    sent = _send(neighbour, body, _csrf(neighbour))
    assert sent.status_code == 404 and sent.headers["content-type"] == "application/problem+json"


def test_the_app_is_for_regulators(new_client: Any) -> None:
    owner = new_client("owner_a")
    assert owner.get("/gov/app", headers=HTML).status_code == 403


def test_the_home_lists_my_open_tasks_and_not_a_colleague_s(
    client: TestClient, session: Session
) -> None:
    from helpers import open_station_case
    from sunshine.inspections import tasks

    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    chief = principal_of(session, "chief_a")
    inspector = principal_of(session, "inspector_a")
    task = tasks.create_task_from_case(
        session=session,
        actor=chief,
        case_id=case.id,
        inspector_ids=[chief.user_id or 0, inspector.user_id or 0],
    )
    session.commit()
    login(client, "inspector_a")
    home = client.get("/gov/app", headers={"accept": "text/html"}).text
    assert f'data-task="{task.id}"' in home and case.reference in home
    login(client, "inspector_b")
    other = client.get("/gov/app", headers={"accept": "text/html"}).text
    assert f'data-task="{task.id}"' not in other and 'id="tasks-none"' in other


def test_a_task_changed_meanwhile_is_a_conflict_the_inspector_can_settle(
    client: TestClient, session: Session
) -> None:
    from helpers import open_station_case
    from sunshine.inspections import tasks

    store = _ready(session, client)
    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    assert case.business_id == store.id
    chief = principal_of(session, "chief_a")
    task = tasks.create_task_from_case(
        session=session,
        actor=chief,
        case_id=case.id,
        inspector_ids=[principal_of(session, "inspector_a").user_id or 0, chief.user_id or 0],
    )
    session.commit()
    # The pages the phone keeps name the task the inspection is for.
    page = client.get(f"/gov/app/businesses/{store.id}", headers=HTML).text
    assert f'id="my-task" data-task="{task.id}"' in page
    shell = client.get(f"/gov/app/businesses/{store.id}/inspect", headers=HTML).text
    assert f'data-task-id="{task.id}"' in shell
    token = _csrf(client)
    body = {**_body(session, client, store), "task_id": task.id}
    tasks.cancel_task(session=session, actor=chief, task_id=task.id, reason="商户已停业")
    session.commit()
    before = _count(session)
    conflict = _send(client, body, token)
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "task-changed"
    assert "取消" in conflict.json()["detail"]  # in the reader's language
    assert _count(session) == before
    kept = _send(client, {**body, "task_id": None}, token)
    assert kept.status_code == 201 and kept.json()["task_id"] is None


def test_the_home_maps_my_tasks(client: TestClient, session: Session) -> None:
    from helpers import open_station_case
    from sunshine.inspections import tasks

    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    store = session.get(Business, case.business_id)
    assert store is not None
    store.latitude, store.longitude = 30.6571, 104.0662
    chief = principal_of(session, "chief_a")
    task = tasks.create_task_from_case(
        session=session,
        actor=chief,
        case_id=case.id,
        inspector_ids=[principal_of(session, "inspector_a").user_id or 0, chief.user_id or 0],
    )
    session.commit()
    login(client, "inspector_a")
    home = client.get("/gov/app", headers=HTML).text
    assert 'id="task-map"' in home
    pin = re.search(
        rf'<a href="geo:([0-9.]+),([0-9.]+)\?[^"]*" class="map-pin[^"]*" data-task="{task.id}"',
        home,
    )
    assert pin and (float(pin.group(1)), float(pin.group(2))) == (30.6571, 104.0662)
