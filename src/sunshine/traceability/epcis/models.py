"""Tables of the EPCIS event repository (EPCIS 事件库).

One row per event (``epcis_events``) holds what every query filters or sorts on and the
normalised event JSON; the lists an event carries are indexed in narrow tables keyed by
the identifier first, so a query or a trace hop is an index range scan however many events
there are (10 million and more): identifiers by role, quantities by class, business
transactions, sources and destinations, and the businesses that may see the event.
Rows are only ever inserted (an event is never updated: a correction is a new event with an
error declaration), which keeps bulk capture to plain multi-row INSERTs (COPY on PostgreSQL).

Bulk capture is the hot path, so the index tables carry no foreign keys: PostgreSQL checks a
foreign key with a trigger that locks the parent row, once per inserted row, which cost about a
third of the database's time per event (bench/epcis_capture.py). They are written only by
``repository.insert_events`` and ``repository.store_rendered``, in the same transaction as
their event, which is what keeps them consistent. For the same reason ``epcis_events`` keeps
the capturing business and the capture id as plain references (the business comes from the
capturing principal), and the indexes on read point and business location leave out the
events that have none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from sunshine.core.db import Base
from sunshine.core.time import utc_now

#: A 64-bit key on PostgreSQL; SQLite makes only INTEGER PRIMARY KEY an alias of its rowid.
BigKey = BigInteger().with_variant(Integer, "sqlite")


def _identifier(length: int) -> TypeEngine[str]:
    """Text that names something (an identifier, a URI, a hash, a CBV value), compared byte
    by byte: on PostgreSQL with the "C" collation (migration 0021e), as SQLite always does.
    A database's own collation (en_US, zh_CN) would order identifiers by language rules, which
    mean nothing for them, at several times the cost of each index comparison: bulk capture
    writes some twenty index entries per event."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class EpcisCapture(Base):
    """One capture job: a document accepted for asynchronous storage (EPCIS 2.0 8.2.4)."""

    __tablename__ = "epcis_captures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12))
    error_behaviour: Mapped[str] = mapped_column(String(10))
    event_count: Mapped[int] = mapped_column(default=0)
    stored_count: Mapped[int] = mapped_column(default=0)
    duplicate_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The checked events waiting for the job, staged as they will be stored
    #: (``repository.render``: the COPY text of their rows on PostgreSQL, a JSON array of
    #: ``StagedEvent`` arrays elsewhere); emptied once stored.
    #: Deferred: the job reads it alone, and nothing else needs it.
    staged: Mapped[str | None] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None]


class EpcisEvent(Base):
    """One EPCIS event as captured, normalised (see ``parse.py``)."""

    __tablename__ = "epcis_events"
    __table_args__ = (
        Index("ix_epcis_events_event_time_id", "event_time", "id"),
        Index("ix_epcis_events_record_time_id", "record_time", "id"),
        Index("ix_epcis_events_biz_step_event_time", "biz_step", "event_time"),
        Index(
            "ix_epcis_events_biz_location_event_time",
            "biz_location",
            "event_time",
            postgresql_where=text("biz_location IS NOT NULL"),
            sqlite_where=text("biz_location IS NOT NULL"),
        ),
        # The FSMA export's transformation sheet reads these few among millions.
        Index(
            "ix_epcis_events_transformations",
            "event_time",
            "id",
            postgresql_where=text("event_type = 'TransformationEvent'"),
            sqlite_where=text("event_type = 'TransformationEvent'"),
        ),
        Index(
            "ix_epcis_events_read_point_event_time",
            "read_point",
            "event_time",
            postgresql_where=text("read_point IS NOT NULL"),
            sqlite_where=text("read_point IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    event_id: Mapped[str] = mapped_column(_identifier(512), index=True)
    event_hash: Mapped[str] = mapped_column(_identifier(100), unique=True)
    event_type: Mapped[str] = mapped_column(String(24))
    event_time: Mapped[datetime]
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[datetime]
    action: Mapped[str | None] = mapped_column(String(8))
    biz_step: Mapped[str | None] = mapped_column(_identifier(255))
    disposition: Mapped[str | None] = mapped_column(String(255))
    read_point: Mapped[str | None] = mapped_column(_identifier(512))
    biz_location: Mapped[str | None] = mapped_column(_identifier(512))
    #: The business that captured the event (``businesses.id``; a plain reference like the
    #: index tables' keys: see the module docstring).
    business_id: Mapped[int]
    #: The capture that stored the event (``epcis_captures.id``), None for a single event.
    capture_id: Mapped[str | None] = mapped_column(String(36))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class EpcisEventEpc(Base):
    """An identifier an event names, by role: ``epc`` (epcList), ``parent``, ``child``,
    ``input``, ``output``."""

    __tablename__ = "epcis_event_epcs"
    __table_args__ = (Index("ix_epcis_event_epcs_epc_role", "epc", "role", "event_pk"),)

    event_pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    role: Mapped[str] = mapped_column(_identifier(8), primary_key=True)
    epc: Mapped[str] = mapped_column(_identifier(512), primary_key=True)


class EpcisEventQuantity(Base):
    """A quantity element: ``quantity``, ``child``, ``input`` or ``output`` list."""

    __tablename__ = "epcis_event_quantities"
    __table_args__ = (
        Index("ix_epcis_event_quantities_class_role", "epc_class", "role", "event_pk"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    event_pk: Mapped[int] = mapped_column(BigKey, index=True)
    role: Mapped[str] = mapped_column(_identifier(8))
    epc_class: Mapped[str] = mapped_column(_identifier(512))
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(8))


class EpcisEventBizTransaction(Base):
    """A business transaction of an event (type ``""`` when none was given)."""

    __tablename__ = "epcis_event_biz_transactions"
    __table_args__ = (
        Index("ix_epcis_event_biz_transactions_value", "biz_transaction", "type", "event_pk"),
    )

    event_pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    type: Mapped[str] = mapped_column(_identifier(255), primary_key=True)
    biz_transaction: Mapped[str] = mapped_column(_identifier(512), primary_key=True)


class EpcisEventParty(Base):
    """A source or destination of an event (``direction`` is ``source`` or ``destination``)."""

    __tablename__ = "epcis_event_parties"
    __table_args__ = (
        Index("ix_epcis_event_parties_value", "value", "direction", "type", "event_pk"),
    )

    event_pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    direction: Mapped[str] = mapped_column(_identifier(12), primary_key=True)
    type: Mapped[str] = mapped_column(_identifier(255), primary_key=True)
    value: Mapped[str] = mapped_column(_identifier(512), primary_key=True)


class EpcisEventViewer(Base):
    """A business that may see an event: the one that captured it, and those it names as
    source or destination (resolved through ``epcis_business_identifiers`` at capture)."""

    __tablename__ = "epcis_event_viewers"
    __table_args__ = (Index("ix_epcis_event_viewers_business", "business_id", "event_pk"),)

    event_pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    business_id: Mapped[int] = mapped_column(primary_key=True)


class BusinessGs1Identifier(Base):
    """A GS1 identifier a business owns (its PGLN as a party, its SGLNs as locations),
    stored as a canonical Digital Link. Every business is also the party
    ``urn:sunshine:party:{public_code}`` without a row here (see ``access.py``)."""

    __tablename__ = "epcis_business_identifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    identifier: Mapped[str] = mapped_column(String(512), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
