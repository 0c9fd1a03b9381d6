"""Every query of the trace (溯源): a hop is a handful of index range scans.

The EPCIS index tables are keyed identifier first (``epcis_event_quantities (epc_class,
role, event_pk)``, ``epcis_event_epcs (epc, role, event_pk)``, ``epcis_event_parties (value,
direction, type, event_pk)``) or event first (their primary keys), so each function below
reads only the rows of the lots (or the party) it is asked about, whatever the size of the
ledger: each statement starts from an ``IN`` list of identifiers or of event ids and is an
index scan over a few dozen rows (never a join the planner could answer by reading a whole
table: on a 10-million-event ledger that is seconds). A lot's movements come with their
source and destination and whether their eventID is stored twice (an error declaration),
so one statement reads all the trace needs of them. The functions take plain values and
return plain rows so that a benchmark can call them directly (``bench/``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, null, select, union_all
from sqlalchemy.orm import Session, aliased

from sunshine.ingredients.models import LedgerLine, Supplier
from sunshine.registry.models import Business
from sunshine.traceability.epcis.models import (
    BusinessGs1Identifier,
    EpcisEvent,
    EpcisEventEpc,
    EpcisEventParty,
    EpcisEventQuantity,
    EpcisEventViewer,
)
from sunshine.traceability.epcis.repository import PARTY_PREFIX

#: Identifiers per ``IN`` list: SQLite's bound-parameter limit, with room to spare.
CHUNK = 1000
#: Party types that say who holds the goods, best first (CBV 2.0 source/destination types).
PARTY_TYPES = ("owning_party", "possessing_party")


@dataclass(frozen=True)
class Movement:
    """One identifier an ObjectEvent moved (a lot class with its quantity, or an instance),
    with the event's source and destination party (``PARTY_TYPES``, best first) and whether
    another stored event has its eventID (an error declaration may have withdrawn it)."""

    event_pk: int
    event_id: str
    event_time: datetime
    biz_step: str | None
    business_id: int
    identifier: str
    quantity: float | None
    uom: str | None
    source: str | None = None
    destination: str | None = None
    recorded_twice: bool = False


@dataclass(frozen=True)
class Transformation:
    """One input → output pair of a TransformationEvent, where it happened (the capturer)."""

    event_pk: int
    event_id: str
    event_time: datetime
    business_id: int
    input: str
    output: str
    quantity: float | None  # of the output
    uom: str | None


def _chunks(values: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _party(direction: str) -> Any:
    """The event's ``direction`` party of the best type (a correlated scalar subquery:
    the parties' primary key starts with the event)."""
    return (
        select(EpcisEventParty.value)
        .where(
            EpcisEventParty.event_pk == EpcisEvent.id,
            EpcisEventParty.direction == direction,
            EpcisEventParty.type.in_(PARTY_TYPES),
        )
        .order_by(
            case(*((EpcisEventParty.type == kind, rank) for rank, kind in enumerate(PARTY_TYPES))),
            EpcisEventParty.value,
        )
        .limit(1)
        .scalar_subquery()
    )


def _recorded_twice() -> Any:
    other = aliased(EpcisEvent)
    return exists(
        select(other.id).where(other.event_id == EpcisEvent.event_id, other.id != EpcisEvent.id)
    )


def movements(session: Session, identifiers: Collection[str]) -> list[Movement]:
    """ObjectEvents that name any of ``identifiers``: in a quantity list (lot classes) or
    in an EPC list (instances, pallets); each with its source, destination and whether
    its eventID is stored twice."""
    out: list[Movement] = []
    ends = (
        _party("source").label("source"),
        _party("destination").label("destination"),
        _recorded_twice().label("recorded_twice"),
    )
    for part in _chunks(identifiers):
        by_class = (
            select(
                EpcisEvent.id,
                EpcisEvent.event_id,
                EpcisEvent.event_time,
                EpcisEvent.biz_step,
                EpcisEvent.business_id,
                EpcisEventQuantity.epc_class.label("identifier"),
                EpcisEventQuantity.quantity,
                EpcisEventQuantity.uom,
                *ends,
            )
            .join(EpcisEvent, EpcisEvent.id == EpcisEventQuantity.event_pk)
            .where(
                EpcisEventQuantity.epc_class.in_(part),
                EpcisEventQuantity.role == "quantity",
                EpcisEvent.event_type == "ObjectEvent",
            )
        )
        by_epc = (
            select(
                EpcisEvent.id,
                EpcisEvent.event_id,
                EpcisEvent.event_time,
                EpcisEvent.biz_step,
                EpcisEvent.business_id,
                EpcisEventEpc.epc.label("identifier"),
                null().label("quantity"),
                null().label("uom"),
                *ends,
            )
            .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_pk)
            .where(
                EpcisEventEpc.epc.in_(part),
                EpcisEventEpc.role == "epc",
                EpcisEvent.event_type == "ObjectEvent",
            )
        )
        rows: list[Any] = list(session.execute(union_all(by_class, by_epc)))
        out += [
            Movement(
                event_pk=row.id,
                event_id=row.event_id,
                event_time=row.event_time,
                biz_step=row.biz_step,
                business_id=row.business_id,
                identifier=row.identifier,
                quantity=row.quantity,
                uom=row.uom,
                source=row.source,
                destination=row.destination,
                recorded_twice=bool(row.recorded_twice),
            )
            for row in rows
        ]
    return out


