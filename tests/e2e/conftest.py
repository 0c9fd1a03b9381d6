"""Fixtures of the browser tests: a real ``sunshine serve`` on its own seeded SQLite database,
Debian's Chromium driven by Playwright (one browser per session, one context per page).

The server always runs on SQLite in a temporary folder, also in the PostgreSQL CI run: these
tests check what a person sees in a browser, not the database.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from e2e_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE_VIEWPORT,
    PORTAL_VIEWPORT,
    SCREENSHOTS,
    TIMEOUT_MS,
    E2EServer,
    NewPage,
    PageWatch,
    Shot,
)
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

DEMO_BUSINESSES = 60
DEMO_SEED = 11
SERVER_START_S = 60.0


def pytest_plugin_registered(plugin: object, plugin_name: str, manager: Any) -> None:
    """Give the module name ``conftest`` back to ``tests/conftest.py``.

    Without ``__init__.py`` files every conftest is imported as the module ``conftest``, and
    pytest drops the previous one from ``sys.modules`` before importing the next. Test modules
    collected after this directory that do ``from conftest import Demo`` would then get this
    file. Once this conftest is registered (pytest keeps it as a plugin, so its fixtures and
    hooks stay), the top-level one goes back into ``sys.modules``.
    """
    if getattr(plugin, "__file__", None) != __file__:
        return
    top = manager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    if isinstance(top, ModuleType):
        sys.modules["conftest"] = top


# The demo server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _sunshine() -> list[str]:
    """The ``sunshine`` command of the running interpreter's environment."""
    script = Path(sys.executable).parent / "sunshine"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sunshine.cli"]


def _server_env(workdir: Path, port: int) -> dict[str, str]:
    # Nothing of the caller's SUNSHINE_* settings (e.g. a PostgreSQL URL, Redis) may leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_")}
    env.update(
        SUNSHINE_DEMO="1",
        SUNSHINE_DATABASE_URL=f"sqlite:///{workdir / 'e2e.sqlite3'}",
        SUNSHINE_BASE_URL=f"http://127.0.0.1:{port}",
        SUNSHINE_STORAGE_DIR=str(workdir / "files"),
        SUNSHINE_JOBS_IMMEDIATE="1",
        # Every sign-in of the suite comes from 127.0.0.1: lift the per-address limit
        # (30 a minute) so that a fast run is not throttled.
        SUNSHINE_LOGIN_IP_LIMIT_PER_MINUTE="10000",
        PYTHONUNBUFFERED="1",
    )
    return env


def _run(command: list[str], env: dict[str, str], timeout_s: float) -> None:
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` exited with {done.returncode}:\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _wait_until_healthy(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"sunshine serve exited with {server.returncode}:\n"
                f"{log.read_text(errors='replace')[-4000:]}"
            )
        if _healthy(port):
            return
        time.sleep(0.2)
    pytest.fail(
        f"sunshine serve did not answer /healthz within {SERVER_START_S:.0f}s:\n"
        f"{log.read_text(errors='replace')[-4000:]}"
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


NO_CAMERAS = ("--vision-processes", "0")


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EServer]:
    """Migrate and seed a fresh SQLite demo, serve it, and stop the server at the end."""
    workdir = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = _server_env(workdir, port)
    accounts_file = workdir / "accounts.json"
    sunshine = _sunshine()
    _run([*sunshine, "db", "upgrade"], env, timeout_s=120)
    _run(
        [
            *sunshine,
            "demo",
            "--businesses",
            str(DEMO_BUSINESSES),
            "--seed",
            str(DEMO_SEED),
            "--accounts-json",
            str(accounts_file),
        ],
        env,
        timeout_s=300,
    )
    accounts = {a["username"]: a for a in json.loads(accounts_file.read_text(encoding="utf-8"))}
    log = workdir / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            # No camera workers: the kitchen pages' tests write the live files themselves,
            # and twelve demo cameras analysed beside the browser would slow every test.
            [*sunshine, "serve", "--host", "127.0.0.1", "--port", str(port), *NO_CAMERAS],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(server, port, log)
        yield E2EServer(base_url=f"http://127.0.0.1:{port}", accounts=accounts, workdir=workdir)
    finally:
        _stop(server)


# The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> Path:
    """Debian's Chromium; the tests fail (they never skip) where it is missing.

    Autouse, so that it is checked first, before the demo server is seeded and started.
    """
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with `apt-get install -y chromium` (CI does). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_driver(chromium_path: Path) -> Iterator[Playwright]:
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, chromium_path: Path) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=str(chromium_path), args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


class _Pages:
    """The contexts one test opened, and what went wrong on their pages."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.contexts: list[BrowserContext] = []
        self.watches: dict[int, PageWatch] = {}

    def open(self, kind: str = "portal", *, locale: str = "zh-CN") -> Page:
        if kind == "portal":
            context = self.browser.new_context(
                base_url=self.base_url, locale=locale, viewport=PORTAL_VIEWPORT
            )
        elif kind == "phone":
            context = self.browser.new_context(
                base_url=self.base_url,
                locale=locale,
                viewport=PHONE_VIEWPORT,
                is_mobile=True,
                has_touch=True,
            )
        else:
            raise ValueError(f"unknown kind of page {kind!r}: portal or phone")
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        watch = PageWatch()
        self.watches[id(page)] = watch
        page.on("pageerror", lambda error: watch.js_errors.append(str(error)))

        def check_console(message: ConsoleMessage) -> None:
            where = str(message.location.get("url") or "")
            if message.type != "error":
                return
            # The app serves no /favicon.ico; Chromium asks for it once per browser.
            if where.endswith("/favicon.ico"):
                return
            # A page answered with an error status on purpose (a 404, a refused form).
            if where == page.url and message.text.startswith("Failed to load resource"):
                return
            watch.console_errors.append(f"{message.text} [{where}]")

        def check_response(response: Response) -> None:
            if response.request.resource_type != "document" and response.status >= 400:
                watch.failed_assets.append(f"{response.status} {response.url}")

        page.on("console", check_console)
        page.on("response", check_response)
        page.on(
            "requestfailed",
            lambda request: (
                watch.failed_assets.append(f"{request.failure} {request.url}")
                if request.resource_type != "document"
                else None
            ),
        )
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, e2e: E2EServer) -> Iterator[_Pages]:
    opened = _Pages(browser, e2e.base_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def new_page(pages: _Pages) -> NewPage:
    """Open another page in a fresh context (e.g. a second user, or a phone)."""
    return pages.open


@pytest.fixture
def portal(pages: _Pages) -> Page:
    """A desktop page (1280x900, zh-CN) for the enterprise and government portals."""
    return pages.open("portal")


@pytest.fixture
def phone(pages: _Pages) -> Page:
    """A phone-sized touch page (390x844, zh-CN) for the public pages."""
    return pages.open("phone")


def _file_stem(node_name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", node_name).strip("-")


@pytest.fixture
def shot(request: pytest.FixtureRequest, pages: _Pages) -> Shot:
    stem = _file_stem(request.node.name)

    def take(page: Page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{stem}-{_file_stem(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        watch = pages.watches.get(id(page), PageWatch())
        assert not watch.js_errors, f"script errors on {page.url}: {watch.js_errors}"
        assert not watch.failed_assets, f"assets that did not load: {watch.failed_assets}"
        assert not watch.console_errors, f"console errors on {page.url}: {watch.console_errors}"
        return path

    return take
