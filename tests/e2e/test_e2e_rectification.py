"""The business answers a rectification order in the enterprise portal with a photo and a
PDF, the regulator accepts it on desk review, and the store's public records show the
inspection as rectified (已整改)."""

from __future__ import annotations

import io

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from PIL import Image
from playwright.sync_api import Page, expect

from helpers import tiny_pdf

pytestmark = pytest.mark.browser


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "#2e7d32").save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_answer_accepted_on_desk_review_shows_as_rectified(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    sign_in(portal, "owner_a")
    portal.goto("/biz/rectification")
    row = portal.locator('#order-list tr[data-state="open"]').first
    expect(row).to_be_visible()
    reference = row.get_attribute("data-order") or ""
    shot(portal, "order-list")
    with portal.expect_navigation():
        row.locator("a").click()
    items = portal.locator("#answer-form fieldset[data-item]")
    count = items.count()
    assert count >= 1
    for n in range(count):
        portal.locator(f"#items-{n}-action").fill("已彻底清洁并整改，附整改后照片和记录")
        portal.locator(f"#items-{n}-files").set_input_files(
            [
                {"name": f"after-{n}.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()},
                {"name": f"record-{n}.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()},
            ]
        )
    shot(portal, "answer-form")
    with portal.expect_navigation():
        portal.locator("#send-answer").click()
    expect(portal.locator("#order-state")).to_have_attribute("data-state", "answered")
    expect(portal.locator("#flash")).to_be_visible()
    shot(portal, "answered")

    regulator = new_page("portal")
    sign_in(regulator, "inspector_a")
    regulator.goto("/gov/rectification?tab=answered")
    link = regulator.locator(f'#order-table tr[data-order="{reference}"] a').first
    expect(link).to_be_visible()
    with regulator.expect_navigation():
        link.click()
    expect(regulator.locator(".answer img")).to_have_count(count)
    shot(regulator, "review")
    with regulator.expect_navigation():
        regulator.locator("#accept-answer").click()
    expect(regulator.locator("#order-state")).to_have_attribute("data-state", "closed")
    shot(regulator, "accepted")

    store_id = e2e.account("owner_a")["business_id"]
    regulator.goto(f"/gov/businesses/{store_id}")
    store_link = regulator.locator('a[href^="/s/"]').first.get_attribute("href") or ""
    public = new_page("phone")
    public.goto(f"{store_link}/inspections")
    status = public.locator('.rectification-status[data-status="rectified"]').first
    expect(status).to_be_visible()
    expect(status).to_have_text("已整改")
    shot(public, "store-rectified")