def _transformation_rows(
    session: Session, identifiers: Collection[str], *, by: str
) -> list[Transformation]:
    """Pairs of TransformationEvents whose ``by`` side (``input`` or ``output``) names one
    of ``identifiers``; classes and instances both. Two statements, each from an ``IN``
    list: the events naming the identifiers, then the other side of those events only."""
    other = "output" if by == "input" else "input"
    out: list[Transformation] = []
    for part in _chunks(identifiers):
        near = union_all(
            select(
                EpcisEventQuantity.event_pk.label("pk"), EpcisEventQuantity.epc_class.label("value")
            ).where(EpcisEventQuantity.epc_class.in_(part), EpcisEventQuantity.role == by),
            select(EpcisEventEpc.event_pk.label("pk"), EpcisEventEpc.epc.label("value")).where(
                EpcisEventEpc.epc.in_(part), EpcisEventEpc.role == by
            ),
        ).subquery()
        events: dict[int, tuple[str, datetime, int, list[str]]] = {}
        for pk, event_id, moment, business_id, value in session.execute(
            select(
                EpcisEvent.id,
                EpcisEvent.event_id,
                EpcisEvent.event_time,
                EpcisEvent.business_id,
                near.c.value,
            )
            .join(EpcisEvent, EpcisEvent.id == near.c.pk)
            .where(EpcisEvent.event_type == "TransformationEvent")
        ):
            events.setdefault(pk, (event_id, moment, business_id, []))[3].append(value)
        if not events:
            continue
        pks = sorted(events)
        far: Iterable[Any] = session.execute(
            union_all(
                select(
                    EpcisEventQuantity.event_pk,
                    EpcisEventQuantity.epc_class,
                    EpcisEventQuantity.quantity,
                    EpcisEventQuantity.uom,
                ).where(EpcisEventQuantity.event_pk.in_(pks), EpcisEventQuantity.role == other),
                select(EpcisEventEpc.event_pk, EpcisEventEpc.epc, null(), null()).where(
                    EpcisEventEpc.event_pk.in_(pks), EpcisEventEpc.role == other
                ),
            )
        )
        for pk, remote, quantity, uom in far:
            event_id, moment, business_id, nears = events[pk]
            for value in nears:
                source, target = (value, remote) if by == "input" else (remote, value)
                out.append(
                    Transformation(pk, event_id, moment, business_id, source, target, quantity, uom)
                )
    return out


def transformations_from(session: Session, inputs: Collection[str]) -> list[Transformation]:
    """What the ``inputs`` were made into (forward)."""
    return _transformation_rows(session, inputs, by="input")


def transformations_into(session: Session, outputs: Collection[str]) -> list[Transformation]:
    """What the ``outputs`` were made of (backward)."""
    return _transformation_rows(session, outputs, by="output")


def aggregation_parents(session: Session, children: Collection[str]) -> list[tuple[str, str]]:
    """``(child, parent)`` of AggregationEvents that packed a child into a parent (a case,
    a pallet's SSCC): the parent's movements carry the child."""
    out: list[tuple[str, str]] = []
    for part in _chunks(children):
        child = union_all(
            select(
                EpcisEventQuantity.event_pk.label("pk"), EpcisEventQuantity.epc_class.label("v")
            ).where(EpcisEventQuantity.epc_class.in_(part), EpcisEventQuantity.role == "child"),
            select(EpcisEventEpc.event_pk.label("pk"), EpcisEventEpc.epc.label("v")).where(
                EpcisEventEpc.epc.in_(part), EpcisEventEpc.role == "child"
            ),
        ).subquery()
        parent = aliased(EpcisEventEpc)
        rows = session.execute(
            select(child.c.v, parent.epc)
            .join(EpcisEvent, EpcisEvent.id == child.c.pk)
            .join(parent, and_(parent.event_pk == child.c.pk, parent.role == "parent"))
            .where(EpcisEvent.event_type == "AggregationEvent", EpcisEvent.action == "ADD")
            .distinct()
        )
        out += [(c, p) for c, p in rows]
    return out


