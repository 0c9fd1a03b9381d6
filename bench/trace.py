"""Benchmark: trace a lot back and forward across three tiers on a 10-million-event ledger
(issue 5 §9; target: p95 at most 100 ms, PostgreSQL).

Prepares its own database (migrations and a demo province of 20,000 businesses, once), then
builds a year of a supply network's EPCIS events, once (resumable), until the repository
holds exactly ``--events`` events (10,000,000, the demo's own few hundred included):

- producers (食品生产企业) make lots of their products (each producer its own GTINs; a lot is
  the LGTIN ``https://id.gs1.org/01/{gtin}/10/{batch}``) and ship each lot to one to four
  of their wholesalers; each wholesaler passes it on to 3 to 20 of its customers over the
  next days (caterers, mostly of its own city, and central kitchens, which buy most);
- central kitchens (中央厨房) turn what they received in the last days into dishes each
  morning (a TransformationEvent: input lots → one output lot, the platform's private lot
  of the kitchen) and deliver each dish lot to their outlets (a chain's outlets, or the
  canteens of their county);
- market vendors sell loose vegetables, meat and eggs (private lots of vendor + product +
  day) to their caterers, who record the purchase.

Every movement is the supplier's shipping event (its shipment, 80 % of them: the rest were
ordered off the platform) and the receiver's receiving event (its ledger line, 97 %: some
shipments are never confirmed; 3 % are partial). The ObjectEvents are made by the product's
own builders (``shipments.shipping_event``, ``ledger_events.receiving_event``) from
stand-ins of the shipment and the ledger line, hashed by the product's CBV 2.0 event hash
(which is their eventID, as ``ledger_events.capture_for`` stores them); the kitchens'
TransformationEvents are what a kitchen's system posts to ``/epcis/events``. Capturing 10
million events through the service would take hours, so the rows the capture writes (the
event with its normalised JSON, its quantities, business transactions, parties and
viewers) are written with COPY in event-time order, a day at a time, by a generator thread
while the main thread copies; the tables' indexes and constraints (as the migrations made
them) are dropped during the load and rebuilt after it, and the tables vacuumed and
analysed. The build records its progress in ``bench_trace_state`` and resumes after the
last day it committed. Before measuring, the benchmark checks that what it wrote is what the
product writes: for an event of each kind it deletes the written event, captures the same
event through the product (``ledger_events.capture_for``, ``epcis.capture_event``) and
compares every column and index row (then rolls back); and for a sample of events it
re-parses and re-hashes the stored document.

Then it measures the product's trace (``trace.trace``, what ``/gov/trace`` runs, then the
table and the drawing the page shows) from lots at each tier, backward and forward, depth 3
(the page's default: producer → wholesaler → kitchen → outlet is three hops): a lot at its
producer, at a wholesaler, at a caterer, at a central kitchen, a dish lot at an outlet, and
a bare lot both ways (a regulator typing an LGTIN); ``--per-tier`` random starting points of
each, for the provincial bureau's leader (``leader``) and for a county bureau's inspector
(``inspector_a``, starting points held in that county), each trace in its own session, all
run once to warm up and then timed. Writes bench/results/trace-postgresql.json.

    python bench/trace.py                 # build (once) and measure
    python bench/trace.py --per-tier 60
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import psycopg
from _common import PG_URL, RESULTS, ROOT, env_for, machine, prepare_database
from sqlalchemy import select, text

from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core.db import unit_of_work
from sunshine.core.time import SHANGHAI
from sunshine.ingredients import shipments
from sunshine.ingredients.models import Product
from sunshine.registry.models import Business
from sunshine.traceability import ledger_events, trace, trace_views
from sunshine.traceability.epcis import service as epcis
from sunshine.traceability.epcis.hashing import event_hash
from sunshine.traceability.epcis.identifiers import check_digit
from sunshine.traceability.epcis.parse import parse_event
from sunshine.traceability.epcis.repository import PARTY_PREFIX
from sunshine.traceability.lots import lot_id

DATABASE = "sunshine_bench_trace"
BUSINESSES = 20_000
EVENTS = 10_000_000
FIRST_DAY = date(2025, 12, 1)
DAYS = 365
#: Producer lots made a day (tuned so that the year holds a little over 10 million events).
LOTS_PER_DAY = 460
VENDOR_SALES_PER_DAY = 3000
CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
TABLES = (
    "epcis_events",
    "epcis_event_epcs",
    "epcis_event_quantities",
    "epcis_event_biz_transactions",
    "epcis_event_parties",
    "epcis_event_viewers",
)
DISHES = (
    "红烧肉",
    "宫保鸡丁",
    "鱼香肉丝",
    "麻婆豆腐",
    "回锅肉",
    "番茄炒蛋",
    "土豆烧牛肉",
    "清炒时蔬",
    "酸菜鱼",
    "青椒肉丝",
    "卤鸡腿",
    "白米饭",
)
SHELF_LIVES = (3, 5, 7, 15, 30, 90, 180, 365, 540)
NULL = "\\N"  # COPY's text format
FRESH = timedelta(days=5)  # what a kitchen cooks with


# The network --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A producer's product: its GTIN, its unit of the ledger and its shelf life."""

    gtin: str
    unit: str
    shelf_life: int
    lot_size: int  # a usual lot, in the unit


@dataclass
class Party:
    id: int
    public_code: str
    category: str
    form: str
    county: str
    prefecture: str
    chain_hq_id: int | None
    items: list[Item] = field(default_factory=list)
    suppliers: list[int] = field(default_factory=list)  # wholesalers: their producers
    customers: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    outlets: list[int] = field(default_factory=list)  # central kitchens
    vendors: list[int] = field(default_factory=list)  # caterers: their market vendors


