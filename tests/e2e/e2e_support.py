"""Shared pieces of the browser tests: where things are, the demo server, signing in.

Test modules import from here (``from e2e_support import ...``), never from ``conftest``:
the name ``conftest`` belongs to ``tests/conftest.py`` (see ``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from playwright.sync_api import Page, ViewportSize

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "Sunshine#2026"
PORTAL_VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class E2EServer:
    """A ``sunshine serve`` process on a seeded demo database of its own."""

    base_url: str
    accounts: dict[str, dict[str, Any]]
    workdir: Path

    def account(self, username: str) -> dict[str, Any]:
        return self.accounts[username]


@dataclass
class PageWatch:
    """What went wrong on a page outside the test's assertions."""

    js_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)


class Shot(Protocol):
    """Save a full-page screenshot of ``page`` as ``<test>-<step>.png`` and return its path.

    It also fails the test when the page so far raised a script error, logged a console
    error (other than for a page answered with an error status on purpose, or the missing
    favicon) or could not load a style sheet, script, image or font.
    """

    def __call__(self, page: Page, step: str) -> Path: ...


class NewPage(Protocol):
    """Open a page in a fresh browser context: ``"portal"`` (desktop) or ``"phone"``."""

    def __call__(self, kind: str = "portal", *, locale: str = "zh-CN") -> Page: ...


def path_of(page: Page) -> str:
    """The path (and query) of the page's URL."""
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form as a person would: type, then click."""
    page.goto("/login")
    page.locator("#username").press_sequentially(username)
    page.locator("#password").press_sequentially(password)
    with page.expect_navigation():
        page.locator("form[action='/login'] button[type=submit]").click()
    if urlsplit(page.url).path == "/login":
        alert = page.locator("[role=alert]")
        message = alert.inner_text() if alert.count() else "(no message)"
        raise AssertionError(f"signing in as {username} failed: {message}")


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def count_in(text: str) -> int:
    """The (first) number in a text such as ``共 12 个经营主体`` or ``12 businesses``."""
    match = re.search(r"\d+", text.replace(",", ""))
    assert match, f"no number in {text!r}"
    return int(match.group())
