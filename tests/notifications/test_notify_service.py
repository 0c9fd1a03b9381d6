"""notify(): who gets what by which channel, in which language, and only after commit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from notify_support import (
    GREETING,
    INBOX_ONLY,
    user_named,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from conftest import Demo
from helpers import open_station_case, principal_of
from sunshine.core import crypto
from sunshine.core.i18n import Message
from sunshine.core.pagination import PageRequest
from sunshine.core.time import to_local
from sunshine.notifications import kinds, repository, service, tasks
from sunshine.notifications.demo import seed_notifications
from sunshine.notifications.enums import Channel, DeliveryStatus
from sunshine.notifications.models import Delivery, Notification
from sunshine.notifications.service import Contact, notify
from sunshine.registry.models import Business

pytestmark = pytest.mark.usefixtures("empty_inboxes")


def _count(session: Session, model: type[Notification] | type[Delivery]) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The notification ids handed to the queue (instead of being delivered)."""
    calls: list[int] = []
    monkeypatch.setattr(tasks, "enqueue_delivery", calls.append)
    return calls


def test_a_user_gets_the_inbox_and_the_channels_the_kind_asks_for(
    session: Session, queued: list[int]
) -> None:
    user = user_named(session, "inspector_a")
    user.email, user.phone, user.locale = "inspector.a@example.gov.cn", "13800138000", "zh_CN"
    other = user_named(session, "inspector_b")
    other.email, other.phone, other.locale = None, None, "en"
    session.flush()

    made = notify(
        session=session,
        kind=GREETING.key,
        recipients=[user.id, other.id, user.id],
        params={"title": "后厨卫生问题"},
        link="/gov/inbox",
    )

    assert [n.recipient_user_id for n in made] == [user.id, other.id]  # one each, in order
    mine, theirs = made
    assert (mine.locale, mine.subject, mine.body) == ("zh_CN", "阳光食安", "后厨卫生问题")
    assert (theirs.locale, theirs.subject) == ("en", "Sunshine Food Safety")
    assert [d.channel for d in mine.deliveries] == [Channel.EMAIL, Channel.SMS]
    assert theirs.deliveries == []  # no address: the inbox only
    email, sms = mine.deliveries
    assert email.status is DeliveryStatus.PENDING and email.attempts == 0
    assert email.subject == "阳光食安"
    assert email.body.startswith("后厨卫生问题\n\n") and "http://testserver/gov/inbox" in email.body
    assert sms.body.startswith("阳光食安") and "后厨卫生问题" in sms.body
    # Addresses are stored encrypted, shown masked.
    assert email.address != "inspector.a@example.gov.cn"
    assert crypto.decrypt(email.address) == "inspector.a@example.gov.cn"
    assert email.address_hint == "i**********@example.gov.cn"
    assert sms.address_hint == "138****8000"
    assert queued == []  # nothing is queued before the transaction commits


def test_sms_only_when_the_kind_asks_for_it(session: Session, queued: list[int]) -> None:
    user = user_named(session, "owner_a")
    user.email, user.phone = "owner@example.com", "13900139000"
    session.flush()
    (made,) = notify(
        session=session,
        kind=kinds.CASE_ASSIGNED.key,
        recipients=[user.id],
        params={"reference": "C1", "title": "t", "due_date": "2026-12-01"},
    )
    assert [d.channel for d in made.deliveries] == [Channel.EMAIL]


def test_a_contact_without_an_account_is_reached_at_every_address_given(
    session: Session, queued: list[int]
) -> None:
    (made,) = notify(
        session=session,
        kind=INBOX_ONLY.key,  # a contact has no inbox, so its addresses are used regardless
        recipients=[Contact(email="diner@example.com", phone="139 0013 9000", locale="en")],
        params={"title": "Your complaint was received"},
    )
    assert made.recipient_user_id is None
    assert made.contact_hint == "d****@example.com / 139****9000"
    assert sorted(d.channel for d in made.deliveries) == [Channel.EMAIL, Channel.SMS]
    sms = next(d for d in made.deliveries if d.channel is Channel.SMS)
    assert crypto.decrypt(sms.address) == "13900139000"


def test_an_inactive_account_is_left_out(session: Session, queued: list[int]) -> None:
    user = user_named(session, "staff_a")
    user.is_active = False
    session.flush()
    assert (
        notify(session=session, kind=INBOX_ONLY.key, recipients=[user.id], params={"title": "x"})
        == []
    )


