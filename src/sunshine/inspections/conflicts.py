"""Declared conflicts of interest (利害关系回避): an officer declares a business they must not
inspect (a relative runs it, they used to work there, ...). While the declaration stands,
draws leave the officer out of that business's pool and tasks refuse them for it.

An officer declares for themself; station chiefs, bureau leaders and administrators may also
record a declaration for an officer of their jurisdiction. A declaration is withdrawn, never
deleted (both are audited).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import utc_now
from sunshine.inspections import plan_repository as repo
from sunshine.inspections.draws import DIRECTORY_ROLES
from sunshine.inspections.plan_models import InspectorConflict
from sunshine.regions import repository as regions_repo
from sunshine.registry.models import Business
from sunshine.registry.service import get_business

__all__ = [
    "declare_conflict",
    "find_businesses",
    "list_conflicts",
    "officers_of_jurisdiction",
    "withdraw_conflict",
]

REASON_LIMIT = 2000


def officers_of_jurisdiction(*, session: Session, actor: Principal) -> list[repo.Officer]:
    """The directory's officers whose office lies inside the actor's jurisdiction."""
    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    region = regions_repo.get_region(session, code) if code else None
    if level is None or code is None or region is None:
        return []
    return repo.directory(
        session, province_code=region.province_code, roles=DIRECTORY_ROLES, within=(level, code)
    )


def find_businesses(*, session: Session, actor: Principal, term: str) -> Sequence[Business]:
    """Businesses of the actor's jurisdiction by name or store code (at most 20)."""
    access.require_regulator(actor)
    term = term.strip()
    if len(term) < 2:
        return []
    return repo.search_businesses(
        session, scope=access.business_condition(actor), term=term, limit=20
    )


def declare_conflict(
    *,
    session: Session,
    actor: Principal,
    business_id: int,
    reason: str,
    inspector_id: int | None = None,
) -> InspectorConflict:
    """Record that an officer (the actor, unless a chief names another) has a conflict of
    interest with a business of the actor's jurisdiction."""
    access.require_regulator(actor)
    officer_id = inspector_id or actor.user_id
    if officer_id is None:
        raise ValidationFailed([FieldProblem("inspector", N_("not an active officer"))])
    if officer_id != actor.user_id:
        access.require_planner(actor)
        mine = {o.user_id for o in officers_of_jurisdiction(session=session, actor=actor)}
        if officer_id not in mine:
            raise ValidationFailed(
                [FieldProblem("inspector", N_("not an officer of your jurisdiction"))]
            )
    business = get_business(session=session, actor=actor, business_id=business_id)
    text = reason.strip()
    if not text:
        raise ValidationFailed([FieldProblem("reason", N_("say what the conflict of interest is"))])
    if len(text) > REASON_LIMIT:
        raise ValidationFailed(
            [FieldProblem("reason", N_("use at most {n} characters"), params={"n": REASON_LIMIT})]
        )
    if repo.active_conflict(session, inspector_id=officer_id, business_id=business.id):
        raise ConflictError(N_("This conflict of interest is already declared."))
    conflict = InspectorConflict(
        inspector_id=officer_id,
        business_id=business.id,
        reason=text,
        declared_at=utc_now(),
        declared_by_id=actor.user_id,
    )
    session.add(conflict)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="conflict.declare",
        entity_type="inspector_conflict",
        entity_id=conflict.id,
        after={"inspector_id": officer_id, "business_id": business.id, "reason": text},
    )
    return conflict


def withdraw_conflict(*, session: Session, actor: Principal, conflict_id: int) -> InspectorConflict:
    """Withdraw a standing declaration (the officer's own, or one a chief may see)."""
    access.require_regulator(actor)
    conflict = repo.get_conflict(
        session, conflict_id=conflict_id, scope=access.conflict_condition(actor)
    )
    if conflict is None:
        raise NotFoundError(N_("No such declaration"))
    if conflict.withdrawn_at is not None:
        raise ConflictError(N_("This declaration was already withdrawn."))
    conflict.withdrawn_at = utc_now()
    conflict.withdrawn_by_id = actor.user_id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="conflict.withdraw",
        entity_type="inspector_conflict",
        entity_id=conflict.id,
        before={"withdrawn": False},
        after={"withdrawn": True},
    )
    return conflict


def list_conflicts(
    *, session: Session, actor: Principal, page: PageRequest
) -> Page[tuple[InspectorConflict, str, str]]:
    """The declarations the actor may see (standing first): each with the officer's and the
    business's names."""
    access.require_regulator(actor)
    rows, total = repo.page_conflicts(
        session, scope=access.conflict_condition(actor), offset=page.offset, limit=page.per_page
    )
    return Page(items=rows, total=total, request=page)
