"""The sampling dashboard's failure rates, and the store page's 抽检结果 (completed only)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sampling_support import BENZOATE, COLIFORMS, LEAD, sample_form
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.core.time import today_local
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business
from sunshine.sampling import public, service, statistics

HTML = {"accept": "text/html"}


@pytest.fixture
def caterers(session: Session, demo: Demo) -> list[Business]:
    """Two caterers in different townships of county A."""
    rows = session.execute(
        select(Business)
        .where(
            Business.county_code == demo.counties[0],
            Business.category == BusinessCategory.CATERER,
        )
        .order_by(Business.id)
    ).scalars()
    picked: dict[str | None, Business] = {}
    for business in rows:
        picked.setdefault(business.township_code, business)
    assert len(picked) >= 2
    return list(picked.values())[:2]


def test_failure_rates_by_category_item_and_area(
    session: Session, caterers: list[Business]
) -> None:
    inspector = principal_of(session, "inspector_a")
    first, second = caterers
    record = service.record_sample
    # first: a failed condiment (lead), a passing condiment; second: failed tableware.
    record(session=session, actor=inspector, form=sample_form(first.id, results=("0.4", "0.3")))
    record(session=session, actor=inspector, form=sample_form(first.id, results=("0.1", "0.3")))
    tableware = sample_form(second.id, items=(COLIFORMS,), results=("阳性",), category="tableware")
    tableware = replace(tableware, items=(replace(tableware.items[0], verdict="不合格"),))
    record(session=session, actor=inspector, form=tableware)
    record(session=session, actor=inspector, form=sample_form(second.id))  # awaiting results
    stats = statistics.sampling_statistics(session=session, actor=inspector)
    assert (stats.year, stats.completed, stats.awaiting, stats.failed) == (
        today_local().year,
        3,
        1,
        2,
    )
    assert stats.rate == pytest.approx(2 / 3)
    by_category = {r.key: (r.tested, r.failed) for r in stats.by_category}
    assert by_category == {"condiment": (2, 1), "tableware": (1, 1)}
    by_item = {r.key: (r.tested, r.failed) for r in stats.by_item}
    assert by_item == {LEAD.name: (2, 1), BENZOATE.name: (2, 0), COLIFORMS.name: (1, 1)}
    assert stats.by_item[-1].key == BENZOATE.name  # the items that fail most come first
    assert stats.area_level is RegionLevel.TOWNSHIP
    by_area = {r.key: (r.tested, r.failed) for r in stats.by_area}
    assert by_area == {first.township_code: (2, 1), second.township_code: (1, 1)}
    assert all(r.name for r in stats.by_area)
    # Another year has nothing; the neighbouring county sees nothing of this one.
    assert (
        statistics.sampling_statistics(
            session=session, actor=inspector, year=today_local().year - 1
        ).completed
        == 0
    )
    neighbour = statistics.sampling_statistics(
        session=session, actor=principal_of(session, "inspector_b")
    )
    assert (neighbour.completed, neighbour.by_area) == (0, [])
    # The city sees the county as one area.
    city = statistics.sampling_statistics(
        session=session, actor=principal_of(session, "city_leader")
    )
    assert [(r.key, r.tested, r.failed) for r in city.by_area] == [(first.county_code, 3, 2)]


def test_the_dashboard_page_shows_tables_and_charts(
    client: TestClient, session: Session, caterers: list[Business]
) -> None:
    from helpers import login

    inspector = principal_of(session, "inspector_a")
    service.record_sample(
        session=session, actor=inspector, form=sample_form(caterers[0].id, results=("0.4", "0.3"))
    )
    session.commit()
    login(client, "inspector_a")
    page = client.get("/gov/sampling", headers=HTML)
    assert page.status_code == 200
    html = page.text
    for chart in ("chart-category", "chart-item", "chart-area"):
        assert f'id="{chart}"' in html
    assert 'data-key="condiment"' in html and "100.0%" in html
    assert "echarts.min.js" in html
    assert client.get("/gov/sampling?year=1990", headers=HTML).status_code == 422


def test_the_store_page_shows_only_completed_results_in_plain_language(
    client: TestClient, session: Session, caterers: list[Business]
) -> None:
    store = caterers[0]
    inspector = principal_of(session, "inspector_a")
    empty = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert 'id="section-sampling"' in empty and 'id="no-sampling"' in empty  # cached now
    service.record_sample(
        session=session,
        actor=inspector,
        form=sample_form(store.id, results=("0.35", "0.3"), batch_number="B-FAILED"),
    )
    service.record_sample(
        session=session, actor=inspector, form=sample_form(store.id, batch_number="B-WAITING")
    )
    session.commit()
    html = client.get(f"/s/{store.public_code}", headers=HTML).text  # the cached copy was dropped
    assert "B-FAILED" in html and "B-WAITING" not in html
    assert 'data-conclusion="unqualified"' in html
    assert "0.35 mg/kg" in html and "0.2 mg/kg" in html and "GB 2762-2022" in html
    assert "张明" not in html  # who sampled is not published
    shown = public.store_sampling(session=session, code=store.public_code)
    assert [r.batch_number for r in shown.results.items] == ["B-FAILED"]
    failure = shown.results.items[0].failures[0]
    assert failure.text == (
        "铅(以Pb计): 0.35 mg/kg found; the standard (GB 2762-2022) allows at most 0.2 mg/kg"
    )
    full = client.get(f"/s/{store.public_code}/sampling", headers=HTML)
    assert full.status_code == 200 and "B-FAILED" in full.text and "B-WAITING" not in full.text
    assert client.get("/s/ZZZZZZZZZZ/sampling", headers=HTML).status_code == 404