def _gtin(producer: int, item: int) -> str:
    """A GTIN-14 of a GS1 China company prefix (69x), valid check digit."""
    body = f"069{3 + producer % 3}{producer:05d}{item:03d}"
    return body + check_digit(body)


def build_network(rng: random.Random, rows: list[Any]) -> dict[int, Party]:
    """Who supplies whom, for the operating businesses of the demo province."""
    parties = {
        r.id: Party(
            r.id, r.public_code, r.category, r.form, r.county_code, r.prefecture_code, r.chain_hq_id
        )
        for r in rows
    }
    of = defaultdict(list)
    for p in parties.values():
        of[p.category].append(p.id)
    producers, wholesalers, vendors = of["producer"], of["wholesaler"], of["market_vendor"]
    kitchens = [p.id for p in parties.values() if p.form == "central_kitchen"]
    caterers = [p.id for p in parties.values() if p.category == "caterer"]
    for n, pid in enumerate(producers):
        parties[pid].items = [
            Item(
                gtin=_gtin(n, k),
                unit=rng.choice(("kg", "kg", "kg", "箱", "袋")),
                shelf_life=rng.choice(SHELF_LIVES),
                lot_size=rng.choice((200, 500, 1000, 2000, 5000)),
            )
            for k in range(rng.randint(2, 8))
        ]
    for wid in wholesalers:
        parties[wid].suppliers = rng.sample(producers, rng.randint(8, 40))
    buyers: dict[int, list[int]] = defaultdict(list)
    for wid in wholesalers:
        for pid in parties[wid].suppliers:
            buyers[pid].append(wid)
    for pid in producers:
        if not buyers[pid]:
            buyers[pid] = rng.sample(wholesalers, 2)
        parties[pid].customers = buyers[pid]
    by_prefecture: dict[str, list[int]] = defaultdict(list)
    vendors_by_county: dict[str, list[int]] = defaultdict(list)
    for wid in wholesalers:
        by_prefecture[parties[wid].prefecture].append(wid)
    for vid in vendors:
        vendors_by_county[parties[vid].county].append(vid)
    canteens = {
        "school_canteen",
        "hospital_canteen",
        "company_canteen",
        "construction_canteen",
        "group_meal",
    }
    for cid in caterers:
        c = parties[cid]
        near = by_prefecture.get(c.prefecture) or wholesalers
        count = rng.randint(6, 12) if cid in kitchens else rng.randint(2, 5)
        chosen = {rng.choice(near) if rng.random() < 0.75 else rng.choice(wholesalers)}
        while len(chosen) < count:
            chosen.add(rng.choice(near) if rng.random() < 0.75 else rng.choice(wholesalers))
        weight = 12.0 if cid in kitchens else 3.0 if c.form in canteens else 1.0
        for wid in chosen:
            parties[wid].customers.append(cid)
            parties[wid].weights.append(weight)
        local = vendors_by_county.get(c.county) or vendors
        c.vendors = rng.sample(local, min(len(local), rng.randint(1, 2)))
    for vid in vendors:
        parties[vid].customers = []
    for cid in caterers:
        for vid in parties[cid].vendors:
            parties[vid].customers.append(cid)
    by_county: dict[str, list[int]] = defaultdict(list)
    for cid in caterers:
        if cid not in kitchens and parties[cid].chain_hq_id is None:
            by_county[parties[cid].county].append(cid)
    chains: dict[int, list[int]] = defaultdict(list)
    for cid in caterers:
        hq = parties[cid].chain_hq_id
        if hq is not None:
            chains[hq].append(cid)
    for kid in kitchens:
        k = parties[kid]
        if chains.get(kid):
            k.outlets = chains[kid]
        else:
            pool = by_county.get(k.county, [])
            preferred = [c for c in pool if parties[c].form in canteens] or pool
            k.outlets = rng.sample(preferred, min(len(preferred), rng.randint(4, 15)))
    return parties


# The events ---------------------------------------------------------------------------------


@dataclass(slots=True)
class LineStandIn:
    """The fields of a ledger line ``ledger_events.receiving_event`` reads."""

    id: int
    business_id: int
    supplier_business_id: int
    supplier_id: int
    gtin: str | None
    product_id: int | None
    product_name: str
    batch_number: str | None
    production_date: date | None
    expiry_date: date | None
    quantity: Decimal
    unit: str
    documents: list[str]
    purchase_date: date
    recorded_at: datetime


@dataclass(slots=True)
class ShipmentStandIn:
    """The fields of a shipment ``shipments.shipping_event`` reads."""

    id: int
    lot_id: str
    batch_number: str | None
    production_date: date | None
    expiry_date: date | None
    quantity: Decimal
    unit: str
    shipped_at: datetime


@dataclass(slots=True)
class Code:
    public_code: str


@dataclass(slots=True)
class Generated:
    """One event and the index rows the capture writes for it."""

    at: datetime  # UTC
    recorded: datetime
    by: int
    event: dict[str, Any]
    with_id: bool  # eventID = hash in the document (the ledger's and shipments' capture)
    quantities: list[tuple[str, str, float | None, str | None]]
    transactions: list[tuple[str, str]]
    parties: list[tuple[str, str, str]]
    viewers: tuple[int, ...]


def _local(day: date, hour: float) -> datetime:
    seconds = int(hour * 3600)
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(seconds=seconds)


def _qty(value: float) -> Decimal:
    return Decimal(max(1, round(value * 10))) / 10


