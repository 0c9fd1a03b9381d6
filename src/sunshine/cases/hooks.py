"""Listeners told when a case moves, so the submissions behind cases can follow them.

The case engine knows nothing of complaints or reports; those domains listen here (a
complaint is closed when its case closes, a reporter is told a case was opened). Listener
modules are named as data and imported on first use, so the engine never imports them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.cases.enums import CaseAction, CaseState
from sunshine.cases.models import Case

#: Modules whose import registers listeners.
LISTENER_MODULES = (
    "sunshine.cogovernance.complaints.case_listener",
    "sunshine.cogovernance.reports.case_listener",
    "sunshine.traceability.recall_case_listener",
)


@dataclass(frozen=True)
class CaseMove:
    case: Case
    action: CaseAction
    source: CaseState
    reason: str | None


Listener = Callable[[Session, CaseMove], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register ``listener`` (used as a decorator by the listener modules)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def case_moved(*, session: Session, move: CaseMove) -> None:
    """Tell every listener, in the transaction of the move (they must not commit)."""
    for module in LISTENER_MODULES:
        importlib.import_module(module)  # cached by Python after the first time
    for listener in _listeners:
        listener(session, move)
