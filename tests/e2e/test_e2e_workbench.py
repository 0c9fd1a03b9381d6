"""A station chief works the case workbench: filters the queue, opens a case, accepts and
assigns it (the timeline grows), and assigns two cases at once; then reads the case on a
phone.

The demo server holds no cases, so the test files them first through the JSON API, each
title carrying a marker of this run that the workbench's search then finds.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from datetime import date
from typing import Any

import pytest
from e2e_support import DEMO_PASSWORD, E2EServer, NewPage, Shot, count_in, path_of, sign_in
from playwright.sync_api import Page, expect

from sunshine.cases.calendar import add_workdays
from sunshine.core.time import today_local

pytestmark = pytest.mark.browser


def _call(
    e2e: E2EServer, method: str, path: str, *, token: str | None = None, body: Any = None
) -> Any:
    headers = {"accept": "application/json"}
    data = None
    if token:
        headers["authorization"] = f"Bearer {token}"
    if isinstance(body, dict) and path.endswith("/auth/token"):
        data = urllib.parse.urlencode(body).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    request = urllib.request.Request(e2e.base_url + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=15) as answer:
        return json.loads(answer.read().decode())


def _token(e2e: E2EServer, username: str) -> str:
    body = {"username": username, "password": DEMO_PASSWORD}
    return str(_call(e2e, "POST", "/api/v1/auth/token", body=body)["access_token"])


def _file_cases(e2e: E2EServer, marker: str) -> dict[str, dict[str, Any]]:
    """Four cases about stores of chief_a's station: a fresh complaint (worked in the
    browser), two accepted ones (assigned in bulk) and an overdue report."""
    token = _token(e2e, "chief_a")
    township = e2e.account("chief_a")["region_code"]
    stores = _call(e2e, "GET", f"/api/v1/businesses?region={township}&per_page=4", token=token)
    ids = [b["id"] for b in stores["items"]]
    assert ids, f"no store in township {township}"

    def file(kind: str, title: str, received: date, index: int) -> dict[str, Any]:
        body = {
            "kind": kind,
            "title": f"{title} {marker}",
            "summary": "顾客反映：<b>后厨</b>卫生差，餐具不洁。",
            "business_id": ids[index % len(ids)],
            "received_on": received.isoformat(),
        }
        return dict(_call(e2e, "POST", "/api/v1/cases", token=token, body=body))

    def accept(case: dict[str, Any]) -> dict[str, Any]:
        step = {"action": "accept", "expected_version": case["version"]}
        return dict(
            _call(e2e, "POST", f"/api/v1/cases/{case['id']}/actions", token=token, body=step)
        )

    today = today_local()
    return {
        "fresh": file("complaint", "菜品中吃出异物", today, 0),
        "first": accept(file("complaint", "外卖餐品变质", add_workdays(today, count=-2), 1)),
        "second": accept(file("lead", "健康证过期仍在岗", add_workdays(today, count=-1), 2)),
        "overdue": file("report", "后厨有老鼠出没", add_workdays(today, count=-20), 3),
    }


def _rows(page: Page) -> list[str]:
    return [r.strip() for r in page.locator("#case-table tbody td a").all_inner_texts()]


def _take_step(page: Page, action: str) -> None:
    """Submit the form of a step; the case page comes back confirming it."""
    with page.expect_navigation():
        page.locator(f"#step-{action} button[type=submit]").click()
    page.wait_for_load_state()
    if f"done={action}" not in page.url:
        refusal = page.locator("#conflict, #form-errors").all_inner_texts()
        raise AssertionError(f"{action} was not taken ({page.url}): {refusal}")


def _count(page: Page) -> int:
    return count_in(page.locator("#case-count").inner_text())


def test_station_chief_filters_works_a_case_and_assigns_in_bulk(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    marker = f"E2E{secrets.token_hex(3).upper()}"
    cases = _file_cases(e2e, marker)
    sign_in(portal, "chief_a")
    portal.locator("#menu a[href='/gov/cases']").click()
    portal.wait_for_url("**/gov/cases")
    expect(portal.locator("#workbench")).to_be_visible()
    assert portal.locator("#queues a[data-queue='overdue'] .badge").inner_text().strip() != "0"
    shot(portal, "workbench")

    # Text search and a kind filter, answered by htmx without leaving the page.
    portal.locator("#f-q").fill(marker)
    portal.locator("#f-q").press("Enter")
    portal.wait_for_url(f"**q={marker}**")  # pushed once the fragment is swapped in
    assert _count(portal) == 4
    assert set(_rows(portal)) == {c["reference"] for c in cases.values()}
    assert _rows(portal)[0] == cases["overdue"]["reference"]  # most urgent first
    portal.locator("#f-kind").select_option("report")
    portal.wait_for_url("**kind=report**")
    assert _count(portal) == 1
    assert _rows(portal) == [cases["overdue"]["reference"]]
    overdue_row = portal.locator(f"#case-table tr[data-case='{cases['overdue']['id']}']")
    expect(overdue_row.locator(".badge.text-bg-danger").last).to_be_visible()
    assert "kind=report" in path_of(portal) and f"q={marker}" in path_of(portal)
    assert portal.locator("#menu").count() == 1  # the fragment was swapped in, not nested
    shot(portal, "filtered")
    portal.locator("#f-kind").select_option("")
    portal.wait_for_url("**kind=&**")
    assert _count(portal) == 4

    # Open the fresh complaint, accept it, then assign it: the timeline grows each time.
    fresh = cases["fresh"]
    with portal.expect_navigation():
        portal.locator("#case-table a", has_text=fresh["reference"]).click()
    expect(portal.locator("#case-reference")).to_have_text(fresh["reference"])
    timeline = portal.locator("#timeline > li")
    expect(timeline).to_have_count(1)
    assert "<b>" in portal.locator("#case-summary").inner_text()  # shown as text
    expect(portal.locator("#clock #legal-basis")).to_be_visible()
    portal.locator("details[data-action='accept'] > summary").click()
    portal.locator("#reason-accept").fill("已电话联系投诉人核实。")
    _take_step(portal, "accept")
    expect(timeline).to_have_count(2)
    expect(portal.locator("#timeline > li").last).to_have_attribute("data-action", "accept")
    expect(portal.locator("#case-state")).to_have_class("badge case-state state-accepted")
    portal.locator("details[data-action='assign'] > summary").click()
    officer = portal.locator("#assignee-assign option[value]:not([value=''])").first
    officer_id = officer.get_attribute("value")
    assert officer_id
    portal.locator("#assignee-assign").select_option(officer_id)
    _take_step(portal, "assign")
    expect(timeline).to_have_count(3)
    expect(portal.locator("#timeline > li").last).to_have_attribute("data-action", "assign")
    expect(portal.locator("#case-assignee")).to_have_text("所长A")
    shot(portal, "case-assigned")

    # Back on the workbench: two accepted cases assigned at once.
    portal.goto(f"/gov/cases?q={marker}")
    for key in ("first", "second"):
        portal.locator(f"#pick-{cases[key]['id']}").check()
    expect(portal.locator("#picked-count")).to_have_text("2")
    portal.locator("#bulk-assignee").select_option(officer_id)
    portal.locator("#bulk-submit").click()
    result = portal.locator("#bulk-result")
    expect(result).to_be_visible()
    expect(result.locator("li[data-assigned='yes']")).to_have_count(2)
    expect(result.locator("li[data-assigned='no']")).to_have_count(0)
    for key in ("first", "second"):
        row = portal.locator(f"#case-table tr[data-case='{cases[key]['id']}']")
        expect(row.locator(".case-state").last).to_have_class("badge case-state state-assigned")
    assert path_of(portal).startswith("/gov/cases")  # the POST was not pushed to history
    shot(portal, "bulk-assigned")

    # The same case file on a phone: facts, clock, steps, then the timeline.
    phone = new_page("phone")
    sign_in(phone, "chief_a")
    phone.goto(f"/gov/cases/{fresh['id']}")
    expect(phone.locator("#timeline > li")).to_have_count(3)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the case page is {width}px wide on a 390px phone"
    shot(phone, "phone-case")


def test_a_neighbouring_inspector_finds_no_case_of_the_other_county(
    e2e: E2EServer, portal: Page, shot: Shot
) -> None:
    marker = f"E2E{secrets.token_hex(3).upper()}"
    cases = _file_cases(e2e, marker)
    sign_in(portal, "inspector_b")
    portal.goto(f"/gov/cases?q={marker}")
    assert _count(portal) == 0
    opened = portal.goto(f"/gov/cases/{cases['fresh']['id']}")
    assert opened is not None and opened.status == 404
    assert marker not in portal.content()
    shot(portal, "neighbour-not-found")
