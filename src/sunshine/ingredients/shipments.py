"""Shipments (发货记录): order online, verify offline (线上下单、线下核查).

A supplier business (producer, wholesaler, market vendor) records what it sends to a caterer:
product, lot (batch, production and use-by dates), quantity, the documents that travel with
the goods (photos or PDFs) and when it left. The shipment is a shipping ObjectEvent captured
for the supplier (bizStep ``shipping``, disposition ``in_transit``, source the supplier,
destination the caterer, the despatch advice ``urn:sunshine:shipment:{id}``).

The caterer checks the goods at the door and confirms: received in full, in part (the
quantity received: a mismatch, flagged) or refused with the reason. A receipt records the
caterer's ledger line through the ledger service, so the ledger's rules run and the bridge
captures the receiving event (naming the same despatch advice). A shipment still pending
``settings.shipment_confirm_hours`` after it left is flagged unconfirmed, computed when read.

Who: the supplier's owner, managers and staff record; the caterer's owner, managers and
staff confirm; each sees the shipments it sends or receives, a chain HQ its outlets', and
a regulator those whose supplier or caterer is in its jurisdiction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.access import business_condition
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core import evidence
from sunshine.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProblemList,
    ValidationFailed,
)
from sunshine.core.evidence_models import EvidenceFile, EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import to_local, utc_now
from sunshine.ingredients import access, catalog, rules, service, shipments_messages
from sunshine.ingredients import repository as ledger_repo
from sunshine.ingredients import shipments_repository as repo
from sunshine.ingredients.models import Product
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.ingredients.shipments_models import Shipment, ShipmentStatus
from sunshine.ingredients.shipments_schemas import Outcome, ShipmentConfirmIn, ShipmentIn
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business
from sunshine.registry.service import enterprise_business
from sunshine.traceability import ledger_events, lots
from sunshine.traceability.epcis.repository import PARTY_PREFIX

OWNER = "shipment"
FILES = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.DOCUMENT, EvidenceKind.PHOTO}), max_files=10, field="files"
)
REQUIRED = N_("This field is required")
#: A device clock a little ahead is not a shipment in the future.
CLOCK_SKEW = timedelta(minutes=10)
FLAG_LABELS = {
    "unconfirmed": N_("Not confirmed by the caterer within the time allowed"),
    "mismatch": N_("The quantity received differs from the quantity shipped"),
    "refused": N_("Refused by the caterer"),
}
STATUS_LABELS = {
    ShipmentStatus.PENDING: N_("Awaiting the caterer's confirmation"),
    ShipmentStatus.RECEIVED: N_("Received in full"),
    ShipmentStatus.PARTIAL: N_("Received in part"),
    ShipmentStatus.REFUSED: N_("Refused on arrival"),
}


def qty(value: Decimal) -> str:
    """A quantity as people write it: ``10``, ``2.5`` (not ``1E+1`` nor ``2.500``)."""
    return format(value.normalize(), "f")


def confirm_hours() -> int:
    return get_settings().shipment_confirm_hours


def overdue(shipment: Shipment, now: datetime | None = None) -> bool:
    """Still pending later than the confirmation time allows (the unconfirmed flag)."""
    if shipment.status is not ShipmentStatus.PENDING:
        return False
    return shipment.shipped_at + timedelta(hours=confirm_hours()) < (now or utc_now())


def flags_of(shipment: Shipment, now: datetime | None = None) -> list[str]:
    flags = []
    if overdue(shipment, now):
        flags.append("unconfirmed")
    if shipment.mismatch:
        flags.append("mismatch")
    if shipment.status is ShipmentStatus.REFUSED:
        flags.append("refused")
    return flags


def _scope(actor: Principal) -> ColumnElement[bool]:
    return repo.visible(business_condition(actor))


def may_ship(actor: Principal, business: Business) -> bool:
    return (
        actor.role in access.RECORDERS
        and actor.business_id == business.id
        and (business.category is not BusinessCategory.CATERER)
    )


# recording ----------------------------------------------------------------------------------


def _product(
    session: Session, actor: Principal, data: ShipmentIn, check: ProblemList
) -> Product | None:
    if data.product_id is None:
        return None
    found = ledger_repo.get_product(
        session, product_id=data.product_id, scope=access.product_condition(actor)
    )
    if found is None:
        check.add("product_id", N_("no such product in the library"))
    return found


def _check_dates(check: ProblemList, data: ShipmentIn, shipped: datetime, now: datetime) -> None:
    if shipped > now + CLOCK_SKEW:
        check.add("shipped_at", N_("the shipping time is in the future"))
    day = to_local(shipped).date()
    if not data.batch_number and data.production_date is None:
        check.add("batch_number", N_("give the batch number or the production date"))
    if data.production_date is not None and data.production_date > day:
        check.add("production_date", N_("the production date is after the shipping day"))
    if data.no_shelf_life and data.expiry_date is not None:
        check.add(
            "no_shelf_life",
            N_("a product without a stated shelf life has no shelf life or use-by date"),
        )
    elif not data.no_shelf_life and data.expiry_date is None:
        check.add("expiry_date", N_("give the use-by date, or say it has no stated shelf life"))
    if (
        data.expiry_date is not None
        and data.production_date is not None
        and data.expiry_date < data.production_date
    ):
        check.add("expiry_date", N_("the use-by date is before the production date"))


@dataclass(frozen=True)
class _Checked:
    caterer: Business
    product: Product | None
    name: str
    category: object
    specification: str
    gtin: str | None
    producer: str
    shipped_at: datetime


def _check(session: Session, actor: Principal, supplier: Business, data: ShipmentIn) -> _Checked:
    check = ProblemList()
    now = utc_now()
    caterer = repo.caterer_by_code(session, data.caterer_code)
    if caterer is None or caterer.id == supplier.id:
        check.add("caterer_code", N_("no caterer on the register has this code"))
    product = _product(session, actor, data, check)
    name = data.product_name or (product.name if product else "")
    category = data.category or (product.category if product else None)
    specification = data.specification or (product.specification if product else "")
    for field, value in (("product_name", name), ("category", category)):
        if not value:
            check.add(field, REQUIRED)
    if not specification:
        check.add("specification", REQUIRED)
    gtin = None
    raw = data.gtin or (product.gtin if product else None)
    if raw:
        try:
            gtin = rules.normalise_gtin(raw)
        except ValueError as exc:
            check.add("gtin", str(exc))
    shipped = data.shipped_at or now
    if shipped.tzinfo is None:
        check.add("shipped_at", N_("give the time with its UTC offset"))
        shipped = now
    _check_dates(check, data, shipped, now)
    if check.problems or caterer is None:
        raise ValidationFailed(check.problems)
    producer = data.producer_name or (product.producer_name if product else "")
    return _Checked(caterer, product, name, category, specification, gtin, producer, shipped)


def _lot_product(product: Product | None) -> int | None:
    """The product id a lot names: the platform library's only, the one both sides see
    (a supplier's own product is not in the caterer's library, so its lot is named by name)."""
    return product.id if product is not None and product.owner_business_id is None else None


def record_shipment(
    *,
    session: Session,
    actor: Principal,
    data: ShipmentIn,
    files: Sequence[evidence.Upload] = (),
) -> Shipment:
    """Record a shipment of the actor's business to a caterer, and its shipping event."""
    supplier = enterprise_business(session=session, actor=actor)
    if not may_ship(actor, supplier):
        raise ForbiddenError(
            N_("Shipments are recorded by the people of a supplier business (producer, "
               "wholesaler, market vendor) for their own business.")
        )  # fmt: skip
    c = _check(session, actor, supplier, data)
    prepared = evidence.prepare(session=session, uploads=list(files), rules=FILES)
    batch = lots.batch_of(batch_number=data.batch_number, production_date=data.production_date)
    assert batch is not None  # checked above
    shipment = Shipment(
        supplier_business_id=supplier.id,
        caterer_business_id=c.caterer.id,
        product_id=c.product.id if c.product else None,
        product_name=c.name,
        category=c.category,
        specification=c.specification,
        gtin=c.gtin,
        producer_name=c.producer,
        batch_number=data.batch_number or None,
        production_date=data.production_date,
        expiry_date=data.expiry_date,
        no_shelf_life=data.no_shelf_life,
        quantity=data.quantity,
        unit=data.unit,
        documents=sorted({d.value for d in data.documents}),
        reference=data.reference,
        note=data.note,
        shipped_at=c.shipped_at,
        lot_id=lots.lot_id(
            gtin=c.gtin,
            supplier_code=supplier.public_code,
            product_id=_lot_product(c.product),
            batch=batch,
            product_name=c.name,
        ),
        created_by_id=actor.user_id,
    )
    repo.add(session, shipment)
    if prepared:
        evidence.record(
            session=session, actor=actor, prepared=prepared, owner_type=OWNER, owner_id=shipment.id
        )
    stored = ledger_events.capture_for(
        session=session,
        actor=actor,
        business_id=supplier.id,
        event=shipping_event(shipment, supplier=supplier, caterer=c.caterer),
    )
    shipment.shipping_event_id = stored.event_id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="shipment.record",
        entity_type="shipment",
        entity_id=shipment.id,
        after=_summary(shipment),
    )
    shipments_messages.sent(
        session=session, shipment=shipment, supplier=supplier.name, store=c.caterer.name
    )
    return shipment


