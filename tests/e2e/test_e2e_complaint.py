"""A complaint from a phone, end to end: from the store page the diner files it with a photo
and gets a receipt code; the owner answers in the enterprise portal; the diner, not
satisfied, follows it by receipt code and takes it to the market regulator."""

from __future__ import annotations

import io
import time

import pytest
from e2e_support import E2EServer, NewPage, Shot, path_of, sign_in
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

#: The complaint form refuses a form sent sooner than this after it was served (a person
#: reads and types for longer; see ``submissions_routes.MIN_FILL_S``).
MIN_FILL_S = 5
NARROW = {"width": 375, "height": 812}  # the narrowest phone the public pages are made for


def dish_photo() -> bytes:
    image = Image.new("RGB", (800, 600), (230, 200, 150))
    image.paste((40, 40, 40), (380, 200, 420, 420))  # the hair in the rice
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{path_of(page)} scrolls sideways on a phone"
    )


def test_a_diner_complains_the_owner_answers_and_the_diner_goes_to_the_regulator(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    sign_in(portal, "owner_a")
    portal.goto("/biz/qr")
    code = portal.locator("#store-code").inner_text().strip()

    phone = new_page("phone")
    phone.set_viewport_size(NARROW)
    phone.goto(f"/s/{code}")
    voice = phone.locator("#section-voice")
    assert voice.is_visible() and phone.locator("#insurance-cover").is_visible()
    voice.scroll_into_view_if_needed()
    shot(phone, "store-page-buttons")
    phone.locator("#complain").click()
    phone.wait_for_url(f"**/s/{code}/complain")
    served = time.monotonic()
    no_sideways_scroll(phone)
    shot(phone, "complaint-form-empty")

    phone.locator("#category").select_option("foreign_matter")
    phone.locator("#description").fill("中午点的扬州炒饭里吃出一根头发，服务员说不可能，拒绝退款。")
    phone.locator("#desired_outcome").select_option("refund")
    phone.locator("#request_text").fill("退还 38 元餐费并道歉")
    phone.locator("#files").set_input_files(
        [{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": dish_photo()}]
    )
    phone.locator("#name").fill("王小明")
    phone.locator("#phone").fill("13912345678")
    phone.locator("#claims_damage").check()
    shot(phone, "complaint-form-filled")
    left = MIN_FILL_S + 1 - (time.monotonic() - served)
    if left > 0:
        phone.wait_for_timeout(left * 1000)  # a person reads the form before sending it
    with phone.expect_navigation():
        phone.locator("#submit-complaint").click()
    receipt = phone.locator("#receipt-code").inner_text().strip()
    assert len(receipt) == 14 and receipt.count("-") == 2, receipt
    expect(phone.locator("#copy-receipt")).to_be_visible()  # where the clipboard is available
    no_sideways_scroll(phone)
    shot(phone, "complaint-receipt")

    portal.goto("/biz/complaints")
    assert "active" in (portal.locator("#menu-complaints").get_attribute("class") or "")
    # The demo store has complaints of its own: this one is the row with the diner's words.
    row = portal.locator("#complaint-list tbody tr", has_text="头发").first
    expect(row).to_be_visible()
    shot(portal, "biz-inbox")
    row.locator("a.complaint-link").click()
    portal.wait_for_url("**/biz/complaints/*")
    assert "王** 139****5678" in portal.locator("#diner-contact").inner_text()
    thumb = portal.locator('a[href^="/evidence/"] img')
    assert thumb.count() == 1
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")  # the copy loads
    assert receipt not in portal.content()  # the diner's key never reaches the store
    portal.locator("#answer-text").fill("非常抱歉，经查属实。我们愿意退还餐费 38 元，请到店办理。")
    with portal.expect_navigation():
        portal.locator("#send-answer").click()
    assert portal.locator("#complaint-state").get_attribute("data-state") == "merchant_answered"
    shot(portal, "biz-answered")

    phone.goto("/track")
    phone.locator("#receipt").fill(receipt.replace("-", "").lower())
    with phone.expect_navigation():
        phone.locator("#track-submit").click()
    assert phone.locator("#complaint-view").get_attribute("data-state") == "merchant_answered"
    assert "退还餐费 38 元" in phone.locator("#complaint-timeline").inner_text()
    assert phone.locator("#accept-answer").is_visible()
    no_sideways_scroll(phone)
    shot(phone, "track-answered")

    phone.locator("#escalate-regulator summary").click()
    phone.locator("#regulator-reason").fill("只肯退款，不肯整改后厨卫生，请监管部门处理。")
    shot(phone, "track-escalating")
    with phone.expect_navigation():
        phone.locator("#send-to-regulator").click()
    assert phone.locator("#complaint-view").get_attribute("data-state") == "with_regulator"
    assert phone.locator("#track-flash").is_visible()
    timeline = phone.locator("#complaint-timeline li")
    assert timeline.last.get_attribute("data-step") == "escalate_regulator"
    assert phone.locator("#escalate-regulator").count() == 0
    no_sideways_scroll(phone)
    shot(phone, "track-with-regulator")
