"""Rules of the business and staff registry (主体库, 人员库). Services never commit."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core import crypto
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.masking import mask_id_number
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region
from sunshine.registry import repository as repo
from sunshine.registry.enums import LicenceKind
from sunshine.registry.models import Business, Staff
from sunshine.registry.repository import BusinessFilter
from sunshine.registry.rules import certificate_state, effective_licence_status
from sunshine.registry.schemas import BusinessCreate, BusinessUpdate, StaffCreate

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 10  # 32**10 ≈ 1.1e15 codes: not guessable by enumeration

BUSINESS_AUDIT_FIELDS = (
    "name",
    "uscc",
    "category",
    "form",
    "scale",
    "chain_hq_id",
    "is_chain_hq",
    "licence_kind",
    "licence_number",
    "licence_issue_date",
    "licence_expiry_date",
    "licence_status",
    "licence_scope",
    "address",
    "county_code",
    "township_code",
    "latitude",
    "longitude",
    "contact_name",
    "contact_phone",
    "food_safety_manager",
    "operating_status",
)
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


def new_public_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _unique_public_code(session: Session) -> str:
    while True:
        code = new_public_code()
        if not repo.public_code_exists(session, code):
            return code


@dataclass(frozen=True)
class RegionPlacement:
    """All levels of a business's location, resolved from its most precise region code."""

    province_code: str
    prefecture_code: str
    county_code: str
    township_code: str | None

    def by_level(self) -> dict[RegionLevel, str | None]:
        return {
            RegionLevel.PROVINCE: self.province_code,
            RegionLevel.PREFECTURE: self.prefecture_code,
            RegionLevel.COUNTY: self.county_code,
            RegionLevel.TOWNSHIP: self.township_code,
        }


def place(region: Region) -> RegionPlacement:
    """Resolve a county or township region into every level's code."""
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        raise ValidationFailed(
            [
                FieldProblem(
                    "region_code",
                    f"{region.code} {region.name} is a {region.level.value}; "
                    "give the county or township where the business is",
                )
            ]
        )
    assert region.prefecture_code is not None
    county = region.code if region.level is RegionLevel.COUNTY else region.county_code
    assert county is not None
    return RegionPlacement(
        province_code=region.province_code,
        prefecture_code=region.prefecture_code,
        county_code=county,
        township_code=region.code if region.level is RegionLevel.TOWNSHIP else None,
    )


def resolve_region(session: Session, code: str, field: str = "region_code") -> RegionPlacement:
    region = regions_repo.get_region(session, code)
    if region is None:
        raise ValidationFailed([FieldProblem(field, f"{code} is not a known region code")])
    return place(region)


def _check_in_jurisdiction(actor: Principal, placement: RegionPlacement) -> None:
    if actor.is_regulator and not access.region_condition_allows(actor, placement.by_level()):
        raise ValidationFailed(
            [FieldProblem("region_code", "the business would lie outside your jurisdiction")]
        )


def _licence_kind(number: str) -> LicenceKind:
    return LicenceKind.PRODUCTION if number.startswith("SC") else LicenceKind.BUSINESS


def _apply_profile(
    business: Business, data: BusinessUpdate | BusinessCreate, placement: RegionPlacement
) -> None:
    for name in (
        "name",
        "category",
        "form",
        "scale",
        "licence_number",
        "licence_issue_date",
        "licence_expiry_date",
        "licence_status",
        "licence_scope",
        "address",
        "latitude",
        "longitude",
        "contact_name",
        "contact_phone",
        "food_safety_manager",
        "operating_status",
    ):
        setattr(business, name, getattr(data, name))
    business.licence_kind = _licence_kind(data.licence_number)
    business.province_code = placement.province_code
    business.prefecture_code = placement.prefecture_code
    business.county_code = placement.county_code
    business.township_code = placement.township_code


def create_business(*, session: Session, actor: Principal, data: BusinessCreate) -> Business:
    """Register a business (regulators, within their jurisdiction; administrators anywhere)."""
    access.require_regulator(actor)
    placement = resolve_region(session, data.region_code)
    _check_in_jurisdiction(actor, placement)
    problems = []
    if repo.uscc_exists(session, data.uscc):
        problems.append(
            FieldProblem("uscc", f"{data.uscc} is already registered", code="duplicate")
        )
    if repo.licence_number_owner(session, data.licence_number) is not None:
        problems.append(
            FieldProblem(
                "licence_number",
                f"{data.licence_number} is already registered to another business",
                code="duplicate",
            )
        )
    if (
        data.chain_hq_id is not None
        and get_business(session=session, actor=actor, business_id=data.chain_hq_id) is None
    ):
        problems.append(FieldProblem("chain_hq_id", "no such chain headquarters"))
    if problems:
        raise ValidationFailed(problems)
    business = Business(
        public_code=_unique_public_code(session),
        uscc=data.uscc,
        chain_hq_id=data.chain_hq_id,
        is_chain_hq=data.is_chain_hq,
    )
    _apply_profile(business, data, placement)
    session.add(business)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="business.create",
        entity_type="business",
        entity_id=business.id,
        after=audit.snapshot(business, BUSINESS_AUDIT_FIELDS),
    )
    return business


