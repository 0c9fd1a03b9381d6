"""Listeners told when an inspection is recorded: what follows an inspection.

After the inspection service stores an inspection (its items, inspectors, signatures and
photos), it calls every listener here with the inspection, in the same transaction
(listeners must not commit). What follows a result lives in its own module and registers
itself here, so the recording service need not know it: the rectification order a
基本符合 or 不符合 result sets (Order 49 arts. 32–33), the hygiene score (量化分级) the items
give. Each such module is named in :data:`LISTENER_MODULES` and imported on first use; its
import calls :func:`listen`.

A listener that raises makes the whole recording fail (nothing is stored), like any other
rule of the transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.inspections.models import Inspection

#: Modules whose import registers listeners.
LISTENER_MODULES: tuple[str, ...] = (
    "sunshine.inspections.rectification",
    "sunshine.inspections.hygiene",
)

RecordedListener = Callable[[Session, Principal, Inspection], None]
_listeners: list[RecordedListener] = []


def listen(listener: RecordedListener) -> RecordedListener:
    """Register ``listener`` (usable as a decorator); registering it twice keeps one."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def forget(listener: RecordedListener) -> None:
    """Unregister ``listener`` (tests)."""
    if listener in _listeners:
        _listeners.remove(listener)


def inspection_recorded(*, session: Session, actor: Principal, inspection: Inspection) -> None:
    """Tell every listener, in the transaction that recorded the inspection."""
    for module in LISTENER_MODULES:
        importlib.import_module(module)  # cached by Python after the first time
    for listener in list(_listeners):
        listener(session, actor, inspection)
