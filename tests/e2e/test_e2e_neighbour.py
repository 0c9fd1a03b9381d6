"""Neighbours see nothing of each other: another county's inspector, another store's owner."""

from __future__ import annotations

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def business_name_seen_by(page: Page, username: str, path: str) -> str:
    sign_in(page, username)
    opened = page.goto(path)
    assert opened is not None and opened.status == 200, f"{username} cannot open {path}"
    return page.locator("#business-name").inner_text().strip()


def assert_not_found(page: Page, path: str, secret: str) -> None:
    opened = page.goto(path)
    assert opened is not None and opened.status == 404, f"{path}: {opened and opened.status}"
    assert page.get_by_role("heading", name="页面不存在").is_visible()
    assert page.locator("#business-name").count() == 0
    assert secret not in page.content()
    assert page.title().startswith("出错了")


def test_other_county_inspector_gets_not_found(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    business_id = e2e.account("owner_a")["business_id"]  # a store in county A
    path = f"/gov/businesses/{business_id}"
    name = business_name_seen_by(portal, "inspector_a", path)
    assert name
    shot(portal, "county-a-inspector")

    other = new_page("portal")
    sign_in(other, "inspector_b")
    assert_not_found(other, path, name)
    assert_not_found(other, f"{path}/edit", name)
    shot(other, "county-b-inspector")


def test_neighbouring_store_owner_gets_not_found(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    business_id = e2e.account("owner_a")["business_id"]
    name = business_name_seen_by(portal, "owner_a", "/biz/")

    neighbour = new_page("portal")
    sign_in(neighbour, "owner_a2")
    assert neighbour.locator("#business-name").inner_text().strip() != name
    for path in (f"/biz/?business={business_id}", f"/biz/staff?business={business_id}"):
        assert_not_found(neighbour, path, name)
    shot(neighbour, "neighbour-owner")
