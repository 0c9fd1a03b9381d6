"""The ledger → EPCIS bridge for many lines at once (the batch form of
:func:`sunshine.traceability.ledger_events.on_line_recorded`).

Each line's receiving event is the one :func:`ledger_events.receiving_event` makes and goes
through the repository's own checks (:func:`parse_event`), exactly as one line's would; what
is done once for all of them is the lookups (the parties' public codes, the known hashes,
the owners of the parties), the inserts and the audit entry (one per capturing business,
naming how many events and the first and last eventID, as a captured document's is).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.audit.service import record as audit
from sunshine.auth.principal import Principal
from sunshine.ingredients import hooks
from sunshine.ingredients.models import LedgerLine
from sunshine.traceability import ledger_events
from sunshine.traceability import ledger_events_repository as repo
from sunshine.traceability.epcis.errors import EpcisValidationError
from sunshine.traceability.epcis.hashing import event_hash
from sunshine.traceability.epcis.parse import ParsedEvent, parse_event
from sunshine.traceability.epcis.service import stage, store
from sunshine.traceability.ledger_event_models import LedgerLineEvent


def _parsed(line: LedgerLine, codes: dict[int, str]) -> tuple[ParsedEvent, str]:
    parsed, problems = parse_event(ledger_events.receiving_event(line, codes))
    if parsed is None:
        raise EpcisValidationError(problems)
    digest = event_hash(parsed.event, parsed.namespaces)
    parsed.hash = digest  # the eventID set next is not part of the hash: stage reuses it
    parsed.event.setdefault("eventID", digest)
    return parsed, digest


def capture_lines(*, session: Session, actor: Principal, lines: Sequence[LedgerLine]) -> int:
    """Capture and link the receiving events of new lines (none a correction); an event
    already stored is linked, not stored again. Returns how many events were new."""
    businesses = {line.business_id for line in lines}
    suppliers = {line.supplier_business_id for line in lines if line.supplier_business_id}
    codes = repo.public_codes(session, businesses | suppliers)
    by_business: dict[int, list[ParsedEvent]] = defaultdict(list)
    links: list[LedgerLineEvent] = []
    for line in lines:
        parsed, digest = _parsed(line, codes)
        by_business[line.business_id].append(parsed)
        links.append(
            LedgerLineEvent(
                ledger_line_id=line.id,
                role=ledger_events.RECEIVING,
                event_id=str(parsed.event["eventID"]),
                event_hash=digest,
                lot_id=ledger_events.lot_of_line(line, codes),
            )
        )
    new = 0
    for business_id, events in by_business.items():
        staged = stage(session, business_id=business_id, events=events)
        fresh, _ = store(session, business_id=business_id, events=staged, capture_id=None)
        new += len(fresh)
        if fresh:
            audit(
                session=session,
                actor=actor,
                action="epcis.capture_events",
                entity_type="business",
                entity_id=business_id,
                after={
                    "events": len(fresh),
                    "first": fresh[0].event_id,
                    "last": fresh[-1].event_id,
                    "source": "ledger_lines",
                },
            )
    session.add_all(links)
    session.flush()
    return new


@hooks.listen_batch(ledger_events.on_line_recorded)
def on_lines_recorded(session: Session, actor: Principal, lines: Sequence[LedgerLine]) -> None:
    capture_lines(session=session, actor=actor, lines=lines)
