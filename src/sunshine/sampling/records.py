"""Reading samples (抽检): a sample's file, the lists of regulators and of a business, the
sample behind a case, and who may fetch a sample's report files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.core import evidence
from sunshine.core.errors import NotFoundError
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.registry.models import Business
from sunshine.sampling import repository as repo
from sunshine.sampling.models import Sample, SampleItem, SamplingPlan, SamplingTask

OWNER = "sample"  # evidence owner type of report files


def visible_sample(session: Session, actor: Principal, sample_id: int) -> Sample:
    """The sample if the actor may see it (404 otherwise, so existence is not revealed)."""
    sample = repo.get_sample(session, sample_id=sample_id, scope=access.sample_condition(actor))
    if sample is None:
        raise NotFoundError(N_("No such sample"))
    return sample


@dataclass(frozen=True)
class SampleFile:
    """A sample with everything its page shows."""

    sample: Sample
    business: Business
    items: Sequence[SampleItem]
    files: Sequence[EvidenceFile]
    case: Case | None
    plan: SamplingPlan | None
    task: SamplingTask | None


def sample_file(*, session: Session, actor: Principal, sample_id: int) -> SampleFile:
    """One sample the actor may see (404 otherwise), with its items, files and case."""
    sample = visible_sample(session, actor, sample_id)
    business = session.get(Business, sample.business_id)
    assert business is not None
    case = None
    if sample.case_id is not None and actor.is_regulator:
        case = session.get(Case, sample.case_id)
    plan = session.get(SamplingPlan, sample.plan_id) if sample.plan_id else None
    task = session.get(SamplingTask, sample.task_id) if sample.task_id else None
    files = evidence.files_of(session, owner_type=OWNER, owner_ids=[sample.id]).get(sample.id, [])
    return SampleFile(
        sample=sample,
        business=business,
        items=repo.items_of(session, sample.id),
        files=files,
        case=case,
        plan=plan,
        task=task,
    )


def sample_of_case(*, session: Session, actor: Principal, case_id: int) -> Sample:
    """The sample behind a verification and disposal case (404 when none, or not visible)."""
    access.require_regulator(actor)
    sample = repo.sample_of_case(session, case_id=case_id, scope=access.sample_condition(actor))
    if sample is None:
        raise NotFoundError(N_("No such sample"))
    return sample


def list_samples(
    *, session: Session, actor: Principal, filters: repo.SampleFilter, page: PageRequest
) -> Page[tuple[Sample, str]]:
    """Samples the actor may see, the latest first, with their business's name."""
    rows, total = repo.page_samples(
        session,
        scope=access.sample_condition(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def business_samples(
    *, session: Session, actor: Principal, business: Business, page: PageRequest
) -> tuple[Page[tuple[Sample, str]], dict[int, list[SampleItem]]]:
    """A business's own samples (the enterprise portal, read-only) with their failed items."""
    result = list_samples(
        session=session,
        actor=actor,
        filters=repo.SampleFilter(business_id=business.id),
        page=page,
    )
    failed = repo.failed_items_of(session, [sample.id for sample, _ in result.items])
    return result, failed


def evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    """Report files: the regulators who see the sample and the business itself, in full."""
    sample = repo.get_sample(session, sample_id=owner_id, scope=access.sample_condition(actor))
    return evidence.Access.ORIGINAL if sample is not None else evidence.Access.NONE
