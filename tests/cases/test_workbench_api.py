"""The JSON routes of a case's statutory clock: reading it with its legal basis, stopping
and restarting it, and recording an approved extension, each on the version seen."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from helpers import api_token, open_station_case
from sunshine.cases.calendar import add_workdays
from sunshine.core.time import today_local


def test_a_clock_is_stopped_restarted_and_extended(client: TestClient, session: Session) -> None:
    case = open_station_case(session, kind="report", received_workdays_ago=5)
    session.commit()
    chief = api_token(client, "chief_a")
    read = client.get(f"/api/v1/cases/{case.id}/clock", headers=chief)
    assert read.status_code == 200, read.text
    clock = read.json()["clock"]
    assert clock["limit_key"] == "lead.verify" and clock["unit"] == "working_days"
    assert clock["basis"]["article"] == "Art. 18" and clock["basis"]["status"] == "verified"
    assert clock["due_on"] == case.due_on.isoformat()  # type: ignore[union-attr]
    version = read.json()["case"]["version"]

    start = add_workdays(today_local(), count=-2).isoformat()
    body = {"expected_version": version, "kind": "testing", "reason": "送检", "start_on": start}
    stopped = client.post(f"/api/v1/cases/{case.id}/pauses", headers=chief, json=body)
    assert stopped.status_code == 201, stopped.text
    assert stopped.json()["clock"]["state"] == "paused"
    assert stopped.json()["pauses"][0]["start_on"] == start
    again = client.post(f"/api/v1/cases/{case.id}/pauses", headers=chief, json=body)
    assert again.status_code == 409  # the version moved on
    current = stopped.json()["case"]["version"]
    hearing = dict(body, expected_version=current, kind="hearing")
    not_for_this = client.post(f"/api/v1/cases/{case.id}/pauses", headers=chief, json=hearing)
    assert not_for_this.status_code == 422  # verifying a lead does not stop for a hearing
    twice = client.post(
        f"/api/v1/cases/{case.id}/pauses", headers=chief, json=dict(body, expected_version=current)
    )
    assert twice.status_code == 409  # already stopped

    version = stopped.json()["case"]["version"]
    restarted = client.post(
        f"/api/v1/cases/{case.id}/pauses/end", headers=chief, json={"expected_version": version}
    )
    assert restarted.status_code == 200, restarted.text
    assert restarted.json()["pauses"][0]["end_on"] == today_local().isoformat()
    assert restarted.json()["clock"]["due_on"] > clock["due_on"]

    version = restarted.json()["case"]["version"]
    extension = {"expected_version": version, "reason": "案情复杂"}
    refused = client.post(f"/api/v1/cases/{case.id}/extensions", headers=chief, json=extension)
    assert refused.status_code == 403  # only the head of the bureau approves
    leader = api_token(client, "leader")
    extended = client.post(f"/api/v1/cases/{case.id}/extensions", headers=leader, json=extension)
    assert extended.status_code == 201, extended.text
    assert extended.json()["extensions"][0]["rule_key"] == "lead.verify_extension"
    assert extended.json()["extensions"][0]["length"] == 15

    neighbour = api_token(client, "inspector_b")
    assert client.get(f"/api/v1/cases/{case.id}/clock", headers=neighbour).status_code == 404
    hidden = client.post(
        f"/api/v1/cases/{case.id}/pauses/end", headers=neighbour, json={"expected_version": 1}
    )
    assert hidden.status_code == 404
    owner = api_token(client, "owner_a")
    assert client.get(f"/api/v1/cases/{case.id}/clock", headers=owner).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}/clock").status_code == 401
