"""A regulator traces a lot across three tiers and sees the graph, recalls it, and the
store's owner acknowledges the recall in the enterprise portal; the store page shows it.

The supply chain is captured first through the EPCIS REST binding with the businesses' own
API tokens (store A2 buys the lot from the chain HQ's business and sells part to store A1),
as their systems would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from playwright.sync_api import APIRequestContext, Page, expect

from sunshine.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

LOT = "https://id.gs1.org/01/06901234567892/10/E2E-2603"
CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


def _code(page: Page, business_id: int) -> str:
    page.goto(f"/gov/businesses/{business_id}")
    href = page.locator('a[href^="/s/"]').first.get_attribute("href") or ""
    return href.split("/s/", 1)[1].split("/", 1)[0].split("?", 1)[0]


def _token(api: APIRequestContext, base: str, username: str) -> dict[str, str]:
    answer = api.post(
        f"{base}/api/v1/auth/token", form={"username": username, "password": DEMO_PASSWORD}
    )
    assert answer.ok, answer.text()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _event(step: str, source: str, destination: str, quantity: int, n: int) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "ObjectEvent",
        "eventTime": f"2026-03-0{n}T09:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": "in_progress" if step == "receiving" else "in_transit",
        "epcList": [],
        "quantityList": [{"epcClass": LOT, "quantity": quantity, "uom": "KGM"}],
        "sourceList": [{"type": "owning_party", "source": f"urn:sunshine:party:{source}"}],
        "destinationList": [
            {"type": "owning_party", "destination": f"urn:sunshine:party:{destination}"}
        ],
    }


def _capture(api: APIRequestContext, base: str, token: dict[str, str], event: Any) -> None:
    answer = api.post(
        f"{base}/epcis/events",
        headers={**token, "Content-Type": "application/json"},
        data=json.dumps(event),
    )
    assert answer.status == 201, answer.text()


def test_a_regulator_traces_recalls_and_the_holder_acknowledges(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    province = new_page("portal")
    sign_in(province, "leader")
    hq = _code(province, e2e.account("chain_hq")["business_id"])
    a1 = _code(province, e2e.account("owner_a")["business_id"])
    a2 = _code(province, e2e.account("owner_a2")["business_id"])
    sign_in(portal, "inspector_a")
    api, base = portal.request, e2e.base_url
    seller, buyer = _token(api, base, "owner_a2"), _token(api, base, "owner_a")
    _capture(api, base, seller, _event("receiving", hq, a2, 50, 2))
    _capture(api, base, seller, _event("shipping", a2, a1, 20, 3))
    _capture(api, base, buyer, _event("receiving", a2, a1, 20, 4))

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
