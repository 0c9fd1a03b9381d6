"""Message kinds: what a notification says, as translatable templates, and how it travels.

A kind is registered once, by the domain that sends it, at import time::

    CASE_ASSIGNED = register_kind(
        "case.assigned",
        subject=N_("Case {reference} is assigned to you"),
        body=N_("{title}"),
        channels={Channel.EMAIL},
    )

Templates are English msgids with ``{placeholders}`` (see :mod:`sunshine.core.i18n`); they
are rendered in the recipient's language when the notification is made. ``channels`` are
the outbound channels for users (an account always gets the inbox); ``sms`` is the short
text an SMS carries, by default the subject and the body.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from string import Formatter

from sunshine.core.i18n import N_, Message, ParamValue, Translator
from sunshine.notifications.enums import Channel

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SUBJECT_MAX = 200
# How the SMS text is made when a kind gives none (Chinese uses a full-width colon).
SMS_DEFAULT = N_("{subject}: {body}")


@dataclass(frozen=True)
class MessageKind:
    """A registered kind: its key (``domain.event``), templates and outbound channels."""

    key: str
    subject: str
    body: str
    channels: frozenset[Channel]
    sms: str | None = None

    @property
    def placeholders(self) -> frozenset[str]:
        """Every parameter the templates need."""
        names: set[str] = set()
        for template in (self.subject, self.body, self.sms or ""):
            names.update(field for _, field, _, _ in Formatter().parse(template) if field)
        return frozenset(names)


@dataclass(frozen=True)
class Rendered:
    """A kind rendered for one reader: what the inbox, the email and the SMS say."""

    subject: str
    body: str
    sms: str


class _Registry:
    lock = threading.Lock()
    kinds: dict[str, MessageKind] = {}  # noqa: RUF012 - process-wide registry


def register_kind(
    key: str,
    *,
    subject: str,
    body: str,
    channels: Iterable[Channel] = (Channel.EMAIL,),
    sms: str | None = None,
) -> MessageKind:
    """Register the kind ``key``; registering the same definition again is harmless.

    Raises ``ValueError`` for a malformed key, a template with positional or malformed
    placeholders, or a second, different definition under the same key.
    """
    if not KEY_PATTERN.match(key):
        raise ValueError(f"a message kind is named domain.event, got {key!r}")
    kind = MessageKind(key, subject, body, frozenset(Channel(c) for c in channels), sms)
    _check_templates(kind)
    with _Registry.lock:
        known = _Registry.kinds.get(key)
        if known is not None and known != kind:
            raise ValueError(f"two different message kinds are named {key!r}")
        _Registry.kinds[key] = kind
    return kind


def _check_templates(kind: MessageKind) -> None:
    for template in (kind.subject, kind.body, kind.sms or ""):
        try:
            fields = [field for _, field, _, _ in Formatter().parse(template)]
        except ValueError as exc:
            raise ValueError(f"{kind.key}: malformed template {template!r}") from exc
        if any(field is not None and not field.isidentifier() for field in fields):
            raise ValueError(f"{kind.key}: placeholders must be names, in {template!r}")


def get_kind(key: str) -> MessageKind:
    """The kind registered as ``key`` (``LookupError`` when none is)."""
    kind = _Registry.kinds.get(key)
    if kind is None:
        raise LookupError(f"no message kind named {key!r} is registered")
    return kind


def find_kind(key: str) -> MessageKind | None:
    return _Registry.kinds.get(key)


def check_params(kind: MessageKind, params: Mapping[str, ParamValue]) -> None:
    """Refuse parameters that leave a placeholder empty or are not text, numbers or messages."""
    missing = sorted(kind.placeholders - params.keys())
    if missing:
        raise ValueError(f"{kind.key}: missing parameters {', '.join(missing)}")
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, str | int | Message):
            raise ValueError(f"{kind.key}: parameter {name} must be text, a number or a Message")


def render(kind: MessageKind, params: Mapping[str, ParamValue], locale: str) -> Rendered:
    """The kind's subject, body and SMS text in ``locale``, parameters filled in."""
    _ = Translator(locale)
    subject = _(kind.subject, **params)
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    body = _(kind.body, **params)
    sms = _(kind.sms, **params) if kind.sms else _(SMS_DEFAULT, subject=subject, body=body)
    return Rendered(subject=subject, body=body, sms=sms)


# Kinds of the platform itself and of the case engine ------------------------------------------

ACCOUNT_WELCOME = register_kind(
    "account.welcome",
    subject=N_("Welcome to Sunshine Food Safety"),
    body=N_(
        "Your account {username} is ready. Messages for you arrive in this inbox; "
        "important ones are also sent by email or text message."
    ),
    channels=(),
)
LICENCE_EXPIRING = register_kind(
    "licence.expiring",
    subject=N_("The food business licence of {business} expires on {expiry_date}"),
    body=N_(
        "Licence {licence_number} of {business} is valid until {expiry_date}. Apply for its "
        "renewal in good time: a business without a valid licence may not operate."
    ),
    channels=(Channel.EMAIL, Channel.SMS),
)
CASE_ASSIGNED = register_kind(
    "case.assigned",
    subject=N_("Case {reference} is assigned to you"),
    body=N_("{title}. Please handle it before {due_date}."),
    channels=(Channel.EMAIL,),
)
CASE_DUE_SOON = register_kind(
    "case.due_soon",
    subject=N_("Case {reference} is due on {due_date}"),
    body=N_("{title}. The time limit for this step ends on {due_date}."),
    channels=(Channel.EMAIL, Channel.SMS),
)
CASE_ESCALATED = register_kind(
    "case.escalated",
    subject=N_("Overdue case {reference} was escalated to you"),
    body=N_("{title}. Its time limit ended on {due_date} and it now needs your attention."),
    channels=(Channel.EMAIL, Channel.SMS),
)
