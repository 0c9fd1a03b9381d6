"""Fixtures of the notification tests: settings changed for one test, a real SMTP server
(aiosmtpd) on a free local port, and the SMS log in a temporary file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from notify_support import Configure, Mailbox, free_port, start_smtp
from sqlalchemy import delete
from sqlalchemy.orm import Session

from sunshine.config import Settings, configure, get_settings
from sunshine.notifications.models import Delivery, Notification


def pytest_plugin_registered(plugin: object, plugin_name: str, manager: Any) -> None:
    """Give the module name ``conftest`` back to ``tests/conftest.py`` (as tests/e2e does):
    without ``__init__.py`` files this file is imported as ``conftest`` too, and test modules
    collected after it that do ``from conftest import Demo`` would get this one."""
    if getattr(plugin, "__file__", None) != __file__:
        return
    top = manager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    if isinstance(top, ModuleType):
        sys.modules["conftest"] = top


@pytest.fixture
def configured(settings: Settings) -> Iterator[Configure]:
    """``configured(smtp_host=...)`` changes the settings until the test ends."""
    original = get_settings()

    def change(**values: Any) -> Settings:
        changed = get_settings().model_copy(update=values)
        configure(changed)
        return changed

    try:
        yield change
    finally:
        configure(original)


@pytest.fixture
def sms_log(configured: Configure, tmp_path: Path) -> Path:
    path = tmp_path / "sms.log"
    configured(sms_gateway="logging", sms_log_path=path)
    return path


@pytest.fixture
def smtp_server(configured: Configure) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = start_smtp(mailbox, free_port())
    configured(
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_starttls=False,
        smtp_from="阳光食安 <noreply@sunshine.test>",
        smtp_timeout_s=5.0,
    )
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def empty_inboxes(session: Session) -> None:
    """No notifications at the start (the demo seed may have sent some); rolled back after."""
    session.execute(delete(Delivery))
    session.execute(delete(Notification))
    session.commit()
