"""Notes and attachments on a case's timeline: what a handler found, said or photographed
that is not a step of the workflow (a call with the business, inspection photos, a lab
report). Each note is an event of the timeline; its files are evidence files of that event
(hashed on receipt; the originals only for the case's handlers)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cases import repository as repo
from sunshine.cases import service
from sunshine.cases.events import record_event
from sunshine.cases.models import CaseEvent
from sunshine.core import evidence
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.evidence_models import MEDIA_KINDS
from sunshine.core.i18n import N_

OWNER = "case_note"  # evidence ``owner_type``: the files of one note event
NOTE_LIMIT = 5000
FILES = evidence.EvidenceRules(kinds=MEDIA_KINDS, max_files=10, field="files")


def add_note(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    text: str,
    files: Sequence[evidence.PreparedFile] = (),
) -> CaseEvent:
    """Put a note (and its files) on the timeline of a case the actor may see."""
    access.require_regulator(actor)
    case = service.get_case(session=session, actor=actor, case_id=case_id)
    body = (text or "").strip()
    if not body and not files:
        raise ValidationFailed([FieldProblem("text", N_("Write a note or attach a file."))])
    if len(body) > NOTE_LIMIT:
        raise ValidationFailed(
            [FieldProblem("text", N_("At most {limit} characters"), params={"limit": NOTE_LIMIT})]
        )
    event = record_event(
        session=session,
        actor=actor,
        case=case,
        action="note",
        source=case.state,
        unit=case.org_unit_id,
        reason=body or None,
    )
    if files:
        evidence.record(
            session=session, actor=actor, prepared=files, owner_type=OWNER, owner_id=event.id
        )
    audit.record(
        session=session,
        actor=actor,
        action="case.note",
        entity_type="case",
        entity_id=case.id,
        after={"event_id": event.id, "files": len(files)},
    )
    return event


def evidence_access(session: Session, actor: Principal, event_id: int) -> evidence.Access:
    """The files of a note: copies for whoever sees the case, originals for its handlers."""
    event = repo.get_event(session, event_id)
    if event is None or not actor.is_regulator:
        return evidence.Access.NONE
    case = repo.get_case(session, case_id=event.case_id, scope=access.case_condition(actor))
    if case is None:
        return evidence.Access.NONE
    if service.is_handler(actor=actor, case=case):
        return evidence.Access.ORIGINAL
    return evidence.Access.PUBLIC


def original_viewed(session: Session, actor: Principal, event_id: int, token: str) -> None:
    event = repo.get_event(session, event_id)
    case = (
        repo.get_case(session, case_id=event.case_id, scope=access.all_cases()) if event else None
    )
    if case is not None:
        service.record_sensitive_view(
            session=session, actor=actor, case=case, what=f"original evidence {token}"
        )
