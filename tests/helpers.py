"""Helpers shared by HTTP tests: signing in through the portal form or the API."""

from __future__ import annotations

from fastapi.testclient import TestClient


def login(client: TestClient, username: str, password: str | None = None) -> TestClient:
    """Sign ``client`` in through the portal form (CSRF included)."""
    from sunshine.demo.seed import DEMO_PASSWORD

    page = client.get("/login")
    token = _csrf_from(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": password or DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, response.text[:500]
    return client


def _csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token rendered into the form at ``path``."""
    return _csrf_from(client.get(path).text)


def api_token(client: TestClient, username: str, password: str | None = None) -> dict[str, str]:
    from sunshine.demo.seed import DEMO_PASSWORD

    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": password or DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
