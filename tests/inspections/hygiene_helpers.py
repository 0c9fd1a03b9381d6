"""Recording inspections with chosen item outcomes, for the hygiene and problems tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy.orm import Session

from helpers import principal_of, signatures
from sunshine.auth.principal import SYSTEM
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, service
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.models import Checklist, Inspection
from sunshine.inspections.service import InspectionForm, ItemAnswer
from sunshine.registry.models import Business

P, F, NA = ItemOutcome.PASS, ItemOutcome.FAIL, ItemOutcome.NOT_APPLICABLE


def catering_2016(session: Session) -> Checklist:
    checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None and current.version == "2016"
    return current


def record(
    session: Session,
    store: Business,
    officers: tuple[str, str],
    *,
    failed: Iterable[str] = (),
    not_applicable: Iterable[str] = (),
    only: Iterable[str] | None = None,
    days_ago: int = 0,
) -> Inspection:
    """An inspection of ``store`` by two officers (the first records it): the items in
    ``failed`` fail, those in ``not_applicable`` do not apply, the rest pass; ``only``
    makes it a flying inspection of those items."""
    checklist = catering_2016(session)
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=checklist.id)
    codes = [item.code for _, items in shown.sections for item in items]
    wanted = set(only) if only is not None else set(codes)
    failed, not_applicable = set(failed), set(not_applicable)
    answers = [
        ItemAnswer(code, F, "发现问题")
        if code in failed
        else ItemAnswer(code, NA, "本店无此项")
        if code in not_applicable
        else ItemAnswer(code, P)
        for code in codes
        if code in wanted
    ]
    actor = principal_of(session, officers[0])
    ids = [actor.user_id or 0, principal_of(session, officers[1]).user_id or 0]
    finished = utc_now() - timedelta(days=days_ago, minutes=5)
    started = finished - timedelta(hours=1)
    form = InspectionForm(
        business_id=store.id,
        checklist_id=checklist.id,
        kind=InspectionKind.FLYING if only is not None else InspectionKind.ROUTINE,
        started_at=started,
        finished_at=finished,
        inspector_ids=ids,
        answers=answers,
        representative_name="王店长",
        signatures=signatures(ids),
        rectify_by=to_local(started).date() + timedelta(days=10) if failed else None,
    )
    return service.record_inspection(session=session, actor=actor, form=form)