def _index(event: dict[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    quantities = [
        (role, q["epcClass"], q.get("quantity"), q.get("uom"))
        for key, role in (
            ("quantityList", "quantity"),
            ("inputQuantityList", "input"),
            ("outputQuantityList", "output"),
        )
        for q in event.get(key, [])
    ]
    transactions = [
        (t.get("type", ""), t["bizTransaction"]) for t in event.get("bizTransactionList", [])
    ]
    parties = [("source", s["type"], s["source"]) for s in event.get("sourceList", [])] + [
        ("destination", d["type"], d["destination"]) for d in event.get("destinationList", [])
    ]
    return quantities, transactions, parties


class Ledger:
    """The deterministic stream of a year's events, a local day at a time."""

    def __init__(self, rng: random.Random, parties: dict[int, Party], library: list[Any]):
        self.rng = rng
        self.parties = parties
        self.codes = {p.id: p.public_code for p in parties.values()}
        self.producers = [p.id for p in parties.values() if p.category == "producer"]
        self.kitchens = [p.id for p in parties.values() if p.outlets]
        self.vendor_customers = [
            (p.id, c)
            for p in parties.values()
            if p.category == "market_vendor"
            for c in p.customers
        ]
        self.loose = [(p.id, p.name) for p in library if not p.gtin]
        self.buckets: dict[int, list[Generated]] = defaultdict(list)
        self.received: dict[int, list[tuple[datetime, str, float, str]]] = defaultdict(list)
        self.next_line = 1
        self.next_shipment = 1
        self.lot_letter: dict[tuple[int, str], int] = defaultdict(int)

    def _add(self, g: Generated) -> None:
        day = (g.at.astimezone(SHANGHAI).date() - FIRST_DAY).days
        self.buckets[day].append(g)

    def move(
        self,
        *,
        src: int,
        dst: int,
        lot: str,
        gtin: str | None,
        product_id: int | None,
        product_name: str,
        batch: str | None,
        made: date,
        expiry: date | None,
        quantity: Decimal,
        unit: str,
        shipped_at: datetime,
        shipped: bool = True,
    ) -> datetime | None:
        """A movement: the shipping event of the source (when shipped on the platform) and
        the receiving event of the destination (unless unconfirmed); when it arrived."""
        rng = self.rng
        shipment_id = None
        if shipped:
            shipment_id = self.next_shipment
            self.next_shipment += 1
            stand_in = ShipmentStandIn(
                id=shipment_id,
                lot_id=lot,
                batch_number=batch,
                production_date=made,
                expiry_date=expiry,
                quantity=quantity,
                unit=unit,
                shipped_at=shipped_at.astimezone(UTC),
            )
            event = shipments.shipping_event(
                stand_in,  # type: ignore[arg-type]
                supplier=Code(self.codes[src]),  # type: ignore[arg-type]
                caterer=Code(self.codes[dst]),  # type: ignore[arg-type]
            )
            self._add(self._object(event, src, dst, src, shipped_at, rng.randint(5, 300)))
        if shipped and rng.random() < 0.03:
            return None  # never confirmed
        arrived = shipped_at + timedelta(seconds=rng.randint(1800, 4 * 3600))
        received = (
            quantity if rng.random() >= 0.03 else _qty(float(quantity) * rng.uniform(0.8, 0.95))
        )
        late = rng.random() < 0.15  # entered after the day: the event says noon of the day
        recorded_at = (arrived + timedelta(days=1)) if late else arrived
        documents = [d for d, p in (("voucher", 0.9), ("test_report", 0.25)) if rng.random() < p]
        line = LineStandIn(
            id=self.next_line,
            business_id=dst,
            supplier_business_id=src,
            supplier_id=0,
            gtin=gtin,
            product_id=product_id,
            product_name=product_name,
            batch_number=batch,
            production_date=made,
            expiry_date=expiry,
            quantity=received,
            unit=unit,
            documents=documents,
            purchase_date=arrived.astimezone(SHANGHAI).date(),
            recorded_at=recorded_at.astimezone(UTC),
        )
        self.next_line += 1
        event = ledger_events.receiving_event(
            line,  # type: ignore[arg-type]
            self.codes,
            shipment_id=shipment_id,
        )
        at = datetime.fromisoformat(event["eventTime"])
        self._add(self._object(event, src, dst, dst, at, rng.randint(5, 600), late))
        return at

    def _object(
        self,
        event: dict[str, Any],
        src: int,
        dst: int,
        by: int,
        at: datetime,
        delay: int,
        late: bool = False,
    ) -> Generated:
        quantities, transactions, parties = _index(event)
        moment = at.astimezone(UTC)
        recorded = moment + timedelta(seconds=delay) + (timedelta(days=1) if late else timedelta())
        return Generated(
            at=moment,
            recorded=recorded,
            by=by,
            event=event,
            with_id=True,
            quantities=quantities,
            transactions=transactions,
            parties=parties,
            viewers=(src, dst),
        )

    # a day ------------------------------------------------------------------------------

    def producer_lot(self, day: date) -> None:
        rng = self.rng
        pid = rng.choice(self.producers)
        p = self.parties[pid]
        item = rng.choice(p.items)
        self.lot_letter[(pid, item.gtin)] += 1
        batch = f"{day:%Y%m%d}{chr(64 + min(26, self.lot_letter[(pid, item.gtin)] % 26 + 1))}"
        lot = lot_id(gtin=item.gtin, supplier_code=p.public_code, product_id=None, batch=batch)
        expiry = day + timedelta(days=item.shelf_life)
        total = item.lot_size * rng.uniform(0.5, 1.5)
        buyers = rng.sample(p.customers, min(len(p.customers), rng.choice((1, 2, 2, 3, 3, 4))))
        for wid in buyers:
            share = _qty(total / len(buyers))
            shipped_at = _local(day + timedelta(days=1), rng.uniform(4, 9))
            arrived = self.move(
                src=pid,
                dst=wid,
                lot=lot,
                gtin=item.gtin,
                product_id=None,
                product_name="",
                batch=batch,
                made=day,
                expiry=expiry,
                quantity=share,
                unit=item.unit,
                shipped_at=shipped_at,
            )
            if arrived is None:
                continue
            self._distribute(wid, lot, item, batch, day, expiry, float(share), arrived)

    def _distribute(
        self,
        wid: int,
        lot: str,
        item: Item,
        batch: str,
        made: date,
        expiry: date,
        amount: float,
        arrived: datetime,
    ) -> None:
        """A wholesaler sells a lot it received to some of its customers, over days."""
        rng = self.rng
        w = self.parties[wid]
        if not w.customers:
            return
        wanted = rng.randint(3, 20)
        customers = set(rng.choices(w.customers, weights=w.weights, k=wanted))
        each = amount * 0.9 / len(customers)
        first = arrived.astimezone(SHANGHAI).date() + timedelta(days=1)
        for cid in sorted(customers):
            day = first + timedelta(days=rng.randint(0, 4))
            shipped_at = _local(day, rng.uniform(5, 10))
            at = self.move(
                src=wid,
                dst=cid,
                lot=lot,
                gtin=item.gtin,
                product_id=None,
                product_name="",
                batch=batch,
                made=made,
                expiry=expiry,
                quantity=_qty(each * rng.uniform(0.6, 1.4)),
                unit=item.unit,
                shipped_at=shipped_at,
                shipped=rng.random() < 0.8,
            )
            if at is not None and self.parties[cid].outlets and item.unit == "kg":
                self.received[cid].append((at.astimezone(UTC), lot, each, "KGM"))

    def kitchen_day(self, day: date) -> None:
        """Each kitchen cooks a few dish lots of what it received and delivers them."""
        rng = self.rng
        for kid in self.kitchens:
            k = self.parties[kid]
            cooked = _local(day, 5 + rng.random())
            now = cooked.astimezone(UTC)
            # Received in the last five days (receipts arrive out of order: lots of
            # several production days are on their way at once).
            stock = self.received[kid] = [s for s in self.received[kid] if s[0] >= now - FRESH]
            usable = [s for s in stock if s[0] < now]
            if len(usable) < 2:
                continue
            chain = len(k.outlets) > 20
            for n in range(rng.randint(3, 6) if chain else rng.randint(1, 3)):
                inputs = rng.sample(usable, min(len(usable), rng.randint(2, 5)))
                dish = DISHES[(kid + n + day.toordinal()) % len(DISHES)]
                batch = f"{day:%Y%m%d}{n + 1:02d}"
                output = lot_id(
                    gtin=None,
                    supplier_code=k.public_code,
                    product_id=None,
                    product_name=dish,
                    batch=batch,
                )
                made = sum(min(q, 40.0) for _, _, q, _ in inputs) * 1.2
                event: dict[str, Any] = {
                    "type": "TransformationEvent",
                    "eventTime": cooked.isoformat(timespec="milliseconds"),
                    "eventTimeZoneOffset": "+08:00",
                    "bizStep": "commissioning",
                    "inputQuantityList": [
                        {"epcClass": lot, "quantity": float(_qty(min(q, 40.0))), "uom": uom}
                        for _, lot, q, uom in inputs
                    ],
                    "outputQuantityList": [
                        {"epcClass": output, "quantity": float(_qty(made)), "uom": "KGM"}
                    ],
                }
                quantities, _, _ = _index(event)
                moment = cooked.astimezone(UTC)
                self._add(
                    Generated(
                        at=moment,
                        recorded=moment + timedelta(seconds=rng.randint(5, 120)),
                        by=kid,
                        event=event,
                        with_id=False,
                        quantities=quantities,
                        transactions=[],
                        parties=[],
                        viewers=(kid,),
                    )
                )
                outlets = rng.sample(
                    k.outlets,
                    min(len(k.outlets), rng.randint(15, 40) if chain else rng.randint(3, 10)),
                )
                for oid in outlets:
                    self.move(
                        src=kid,
                        dst=oid,
                        lot=output,
                        gtin=None,
                        product_id=None,
                        product_name=dish,
                        batch=batch,
                        made=day,
                        expiry=day + timedelta(days=2),
                        quantity=_qty(made / len(outlets) * rng.uniform(0.7, 1.3)),
                        unit="kg",
                        shipped_at=_local(day, 6.5 + rng.random()),
                    )

    def vendor_day(self, day: date) -> None:
        """Market vendors' loose goods, recorded by the caterers that bought them."""
        rng = self.rng
        for _ in range(VENDOR_SALES_PER_DAY):
            vid, cid = rng.choice(self.vendor_customers)
            product_id, name = self.loose[(vid + day.toordinal()) % len(self.loose)]
            lot = lot_id(
                gtin=None,
                supplier_code=self.codes[vid],
                product_id=product_id,
                batch=day.isoformat(),
                product_name=name,
            )
            self.move(
                src=vid,
                dst=cid,
                lot=lot,
                gtin=None,
                product_id=product_id,
                product_name=name,
                batch=None,
                made=day,
                expiry=None,
                quantity=_qty(rng.uniform(3, 40)),
                unit="kg",
                shipped_at=_local(day, rng.uniform(5, 8)),
                shipped=False,
            )

    def days(self) -> Iterator[tuple[int, list[Generated]]]:
        """``(day index, the day's events in time order)``, day after day."""
        for n in range(DAYS):
            day = FIRST_DAY + timedelta(days=n)
            for _ in range(LOTS_PER_DAY):
                self.producer_lot(day)
            self.kitchen_day(day)
            self.vendor_day(day)
            events = self.buckets.pop(n, [])
            events.sort(key=lambda g: g.at)
            yield n, events


# Writing ------------------------------------------------------------------------------------


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def encode(events: list[Generated], first_pk: int, first_qty: int) -> dict[str, str]:
    """The COPY text of each table for ``events`` (ids from ``first_pk``)."""
    rows: dict[str, list[str]] = {t: [] for t in TABLES}
    qid = first_qty
    for n, g in enumerate(events):
        pk = first_pk + n
        digest = event_hash(g.event)
        if g.with_id:
            g.event["eventID"] = digest
        event = g.event
        rows["epcis_events"].append(
            "\t".join(
                (
                    str(pk),
                    digest,
                    digest,
                    event["type"],
                    _ts(g.at),
                    event["eventTimeZoneOffset"],
                    _ts(g.recorded),
                    event.get("action") or NULL,
                    event.get("bizStep") or NULL,
                    event.get("disposition") or NULL,
                    NULL,
                    NULL,
                    str(g.by),
                    NULL,
                    _copy_text(orjson.dumps(event).decode()),
                )
            )
        )
        for role, cls, q, uom in g.quantities:
            rows["epcis_event_quantities"].append(
                f"{qid}\t{pk}\t{role}\t{cls}\t{NULL if q is None else repr(q)}\t{uom or NULL}"
            )
            qid += 1
        for kind, value in set(g.transactions):
            rows["epcis_event_biz_transactions"].append(f"{pk}\t{kind}\t{value}")
        for direction, kind, value in set(g.parties):
            rows["epcis_event_parties"].append(f"{pk}\t{direction}\t{kind}\t{value}")
        for business in set(g.viewers):
            rows["epcis_event_viewers"].append(f"{pk}\t{business}")
    return {t: "".join(line + "\n" for line in lines) for t, lines in rows.items() if lines}


COLUMNS = {
    "epcis_events": "id, event_id, event_hash, event_type, event_time, event_time_zone_offset,"
    " record_time, action, biz_step, disposition, read_point, biz_location, business_id,"
    " capture_id, document",
    "epcis_event_quantities": "id, event_pk, role, epc_class, quantity, uom",
    "epcis_event_biz_transactions": "event_pk, type, biz_transaction",
    "epcis_event_parties": "event_pk, direction, type, value",
    "epcis_event_viewers": "event_pk, business_id",
}


# The build ----------------------------------------------------------------------------------


def _state(conn: psycopg.Connection[Any]) -> dict[str, str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_trace_state (key text PRIMARY KEY, value text NOT NULL)"
    )
    return dict(conn.execute("SELECT key, value FROM bench_trace_state").fetchall())


def _save(conn: psycopg.Connection[Any], **values: object) -> None:
    for key, value in values.items():
        conn.execute(
            "INSERT INTO bench_trace_state VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, str(value)),
        )


def _schema_objects(conn: psycopg.Connection[Any]) -> list[dict[str, str]]:
    """The constraints and indexes of the event tables, as the migrations made them: what
    the load drops and the rebuild recreates, in the order of recreation."""
    tables = ", ".join(f"'{t}'::regclass" for t in TABLES)
    constraints = conn.execute(
        "SELECT conname, conrelid::regclass::text, contype, pg_get_constraintdef(oid)"  # noqa: S608 - fixed names
        f" FROM pg_constraint WHERE conrelid IN ({tables}) OR confrelid IN ({tables})"
        " ORDER BY conname"
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"  # noqa: S608 - fixed names
        f" WHERE i.indrelid IN ({tables}) AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
    ).fetchall()
    out = [
        {
            "kind": "constraint",
            "name": n,
            "table": t,
            "sql": f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}",
        }
        for n, t, c, d in constraints
        if c in ("p", "u")
    ]
    out += [{"kind": "index", "name": n, "table": "", "sql": d} for n, d in indexes]
    out += [
        {
            "kind": "constraint",
            "name": n,
            "table": t,
            "sql": f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}",
        }
        for n, t, c, d in constraints
        if c == "f"
    ]
    return out


