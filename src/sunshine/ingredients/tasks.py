"""Jobs of the ingredients domain: importing a ledger file (all or nothing).

Shaped like ``registry.import_file``: a short transaction claims the job, one per chunk of
rows validates it and records progress (the job page shows it), one final transaction
stores every line or none.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from sunshine.core import storage
from sunshine.core.db import unit_of_work
from sunshine.core.i18n import N_
from sunshine.core.jobs import enqueue, job
from sunshine.ingredients import imports as ledger_imports
from sunshine.registry import imports
from sunshine.registry.imports import ImportFailed, ImportRun, Problem

log = logging.getLogger(__name__)

IMPORT_LEDGER = "ingredients.import_ledger"
PROGRESS_EVERY = 200


def enqueue_import(job_id: int) -> None:
    """Queue :func:`import_ledger`; call only after the ImportJob row is committed."""
    enqueue(IMPORT_LEDGER, job_id)


def _validate_and_store(run: ImportRun) -> None:
    sheet = imports.read_sheet(run)
    with unit_of_work() as session:
        imports.record_progress(
            session=session, job_id=run.job_id, processed=0, total=len(sheet.rows)
        )
    checker = ledger_imports.checker_for(run, sheet)
    for start in range(0, len(sheet.rows), PROGRESS_EVERY):
        with unit_of_work() as session:
            checker.check(session=session, rows=sheet.rows[start : start + PROGRESS_EVERY])
            imports.record_progress(session=session, job_id=run.job_id, processed=checker.processed)
    if checker.problems:
        raise ImportFailed(checker.problems)
    with unit_of_work() as session:
        imports.mark_storing(session=session, job_id=run.job_id)
    with unit_of_work() as session:
        ledger_imports.store(session=session, run=run, rows=checker.valid)


@job(IMPORT_LEDGER)
def import_ledger(job_id: int) -> None:
    """Validate every row of a ledger file, then store all of its lines or none of them."""
    run: ImportRun | None = None
    problems: list[Problem] | None = None
    try:
        with unit_of_work() as session:
            run = imports.begin(session=session, job_id=job_id)
        if run is None:
            return
        _validate_and_store(run)
    except ImportFailed as exc:
        problems = exc.problems
    except IntegrityError:
        log.warning("ledger import %s collided with a concurrent change", job_id, exc_info=True)
        problems = [
            Problem(
                None,
                "",
                "",
                N_("a row was registered by someone else while this import ran: import again"),
            )
        ]
    except Exception:
        log.exception("ledger import %s stopped on an unexpected error", job_id)
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
