"""Builders for the EPCIS tests: bearer headers without a password round trip, events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "epcis" / "openepcis"
CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


def bearer(session: Session, username: str) -> dict[str, str]:
    """The Authorization header of ``username``'s API token (as /api/v1/auth/token issues)."""
    from sunshine.auth import service as auth_service
    from sunshine.auth.models import User

    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return {"Authorization": f"Bearer {auth_service.issue_api_token(user)}"}


def business_of(session: Session, username: str) -> Any:
    from sunshine.auth.models import User
    from sunshine.registry.models import Business

    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return session.get(Business, user.business_id)


def event_count(session: Session) -> int:
    from sunshine.traceability.epcis.models import EpcisEvent

    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(EpcisEvent)) or 0)


def object_event(**fields: Any) -> dict[str, Any]:
    """A receiving ObjectEvent; ``fields`` override or add."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2026-03-02T09:30:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    }
    event.update(fields)
    return {"@context": [CONTEXT], **event}


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-02T10:00:00+08:00",
        "epcisBody": {
            "eventList": [{k: v for k, v in e.items() if k != "@context"} for e in events]
        },
    }


def body(value: Any) -> bytes:
    return json.dumps(value).encode()
