"""Alembic environment: migrates the configured database (batch mode for SQLite)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from sunshine.core.db import get_engine
from sunshine.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine().connect() as conn:
        _run(conn)


run_migrations_online()
