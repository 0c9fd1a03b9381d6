"""Shared pieces of the notification tests: test message kinds, a recording SMTP handler
for aiosmtpd, and small look-ups (the fixtures are in this folder's conftest.py)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.models import User
from sunshine.config import Settings
from sunshine.core.i18n import N_
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import register_kind

#: ``configured(**settings)`` (a fixture) changes the settings until the test ends.
Configure = Callable[..., Settings]

# A kind whose subject is already in the catalogues, so pages can be checked in both languages.
GREETING = register_kind(
    "test.greeting",
    subject=N_("Sunshine Food Safety"),
    body="{title}",
    channels=(Channel.EMAIL, Channel.SMS),
)
INBOX_ONLY = register_kind("test.inbox_only", subject="{title}", body="{title}", channels=())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What the SMTP server received; ``refuse`` holds addresses it answers 550 for."""

    port: int = 0
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def start_smtp(mailbox: Mailbox, port: int) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    return controller


def user_named(session: Session, username: str) -> User:
    return session.execute(select(User).where(User.username == username)).scalar_one()