def test_bad_calls_are_refused_and_store_nothing(session: Session, queued: list[int]) -> None:
    user = user_named(session, "inspector_a")
    before = _count(session, Notification)
    with pytest.raises(LookupError, match="no message kind"):
        notify(session=session, kind="nope.unknown", recipients=[user.id], params={})
    with pytest.raises(ValueError, match="missing parameters title"):
        notify(session=session, kind=GREETING.key, recipients=[user.id], params={})
    with pytest.raises(ValueError, match="parameter title"):
        notify(session=session, kind=GREETING.key, recipients=[user.id], params={"title": 1.5})  # type: ignore[dict-item]
    for link in ("https://evil.example/x", "//evil.example", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="path on this site"):
            notify(
                session=session,
                kind=GREETING.key,
                recipients=[user.id],
                params={"title": "x"},
                link=link,
            )
    with pytest.raises(ValueError, match="no users with ids"):
        notify(session=session, kind=GREETING.key, recipients=[10**9], params={"title": "x"})
    with pytest.raises(ValueError, match="email address or a phone"):
        Contact()
    with pytest.raises(ValueError, match="not an email"):
        Contact(email="not-an-address")
    with pytest.raises(ValueError, match="not a phone"):
        Contact(phone="call me maybe")
    assert _count(session, Notification) == before


def test_nested_messages_are_translated_for_each_reader(
    session: Session, queued: list[int]
) -> None:
    kind = kinds.register_kind("test.nested", subject="{what}", body="{what}", channels=())
    user = user_named(session, "inspector_b")
    user.locale = "zh_CN"
    session.flush()
    (made,) = notify(
        session=session,
        kind=kind.key,
        recipients=[user.id],
        params={"what": Message("Sunshine Food Safety")},
    )
    assert made.subject == "阳光食安"
    assert made.params == {"what": {"template": "Sunshine Food Safety", "params": {}}}
    assert service.shown_message(made, "en") == ("Sunshine Food Safety", "Sunshine Food Safety")


def test_kinds_are_registered_once(session: Session) -> None:
    again = kinds.register_kind(
        GREETING.key, subject=GREETING.subject, body=GREETING.body, channels=GREETING.channels
    )
    assert again == GREETING
    with pytest.raises(ValueError, match="two different message kinds"):
        kinds.register_kind(GREETING.key, subject="other", body=GREETING.body)
    with pytest.raises(ValueError, match=r"domain\.event"):
        kinds.register_kind("Greeting", subject="x", body="x")
    with pytest.raises(ValueError, match="placeholders must be names"):
        kinds.register_kind("test.positional", subject="{0}", body="x")


def test_deliveries_are_queued_after_commit_and_dropped_on_rollback(
    db: sessionmaker[Session], queued: list[int]
) -> None:
    with db() as session:
        user = user_named(session, "inspector_a")
        user.email = "inspector.a@example.gov.cn"
        session.commit()
        before = _count(session, Notification)

        notify(session=session, kind=GREETING.key, recipients=[user.id], params={"title": "a"})
        session.rollback()
        assert _count(session, Notification) == before
        session.commit()  # the same session commits later: what was rolled back stays unsent
        assert queued == []

        notify(session=session, kind=GREETING.key, recipients=[user.id], params={"title": "b"})
        session.close()  # closing without commit is a rollback too
        assert queued == []

    with db() as session:
        kept = notify(
            session=session, kind=GREETING.key, recipients=[user.id], params={"title": "c"}
        )
        inbox_only = notify(
            session=session, kind=INBOX_ONLY.key, recipients=[user.id], params={"title": "d"}
        )
        assert queued == []
        session.commit()
        assert queued == [kept[0].id]  # the inbox-only message needs no job
        assert inbox_only[0].id not in queued
        session.commit()  # a later commit queues nothing again
        assert queued == [kept[0].id]


def test_a_savepoint_rolled_back_keeps_what_came_before(
    db: sessionmaker[Session], queued: list[int]
) -> None:
    with db() as session:
        before = _count(session, Notification)
        user = user_named(session, "inspector_a")
        user.email = "inspector.a@example.gov.cn"
        first = notify(
            session=session, kind=GREETING.key, recipients=[user.id], params={"title": "1"}
        )
        savepoint = session.begin_nested()
        notify(session=session, kind=GREETING.key, recipients=[user.id], params={"title": "2"})
        savepoint.rollback()
        session.commit()
        assert first[0].id in queued
        assert _count(session, Notification) == before + 1


