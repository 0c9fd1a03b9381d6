"""Notifying people, and their inbox.

:func:`notify` only adds rows to the caller's transaction. The ids are kept on the session,
and when that transaction commits a ``notifications.deliver`` job is queued per notification;
when it rolls back (or the session closes without committing) they are dropped and nothing
is sent. Failed sends are retried by the job's schedule (see :mod:`.tasks`).

Notifying is not audited on its own: a notification is the consequence of an action that its
domain audits in the same transaction, its row is never changed except for ``read_at``, and
each delivery row records every attempt. Writing an audit entry per message would lock the
audit chain for every recipient of every step for no added proof.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core import crypto
from sunshine.core.errors import AuthenticationError, NotFoundError
from sunshine.core.i18n import (
    DEFAULT_LOCALE,
    N_,
    ParamValue,
    Translator,
    normalise,
    params_from_json,
    params_json,
)
from sunshine.core.jobs import get_huey
from sunshine.core.masking import mask_phone
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import utc_now
from sunshine.notifications import kinds, repository, tasks
from sunshine.notifications.enums import Channel, DeliveryStatus
from sunshine.notifications.kinds import MessageKind, Rendered
from sunshine.notifications.models import Delivery, Notification

log = logging.getLogger(__name__)

_PENDING = "sunshine.notifications.pending"
EMAIL_PATTERN = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9]{5,19}$")
UNREAD_CAP = 100
EMAIL_LINK = N_("Open it in Sunshine Food Safety: {url}")


@dataclass(frozen=True)
class Contact:
    """A recipient without an account, reached only at the address they left: email, a
    mobile number, or both (every address given is used, since there is no inbox)."""

    email: str | None = None
    phone: str | None = None
    locale: str = DEFAULT_LOCALE

    def __post_init__(self) -> None:
        email = (self.email or "").strip() or None
        phone = re.sub(r"[\s-]", "", self.phone or "") or None
        if email is None and phone is None:
            raise ValueError("a contact needs an email address or a phone number")
        if email is not None and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
            raise ValueError(f"not an email address: {email!r}")
        if phone is not None and not PHONE_PATTERN.match(phone):
            raise ValueError("not a phone number")
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "phone", phone)
        object.__setattr__(self, "locale", normalise(self.locale))


#: A user (by id) or a contact without an account.
Recipient = int | Contact


@dataclass(frozen=True)
class _Target:
    user_id: int | None
    email: str | None
    phone: str | None
    locale: str
    channels: frozenset[Channel]


# Notifying ------------------------------------------------------------------------------------


def notify(
    *,
    session: Session,
    kind: str,
    recipients: Iterable[Recipient],
    params: Mapping[str, ParamValue] | None = None,
    link: str | None = None,
    case_id: int | None = None,
) -> list[Notification]:
    """Add one notification per recipient, rendered in each one's language, with a pending
    delivery per outbound channel; they are sent after ``session``'s transaction commits.

    Users get the inbox, plus email when they have an address and SMS when they have a phone
    and the kind asks for it; inactive accounts are left out. ``link`` is a path on this
    site (``/gov/cases/12``). Raises ``LookupError`` for an unregistered kind and
    ``ValueError`` for missing parameters, an unknown user or a link elsewhere.
    """
    message_kind = kinds.get_kind(kind)
    values = dict(params or {})
    kinds.check_params(message_kind, values)
    _check_link(link)
    targets = _targets(session, message_kind, list(recipients))
    stored_params = params_json(values)
    created = []
    for target in targets:
        rendered = kinds.render(message_kind, values, target.locale)
        notification = Notification(
            kind=message_kind.key,
            params=stored_params,
            recipient_user_id=target.user_id,
            contact_hint=None if target.user_id else _contact_hint(target),
            locale=target.locale,
            subject=rendered.subject,
            body=rendered.body,
            link=link,
            case_id=case_id,
            deliveries=_deliveries(target, rendered, link),
        )
        session.add(notification)
        created.append(notification)
    if created:
        session.flush()
        # The inbox needs no job: only messages with something to send are queued.
        _pending_ids(session).update(n.id for n in created if n.deliveries)
        # Build the queue (importing every job module) now rather than in the commit hook:
        # a module imported there may register session listeners of its own while
        # SQLAlchemy is iterating over them.
        get_huey()
    return created


def _check_link(link: str | None) -> None:
    if link is None:
        return
    if not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > 500:
        raise ValueError(f"a notification links to a path on this site, not {link!r}")


def _targets(session: Session, kind: MessageKind, recipients: list[Recipient]) -> list[_Target]:
    user_ids = list(dict.fromkeys(r for r in recipients if isinstance(r, int)))
    users = repository.users_by_id(session, user_ids)
    unknown = [i for i in user_ids if i not in users]
    if unknown:
        raise ValueError(f"no users with ids {unknown}")
    targets = [_user_target(users[i], kind) for i in user_ids if users[i].is_active]
    for recipient in recipients:
        if isinstance(recipient, Contact):
            targets.append(
                _Target(
                    None, recipient.email, recipient.phone, recipient.locale, frozenset(Channel)
                )
            )
        elif not isinstance(recipient, int):
            raise TypeError(f"a recipient is a user id or a Contact, not {recipient!r}")
    return targets


def _user_target(user: User, kind: MessageKind) -> _Target:
    return _Target(
        user_id=user.id,
        email=(user.email or "").strip() or None,
        phone=(user.phone or "").strip() or None,
        locale=normalise(user.locale),
        channels=kind.channels,
    )


def _deliveries(target: _Target, rendered: Rendered, link: str | None) -> list[Delivery]:
    now = utc_now()
    out = []
    if target.email and Channel.EMAIL in target.channels:
        out.append(
            Delivery(
                channel=Channel.EMAIL,
                address=crypto.encrypt(target.email),
                address_hint=mask_email(target.email),
                subject=rendered.subject,
                body=_email_body(rendered.body, link, target.locale),
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )
    if target.phone and Channel.SMS in target.channels:
        out.append(
            Delivery(
                channel=Channel.SMS,
                address=crypto.encrypt(target.phone),
                address_hint=mask_phone(target.phone),
                subject=None,
                body=rendered.sms,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )
    return out


def _email_body(body: str, link: str | None, locale: str) -> str:
    if not link:
        return body
    url = get_settings().base_url.rstrip("/") + link
    return body + "\n\n" + Translator(locale)(EMAIL_LINK, url=url)


def _contact_hint(target: _Target) -> str:
    parts = [mask_email(target.email) if target.email else "", mask_phone(target.phone)]
    return " / ".join(p for p in parts if p)


def mask_email(address: str | None) -> str:
    """``zhang.san@example.com`` → ``z*********@example.com`` (the domain stays readable)."""
    local, _, domain = (address or "").partition("@")
    if not local:
        return ""
    return local[0] + "*" * (len(local) - 1) + ("@" + domain if domain else "")


# After commit: queue the deliveries -----------------------------------------------------------


def _pending_ids(session: Session) -> set[int]:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    return pending


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        enqueue_deliveries(sorted(ids))


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (rolled back, or the session was
    # closed): what notify() added is gone, so nothing is sent. A savepoint rolled back
    # inside a committed transaction leaves its ids behind; their jobs find no row.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_transaction_end", _after_transaction_end)


def enqueue_deliveries(notification_ids: Sequence[int]) -> None:
    """Queue a delivery job per notification. A queue that cannot be reached loses nothing:
    the deliveries stay pending and the retry schedule picks them up."""
    for notification_id in notification_ids:
        try:
            tasks.enqueue_delivery(notification_id)
        except Exception:
            log.exception("could not queue delivery of notification %s", notification_id)


# The inbox ------------------------------------------------------------------------------------


def _user_id(actor: Principal) -> int:
    if actor.user_id is None:
        raise AuthenticationError()
    return actor.user_id


def list_inbox(
    *, session: Session, actor: Principal, page: PageRequest, unread_only: bool = False
) -> Page[Notification]:
    """The actor's own notifications, newest first."""
    return repository.inbox_page(
        session, user_id=_user_id(actor), page=page, unread_only=unread_only
    )


