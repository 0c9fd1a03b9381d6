"""A regulator traces a lot across three tiers and sees the graph, recalls it, and the
store's owner acknowledges the recall in the enterprise portal; the store page shows it.

The supply chain is captured first through the EPCIS REST binding with the businesses' own
API tokens (store A2 buys the lot from the chain HQ's business and sells part to store A1),
as their systems would."""

from __future__ import annotations

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from epcis_chain import capture_chain
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LOT = "https://id.gs1.org/01/06901234567892/10/E2E-2603"


def test_a_regulator_traces_recalls_and_the_holder_acknowledges(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    sign_in(portal, "inspector_a")
    chain = capture_chain(
        e2e,
        portal,
        new_page,
        lot=LOT,
        times=(
            "2026-03-02T09:00:00+08:00",
            "2026-03-03T09:00:00+08:00",
            "2026-03-04T09:00:00+08:00",
        ),
        received=50,
        passed_on=20,
    )
    a1 = chain.a1

    portal.goto("/gov/trace")
    portal.locator("#lot").fill(LOT)
    portal.locator("#direction").select_option("both")
    with portal.expect_navigation():
        portal.locator("#run-trace").click()
    graph = portal.locator("#trace-graph")
    expect(graph).to_be_visible()
    expect(graph.locator("a.trace-node")).to_have_count(3)
    expect(portal.locator("#trace-table tbody tr")).to_have_count(3)
    shot(portal, "trace-graph")

    portal.locator("#reason").fill("检出沙门氏菌，批次全部召回")
    portal.locator("#level").select_option("level_1")
    with portal.expect_navigation():
        portal.locator("#open-recall").click()
    expect(portal.locator('main [role="status"], [role="status"].alert').first).to_be_visible()
    holders = portal.locator("#holder-list tbody tr")
    expect(holders).to_have_count(2)
    recall_url = portal.url.split("?", 1)[0]
    shot(portal, "recall-opened")

    owner = new_page("phone")
    sign_in(owner, "owner_a")
    owner.goto("/biz/recalls")
    todo = owner.locator('#recall-todos li[data-status="pending"]', has_text="E2E-2603").locator(
        "a"
    )
    expect(todo).to_be_visible()
    shot(owner, "holder-todo")
    with owner.expect_navigation():
        todo.click()
    owner.locator("#destroyed").fill("20")
    owner.locator("#note").fill("已全部下架销毁")
    with owner.expect_navigation():
        owner.locator("#respond").click()
    expect(owner.locator("#holder-status")).to_have_attribute("data-status", "reported")
    shot(owner, "holder-reported")

    portal.goto(recall_url)
    expect(portal.locator('#holder-list tr[data-status="reported"]')).to_have_count(1)
    shot(portal, "recall-acknowledged")

    public = new_page("phone")
    public.goto(f"/s/{a1}")
    expect(public.locator("#recall-mark")).to_be_visible()
    shot(public, "store-recall-mark")
