"""Liveness and readiness: the database answers and is migrated."""

from __future__ import annotations

from sqlalchemy import text

from sunshine import __version__
from sunshine.core.db import get_engine


def check() -> dict[str, str]:
    with get_engine().connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    return {"status": "ok", "version": __version__, "schema": str(revision)}
