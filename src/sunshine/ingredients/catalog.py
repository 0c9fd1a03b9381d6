"""The product library (产品库) and each caterer's suppliers (供货者), with their upstream
suppliers (上一级) and licences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core.errors import (
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ProblemList,
    TranslatableValueError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.identifiers import validate_jy_licence
from sunshine.ingredients import access, rules
from sunshine.ingredients import repository as repo
from sunshine.ingredients.enums import LicenceState, ProductCategory, SupplierKind
from sunshine.ingredients.models import Product, Supplier
from sunshine.registry.models import Business
from sunshine.registry.service import enterprise_business

RECENT = 8
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_SC = re.compile(r"^SC[12]\d{13}$")
REQUIRED = N_("This field is required")


# Products -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductInput:
    name: str
    category: ProductCategory | None
    specification: str
    gtin: str = ""
    shelf_life_days: int | None = None
    producer_name: str = ""


def _check_product(data: ProductInput) -> tuple[str | None, list[FieldProblem]]:
    check = ProblemList()
    if not data.name.strip():
        check.add("name", REQUIRED)
    elif len(data.name.strip()) > 120:
        check.add("name", N_("Must be at most {max_length} characters"), max_length=120)
    if data.category is None:
        check.add("category", REQUIRED)
    if not data.specification.strip():
        check.add("specification", REQUIRED)
    elif len(data.specification.strip()) > 80:
        check.add("specification", N_("Must be at most {max_length} characters"), max_length=80)
    gtin = None
    if data.gtin.strip():
        try:
            gtin = rules.normalise_gtin(data.gtin)
        except ValueError as exc:
            check.add("gtin", str(exc))
    days = data.shelf_life_days
    if days is not None and not 1 <= days <= rules.MAX_SHELF_LIFE_DAYS:
        check.add(
            "shelf_life_days",
            N_("a shelf life is 1 to {max} days"),
            max=rules.MAX_SHELF_LIFE_DAYS,
        )
    if len(data.producer_name) > 120:
        check.add("producer_name", N_("Must be at most {max_length} characters"), max_length=120)
    return gtin, check.problems


def add_product(*, session: Session, actor: Principal, data: ProductInput) -> Product:
    """Add a product: to the platform's library (administrators) or to the actor's own
    store's (the people who keep its ledger). A GTIN already in that library is refused."""
    owner: int | None
    if actor.is_admin:
        owner = None
    else:
        business = enterprise_business(session=session, actor=actor)
        access.require_recorder(actor, business.id)
        owner = business.id
    gtin, problems = _check_product(data)
    if gtin is not None and any(
        p.owner_business_id == owner
        for p in repo.products_by_gtin(session, gtin=gtin, scope=access.product_condition(actor))
    ):
        problems.append(FieldProblem("gtin", N_("a product with this GTIN is already listed")))
    if problems:
        raise ValidationFailed(problems)
    assert data.category is not None
    product = Product(
        owner_business_id=owner,
        name=data.name.strip(),
        category=data.category,
        specification=data.specification.strip(),
        gtin=gtin,
        shelf_life_days=data.shelf_life_days,
        producer_name=data.producer_name.strip(),
        created_by_id=actor.user_id,
    )
    session.add(product)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="product.add",
        entity_type="ingredient_product",
        entity_id=product.id,
        after={
            "name": product.name,
            "category": product.category.value,
            "gtin": product.gtin,
            "owner_business_id": owner,
        },
    )
    return product


def product_for(*, session: Session, actor: Principal, product_id: int) -> Product:
    found = repo.get_product(session, product_id=product_id, scope=access.product_condition(actor))
    if found is None:
        raise NotFoundError(N_("No such product"))
    return found


def product_by_gtin(*, session: Session, actor: Principal, gtin: str) -> Product | None:
    """The product a scanned or typed barcode names (the store's own first), or None."""
    try:
        normal = rules.normalise_gtin(gtin)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("gtin", str(exc))]) from exc
    found = repo.products_by_gtin(session, gtin=normal, scope=access.product_condition(actor))
    return found[0] if found else None


@dataclass(frozen=True)
class ProductChoices:
    recent: list[Product]
    others: list[Product]


def product_choices(
    *, session: Session, actor: Principal, business_id: int, q: str | None = None
) -> ProductChoices:
    """The products to pick from: those the store bought lately first, then the library."""
    recent_ids = repo.recent_product_ids(session, business_id=business_id, limit=RECENT)
    by_id = repo.products_by_ids(session, recent_ids)
    recent = [by_id[i] for i in recent_ids if i in by_id]
    seen = {p.id for p in recent}
    library = repo.find_products(session, scope=access.product_condition(actor), q=q)
    return ProductChoices(recent=recent, others=[p for p in library if p.id not in seen])


