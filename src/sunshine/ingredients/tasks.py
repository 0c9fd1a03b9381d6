"""Jobs of the ingredients domain: importing a ledger file (all or nothing).

Shaped like ``registry.import_file``: a short transaction claims the job, one per chunk of
rows validates it and records progress (the job page shows it), one final transaction
stores every line or none.
"""

from __future__ import annotations

import logging

from sunshine.core.db import unit_of_work
from sunshine.core.jobs import enqueue, job
from sunshine.ingredients import imports as ledger_imports
from sunshine.registry import imports
from sunshine.registry.imports import ImportFailed, ImportRun
from sunshine.registry.tasks import run_import_job

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
    run_import_job(job_id, _validate_and_store)
