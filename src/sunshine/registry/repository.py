"""Every query of businesses and staff."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory, BusinessForm, LicenceStatus, OperatingStatus
from sunshine.registry.models import Business, ImportJob, Staff, TrainingRecord

EXPIRY_WARNING_DAYS = 30
LICENCE_WARNING_DAYS = 60

_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: Business.province_code,
    RegionLevel.PREFECTURE: Business.prefecture_code,
    RegionLevel.COUNTY: Business.county_code,
    RegionLevel.TOWNSHIP: Business.township_code,
}
SORTABLE = {
    "name": Business.name,
    "licence_expiry_date": Business.licence_expiry_date,
    "created_at": Business.created_at,
    "county_code": Business.county_code,
    "form": Business.form,
}


@dataclass(frozen=True)
class BusinessFilter:
    """Filters of the business list; every field optional."""

    q: str | None = None
    region_code: str | None = None
    region_level: RegionLevel | None = None
    form: BusinessForm | None = None
    category: BusinessCategory | None = None
    licence_state: str | None = None  # valid | expiring | expired | suspended | revoked
    operating_status: OperatingStatus | None = None
    chain_hq_id: int | None = None
    sort: str = "name"
    descending: bool = False


def licence_state_condition(state: str, today: date) -> ColumnElement[bool]:
    """Condition for the effective licence state (expiry is derived from the date)."""
    soon = today + timedelta(days=LICENCE_WARNING_DAYS)
    recorded_valid = Business.licence_status == LicenceStatus.VALID
    conditions: dict[str, ColumnElement[bool]] = {
        "valid": and_(recorded_valid, Business.licence_expiry_date >= today),
        "expiring": and_(
            recorded_valid,
            Business.licence_expiry_date >= today,
            Business.licence_expiry_date <= soon,
        ),
        "expired": or_(
            Business.licence_status == LicenceStatus.EXPIRED,
            and_(recorded_valid, Business.licence_expiry_date < today),
        ),
        "suspended": Business.licence_status == LicenceStatus.SUSPENDED,
        "revoked": Business.licence_status == LicenceStatus.REVOKED,
    }
    return conditions[state]


def _filtered(scope: ColumnElement[bool], filters: BusinessFilter, today: date) -> Select[Business]:
    stmt = select(Business).where(scope)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(
            or_(
                Business.name.like(like),
                Business.address.like(like),
                Business.uscc == filters.q.strip().upper(),
                Business.licence_number == filters.q.strip().upper(),
            )
        )
    if filters.region_code and filters.region_level:
        stmt = stmt.where(_LEVEL_COLUMN[filters.region_level] == filters.region_code)
    if filters.form:
        stmt = stmt.where(Business.form == filters.form)
    if filters.category:
        stmt = stmt.where(Business.category == filters.category)
    if filters.licence_state:
        stmt = stmt.where(licence_state_condition(filters.licence_state, today))
    if filters.operating_status:
        stmt = stmt.where(Business.operating_status == filters.operating_status)
    if filters.chain_hq_id is not None:
        stmt = stmt.where(Business.chain_hq_id == filters.chain_hq_id)
    return stmt


def page_businesses(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: BusinessFilter,
    today: date,
    offset: int,
    limit: int,
    count_cap: int | None = None,
) -> tuple[Sequence[Business], int]:
    """One page and the number of matches; counting stops at ``count_cap`` + 1 if given
    (counting 100,000 rows on every page view costs more than the page itself)."""
    stmt = _filtered(scope, filters, today)
    counted = stmt.with_only_columns(literal(1))  # nothing to fetch: index-only where possible
    if count_cap is not None:
        counted = counted.limit(count_cap + 1)
    total = session.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    column = SORTABLE.get(filters.sort, Business.name)
    order = column.desc() if filters.descending else column.asc()
    rows = session.execute(stmt.order_by(order, Business.id).offset(offset).limit(limit))
    return rows.scalars().all(), total


def iter_businesses(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: BusinessFilter,
    today: date,
    batch: int = 1000,
) -> Iterator[Business]:
    """Every matching business in list order (for exports)."""
    stmt = _filtered(scope, filters, today)
    column = SORTABLE.get(filters.sort, Business.name)
    order = column.desc() if filters.descending else column.asc()
    offset = 0
    while True:
        rows = session.execute(stmt.order_by(order, Business.id).offset(offset).limit(batch))
        chunk = rows.scalars().all()
        if not chunk:
            return
        yield from chunk
        offset += batch


def get_business(
    session: Session, *, business_id: int, scope: ColumnElement[bool]
) -> Business | None:
    stmt = select(Business).where(Business.id == business_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def get_business_by_code(session: Session, public_code: str) -> Business | None:
    stmt = select(Business).where(Business.public_code == public_code)
    return session.execute(stmt).scalar_one_or_none()


_BUSINESSES = Business.__table__
_CHAIN_HQ = Business.__table__.alias("chain_hq")
_STAFF = Staff.__table__
# Built once with bound parameters: a store page is rendered on every first scan of a QR
# code, and plain Core statements reused as they are skip both statement building and ORM
# object loading, which were most of the time of a page.
_PUBLIC_STORE = (
    select(
        _BUSINESSES.c.id,
        _BUSINESSES.c.category,
        _BUSINESSES.c.public_code,
        _BUSINESSES.c.name,
        _BUSINESSES.c.form,
        _BUSINESSES.c.address,
        _BUSINESSES.c.prefecture_code,
        _BUSINESSES.c.county_code,
        _BUSINESSES.c.township_code,
        _BUSINESSES.c.latitude,
        _BUSINESSES.c.longitude,
        _BUSINESSES.c.licence_number,
        _BUSINESSES.c.licence_scope,
        _BUSINESSES.c.licence_issue_date,
        _BUSINESSES.c.licence_expiry_date,
        _BUSINESSES.c.licence_status,
        _BUSINESSES.c.operating_status,
        _CHAIN_HQ.c.name.label("chain_name"),
    )
    .select_from(_BUSINESSES.outerjoin(_CHAIN_HQ, _CHAIN_HQ.c.id == _BUSINESSES.c.chain_hq_id))
    .where(_BUSINESSES.c.public_code == bindparam("code"))
)
_PUBLIC_CERTIFICATES = (
    select(_STAFF.c.name, _STAFF.c.position, _STAFF.c.health_cert_expiry_date)
    .where(
        _STAFF.c.business_id == bindparam("business_id"),
        _STAFF.c.active.is_(True),
        _STAFF.c.direct_contact.is_(True),
    )
    .order_by(_STAFF.c.name, _STAFF.c.id)
)


def public_store(session: Session, public_code: str) -> Row[*tuple[Any, ...]] | None:
    """What a store page shows of the business with this code, with its chain's name."""
    return session.execute(_PUBLIC_STORE, {"code": public_code}).first()


