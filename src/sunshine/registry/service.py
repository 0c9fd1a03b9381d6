"""Rules of the business and staff registry (主体库, 人员库). Services never commit."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core import crypto
from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.masking import mask_id_number
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.qrcodes import store_url
from sunshine.core.time import today_local
from sunshine.core.validation import parse
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region
from sunshine.regions.service import AreaOption
from sunshine.registry import repository as repo
from sunshine.registry.enums import BusinessCategory, CertificateState, LicenceKind, LicenceStatus
from sunshine.registry.models import Business, Staff
from sunshine.registry.public import store_cache_keys
from sunshine.registry.repository import BusinessFilter
from sunshine.registry.rules import certificate_state, effective_licence_status, licence_expiring
from sunshine.registry.schemas import BusinessCreate, BusinessUpdate, StaffCreate

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 10  # 32**10 ≈ 1.1e15 codes: not guessable by enumeration

LIST_COUNT_CAP = 2_000

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


def _invalidate_store_page(session: Session, business_id: int) -> None:
    """The public store page shows this business: drop its cached copies after commit."""
    business = session.get(Business, business_id)
    if business is not None:
        invalidate_after_commit(session, *store_cache_keys(business.public_code))


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
    if actor.is_enterprise and placement.county_code != business.county_code:
        # Moving to another county moves the business to other regulators: they do that.
        raise ValidationFailed(
            [
                FieldProblem(
                    "region_code",
                    "a business cannot move to another county itself; ask your regulator",
                )
            ]
        )
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
        _invalidate_store_page(session, business.id)
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
    count_cap: int | None = LIST_COUNT_CAP,
) -> Page[Business]:
    """Businesses in the actor's scope. Beyond ``count_cap`` matches the total is reported
    as a lower bound; pass ``None`` for an exact count."""
    filters = _filters_with_region(session, filters)
    rows, total = repo.page_businesses(
        session,
        scope=access.business_condition(actor),
        filters=filters,
        today=today or today_local(),
        offset=page.offset,
        limit=page.per_page,
        count_cap=count_cap,
    )
    return Page(items=rows, total=total, request=page, count_cap=count_cap)


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
    _invalidate_store_page(session, business_id)
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
    _invalidate_store_page(session, staff.business_id)
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
        _invalidate_store_page(session, staff.business_id)
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


# ============================================================================================
# Enterprise portal (企业端) — the business's own view of its registry records.
# Added for portals/enterprise/routes.py; scoping goes through get_business (access helpers).
# ============================================================================================


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
        raise ForbiddenError("This page is for businesses.")
    if actor.business_id is None:
        raise NotFoundError("Your account is not linked to a business.")
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
        raise ForbiddenError("Only a chain headquarters has outlets.")
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
    return _visible_staff(session, actor, staff_id)


def edit_staff(*, session: Session, actor: Principal, staff_id: int, data: dict[str, Any]) -> Staff:
    """Update a staff member from a form; a blank ID number keeps the one on record.

    The stored number is decrypted only to re-validate the record, never shown, so this is
    not an audited reveal. A changed number may not duplicate another active staff member's.
    """
    access.require_business_editor(actor)
    staff = _visible_staff(session, actor, staff_id)
    values = dict(data)
    if not values.get("id_number"):
        values["id_number"] = crypto.decrypt(staff.id_number_encrypted)
    parsed = parse(StaffCreate, values)
    digest = crypto.digest(parsed.id_number)
    if digest != staff.id_number_digest and repo.staff_digest_exists(
        session, staff.business_id, digest
    ):
        raise ConflictError("A staff member with this ID number is already on the register.")
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
