"""Sending: email to a real SMTP server, SMS to the log gateway, retries with backoff, and
one failing delivery never stopping another."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from notify_support import (
    GREETING,
    Configure,
    Mailbox,
    free_port,
    start_smtp,
    user_named,
)
from sqlalchemy.orm import Session, sessionmaker

from sunshine.core.time import utc_now
from sunshine.notifications import channels, delivery, repository, tasks
from sunshine.notifications.enums import Channel, DeliveryStatus
from sunshine.notifications.models import Delivery
from sunshine.notifications.service import Contact, notify


def _deliveries(db: sessionmaker[Session], notification_id: int) -> dict[Channel, Delivery]:
    with db() as session:
        return {d.channel: d for d in repository.deliveries_of(session, notification_id)}


def _notify_committed(
    db: sessionmaker[Session], *, email: str | None = None, phone: str | None = None
) -> int:
    """A committed greeting to ``owner_a`` (delivered at once: tests run jobs immediately)."""
    with db() as session:
        user = user_named(session, "owner_a")
        user.email, user.phone, user.locale = email, phone, "zh_CN"
        (made,) = notify(
            session=session,
            kind=GREETING.key,
            recipients=[user.id],
            params={"title": "您的门店收到一条新的顾客评价"},
            link="/biz/inbox",
        )
        session.commit()
        return made.id


def _later(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    """Move the jobs' clock ``delta`` ahead."""
    moment = utc_now() + delta
    monkeypatch.setattr(tasks, "utc_now", lambda: moment)


def test_an_email_reaches_a_real_smtp_server(
    db: sessionmaker[Session], smtp_server: Mailbox
) -> None:
    notification_id = _notify_committed(db, email="owner.a@example.com")

    ((recipients, message),) = smtp_server.messages
    assert recipients == ["owner.a@example.com"]
    assert message["To"] == "owner.a@example.com"
    assert message["Subject"] == "阳光食安"
    assert "阳光食安" in str(message["From"]) and "noreply@sunshine.test" in str(message["From"])
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "您的门店收到一条新的顾客评价" in body
    assert "http://testserver/biz/inbox" in body
    sent = _deliveries(db, notification_id)[Channel.EMAIL]
    assert sent.status is DeliveryStatus.SENT and sent.attempts == 1
    assert sent.provider_message_id == message["Message-ID"]
    assert sent.sent_at is not None and sent.next_attempt_at is None and sent.last_error is None


