"""Problems by checklist item: exact counts by item, area and business form; a flying
inspection counts only the items it checked; each regulator sees only its jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from hygiene_helpers import record
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import login, principal_of, store_of_station
from sunshine.auth import access
from sunshine.core.time import today_local
from sunshine.inspections import problems
from sunshine.inspections import problems_repository as repo
from sunshine.inspections.models import ChecklistItem, Inspection
from sunshine.inspections.problems_repository import Grouping, ProblemFilter
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessForm
from sunshine.registry.models import Business


@dataclass(frozen=True)
class World:
    a1: Business
    a2: Business
    b: Business
    a1_full: Inspection
    b_full: Inspection


@pytest.fixture
def world(session: Session) -> World:
    """County A: a restaurant (5.1 and key 4.2 failed; then a flying inspection of 5.1
    failed and 9.3 passed) and a school canteen (5.1 failed); county B: a restaurant (5.1
    and 9.3 failed). Item 7.5 (central kitchens only) does not apply in county A."""
    a1 = store_of_station(session, "chief_a")
    a2 = session.execute(
        select(Business)
        .where(Business.county_code == a1.county_code, Business.id != a1.id)
        .order_by(Business.id)
        .limit(1)
    ).scalar_one()
    b = store_of_station(session, "chief_b")
    a1.form, a2.form, b.form = (
        BusinessForm.RESTAURANT,
        BusinessForm.SCHOOL_CANTEEN,
        BusinessForm.RESTAURANT,
    )
    session.flush()
    officers_a, officers_b = ("inspector_a", "chief_a"), ("inspector_b", "chief_b")
    a1_full = record(session, a1, officers_a, failed=["5.1", "4.2"], not_applicable=["7.5"])
    record(session, a2, ("inspector_a", "city_leader"), failed=["5.1"], not_applicable=["7.5"])
    record(session, a1, officers_a, failed=["5.1"], only=["5.1", "9.3"])
    b_full = record(session, b, officers_b, failed=["5.1", "9.3"])
    session.commit()  # the portal's sessions append to the same audit chain
    return World(a1, a2, b, a1_full, b_full)


def _period() -> ProblemFilter:
    return ProblemFilter(since=today_local().replace(month=1, day=1), until=today_local())


def _by_code(session: Session, rows: list[repo.ProblemCount]) -> dict[str, tuple[int, int]]:
    items = repo.items_by_id(session, [int(r.key) for r in rows])
    return {items[int(r.key)].code: (r.failures, r.checked) for r in rows}


def test_counts_by_item_in_a_county(session: Session, world: World) -> None:
    scope = access.inspection_condition(principal_of(session, "inspector_a"))
    rows = repo.problem_counts(session, scope=scope, filters=_period(), by=Grouping.ITEM)
    counts = _by_code(session, rows)
    assert counts["5.1"] == (3, 3)  # two full inspections and the flying one
    assert counts["4.2"] == (1, 2)
    assert counts["9.3"] == (0, 3)
    assert counts["1.1"] == (0, 2)
    assert "7.5" not in counts  # not applicable wherever it was asked
    assert len(counts) == 29
    assert rows[0].failures == 3 and _by_code(session, rows[:1]) == {"5.1": (3, 3)}
    assert rows[0].rate == 1.0


def test_counts_by_area_and_form_for_the_city(session: Session, world: World) -> None:
    city = principal_of(session, "city_leader")
    scope = access.inspection_condition(city)
    areas = repo.problem_counts(
        session, scope=scope, filters=_period(), by=Grouping.AREA, area_level=RegionLevel.COUNTY
    )
    by_area = {r.key: (r.inspections, r.failures, r.checked) for r in areas}
    assert by_area == {
        world.a1.county_code: (3, 4, 29 + 29 + 2),
        world.b.county_code: (1, 2, 30),
    }
    forms = repo.problem_counts(session, scope=scope, filters=_period(), by=Grouping.FORM)
    by_form = {r.key: (r.inspections, r.failures, r.checked) for r in forms}
    assert by_form == {"restaurant": (3, 5, 29 + 2 + 30), "school_canteen": (1, 1, 29)}
    item_51 = session.execute(select(ChecklistItem.id).where(ChecklistItem.code == "5.1"))
    ids = list(item_51.scalars())
    one = next(
        i
        for i in ids
        if repo.items_by_id(session, [i])[i].checklist_id == world.a1_full.checklist_id
    )
    narrowed = ProblemFilter(_period().since, _period().until, item_id=one)
    per_area = repo.problem_counts(
        session, scope=scope, filters=narrowed, by=Grouping.AREA, area_level=RegionLevel.COUNTY
    )
    assert {r.key: (r.failures, r.checked) for r in per_area} == {
        world.a1.county_code: (3, 3),
        world.b.county_code: (1, 1),
    }
    canteens = ProblemFilter(_period().since, _period().until, form=BusinessForm.SCHOOL_CANTEEN)
    rows = repo.problem_counts(session, scope=scope, filters=canteens, by=Grouping.ITEM)
    assert _by_code(session, rows)["5.1"] == (1, 1)
    area = ProblemFilter(
        _period().since, _period().until, area=(RegionLevel.COUNTY, world.b.county_code)
    )
    rows = repo.problem_counts(session, scope=scope, filters=area, by=Grouping.ITEM)
    assert _by_code(session, rows)["5.1"] == (1, 1)


def test_a_period_without_inspections_counts_nothing(session: Session, world: World) -> None:
    scope = repo.region_scope(RegionLevel.PROVINCE, "510000")
    last_year = today_local().year - 1
    empty = ProblemFilter(
        since=today_local().replace(year=last_year, month=1, day=1),
        until=today_local().replace(year=last_year, month=12, day=31),
    )
    assert repo.problem_counts(session, scope=scope, filters=empty) == []
    assert len(repo.problem_counts(session, scope=scope, filters=_period())) == 30


def test_the_report_names_areas_and_items(session: Session, world: World) -> None:
    report = problems.problem_report(
        session=session, actor=principal_of(session, "city_leader"), filters=_period()
    )
    assert report.area_level is RegionLevel.COUNTY
    assert report.inspections == 4 and report.failures == 6
    assert report.items[0].item.code == "5.1" and report.items[0].count.failures == 4
    assert all(row.name for row in report.by_area)


def _cell(html: str, code: str, cls: str) -> int:
    row = re.search(rf'<tr data-item="{re.escape(code)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None, code
    found = re.search(rf'class="text-end {cls}">(\d+)<', row.group(1))
    assert found is not None
    return int(found.group(1))


def test_a_station_of_another_county_sees_none_of_its_neighbours_counts(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, "inspector_b")
    page = client.get("/gov/inspections/problems")
    assert page.status_code == 200
    assert _cell(page.text, "5.1", "failures") == 1
    assert _cell(page.text, "5.1", "checked") == 1
    assert _cell(page.text, "4.2", "failures") == 0  # county A's key failure is not seen
    assert 'id="chart-items"' in page.text and "<svg" in page.text
    item = session.execute(
        select(ChecklistItem).where(
            ChecklistItem.code == "5.1",
            ChecklistItem.checklist_id == world.a1_full.checklist_id,
        )
    ).scalar_one()
    listed = client.get(f"/gov/inspections/problems/items/{item.id}")
    assert listed.status_code == 200
    assert world.b_full.reference in listed.text
    assert world.a1_full.reference not in listed.text
    assert 'id="failing-count"' in listed.text


def test_the_county_sees_its_failures_and_can_open_them(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, "inspector_a")
    page = client.get("/gov/inspections/problems", params={"form": "school_canteen"})
    assert page.status_code == 200
    assert _cell(page.text, "5.1", "failures") == 1
    assert _cell(page.text, "4.2", "failures") == 0
    bad = client.get("/gov/inspections/problems", params={"since": "yesterday"})
    assert bad.status_code == 422


def test_the_public_cannot_see_problem_counts(client: TestClient, world: World) -> None:
    page = client.get("/gov/inspections/problems")
    assert page.status_code in (302, 303, 401, 403)


@pytest.mark.parametrize("level", [RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
def test_the_page_s_single_read_counts_what_each_grouping_counts(
    session: Session, world: World, level: RegionLevel
) -> None:
    """The report reads the period once (a cube by item, area and form) and rolls it up;
    every roll-up equals the grouping's own query, narrowed to an item or not."""
    scope = access.inspection_condition(principal_of(session, "city_leader"))
    cube = repo.problem_cube(session, scope=scope, filters=_period(), area_level=level)
    narrowed_to = [None, *(int(r.key) for r in cube.counts(Grouping.ITEM))]
    for by in Grouping:
        for item_id in narrowed_to if by is not Grouping.ITEM else [None]:
            filters = ProblemFilter(_period().since, _period().until, item_id=item_id)
            expected = repo.problem_counts(
                session, scope=scope, filters=filters, by=by, area_level=level
            )
            assert cube.counts(by, item_id=item_id) == expected, (by, item_id)
    assert cube.counts(Grouping.ITEM)  # the fixture's failures are there