def shipping_event(
    shipment: Shipment, *, supplier: Business, caterer: Business
) -> dict[str, object]:
    """The shipping ObjectEvent of a shipment (issue 5 conventions)."""
    ilmd: dict[str, str] = {}
    if shipment.expiry_date is not None:
        ilmd["cbvmda:itemExpirationDate"] = shipment.expiry_date.isoformat()
    batch = lots.batch_of(
        batch_number=shipment.batch_number, production_date=shipment.production_date
    )
    if batch:
        ilmd["cbvmda:lotNumber"] = batch
    if shipment.production_date is not None:
        ilmd["cbvmda:productionDate"] = shipment.production_date.isoformat()
    quantity: dict[str, object] = {
        "epcClass": shipment.lot_id,
        "quantity": float(shipment.quantity),
    }
    uom = ledger_events.UOM_CODES.get(shipment.unit.strip())
    if uom:
        quantity["uom"] = uom
    event: dict[str, object] = {
        "type": "ObjectEvent",
        "eventTime": to_local(shipment.shipped_at).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": ledger_events.OFFSET,
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "quantityList": [quantity],
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": f"{ledger_events.SHIPMENT_PREFIX}{shipment.id}"}
        ],
        "sourceList": [{"type": "owning_party", "source": PARTY_PREFIX + supplier.public_code}],
        "destinationList": [
            {"type": "owning_party", "destination": PARTY_PREFIX + caterer.public_code}
        ],
    }
    if ilmd:
        event["ilmd"] = ilmd
    return event


