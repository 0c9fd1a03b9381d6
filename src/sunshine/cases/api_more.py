"""More JSON routes of the case engine: the statutory clock of a case (its stops and
approved extensions), bulk assignment and the jurisdiction's case statistics."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from sunshine.api.router import Authed
from sunshine.cases import bulk, statistics, workbench
from sunshine.cases.enums import CaseKind
from sunshine.cases.limits import PauseKind, SourceStatus, Unit
from sunshine.cases.schemas import CaseRead
from sunshine.core.i18n import english
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["cases"], dependencies=Authed)


class PauseIn(BaseModel):
    expected_version: int
    kind: PauseKind
    reason: Annotated[str, Field(min_length=1, max_length=5_000)]
    start_on: date | None = None


class ResumeIn(BaseModel):
    expected_version: int
    end_on: date | None = None


class ExtensionIn(BaseModel):
    expected_version: int
    reason: Annotated[str, Field(min_length=1, max_length=5_000)]


class LegalBasisRead(BaseModel):
    regulation: str
    article: str | None
    sources: list[str]
    status: SourceStatus
    note: str


class PauseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: PauseKind
    start_on: date
    end_on: date | None
    reason: str


class ExtensionRead(BaseModel):
    limit_key: str
    rule_key: str
    length: int
    unit: Unit
    approved_by_id: int
    approved_on: date
    reason: str


class ClockRead(BaseModel):
    """The statutory clock running in the case's state (None once none runs)."""

    limit_key: str
    length: int
    unit: Unit
    basis: LegalBasisRead
    started_on: date
    due_on: date | None
    state: str
    working_days_left: int | None


class CaseClockRead(BaseModel):
    case: CaseRead
    clock: ClockRead | None
    pauses: list[PauseRead]
    extensions: list[ExtensionRead]


def _clock(session: DbSession, principal: SignedIn, case_id: int) -> CaseClockRead:
    file = workbench.case_file(session=session, actor=principal, case_id=case_id)
    clock = file.clock
    return CaseClockRead(
        case=CaseRead.model_validate(file.case),
        clock=None
        if clock is None
        else ClockRead(
            limit_key=clock.rule.key,
            length=clock.rule.length,
            unit=clock.rule.unit,
            basis=LegalBasisRead(
                regulation=clock.rule.basis.regulation,
                article=clock.rule.basis.article,
                sources=list(clock.rule.basis.sources),
                status=clock.rule.basis.status,
                note=clock.rule.basis.note,
            ),
            started_on=clock.started_on,
            due_on=clock.due_on,
            state=clock.state,
            working_days_left=clock.working_days_left,
        ),
        pauses=[PauseRead.model_validate(p) for p in file.pauses],
        extensions=[
            ExtensionRead(
                limit_key=x.extension.limit_key,
                rule_key=x.extension.rule_key,
                length=x.rule.length,
                unit=x.rule.unit,
                approved_by_id=x.extension.approved_by_id,
                approved_on=x.extension.approved_on,
                reason=x.extension.reason,
            )
            for x in file.extensions
        ],
    )


@router.get("/cases/{case_id}/clock", response_model=CaseClockRead)
def get_clock(session: DbSession, principal: SignedIn, case_id: int) -> CaseClockRead:
    """The running statutory clock with its legal basis, stops and extensions."""
    return _clock(session, principal, case_id)


@router.post("/cases/{case_id}/pauses", response_model=CaseClockRead, status_code=201)
def pause_clock(
    session: DbSession, principal: SignedIn, case_id: int, body: PauseIn
) -> CaseClockRead:
    """Stop the clock for an interval its regulation does not count (409 on a stale
    ``expected_version`` or a clock already stopped)."""
    workbench.pause(
        session=session,
        actor=principal,
        case_id=case_id,
        expected_version=body.expected_version,
        kind=body.kind,
        reason=body.reason,
        start_on=body.start_on,
    )
    return _clock(session, principal, case_id)


@router.post("/cases/{case_id}/pauses/end", response_model=CaseClockRead)
def resume_clock(
    session: DbSession, principal: SignedIn, case_id: int, body: ResumeIn
) -> CaseClockRead:
    """End the open stop of the clock (its last day is ``end_on``, by default today)."""
    workbench.resume(
        session=session,
        actor=principal,
        case_id=case_id,
        expected_version=body.expected_version,
        end_on=body.end_on,
    )
    return _clock(session, principal, case_id)


