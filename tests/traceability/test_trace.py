"""Trace (溯源) over the EPCIS repository: backward and forward over three tiers and more,
through a central kitchen's transformation, without looping, within the tracer's scope."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from trace_helpers import GTIN, build_network, capture, move, party

from helpers import principal_of
from sunshine.core.errors import NotFoundError, ValidationFailed
from sunshine.traceability import trace
from sunshine.traceability.epcis.identifiers import DL_HOST


def _names(result: trace.TraceResult) -> set[str]:
    return {n.business.name for n in result.nodes.values() if n.business}


def _run(session: Session, user: str, start: trace.Start, direction: str, depth: int = 5):
    return trace.trace(
        session=session,
        actor=principal_of(session, user),
        start=start,
        direction=trace.Direction(direction),
        depth=depth,
    )


def test_forward_from_a_lot_reaches_every_holder_through_the_kitchen(session: Session) -> None:
    net = build_network(session)
    start = trace.resolve_start(session, lot=net.lot)
    result = _run(session, "inspector_a", start, "forward")
    assert _names(result) == {
        b.name
        for b in (net.producer, net.wholesaler, net.kitchen, net.caterer, net.store, net.outlet)
    }
    tiers = {n.business.id: n.tier for n in result.nodes.values() if n.business}
    assert tiers[net.producer.id] == 0 and tiers[net.wholesaler.id] == 1
    assert tiers[net.kitchen.id] == 2 and tiers[net.store.id] == 3
    dish_edges = [e for e in result.edges if e.lot == net.dish]
    assert {e.quantity for e in dish_edges} == {30, 25}
    first = next(e for e in result.edges if e.destination == f"b{net.wholesaler.id}")
    # Shipping and receiving of the same delivery are one edge, quantity counted once.
    assert first.quantity == 100 and len(first.event_ids) == 2
    assert [t.output for t in result.transforms] == [net.dish]
    rows = {r.node.business.id: r for r in result.table() if r.node.business}
    assert rows[net.store.id].received == {"KGM": 30}
    assert rows[net.wholesaler.id].shipped == {"KGM": 60}


def test_backward_from_a_ledger_line_lot_at_the_store(session: Session) -> None:
    net = build_network(session)
    start = trace.Start(lots=(net.dish,), node=f"b{net.store.id}")
    result = _run(session, "inspector_a", start, "backward")
    # store ← kitchen (dish made of the lot) ← wholesaler ← producer; not the siblings.
    assert _names(result) == {
        b.name for b in (net.store, net.kitchen, net.wholesaler, net.producer)
    }
    tiers = {n.business.id: n.tier for n in result.nodes.values() if n.business}
    assert tiers[net.producer.id] == -3 and tiers[net.store.id] == 0


def test_depth_bounds_the_hops(session: Session) -> None:
    net = build_network(session)
    result = _run(session, "inspector_a", trace.resolve_start(session, lot=net.lot), "forward", 1)
    assert _names(result) == {net.producer.name, net.wholesaler.name}


def test_lot_spellings_are_one_lot(session: Session) -> None:
    net = build_network(session)
    urn = f"urn:epc:class:lgtin:{GTIN[1:8]}.{GTIN[0]}{GTIN[8:13]}.B2603"
    assert trace.normalise_lot(urn) == net.lot == f"{DL_HOST}/01/{GTIN}/10/B2603"
    with pytest.raises(ValidationFailed):
        trace.resolve_start(session, lot="urn:epc:class:sgtin:x")


def test_a_cycle_ends(session: Session) -> None:
    net = build_network(session)
    # The outlet returns part of the dish to the kitchen, which sends it on again.
    move(session, lot=net.dish, source=net.outlet, destination=net.kitchen, quantity=5, day=6)
    move(session, lot=net.dish, source=net.kitchen, destination=net.outlet, quantity=5, day=7)
    result = _run(session, "inspector_a", trace.resolve_start(session, lot=net.lot), "both", 10)
    assert net.outlet.name in _names(result)
    assert len(result.edges) == len({(e.lot, e.source, e.destination, e.via) for e in result.edges})


def test_from_a_supplier_everything_it_shipped(session: Session) -> None:
    net = build_network(session)
    start = trace.resolve_start(session, supplier=net.wholesaler.public_code)
    result = _run(session, "inspector_a", start, "forward", 3)
    assert {net.kitchen.name, net.caterer.name, net.store.name} <= _names(result)
    assert net.producer.name not in _names(result)


def test_a_regulator_of_another_county_sees_nothing(session: Session) -> None:
    net = build_network(session)
    with pytest.raises(NotFoundError):
        _run(session, "inspector_b", trace.resolve_start(session, lot=net.lot), "both")


def test_a_business_traces_its_own_lot_one_hop(session: Session) -> None:
    net = build_network(session)
    start = trace.resolve_start(session, lot=net.dish)
    result = _run(session, "owner_a", start, "backward", 5)
    assert result.depth == 1
    assert _names(result) == {net.store.name, net.kitchen.name}


def test_a_neighbour_business_sees_nothing(session: Session) -> None:
    net = build_network(session)
    with pytest.raises(NotFoundError):
        _run(session, "owner_b", trace.resolve_start(session, lot=net.lot), "both")


def test_a_lot_packed_on_a_pallet_follows_the_pallet(session: Session) -> None:
    net = build_network(session)
    pallet = "urn:epc:id:sscc:0690123.0000000001"
    capture(
        session,
        net.wholesaler,
        {
            "type": "AggregationEvent",
            "eventTime": "2026-03-03T07:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "packing",
            "parentID": pallet,
            "childQuantityList": [{"epcClass": net.lot, "quantity": 10, "uom": "KGM"}],
        },
    )
    capture(
        session,
        net.outlet,
        {
            "type": "ObjectEvent",
            "eventTime": "2026-03-03T10:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "receiving",
            "epcList": [pallet],
            "sourceList": [{"type": "owning_party", "source": party(net.wholesaler)}],
            "destinationList": [{"type": "owning_party", "destination": party(net.outlet)}],
        },
    )
    start = trace.Start(lots=(net.lot,), node=f"b{net.wholesaler.id}")
    result = _run(session, "inspector_a", start, "forward", 1)
    carried = [e for e in result.edges if e.via is not None]
    assert len(carried) == 1 and carried[0].lot == net.lot
    assert carried[0].destination == f"b{net.outlet.id}"
