"""Queries of the vision workers' media housekeeping (kitchen alert evidence files)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sunshine.core.evidence_models import EvidenceFile
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.enums import AlertStatus

OWNER = "kitchen_alert"


def media_rows(
    session: Session,
) -> Sequence[tuple[int, int, str, int, str, datetime, AlertStatus, int | None]]:
    """(file id, alert id, kind, size, token, received_at, alert status, case id) of every
    kitchen alert evidence file, oldest first."""
    stmt = (
        select(
            EvidenceFile.id,
            KitchenAlert.id,
            EvidenceFile.kind,
            EvidenceFile.size,
            EvidenceFile.token,
            EvidenceFile.received_at,
            KitchenAlert.status,
            KitchenAlert.case_id,
        )
        .join(KitchenAlert, KitchenAlert.id == EvidenceFile.owner_id)
        .where(EvidenceFile.owner_type == OWNER)
        .order_by(EvidenceFile.received_at, EvidenceFile.id)
    )
    return [tuple(row) for row in session.execute(stmt).all()]  # type: ignore[misc]


def media_bytes(session: Session) -> int:
    stmt = select(func.coalesce(func.sum(EvidenceFile.size), 0)).where(
        EvidenceFile.owner_type == OWNER
    )
    return int(session.execute(stmt).scalar_one())


def files_by_id(session: Session, ids: Collection[int]) -> Sequence[EvidenceFile]:
    if not ids:
        return []
    stmt = select(EvidenceFile).where(EvidenceFile.id.in_(ids), EvidenceFile.owner_type == OWNER)
    return session.execute(stmt).scalars().all()
