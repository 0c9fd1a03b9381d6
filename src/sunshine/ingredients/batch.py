"""Recording many purchases of one store at once (the demo's year of ledgers).

Every line goes through the ledger's own rules (:func:`service.check_line`, the check the
phone form, the API and the import use) and is refused whole, with its problems, exactly
when :func:`service.record_line` would refuse it. What is done once for the batch is the
business lookup, the flush, the audit entry (one per batch, naming every line it stored)
and the listeners' work (:func:`hooks.lines_recorded`: the EPCIS bridge captures the
receiving events in bulk). No files are attached and no line is a correction: those go one by one
through :mod:`sunshine.ingredients.service`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.time import to_local
from sunshine.ingredients import access, hooks, service
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.service import get_business


@dataclass(frozen=True)
class Purchase:
    """One line to record and when it was recorded (an aware time)."""

    data: LedgerLineIn
    recorded_at: datetime


def record_lines(
    *, session: Session, actor: Principal, business_id: int, purchases: Sequence[Purchase]
) -> list[LedgerLine]:
    """Store the purchases of the actor's store, all or nothing: one refused line refuses
    the batch, its problems named as ``lines[{n}].{field}``."""
    business = get_business(session=session, actor=actor, business_id=business_id)
    access.require_recorder(actor, business.id)
    lines: list[LedgerLine] = []
    problems: list[FieldProblem] = []
    for n, purchase in enumerate(purchases):
        entered_on = to_local(purchase.recorded_at).date()
        checked, found = service.check_line(
            session=session, actor=actor, business=business, data=purchase.data, today=entered_on
        )
        if checked is None:
            problems += [
                FieldProblem(f"lines[{n}].{p.field}", p.message, params=p.params) for p in found
            ]
            continue
        lines.append(service.new_line(actor, checked, purchase.recorded_at, entered_on))
    if problems:
        raise ValidationFailed(problems)
    if not lines:
        return lines
    session.add_all(lines)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="ledger_line.record_batch",
        entity_type="business",
        entity_id=business.id,
        after={
            "lines": len(lines),
            "ids": [line.id for line in lines],
            "purchase_dates": [
                lines[0].purchase_date.isoformat(),
                lines[-1].purchase_date.isoformat(),
            ],
        },
    )
    hooks.lines_recorded(session=session, actor=actor, lines=lines)
    return lines
