"""The API and the portal's session cookie: a browser signed in to a portal may read the API
with its cookie, but a state-changing call must carry the session's CSRF token, or a page of
another site could make the browser send it. Bearer tokens are not affected."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from helpers import api_token, csrf_of, login, store_of_station

JSON = {"accept": "application/json"}


def test_a_cookie_signed_api_write_needs_the_csrf_token(
    client: TestClient, session: Session
) -> None:
    store = store_of_station(session, "chief_a")
    login(client, "inspector_a")
    # Reading with the cookie works as before.
    assert client.get(f"/api/v1/businesses/{store.id}/inspections", headers=JSON).status_code == 200
    refused = client.post("/api/v1/inspections", json={}, headers=JSON)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    token = csrf_of(client, "/gov/conflicts")
    # With the token, the call reaches the endpoint (which names what is missing).
    checked = client.post("/api/v1/inspections", json={}, headers={**JSON, "X-CSRF-Token": token})
    assert checked.status_code == 422


def test_a_bearer_call_needs_no_csrf_token(client: TestClient) -> None:
    bearer = api_token(client, "inspector_a")
    answered = client.post("/api/v1/inspections", json={}, headers={**JSON, **bearer})
    assert answered.status_code == 422
