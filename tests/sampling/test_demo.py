"""The demo's sampling: samples at caterers of both demo counties, a few failed (each with
its case), a few at the laboratory, the city's plan with open tasks; the same each time."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.sampling.demo import seed_sampling
from sunshine.sampling.enums import Conclusion, SampleStatus, TaskStatus
from sunshine.sampling.models import Sample, SamplingTask


def test_the_demo_samples(session: Session, demo: Demo) -> None:
    owner_store = demo.account("owner_a")["business_id"]
    seeded = seed_sampling(
        session=session,
        rng=random.Random("sampling-7"),
        today=demo.today,
        counties=demo.counties,
        featured=owner_store,
    )
    samples = session.execute(select(Sample)).scalars().all()
    assert seeded.samples == len(samples) == 36
    assert {s.county_code for s in samples} == set(demo.counties)
    failed = [s for s in samples if s.conclusion is Conclusion.UNQUALIFIED]
    assert len(failed) == seeded.failed == 4
    cases = session.execute(select(Case).where(Case.kind == CaseKind.SAMPLING)).scalars().all()
    assert sorted(c.id for c in cases) == sorted(s.case_id for s in failed)
    assert sum(s.status is SampleStatus.SAMPLED for s in samples) == seeded.awaiting == 4
    own = [s for s in samples if s.business_id == owner_store]
    assert {s.conclusion for s in own} >= {Conclusion.QUALIFIED, Conclusion.UNQUALIFIED}
    tasks = session.execute(select(SamplingTask)).scalars().all()
    assert len(tasks) == seeded.tasks >= 3 and all(t.status is TaskStatus.OPEN for t in tasks)
    assert {s.plan_id for s in samples} - {None}  # the year's samples count towards the plan