# Suppliers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierView:
    """A supplier as its buyer sees it, whichever its kind (its licence as recorded now)."""

    id: int
    kind: SupplierKind
    name: str
    address: str
    contact_name: str
    contact_phone: str
    licence_number: str | None
    licence_expiry: date | None
    licence_status: str | None
    licence_scope: list[str] = field(default_factory=list)
    business_id: int | None = None
    public_code: str | None = None

    @property
    def contact(self) -> str:
        return " ".join(part for part in (self.contact_name, self.contact_phone) if part)

    def licence_on(self, day: date) -> LicenceState:
        return rules.licence_state_on(
            status=self.licence_status,
            expiry=self.licence_expiry,
            number=self.licence_number,
            on=day,
        )


def supplier_view(supplier: Supplier, business: Business | None) -> SupplierView:
    if business is not None:
        return SupplierView(
            id=supplier.id,
            kind=SupplierKind.REGISTERED,
            name=business.name,
            address=business.address,
            contact_name=business.contact_name,
            contact_phone=business.contact_phone,
            licence_number=business.licence_number,
            licence_expiry=business.licence_expiry_date,
            licence_status=business.licence_status.value,
            licence_scope=list(business.licence_scope or []),
            business_id=business.id,
            public_code=business.public_code,
        )
    return SupplierView(
        id=supplier.id,
        kind=SupplierKind.EXTERNAL,
        name=supplier.name,
        address=supplier.address,
        contact_name=supplier.contact_name,
        contact_phone=supplier.contact_phone,
        licence_number=supplier.licence_number,
        licence_expiry=supplier.licence_expiry_date,
        licence_status=LicenceState.VALID.value if supplier.licence_number else None,
        licence_scope=list(supplier.licence_scope or []),
    )


def suppliers_of(*, session: Session, actor: Principal, business_id: int) -> list[SupplierView]:
    """A business's suppliers, those it bought from lately first."""
    business = enterprise_or_seen(session, actor, business_id)
    views = [supplier_view(s, b) for s, b in repo.suppliers_of(session, business_id=business.id)]
    recent = repo.recent_supplier_ids(session, business_id=business.id, limit=RECENT)
    rank = {sid: n for n, sid in enumerate(recent)}
    return sorted(views, key=lambda v: rank.get(v.id, len(rank)))


def enterprise_or_seen(session: Session, actor: Principal, business_id: int) -> Business:
    """A business the actor works on (enterprise) or oversees (regulator)."""
    from sunshine.registry.service import get_business

    if actor.is_enterprise:
        return enterprise_business(session=session, actor=actor, business_id=business_id)
    return get_business(session=session, actor=actor, business_id=business_id)


def supplier_for(*, session: Session, actor: Principal, supplier_id: int) -> SupplierView:
    found = repo.get_supplier(
        session, supplier_id=supplier_id, scope=access.supplier_condition(actor)
    )
    if found is None:
        raise NotFoundError(N_("No such supplier"))
    return supplier_view(*found)


def upstreams(*, session: Session, actor: Principal, supplier_id: int) -> list[SupplierView]:
    """The supplier's own suppliers (上一级): a registered business's supplier list, or the
    upstream its buyer recorded for an external supplier."""
    found = repo.get_supplier(
        session, supplier_id=supplier_id, scope=access.supplier_condition(actor)
    )
    if found is None:
        raise NotFoundError(N_("No such supplier"))
    supplier, business = found
    if business is not None:
        return [supplier_view(s, b) for s, b in repo.suppliers_of(session, business_id=business.id)]
    if supplier.upstream_id is None:
        return []
    upstream = repo.get_supplier(
        session, supplier_id=supplier.upstream_id, scope=access.supplier_condition(actor)
    )
    return [supplier_view(*upstream)] if upstream is not None else []