def test_a_refused_connection_is_retried_later_and_then_sent(
    db: sessionmaker[Session], configured: Configure, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()  # nothing listens here yet
    configured(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_timeout_s=5.0)
    before = utc_now()
    notification_id = _notify_committed(db, email="owner.a@example.com")

    failed = _deliveries(db, notification_id)[Channel.EMAIL]
    assert failed.status is DeliveryStatus.PENDING and failed.attempts == 1
    assert failed.last_error is not None and "ConnectionRefusedError" in failed.last_error
    assert failed.next_attempt_at is not None
    assert before + timedelta(minutes=1) <= failed.next_attempt_at
    assert failed.next_attempt_at <= utc_now() + timedelta(minutes=1)

    tasks.retry_due()  # not due yet: nothing happens
    assert _deliveries(db, notification_id)[Channel.EMAIL].attempts == 1

    mailbox = Mailbox()
    controller = start_smtp(mailbox, port)
    try:
        _later(monkeypatch, timedelta(minutes=2))
        tasks.retry_due()
    finally:
        controller.stop()
    sent = _deliveries(db, notification_id)[Channel.EMAIL]
    assert sent.status is DeliveryStatus.SENT and sent.attempts == 2
    assert sent.last_error is None and len(mailbox.messages) == 1


def test_a_refused_recipient_fails_at_once(db: sessionmaker[Session], smtp_server: Mailbox) -> None:
    smtp_server.refuse.add("gone@example.com")
    notification_id = _notify_committed(db, email="gone@example.com")
    failed = _deliveries(db, notification_id)[Channel.EMAIL]
    assert failed.status is DeliveryStatus.FAILED and failed.attempts == 1
    assert failed.last_error is not None and "550" in failed.last_error
    assert failed.next_attempt_at is None
    assert smtp_server.messages == []


def test_retries_back_off_and_end_in_failed(
    db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def gateway_down(*, phone: str, text: str) -> str:
        raise TimeoutError("gateway did not answer")

    monkeypatch.setattr(channels, "send_sms", gateway_down)
    clock = [utc_now() + timedelta(seconds=1)]
    monkeypatch.setattr(tasks, "utc_now", lambda: clock[0])
    notification_id = _notify_committed(db, phone="13900139000")
    waits = []
    while (pending := _deliveries(db, notification_id)[Channel.SMS]).status is (
        DeliveryStatus.PENDING
    ):
        assert pending.last_error == "TimeoutError: gateway did not answer"
        assert pending.next_attempt_at is not None
        waits.append(pending.next_attempt_at - clock[0])
        tasks.retry_due()  # not due yet: nothing happens
        assert _deliveries(db, notification_id)[Channel.SMS].attempts == pending.attempts
        clock[0] = pending.next_attempt_at
        tasks.retry_due()
    assert waits == [timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    failed = _deliveries(db, notification_id)[Channel.SMS]
    assert failed.status is DeliveryStatus.FAILED
    assert failed.attempts == delivery.MAX_ATTEMPTS == 6
    assert failed.next_attempt_at is None
    clock[0] += timedelta(days=30)
    tasks.retry_due()  # a failed delivery is never tried again
    assert _deliveries(db, notification_id)[Channel.SMS].attempts == 6


def test_the_backoff_schedule() -> None:
    assert [delivery.retry_delay(n) for n in range(1, 7)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=25),
        timedelta(minutes=125),
        timedelta(minutes=625),
        timedelta(minutes=625),
    ]


def test_one_failing_delivery_does_not_stop_the_others(
    db: sessionmaker[Session], smtp_server: Mailbox, sms_log: Path
) -> None:
    with db() as session:
        user = user_named(session, "owner_a")
        user.email = None
        made = notify(
            session=session,
            kind=GREETING.key,
            recipients=[
                Contact(email="first@example.com"),
                Contact(phone="13900139001"),
                Contact(email="third@example.com"),
            ],
            params={"title": "三条通知"},
        )
        broken = made[0].deliveries[0]
        broken.address = "not a ciphertext"  # e.g. written under another data key
        session.flush()
        ids = [n.id for n in made]
        session.commit()
    first, second, third = (_deliveries(db, i) for i in ids)
    assert first[Channel.EMAIL].status is DeliveryStatus.PENDING
    assert "decrypt" in (first[Channel.EMAIL].last_error or "")
    assert second[Channel.SMS].status is DeliveryStatus.SENT
    assert third[Channel.EMAIL].status is DeliveryStatus.SENT
    assert [r for r, _ in smtp_server.messages] == [["third@example.com"]]


def test_a_delivery_is_claimed_by_one_worker_only(
    db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "enqueue_delivery", lambda notification_id: None)
    with db() as session:
        (made,) = notify(
            session=session,
            kind=GREETING.key,
            recipients=[Contact(phone="13900139000")],
            params={"title": "x"},
        )
        session.commit()
        delivery_id = made.deliveries[0].id
    now = utc_now()
    with db() as first, db() as second:
        assert delivery.claim(session=first, delivery_id=delivery_id, now=now) is not None
        first.commit()
        assert delivery.claim(session=second, delivery_id=delivery_id, now=now) is None


def test_email_without_smtp_is_skipped_not_pretended(db: sessionmaker[Session]) -> None:
    notification_id = _notify_committed(db, email="owner.a@example.com")
    skipped = _deliveries(db, notification_id)[Channel.EMAIL]
    assert skipped.status is DeliveryStatus.SKIPPED
    assert skipped.last_error == "no SMTP server is configured (SUNSHINE_SMTP_HOST)"
    assert skipped.sent_at is None and skipped.provider_message_id is None


def test_the_logging_gateway_writes_the_sms_log(
    db: sessionmaker[Session], sms_log: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sunshine.sms"):
        notification_id = _notify_committed(db, phone="13900139000")
    (line,) = sms_log.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["phone"] == "13900139000"
    assert record["text"].startswith("阳光食安") and "顾客评价" in record["text"]
    sent = _deliveries(db, notification_id)[Channel.SMS]
    assert sent.status is DeliveryStatus.SENT and sent.provider_message_id == record["id"]
    logged = [r.getMessage() for r in caplog.records if r.name == "sunshine.sms"]
    assert len(logged) == 1 and "139****9000" in logged[0] and "13900139000" not in logged[0]


def test_the_sms_gateway_is_chosen_by_a_setting(tmp_path: Path) -> None:
    assert isinstance(channels.sms_gateway("logging"), channels.LoggingSmsGateway)
    chosen = channels.sms_gateway("sunshine.notifications.channels:LoggingSmsGateway")
    assert isinstance(chosen, channels.LoggingSmsGateway)
    with pytest.raises(TypeError, match="no send"):
        channels.sms_gateway("json:JSONDecoder")
    with pytest.raises(ValueError, match="module:Class"):
        channels.sms_gateway("nonsense")
    gateway = channels.LoggingSmsGateway(tmp_path / "nested" / "sms.log")
    message_id = gateway.send(phone="13800138000", text="测试")
    assert message_id in (tmp_path / "nested" / "sms.log").read_text(encoding="utf-8")
