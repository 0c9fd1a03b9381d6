"""The checklists pages of the government portal: every regulator reads them; only an
administrator loads a version from its file, which is refused whole when anything in it is
wrong, each problem listed with its place in the file."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import csrf_of, login
from sunshine.auth.principal import SYSTEM
from sunshine.inspections import checklists, files
from sunshine.inspections.models import Checklist

HTML = {"accept": "text/html"}


def _upload(client: TestClient, name: str, content: bytes, activate: bool = False) -> Response:
    data = {"csrf_token": csrf_of(client, "/gov/checklists")}
    if activate:
        data["activate"] = "1"
    return client.post(
        "/gov/checklists",
        data=data,
        files={"file": (name, content, "application/json")},
        headers=HTML,
    )


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Checklist)).scalar_one())


def test_inspectors_read_the_table_in_force_and_see_the_draft_marked(
    client: TestClient, session: Session
) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    session.commit()
    login(client, "inspector_a")
    page = client.get("/gov/checklists", headers=HTML)
    assert page.status_code == 200 and 'data-status="active"' in page.text
    assert 'data-status="draft"' in page.text and "checklist-upload" not in page.text
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    detail = client.get(f"/gov/checklists/{current.id}", headers=HTML)
    assert detail.text.count('data-key="yes"') == 7 and "in-force-notice" in detail.text
    draft = session.execute(select(Checklist).where(Checklist.version == "2022")).scalar_one()
    shown = client.get(f"/gov/checklists/{draft.id}", headers=HTML)
    assert "draft-notice" in shown.text and "activate-form" not in shown.text


def test_an_administrator_loads_a_version_and_puts_it_in_force(
    client: TestClient, session: Session
) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    session.commit()
    login(client, "admin")
    doc = json.loads(files.bundled("catering-2016.json"))
    doc["version"] = "2016-r2"
    loaded = _upload(client, "catering.json", json.dumps(doc).encode(), activate=True)
    assert loaded.status_code == 303
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None and current.version == "2016-r2"


def test_a_wrong_file_is_listed_problem_by_problem_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    client.cookies.set("lang", "en")
    doc = json.loads(files.bundled("catering-2016.json"))
    doc["sections"][4]["items"][2]["key"] = "maybe"
    before = _count(session)
    refused = _upload(client, "catering.json", json.dumps(doc).encode())
    assert refused.status_code == 422
    assert "sections[4].items[2].key" in refused.text
    assert _count(session) == before
    not_json = _upload(client, "catering.txt", b"hello")
    assert not_json.status_code == 400 and ".json" in not_json.text


def test_an_inspector_cannot_load_a_checklist(client: TestClient, session: Session) -> None:
    login(client, "inspector_a")
    refused = _upload(client, "catering.json", files.bundled("catering-2016.json"))
    assert refused.status_code == 403
    assert _count(session) == 0
