"""The bridge from the purchase ledger (进货查验记录) to the EPCIS event repository.

Registered in :data:`sunshine.ingredients.hooks.LISTENER_MODULES`: every recorded ledger
line becomes a receiving ObjectEvent captured for the caterer in the same transaction
(issue 5 conventions): action OBSERVE, bizStep ``receiving``, disposition ``in_progress``,
the lot class (:func:`lots.lot_id`) with the quantity, source owning party the supplier
(a registry business as ``urn:sunshine:party:{public_code}``, a supplier typed by the
caterer as ``urn:sunshine:supplier:{id}``), destination owning party the caterer, the
documents checked as business transactions (CBV 2.0 section 7.3 types) and the lot, expiry
and production date as ILMD (CBV master data attributes ``cbvmda:``).

A correction declares the corrected line's event wrong the EPCIS 2.0 way (section 7.4.1.4
ErrorDeclaration; unverified against the standard's text here, read from the OpenEPCIS
corpus's examples): a new event identical to the erroneous one, with the same eventID, and
an ``errorDeclaration`` (declarationTime, reason ``incorrect_data``, correctiveEventIDs the
correction's new receiving event).

The eventID of each event is its CBV 2.0 event hash, so a line captured twice stores one
event (idempotent) and its id is known before it is stored. The ids are kept per line in
``ledger_line_events``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from sunshine.audit.service import record as audit
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core.time import SHANGHAI, to_local, utc_now
from sunshine.ingredients import hooks
from sunshine.ingredients.enums import DocumentKind
from sunshine.ingredients.models import LedgerLine
from sunshine.traceability import ledger_events_repository as repo
from sunshine.traceability import lots
from sunshine.traceability.epcis.errors import EpcisValidationError
from sunshine.traceability.epcis.hashing import event_hash
from sunshine.traceability.epcis.parse import parse_event
from sunshine.traceability.epcis.repository import PARTY_PREFIX
from sunshine.traceability.epcis.service import stage, store
from sunshine.traceability.ledger_event_models import LedgerLineEvent

RECEIVING = "receiving"
ERROR_DECLARATION = "error_declaration"
SUPPLIER_PREFIX = "urn:sunshine:supplier:"
DOCUMENT_PREFIX = "urn:sunshine:document:ledger-line:"
SHIPMENT_PREFIX = "urn:sunshine:shipment:"
#: ``session.info`` key: the shipment whose confirmation is recording the line (set by the
#: shipments service around ``record_line``), so its receiving event names the despatch
#: advice the shipping event names.
SHIPMENT_CONTEXT = "sunshine.shipment_being_received"

#: Documents checked on receipt → CBV 2.0 BizTransactionType (section 7.3): the purchase
#: voucher is the invoice (``inv``), a test report of the batch a test procedure result
#: (``testprd``, issue 5 conventions). Licences and certificates are not transactions.
BIZ_TRANSACTION_TYPES: dict[DocumentKind, str] = {
    DocumentKind.VOUCHER: "inv",
    DocumentKind.TEST_REPORT: "testprd",
}
#: Units of the ledger → UN/ECE Recommendation 20 codes (EPCIS ``uom``); a unit that is
#: a count (只, 箱, 袋 ...) has no code: the quantity is then a count of that unit, with no uom.
UOM_CODES = {
    "kg": "KGM",
    "公斤": "KGM",
    "千克": "KGM",
    "g": "GRM",
    "克": "GRM",
    "斤": None,  # 500 g: no UN/ECE code; written as a count below
    "t": "TNE",
    "吨": "TNE",
    "L": "LTR",
    "l": "LTR",
    "升": "LTR",
    "mL": "MLT",
    "ml": "MLT",
    "毫升": "MLT",
}
OFFSET = "+08:00"  # Asia/Shanghai, the platform's time zone (no summer time)


def party_of_supplier(line: LedgerLine, public_codes: dict[int, str]) -> str:
    """The supplier of a line as an EPCIS party."""
    if line.supplier_business_id is not None and line.supplier_business_id in public_codes:
        return PARTY_PREFIX + public_codes[line.supplier_business_id]
    return f"{SUPPLIER_PREFIX}{line.supplier_id}"


def supplier_code(line: LedgerLine, public_codes: dict[int, str]) -> str:
    if line.supplier_business_id is not None and line.supplier_business_id in public_codes:
        return public_codes[line.supplier_business_id]
    return lots.external_supplier_code(line.supplier_id)


def lot_of_line(line: LedgerLine, public_codes: dict[int, str]) -> str:
    """The lot a line received (its batch, or its production date standing for one)."""
    batch = lots.batch_of(batch_number=line.batch_number, production_date=line.production_date)
    if batch is None:  # the ledger refuses such a line; an old row still gets an identity
        batch = f"line-{line.id}"
    return lots.lot_id(
        gtin=line.gtin,
        supplier_code=supplier_code(line, public_codes),
        product_id=line.product_id,
        batch=batch,
        product_name=line.product_name,
    )


def _event_time(line: LedgerLine) -> datetime:
    """When the goods were received: the recording time when it was the purchase day,
    else noon of the purchase day (a line entered later says the day, not the hour)."""
    if to_local(line.recorded_at).date() == line.purchase_date:
        return to_local(line.recorded_at)
    return datetime.combine(line.purchase_date, time(12, 0), tzinfo=SHANGHAI)


def _iso(moment: datetime) -> str:
    return to_local(moment).isoformat(timespec="milliseconds")


def _quantity(value: Decimal, unit: str) -> dict[str, Any]:
    code = UOM_CODES.get(unit.strip())
    element: dict[str, Any] = {"quantity": float(value)}
    if code:
        element["uom"] = code
    return element


def _ilmd(line: LedgerLine, batch: str | None) -> dict[str, Any]:
    ilmd: dict[str, Any] = {}
    if line.expiry_date is not None:
        ilmd["cbvmda:itemExpirationDate"] = line.expiry_date.isoformat()
    if batch:
        ilmd["cbvmda:lotNumber"] = batch
    if line.production_date is not None:
        # CBV 2.0 section 10.2: the production date is the ``productionDate`` attribute;
        # ``bestBeforeDate``-style dates are ISO dates.
        ilmd["cbvmda:productionDate"] = line.production_date.isoformat()
    return ilmd


def _transactions(line: LedgerLine, shipment_id: int | None) -> list[dict[str, str]]:
    out = [
        {"type": kind, "bizTransaction": f"{DOCUMENT_PREFIX}{line.id}:{doc.value}"}
        for doc, kind in BIZ_TRANSACTION_TYPES.items()
        if doc.value in (line.documents or [])
    ]
    if shipment_id is not None:
        out.append({"type": "desadv", "bizTransaction": f"{SHIPMENT_PREFIX}{shipment_id}"})
    return out


def receiving_event(
    line: LedgerLine, public_codes: dict[int, str], *, shipment_id: int | None = None
) -> dict[str, Any]:
    """The receiving ObjectEvent of a ledger line (before normalisation)."""
    batch = lots.batch_of(batch_number=line.batch_number, production_date=line.production_date)
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _iso(_event_time(line)),
        "eventTimeZoneOffset": OFFSET,
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "quantityList": [
            {"epcClass": lot_of_line(line, public_codes), **_quantity(line.quantity, line.unit)}
        ],
        "sourceList": [{"type": "owning_party", "source": party_of_supplier(line, public_codes)}],
        "destinationList": [
            {
                "type": "owning_party",
                "destination": PARTY_PREFIX + public_codes[line.business_id],
            }
        ],
    }
    transactions = _transactions(line, shipment_id)
    if transactions:
        event["bizTransactionList"] = transactions
    ilmd = _ilmd(line, batch)
    if ilmd:
        event["ilmd"] = ilmd
    return event


# capturing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    event_id: str
    event_hash: str
    new: bool


def capture_for(
    *, session: Session, actor: Principal, business_id: int, event: dict[str, Any]
) -> Stored:
    """Capture ``event`` for ``business_id`` through the repository's own checks, with the
    event hash as its eventID; an event already stored is not stored again."""
    parsed, problems = parse_event(event)
    if parsed is None:
        raise EpcisValidationError(problems)
    digest = event_hash(parsed.event, parsed.namespaces)
    parsed.hash = digest  # the eventID set next is not part of the hash: stage reuses it
    parsed.event.setdefault("eventID", digest)
    staged = stage(session, business_id=business_id, events=[parsed])
    fresh, _ = store(session, business_id=business_id, events=staged, capture_id=None)
    if not fresh:
        return Stored(event_id=str(parsed.event["eventID"]), event_hash=digest, new=False)
    stored = fresh[0]
    audit(
        session=session,
        actor=actor,
        action="epcis.capture_event",
        entity_type="epcis_event",
        entity_id=digest.split(";", 1)[1][:64],
        after={"event_id": stored.event_id, "hash": digest, "type": stored.event_type},
    )
    return Stored(event_id=stored.event_id, event_hash=digest, new=True)


def error_declaration(original: dict[str, Any], *, corrective: str, at: datetime) -> dict[str, Any]:
    """The error declaration of ``original`` (a stored event's document): the same event,
    same eventID, declared wrong because of incorrect data and corrected by ``corrective``."""
    event = {k: v for k, v in original.items() if k not in ("recordTime", "errorDeclaration")}
    event["errorDeclaration"] = {
        "declarationTime": _iso(at),
        "reason": "incorrect_data",
        "correctiveEventIDs": [corrective],
    }
    return event


def _link(session: Session, line: LedgerLine, role: str, stored: Stored, lot: str) -> None:
    repo.add_link(
        session,
        LedgerLineEvent(
            ledger_line_id=line.id,
            role=role,
            event_id=stored.event_id,
            event_hash=stored.event_hash,
            lot_id=lot,
        ),
    )


def capture_line(
    *, session: Session, actor: Principal, line: LedgerLine, corrected: LedgerLine | None = None
) -> Stored:
    """The receiving event of ``line`` (and, for a correction, the error declaration of
    the corrected line's event), captured for the caterer and linked to the lines."""
    codes = repo.public_codes(
        session,
        {line.business_id, *([line.supplier_business_id] if line.supplier_business_id else [])},
    )
    existing = repo.link_of(session, line.id, RECEIVING)
    shipment_id = session.info.get(SHIPMENT_CONTEXT)
    lot = lot_of_line(line, codes)
    if existing is not None:
        stored = Stored(existing.event_id, existing.event_hash, new=False)
    else:
        event = receiving_event(line, codes, shipment_id=shipment_id)
        stored = capture_for(
            session=session, actor=actor, business_id=line.business_id, event=event
        )
        _link(session, line, RECEIVING, stored, lot)
    if corrected is not None:
        declare_corrected(session=session, actor=actor, old=corrected, corrective=stored.event_id)
    return stored


def declare_corrected(
    *, session: Session, actor: Principal, old: LedgerLine, corrective: str
) -> Stored | None:
    """Declare the receiving event of ``old`` wrong (once); None if it has no event."""
    if repo.link_of(session, old.id, ERROR_DECLARATION) is not None:
        return None
    original = repo.link_of(session, old.id, RECEIVING)
    if original is None:
        return None
    row = repo.event_by_hash(session, original.event_hash)
    if row is None:
        return None
    event = error_declaration(row.document, corrective=corrective, at=utc_now())
    stored = capture_for(session=session, actor=actor, business_id=old.business_id, event=event)
    _link(session, old, ERROR_DECLARATION, stored, original.lot_id)
    return stored


@hooks.listen
def on_line_recorded(
    session: Session, actor: Principal, line: LedgerLine, corrected: LedgerLine | None
) -> None:
    capture_line(session=session, actor=actor, line=line, corrected=corrected)


# reading and backfill ----------------------------------------------------------------------


def events_of_line(*, session: Session, line_id: int) -> dict[str, str]:
    """``role -> eventID`` of a line (the caller has checked the line is visible)."""
    return {link.role: link.event_id for link in repo.links_of(session, line_id)}


def lot_of(*, session: Session, line_id: int) -> str | None:
    found = repo.link_of(session, line_id, RECEIVING)
    return found.lot_id if found else None


def _unlinked(session: Session, batch: int) -> Iterator[LedgerLine]:
    after = 0
    while True:
        rows = repo.lines_without_event(session, after=after, limit=batch)
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def backfill(*, session: Session, actor: Principal = SYSTEM, batch: int = 500) -> int:
    """Capture the events of every line that has none (lines recorded before the bridge,
    an imported database), oldest first so a correction finds its old line's event.
    Returns how many lines got their event."""
    count = 0
    for line in _unlinked(session, batch):
        corrected = repo.line(session, line.corrects_id) if line.corrects_id else None
        capture_line(session=session, actor=actor, line=line, corrected=corrected)
        count += 1
    # Old lines corrected before the bridge: their correction was linked first only when
    # it came later in id order, which is always the case (a correction is a new row).
    return count
