"""What the public sees of a store's inspections (监督检查结果公示, Order 49 art. 39): the
date, the kind, the result, each item found wrong in plain words with what the inspector
noted, the rectification deadline and where the rectification stands (整改中 / 已整改 /
逾期未整改 / 已立案), and the store's penalty decisions (行政处罚信息公示). Nothing about who
inspected or signed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import rectification_repository as rectification_repo
from sunshine.inspections import repository as repo
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.rectification import public_status
from sunshine.inspections.rectification_enums import PublicStatus
from sunshine.inspections.rectification_penalties import PublicPenalty, public_penalties
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import BusinessCategory

ON_STORE_PAGE = 3
STORE_PAGE = PageRequest(1, ON_STORE_PAGE)


@dataclass(frozen=True)
class PublicFinding:
    code: str
    key: bool
    text: str  # the checklist item, as the table words it
    note: str  # what the inspector found


@dataclass(frozen=True)
class PublicInspection:
    inspected_on: date
    kind: InspectionKind
    result: InspectionResult
    findings: list[PublicFinding]
    rectify_by: date | None
    rectification: PublicStatus | None = None


@dataclass(frozen=True)
class StoreInspections:
    code: str
    name: str
    inspections: Page[PublicInspection]
    penalties: list[PublicPenalty] = field(default_factory=list)


def store_inspections(
    *, session: Session, code: str, page: PageRequest = STORE_PAGE
) -> StoreInspections:
    """The inspections of the store with this QR code, the latest first (404 if unknown)."""
    row = registry_repo.public_store(session, code.strip().upper())
    if row is None or row.category is not BusinessCategory.CATERER:
        raise NotFoundError(N_("No store has this code."))
    found, total = repo.public_inspections(
        session, business_id=int(row.id), offset=page.offset, limit=page.per_page
    )
    failures = repo.failed_items_of(session, [i.id for i in found])
    orders = rectification_repo.orders_of_inspections(session, [i.id for i in found])
    today = today_local()
    shown = [
        PublicInspection(
            inspected_on=i.inspected_on,
            kind=i.kind,
            result=i.result,
            findings=[
                PublicFinding(item.code, item.key, item.text_zh, result.note)
                for item, result in failures.get(i.id, [])
            ],
            rectify_by=i.rectify_by,
            rectification=public_status(orders[i.id], today) if i.id in orders else None,
        )
        for i in found
    ]
    return StoreInspections(
        code=str(row.public_code),
        name=str(row.name),
        inspections=Page(items=shown, total=total, request=page),
        penalties=public_penalties(session, int(row.id)),
    )
