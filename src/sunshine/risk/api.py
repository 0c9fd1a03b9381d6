"""JSON routes of risk signals under ``/api/v1/risk``: regulators only, each seeing the
signals of businesses within its jurisdiction (403 for anyone else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import DbSession, SignedIn
from sunshine.risk import service
from sunshine.risk.enums import SignalKind, SignalSource
from sunshine.risk.models import RiskSignal
from sunshine.risk.repository import SignalFilter
from sunshine.risk.schemas import RiskSignalPage, RiskSignalRead

router = APIRouter(prefix="/risk", tags=["risk"], dependencies=Authed)


@router.get("/signals", response_model=RiskSignalPage)
def list_signals(
    session: DbSession,
    principal: SignedIn,
    business_id: int | None = None,
    source: SignalSource | None = None,
    kind: SignalKind | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> RiskSignalPage:
    """The risk signals the regulator may see (of one business, source or kind when
    given), the latest first."""
    result = service.list_signals(
        session=session,
        actor=principal,
        filters=SignalFilter(business_id=business_id, source=source, kind=kind),
        page=PageRequest(page, per_page),
    )
    return RiskSignalPage(
        items=[_signal(signal, name) for signal, name in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


def _signal(signal: RiskSignal, business_name: str) -> RiskSignalRead:
    return RiskSignalRead(
        id=signal.id,
        business_id=signal.business_id,
        business_name=business_name,
        source=signal.source.value,
        kind=signal.kind.value,
        subject_type=signal.subject_type.value,
        subject_id=signal.subject_id,
        detail=signal.detail,
        weight=signal.weight,
        occurred_at=signal.occurred_at,
        recorded_at=signal.recorded_at,
    )
