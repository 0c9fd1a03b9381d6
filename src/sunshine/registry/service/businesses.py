"""Businesses (主体库): registration, profile edits, scoped lookups and lists, public codes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.cache import bump_version_after_commit, invalidate_after_commit
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.regions import repository as regions_repo
from sunshine.registry import repository as repo
from sunshine.registry.enums import LicenceKind
from sunshine.registry.models import Business
from sunshine.registry.public import store_cache_keys
from sunshine.registry.repository import BusinessFilter
from sunshine.registry.rules import effective_licence_status
from sunshine.registry.schemas import BusinessCreate, BusinessRead, BusinessUpdate
from sunshine.registry.service.placement import (
    RegionPlacement,
    check_in_jurisdiction,
    resolve_region,
)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 10  # 32**10 ≈ 1.1e15 codes: not guessable by enumeration

# Cached business lists carry this data version in their keys (see the government list).
REGISTRY_VERSION = "registry"
LIST_COUNT_CAP = 2_000
# Everything BusinessRead shows that is stored (the effective status is derived).
_BUSINESS_VIEW_FIELDS = tuple(
    f for f in BusinessRead.model_fields if f != "licence_effective_status"
)

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


def invalidate_store_page(session: Session, business_id: int) -> None:
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
    check_in_jurisdiction(actor, placement)
    problems = []
    if repo.uscc_exists(session, data.uscc):
        problems.append(
            FieldProblem(
                "uscc",
                "{uscc} is already registered",
                code="duplicate",
                params={"uscc": data.uscc},
            )
        )
    if repo.licence_number_owner(session, data.licence_number) is not None:
        problems.append(
            FieldProblem(
                "licence_number",
                "{licence_number} is already registered to another business",
                code="duplicate",
                params={"licence_number": data.licence_number},
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
    bump_version_after_commit(session, REGISTRY_VERSION)
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
    check_in_jurisdiction(actor, placement)
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
                    "{licence_number} is registered to another business",
                    code="duplicate",
                    params={"licence_number": data.licence_number},
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
        invalidate_store_page(session, business.id)
        if before["name"] != after["name"]:
            # Outlets' pages name their chain.
            for code in repo.outlet_public_codes(session, business.id):
                invalidate_after_commit(session, *store_cache_keys(code))
        bump_version_after_commit(session, REGISTRY_VERSION)
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
            [
                FieldProblem(
                    "region",
                    "{region_code} is not a known region code",
                    params={"region_code": filters.region_code},
                )
            ]
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
    data = {name: getattr(business, name) for name in _BUSINESS_VIEW_FIELDS}
    data["licence_effective_status"] = effective_licence_status(
        business.licence_status, business.licence_expiry_date, today or today_local()
    )
    return data
