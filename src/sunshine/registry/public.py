"""What the public sees of a store (一店一码): published facts only, personal data masked."""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from sunshine.cogovernance.insurance import repository as insurance_repo
from sunshine.config import get_settings
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.masking import mask_name
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import seconds_until_local_date, today_local
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service
from sunshine.registry import repository as repo
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    CertificateState,
    LicenceStatus,
    OperatingStatus,
)
from sunshine.registry.models import Business
from sunshine.registry.rules import (
    certificate_state,
    effective_licence_status,
    next_certificate_change,
    next_licence_change,
)


@dataclass(frozen=True)
class PublicCertificate:
    masked_name: str
    position: str
    expiry_date: date | None
    state: CertificateState


@dataclass(frozen=True)
class PublicCover:
    """The store's food-safety liability insurance (食品安全责任保险) in force today."""

    insurer: str
    cover_amount: Decimal
    start_on: date
    end_on: date


@dataclass(frozen=True)
class StorePage:
    """Everything the public store page shows."""

    public_code: str
    name: str
    form: BusinessForm
    address: str
    region_names: list[str]
    latitude: float | None
    longitude: float | None
    licence_number: str
    licence_scope: list[str]
    licence_issue_date: date
    licence_expiry_date: date
    licence_status: LicenceStatus
    operating_status: OperatingStatus
    certificates: list[PublicCertificate]
    certificate_counts: dict[str, int]
    chain_name: str | None
    # The first day on which a state shown (licence, certificates, cover, and what the
    # providers of ``changes_by_date`` report) changes by itself.
    changes_on: date | None
    insurance: PublicCover | None = None


#: Modules whose import registers a date on which something else the store page shows
#: changes by date alone (a rectification deadline passing, a hygiene score leaving the 12
#: months its annual grade counts): the registry does not know those records, so their
#: owners say when the page stops being true. Imported on first use.
DATE_CHANGE_MODULES: tuple[str, ...] = (
    "sunshine.inspections.rectification",
    "sunshine.inspections.hygiene",
    "sunshine.ingredients.public",
)

#: ``(session, business_id, today) -> the first day after today on which it changes``.
DateChange = Callable[[Session, int, date], date | None]
_date_changes: list[DateChange] = []


def changes_by_date(provider: DateChange) -> DateChange:
    """Register ``provider`` (usable as a decorator); registering it twice keeps one."""
    if provider not in _date_changes:
        _date_changes.append(provider)
    return provider


def _other_changes(session: Session, business_id: int, today: date) -> list[date | None]:
    for module in DATE_CHANGE_MODULES:
        importlib.import_module(module)  # cached by Python after the first time
    return [provider(session, business_id, today) for provider in list(_date_changes)]


def store_cache_key(code: str, locale: str) -> str:
    return f"store:{code.strip().upper()}:{locale}"


def store_page_ttl(page: StorePage) -> int:
    """How long a rendered page stays true: until a state it shows changes by date alone.

    Edits drop the page at once (see ``invalidate_store_page``); the configured ceiling
    is a safety net, shortened at random by up to a tenth so pages rendered together are
    not all rendered again in the same minute.
    """
    ceiling = get_settings().store_page_cache_s
    ceiling -= random.randrange(ceiling // 10 + 1)
    if page.changes_on is None:
        return max(1, ceiling)
    return max(1, min(ceiling, seconds_until_local_date(page.changes_on)))


def store_cache_keys(code: str) -> tuple[str, ...]:
    """Every cached rendering of a store's page (one per UI language)."""
    from sunshine.core.i18n import LOCALES

    return tuple(store_cache_key(code, locale) for locale in LOCALES)


def _published(session: Session, code: str) -> Row[*tuple[Any, ...]]:
    """The store with this code; only caterers have public pages."""
    row = repo.public_store(session, code.strip().upper())
    if row is None or row.category is not BusinessCategory.CATERER:
        raise NotFoundError(N_("No store has this code."))
    return row


def store_page(*, session: Session, code: str, today: date | None = None) -> StorePage:
    """The public page of the store with this QR code (404 for unknown codes)."""
    today = today or today_local()
    row = _published(session, code)
    certificates = [
        PublicCertificate(
            masked_name=mask_name(name),
            position=position,
            expiry_date=expiry,
            state=certificate_state(expiry, today),
        )
        for name, position, expiry in repo.public_certificates(session, row.id)
    ]
    counts = {state.value: 0 for state in CertificateState}
    for cert in certificates:
        counts[cert.state.value] += 1
    changes = [next_certificate_change(c.expiry_date, today) for c in certificates]
    changes.append(next_licence_change(row.licence_status, row.licence_expiry_date, today))
    cover, cover_change = _cover(session, row.id, today)
    changes.append(cover_change)
    changes.extend(_other_changes(session, row.id, today))
    return StorePage(
        public_code=row.public_code,
        name=row.name,
        form=row.form,
        address=row.address,
        region_names=regions_service.region_names(
            session=session, codes=[row.prefecture_code, row.county_code, row.township_code]
        ),
        latitude=row.latitude,
        longitude=row.longitude,
        licence_number=row.licence_number,
        licence_scope=list(row.licence_scope or []),
        licence_issue_date=row.licence_issue_date,
        licence_expiry_date=row.licence_expiry_date,
        licence_status=effective_licence_status(row.licence_status, row.licence_expiry_date, today),
        operating_status=row.operating_status,
        certificates=certificates,
        certificate_counts=counts,
        chain_name=row.chain_name,
        changes_on=min((day for day in changes if day is not None), default=None),
        insurance=cover,
    )


def _cover(
    session: Session, business_id: int, today: date
) -> tuple[PublicCover | None, date | None]:
    """The cover in force today (the latest to end, as the insurance service chooses it) and
    the next day the cover shown changes by date alone: it ends, or a recorded one starts."""
    policies = insurance_repo.policies_of(session, business_id)  # latest end first
    current = next((p for p in policies if p.start_on <= today <= p.end_on), None)
    turns = [p.start_on for p in policies if p.start_on > today]
    if current is not None:
        turns.append(current.end_on + timedelta(days=1))
    cover = (
        PublicCover(current.insurer, current.cover_amount, current.start_on, current.end_on)
        if current is not None
        else None
    )
    return cover, min(turns, default=None)


def search_stores(
    *, session: Session, q: str | None, region_code: str | None, page: PageRequest
) -> Page[Business]:
    """Stores matching a name or address, optionally within an area."""
    level = None
    if region_code:
        region = regions_repo.get_region(session, region_code)
        level = region.level if region else None
        if region is None:
            region_code = None
    rows, total = repo.search_public(
        session,
        q=q,
        region_level=level,
        region_code=region_code,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def store_exists(*, session: Session, code: str) -> str:
    """The canonical code of a published store (404 otherwise)."""
    return str(_published(session, code).public_code)