def test_committed_notifications_are_delivered_by_the_job(
    db: sessionmaker[Session], sms_log: Path
) -> None:
    with db() as session:
        user = user_named(session, "owner_a")
        user.email, user.phone = "owner@example.com", "13900139000"
        (made,) = notify(
            session=session, kind=GREETING.key, recipients=[user.id], params={"title": "x"}
        )
        session.commit()  # the job runs now (tests queue jobs immediately)
        deliveries = {d.channel: d for d in repository.deliveries_of(session, made.id)}
        for delivery in deliveries.values():
            session.refresh(delivery)
    email, sms = deliveries[Channel.EMAIL], deliveries[Channel.SMS]
    assert email.status is DeliveryStatus.SKIPPED  # no SMTP server in the tests' settings
    assert email.last_error is not None and "SMTP" in email.last_error
    assert email.sent_at is None
    assert sms.status is DeliveryStatus.SENT and sms.sent_at is not None
    assert sms.provider_message_id and sms.provider_message_id.startswith("log-")
    assert "13900139000" in sms_log.read_text(encoding="utf-8")


def test_an_unreachable_queue_loses_nothing(
    db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, sms_log: Path
) -> None:
    def broken(notification_id: int) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "enqueue_delivery", broken)
    with db() as session:
        user = user_named(session, "owner_a")
        user.phone = "13900139000"
        (made,) = notify(
            session=session, kind=GREETING.key, recipients=[user.id], params={"title": "x"}
        )
        session.commit()  # committed although the job could not be queued
        (sms,) = repository.deliveries_of(session, made.id)
        assert sms.status is DeliveryStatus.PENDING
    tasks.retry_due()
    with db() as session:
        (sms,) = repository.deliveries_of(session, made.id)
        assert sms.status is DeliveryStatus.SENT


def test_the_case_timeline_lists_the_notifications_of_a_case(
    session: Session, queued: list[int]
) -> None:
    case = open_station_case(session, kind="complaint", received_workdays_ago=0)
    user = user_named(session, "chief_a")
    user.email = "chief.a@example.gov.cn"
    session.flush()
    params = {"reference": case.reference, "title": case.title, "due_date": "2026-12-01"}
    notify(
        session=session,
        kind=kinds.CASE_ASSIGNED.key,
        recipients=[user.id, Contact(phone="13900139000")],
        params=params,
        link=f"/gov/cases/{case.id}",
        case_id=case.id,
    )
    notify(session=session, kind=INBOX_ONLY.key, recipients=[user.id], params={"title": "other"})
    session.expunge_all()
    listed = repository.notifications_of_case(session, case.id)
    assert [n.recipient_user_id for n in listed] == [user.id, None]
    assert [d.channel for d in listed[0].deliveries] == [Channel.EMAIL]  # loaded with them
    assert [d.address_hint for d in listed[1].deliveries] == ["139****9000"]


def test_a_message_of_a_kind_this_process_does_not_know_is_shown_as_sent(
    session: Session, queued: list[int]
) -> None:
    user = user_named(session, "inspector_b")
    (made,) = notify(
        session=session, kind=INBOX_ONLY.key, recipients=[user.id], params={"title": "原文"}
    )
    made.kind = "retired.kind"
    assert service.shown_message(made, "en") == ("原文", "原文")


def test_demo_messages(session: Session, queued: list[int], demo: Demo) -> None:
    owner = user_named(session, "owner_a")
    business = session.get(Business, owner.business_id)
    assert business is not None
    business.licence_expiry_date = demo.today + timedelta(days=40)
    session.flush()
    usernames = sorted(demo.accounts)

    owners = [
        user_named(session, u) for u in usernames if demo.accounts[u]["role"] == "enterprise_owner"
    ]
    expiring = [
        o.username
        for o in owners
        if demo.today
        <= session.get(Business, o.business_id).licence_expiry_date  # type: ignore[union-attr]
        <= demo.today + timedelta(days=180)
    ]
    assert "owner_a" in expiring

    added = seed_notifications(session=session, usernames=usernames, today=demo.today)

    assert added == len(usernames) + len(expiring)  # a welcome each, the licence reminders
    page = service.list_inbox(
        session=session, actor=principal_of(session, "owner_a"), page=PageRequest(1, 10)
    )
    kinds_seen = [n.kind for n in page.items]
    assert sorted(kinds_seen) == ["account.welcome", "licence.expiring"]
    reminder = next(n for n in page.items if n.kind == "licence.expiring")
    assert business.name in reminder.subject and reminder.link == "/biz/profile"
    assert to_local(reminder.created_at).date() == demo.today - timedelta(days=1)
    welcome = next(n for n in page.items if n.kind == "account.welcome")
    assert "owner_a" in welcome.body