def _exists(conn: psycopg.Connection[Any], item: dict[str, str]) -> bool:
    if item["kind"] == "index":
        return conn.execute("SELECT to_regclass(%s)", (item["name"],)).fetchone()[0] is not None  # type: ignore[index]
    return (
        conn.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", (item["name"],)).fetchone()
        is not None
    )


def _drop(conn: psycopg.Connection[Any], objects: list[dict[str, str]]) -> None:
    for item in reversed(objects):
        if not _exists(conn, item):
            continue
        if item["kind"] == "index":
            conn.execute(f"DROP INDEX {item['name']}")
        else:
            conn.execute(f"ALTER TABLE {item['table']} DROP CONSTRAINT {item['name']}")


def _rebuild(conn: psycopg.Connection[Any], objects: list[dict[str, str]]) -> None:
    conn.execute("SET maintenance_work_mem = '1GB'")
    for item in objects:
        if _exists(conn, item):
            continue
        started = time.monotonic()
        conn.execute(item["sql"])
        print(f"  {item['name']}: {time.monotonic() - started:.0f} s", flush=True)
    for table, column in (("epcis_events", "id"), ("epcis_event_quantities", "id")):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"  # noqa: S608
            f" (SELECT max({column}) FROM {table}))"
        )


def _loaded_network(seed: int) -> Ledger:
    with unit_of_work() as session:
        rows = session.execute(
            select(
                Business.id,
                Business.public_code,
                Business.category,
                Business.form,
                Business.county_code,
                Business.prefecture_code,
                Business.chain_hq_id,
            )
            .where(Business.operating_status == "operating")
            .order_by(Business.id)
        ).all()
        library = list(session.scalars(select(Product).order_by(Product.id)))
    rng = random.Random(seed)
    return Ledger(rng, build_network(rng, rows), library)