def withdrawn_event_ids(session: Session, event_ids: Collection[str]) -> set[str]:
    """Which of these eventIDs an error declaration withdrew (the declaration is stored as
    a second copy of the event carrying ``errorDeclaration``: only ids stored twice are
    read further)."""
    withdrawn: set[str] = set()
    for part in _chunks(event_ids):
        twice = list(
            session.scalars(
                select(EpcisEvent.event_id)
                .where(EpcisEvent.event_id.in_(part))
                .group_by(EpcisEvent.event_id)
                .having(func.count() > 1)
            )
        )
        if not twice:
            continue
        for event_id, document in session.execute(
            select(EpcisEvent.event_id, EpcisEvent.document).where(EpcisEvent.event_id.in_(twice))
        ):
            if "errorDeclaration" in document:
                withdrawn.add(event_id)
    return withdrawn


def party_events(
    session: Session,
    *,
    values: Collection[str],
    direction: str,
    start: datetime | None,
    end: datetime | None,
) -> list[int]:
    """Events naming one of a business's party identifiers as ``direction`` in a period."""
    conditions: list[ColumnElement[bool]] = [
        EpcisEventParty.value.in_(sorted(values)),
        EpcisEventParty.direction == direction,
        EpcisEventParty.type.in_(PARTY_TYPES),
        EpcisEvent.event_type == "ObjectEvent",
    ]
    if start is not None:
        conditions.append(EpcisEvent.event_time >= start)
    if end is not None:
        conditions.append(EpcisEvent.event_time < end)
    return list(
        session.scalars(
            select(EpcisEventParty.event_pk)
            .join(EpcisEvent, EpcisEvent.id == EpcisEventParty.event_pk)
            .where(*conditions)
            .distinct()
        )
    )


def event_identifiers(session: Session, event_pks: Sequence[int]) -> list[tuple[int, str]]:
    """The lot classes and EPCs these ObjectEvents moved."""
    out: list[tuple[int, str]] = []
    for start in range(0, len(event_pks), CHUNK):
        part = list(event_pks[start : start + CHUNK])
        rows = session.execute(
            union_all(
                select(EpcisEventQuantity.event_pk, EpcisEventQuantity.epc_class).where(
                    EpcisEventQuantity.event_pk.in_(part), EpcisEventQuantity.role == "quantity"
                ),
                select(EpcisEventEpc.event_pk, EpcisEventEpc.epc).where(
                    EpcisEventEpc.event_pk.in_(part), EpcisEventEpc.role == "epc"
                ),
            )
        )
        out += [(pk, value) for pk, value in rows]
    return out


def party_values_of(session: Session, business_id: int) -> set[str]:
    """Every identifier naming the business as a party: its platform URN and its PGLNs."""
    code = session.scalar(select(Business.public_code).where(Business.id == business_id))
    values = {f"{PARTY_PREFIX}{code}"} if code else set()
    values.update(
        session.scalars(
            select(BusinessGs1Identifier.identifier).where(
                BusinessGs1Identifier.business_id == business_id
            )
        )
    )
    return values


def businesses(session: Session, ids: Collection[int]) -> list[Business]:
    if not ids:
        return []
    return list(session.scalars(select(Business).where(Business.id.in_(sorted(ids)))))


def businesses_in_scope(
    session: Session, ids: Collection[int], scope: ColumnElement[bool]
) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(Business.id).where(Business.id.in_(sorted(ids)), scope)))


def visible_event_pks(
    session: Session, event_pks: Collection[int], scope: ColumnElement[bool]
) -> set[int]:
    """Which of these events a business principal may see (``scope`` over ``Business``)."""
    if not event_pks:
        return set()
    return set(
        session.scalars(
            select(EpcisEventViewer.event_pk).where(
                EpcisEventViewer.event_pk.in_(sorted(event_pks)),
                EpcisEventViewer.business_id.in_(select(Business.id).where(scope)),
            )
        )
    )


def ledger_line(session: Session, line_id: int) -> LedgerLine | None:
    return session.get(LedgerLine, line_id)


def supplier_code_of(session: Session, supplier_id: int) -> str | None:
    """The registry public code of a supplier record's business (None when external)."""
    return session.scalar(
        select(Business.public_code)
        .join(Supplier, Supplier.supplier_business_id == Business.id)
        .where(Supplier.id == supplier_id)
    )


def business_by_code(session: Session, code: str) -> Business | None:
    return session.scalars(
        select(Business).where(Business.public_code == code.strip().upper())
    ).first()


def ledger_lines_of_batch(
    session: Session, *, business_id: int, batch: str, product_name: str
) -> list[LedgerLine]:
    """Current ledger lines of a business naming this batch; the product name compared
    loosely (a sample's name and the ledger's may differ in spacing or brand)."""
    rows = session.scalars(
        select(LedgerLine).where(
            LedgerLine.business_id == business_id,
            LedgerLine.batch_number == batch,
            LedgerLine.corrected_by_id.is_(None),
        )
    )
    wanted = product_name.replace(" ", "")
    return [
        line
        for line in rows
        if not wanted
        or wanted in line.product_name.replace(" ", "")
        or line.product_name.replace(" ", "") in wanted
    ]
