"""Jobs of the registry (主体库, 人员库): bulk imports.

The job owns its transactions (services never commit): a short one to claim the job, one per
chunk of :data:`PROGRESS_EVERY` rows that validates the chunk and records progress (so the
page can show it), then one final transaction that stores every row or none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from sunshine.core import storage
from sunshine.core.db import unit_of_work
from sunshine.core.i18n import N_
from sunshine.core.jobs import enqueue, job
from sunshine.registry import imports
from sunshine.registry.imports import ImportFailed, ImportRun, Problem

log = logging.getLogger(__name__)

IMPORT_FILE = "registry.import_file"
PROGRESS_EVERY = 200

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def enqueue_import(job_id: int) -> None:
    """Queue :func:`import_file`; call only after the ImportJob row is committed."""
    enqueue(IMPORT_FILE, job_id)


def _validate_and_store(run: ImportRun) -> None:
    sheet = imports.read_sheet(run)
    with unit_of_work() as session:
        imports.record_progress(
            session=session, job_id=run.job_id, processed=0, total=len(sheet.rows)
        )
    checker = imports.checker_for(run, sheet)
    for chunk in _chunks(sheet.rows, PROGRESS_EVERY):
        with unit_of_work() as session:
            checker.check(session=session, rows=chunk)
            imports.record_progress(session=session, job_id=run.job_id, processed=checker.processed)
    if checker.problems:
        raise ImportFailed(checker.problems)
    with unit_of_work() as session:
        imports.mark_storing(session=session, job_id=run.job_id)
    with unit_of_work() as session:
        imports.store(session=session, run=run, rows=checker.valid)


@job(IMPORT_FILE)
def import_file(job_id: int) -> None:
    """Validate every row of an uploaded file, then store all of its rows or none of them.

    Any failure, expected or not, leaves the job ``failed`` with its problems; the uploaded
    file is deleted once the job has finished (the created rows and the audit trail remain).
    """
    run_import_job(job_id, _validate_and_store)


def run_import_job(job_id: int, validate_and_store: Callable[[ImportRun], None]) -> None:
    """Claim an import job and run ``validate_and_store`` on it (every import kind's job:
    businesses, staff, ledger lines). Any failure, expected or not, leaves the job
    ``failed`` with its problems; the uploaded file is deleted once the job has finished."""
    run: ImportRun | None = None
    problems: list[Problem] | None = None
    try:
        with unit_of_work() as session:
            run = imports.begin(session=session, job_id=job_id)
        if run is None:
            return
        validate_and_store(run)
    except ImportFailed as exc:
        problems = exc.problems
    except IntegrityError:
        log.warning("import job %s collided with a concurrent change", job_id, exc_info=True)
        reason = N_("a row was registered by someone else while this import ran: import again")
        problems = [Problem(None, "", "", reason)]
    except Exception:
        log.exception("import job %s stopped on an unexpected error", job_id)
        problems = [Problem(None, "", "", N_("the import stopped on an unexpected error"))]
    stored_path = run.stored_path if run is not None else None
    if problems is not None:
        with unit_of_work() as session:
            stored_path = imports.fail(
                session=session,
                job_id=job_id,
                actor=run.actor if run is not None else None,
                problems=problems,
            )
    if stored_path:
        storage.delete(stored_path)
