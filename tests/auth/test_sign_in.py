"""Signing in: every role lands on its portal with the right menus; lockout; tokens; CSRF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers import api_token, csrf_of, login
from sunshine.config import Settings
from sunshine.demo.seed import DEMO_PASSWORD

PORTAL_OF = {
    "admin": "/gov/",
    "leader": "/gov/",
    "city_leader": "/gov/",
    "inspector_a": "/gov/",
    "chief_a": "/gov/",
    "owner_a": "/biz/",
    "manager_a": "/biz/",
    "staff_a": "/biz/",
    "chain_hq": "/biz/",
    "citizen": "/",
}


@pytest.mark.parametrize("username", sorted(PORTAL_OF))
def test_each_role_lands_on_its_portal(client: TestClient, username: str) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_of(client, "/login"),
        },
    )
    assert page.status_code == 200
    assert response.status_code == 303
    assert response.headers["location"] == PORTAL_OF[username]


def test_regulator_menus_depend_on_role(client: TestClient) -> None:
    login(client, "inspector_a")
    page = client.get("/gov/", headers={"accept": "text/html"}).text
    assert 'href="/gov/businesses"' in page
    assert 'href="/gov/users"' not in page
    assert 'href="/gov/audit"' not in page
    client.cookies.clear()
    login(client, "admin")
    page = client.get("/gov/", headers={"accept": "text/html"}).text
    assert 'href="/gov/users"' in page
    assert 'href="/gov/audit"' in page


def test_enterprise_user_cannot_open_government_portal(client: TestClient) -> None:
    login(client, "owner_a")
    response = client.get("/gov/businesses", headers={"accept": "text/html"})
    assert response.status_code == 403


def test_anonymous_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/gov/", headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_wrong_password_is_rejected_without_saying_which_part(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={
            "username": "inspector_a",
            "password": "nope",
            "csrf_token": csrf_of(client, "/login"),
        },
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.text or "用户名或密码错误" in response.text


def test_repeated_failures_lock_the_account(client: TestClient) -> None:
    token = csrf_of(client, "/login")
    for _ in range(5):
        client.post(
            "/login", data={"username": "inspector_b", "password": "bad", "csrf_token": token}
        )
    locked = client.post(
        "/login", data={"username": "inspector_b", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429
    api = client.post(
        "/api/v1/auth/token", data={"username": "inspector_b", "password": DEMO_PASSWORD}
    )
    assert api.status_code == 429
    assert int(api.headers["retry-after"]) > 60


def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "inspector_a", "password": DEMO_PASSWORD})
    assert response.status_code == 403


def test_bearer_token_and_password_change_revokes_it(client: TestClient) -> None:
    headers = api_token(client, "inspector_a")
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == "inspector_a"
    login(client, "inspector_a")
    response = client.post(
        "/account/password",
        data={
            "current_password": DEMO_PASSWORD,
            "new_password": "Another#Passw0rd",
            "csrf_token": csrf_of(client, "/account/password"),
        },
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        client.get(
            "/api/v1/me", headers=api_token(client, "inspector_a", "Another#Passw0rd")
        ).status_code
        == 200
    )


def test_weak_new_password_is_rejected_with_reasons(client: TestClient) -> None:
    login(client, "owner_a")
    for lang, reason in (("zh_CN", "至少需要 10 个字符"), ("en", "at least 10 characters")):
        client.cookies.set("lang", lang)
        response = client.post(
            "/account/password",
            data={
                "current_password": DEMO_PASSWORD,
                "new_password": "short",
                "csrf_token": csrf_of(client, "/account/password"),
            },
            headers={"accept": "text/html"},
        )
        assert response.status_code == 422
        assert reason in response.text


def test_invalid_bearer_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/businesses", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_deactivation_ends_an_open_session_at_once(app: object, client: TestClient) -> None:
    """The principal cache must not keep a deactivated account signed in."""
    from sqlalchemy import select

    from sunshine.auth.models import User
    from sunshine.core.db import session_factory

    inspector = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    login(inspector, "inspector_b")
    assert inspector.get("/gov/", headers={"accept": "text/html"}).status_code == 200
    with session_factory()() as session:
        user_id = session.execute(
            select(User.id).where(User.username == "inspector_b")
        ).scalar_one()
    login(client, "admin")
    off = client.post(
        f"/gov/users/{user_id}/active",
        headers={"accept": "text/html"},
        data={"csrf_token": csrf_of(client, "/gov/users"), "active": "0"},
    )
    assert off.status_code == 303
    after = inspector.get("/gov/", headers={"accept": "text/html"})
    assert after.status_code == 303
    assert after.headers["location"].startswith("/login")


def test_a_remembered_token_still_expires(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uses the test settings (the signing key): run first in a worker, it must not fall
    back to the environment's."""
    from sunshine.auth import tokens

    token = tokens.issue(user_id=7, auth_version=3, salt=tokens.SESSION_SALT)
    claims = tokens.read(token, salt=tokens.SESSION_SALT, max_age_s=60)
    assert claims is not None and claims[:2] == (7, 3)
    assert tokens.read(token, salt=tokens.TOKEN_SALT, max_age_s=60) is None  # other purpose
    assert tokens.read(token + "x", salt=tokens.SESSION_SALT, max_age_s=60) is None
    later = tokens.time.time() + 120
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    assert tokens.read(token, salt=tokens.SESSION_SALT, max_age_s=60) is None
