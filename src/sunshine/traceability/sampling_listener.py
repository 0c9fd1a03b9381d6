"""Recall a batch when a sample of it fails (抽检不合格 → 批次召回).

Registered on :mod:`sunshine.sampling.hooks`: the failed sample names a product and a batch
at a business; the business's purchase-ledger lines of that batch (product name compared
loosely) give the lot(s), and each lot not already under an open recall is recalled, with
the sampled business a holder even where no event says it received the lot. The sampling
service records the results as a regulator; the recall is opened by the platform acting
for the province's regulators (a recall crosses county lines), audited as ``traceability``.
A lot the recall cannot be opened for (an unknown lot, one already recalled) is skipped,
inside a savepoint, so the sample's results are recorded whatever happens here.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, NotFoundError, ValidationFailed
from sunshine.regions.enums import RegionLevel
from sunshine.sampling import hooks
from sunshine.sampling.service import failure_text
from sunshine.traceability import recall, trace
from sunshine.traceability import trace_repository as repo
from sunshine.traceability.recall_enums import RecallLevel, RecallOrigin

log = logging.getLogger(__name__)


def _platform(province_code: str) -> Principal:
    return Principal(
        user_id=None,
        username="traceability",
        display_name="traceability",
        role=Role.ADMIN,
        jurisdiction_code=province_code,
        jurisdiction_level=RegionLevel.PROVINCE,
    )


@hooks.listen
def recall_failed_batch(session: Session, failed: hooks.FailedSample) -> None:
    sample = failed.sample
    lines = repo.ledger_lines_of_batch(
        session,
        business_id=sample.business_id,
        batch=sample.batch_number.strip(),
        product_name=sample.product_name,
    )
    lots = {trace.line_lot(session, line.id)[0] for line in lines}
    reasons = "；".join(failure_text(item) for item in failed.failed_items)
    actor = _platform(sample.province_code)
    header = f"抽检不合格（样品 {sample.reference}，案件 {failed.case.reference}）："
    for lot in sorted(lots):
        form = recall.RecallForm(
            lot=lot,
            reason=f"{header}{reasons}"[:2000],
            level=RecallLevel.LEVEL_2.value,
            scope="本批次全部收货主体",
            product_label=sample.product_name,
        )
        try:
            with session.begin_nested():
                recall.open_recall(
                    session=session,
                    actor=actor,
                    form=form,
                    origin=RecallOrigin.SAMPLING,
                    sample_id=sample.id,
                    also_holding=frozenset({sample.business_id}),
                )
        except (ConflictError, NotFoundError, ValidationFailed) as exc:
            log.info("no recall for lot %s of sample %s: %s", lot, sample.reference, exc)
