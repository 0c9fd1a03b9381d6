"""The demo's inspection history: the past year's routine inspections of the caterers of
the demo's counties, as a previous system would have handed them over, with realistic
violation rates (most items pass; premises, work clothes, training and sample retention
fail most; key items rarely), then scored by the hygiene backfill — so the problems page
has a year to analyse and store pages show their faces.

The history is stored as records, not recorded through the inspector's service: it has no
signatures or photos (the paper originals stay with the stations) and sets off nothing
that follows a new inspection (rectification orders of last spring would all be overdue).
Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.principal import SYSTEM
from sunshine.cases.calendar import add_workdays
from sunshine.core.time import SHANGHAI
from sunshine.inspections import checklists, hygiene
from sunshine.inspections import repository as repo
from sunshine.inspections.enums import InspectionKind, InspectionResult, ItemOutcome
from sunshine.inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionInspector,
    InspectionItemResult,
)
from sunshine.inspections.rules import derive_result, tally
from sunshine.regions.enums import RegionLevel
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import BusinessForm
from sunshine.registry.models import Business

__all__ = ["SeededHistory", "seed_inspection_history"]

#: How often each item fails in the demo (by 2016 item code); others fail 2 % of the time.
_FAILURE_RATES = {
    "5.1": 0.14,  # premises not clean
    "4.4": 0.12,  # work clothes, hands
    "4.3": 0.10,  # training records
    "7.4": 0.09,  # sample retention
    "8.3": 0.08,  # lidded waste bins
    "5.2": 0.07,  # exhaust hood
    "7.2": 0.06,  # tools not marked
    "2.2": 0.06,  # inspection record not posted
    "9.2": 0.05,  # dishwashing equipment
    "8.4": 0.04,  # key: equipment clean and working
    "4.2": 0.035,  # key: health certificates
    "6.1": 0.025,  # key: supplier certificates
    "9.3": 0.02,  # key: tableware disinfected
    "3.1": 0.012,
    "3.2": 0.012,
    "4.1": 0.01,
}
_DEFAULT_RATE = 0.02
#: Forms without a 专间 or sample retention in the demo answer those items not applicable.
_NO_SPECIAL_ROOM = {BusinessForm.DRINKS, BusinessForm.FAST_FOOD}
_PER_COUNTY = 160
_NOTES = "现场检查发现该项不符合要求，已当场指出"


@dataclass(frozen=True)
class SeededHistory:
    inspections: int
    scored: int


def seed_inspection_history(
    *,
    session: Session,
    rng: random.Random,
    today: date,
    counties: Sequence[str],
    featured: int | None = None,
) -> SeededHistory:
    """One to three inspections in the past year of up to 160 caterers per county (and of
    the featured store), then the hygiene backfill."""
    current = checklists.in_force(session=session, code="catering", province_code=None)
    if current is None or current.result_rule is None:
        return SeededHistory(0, 0)
    items = list(repo.items_of(session, current.id))
    references: set[str] = set()
    made = 0
    stores = [
        b
        for county in counties
        for b in registry_repo.first_businesses(session, county_code=county, limit=_PER_COUNTY)
    ]
    featured_store = session.get(Business, featured) if featured else None
    if featured_store is not None and featured_store not in stores:
        stores.append(featured_store)
    county_factor = {county: 0.7 + 0.3 * n for n, county in enumerate(counties)}
    for business in stores:
        officers = _officers(session, business)
        if len(officers) < 2 or business.township_code is None:
            continue
        visits = 3 if business is featured_store else rng.choice((1, 1, 2, 2, 3))
        days = sorted(rng.sample(range(20, 340), visits), reverse=True)
        for days_ago in days:
            day = today - timedelta(days=days_ago)
            if day < business.licence_issue_date:
                continue
            factor = county_factor.get(business.county_code, 1.0)
            _store(
                session,
                rng,
                business,
                current.id,
                current.result_rule,
                items,
                day,
                officers,
                factor,
                references,
            )
            made += 1
    session.flush()
    scored = hygiene.backfill_all(session=session, actor=SYSTEM)
    return SeededHistory(made, scored)


def _officers(session: Session, business: Business) -> list[tuple[int, int]]:
    """Two officers covering the business (user id, office id), the nearest offices first:
    the station's, the county bureau's, then the city's."""
    places = [
        (RegionLevel.TOWNSHIP, business.township_code or ""),
        (RegionLevel.COUNTY, business.county_code),
        (RegionLevel.PREFECTURE, business.prefecture_code),
    ]
    rank = {level: n for n, (level, _) in enumerate(places)}
    found = sorted(
        repo.officers_covering(session, places),
        key=lambda pair: (rank.get(pair[1].region_level, 9), pair[0].id),
    )
    return [(user.id, unit.id) for user, unit in found if user.role is not Role.ADMIN][:2]


def _outcome(
    rng: random.Random, item: ChecklistItem, business: Business, factor: float
) -> ItemOutcome:
    if item.applies_to is not None and business.form.value not in item.applies_to:
        return ItemOutcome.NOT_APPLICABLE
    if item.code in ("7.3", "8.1") and business.form in _NO_SPECIAL_ROOM:
        return ItemOutcome.NOT_APPLICABLE
    rate = _FAILURE_RATES.get(item.code, _DEFAULT_RATE) * factor
    return ItemOutcome.FAIL if rng.random() < rate else ItemOutcome.PASS


def _store(
    session: Session,
    rng: random.Random,
    business: Business,
    checklist_id: int,
    rule: dict[str, object],
    items: list[ChecklistItem],
    day: date,
    officers: list[tuple[int, int]],
    factor: float,
    references: set[str],
) -> None:
    outcomes = [(item, _outcome(rng, item, business, factor)) for item in items]
    counted = tally((item.key, outcome) for item, outcome in outcomes)
    result = derive_result(rule, counted)
    started = datetime.combine(day, time(9 + rng.randrange(7), rng.randrange(60)), SHANGHAI)
    reference = _reference(rng, day, references)
    inspection = Inspection(
        reference=reference,
        business_id=business.id,
        checklist_id=checklist_id,
        kind=InspectionKind.ROUTINE,
        org_unit_id=officers[0][1],
        province_code=business.province_code,
        prefecture_code=business.prefecture_code,
        county_code=business.county_code,
        township_code=business.township_code,
        inspected_on=day,
        started_at=started,
        finished_at=started + timedelta(minutes=40 + rng.randrange(50)),
        result=result,
        key_failed=counted.key_failed,
        general_failed=counted.general_failed,
        general_checked=counted.general_checked,
        not_applicable=counted.not_applicable,
        rectify_by=day + timedelta(days=10) if result is not InspectionResult.COMPLIANT else None,
        publish_by=add_workdays(day, count=20),
        representative_name="店长",
        representative_signature="",
        remarks="历史检查记录（纸质原件存档）",
        recorded_at=started + timedelta(hours=2),
    )
    session.add(inspection)
    session.flush()
    session.add_all(
        InspectionInspector(inspection_id=inspection.id, user_id=user_id, position=n, signature="")
        for n, (user_id, _) in enumerate(officers)
    )
    session.add_all(
        InspectionItemResult(
            inspection_id=inspection.id,
            item_id=item.id,
            outcome=outcome,
            note=_NOTES if outcome is ItemOutcome.FAIL else "",
        )
        for item, outcome in outcomes
    )


def _reference(rng: random.Random, day: date, taken: set[str]) -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    while True:
        reference = f"JC{day.strftime('%Y%m%d')}-" + "".join(rng.choice(alphabet) for _ in range(6))
        if reference not in taken:
            taken.add(reference)
            return reference
