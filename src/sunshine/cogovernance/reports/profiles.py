"""Registered whistleblowers (吹哨人): journalists, teachers, students and delivery riders
apply from their account; an administrator checks their credentials and verifies them, after
which their reports are handled first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cogovernance.reports import repository as repo
from sunshine.cogovernance.reports.enums import ProfileStatus, WhistleblowerGroup
from sunshine.cogovernance.reports.models import WhistleblowerProfile
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import utc_now


def apply(
    *, session: Session, actor: Principal, group: str, organisation: str
) -> WhistleblowerProfile:
    """A citizen account asks to be registered in a whistleblower group."""
    access.require_signed_in(actor)
    if actor.role is not Role.PUBLIC or actor.user_id is None:
        raise ConflictError(N_("Only personal public accounts register as whistleblowers."))
    problems: list[FieldProblem] = []
    try:
        chosen = WhistleblowerGroup(group)
    except ValueError:
        chosen = WhistleblowerGroup.STUDENT
        problems.append(FieldProblem("group", N_("Choose one of the options."), code="choice"))
    if not organisation.strip():
        problems.append(FieldProblem("organisation", N_("Required"), code="required"))
    elif len(organisation.strip()) > 120:
        problems.append(
            FieldProblem("organisation", N_("At most {limit} characters"), params={"limit": 120})
        )
    if problems:
        raise ValidationFailed(problems)
    profile = repo.profile_of(session, actor.user_id)
    if profile is not None and profile.status is not ProfileStatus.REVOKED:
        raise ConflictError(N_("You have already applied."))
    if profile is None:
        profile = WhistleblowerProfile(user_id=actor.user_id)
        session.add(profile)
    profile.group = chosen
    profile.organisation = organisation.strip()
    profile.status = ProfileStatus.PENDING
    profile.decided_by_id = None
    profile.decided_at = None
    session.flush()
    _audit(session, actor, profile, "whistleblower.apply")
    return profile


def decide(
    *, session: Session, actor: Principal, profile_id: int, verify: bool, note: str
) -> WhistleblowerProfile:
    """An administrator verifies (or revokes) a registration after checking credentials."""
    access.require_admin(actor)
    profile = repo.get_profile(session, profile_id)
    if profile is None:
        raise NotFoundError(N_("No such registration"))
    if not note.strip():
        raise ValidationFailed([FieldProblem("note", N_("Say which credential you checked."))])
    profile.status = ProfileStatus.VERIFIED if verify else ProfileStatus.REVOKED
    profile.decided_by_id = actor.user_id
    profile.decided_at = utc_now()
    profile.note = note.strip()
    session.flush()
    _audit(session, actor, profile, "whistleblower.verify" if verify else "whistleblower.revoke")
    return profile


def registrations(
    *, session: Session, actor: Principal, status: ProfileStatus | None
) -> Sequence[WhistleblowerProfile]:
    access.require_admin(actor)
    return repo.profiles(session, status=status, limit=500)


def own_profile(*, session: Session, actor: Principal) -> WhistleblowerProfile | None:
    if actor.user_id is None:
        return None
    return repo.profile_of(session, actor.user_id)


def _audit(session: Session, actor: Principal, profile: WhistleblowerProfile, action: str) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        entity_type="whistleblower_profile",
        entity_id=profile.id,
        after={"group": profile.group.value, "status": profile.status.value},
    )
