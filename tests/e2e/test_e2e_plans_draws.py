"""A station chief reads the plan board, the demo's published draw and the task board; the
public reads the published draw on a phone."""

from __future__ import annotations

import pytest
from e2e_support import NewPage, Shot, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_chief_reads_the_plan_the_draw_and_the_tasks_and_the_public_the_draw(
    portal: Page, new_page: NewPage, shot: Shot
) -> None:
    sign_in(portal, "chief_a")
    portal.goto("/gov/plans")
    expect(portal.locator("h1")).to_be_visible()
    shot(portal, "plans")

    portal.goto("/gov/draws")
    draw_link = portal.locator("a[href^='/gov/draws/']").first
    expect(draw_link).to_be_visible()
    draw_link.click()
    expect(portal.locator("body")).to_contain_text("种子")
    shot(portal, "draw")

    portal.goto("/gov/tasks")
    expect(portal.locator("table").first).to_be_visible()
    shot(portal, "tasks")

    phone = new_page("phone")
    phone.goto("/draws")
    public_link = phone.locator("a[href^='/draws/']").first
    expect(public_link).to_be_visible()
    public_link.click()
    expect(phone.locator("body")).to_contain_text("种子")
    shot(phone, "public-draw")
    # The drawn store was inspected: its page publishes the record.
    phone.locator("a[href^='/s/']").first.click()
    expect(phone.locator("#section-inspections [data-result]").first).to_be_visible()
    shot(phone, "store-inspections")


def test_an_inspector_reads_the_inspection_records_and_opens_one(portal: Page, shot: Shot) -> None:
    sign_in(portal, "inspector_a")
    portal.goto("/gov/inspections")
    rows = portal.locator("#inspection-table tbody tr[data-inspection]")
    expect(rows.first).to_be_visible()
    shot(portal, "list")
    rows.first.locator("a").first.click()
    expect(portal.locator("body")).to_contain_text("监督检查结果记录表")
    shot(portal, "record")
