"""What the public sees of a store's sampling (抽检结果): completed samples only.

Each result shows the day sampled, the product and batch, the conclusion and, for a
failed sample, each failed item in plain language (what was found, what the standard
allows). Nothing about who sampled or the case that followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_, Message
from sunshine.core.pagination import Page, PageRequest
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import BusinessCategory
from sunshine.sampling import repository as repo
from sunshine.sampling.enums import Comparator, Conclusion, ProductCategory
from sunshine.sampling.models import Sample, SampleItem

#: How many results the store page shows (the rest are one link away).
ON_STORE_PAGE = 5
STORE_PAGE = PageRequest(1, ON_STORE_PAGE)

_PLAIN = {
    Comparator.AT_MOST: N_(
        "{item}: {result} found; the standard ({standard}) allows at most {limit}"
    ),
    Comparator.BELOW: N_(
        "{item}: {result} found; the standard ({standard}) allows less than {limit}"
    ),
    Comparator.AT_LEAST: N_(
        "{item}: {result} found; the standard ({standard}) requires at least {limit}"
    ),
    Comparator.ABOVE: N_(
        "{item}: {result} found; the standard ({standard}) requires more than {limit}"
    ),
    Comparator.NOT_DETECTED: N_(
        "{item} was found ({result}); the standard ({standard}) does not allow any"
    ),
    Comparator.QUALITATIVE: N_(
        "{item}: the result was {result}; the standard ({standard}) requires {limit}"
    ),
}


@dataclass(frozen=True)
class PublicResult:
    sampled_on: date
    product_name: str
    category: ProductCategory
    batch_number: str
    conclusion: Conclusion
    failures: list[Message]  # each failed item in plain language
    lab_name: str | None
    report_date: date | None


@dataclass(frozen=True)
class StoreSampling:
    code: str
    name: str
    results: Page[PublicResult]


def plain_failure(item: SampleItem) -> Message:
    """A failed item as a diner reads it, e.g. "铅: 0.35 mg/kg found; the standard
    (GB 2762-2022) allows at most 0.2 mg/kg"."""
    result = " ".join(part for part in (item.result_text or "", item.result_unit or "") if part)
    if item.comparator is Comparator.NOT_DETECTED and item.result_value is None:
        result = item.result_text or ""
    limit = " ".join(part for part in (item.limit_text, item.unit) if part)
    return Message(
        _PLAIN[item.comparator],
        {"item": item.name, "result": result, "standard": item.standard, "limit": limit},
    )


def _conclusion(sample: Sample) -> Conclusion:
    if sample.conclusion is None:  # a completed sample always has one
        raise ValueError(f"completed sample {sample.id} has no conclusion")
    return sample.conclusion


def store_sampling(*, session: Session, code: str, page: PageRequest = STORE_PAGE) -> StoreSampling:
    """The completed samples of the store with this QR code (404 for unknown codes)."""
    row = registry_repo.public_store(session, code.strip().upper())
    if row is None or row.category is not BusinessCategory.CATERER:
        raise NotFoundError(N_("No store has this code."))
    samples, total = repo.published_samples(
        session, business_id=int(row.id), offset=page.offset, limit=page.per_page
    )
    failed = repo.failed_items_of(session, [s.id for s in samples if s.failed_items])
    results = [
        PublicResult(
            sampled_on=s.sampled_on,
            product_name=s.product_name,
            category=s.category,
            batch_number=s.batch_number,
            conclusion=_conclusion(s),
            failures=[plain_failure(item) for item in failed.get(s.id, [])],
            lab_name=s.lab_name,
            report_date=s.report_date,
        )
        for s in samples
    ]
    return StoreSampling(
        code=str(row.public_code),
        name=str(row.name),
        results=Page(items=results, total=total, request=page),
    )
