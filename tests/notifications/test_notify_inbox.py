"""The inbox through HTTP: the API and the three portals' pages, each person's own messages
only, marking read, the unread badge, and what the badge costs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from notify_support import GREETING, INBOX_ONLY, user_named
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from helpers import api_token, csrf_of, login
from sunshine.notifications.models import Notification
from sunshine.notifications.service import notify
from sunshine.portals.shared.templating import ENV
from sunshine.registry.models import Business

HTML = {"accept": "text/html"}


pytestmark = pytest.mark.usefixtures("empty_inboxes")


def _give(session: Session, username: str, *titles: str, link: str | None = None) -> list[int]:
    user = user_named(session, username)
    ids = [
        notify(
            session=session,
            kind=INBOX_ONLY.key,
            recipients=[user.id],
            params={"title": title},
            link=link,
        )[0].id
        for title in titles
    ]
    session.commit()
    return ids


@pytest.fixture
def other(app: Any) -> Iterator[TestClient]:
    """A second browser, for a second person."""
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_the_api_lists_and_marks_only_the_callers_messages(
    client: TestClient, session: Session
) -> None:
    mine = _give(session, "inspector_a", "第一条", "第二条")
    (theirs,) = _give(session, "inspector_b", "别人的")
    me, them = api_token(client, "inspector_a"), api_token(client, "inspector_b")

    page = client.get("/api/v1/inbox", headers=me).json()
    assert [item["id"] for item in page["items"]] == mine[::-1]  # newest first
    assert page["items"][0]["body"] == "第二条" and page["unread"] == 2 and page["total"] == 2
    assert theirs not in [item["id"] for item in page["items"]]

    assert client.post(f"/api/v1/inbox/{theirs}/read", headers=me).status_code == 404
    assert client.post(f"/api/v1/inbox/{10**9}/read", headers=me).status_code == 404
    read = client.post(f"/api/v1/inbox/{mine[0]}/read", headers=me)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = client.get("/api/v1/inbox", params={"unread": "true"}, headers=me).json()
    assert [item["id"] for item in unread["items"]] == [mine[1]] and unread["unread"] == 1

    assert client.post("/api/v1/inbox/read-all", headers=me).json() == {"marked": 1}
    assert client.get("/api/v1/inbox", headers=me).json()["unread"] == 0
    # The other person's message was not touched by any of it.
    assert client.get("/api/v1/inbox", headers=them).json()["unread"] == 1
    assert client.get("/api/v1/inbox").status_code == 401


def test_the_government_inbox_page(client: TestClient, other: TestClient, session: Session) -> None:
    (linked, plain) = _give(session, "inspector_a", "<script>alert(1)</script>", "普通消息")
    session.execute(
        select(Notification).where(Notification.id == linked)
    ).scalar_one().link = "/gov/businesses"
    session.commit()
    (theirs,) = _give(session, "inspector_b", "别人的消息")
    login(client, "inspector_a")
    login(other, "inspector_b")

    page = client.get("/gov/inbox", headers=HTML)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'id="menu-inbox"' in html and 'id="inbox-unread">2<' in html
    assert html.count("inbox-unread") >= 2  # both messages carry the unread styling
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "普通消息" in html and "别人的消息" not in html
    assert f'action="/gov/inbox/{linked}/open"' in html
    assert f'action="/gov/inbox/{plain}/open"' not in html  # no link, no "Open"

    token = csrf_of(client, "/gov/inbox")
    assert client.post(f"/gov/inbox/{theirs}/read", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/gov/inbox/{linked}/open", data={"csrf_token": "x"}).status_code == 403
    opened = client.post(f"/gov/inbox/{linked}/open", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["location"] == "/gov/businesses"
    assert 'id="inbox-unread">1<' in client.get("/gov/", headers=HTML).text

    assert client.post("/gov/inbox/read-all").status_code == 403  # no CSRF token
    done = client.post("/gov/inbox/read-all", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/gov/inbox"
    html = client.get("/gov/inbox", headers=HTML).text
    assert 'id="inbox-unread"' not in html and 'id="read-all"' not in html
    # Marking all read touched nobody else's messages.
    assert 'id="inbox-unread">1<' in other.get("/gov/inbox", headers=HTML).text


def test_the_page_speaks_the_readers_language(client: TestClient, session: Session) -> None:
    user = user_named(session, "owner_a")
    notify(session=session, kind=GREETING.key, recipients=[user.id], params={"title": "门店通知"})
    session.commit()
    login(client, "owner_a")

    zh = client.get("/biz/inbox", headers=HTML)
    assert zh.headers["content-language"] == "zh-CN"
    assert '<html lang="zh-CN">' in zh.text and "工作台" in zh.text
    assert ">阳光食安</h2>" in zh.text.replace('<span class="badge text-bg-warning me-1">', "")
    en = client.get("/biz/inbox", params={"lang": "en"}, headers=HTML)
    assert en.headers["content-language"] == "en"
    assert '<html lang="en">' in en.text and "Dashboard" in en.text and "Inbox" in en.text
    assert "Sunshine Food Safety" in en.text and "门店通知" in en.text
    assert "Mark all as read" in en.text


def test_the_enterprise_and_public_inboxes(
    client: TestClient, other: TestClient, session: Session
) -> None:
    _give(session, "owner_a", "给店主")
    _give(session, "citizen", "给市民")
    login(client, "owner_a")
    biz = client.get("/biz/inbox", headers=HTML).text
    assert "给店主" in biz and "给市民" not in biz and 'id="menu-inbox"' in biz
    assert client.get("/gov/inbox", headers=HTML).status_code == 403
    assert client.get("/me/inbox", headers=HTML).headers["location"] == "/biz/inbox"

    login(other, "citizen")
    me = other.get("/me/inbox", headers=HTML)
    assert me.status_code == 200
    assert "给市民" in me.text and "给店主" not in me.text
    assert 'id="nav-inbox"' in me.text and 'id="inbox-unread">1<' in me.text
    token = csrf_of(other, "/me/inbox")
    assert other.post("/me/inbox/read-all", data={"csrf_token": token}).status_code == 303
    assert 'id="inbox-unread"' not in other.get("/", headers=HTML).text
    assert other.get("/biz/inbox", headers=HTML).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/me/inbox", headers=HTML)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_badge_costs_one_query_and_nothing_for_anonymous_visitors(
    client: TestClient, session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = session.execute(select(Business.public_code).limit(1)).scalar_one()
    calls: list[object] = []
    badge = ENV.globals["inbox_unread"]

    def counted(principal: object, request: object = None) -> object:
        calls.append(principal)
        return badge(principal, request)

    monkeypatch.setitem(ENV.globals, "inbox_unread", counted)
    assert client.get(f"/s/{store}", headers=HTML).status_code == 200
    assert client.get("/", headers=HTML).status_code == 200
    assert calls == []  # anonymous pages never ask

    _give(session, "inspector_a", "一条")
    login(client, "inspector_a")
    client.get("/gov/", headers=HTML)  # the first view also caches the principal
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get("/gov/", headers=HTML).text
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert 'id="inbox-unread">1<' in html
    touching = [s for s in statements if "notifications" in s]
    assert len(touching) == 1 and "count" in touching[0].lower()
