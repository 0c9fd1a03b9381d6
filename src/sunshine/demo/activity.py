"""A working province, not just a registry: the demo's cases, reviews, complaints, reports,
insurance cover and inbox messages around its two counties, each made by its own domain's
seeder through the real services. ``sunshine demo`` runs it after the registry is seeded
(the test fixtures do not, so tests start from a quiet province)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.principal import SYSTEM
from sunshine.cases.demo import seed_cases
from sunshine.cogovernance.demo import seed_cogovernance
from sunshine.cogovernance.reviews.demo import seed_reviews
from sunshine.demo.seed import SeedResult
from sunshine.ingredients import analytics
from sunshine.ingredients.demo import seed_ledger
from sunshine.ingredients.shipments_demo import seed_shipments
from sunshine.inspections.demo import seed_plans
from sunshine.inspections.hygiene_demo import seed_inspection_history
from sunshine.inspections.rectification_demo import seed_rectification
from sunshine.inspections.self_demo import seed_self_inspections
from sunshine.kitchen.demo import seed_kitchen_demo
from sunshine.notifications.demo import seed_notifications
from sunshine.registry.models import Business
from sunshine.sampling.demo import seed_sampling
from sunshine.traceability.trace_demo import seed_trace


@dataclass(frozen=True)
class ActivitySeeded:
    cases: int
    reviews: int
    complaints: int
    reports: int
    policies: int
    messages: int


def seed_activity(
    *, session: Session, result: SeedResult, seed: int, today: date
) -> ActivitySeeded:
    owner_store = next((a.business_id for a in result.accounts if a.username == "owner_a"), None)
    local = list(
        session.execute(
            select(Business.id).where(Business.county_code.in_(result.focus_counties))
        ).scalars()
    )
    cases = seed_cases(
        session=session,
        rng=random.Random(f"cases-{seed}"),
        today=today,
        counties=result.focus_counties,
    )
    reviews = seed_reviews(
        session=session,
        rng=random.Random(f"reviews-{seed}"),
        businesses=local,
        today=today,
        featured=[owner_store] if owner_store else [],
    )
    cogovernance = seed_cogovernance(
        session=session,
        seed=seed,
        today=today,
        counties=result.focus_counties,
        owner_store_id=owner_store,
    )
    seed_sampling(  # samples (a few failed, opening their cases), a plan and its tasks
        session=session,
        rng=random.Random(f"sampling-{seed}"),
        today=today,
        counties=result.focus_counties,
        featured=owner_store,
    )
    messages = seed_notifications(
        session=session, usernames=[a.username for a in result.accounts], today=today
    )
    seed_plans(session=session, seed=seed, today=today)  # plans, a published draw, tasks
    seed_rectification(session=session, today=today)  # orders answered, overdue, one fined
    seed_self_inspections(  # four weeks of businesses' self-inspections and their to-dos
        session=session, seed=seed, today=today, counties=result.focus_counties
    )
    seed_inspection_history(  # last year's inspections, scored for the hygiene rating
        session=session,
        rng=random.Random(f"inspection-history-{seed}"),
        today=today,
        counties=result.focus_counties,
        featured=owner_store,
    )
    seed_ledger(  # a product library, suppliers, a year of purchase ledgers, planted anomalies
        session=session,
        seed=seed,
        today=today,
        counties=result.focus_counties,
        featured=owner_store,
    )
    # supplier_a's shipments to stores A1 and A2 (received, partial, refused, pending,
    # unconfirmed) and a lot received in more quantity than was shipped
    seed_shipments(session=session, today=today, store_id=owner_store)
    # a multi-tier chain of EPCIS events through a central kitchen, and one batch recall
    seed_trace(session=session, today=today, county=result.focus_counties[0], featured=owner_store)
    # kitchen cameras of stores A1, A2 and B playing clips built from ../shared, and the
    # alerts the real detectors and rules raised on those clips over the last 60 days
    seed_kitchen_demo(session=session, seed=seed)
    # the nightly anomaly rules once, so the planted anomalies are risk signals already
    analytics.run_all(session=session, actor=SYSTEM, today=today)
    return ActivitySeeded(
        cases=cases.cases,
        reviews=reviews.reviews,
        complaints=cogovernance.complaints,
        reports=cogovernance.reports,
        policies=cogovernance.policies,
        messages=messages,
    )
