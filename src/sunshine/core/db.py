"""Database plumbing: declarative base, engine, sessions and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from sunshine.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table, with the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, issue BEGIN: needed for SAVEPOINTs to work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A unit of work (jobs, commands) takes the write lock at BEGIN: a deferred transaction
    # that reads and then writes fails at once ("database is locked") when another thread
    # wrote in between, whatever the busy timeout; waiting for the lock up front does not.
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


#: JSON columns are read and written with orjson, several times faster than the standard
#: library: an EPCIS capture keeps thousands of events in one JSON value until its job runs.
_JSON = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the pragmas and pool settings this project relies on."""
    if url.startswith("sqlite"):
        memory = url in {"sqlite://", "sqlite:///:memory:"}
        settings = get_settings()
        pool: dict[str, Any] = (
            {"poolclass": StaticPool}
            if memory
            else {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
        )
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool, **_JSON)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    settings = get_settings()
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        # Server-side prepared statements get generic plans that ignore which area or
        # filter a list asks for; plain statements are planned for their actual values.
        connect_args={"prepare_threshold": None},
        **_JSON,
    )


class _EngineHolder:
    engine: Engine | None = None
    factory: sessionmaker[Session] | None = None
    read_factory: sessionmaker[Session] | None = None
    work_factory: sessionmaker[Session] | None = None


def set_session_factory(factory: sessionmaker[Session]) -> None:
    """Install a session factory (tests bind one to a connection they roll back)."""
    _EngineHolder.factory = factory
    _EngineHolder.read_factory = factory
    _EngineHolder.work_factory = factory


def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    if _EngineHolder.engine is None:
        set_engine(make_engine(get_settings().database_url))
    assert _EngineHolder.engine is not None
    return _EngineHolder.engine


def set_engine(engine: Engine | None) -> None:
    """Install (or with ``None`` forget) the process-wide engine."""
    _EngineHolder.engine = engine
    if engine is None:
        _EngineHolder.factory = _EngineHolder.read_factory = _EngineHolder.work_factory = None
        return
    _EngineHolder.factory = sessionmaker(bind=engine, expire_on_commit=False)
    _EngineHolder.work_factory = (
        sessionmaker(bind=engine.execution_options(sqlite_immediate=True), expire_on_commit=False)
        if engine.dialect.name == "sqlite"
        else _EngineHolder.factory
    )
    # PostgreSQL reads at READ COMMITTED see a fresh snapshot per statement inside a
    # transaction too, so autocommit loses nothing for reads and saves the BEGIN and
    # COMMIT round trips. SQLite starts its transactions itself (see _sqlite_begin).
    _EngineHolder.read_factory = (
        sessionmaker(
            bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        if engine.dialect.name == "postgresql"
        else _EngineHolder.factory
    )


def session_factory() -> sessionmaker[Session]:
    get_engine()
    assert _EngineHolder.factory is not None
    return _EngineHolder.factory


@contextmanager
def reading() -> Iterator[Session]:
    """A session for reads only (a public page, a look-up): never commits anything."""
    get_engine()
    assert _EngineHolder.read_factory is not None
    session = _EngineHolder.read_factory()
    try:
        yield session
    finally:
        # Closing ends any transaction without expiring what was read, so results stay
        # usable after the block (a rollback would expire them).
        session.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise.

    Services never commit; the request, job or command that opens the unit of work does.
    """
    get_engine()
    assert _EngineHolder.work_factory is not None
    session = _EngineHolder.work_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
