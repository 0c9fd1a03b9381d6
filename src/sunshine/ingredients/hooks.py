"""Listeners told when a ledger line is recorded or corrected: what follows a purchase.

After the ledger service stores a line (its documents and files included), it calls every
listener here with the line and, for a correction, the line it declares wrong, in the same
transaction (listeners must not commit). The EPCIS capability registers itself here to record
the receiving ObjectEvent (and, for a correction, an error declaration of the old line's
event), so the ledger need not know it. Each such module is named in
:data:`LISTENER_MODULES` and imported on first use; its import calls :func:`listen`.

A listener that raises makes the whole recording fail (nothing is stored), like any other
rule of the transaction.

Many new lines stored at once (:mod:`sunshine.ingredients.batch`) are told with
:func:`lines_recorded`: a listener with a batch form (:func:`listen_batch`) gets them all in
one call, the others one by one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.ingredients.models import LedgerLine

#: Modules whose import registers listeners (the EPCIS capability adds itself here).
LISTENER_MODULES: tuple[str, ...] = (
    "sunshine.ingredients.public",  # drops the cached store page (阳光食材 section)
    "sunshine.traceability.ledger_events",  # the receiving EPCIS event of each line
    "sunshine.traceability.ledger_events_bulk",  # ... and of many lines at once
)

#: ``(session, actor, line, corrected)``: ``corrected`` is the line ``line`` replaces, if any.
RecordedListener = Callable[[Session, Principal, LedgerLine, LedgerLine | None], None]
_listeners: list[RecordedListener] = []
#: ``(session, actor, lines)``: many new lines (no correction among them) at once.
BatchListener = Callable[[Session, Principal, Sequence[LedgerLine]], None]
_batch_forms: dict[RecordedListener, BatchListener] = {}


def listen(listener: RecordedListener) -> RecordedListener:
    """Register ``listener`` (usable as a decorator); registering it twice keeps one."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def forget(listener: RecordedListener) -> None:
    """Unregister ``listener`` (tests)."""
    if listener in _listeners:
        _listeners.remove(listener)


def line_recorded(
    *, session: Session, actor: Principal, line: LedgerLine, corrected: LedgerLine | None = None
) -> None:
    """Tell every listener, in the transaction that recorded the line."""
    for module in LISTENER_MODULES:
        importlib.import_module(module)  # cached by Python after the first time
    for listener in list(_listeners):
        listener(session, actor, line, corrected)


def listen_batch(of: RecordedListener) -> Callable[[BatchListener], BatchListener]:
    """Register (as a decorator) the batch form of the listener ``of``: what it does for
    each of many new lines, done once for all of them."""

    def register(batch: BatchListener) -> BatchListener:
        _batch_forms[of] = batch
        return batch

    return register


def lines_recorded(*, session: Session, actor: Principal, lines: Sequence[LedgerLine]) -> None:
    """Tell every listener of many new lines, in the transaction that stored them."""
    for module in LISTENER_MODULES:
        importlib.import_module(module)
    for listener in list(_listeners):
        batch = _batch_forms.get(listener)
        if batch is not None:
            batch(session, actor, lines)
            continue
        for line in lines:
            listener(session, actor, line, None)