def _one(conn: psycopg.Connection[Any], sql: str, *params: object) -> Any:
    row = conn.execute(sql, params or None).fetchone()
    assert row is not None
    return row[0]


def _start_build(conn: psycopg.Connection[Any], seed: int) -> dict[str, str]:
    """Record where the generated events begin and which schema objects the load drops."""
    _save(
        conn,
        objects=json.dumps(_schema_objects(conn)),
        base_pk=_one(conn, "SELECT coalesce(max(id), 0) FROM epcis_events"),
        base_qty=_one(conn, "SELECT coalesce(max(id), 0) FROM epcis_event_quantities"),
        existing=_one(conn, "SELECT count(*) FROM epcis_events"),
        days_done=-1,
        written=0,
        seed=seed,
        load_seconds=0,
    )
    return _state(conn)


def _generate(ledger: Ledger, state: dict[str, str], target: int, work: queue.Queue[Any]) -> None:
    """Put each day's COPY text not yet committed on ``work`` (then None); earlier days
    are generated again, unwritten, so the stream and the ids continue where they were."""
    done = int(state["days_done"])
    pk, qid = int(state["base_pk"]) + 1, int(state["base_qty"]) + 1
    total = int(state["existing"])
    try:
        for n, day_events in ledger.days():
            events = day_events[: max(0, target - total)]
            if n > done and events:
                work.put((n, len(events), encode(events, pk, qid)))
            pk += len(events)
            qid += sum(len(g.quantities) for g in events)
            total += len(events)
            if total >= target:
                break
    finally:
        work.put(None)