def _summary(shipment: Shipment) -> dict[str, object]:
    return {
        "supplier": shipment.supplier_business_id,
        "caterer": shipment.caterer_business_id,
        "product": shipment.product_name,
        "quantity": f"{shipment.quantity} {shipment.unit}",
        "lot": shipment.lot_id,
        "status": shipment.status.value,
        "received": str(shipment.received_quantity) if shipment.received_quantity else None,
        "ledger_line": shipment.ledger_line_id,
    }


# confirming ---------------------------------------------------------------------------------


def _check_answer(shipment: Shipment, answer: ShipmentConfirmIn) -> None:
    check = ProblemList()
    if answer.outcome is Outcome.PARTIAL:
        if answer.received_quantity is None:
            check.add("received_quantity", N_("give the quantity received"))
        elif answer.received_quantity >= shipment.quantity:
            check.add(
                "received_quantity",
                N_("a partial receipt is less than the {quantity} shipped"),
                quantity=f"{qty(shipment.quantity)} {shipment.unit}",
            )
    if answer.outcome is Outcome.REFUSED and not answer.reason:
        check.add("reason", N_("say why the goods were refused"))
    if answer.outcome is not Outcome.REFUSED:
        if not answer.appearance_ok and not answer.appearance_note:
            check.add("appearance_note", N_("say what was wrong with the goods' appearance"))
        if not answer.recorder_name:
            check.add("recorder_name", REQUIRED)
    if check.problems:
        raise ValidationFailed(check.problems)


def confirm_shipment(
    *,
    session: Session,
    actor: Principal,
    shipment_id: int,
    answer: ShipmentConfirmIn,
    now: datetime | None = None,
) -> Shipment:
    """The caterer's answer; a receipt records its ledger line (and receiving event).
    ``now``: the demo confirms past shipments."""
    shipment = repo.get_shipment(
        session, shipment_id=shipment_id, scope=_scope(actor), for_update=True
    )
    if shipment is None:
        raise NotFoundError(N_("No such shipment"))
    if not access.may_record(actor, shipment.caterer_business_id):
        raise ForbiddenError(
            N_("A shipment is confirmed by the owner, managers and staff of the receiving store.")
        )
    if shipment.status is not ShipmentStatus.PENDING:
        raise ConflictError(N_("This shipment has been answered already."))
    _check_answer(shipment, answer)
    before = _summary(shipment)
    now = now or utc_now()
    if answer.outcome is Outcome.REFUSED:
        shipment.status = ShipmentStatus.REFUSED
        shipment.refusal_reason = answer.reason
    else:
        received = shipment.quantity if answer.outcome is Outcome.FULL else answer.received_quantity
        assert received is not None
        shipment.received_quantity = received
        shipment.status = (
            ShipmentStatus.RECEIVED if answer.outcome is Outcome.FULL else ShipmentStatus.PARTIAL
        )
        shipment.ledger_line_id = _record_line(session, actor, shipment, answer, received, now)
    shipment.confirmed_at = now
    shipment.confirmed_by_id = actor.user_id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=f"shipment.{shipment.status.value}",
        entity_type="shipment",
        entity_id=shipment.id,
        before=before,
        after=_summary(shipment),
    )
    names = repo.business_names(
        session, [shipment.supplier_business_id, shipment.caterer_business_id]
    )
    shipments_messages.answered(
        session=session,
        shipment=shipment,
        supplier=names.get(shipment.supplier_business_id, ""),
        store=names.get(shipment.caterer_business_id, ""),
    )
    return shipment


