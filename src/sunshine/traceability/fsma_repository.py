"""Queries of the FSMA 204 spreadsheet's transformation sheet: TransformationEvents of the
EPCIS repository read in keyset pages, with their inputs, outputs and business
transactions, and the names of the products their lots stand for."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, null, or_, select, union_all
from sqlalchemy.orm import Session

from sunshine.ingredients.models import Product
from sunshine.registry.models import Business
from sunshine.traceability.epcis.models import (
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventQuantity,
)

TRANSFORMATION = "TransformationEvent"
#: Identifiers per ``IN`` list: within SQLite's bound-parameter limit.
CHUNK = 1000


@dataclass(frozen=True)
class Side:
    """One input or output of an event: a lot class with its quantity, or an instance."""

    role: str  # "input" or "output"
    identifier: str
    quantity: float | None  # None: an instance, or a class whose quantity was not given
    uom: str | None
    instance: bool = False


def _names_any(identifiers: Collection[str]) -> ColumnElement[bool]:
    """The event names one of ``identifiers`` as an input or an output."""
    wanted = sorted(identifiers)
    return or_(
        exists(
            select(EpcisEventQuantity.id).where(
                EpcisEventQuantity.event_pk == EpcisEvent.id,
                EpcisEventQuantity.epc_class.in_(wanted),
                EpcisEventQuantity.role.in_(("input", "output")),
            )
        ),
        exists(
            select(EpcisEventEpc.event_pk).where(
                EpcisEventEpc.event_pk == EpcisEvent.id,
                EpcisEventEpc.epc.in_(wanted),
                EpcisEventEpc.role.in_(("input", "output")),
            )
        ),
    )


def stream_transformations(
    session: Session,
    *,
    scope: ColumnElement[bool],
    start: datetime | None,
    end: datetime | None,
    identifiers: Collection[str] = (),
    page: int = 500,
) -> Iterator[list[Any]]:
    """Pages of TransformationEvents in ``scope`` (a condition on ``EpcisEvent``) that
    ended in ``[start, end)`` (and, given ``identifiers``, name one of them), in the order
    stored. Rows: ``id, event_id, event_time, business_id, biz_location``."""
    stmt = select(
        EpcisEvent.id,
        EpcisEvent.event_id,
        EpcisEvent.event_time,
        EpcisEvent.business_id,
        EpcisEvent.biz_location,
    ).where(EpcisEvent.event_type == TRANSFORMATION, scope)
    if start is not None:
        stmt = stmt.where(EpcisEvent.event_time >= start)
    if end is not None:
        stmt = stmt.where(EpcisEvent.event_time < end)
    if identifiers:
        stmt = stmt.where(_names_any(identifiers))
    last = 0
    while True:
        rows = list(
            session.execute(stmt.where(EpcisEvent.id > last).order_by(EpcisEvent.id).limit(page))
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def sides(session: Session, event_pks: Sequence[int]) -> dict[int, list[Side]]:
    """Inputs and outputs of these events: quantities by class and instances."""
    out: dict[int, list[Side]] = {pk: [] for pk in event_pks}
    if not event_pks:
        return out
    roles = ("input", "output")
    rows: list[Any] = list(
        session.execute(
            union_all(
                select(
                    EpcisEventQuantity.event_pk,
                    EpcisEventQuantity.role,
                    EpcisEventQuantity.epc_class,
                    EpcisEventQuantity.quantity,
                    EpcisEventQuantity.uom,
                    EpcisEventQuantity.id.label("n"),
                ).where(
                    EpcisEventQuantity.event_pk.in_(list(event_pks)),
                    EpcisEventQuantity.role.in_(roles),
                ),
                select(
                    EpcisEventEpc.event_pk,
                    EpcisEventEpc.role,
                    EpcisEventEpc.epc,
                    null(),
                    null(),
                    null(),
                ).where(EpcisEventEpc.event_pk.in_(list(event_pks)), EpcisEventEpc.role.in_(roles)),
            )
        )
    )
    # Quantities in the order captured (their own key), then instances by identifier.
    ordered = sorted(rows, key=lambda r: (r[5] is None, r[5] or 0, r[2]))
    for pk, role, identifier, quantity, uom, n in ordered:
        out[pk].append(Side(role, identifier, quantity, uom, instance=n is None))
    return out


def biz_transactions(
    session: Session, event_pks: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    """``(type, value)`` of each event's business transactions."""
    out: dict[int, list[tuple[str, str]]] = {}
    if not event_pks:
        return out
    rows = session.execute(
        select(
            EpcisEventBizTransaction.event_pk,
            EpcisEventBizTransaction.type,
            EpcisEventBizTransaction.biz_transaction,
        )
        .where(EpcisEventBizTransaction.event_pk.in_(list(event_pks)))
        .order_by(EpcisEventBizTransaction.event_pk, EpcisEventBizTransaction.biz_transaction)
    )
    for pk, kind, value in rows:
        out.setdefault(pk, []).append((kind, value))
    return out


def locations(session: Session, ids: Collection[int]) -> dict[int, tuple[str, str, str]]:
    """Name, address and phone of each business."""
    if not ids:
        return {}
    rows = session.execute(
        select(Business.id, Business.name, Business.address, Business.contact_phone).where(
            Business.id.in_(sorted(ids))
        )
    )
    return {business_id: (name, address, phone) for business_id, name, address, phone in rows}


def product_names(
    session: Session, *, ids: Collection[int], gtins: Collection[str]
) -> tuple[dict[int, str], dict[str, str]]:
    """Library names (and specifications) of products by id and by 14-digit GTIN (the
    library keeps GTINs in that form; the earliest product of a GTIN wins)."""
    by_id: dict[int, str] = {}
    by_gtin: dict[str, str] = {}
    if ids:
        named = session.execute(
            select(Product.id, Product.name, Product.specification).where(
                Product.id.in_(sorted(ids))
            )
        )
        by_id = {pid: f"{name} {spec}".strip() for pid, name, spec in named}
    if gtins:
        rows = session.execute(
            select(Product.gtin, Product.name, Product.specification)
            .where(Product.gtin.in_(sorted({g.zfill(14) for g in gtins})))
            .order_by(Product.id.desc())
        )
        for gtin, name, spec in rows:
            if gtin:
                by_gtin[gtin.zfill(14)] = f"{name} {spec}".strip()
    return by_id, by_gtin