def public_certificates(session: Session, business_id: int) -> Sequence[Row[str, str, date | None]]:
    """Name, position and certificate expiry of the active staff who handle food."""
    return session.execute(_PUBLIC_CERTIFICATES, {"business_id": business_id}).all()


def outlet_public_codes(session: Session, hq_id: int) -> Sequence[str]:
    stmt = select(Business.public_code).where(Business.chain_hq_id == hq_id)
    return session.execute(stmt).scalars().all()


def uscc_exists(session: Session, uscc: str) -> bool:
    return session.execute(select(Business.id).where(Business.uscc == uscc)).first() is not None


def licence_number_owner(session: Session, number: str) -> int | None:
    return session.execute(
        select(Business.id).where(Business.licence_number == number)
    ).scalar_one_or_none()


def existing_usccs(session: Session, usccs: Sequence[str]) -> set[str]:
    if not usccs:
        return set()
    rows = session.execute(select(Business.uscc).where(Business.uscc.in_(list(usccs))))
    return set(rows.scalars())


def existing_licence_numbers(session: Session, numbers: Sequence[str]) -> set[str]:
    if not numbers:
        return set()
    stmt = select(Business.licence_number).where(Business.licence_number.in_(list(numbers)))
    return set(session.execute(stmt).scalars())


def public_code_exists(session: Session, code: str) -> bool:
    return (
        session.execute(select(Business.id).where(Business.public_code == code)).first() is not None
    )


def search_public(
    session: Session,
    *,
    q: str | None,
    region_level: RegionLevel | None,
    region_code: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Business], int]:
    """Published stores: operating caterers, matched on name or address."""
    stmt = select(Business).where(
        Business.category == BusinessCategory.CATERER,
        Business.operating_status != OperatingStatus.CLOSED,
    )
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Business.name.like(like), Business.address.like(like)))
    if region_level and region_code:
        stmt = stmt.where(_LEVEL_COLUMN[region_level] == region_code)
    total = session.execute(
        select(func.count()).select_from(stmt.with_only_columns(Business.id).subquery())
    ).scalar_one()
    rows = session.execute(stmt.order_by(Business.name, Business.id).offset(offset).limit(limit))
    return rows.scalars().all(), total


