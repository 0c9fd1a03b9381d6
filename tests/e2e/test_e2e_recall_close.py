"""A regulator closes a batch recall from its page: one holder has acknowledged, the other
has not, so the page asks why it is closed all the same; once closed, the page says so, the
holder's to-do says so and the store page drops the recall mark.

The supply chain is captured through the EPCIS REST binding with the businesses' own API
tokens (store A2 buys the lot from the chain HQ's business and sells part to store A1); the
inspector of county A recalls it from the trace page."""

from __future__ import annotations

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from epcis_chain import capture_chain
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LOT = "https://id.gs1.org/01/06901234567892/10/E2E-CLOSE-1"


def test_a_regulator_closes_a_recall_with_a_reason(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    sign_in(portal, "inspector_a")
    chain = capture_chain(
        e2e,
        portal,
        new_page,
        lot=LOT,
        times=(
            "2026-04-06T10:30:00+08:00",
            "2026-04-07T10:30:00+08:00",
            "2026-04-08T10:30:00+08:00",
        ),
        received=60,
        passed_on=25,
    )
    province, a1 = chain.province, chain.a1

    # The inspector recalls the lot from the trace page.
    portal.goto(f"/gov/trace?lot={LOT}&direction=forward&depth=5")
    portal.locator("#reason").fill("标签未标注致敏物质，批次召回")
    portal.locator("#level").select_option("level_3")
    with portal.expect_navigation():
        portal.locator("#open-recall").click()
    expect(portal.locator("#holder-list tbody tr")).to_have_count(2)
    recall_url = portal.url.split("?", 1)[0]
    reference = portal.locator("#recall-reference").inner_text().strip()
    expect(portal.locator("#close-form")).to_have_count(0)  # inspectors do not close

    # Store A1 acknowledges; store A2 does not.
    owner = new_page("phone")
    sign_in(owner, "owner_a")
    owner.goto(recall_url.replace("/gov/", "/biz/"))
    owner.locator("#destroyed").fill("25")
    with owner.expect_navigation():
        owner.locator("#respond").click()
    expect(owner.locator("#holder-status")).to_have_attribute("data-status", "reported")

    # The store page marks the recall (the demo's own recall of another lot may be there too).
    public = new_page("phone")
    public.goto(f"/s/{a1}")
    expect(public.locator(f'#section-recalls li[data-recall="{reference}"]')).to_be_visible()

    # The province's leader closes it, saying why before every holder answered.
    province.goto(recall_url)
    expect(province.locator("#recall-state")).to_have_attribute("data-state", "open")
    expect(province.locator("#pending-warning")).to_be_visible()
    expect(province.locator("#close_reason")).to_have_attribute("required", "")
    province.locator("#close_reason").fill("经复检该批次标签问题已更正，A2 门店已停业，结案")
    shot(province, "before-close")
    with province.expect_navigation():
        province.locator("#close-recall").click()
    expect(province.locator('[role="status"]').first).to_be_visible()
    expect(province.locator("#recall-state")).to_have_attribute("data-state", "closed")
    expect(province.locator("#recall-close-reason")).to_contain_text("A2 门店已停业")
    expect(province.locator("#close-form")).to_have_count(0)
    shot(province, "recall-closed")

    province.locator("#recall-case").click()
    expect(province.locator("body")).to_contain_text("经复检该批次标签问题已更正")

    owner.goto("/biz/recalls")
    expect(
        owner.locator("#recall-todos li", has_text="E2E-CLOSE-1").locator(".recall-closed")
    ).to_be_visible()
    shot(owner, "holder-sees-closed")

    # A visitor now (a fresh browser: the page may be kept a minute by the one above).
    visitor = new_page("phone")
    visitor.goto(f"/s/{a1}")
    expect(visitor.locator("#section-ingredients")).to_be_visible()
    expect(visitor.locator(f'li[data-recall="{reference}"]')).to_have_count(0)
    shot(visitor, "store-without-the-mark")
