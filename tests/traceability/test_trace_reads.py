"""What a trace reads: each lot's events once however many tiers name the lot, a movement an
error declaration withdrew left out, and parties outside the platform shown by their URI."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from trace_helpers import build_network, capture, move, party

from helpers import principal_of
from sunshine.auth.principal import Principal
from sunshine.traceability import trace


def _run(
    session: Session,
    start: trace.Start,
    direction: str,
    depth: int,
    actor: Principal | None = None,
) -> trace.TraceResult:
    return trace.trace(
        session=session,
        actor=actor or principal_of(session, "inspector_a"),
        start=start,
        direction=trace.Direction(direction),
        depth=depth,
    )


def _statements(engine: Engine, run: Any) -> int:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_a_trace_reads_each_lot_once_whatever_its_depth(session: Session, engine: Engine) -> None:
    net = build_network(session)
    actor = principal_of(session, "inspector_a")
    start = trace.resolve_start(session, lot=net.lot)
    three = _statements(engine, lambda: _run(session, start, "forward", 3, actor))
    ten = _statements(engine, lambda: _run(session, start, "forward", 10, actor))
    # The lot (producer → wholesaler → kitchen and caterer) and the dish (kitchen → store
    # and outlet): per lot its movements, its carriers and its transformations (two
    # statements where some are found), the parties' owners; the scope check and the
    # businesses shown. Pinned: reading per level would grow with the depth and the tiers.
    assert three == ten == 12


def test_both_directions_share_what_was_read(session: Session, engine: Engine) -> None:
    net = build_network(session)
    actor = principal_of(session, "inspector_a")
    start = trace.Start(lots=(net.lot,), node=f"b{net.wholesaler.id}")
    one_way = _statements(engine, lambda: _run(session, start, "forward", 5, actor))
    both = _statements(engine, lambda: _run(session, start, "both", 5, actor))
    # Backward adds only the lots' origins' transformations (what the lot was made of).
    assert both <= one_way + 1


def test_a_withdrawn_movement_is_left_out(session: Session) -> None:
    net = build_network(session)
    wrong = {
        "type": "ObjectEvent",
        "eventID": "ni:///sha-256;" + "e" * 64 + "?ver=CBV2.0",
        "eventTime": "2026-03-03T11:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "epcList": [],
        "quantityList": [{"epcClass": net.lot, "quantity": 5, "uom": "KGM"}],
        "sourceList": [{"type": "owning_party", "source": party(net.wholesaler)}],
        "destinationList": [{"type": "owning_party", "destination": party(net.outlet)}],
    }
    capture(session, net.outlet, wrong)
    start = trace.Start(lots=(net.lot,), node=f"b{net.wholesaler.id}")
    assert net.outlet.name in _names(_run(session, start, "forward", 1))
    capture(
        session,
        net.outlet,
        {
            **wrong,
            "errorDeclaration": {
                "declarationTime": "2026-03-03T12:00:00+08:00",
                "reason": "incorrect_data",
            },
        },
    )
    assert net.outlet.name not in _names(_run(session, start, "forward", 1))


def test_a_party_outside_the_platform_is_shown_by_its_identifier(session: Session) -> None:
    net = build_network(session)
    importer = "https://id.gs1.org/417/0690123000017"
    move(session, lot=net.lot, source=net.wholesaler, destination=net.caterer, quantity=1, day=4)
    capture(
        session,
        net.producer,
        {
            "type": "ObjectEvent",
            "eventTime": "2026-03-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "receiving",
            "epcList": [],
            "quantityList": [{"epcClass": net.lot, "quantity": 100, "uom": "KGM"}],
            # Only who held the goods is known: the possessing party stands for the owner.
            "sourceList": [{"type": "possessing_party", "source": importer}],
            "destinationList": [{"type": "owning_party", "destination": party(net.producer)}],
        },
    )
    start = trace.Start(lots=(net.lot,), node=f"b{net.producer.id}")
    result = _run(session, start, "backward", 2)
    outside = result.nodes[importer]
    assert outside.business is None and outside.uri == importer and outside.tier == -1


def _names(result: trace.TraceResult) -> set[str]:
    return {n.business.name for n in result.nodes.values() if n.business}