def count_by(session: Session, *, scope: ColumnElement[bool], column: str) -> list[tuple[str, int]]:
    """Counts of businesses in scope grouped by one column."""
    col = {
        "form": Business.form,
        "operating_status": Business.operating_status,
        "licence_status": Business.licence_status,
        "category": Business.category,
        "prefecture_code": Business.prefecture_code,
        "county_code": Business.county_code,
        "township_code": Business.township_code,
    }[column]
    rows = session.execute(
        select(col, func.count()).where(scope).group_by(col).order_by(func.count().desc())
    )
    return [(str(getattr(k, "value", k)), int(n)) for k, n in rows]


def count_licence_state(
    session: Session, *, scope: ColumnElement[bool], state: str, today: date
) -> int:
    stmt = (
        select(func.count())
        .select_from(Business)
        .where(scope, licence_state_condition(state, today))
    )
    return int(session.execute(stmt).scalar_one())


def count_businesses(session: Session, *, scope: ColumnElement[bool]) -> int:
    return int(
        session.execute(select(func.count()).select_from(Business).where(scope)).scalar_one()
    )


# Staff -------------------------------------------------------------------------------------


def staff_of(session: Session, business_id: int, *, active_only: bool = True) -> Sequence[Staff]:
    stmt = select(Staff).where(Staff.business_id == business_id)
    if active_only:
        stmt = stmt.where(Staff.active.is_(True))
    return session.execute(stmt.order_by(Staff.name, Staff.id)).scalars().all()


def get_staff(session: Session, staff_id: int) -> Staff | None:
    return session.get(Staff, staff_id)


def staff_digest_exists(session: Session, business_id: int, digest: str) -> bool:
    stmt = select(Staff.id).where(
        Staff.business_id == business_id, Staff.id_number_digest == digest, Staff.active.is_(True)
    )
    return session.execute(stmt).first() is not None


def certificate_counts(session: Session, business_id: int, today: date) -> dict[str, int]:
    """Active direct-contact staff by certificate state."""
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    base = (
        select(func.count())
        .select_from(Staff)
        .where(
            Staff.business_id == business_id, Staff.active.is_(True), Staff.direct_contact.is_(True)
        )
    )
    exp = Staff.health_cert_expiry_date
    return {
        "missing": int(session.execute(base.where(exp.is_(None))).scalar_one()),
        "expired": int(session.execute(base.where(exp < today)).scalar_one()),
        "expiring": int(session.execute(base.where(exp >= today, exp <= soon)).scalar_one()),
        "valid": int(session.execute(base.where(exp > soon)).scalar_one()),
    }


def expiring_certificates(
    session: Session, *, scope: ColumnElement[bool], today: date, offset: int, limit: int
) -> tuple[Sequence[tuple[Staff, Business]], int]:
    """Active direct-contact staff whose certificate is missing, expired or expires soon."""
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    stmt = (
        select(Staff, Business)
        .join(Business, Business.id == Staff.business_id)
        .where(
            scope,
            Staff.active.is_(True),
            Staff.direct_contact.is_(True),
            or_(Staff.health_cert_expiry_date.is_(None), Staff.health_cert_expiry_date <= soon),
        )
    )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(
            Staff.health_cert_expiry_date.is_(None).desc(), Staff.health_cert_expiry_date, Staff.id
        )
        .offset(offset)
        .limit(limit)
    )
    return [(s, b) for s, b in rows.all()], int(total)


def expiring_licences(
    session: Session, *, scope: ColumnElement[bool], today: date, offset: int, limit: int
) -> tuple[Sequence[Business], int]:
    soon = today + timedelta(days=LICENCE_WARNING_DAYS)
    stmt = select(Business).where(
        scope,
        Business.licence_status.in_([LicenceStatus.VALID, LicenceStatus.EXPIRED]),
        Business.licence_expiry_date <= soon,
    )
    total = session.execute(
        select(func.count()).select_from(stmt.with_only_columns(Business.id).subquery())
    ).scalar_one()
    rows = session.execute(
        stmt.order_by(Business.licence_expiry_date, Business.id).offset(offset).limit(limit)
    )
    return rows.scalars().all(), int(total)


# Import jobs -------------------------------------------------------------------------------


def get_import_job(session: Session, token: str) -> ImportJob | None:
    return session.execute(select(ImportJob).where(ImportJob.token == token)).scalar_one_or_none()


# Demo set-up -------------------------------------------------------------------------------


def first_businesses(
    session: Session,
    *,
    county_code: str,
    limit: int,
    standalone: bool = True,
    category: BusinessCategory = BusinessCategory.CATERER,
) -> Sequence[Business]:
    """Operating businesses of a county in id order (the demo picks its accounts' stores)."""
    stmt = select(Business).where(
        Business.county_code == county_code,
        Business.category == category,
        Business.operating_status == OperatingStatus.OPERATING,
    )
    if standalone:
        stmt = stmt.where(Business.chain_hq_id.is_(None), Business.is_chain_hq.is_(False))
    return session.execute(stmt.order_by(Business.id).limit(limit)).scalars().all()


