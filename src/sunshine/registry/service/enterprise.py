"""Enterprise portal (企业端): the business's own view of its registry records.

Used by ``portals/enterprise/routes.py``; scoping goes through ``get_business`` (the access
helpers), so a business only ever reaches itself or (a chain HQ) its outlets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core import crypto
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.qrcodes import store_url
from sunshine.core.time import today_local
from sunshine.core.validation import parse
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.service import AreaOption
from sunshine.registry import repository as repo
from sunshine.registry.enums import BusinessCategory, CertificateState, LicenceStatus
from sunshine.registry.models import Business, Staff
from sunshine.registry.repository import BusinessFilter
from sunshine.registry.rules import certificate_state, effective_licence_status, licence_expiring
from sunshine.registry.schemas import BusinessUpdate, StaffCreate
from sunshine.registry.service.businesses import get_business, list_businesses, update_business
from sunshine.registry.service.staff import list_staff, update_staff, visible_staff


@dataclass(frozen=True)
class ToDo:
    """One thing a business must do, derived from its licence and staff certificates.

    ``kind`` is one of: licence_expired, licence_expiring, licence_suspended,
    licence_revoked, cert_expired, cert_missing, cert_expiring.
    """

    kind: str
    due_date: date | None = None
    staff_id: int | None = None
    staff_name: str | None = None


@dataclass(frozen=True)
class OutletSummary:
    """A chain outlet (连锁门店) as its headquarters sees it in lists."""

    business: Business
    licence_status: LicenceStatus
    licence_expiring: bool
    certificates: dict[str, int]

    @property
    def certificate_alerts(self) -> int:
        c = self.certificates
        return c["expired"] + c["missing"] + c["expiring"]


@dataclass(frozen=True)
class EnterpriseDashboard:
    business: Business
    licence_status: LicenceStatus
    licence_expiring: bool
    licence_days_left: int
    certificates: dict[str, int]
    todos: list[ToDo]
    outlets: Page[OutletSummary] | None


def enterprise_business(
    *, session: Session, actor: Principal, business_id: int | None = None
) -> Business:
    """The business an enterprise user works on: their own, or (chain HQ) one of its outlets.

    Any other id is answered 404, exactly like an id that does not exist.
    """
    if not actor.is_enterprise:
        raise ForbiddenError(N_("This page is for businesses."))
    if actor.business_id is None:
        raise NotFoundError(N_("Your account is not linked to a business."))
    return get_business(
        session=session,
        actor=actor,
        business_id=actor.business_id if business_id is None else business_id,
    )


def _licence_todo(business: Business, status: LicenceStatus, today: date) -> ToDo | None:
    expiry = business.licence_expiry_date
    if status is LicenceStatus.EXPIRED:
        return ToDo(kind="licence_expired", due_date=expiry)
    if status is LicenceStatus.SUSPENDED:
        return ToDo(kind="licence_suspended")
    if status is LicenceStatus.REVOKED:
        return ToDo(kind="licence_revoked")
    if licence_expiring(status, expiry, today):
        return ToDo(kind="licence_expiring", due_date=expiry)
    return None


_CERT_TODO_ORDER = {"cert_expired": 0, "cert_missing": 1, "cert_expiring": 2}


def _certificate_todos(staff: list[Staff], today: date) -> list[ToDo]:
    """Direct-contact staff (the law's health-examination duty) needing a certificate."""
    todos = []
    for person in staff:
        if not person.direct_contact:
            continue
        state = certificate_state(person.health_cert_expiry_date, today)
        if state is CertificateState.VALID:
            continue
        todos.append(
            ToDo(
                kind=f"cert_{state.value}",
                due_date=person.health_cert_expiry_date,
                staff_id=person.id,
                staff_name=person.name,
            )
        )
    todos.sort(key=lambda t: (_CERT_TODO_ORDER[t.kind], t.due_date or today, t.staff_id or 0))
    return todos


def _outlet_summaries(
    session: Session, businesses: Sequence[Business], today: date
) -> list[OutletSummary]:
    counts = repo.certificate_counts_by_business(session, [b.id for b in businesses], today)
    out = []
    for b in businesses:
        status = effective_licence_status(b.licence_status, b.licence_expiry_date, today)
        out.append(
            OutletSummary(
                business=b,
                licence_status=status,
                licence_expiring=licence_expiring(status, b.licence_expiry_date, today),
                certificates=counts[b.id],
            )
        )
    return out


def list_outlets(
    *, session: Session, actor: Principal, page: PageRequest, today: date | None = None
) -> Page[OutletSummary]:
    """A chain headquarters' outlets with their licence state and certificate alerts."""
    if actor.role is not Role.CHAIN_HQ or actor.business_id is None:
        raise ForbiddenError(N_("Only a chain headquarters has outlets."))
    today = today or today_local()
    result = list_businesses(
        session=session,
        actor=actor,
        filters=BusinessFilter(chain_hq_id=actor.business_id),
        page=page,
        today=today,
    )
    return Page(
        items=_outlet_summaries(session, result.items, today), total=result.total, request=page
    )


def enterprise_dashboard(
    *,
    session: Session,
    actor: Principal,
    business_id: int | None = None,
    today: date | None = None,
    outlets: PageRequest | None = None,
) -> EnterpriseDashboard:
    """Licence card, certificate counts and to-do list of the business (and HQ's outlets)."""
    today = today or today_local()
    business = enterprise_business(session=session, actor=actor, business_id=business_id)
    status = effective_licence_status(business.licence_status, business.licence_expiry_date, today)
    todos = []
    licence = _licence_todo(business, status, today)
    if licence is not None:
        todos.append(licence)
    todos += _certificate_todos(list(repo.staff_of(session, business.id)), today)
    outlet_page = None
    if actor.role is Role.CHAIN_HQ and business.id == actor.business_id:
        outlet_page = list_outlets(
            session=session, actor=actor, page=outlets or PageRequest(1, 20), today=today
        )
    return EnterpriseDashboard(
        business=business,
        licence_status=status,
        licence_expiring=licence_expiring(status, business.licence_expiry_date, today),
        licence_days_left=(business.licence_expiry_date - today).days,
        certificates=repo.certificate_counts(session, business.id, today),
        todos=todos,
        outlets=outlet_page,
    )


def enterprise_staff(
    *,
    session: Session,
    actor: Principal,
    business_id: int,
    certificate: CertificateState | None = None,
    today: date | None = None,
) -> list[Staff]:
    """Active staff of a business; with ``certificate``, the direct-contact staff in that state."""
    staff = list_staff(session=session, actor=actor, business_id=business_id)
    if certificate is None:
        return staff
    today = today or today_local()
    return [
        s
        for s in staff
        if s.direct_contact and certificate_state(s.health_cert_expiry_date, today) is certificate
    ]


def editable_business(
    *, session: Session, actor: Principal, business_id: int | None = None
) -> Business:
    """Like ``enterprise_business``, for a role that may change records (403 otherwise)."""
    access.require_business_editor(actor)
    return enterprise_business(session=session, actor=actor, business_id=business_id)


def editable_staff(*, session: Session, actor: Principal, staff_id: int) -> Staff:
    """A staff member the actor may change: editors only (403), visible businesses only (404)."""
    access.require_business_editor(actor)
    return visible_staff(session, actor, staff_id)


def edit_staff(*, session: Session, actor: Principal, staff_id: int, data: dict[str, Any]) -> Staff:
    """Update a staff member from a form; a blank ID number keeps the one on record.

    The stored number is decrypted only to re-validate the record, never shown, so this is
    not an audited reveal. A changed number may not duplicate another active staff member's.
    """
    access.require_business_editor(actor)
    staff = visible_staff(session, actor, staff_id)
    values = dict(data)
    if not values.get("id_number"):
        values["id_number"] = crypto.decrypt(staff.id_number_encrypted)
    parsed = parse(StaffCreate, values)
    digest = crypto.digest(parsed.id_number)
    if digest != staff.id_number_digest and repo.staff_digest_exists(
        session, staff.business_id, digest
    ):
        raise ConflictError(N_("A staff member with this ID number is already on the register."))
    return update_staff(session=session, actor=actor, staff_id=staff_id, data=parsed)


def update_own_business(
    *, session: Session, actor: Principal, business_id: int, data: BusinessUpdate
) -> Business:
    """A business edits its own profile (or a chain HQ an outlet's) without leaving its county.

    Moving to another county moves the business to other regulators: that is done by them.
    """
    business = editable_business(session=session, actor=actor, business_id=business_id)
    return update_business(session=session, actor=actor, business_id=business.id, data=data)


def profile_areas(*, session: Session, business: Business) -> list[AreaOption]:
    """The business's county and its townships (where an enterprise may place itself)."""
    county = regions_repo.get_region(session, business.county_code)
    if county is None:
        return []
    townships = regions_repo.regions_at_level(
        session, level=RegionLevel.TOWNSHIP, within=(RegionLevel.COUNTY, county.code)
    )
    return [AreaOption(code=county.code, name=county.name, level=county.level, depth=0)] + [
        AreaOption(code=r.code, name=r.name, level=r.level, depth=1)
        for r in sorted(townships, key=lambda r: r.code)
    ]


@dataclass(frozen=True)
class StoreQr:
    """What the QR-code page and the poster need (一店一码)."""

    business: Business
    url: str
    published: bool


def store_qr(*, session: Session, actor: Principal, business_id: int | None = None) -> StoreQr:
    """The store's public URL; only caterers have a published store page (and QR code)."""
    business = enterprise_business(session=session, actor=actor, business_id=business_id)
    return StoreQr(
        business=business,
        url=store_url(business.public_code),
        published=business.category is BusinessCategory.CATERER,
    )
