"""Liveness and readiness: the database answers and is migrated."""

from __future__ import annotations

from sqlalchemy import text

from sunshine import __version__
from sunshine.core.db import get_engine


def check() -> dict[str, str]:
    with get_engine().connect() as conn:
        # Domains may add migrations on parallel branches; each head is one row.
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
        schema = "+".join(sorted(str(r) for r in revisions))
    return {"status": "ok", "version": __version__, "schema": schema}