def busiest_township(session: Session, county_code: str) -> str | None:
    stmt = (
        select(Business.township_code, func.count())
        .where(Business.county_code == county_code, Business.township_code.is_not(None))
        .group_by(Business.township_code)
        .order_by(func.count().desc(), Business.township_code)
        .limit(1)
    )
    row = session.execute(stmt).first()
    return str(row[0]) if row else None


def chain_headquarters(session: Session, limit: int) -> Sequence[Business]:
    stmt = select(Business).where(Business.is_chain_hq.is_(True)).order_by(Business.id)
    return session.execute(stmt.limit(limit)).scalars().all()


def count_outlets(session: Session, hq_id: int) -> int:
    stmt = select(func.count()).select_from(Business).where(Business.chain_hq_id == hq_id)
    return int(session.execute(stmt).scalar_one())


# Enterprise portal (企业端) ----------------------------------------------------------------
# Added for portals/enterprise: certificate alerts of many businesses in one query.


def certificate_counts_by_business(
    session: Session, business_ids: Sequence[int], today: date
) -> dict[int, dict[str, int]]:
    """Active direct-contact staff by certificate state, for each of ``business_ids``."""
    counts = {
        business_id: {"valid": 0, "expiring": 0, "expired": 0, "missing": 0}
        for business_id in business_ids
    }
    if not business_ids:
        return counts
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    expiry = Staff.health_cert_expiry_date
    state = case(
        (expiry.is_(None), "missing"),
        (expiry < today, "expired"),
        (expiry <= soon, "expiring"),
        else_="valid",
    )
    inner = (
        select(Staff.business_id.label("business_id"), state.label("state"))
        .where(
            Staff.business_id.in_(list(business_ids)),
            Staff.active.is_(True),
            Staff.direct_contact.is_(True),
        )
        .subquery()
    )
    # Grouping on the subquery's columns (not the CASE itself) keeps PostgreSQL happy with
    # the bound dates.
    rows = session.execute(
        select(inner.c.business_id, inner.c.state, func.count()).group_by(
            inner.c.business_id, inner.c.state
        )
    )
    for business_id, name, n in rows:
        counts[int(business_id)][str(name)] = int(n)
    return counts


# ============================================================================================
# Bulk imports (registry/imports/). Appended for the bulk-import feature; keep at the end.
# ============================================================================================


def get_import_job_by_id(session: Session, job_id: int) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def import_job_scope(
    *, kind: str, user_id: int | None, org_unit_id: int | None, business_id: int | None
) -> ColumnElement[bool]:
    """Import jobs of ``kind`` a user may see.

    Business imports (regulators): those the user started, and those of colleagues in the same
    office. Staff imports (enterprises): those of the user's own business. ``None`` values
    grant nothing.
    """
    from sqlalchemy import false

    from sunshine.auth.models import User

    condition: ColumnElement[bool] = false()
    if kind == "businesses" and user_id is not None:
        condition = ImportJob.created_by_id == user_id
        if org_unit_id is not None:
            colleagues = select(User.id).where(User.org_unit_id == org_unit_id)
            condition = or_(condition, ImportJob.created_by_id.in_(colleagues))
    elif kind == "staff" and business_id is not None:
        condition = ImportJob.business_id == business_id
    return and_(ImportJob.kind == kind, condition)


def get_import_job_in_scope(
    session: Session, *, token: str, scope: ColumnElement[bool]
) -> ImportJob | None:
    stmt = select(ImportJob).where(ImportJob.token == token, scope)
    return session.execute(stmt).scalar_one_or_none()


def recent_import_jobs(
    session: Session, *, scope: ColumnElement[bool], limit: int
) -> Sequence[ImportJob]:
    stmt = select(ImportJob).where(scope).order_by(ImportJob.id.desc()).limit(limit)
    return session.execute(stmt).scalars().all()


def existing_staff_digests(session: Session, business_id: int, digests: Sequence[str]) -> set[str]:
    """Which of ``digests`` (ID-number digests) belong to active staff of the business."""
    if not digests:
        return set()
    stmt = select(Staff.id_number_digest).where(
        Staff.business_id == business_id,
        Staff.active.is_(True),
        Staff.id_number_digest.in_(list(digests)),
    )
    return set(session.execute(stmt).scalars())


def trainings_of(session: Session, staff_id: int) -> Sequence[TrainingRecord]:
    stmt = (
        select(TrainingRecord)
        .where(TrainingRecord.staff_id == staff_id)
        .order_by(TrainingRecord.taken_date.desc(), TrainingRecord.id.desc())
    )
    return session.execute(stmt).scalars().all()