def _record_line(
    session: Session,
    actor: Principal,
    shipment: Shipment,
    answer: ShipmentConfirmIn,
    received: object,
    now: datetime,
) -> int:
    supplier = catalog.add_registered_supplier(
        session=session, actor=actor, supplier_business_id=shipment.supplier_business_id
    )
    data = LedgerLineIn(
        purchase_date=to_local(now).date(),
        product_id=_lot_product_id(session, shipment),
        product_name=shipment.product_name,
        category=shipment.category,
        specification=shipment.specification,
        gtin=shipment.gtin,
        quantity=received,
        unit=shipment.unit,
        batch_number=shipment.batch_number,
        production_date=_not_after(shipment.production_date, to_local(now).date()),
        expiry_date=shipment.expiry_date,
        no_shelf_life=shipment.no_shelf_life,
        producer_name=shipment.producer_name or None,
        supplier_id=supplier.id,
        documents=shipment.documents,
        appearance_ok=answer.appearance_ok,
        appearance_note=answer.appearance_note,
        temperature_c=answer.temperature_c,
        recorder_name=answer.recorder_name,
        remarks=f"#S{shipment.id} {shipment.reference}".strip(),
    )
    # The bridge names the shipment's despatch advice on the receiving event.
    session.info[ledger_events.SHIPMENT_CONTEXT] = shipment.id
    try:
        line = service.record_line(
            session=session,
            actor=actor,
            business_id=shipment.caterer_business_id,
            data=data,
            now=now,
        )
    finally:
        session.info.pop(ledger_events.SHIPMENT_CONTEXT, None)
    return line.id


def _lot_product_id(session: Session, shipment: Shipment) -> int | None:
    if shipment.product_id is None:
        return None
    product = session.get(Product, shipment.product_id)
    return _lot_product(product)


def _not_after(day: date | None, limit: date) -> date | None:
    return day if day is None or day <= limit else limit


# reading ------------------------------------------------------------------------------------


def list_shipments(
    *, session: Session, actor: Principal, filters: repo.ShipmentFilter, page: PageRequest
) -> Page[Shipment]:
    rows, total = repo.page_shipments(
        session,
        scope=_scope(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def unconfirmed_filter(now: datetime | None = None) -> repo.ShipmentFilter:
    """The shipments flagged unconfirmed (the government list's and the big ledger's rule)."""
    return repo.ShipmentFilter(pending_before=(now or utc_now()) - timedelta(hours=confirm_hours()))


@dataclass(frozen=True)
class ShipmentFile:
    shipment: Shipment
    files: list[EvidenceFile]
    flags: list[str]
    supplier_name: str
    caterer_name: str
    may_confirm: bool


def shipment_file(*, session: Session, actor: Principal, shipment_id: int) -> ShipmentFile:
    shipment = repo.get_shipment(session, shipment_id=shipment_id, scope=_scope(actor))
    if shipment is None:
        raise NotFoundError(N_("No such shipment"))
    files = evidence.files_of(session, owner_type=OWNER, owner_ids=[shipment.id])
    names = repo.business_names(
        session, [shipment.supplier_business_id, shipment.caterer_business_id]
    )
    return ShipmentFile(
        shipment=shipment,
        files=files.get(shipment.id, []),
        flags=flags_of(shipment),
        supplier_name=names.get(shipment.supplier_business_id, ""),
        caterer_name=names.get(shipment.caterer_business_id, ""),
        may_confirm=shipment.status is ShipmentStatus.PENDING
        and access.may_record(actor, shipment.caterer_business_id),
    )


def names_of(*, session: Session, shipments: Sequence[Shipment]) -> dict[int, str]:
    ids = [s.supplier_business_id for s in shipments] + [s.caterer_business_id for s in shipments]
    return repo.business_names(session, ids)


def customers(*, session: Session, actor: Principal) -> list[Business]:
    """The caterers that list the actor's business as a supplier (the form's choices)."""
    business = enterprise_business(session=session, actor=actor)
    return list(repo.customers_of(session, business.id))


def evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    """A shipment's documents: for both businesses and the regulators over either."""
    found = repo.get_shipment(session, shipment_id=owner_id, scope=_scope(actor))
    return evidence.Access.ORIGINAL if found is not None else evidence.Access.NONE
