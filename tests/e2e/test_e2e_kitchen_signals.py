"""Confirmed kitchen alerts become the business's risk signals, and the store reads its own
alert statistics: the regulator confirms three smoking alerts; the business page's 风险信号
section lists each with a link back to its alert; the store's statistics page draws its
charts and counts the confirmed alerts."""

from __future__ import annotations

import re

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from kitchen_e2e_support import seed_kitchen
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_confirmed_alerts_are_risk_signals_and_the_store_sees_its_statistics(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    seeded = seed_kitchen(e2e, name="E2E 信号凉菜间", alerts=3)
    business_id = seeded["business_id"]

    sign_in(portal, "inspector_a")
    portal.goto(f"/gov/businesses/{business_id}")
    counts = portal.locator('#risk-signal-counts [data-kind="kitchen_violation_confirmed"]')
    before = int(counts.get_attribute("data-count") or "0")
    for alert_id in seeded["alert_ids"]:
        portal.goto(f"/gov/kitchen/alerts/{alert_id}")
        with portal.expect_navigation():
            portal.locator("#confirm-alert").click()
        expect(portal.locator("#alert-status")).to_have_attribute("data-status", "confirmed")

    portal.goto(f"/gov/businesses/{business_id}")
    expect(counts).to_have_attribute("data-count", str(before + 3))
    latest = portal.locator("#risk-signal-latest")
    for alert_id in seeded["alert_ids"]:
        link = latest.locator(f'a[href="/gov/kitchen/alerts/{alert_id}"]')
        expect(link).to_have_count(1)
    expect(latest).to_contain_text("智能预警经确认：抽烟 · E2E 信号凉菜间")
    portal.locator("#risk-signals").scroll_into_view_if_needed()
    shot(portal, "business-risk-signals")
    with portal.expect_navigation():
        latest.locator(f'a[href="/gov/kitchen/alerts/{seeded["alert_ids"][0]}"]').click()
    expect(portal).to_have_url(re.compile(rf"/gov/kitchen/alerts/{seeded['alert_ids'][0]}$"))

    store = new_page("portal")
    sign_in(store, "owner_a")
    store.goto("/biz/kitchen/stats")
    expect(store.locator("#menu-kitchen-stats")).to_have_class(re.compile(r"\bactive\b"))
    # ECharts drew each chart (SVG renderer, static/charts.js).
    for chart in ("#chart-time", "#chart-classes", "#chart-areas"):
        expect(store.locator(f"{chart} svg")).to_have_count(1)
    smoking = store.locator('#class-table tr[data-key="smoking"] td')
    expect(smoking).to_have_text(re.compile(r"^\d+$"))
    assert int(smoking.inner_text()) >= 3
    camera = store.locator(f'#false-alarm-table tr[data-camera="{seeded["camera_id"]}"]')
    expect(camera.locator("td").nth(2)).to_have_text("3")  # reviewed
    expect(camera.locator("td").nth(4)).to_have_text("0%")
    shot(store, "store-statistics")