@router.post("/cases/{case_id}/extensions", response_model=CaseClockRead, status_code=201)
def extend_clock(
    session: DbSession, principal: SignedIn, case_id: int, body: ExtensionIn
) -> CaseClockRead:
    """Record the extension approved by the head of the bureau (bureau leaders only)."""
    workbench.extend(
        session=session,
        actor=principal,
        case_id=case_id,
        expected_version=body.expected_version,
        reason=body.reason,
    )
    return _clock(session, principal, case_id)


class AssignTargetIn(BaseModel):
    case_id: int
    expected_version: int


class BulkAssignIn(BaseModel):
    assignee_id: int
    cases: Annotated[list[AssignTargetIn], Field(min_length=1, max_length=bulk.MAX_CASES)]


class AssignOutcomeRead(BaseModel):
    case_id: int
    reference: str | None
    assigned: bool
    version: int | None
    detail: str | None


class BulkAssignOut(BaseModel):
    assigned: int
    failed: int
    results: list[AssignOutcomeRead]


@router.post("/case-assignments", response_model=BulkAssignOut)
def assign_cases(session: DbSession, principal: SignedIn, body: BulkAssignIn) -> BulkAssignOut:
    """Assign many cases to one officer; each case is checked against its
    ``expected_version`` and reported on its own (a refused case is left unchanged)."""
    outcomes = bulk.assign_cases(
        session=session,
        actor=principal,
        assignee_id=body.assignee_id,
        targets=[bulk.Target(t.case_id, t.expected_version) for t in body.cases],
    )
    results = [
        AssignOutcomeRead(
            case_id=o.case_id,
            reference=o.reference,
            assigned=o.assigned,
            version=o.version,
            detail=None if o.message is None else english(o.message, o.params),
        )
        for o in outcomes
    ]
    assigned = sum(r.assigned for r in results)
    return BulkAssignOut(assigned=assigned, failed=len(results) - assigned, results=results)


class DurationsRead(BaseModel):
    count: int
    median: int | None
    p90: int | None


class ResponseTimesRead(BaseModel):
    kind: CaseKind | None
    to_acceptance: DurationsRead
    to_closing: DurationsRead


class DeadlineRowRead(BaseModel):
    key: str | None
    name: str
    received: int
    open: int
    overdue: int
    missed: int
    overdue_rate: float | None
    missed_rate: float | None


class MonthVolumeRead(BaseModel):
    month: str  # YYYY-MM
    counts: dict[CaseKind, int]


class CaseStatisticsRead(BaseModel):
    since: date
    today: date
    area_level: str
    volumes: list[MonthVolumeRead]
    response_times_working_days: list[ResponseTimesRead]
    by_area: list[DeadlineRowRead]
    by_kind: list[DeadlineRowRead]


def _row(row: statistics.DeadlineRow) -> DeadlineRowRead:
    return DeadlineRowRead(
        key=row.key,
        name=row.name,
        received=row.received,
        open=row.open,
        overdue=row.overdue,
        missed=row.missed,
        overdue_rate=row.overdue_rate,
        missed_rate=row.missed_rate,
    )


@router.get("/case-statistics", response_model=CaseStatisticsRead)
def case_statistics(
    session: DbSession,
    principal: SignedIn,
    months: Annotated[int, Query(ge=1, le=statistics.MAX_MONTHS)] = statistics.DEFAULT_MONTHS,
) -> CaseStatisticsRead:
    """Volumes by month and kind, response times in working days (median and 90th
    percentile) and overdue rates by area and kind, of the cases the caller may see."""
    stats = statistics.case_statistics(session=session, actor=principal, months=months)
    return CaseStatisticsRead(
        since=stats.since,
        today=stats.today,
        area_level=stats.area_level.value,
        volumes=[
            MonthVolumeRead(
                month=f"{year}-{month:02d}",
                counts={kind: values[i] for kind, values in stats.volumes.items()},
            )
            for i, (year, month) in enumerate(stats.months)
        ],
        response_times_working_days=[
            ResponseTimesRead(
                kind=r.kind,
                to_acceptance=DurationsRead(**vars(r.to_acceptance)),
                to_closing=DurationsRead(**vars(r.to_closing)),
            )
            for r in stats.response
        ],
        by_area=[_row(r) for r in stats.by_area],
        by_kind=[_row(r) for r in stats.by_kind],
    )
