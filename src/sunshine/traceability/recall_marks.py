"""The recall's mark on a store's purchases (阳光食材: "this batch is under recall").

Named in :data:`sunshine.ingredients.public.MARK_MODULES`. A purchase-ledger line is marked
when its lot (the one its receiving event carries, ``ledger_events.lot_of_line``) is under an
open recall, or was made of a lot that is: a central kitchen's dish made of a recalled batch
is recalled with it (the recall's forward trace made the kitchen's customers holders; here
the dish's TransformationEvents are followed back). The mark goes when the recall closes.

The store page is cached: opening, closing and reopening a recall drop the cached pages of
every holder (``recall._pages_changed``), and a ledger line recorded later drops its store's
page as any line does, so the mark appears and goes with the recall.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.core.i18n import N_
from sunshine.core.time import to_local
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.public import SafetyMark, mark_provider
from sunshine.traceability import ledger_events
from sunshine.traceability import recall_repository as repo
from sunshine.traceability.recall_models import Recall

#: Transformations followed back from a purchased lot (a dish of a sauce of a batch ...).
MAX_DEPTH = 5
RECALL_MARK = N_("This batch is under recall since {day} (recall {reference})")


def _origins(session: Session, lots: set[str]) -> dict[str, set[str]]:
    """Each lot with every lot it was made of, up to :data:`MAX_DEPTH` transformations."""
    origins = {lot: {lot} for lot in lots}
    # Which purchased lots each lot of the current level stands for.
    frontier: dict[str, set[str]] = {lot: {lot} for lot in lots}
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        following: dict[str, set[str]] = {}
        for output, used in repo.made_of(session, frontier.keys()):
            for bought in frontier[output]:
                if used not in origins[bought]:
                    origins[bought].add(used)
                    following.setdefault(used, set()).add(bought)
        frontier = following
    return origins


def _mark(found: Recall) -> SafetyMark:
    return SafetyMark(
        kind="recall",
        label=RECALL_MARK,
        params={"day": to_local(found.created_at).date().isoformat(), "reference": found.reference},
    )


@mark_provider
def recall_marks(session: Session, lines: Sequence[LedgerLine]) -> dict[int, list[SafetyMark]]:
    """The open recall of each line's lot (or of a lot it was made of)."""
    if not lines:
        return {}
    codes = repo.public_codes(
        session, {line.supplier_business_id for line in lines if line.supplier_business_id}
    )
    lot_of = {line.id: ledger_events.lot_of_line(line, codes) for line in lines}
    origins = _origins(session, set(lot_of.values()))
    every = set().union(*origins.values())
    recalls = repo.open_recalls_of(session, every)
    if not recalls:
        return {}
    out: dict[int, list[SafetyMark]] = {}
    for line_id, lot in lot_of.items():
        found = next((r for r in recalls if r.lot in origins[lot]), None)
        if found is not None:
            out[line_id] = [_mark(found)]
    return out
