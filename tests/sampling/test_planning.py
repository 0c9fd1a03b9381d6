"""Sampling plans and tasks: made by the heads of offices, a task goes to the office
responsible for the business, and recording its sample closes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sampling_support import sample_form
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, principal_of
from sunshine.core.errors import ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.time import today_local
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business
from sunshine.sampling import planning, service
from sunshine.sampling.enums import ProductCategory, TaskStatus
from sunshine.sampling.planning import PlanForm, TaskForm


@pytest.fixture
def store(session: Session, demo: Demo) -> Business:
    found = session.get(Business, demo.account("owner_a")["business_id"])
    assert found is not None
    return found


def _plan_form(**targets: str) -> PlanForm:
    return PlanForm(
        year=str(today_local().year),
        name="锦江区食品安全监督抽检计划",
        targets=targets or {"condiment": "30", "tableware": "50"},
    )


def test_a_plan_its_task_and_the_sample_that_does_it(session: Session, store: Business) -> None:
    leader = principal_of(session, "city_leader")
    plan = planning.create_plan(session=session, actor=leader, form=_plan_form())
    due = (today_local() + timedelta(days=1)).isoformat()
    if due[:4] != str(plan.year):
        pytest.skip("the last day of the year: no day of this year's plan is left")
    task = planning.create_task(
        session=session,
        actor=leader,
        form=TaskForm(
            plan_id=plan.id, business=store.licence_number, category="condiment", due_on=due
        ),
    )
    station = session.execute(
        select(OrgUnit).where(OrgUnit.region_code == store.township_code)
    ).scalar_one()
    assert (task.org_unit_id, task.status) == (station.id, TaskStatus.OPEN)
    # The county's inspector sees the city's plan and the task in the county.
    inspector = principal_of(session, "inspector_a")
    views = planning.list_plans(session=session, actor=inspector, year=plan.year)
    assert [v.plan.id for v in views] == [plan.id]
    assert [t.id for t, _ in planning.open_tasks(session=session, actor=inspector)] == [task.id]
    sample = service.record_sample(
        session=session,
        actor=inspector,
        form=sample_form(store.id, task_id=task.id),
    )
    assert (sample.task_id, sample.plan_id, task.status) == (task.id, plan.id, TaskStatus.DONE)
    view = planning.plan_file(session=session, actor=inspector, plan_id=plan.id).view
    progress = {t.category: (t.target, t.taken) for t in view.targets}
    assert progress == {ProductCategory.TABLEWARE: (50, 0), ProductCategory.CONDIMENT: (30, 1)}
    # A done task takes no second sample. The neighbouring county, also under the city's
    # plan, sees the plan but neither the task nor the sample of county A.
    with pytest.raises(ValidationFailed) as refused:
        service.record_sample(
            session=session, actor=inspector, form=sample_form(store.id, task_id=task.id)
        )
    assert "task_id" in {p.field for p in refused.value.problems}
    neighbour = principal_of(session, "inspector_b")
    seen = planning.list_plans(session=session, actor=neighbour, year=plan.year)
    assert [(v.plan.id, v.taken_total) for v in seen] == [(plan.id, 0)]
    assert planning.plan_file(session=session, actor=neighbour, plan_id=plan.id).tasks == []
    with pytest.raises(NotFoundError):
        planning.get_task(session=session, actor=neighbour, task_id=task.id)


def test_plans_and_tasks_refuse_bad_input_and_inspectors(session: Session, store: Business) -> None:
    leader = principal_of(session, "city_leader")
    with pytest.raises(ForbiddenError):
        planning.create_plan(
            session=session, actor=principal_of(session, "inspector_a"), form=_plan_form()
        )
    with pytest.raises(ValidationFailed) as refused:
        planning.create_plan(
            session=session,
            actor=leader,
            form=PlanForm(year="1999", name="", targets={"condiment": "-3", "spices": "4"}),
        )
    fields = {p.field for p in refused.value.problems}
    assert {"year", "name", "targets.condiment", "targets.spices"} <= fields
    plan = planning.create_plan(session=session, actor=leader, form=_plan_form())
    with pytest.raises(ValidationFailed) as refused:
        planning.create_task(
            session=session,
            actor=leader,
            form=TaskForm(plan_id=plan.id, business="NOSUCH", category="x", due_on="2001-01-01"),
        )
    assert {p.field for p in refused.value.problems} == {"business", "category", "due_on"}


def test_the_plan_pages(new_client: Callable[[str], TestClient], session: Session) -> None:
    leader = new_client("leader")
    token = csrf_of(leader, "/gov/sampling/plans")
    created = leader.post(
        "/gov/sampling/plans",
        data={
            "csrf_token": token,
            "year": str(today_local().year),
            "name": "四川省餐饮食品抽检计划",
            "target-catering_food": "200",
        },
    )
    assert created.status_code == 303, created.text[:1000]
    page = leader.get(created.headers["location"], headers={"accept": "text/html"})
    assert page.status_code == 200 and "四川省餐饮食品抽检计划" in page.text
    assert 'data-category="catering_food"' in page.text
    inspector = new_client("inspector_b")
    listing = inspector.get("/gov/sampling/plans", headers={"accept": "text/html"})
    assert "四川省餐饮食品抽检计划" in listing.text  # the province's plan covers every county
    assert 'id="plan-form"' not in listing.text  # inspectors do not make plans