def update_business(
    *, session: Session, actor: Principal, business_id: int, data: BusinessUpdate
) -> Business:
    """Edit a business profile: its own users, its chain HQ, or its regulators."""
    access.require_business_editor(actor)
    business = get_business(session=session, actor=actor, business_id=business_id)
    placement = resolve_region(session, data.region_code)
    _check_in_jurisdiction(actor, placement)
    owner = repo.licence_number_owner(session, data.licence_number)
    if owner is not None and owner != business.id:
        raise ValidationFailed(
            [
                FieldProblem(
                    "licence_number",
                    f"{data.licence_number} is registered to another business",
                    code="duplicate",
                )
            ]
        )
    if actor.is_enterprise and data.licence_status != business.licence_status:
        raise ValidationFailed(
            [
                FieldProblem(
                    "licence_status", "only the licensing authority changes a licence's status"
                )
            ]
        )
    before = audit.snapshot(business, BUSINESS_AUDIT_FIELDS)
    _apply_profile(business, data, placement)
    session.flush()
    after = audit.snapshot(business, BUSINESS_AUDIT_FIELDS)
    if after != before:
        audit.record(
            session=session,
            actor=actor,
            action="business.update",
            entity_type="business",
            entity_id=business.id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return business


def get_business(*, session: Session, actor: Principal, business_id: int) -> Business:
    """One business, if the actor may see it (404 otherwise, so existence is not revealed)."""
    business = repo.get_business(
        session, business_id=business_id, scope=access.business_condition(actor)
    )
    if business is None:
        raise NotFoundError("No such business")
    return business


def _filters_with_region(session: Session, filters: BusinessFilter) -> BusinessFilter:
    if not filters.region_code:
        return filters
    region = regions_repo.get_region(session, filters.region_code)
    if region is None:
        raise ValidationFailed(
            [FieldProblem("region", f"{filters.region_code} is not a known region code")]
        )
    return BusinessFilter(**{**filters.__dict__, "region_level": region.level})


def list_businesses(
    *,
    session: Session,
    actor: Principal,
    filters: BusinessFilter,
    page: PageRequest,
    today: date | None = None,
) -> Page[Business]:
    filters = _filters_with_region(session, filters)
    rows, total = repo.page_businesses(
        session,
        scope=access.business_condition(actor),
        filters=filters,
        today=today or today_local(),
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def iter_businesses(
    *, session: Session, actor: Principal, filters: BusinessFilter, today: date | None = None
) -> Iterator[Business]:
    filters = _filters_with_region(session, filters)
    return repo.iter_businesses(
        session,
        scope=access.business_condition(actor),
        filters=filters,
        today=today or today_local(),
    )


def business_view(business: Business, today: date | None = None) -> dict[str, Any]:
    """API representation with the derived licence status."""
    data = {
        c: getattr(business, c)
        for c in (
            "id",
            "public_code",
            "name",
            "uscc",
            "category",
            "form",
            "scale",
            "chain_hq_id",
            "is_chain_hq",
            "licence_kind",
            "licence_number",
            "licence_issue_date",
            "licence_expiry_date",
            "licence_status",
            "licence_scope",
            "address",
            "province_code",
            "prefecture_code",
            "county_code",
            "township_code",
            "latitude",
            "longitude",
            "contact_name",
            "contact_phone",
            "food_safety_manager",
            "operating_status",
            "created_at",
            "updated_at",
        )
    }
    data["licence_effective_status"] = effective_licence_status(
        business.licence_status, business.licence_expiry_date, today or today_local()
    )
    return data


# Staff (人员库) ------------------------------------------------------------------------------


def list_staff(*, session: Session, actor: Principal, business_id: int) -> list[Staff]:
    get_business(session=session, actor=actor, business_id=business_id)
    return list(repo.staff_of(session, business_id))


def staff_view(staff: Staff, today: date | None = None) -> dict[str, Any]:
    data = {
        c: getattr(staff, c)
        for c in (
            "id",
            "business_id",
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
    }
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
        raise ConflictError("A staff member with this ID number is already on the register.")
    staff = build_staff(business_id=business_id, data=data)
    session.add(staff)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="staff.create",
        entity_type="staff",
        entity_id=staff.id,
        after=audit.snapshot(staff, STAFF_AUDIT_FIELDS),
    )
    return staff


def _visible_staff(session: Session, actor: Principal, staff_id: int) -> Staff:
    staff = repo.get_staff(session, staff_id)
    if staff is None:
        raise NotFoundError("No such staff member")
    get_business(session=session, actor=actor, business_id=staff.business_id)
    return staff


def update_staff(*, session: Session, actor: Principal, staff_id: int, data: StaffCreate) -> Staff:
    access.require_business_editor(actor)
    staff = _visible_staff(session, actor, staff_id)
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
    staff = _visible_staff(session, actor, staff_id)
    if staff.active:
        staff.active = False
        session.flush()
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
    staff = _visible_staff(session, actor, staff_id)
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
