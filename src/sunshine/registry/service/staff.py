"""Staff (人员库): the register of a business's staff, ID numbers and health certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core import crypto
from sunshine.core.errors import ConflictError, NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.masking import mask_id_number
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.registry import repository as repo
from sunshine.registry.models import Business, Staff
from sunshine.registry.rules import certificate_state
from sunshine.registry.schemas import StaffCreate, StaffRead
from sunshine.registry.service.businesses import get_business, invalidate_store_page

STAFF_AUDIT_FIELDS = (
    "name",
    "position",
    "gender",
    "id_number_masked",
    "direct_contact",
    "health_cert_number",
    "health_cert_issue_date",
    "health_cert_expiry_date",
    "active",
)


def list_staff(*, session: Session, actor: Principal, business_id: int) -> list[Staff]:
    get_business(session=session, actor=actor, business_id=business_id)
    return list(repo.staff_of(session, business_id))


# Everything StaffRead shows that is stored (the certificate state is derived).
_STAFF_VIEW_FIELDS = tuple(f for f in StaffRead.model_fields if f != "certificate_state")


def staff_view(staff: Staff, today: date | None = None) -> dict[str, Any]:
    data = {name: getattr(staff, name) for name in _STAFF_VIEW_FIELDS}
    data["certificate_state"] = certificate_state(
        staff.health_cert_expiry_date, today or today_local()
    )
    return data


def build_staff(*, business_id: int, data: StaffCreate) -> Staff:
    """A new staff row with the ID number encrypted, digested and masked."""
    return Staff(
        business_id=business_id,
        name=data.name,
        position=data.position,
        gender=data.gender,
        phone=data.phone,
        id_number_encrypted=crypto.encrypt(data.id_number),
        id_number_digest=crypto.digest(data.id_number),
        id_number_masked=mask_id_number(data.id_number),
        direct_contact=data.direct_contact,
        health_cert_number=data.health_cert_number,
        health_cert_issue_date=data.health_cert_issue_date,
        health_cert_expiry_date=data.health_cert_expiry_date,
    )


def add_staff(*, session: Session, actor: Principal, business_id: int, data: StaffCreate) -> Staff:
    access.require_business_editor(actor)
    get_business(session=session, actor=actor, business_id=business_id)
    if repo.staff_digest_exists(session, business_id, crypto.digest(data.id_number)):
        raise ConflictError(N_("A staff member with this ID number is already on the register."))
    staff = build_staff(business_id=business_id, data=data)
    session.add(staff)
    session.flush()
    invalidate_store_page(session, business_id)
    audit.record(
        session=session,
        actor=actor,
        action="staff.create",
        entity_type="staff",
        entity_id=staff.id,
        after=audit.snapshot(staff, STAFF_AUDIT_FIELDS),
    )
    return staff


def visible_staff(session: Session, actor: Principal, staff_id: int) -> Staff:
    """A staff member of a business the actor may see (404 otherwise)."""
    staff = repo.get_staff(session, staff_id)
    if staff is None:
        raise NotFoundError(N_("No such staff member"))
    get_business(session=session, actor=actor, business_id=staff.business_id)
    return staff


def update_staff(*, session: Session, actor: Principal, staff_id: int, data: StaffCreate) -> Staff:
    access.require_business_editor(actor)
    staff = visible_staff(session, actor, staff_id)
    before = audit.snapshot(staff, STAFF_AUDIT_FIELDS)
    fresh = build_staff(business_id=staff.business_id, data=data)
    for name in (
        "name",
        "position",
        "gender",
        "phone",
        "id_number_encrypted",
        "id_number_digest",
        "id_number_masked",
        "direct_contact",
        "health_cert_number",
        "health_cert_issue_date",
        "health_cert_expiry_date",
    ):
        setattr(staff, name, getattr(fresh, name))
    session.flush()
    invalidate_store_page(session, staff.business_id)
    audit.record(
        session=session,
        actor=actor,
        action="staff.update",
        entity_type="staff",
        entity_id=staff.id,
        before=before,
        after=audit.snapshot(staff, STAFF_AUDIT_FIELDS),
    )
    return staff


def deactivate_staff(*, session: Session, actor: Principal, staff_id: int) -> Staff:
    """Take a staff member off the register (kept for the record)."""
    access.require_business_editor(actor)
    staff = visible_staff(session, actor, staff_id)
    if staff.active:
        staff.active = False
        session.flush()
        invalidate_store_page(session, staff.business_id)
        audit.record(
            session=session,
            actor=actor,
            action="staff.deactivate",
            entity_type="staff",
            entity_id=staff.id,
            before={"active": True},
            after={"active": False},
        )
    return staff


def reveal_id_number(*, session: Session, actor: Principal, staff_id: int) -> str:
    """The full ID number, for an authorised view; every read is audited."""
    access.require_business_editor(actor)
    staff = visible_staff(session, actor, staff_id)
    audit.record(
        session=session,
        actor=actor,
        action="staff.reveal_id",
        entity_type="staff",
        entity_id=staff.id,
    )
    return crypto.decrypt(staff.id_number_encrypted)


@dataclass(frozen=True)
class ExpiryOverview:
    licences: Page[Business]
    certificates: Page[tuple[Staff, Business]]


def expiring_documents(
    *, session: Session, actor: Principal, page: PageRequest, today: date | None = None
) -> ExpiryOverview:
    """Licences (60 days) and health certificates (30 days) expiring or expired in scope."""
    today = today or today_local()
    scope = access.business_condition(actor)
    licences, lic_total = repo.expiring_licences(
        session, scope=scope, today=today, offset=page.offset, limit=page.per_page
    )
    certs, cert_total = repo.expiring_certificates(
        session, scope=scope, today=today, offset=page.offset, limit=page.per_page
    )
    return ExpiryOverview(
        licences=Page(items=licences, total=lic_total, request=page),
        certificates=Page(items=certs, total=cert_total, request=page),
    )