def add_registered_supplier(
    *, session: Session, actor: Principal, supplier_business_id: int
) -> Supplier:
    """Add a registry business (producer, wholesaler, market vendor) to the actor's store's
    suppliers; adding one already there answers the existing record."""
    business = enterprise_business(session=session, actor=actor)
    access.require_recorder(actor, business.id)
    supplier_business = repo.get_supplier_business(session, supplier_business_id)
    if supplier_business is None or supplier_business.id == business.id:
        raise ValidationFailed(
            [FieldProblem("supplier_business_id", N_("not a supplier on the register"))]
        )
    existing = repo.registered_supplier(
        session, business_id=business.id, supplier_business_id=supplier_business.id
    )
    if existing is not None:
        if not existing.active:
            existing.active = True
        return existing
    supplier = Supplier(
        business_id=business.id,
        supplier_business_id=supplier_business.id,
        name=supplier_business.name,
        created_by_id=actor.user_id,
    )
    return _added(session, actor, supplier, SupplierKind.REGISTERED)


@dataclass(frozen=True)
class ExternalSupplierInput:
    name: str
    address: str
    contact_name: str
    contact_phone: str
    licence_number: str = ""
    licence_expiry_date: date | None = None
    licence_scope: Sequence[str] = ()
    upstream_id: int | None = None


def _licence_number(check: ProblemList, raw: str) -> str | None:
    value = raw.strip().upper()
    if not value:
        return None
    if value.startswith("SC"):
        if not _SC.match(value):
            check.add(
                "licence_number", N_("an SC production licence is SC + 14 digits, the first 1 or 2")
            )
        return value
    try:
        return validate_jy_licence(value)
    except TranslatableValueError as exc:
        check.problems.append(FieldProblem.from_error("licence_number", exc))
        return value


def _check_external(
    session: Session, business_id: int, data: ExternalSupplierInput
) -> tuple[str | None, list[FieldProblem]]:
    check = ProblemList()
    for key, limit in (("name", 120), ("address", 200), ("contact_name", 40)):
        value = str(getattr(data, key)).strip()
        if not value:
            check.add(key, REQUIRED)
        elif len(value) > limit:
            check.add(key, N_("Must be at most {max_length} characters"), max_length=limit)
    phone = data.contact_phone.strip().replace(" ", "")
    if not phone:
        check.add("contact_phone", REQUIRED)
    elif not _PHONE.match(phone):
        check.add(
            "contact_phone",
            N_("must be a mainland mobile (11 digits, 1[3-9]…) or a landline number"),
        )
    number = _licence_number(check, data.licence_number)
    if number and data.licence_expiry_date is None:
        check.add("licence_expiry_date", N_("give the date the licence is valid until"))
    if data.upstream_id is not None:
        upstream = repo.get_supplier(
            session,
            supplier_id=data.upstream_id,
            scope=Supplier.business_id == business_id,
        )
        if upstream is None:
            check.add("upstream_id", N_("not one of this store's suppliers"))
    if data.name.strip() and repo.external_supplier_named(
        session, business_id=business_id, name=data.name.strip()
    ):
        check.add("name", N_("a supplier with this name is already on your list"))
    return number, check.problems


def add_external_supplier(
    *, session: Session, actor: Principal, data: ExternalSupplierInput
) -> Supplier:
    """Add a supplier that is not on the platform, with the details the ledger needs
    (name, address, contact: 食品安全法 Art. 53) and its licence if it has one."""
    business = enterprise_business(session=session, actor=actor)
    access.require_recorder(actor, business.id)
    number, problems = _check_external(session, business.id, data)
    if problems:
        raise ValidationFailed(problems)
    supplier = Supplier(
        business_id=business.id,
        name=data.name.strip(),
        address=data.address.strip(),
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip().replace(" ", ""),
        licence_number=number,
        licence_expiry_date=data.licence_expiry_date if number else None,
        licence_scope=[s.strip() for s in data.licence_scope if s.strip()][:20],
        upstream_id=data.upstream_id,
        created_by_id=actor.user_id,
    )
    return _added(session, actor, supplier, SupplierKind.EXTERNAL)


def _added(session: Session, actor: Principal, supplier: Supplier, kind: SupplierKind) -> Supplier:
    session.add(supplier)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="supplier.add",
        entity_type="ingredient_supplier",
        entity_id=supplier.id,
        after={
            "business_id": supplier.business_id,
            "kind": kind.value,
            "supplier_business_id": supplier.supplier_business_id,
            "name": supplier.name,
            "licence_number": supplier.licence_number,
        },
    )
    return supplier


def supplier_candidates(*, session: Session, actor: Principal, q: str | None) -> list[Business]:
    """Registry businesses a caterer may add as suppliers (searched by name or licence)."""
    if not actor.is_enterprise:
        raise ForbiddenError(N_("This page is for businesses."))
    return list(repo.supplier_businesses(session, q=q))
