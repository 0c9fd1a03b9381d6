"""A kitchen camera's smoking alert goes round: the business acknowledges it in the
enterprise portal, the regulator looks at the evidence and marks it a false alarm with
the reason, and the camera's false-alarm rate shows it."""

from __future__ import annotations

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from kitchen_e2e_support import seed_kitchen
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_business_acknowledges_and_the_regulator_marks_a_false_alarm(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    seeded = seed_kitchen(e2e, name="E2E 审核凉菜间", alerts=1)
    alert_id = seeded["alert_ids"][0]

    sign_in(portal, "owner_a")
    portal.goto("/biz/kitchen/alerts")
    row = portal.locator(f'#alert-table tr[data-alert="{alert_id}"]')
    expect(row).to_have_attribute("data-status", "open")
    shot(portal, "business-alerts")
    with portal.expect_navigation():
        row.locator("a").click()
    expect(portal.locator("#suspected-note")).to_be_visible()
    expect(portal.locator(".kitchen-evidence img")).to_have_count(2)
    with portal.expect_navigation():
        portal.locator("#acknowledge").click()
    expect(portal.locator("#alert-status")).to_have_attribute("data-status", "acknowledged")
    expect(portal.locator('#alert-history li[data-action="acknowledge"]')).to_be_visible()
    shot(portal, "business-acknowledged")

    regulator = new_page("portal")
    sign_in(regulator, "inspector_a")
    regulator.goto("/gov/kitchen/alerts?status=acknowledged")
    link = regulator.locator(f'#alert-table tr[data-alert="{alert_id}"] a')
    expect(link).to_be_visible()
    with regulator.expect_navigation():
        link.click()
    shas = regulator.locator(".kitchen-evidence .kitchen-sha")
    expect(shas).to_have_count(2)
    expect(shas.first).to_contain_text("SHA-256")
    # The reason is required: sent empty, the form says so beside the field.
    with regulator.expect_navigation():
        regulator.locator("#false-alarm").click()
    expect(regulator.locator("#note-error")).to_be_visible()
    shot(regulator, "reason-required")
    regulator.locator("#note").fill("画面中是筷子，不是香烟")
    with regulator.expect_navigation():
        regulator.locator("#false-alarm").click()
    expect(regulator.locator("#alert-status")).to_have_attribute("data-status", "false_alarm")
    expect(regulator.locator("#review-note")).to_contain_text("筷子")
    shot(regulator, "false-alarm")

    regulator.goto(f"/gov/kitchen/cameras?business={seeded['business_id']}")
    row = regulator.locator(f'#camera-table tr[data-camera="{seeded["camera_id"]}"]')
    expect(row.locator("td[data-rate]")).to_contain_text("100%")
    shot(regulator, "camera-list")
    # Last, as its live picture streams until the page is left.
    with regulator.expect_navigation():
        row.locator("td a").first.click()
    expect(regulator.locator("#false-alarm-rate")).to_contain_text("100%")
    shot(regulator, "camera-rate")

    # The business reads the outcome.
    portal.goto(f"/biz/kitchen/alerts/{alert_id}")
    expect(portal.locator("#alert-status")).to_have_attribute("data-status", "false_alarm")
    expect(portal.locator("#answer-form")).to_have_count(0)
