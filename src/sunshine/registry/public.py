"""What the public sees of a store (一店一码): published facts only, personal data masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.masking import mask_name
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.regions import repository as regions_repo
from sunshine.registry import repository as repo
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    CertificateState,
    LicenceStatus,
    OperatingStatus,
)
from sunshine.registry.models import Business
from sunshine.registry.rules import certificate_state, effective_licence_status


@dataclass(frozen=True)
class PublicCertificate:
    masked_name: str
    position: str
    expiry_date: date | None
    state: CertificateState


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


def store_cache_key(code: str, locale: str) -> str:
    return f"store:{code.strip().upper()}:{locale}"


def store_cache_keys(code: str) -> tuple[str, ...]:
    """Every cached rendering of a store's page (one per UI language)."""
    from sunshine.core.i18n import LOCALES

    return tuple(store_cache_key(code, locale) for locale in LOCALES)


def _published(business: Business | None) -> Business:
    if business is None or business.category is not BusinessCategory.CATERER:
        raise NotFoundError(N_("No store has this code."))
    return business


def store_page(*, session: Session, code: str, today: date | None = None) -> StorePage:
    """The public page of the store with this QR code (404 for unknown codes)."""
    today = today or today_local()
    business = _published(repo.get_business_by_code(session, code.strip().upper()))
    regions = regions_repo.get_regions(
        session,
        [c for c in (business.prefecture_code, business.county_code, business.township_code) if c],
    )
    region_names = [
        regions[c].name
        for c in (business.prefecture_code, business.county_code, business.township_code)
        if c and c in regions
    ]
    staff = [s for s in repo.staff_of(session, business.id) if s.direct_contact]
    certificates = [
        PublicCertificate(
            masked_name=mask_name(s.name),
            position=s.position,
            expiry_date=s.health_cert_expiry_date,
            state=certificate_state(s.health_cert_expiry_date, today),
        )
        for s in staff
    ]
    counts = {state.value: 0 for state in CertificateState}
    for cert in certificates:
        counts[cert.state.value] += 1
    chain = None
    if business.chain_hq_id is not None:
        hq = repo.get_business(
            session, business_id=business.chain_hq_id, scope=Business.id == business.chain_hq_id
        )
        chain = hq.name if hq else None
    return StorePage(
        public_code=business.public_code,
        name=business.name,
        form=business.form,
        address=business.address,
        region_names=region_names,
        latitude=business.latitude,
        longitude=business.longitude,
        licence_number=business.licence_number,
        licence_scope=list(business.licence_scope or []),
        licence_issue_date=business.licence_issue_date,
        licence_expiry_date=business.licence_expiry_date,
        licence_status=effective_licence_status(
            business.licence_status, business.licence_expiry_date, today
        ),
        operating_status=business.operating_status,
        certificates=certificates,
        certificate_counts=counts,
        chain_name=chain,
    )


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
    return _published(repo.get_business_by_code(session, code.strip().upper())).public_code