def _load(url: str, state: dict[str, str], target: int) -> float:
    """Copy the days not yet committed, each day in its own transaction with its progress;
    returns the load's seconds so far."""
    written, load_seconds = int(state["written"]), float(state["load_seconds"])
    started = time.monotonic()
    ledger = _loaded_network(int(state["seed"]))
    work: queue.Queue[tuple[int, int, dict[str, str]] | None] = queue.Queue(maxsize=2)
    thread = threading.Thread(target=_generate, args=(ledger, state, target, work), daemon=True)
    thread.start()
    # Autocommit, so that each ``transaction()`` below is a transaction of its own.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        while (item := work.get()) is not None:
            n, count, tables = item
            with conn.transaction():
                for table, data in tables.items():
                    with conn.cursor().copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                        copy.write(data)
                written += count
                elapsed = load_seconds + time.monotonic() - started
                _save(conn, days_done=n, written=written, load_seconds=round(elapsed, 1))
            if n % 10 == 0:
                print(
                    f"day {n}: {written + int(state['existing']):,} events, {elapsed:.0f} s,"
                    f" load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    thread.join()
    return load_seconds + time.monotonic() - started


def build(url: str, seed: int, target: int) -> dict[str, Any]:
    """The year of events, once: resumes after the last day committed."""
    with psycopg.connect(url, autocommit=True) as conn:
        state = _state(conn)
        count = _one(conn, "SELECT count(*) FROM epcis_events")
        if state.get("complete") == "1" and count == target:
            return {"built_now": False, **json.loads(state["report"])}
        if "objects" not in state:
            state = _start_build(conn, seed)
        objects = json.loads(state["objects"])
        _drop(conn, objects)
    load_seconds = _load(url, state, target)
    print(f"loaded in {load_seconds:.0f} s; rebuilding the indexes", flush=True)
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        _rebuild(conn, objects)
        for table in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        report = {
            "events": _one(conn, "SELECT count(*) FROM epcis_events"),
            "demo_events": int(state["existing"]),
            "load_seconds": round(load_seconds),
            "index_and_vacuum_seconds": round(time.monotonic() - started),
            "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        _save(conn, complete=1, report=json.dumps(report))
    return {"built_now": True, **report}


def ledger_figures(url: str) -> dict[str, Any]:
    """What the ledger holds (once, after the build: whole-table scans)."""
    with psycopg.connect(url, autocommit=True) as conn:
        kinds = conn.execute(
            "SELECT event_type, coalesce(biz_step, ''), count(*) FROM epcis_events GROUP BY 1, 2"
        ).fetchall()
        lots = conn.execute(
            "SELECT count(DISTINCT epc_class) FROM epcis_event_quantities"
        ).fetchone()[0]  # type: ignore[index]
        rows = {
            t: conn.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", (t,)
            ).fetchone()[0]  # type: ignore[index]
            for t in TABLES
        }
    return {
        "events_by_kind": {f"{t} {s}".strip(): n for t, s, n in sorted(kinds)},
        "distinct_lots": lots,
        "rows_per_table_estimated": rows,  # the planner's statistics, after ANALYZE
    }


# The checks ---------------------------------------------------------------------------------


def _rows_of(session: Any, pk: int) -> dict[str, Any]:
    """Everything the capture stored for one event, less its ids and record time."""
    row = session.execute(
        text(
            "SELECT event_id, event_hash, event_type, event_time, event_time_zone_offset,"
            " action, biz_step, disposition, read_point, biz_location, business_id,"
            " capture_id, document::text FROM epcis_events WHERE id = :pk"
        ),
        {"pk": pk},
    ).one()
    tables = {
        "epcs": "SELECT role, epc FROM epcis_event_epcs WHERE event_pk = :pk",
        "quantities": "SELECT role, epc_class, quantity, uom FROM epcis_event_quantities"
        " WHERE event_pk = :pk",
        "transactions": "SELECT type, biz_transaction FROM epcis_event_biz_transactions"
        " WHERE event_pk = :pk",
        "parties": "SELECT direction, type, value FROM epcis_event_parties WHERE event_pk = :pk",
        "viewers": "SELECT business_id FROM epcis_event_viewers WHERE event_pk = :pk",
    }
    out: dict[str, Any] = {"event": tuple(row)}
    for name, sql in tables.items():
        out[name] = sorted(tuple(r) for r in session.execute(text(sql), {"pk": pk}))
    return out


SHAPES = {
    "shipping (a shipment)": "biz_step = 'shipping'",
    "receiving of an LGTIN with its shipment (a ledger line)": "biz_step = 'receiving'"
    " AND document::text LIKE '%%id.gs1.org%%' AND document::text LIKE '%%desadv%%'",
    "receiving of a market vendor's private lot": "biz_step = 'receiving'"
    " AND document::text NOT LIKE '%%desadv%%' AND document::text LIKE '%%urn:sunshine:lot:%%'",
    "receiving of a dish lot at an outlet": "biz_step = 'receiving'"
    " AND document::text LIKE '%%desadv%%' AND document::text LIKE '%%name-%%'",
    "transformation at a central kitchen": "event_type = 'TransformationEvent'",
}


def check_shapes(url: str, base_pk: int) -> dict[str, str]:
    """For an event of each kind: the written rows equal what the product's capture stores
    for the same event (captured in a transaction rolled back afterwards)."""
    out: dict[str, str] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        picks = {
            name: conn.execute(
                f"SELECT id FROM epcis_events WHERE id > %s AND {where} LIMIT 1",  # noqa: S608
                (base_pk,),
            ).fetchone()
            for name, where in SHAPES.items()
        }
    from sunshine.core.db import session_factory

    for name, found in picks.items():
        assert found is not None, f"no generated event of the kind {name}"
        session = session_factory()()
        try:
            written = _rows_of(session, found[0])
            document = json.loads(written["event"][-1])
            event = {k: v for k, v in document.items() if k != "eventID"}
            by = written["event"][10]
            session.execute(text("DELETE FROM epcis_events WHERE id = :pk"), {"pk": found[0]})
            if event["type"] == "TransformationEvent":
                kitchen = Principal(
                    user_id=None,
                    username="bench-kitchen",
                    display_name="bench",
                    role=Role.ENTERPRISE_OWNER,
                    business_id=by,
                )
                body = json.dumps({"@context": [CONTEXT], **event}).encode()
                epcis.capture_event(session=session, actor=kitchen, body=body)
            else:
                ledger_events.capture_for(
                    session=session, actor=SYSTEM, business_id=by, event=event
                )
            session.flush()
            pk = session.execute(
                text("SELECT id FROM epcis_events WHERE event_hash = :h"),
                {"h": written["event"][1]},
            ).scalar_one()
            captured = _rows_of(session, pk)
            differ = [k for k in written if written[k] != captured[k]]
            assert not differ, (name, differ, written, captured)
            out[name] = f"event {found[0]}: equal to its capture"
        finally:
            session.rollback()
            session.close()
    return out


def check_hashes(url: str, base_pk: int, sample: int, rng: random.Random) -> int:
    """A sample of the written events re-parsed and re-hashed by the product."""
    with psycopg.connect(url, autocommit=True) as conn:
        top = conn.execute("SELECT max(id) FROM epcis_events").fetchone()[0]  # type: ignore[index]
        ids = rng.sample(range(base_pk + 1, top + 1), sample)
        rows = conn.execute(
            "SELECT event_id, event_hash, document::text FROM epcis_events WHERE id = ANY(%s)",
            (ids,),
        ).fetchall()
    for event_id, digest, document in rows:
        event = {k: v for k, v in json.loads(document).items() if k != "eventID"}
        parsed, problems = parse_event(event)
        assert parsed is not None, problems
        assert parsed.event == event, (parsed.event, event)
        assert event_hash(parsed.event, parsed.namespaces) == digest == event_id
    return len(rows)


# Measuring ----------------------------------------------------------------------------------

TIERS = ("producer", "wholesaler", "caterer", "kitchen", "outlet")


@dataclass(frozen=True)
class Holder:
    id: int
    category: str
    form: str
    county: str


def starting_points(
    url: str, base_pk: int, rng: random.Random, per_tier: int, county: str | None
) -> dict[str, list[tuple[str, int]]]:
    """``(lot, holder)`` per tier, from a random sample of the written events (holders in
    ``county`` only when given)."""
    with unit_of_work() as session:
        holders = {
            PARTY_PREFIX + code: Holder(i, str(c), str(f), k)
            for i, code, c, f, k in session.execute(
                select(
                    Business.id,
                    Business.public_code,
                    Business.category,
                    Business.form,
                    Business.county_code,
                )
            )
        }
    with psycopg.connect(url, autocommit=True) as conn:
        top = conn.execute("SELECT max(id) FROM epcis_events").fetchone()[0]  # type: ignore[index]
        ids = rng.sample(range(base_pk + 1, top + 1), 150_000)
        rows = conn.execute(
            "SELECT e.biz_step, q.epc_class, s.value, d.value FROM epcis_events e"
            " JOIN epcis_event_quantities q ON q.event_pk = e.id AND q.role = 'quantity'"
            " JOIN epcis_event_parties s ON s.event_pk = e.id AND s.direction = 'source'"
            " JOIN epcis_event_parties d ON d.event_pk = e.id AND d.direction = 'destination'"
            " WHERE e.id = ANY(%s) ORDER BY e.id",
            (ids,),
        ).fetchall()
    found: dict[str, dict[tuple[str, int], None]] = {t: {} for t in TIERS}
    for step, lot, src_uri, dst_uri in rows:
        src, dst = holders[src_uri], holders[dst_uri]
        lgtin = lot.startswith("https://id.gs1.org/")
        tier, holder = None, dst
        if step == "shipping" and src.category == "producer":
            tier, holder = "producer", src
        elif step == "receiving" and dst.category == "wholesaler":
            tier = "wholesaler"
        elif step == "receiving" and lgtin and dst.form == "central_kitchen":
            tier = "kitchen"
        elif step == "receiving" and lgtin and dst.category == "caterer":
            tier = "caterer"
        elif step == "receiving" and src.form == "central_kitchen":
            tier = "outlet"
        if tier is None or (county is not None and holder.county != county):
            continue
        found[tier][(lot, holder.id)] = None
    out = {}
    for tier, points in found.items():
        listed = list(points)
        assert len(listed) >= per_tier, f"only {len(listed)} starting points at {tier}"
        out[tier] = rng.sample(listed, per_tier)
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Run:
    tier: str
    direction: str
    trace_ms: float
    page_ms: float
    businesses: int
    edges: int
    hops: int


def _trace_once(actor: Principal, tier: str, lot: str, holder: int | None, direction: str) -> Run:
    started = time.perf_counter()
    with unit_of_work() as session:
        if holder is None:
            start = trace.resolve_start(session, lot=lot)
        else:
            start = trace.Start(lots=(lot,), node=trace.business_node(holder), shown=lot)
        result = trace.trace(
            session=session, actor=actor, start=start, direction=trace.Direction(direction), depth=3
        )
        traced = time.perf_counter()
        result.table()
        trace_views.drawing(result)
    done = time.perf_counter()
    return Run(
        tier=tier,
        direction=direction,
        trace_ms=(traced - started) * 1000,
        page_ms=(done - started) * 1000,
        businesses=sum(1 for n in result.nodes.values() if n.business is not None),
        edges=len(result.edges),
        hops=max((abs(n.tier) for n in result.nodes.values()), default=0),
    )


def _summary(runs: list[Run]) -> dict[str, Any]:
    times = [r.trace_ms for r in runs]
    pages = [r.page_ms for r in runs]
    return {
        "traces": len(runs),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "with_table_and_drawing_p95_ms": round(_percentile(pages, 0.95), 1),
        "businesses_touched_mean": round(statistics.mean(r.businesses for r in runs), 1),
        "businesses_touched_max": max(r.businesses for r in runs),
        "edges_mean": round(statistics.mean(r.edges for r in runs), 1),
        "hops_max": max(r.hops for r in runs),
    }


def measure(
    url: str, base_pk: int, username: str, per_tier: int, rng: random.Random
) -> dict[str, Any]:
    with unit_of_work() as session:
        user = auth_repo.get_user_by_username(session, username)
        assert user is not None
        actor = auth_service.principal_for(session, user)
    county = actor.jurisdiction_code if actor.jurisdiction_level == "county" else None
    points = starting_points(url, base_pk, rng, per_tier, county)
    plan: list[tuple[str, str, int | None, str]] = [
        (tier, lot, holder, direction)
        for tier, listed in points.items()
        for lot, holder in listed
        for direction in ("backward", "forward")
    ]
    bare = points["producer"] if county is None else points["caterer"]
    plan += [("bare lot", lot, None, "both") for lot, _ in bare]
    rng.shuffle(plan)
    for tier, lot, holder, direction in plan:  # warm-up
        _trace_once(actor, tier, lot, holder, direction)
    load = os.getloadavg()[0]
    runs = [_trace_once(actor, *item) for item in plan]
    groups: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        groups[f"{r.tier} {r.direction}"].append(r)
        groups[f"all {r.direction}"].append(r)
    return {
        "principal": username,
        "scope": f"{actor.jurisdiction_level} {actor.jurisdiction_code}",
        "load_average_1m": round(load, 2),
        "overall": _summary(runs),
        "by_start": {k: _summary(v) for k, v in sorted(groups.items())},
    }


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--per-tier", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=DATABASE, help="its own database, by name")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    url = PG_URL.rsplit("/", 1)[0] + f"/{args.database}"
    prepare = prepare_database("postgresql", url, BUSINESSES)
    os.environ.update(env_for("postgresql", url))
    os.environ.pop("SUNSHINE_REDIS_URL", None)  # in process: no cache, no queue
    prepare["build"] = build(url, args.seed, args.events)
    with psycopg.connect(url, autocommit=True) as conn:
        state = _state(conn)
        if "figures" not in state:
            _save(conn, figures=json.dumps(ledger_figures(url)))
            state = _state(conn)
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
    base_pk = int(state["base_pk"])
    print(f"database {size / 2**30:.1f} GiB", flush=True)
    if args.build_only:
        return 0
    rng = random.Random(args.seed)
    checks = {
        "shapes": check_shapes(url, base_pk),
        "hashes_rechecked": check_hashes(url, base_pk, 500, rng),
    }
    uptime_before = _uptime()
    results = [
        measure(url, base_pk, name, args.per_tier, rng) for name in ("leader", "inspector_a")
    ]
    uptime_after = _uptime()
    report = {
        "benchmark": "trace",
        "backend": "postgresql",
        "target": {"p95_ms_max": 100},
        "what": "trace.trace (what /gov/trace runs) in process, depth 3, each trace its own"
        " unit of work; p50/p95/max of the trace, and p95 with the page's table and drawing",
        "machine": machine(),
        "uptime_before": uptime_before,
        "uptime_after": uptime_after,
        "prepare": prepare,
        "ledger": {
            "businesses": BUSINESSES,
            "first_day": FIRST_DAY.isoformat(),
            "database_gib": round(size / 2**30, 1),
            **json.loads(state["figures"]),
        },
        "checks": checks,
        "per_tier": args.per_tier,
        "results": results,
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for r in results:
        o = r["overall"]
        print(
            f"{r['principal']:<12} {o['traces']} traces: p50 {o['p50_ms']} ms, p95 {o['p95_ms']}"
            f" ms, max {o['max_ms']} ms (with table and drawing p95"
            f" {o['with_table_and_drawing_p95_ms']} ms)"
        )
        for name, s in r["by_start"].items():
            print(
                f"    {name:<22} p50 {s['p50_ms']:6.1f}  p95 {s['p95_ms']:6.1f}  max"
                f" {s['max_ms']:6.1f}  businesses {s['businesses_touched_mean']:6.1f}"
                f" (max {s['businesses_touched_max']}), hops {s['hops_max']}"
            )
    if not args.no_write:
        out = RESULTS / "trace-postgresql.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
