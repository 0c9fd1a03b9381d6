"""The plan board, draws, task board and conflicts pages through HTTP, and the public /draws
pages: what a chief, an inspector, a neighbour and the public each get."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from plan_helpers import add_officer, office_of, station_businesses
from sqlalchemy.orm import Session

from helpers import api_token, csrf_of, open_station_case, principal_of
from sunshine.auth.enums import Role
from sunshine.core.time import today_local
from sunshine.inspections.draw_algorithm import reproduce
from sunshine.inspections.plan_models import RandomDraw

HTML = {"accept": "text/html"}
Opener = Callable[[str], TestClient]


@pytest.fixture
def county(session: Session) -> None:
    bureau = office_of(session, "inspector_a")
    add_officer(session, username="leader_a", unit=bureau, role=Role.BUREAU_LEADER)
    add_officer(session, username="off_a1", unit=bureau)
    add_officer(session, username="off_a2", unit=bureau)
    session.commit()


def _draw_form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "title": "2026年第一批双随机抽查",
        "area_code": "",
        "operating_only": "1",
        "quantity_kind": "percent",
        "quantity": "100",
        "group_size": "2",
        "due_on": (today_local() + timedelta(days=60)).isoformat(),
    }
    form.update(changes)
    return form


def _make_draw(client: TestClient) -> int:
    token = csrf_of(client, "/gov/draws")
    made = client.post("/gov/draws", data=_draw_form(token))
    assert made.status_code == 303, made.text[:2000]
    match = re.fullmatch(r"/gov/draws/(\d+)", made.headers["location"])
    assert match
    return int(match.group(1))


def test_a_leader_makes_the_plan_and_reads_its_progress(new_client: Opener, county: None) -> None:
    client = new_client("leader_a")
    page = client.get("/gov/plans", headers=HTML)
    assert page.status_code == 200 and 'id="plan-make"' in page.text and 'id="no-plan"' in page.text
    assert 'data-rule="special_groups"' in page.text and 'data-status="unverified"' in page.text
    token = csrf_of(client, "/gov/plans")
    made = client.post("/gov/plans", data={"csrf_token": token, "year": str(today_local().year)})
    assert made.status_code == 303
    board = client.get(made.headers["location"], headers=HTML)
    assert board.status_code == 200
    assert re.search(r'id="plan-businesses">3<', board.text)
    assert board.text.count('data-business="') == 3
    english = client.get("/gov/plans?lang=en", headers=HTML)
    assert "Inspection plans" in english.text and "Required and done by area" in english.text
    refused = client.post("/gov/plans", data={"csrf_token": token, "year": "1999"})
    assert refused.status_code == 422 and 'data-field="year"' in refused.text


def test_an_inspector_reads_the_plan_board_without_the_form(
    new_client: Opener, county: None
) -> None:
    page = new_client("inspector_a").get("/gov/plans", headers=HTML)
    assert page.status_code == 200 and 'id="plan-make"' not in page.text


def test_a_draw_is_made_verified_published_and_shown_to_the_public(
    new_client: Opener, client: TestClient, session: Session, county: None
) -> None:
    leader = new_client("leader_a")
    counted = leader.get(
        "/gov/draws/count?quantity_kind=count&quantity=2&operating_only=1", headers=HTML
    )
    assert 'data-candidates="3"' in counted.text and 'data-to-draw="2"' in counted.text
    token = csrf_of(leader, "/gov/draws")
    refused = leader.post("/gov/draws", data=_draw_form(token, group_size="1", title=""))
    assert refused.status_code == 422
    assert 'data-field="group_size"' in refused.text and 'data-field="title"' in refused.text
    draw_id = _make_draw(leader)
    detail = leader.get(f"/gov/draws/{draw_id}?verify=1", headers=HTML)
    assert detail.status_code == 200 and 'id="verification" data-ok="yes"' in detail.text
    assert detail.text.count('data-position="') == 3
    draw = session.get(RandomDraw, draw_id)
    assert draw is not None
    assert client.get(f"/draws/{draw.reference}", headers=HTML).status_code == 404  # unpublished
    chief = new_client("chief_a")  # a station below the county bureau that drew
    assert chief.get(f"/gov/draws/{draw_id}", headers=HTML).status_code == 404
    published = leader.post(f"/gov/draws/{draw_id}/publish", data={"csrf_token": token})
    assert published.status_code == 303
    assert chief.get(f"/gov/draws/{draw_id}", headers=HTML).status_code == 200
    listing = client.get("/draws", headers=HTML)
    assert listing.status_code == 200 and f'data-draw="{draw.reference}"' in listing.text
    public = client.get(f"/draws/{draw.reference}", headers=HTML)
    assert public.status_code == 200 and draw.seed in public.text
    assert public.text.count('data-position="') == 3
    for business in station_businesses(session, "chief_a"):
        assert business.name in public.text
    document = client.get(f"/draws/{draw.reference}.json").json()
    assert document["seed"] == draw.seed and document["candidate_ids"] == draw.candidate_ids
    assert reproduce(document) == [
        (d["business_id"], d["pool"], d["inspector_ids"]) for d in document["drawn"]
    ]
    board = new_client("inspector_a").get("/gov/tasks?queue=open", headers=HTML)
    assert board.text.count('data-task="') == 3
    # The neighbouring county sees neither the draw nor its tasks.
    neighbour = new_client("inspector_b")
    assert neighbour.get(f"/gov/draws/{draw_id}", headers=HTML).status_code == 404
    assert 'data-task="' not in neighbour.get("/gov/tasks?queue=open", headers=HTML).text


def test_a_case_task_is_created_assigned_and_listed(
    new_client: Opener, session: Session, county: None
) -> None:
    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    session.commit()
    chief = new_client("chief_a")
    token = csrf_of(chief, "/gov/tasks")
    made = chief.post("/gov/tasks/from-case", data={"csrf_token": token, "case": case.reference})
    assert made.status_code == 303
    task_page = chief.get(made.headers["location"], headers=HTML)
    assert 'id="task-assign"' in task_page.text and 'data-status="open"' in task_page.text
    task_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    ids = [principal_of(session, n).user_id for n in ("inspector_a", "chief_a")]
    assigned = chief.post(
        f"/gov/tasks/{task_id}/assign",
        data={"csrf_token": token, "inspector_ids": [str(i) for i in ids]},
    )
    assert assigned.status_code == 303
    mine = new_client("inspector_a").get("/gov/tasks?queue=mine", headers=HTML)
    assert f'data-task="{task_id}"' in mine.text
    too_few = chief.post(
        f"/gov/tasks/{task_id}/assign", data={"csrf_token": token, "inspector_ids": [str(ids[0])]}
    )
    assert too_few.status_code == 422 and 'data-field="inspectors"' in too_few.text
    unknown = chief.post(
        "/gov/tasks/from-case", data={"csrf_token": token, "case": "TS00000000-XXXXXX"}
    )
    assert unknown.status_code == 422 and 'data-field="case"' in unknown.text
    assert new_client("chief_b").get(f"/gov/tasks/{task_id}", headers=HTML).status_code == 404


def test_an_officer_declares_and_withdraws_a_conflict(new_client: Opener, session: Session) -> None:
    business = station_businesses(session, "chief_a")[0]
    officer = new_client("inspector_a")
    found = officer.get(f"/gov/conflicts?q={business.name[:4]}", headers=HTML)
    assert f'data-business="{business.id}"' in found.text
    token = csrf_of(officer, "/gov/conflicts")
    declared = officer.post(
        "/gov/conflicts",
        data={"csrf_token": token, "business_id": str(business.id), "reason": "亲属经营"},
    )
    assert declared.status_code == 303
    listed = officer.get("/gov/conflicts", headers=HTML)
    match = re.search(r'data-conflict="(\d+)" data-standing="yes"', listed.text)
    assert match
    assert (
        'data-conflict="' not in new_client("inspector_b").get("/gov/conflicts", headers=HTML).text
    )
    withdrawn = officer.post(
        f"/gov/conflicts/{match.group(1)}/withdraw", data={"csrf_token": token}
    )
    assert withdrawn.status_code == 303
    assert 'data-standing="no"' in officer.get("/gov/conflicts", headers=HTML).text
    empty = officer.post(
        "/gov/conflicts", data={"csrf_token": token, "business_id": str(business.id), "reason": ""}
    )
    assert empty.status_code == 422 and 'data-field="reason"' in empty.text


def test_the_api_creates_a_case_task_and_lists_the_queues(
    client: TestClient, session: Session, county: None
) -> None:
    case = open_station_case(session, kind="report", received_workdays_ago=1)
    session.commit()
    chief = api_token(client, "chief_a")
    ids = [principal_of(session, n).user_id for n in ("inspector_a", "chief_a")]
    made = client.post(
        f"/api/v1/cases/{case.id}/inspection-task", json={"inspector_ids": ids}, headers=chief
    )
    assert made.status_code == 201, made.text
    task = made.json()
    assert task["source"] == "case" and task["kind"] == "complaint" and task["inspector_ids"] == ids
    again = client.post(f"/api/v1/cases/{case.id}/inspection-task", json={}, headers=chief)
    assert again.status_code == 409
    inspector = api_token(client, "inspector_a")
    mine = client.get("/api/v1/inspection-tasks?queue=mine", headers=inspector).json()
    assert [t["id"] for t in mine["items"]] == [task["id"]] and mine["total"] == 1
    neighbour = api_token(client, "inspector_b")
    assert client.get("/api/v1/inspection-tasks?queue=open", headers=neighbour).json()["total"] == 0
    assert (
        client.get(f"/api/v1/inspection-tasks/{task['id']}", headers=neighbour).status_code == 404
    )
    other = open_station_case(session, kind="complaint", received_workdays_ago=2)
    session.commit()
    too_few = client.post(
        f"/api/v1/cases/{other.id}/inspection-task", json={"inspector_ids": ids[:1]}, headers=chief
    )
    assert too_few.status_code == 422
    assert [e["field"] for e in too_few.json()["errors"]] == ["inspectors"]


def test_the_api_verifies_a_draw(new_client: Opener, client: TestClient, county: None) -> None:
    draw_id = _make_draw(new_client("leader_a"))
    checked = client.get(
        f"/api/v1/draws/{draw_id}/verification", headers=api_token(client, "leader_a")
    ).json()
    assert checked["ok"] is True and {c["key"] for c in checked["checks"]} >= {"result", "audit"}
    refused = client.get(
        f"/api/v1/draws/{draw_id}/verification", headers=api_token(client, "inspector_b")
    )
    assert refused.status_code == 404
