"""Migration 0019e: captures keep staged rows; a capture pending at the upgrade fails with
a message saying to send the document again (its old payload cannot be staged in SQL)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from sunshine.core.migrate import upgrade
from sunshine.traceability.epcis.service import STOPPED_BY_UPGRADE


def test_a_capture_pending_at_the_upgrade_fails_and_asks_to_send_again(tmp_path: Path) -> None:
    # No foreign-key pragma: the capture's business and user need not exist here.
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0018r")
    with engine.begin() as connection:
        for capture_id, status in (("waiting", "pending"), ("done", "succeeded")):
            connection.execute(
                text(
                    "INSERT INTO epcis_captures (id, business_id, status, error_behaviour, "
                    "event_count, stored_count, duplicate_count, error_count, errors, payload, "
                    "created_at) VALUES (:id, 1, :status, 'rollback', 1, 0, 0, 0, '[]', "
                    ":payload, '2026-11-30 10:00:00.000000')"
                ),
                {"id": capture_id, "status": status, "payload": json.dumps([{"event": {}}])},
            )
    upgrade(engine, "0019e")

    columns = {c["name"] for c in inspect(engine).get_columns("epcis_captures")}
    assert "staged" in columns and "payload" not in columns
    with engine.connect() as connection:
        rows = {
            r.id: r.status
            for r in connection.execute(text("SELECT id, status FROM epcis_captures"))
        }
        errors = connection.execute(
            text("SELECT errors, finished_at FROM epcis_captures WHERE id = 'waiting'")
        ).one()
    assert rows == {"waiting": "failed", "done": "succeeded"}
    assert json.loads(errors[0]) == [{"field": "/", "message": STOPPED_BY_UPGRADE}]
    assert errors[1] is not None
