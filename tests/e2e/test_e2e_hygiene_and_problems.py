"""The hygiene rating on a store's public page (a face with its label, the dynamic and
annual grades, the date of the inspection, the rule's status) and the regulator's page of
problems by checklist item (charts, the table, an item's failing inspections)."""

from __future__ import annotations

import re

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_store_page_shows_its_hygiene_face(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    store_id = e2e.account("owner_a")["business_id"]
    sign_in(portal, "inspector_a")
    portal.goto(f"/gov/businesses/{store_id}")
    expect(portal.locator("#business-hygiene")).to_be_visible()
    shot(portal, "business-face")
    store_link = portal.locator('a[href^="/s/"]').first.get_attribute("href") or ""
    assert store_link.startswith("/s/")

    phone = new_page("phone")
    phone.goto(store_link)
    section = phone.locator("#section-hygiene")
    expect(section).to_be_visible()
    expect(section.locator("#hygiene-date")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    grade = section.locator("#hygiene-grade")
    value = grade.get_attribute("data-grade")
    assert value in ("excellent", "good", "average", "none")
    if value != "none":
        face = section.locator("svg.hygiene-face")
        expect(face).to_have_attribute("role", "img")
        assert (face.get_attribute("aria-label") or "").strip()
    expect(section.locator("#hygiene-note")).to_be_visible()
    section.scroll_into_view_if_needed()
    shot(phone, "store-hygiene")

    english = new_page("phone", locale="en-US")
    english.goto(f"{store_link}?lang=en")
    expect(english.locator("#section-hygiene")).to_contain_text("Hygiene rating")
    english.locator("#section-hygiene").scroll_into_view_if_needed()
    shot(english, "store-hygiene-en")
    english.locator("#hygiene-note a").click()
    english.wait_for_url("**/hygiene")
    expect(english.locator("#hygiene-scores tbody tr").first).to_be_visible()
    shot(english, "store-hygiene-rule")


def test_the_regulator_sees_which_items_fail_most(portal: Page, shot: Shot) -> None:
    sign_in(portal, "city_leader")
    portal.goto("/gov/inspections/problems")
    expect(portal.locator("#chart-items")).to_be_visible()
    expect(portal.locator("#chart-items g.bar").first).to_be_visible()
    expect(portal.locator("#chart-areas")).to_be_visible()
    expect(portal.locator("#chart-forms")).to_be_visible()
    rows = portal.locator("#item-table tbody tr")
    assert rows.count() >= 10
    top = rows.first.locator("td.failures").inner_text()
    assert int(top) > 0
    shot(portal, "problems")

    rows.first.locator("td a").first.click()
    portal.wait_for_url("**/gov/inspections/problems/items/*")
    expect(portal.locator("#failing-table tbody tr[data-inspection]").first).to_be_visible()
    assert portal.locator("#failing-table tbody tr[data-inspection]").count() == min(int(top), 50)
    shot(portal, "problems-item")

    portal.goto("/gov/inspections/problems")
    portal.locator("#area-table tbody tr a").first.click()
    portal.wait_for_url("**/gov/inspections/problems?*area=*")
    expect(portal.locator("#item-table")).to_be_visible()
    shot(portal, "problems-area")
