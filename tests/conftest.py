"""Test fixtures: a migrated database with a small demo province, rolled back per test.

The suite runs on SQLite, and on PostgreSQL when SUNSHINE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from sunshine.config import Settings, configure
from sunshine.core import db as core_db
from sunshine.core.migrate import upgrade
from sunshine.core.ratelimit import reset_rate_limiter

TEST_SEED = 7
TEST_BUSINESSES = 60
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OUTPUT = Path(os.environ.get("SUNSHINE_TEST_OUTPUT", "test-output"))


@dataclass(frozen=True)
class Demo:
    """The seeded demo: its accounts by username and the two demo counties."""

    accounts: dict[str, dict[str, Any]]
    counties: list[str]
    today: date

    def account(self, username: str) -> dict[str, Any]:
        return self.accounts[username]


def _database_url(tmp: Path) -> str:
    url = os.environ.get("SUNSHINE_TEST_DATABASE_URL")
    return url or f"sqlite:///{tmp / 'test.sqlite3'}"


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("db")
    value = Settings(
        demo=True,
        database_url=_database_url(tmp),
        base_url="http://testserver",
        jobs_immediate=True,
        storage_dir=tmp / "files",
        sms_log_path=tmp / "sms.log",
        redis_url=os.environ.get("SUNSHINE_TEST_REDIS_URL") or None,
    )
    configure(value)
    return value


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = core_db.make_engine(settings.database_url)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    core_db.set_engine(engine)
    upgrade(engine)
    yield engine
    core_db.set_engine(None)
    engine.dispose()


@pytest.fixture(scope="session")
def demo(engine: Engine) -> Demo:
    from sunshine.core.time import today_local
    from sunshine.demo.seed import seed_province

    today = today_local()
    with core_db.unit_of_work() as session:
        result = seed_province(
            session=session,
            province_code="510000",
            businesses=TEST_BUSINESSES,
            seed=TEST_SEED,
            today=today,
        )
    accounts = {a.username: a.as_json() for a in result.accounts}
    return Demo(accounts=accounts, counties=result.focus_counties, today=today)


def _fresh_shared_state() -> None:
    """Rate-limit counters and cached pages must not leak between tests."""
    from sunshine.config import get_settings
    from sunshine.core.cache import reset_cache
    from sunshine.regions.service import forget_cached_regions

    reset_rate_limiter()
    reset_cache()
    forget_cached_regions()
    url = get_settings().redis_url
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


@pytest.fixture
def db(engine: Engine, demo: Demo) -> Iterator[sessionmaker[Session]]:
    """Every session of the test (the app's too) joins one transaction that is rolled back."""
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    core_db.set_session_factory(factory)
    _fresh_shared_state()
    try:
        yield factory
    finally:
        transaction.rollback()
        connection.close()
        core_db.set_engine(engine)


@pytest.fixture
def session(db: sessionmaker[Session]) -> Iterator[Session]:
    s = db()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def app(db: sessionmaker[Session]) -> Any:
    from sunshine.app import create_app

    return create_app()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def new_client(app: Any) -> Iterator[Callable[[str], TestClient]]:
    """Open a client signed in as a demo account; several users can act in one test."""
    from helpers import login

    opened: list[TestClient] = []

    def open_as(username: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return login(client, username)

    yield open_as
    for client in opened:
        client.__exit__(None, None, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``shared`` need ../shared; where it is absent they skip with the reason."""
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason=f"{SHARED} (the shared material) is not present")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)