def unread_count(*, session: Session, actor: Principal, cap: int = UNREAD_CAP) -> int:
    """How many of the actor's notifications are unread (at most ``cap``)."""
    if actor.user_id is None:
        return 0
    return repository.count_unread(session, user_id=actor.user_id, cap=cap)


def get_own(*, session: Session, actor: Principal, notification_id: int) -> Notification:
    """One of the actor's notifications; someone else's is not found."""
    notification = repository.own_notification(
        session, user_id=_user_id(actor), notification_id=notification_id
    )
    if notification is None:
        raise NotFoundError(N_("No such message in your inbox."))
    return notification


def mark_read(*, session: Session, actor: Principal, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (reading it again changes nothing)."""
    notification = get_own(session=session, actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = utc_now()
        session.flush()
    return notification


def mark_all_read(*, session: Session, actor: Principal) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    return repository.mark_all_read(session, user_id=_user_id(actor), at=utc_now())


def shown_message(notification: Notification, locale: str) -> tuple[str, str]:
    """Subject and body in the reader's language: rendered again from the kind when this
    process knows it, else as stored (in the language the recipient had when it was made)."""
    normalised = normalise(locale)
    kind = kinds.find_kind(notification.kind)
    if kind is None or normalised == notification.locale:
        return notification.subject, notification.body
    params: dict[str, Any] = params_from_json(notification.params)
    try:
        kinds.check_params(kind, params)
    except ValueError:  # the kind's templates changed since: keep what was sent
        return notification.subject, notification.body
    rendered = kinds.render(kind, params, normalised)
    return rendered.subject, rendered.body


def inbox_badge(principal: Principal | None, session: Session | None = None) -> int | None:
    """The unread count for a portal layout's badge, or ``None`` where none is shown.

    One indexed count, on the request's own session when the page has one (a second
    connection per request could exhaust a small pool), else in a short read-only session.
    Anonymous visitors cost nothing, and a page rendered on the event loop (an error page)
    shows no badge rather than block it.
    """
    from sunshine.core.db import reading

    if principal is None or principal.user_id is None:
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return None
    if session is not None:
        return unread_count(session=session, actor=principal)
    with reading() as own:
        return unread_count(session=own, actor=principal)
