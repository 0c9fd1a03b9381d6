"""Order online, verify offline: the demo supplier's user records a shipment to store A on
a desktop, store A's staff confirm it on a phone, and the ledger line it made is there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from e2e_support import Shot, path_of, sign_in
from playwright.sync_api import Page, expect

from helpers import tiny_pdf
from sunshine.core.time import today_local

pytestmark = pytest.mark.browser


def test_a_supplier_ships_and_the_store_confirms_on_a_phone(
    portal: Page, phone: Page, shot: Shot
) -> None:
    sign_in(portal, "supplier_a")
    portal.goto("/biz/shipments")
    expect(portal.locator("#shipment-list")).to_be_visible()  # the demo's shipments
    shot(portal, "supplier-list")
    portal.locator("#new-shipment").click()
    portal.wait_for_url("**/biz/shipments/new")
    portal.locator("#caterer_pick").select_option(index=1)  # store A buys from supplier_a
    milk = portal.locator("#product_id option", has_text="纯牛奶").first.get_attribute("value")
    portal.locator("#product_id").select_option(milk)
    today = today_local()
    portal.locator("#batch_number").fill("E2E20261130")
    portal.locator("#production_date").fill((today - timedelta(days=2)).isoformat())
    portal.locator("#expiry_date").fill((today + timedelta(days=170)).isoformat())
    portal.locator("#quantity").fill("8")
    portal.locator("#unit").fill("箱")
    portal.locator("#doc-licence").check()
    portal.locator("#doc-conformity").check()
    portal.locator("#files").set_input_files(
        {"name": "test-report.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}
    )
    shot(portal, "supplier-form")
    with portal.expect_navigation():
        portal.locator("#save-shipment").click()
    assert "recorded=1" in path_of(portal)
    shipment = path_of(portal).split("?")[0]
    expect(portal.locator("#shipment-status")).to_be_visible()
    assert portal.locator("#confirm-form").count() == 0  # the supplier does not confirm
    assert "test-report.pdf" in portal.locator("#shipment-facts").inner_text()
    shot(portal, "supplier-recorded")

    sign_in(phone, "staff_a")
    phone.goto("/biz/shipments")
    expect(phone.locator(f'#shipment-list a[href="{shipment}"]')).to_be_visible()
    shot(phone, "store-incoming")
    phone.locator(f'#shipment-list a[href="{shipment}"]').click()
    phone.wait_for_url(f"**{shipment}")
    phone.locator("#outcome-partial").check()
    phone.locator("#received_quantity").fill("7")
    phone.locator("#temperature_c").fill("4")
    shot(phone, "store-confirm-form")
    with phone.expect_navigation():
        phone.locator("#confirm-shipment").click()
    assert "confirmed=1" in path_of(phone)
    expect(phone.locator('[data-flag="mismatch"]')).to_be_visible()
    shot(phone, "store-confirmed")
    phone.locator("#ledger-line-link").click()
    phone.wait_for_url("**/biz/ledger/*")
    assert "纯牛奶" in phone.locator("body").inner_text()
    shot(phone, "store-ledger-line")
