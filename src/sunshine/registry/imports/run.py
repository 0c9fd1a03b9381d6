"""Import jobs: creating, finding and listing them, and running one (claim, fail, store).

The running functions are called by the job ``registry.import_file`` (``registry/tasks.py``),
which owns every transaction; nothing here commits."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import BinaryIO, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core import storage
from sunshine.core.errors import DomainError, ForbiddenError, NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.time import utc_now
from sunshine.regions import repository as regions_repo
from sunshine.registry import repository as repo
from sunshine.registry import service as registry
from sunshine.registry.imports.checks import ValidRow
from sunshine.registry.imports.columns import COLUMNS
from sunshine.registry.imports.model import (
    ACTIVE_STATUSES,
    MAX_PROBLEMS,
    RECENT_JOBS,
    ImportFailed,
    ImportKind,
    ImportRun,
    ImportStatus,
    Problem,
)
from sunshine.registry.models import ImportJob
from sunshine.registry.schemas import BusinessCreate, StaffCreate

# Jobs: create, find, list ----------------------------------------------------------------


def _require_may_import(actor: Principal, kind: ImportKind) -> None:
    if actor.user_id is None:
        raise ForbiddenError(N_("Sign in first."))
    if kind is ImportKind.BUSINESSES:
        access.require_regulator(actor)
    else:
        if not actor.is_enterprise or actor.business_id is None:
            raise ForbiddenError(N_("Staff imports are for business accounts."))
        access.require_business_editor(actor)


def create_import(
    *, session: Session, actor: Principal, kind: ImportKind, filename: str, source: BinaryIO
) -> ImportJob:
    """Keep an uploaded file and queue its import (the caller commits, then enqueues)."""
    _require_may_import(actor, kind)
    business_id = None
    if kind is ImportKind.STAFF:
        assert actor.business_id is not None
        business_id = registry.get_business(
            session=session, actor=actor, business_id=actor.business_id
        ).id
    token = secrets.token_hex(16)
    stored = storage.save_upload(area="imports", token=token, filename=filename, source=source)
    assert actor.user_id is not None
    job = ImportJob(
        token=token,
        kind=kind.value,
        status=ImportStatus.QUEUED.value,
        filename=storage.clean_filename(filename),
        stored_path=stored.relative_path,
        created_by_id=actor.user_id,
        business_id=business_id,
        errors=[],
    )
    session.add(job)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import.create",
        entity_type="import_job",
        entity_id=job.id,
        after={"token": token, "kind": kind.value, "filename": job.filename, "size": stored.size},
    )
    return job


def _scope(actor: Principal, kind: ImportKind) -> ColumnElement[bool]:
    return repo.import_job_scope(
        kind=kind.value,
        user_id=actor.user_id if actor.is_regulator else None,
        org_unit_id=actor.org_unit_id if actor.is_regulator else None,
        business_id=actor.business_id if actor.is_enterprise else None,
    )


def get_import(*, session: Session, actor: Principal, kind: ImportKind, token: str) -> ImportJob:
    """One import job the actor may see (404 otherwise, so its existence is not revealed)."""
    job = repo.get_import_job_in_scope(session, token=token, scope=_scope(actor, kind))
    if job is None:
        raise NotFoundError(N_("No such import"))
    return job


def list_imports(*, session: Session, actor: Principal, kind: ImportKind) -> Sequence[ImportJob]:
    """The most recent import jobs the actor may see, newest first."""
    return repo.recent_import_jobs(session, scope=_scope(actor, kind), limit=RECENT_JOBS)


def is_active(job: ImportJob) -> bool:
    return job.status in ACTIVE_STATUSES


def percent(job: ImportJob) -> int:
    if job.status in (ImportStatus.SUCCEEDED, ImportStatus.STORING):
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.processed_rows / job.total_rows))


# Running a job (called by registry/tasks.py, which commits) ---------------------------------


def _job(session: Session, job_id: int) -> ImportJob:
    job = repo.get_import_job_by_id(session, job_id)
    if job is None:
        raise LookupError(f"import job {job_id} does not exist")
    return job


def begin(*, session: Session, job_id: int) -> ImportRun | None:
    """Claim a queued job (``None`` when it is gone or already ran: a redelivered message)."""
    job = repo.get_import_job_by_id(session, job_id)
    if job is None or job.status != ImportStatus.QUEUED:
        return None
    user = auth_repo.get_user(session, job.created_by_id)
    if user is None or not user.is_active:
        raise ImportFailed(
            [Problem(None, "", "", N_("the account that started this import is no longer active"))]
        )
    actor = auth_service.principal_for(session, user)
    kind = ImportKind(job.kind)
    try:
        _require_may_import(actor, kind)
        if kind is ImportKind.STAFF:
            assert job.business_id is not None
            registry.get_business(session=session, actor=actor, business_id=job.business_id)
    except DomainError as exc:
        raise ImportFailed([Problem.of(None, "", "", exc.as_message())]) from exc
    job.status = ImportStatus.VALIDATING.value
    job.processed_rows = 0
    return ImportRun(
        job_id=job.id,
        token=job.token,
        kind=kind,
        stored_path=job.stored_path,
        actor=actor,
        business_id=job.business_id,
    )


def record_progress(
    *, session: Session, job_id: int, processed: int, total: int | None = None
) -> None:
    job = _job(session, job_id)
    job.processed_rows = processed
    if total is not None:
        job.total_rows = total


def mark_storing(*, session: Session, job_id: int) -> None:
    job = _job(session, job_id)
    job.status = ImportStatus.STORING.value
    job.processed_rows = job.total_rows


def fail(*, session: Session, job_id: int, actor: Principal | None, problems: list[Problem]) -> str:
    """Mark the job failed with its problems (the first :data:`MAX_PROBLEMS` are kept).

    Returns the stored file's path, for the job to delete once this is committed.
    """
    job = _job(session, job_id)
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))  # stable
    kept = [p.as_dict() for p in ordered[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        reason = N_("{count} more problems are not listed")
        kept.append(Problem(None, "", "", reason, {"count": more}).as_dict())
    job.status = ImportStatus.FAILED.value
    job.errors = kept
    job.stored_rows = 0
    job.finished_at = utc_now()
    audit.record(
        session=session,
        actor=actor or SYSTEM,
        action="import.fail",
        entity_type="import_job",
        entity_id=job.id,
        after={"token": job.token, "status": job.status, "problems": len(problems)},
    )
    return job.stored_path


# Storing -------------------------------------------------------------------------------------


def _store_problems(kind: ImportKind, row: int, exc: DomainError) -> list[Problem]:
    headings = {c.key: c.heading for c in COLUMNS[kind]}
    if not exc.problems:
        return [Problem.of(row, "", "", exc.as_message())]
    return [
        Problem(row, headings.get(p.field, p.field), "", p.message, p.params) for p in exc.problems
    ]


M = TypeVar("M", bound=BaseModel)


def _datas(rows: Sequence[ValidRow], model: type[M]) -> list[M]:
    return [r.data for r in rows if isinstance(r.data, model)]


def _create(session: Session, run: ImportRun, data: BaseModel) -> int:
    if isinstance(data, BusinessCreate):
        return registry.create_business(session=session, actor=run.actor, data=data).id
    assert isinstance(data, StaffCreate) and run.business_id is not None
    staff = registry.add_staff(
        session=session, actor=run.actor, business_id=run.business_id, data=data
    )
    return staff.id


def store(*, session: Session, run: ImportRun, rows: Sequence[ValidRow]) -> int:
    """Create every row through the registry service (each audited); mark the job succeeded.

    The service re-checks every rule, so a row that became a duplicate since validation (a
    concurrent registration) fails the whole import rather than slipping through.
    """
    job = _job(session, run.job_id)
    ids: list[int] = []
    # Keep the rows' regions loaded: the service's lookups then hit the identity map.
    regions = regions_repo.get_regions(
        session, sorted({d.region_code for d in _datas(rows, BusinessCreate)})
    )
    # Each created row is flushed by the service; other queries need not flush again.
    with session.no_autoflush:
        for item in rows:
            try:
                ids.append(_create(session, run, item.data))
            except DomainError as exc:
                raise ImportFailed(_store_problems(run.kind, item.row, exc)) from exc
    del regions
    entity_type = "business" if run.kind is ImportKind.BUSINESSES else "staff"
    return succeed(session=session, actor=run.actor, job=job, ids=ids, entity_type=entity_type)


def succeed(
    *, session: Session, actor: Principal, job: ImportJob, ids: list[int], entity_type: str
) -> int:
    """Mark a job stored, every row of it (``ids``: the records it created), audited."""
    job.status = ImportStatus.SUCCEEDED.value
    job.processed_rows = job.total_rows
    job.stored_rows = len(ids)
    job.errors = []
    job.finished_at = utc_now()
    audit.record(
        session=session,
        actor=actor,
        action="import.succeed",
        entity_type="import_job",
        entity_id=job.id,
        after={
            "token": job.token,
            "kind": job.kind,
            "stored_rows": len(ids),
            "entity_type": entity_type,
            "created_ids": ids,
        },
    )
    return len(ids)
