"""An anonymous report from a phone, end to end: the place picked by area and the phone's
position, a photo, no name; then the reporter follows it with the receipt code alone."""

from __future__ import annotations

import io
import time

import pytest
from e2e_support import E2EServer, NewPage, Shot, path_of
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

MIN_FILL_S = 5  # see ``submissions_routes.MIN_FILL_S``
NARROW = {"width": 375, "height": 812}
POSITION = {"latitude": 30.657451, "longitude": 104.065735}


def storeroom_photo() -> bytes:
    image = Image.new("RGB", (640, 480), (120, 110, 100))
    image.paste((60, 50, 40), (100, 300, 540, 460))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{path_of(page)} scrolls sideways on a phone"
    )


def test_an_anonymous_report_by_area_and_position_is_followed_by_receipt_code(
    e2e: E2EServer, new_page: NewPage, shot: Shot
) -> None:
    township = e2e.account("chief_a")["region_code"]  # a township with a station
    county = township[:6]
    phone = new_page("phone")
    phone.set_viewport_size(NARROW)
    phone.context.grant_permissions(["geolocation"], origin=e2e.base_url)
    phone.context.set_geolocation(POSITION)
    phone.goto("/report")
    served = time.monotonic()
    assert phone.locator("#identity-anonymous").is_checked()  # anonymous by default
    assert phone.locator("#anonymous-means").is_visible()
    expect(phone.locator("#real-name-fields")).to_be_hidden()
    no_sideways_scroll(phone)
    shot(phone, "report-form-empty")

    phone.locator("#category").select_option("expired_or_spoiled")
    phone.locator("#description").fill(
        "夜市北门第三个烧烤摊，冻肉包装上的日期被撕掉，肉已经发黏发臭，每晚都在卖。"
    )
    # The store picker finds stores by name or address (then the reporter changes their mind).
    phone.locator("#store-q").fill("街道")
    phone.locator("#store-search").click()
    first = phone.locator("#store-results button").first
    first.wait_for(state="visible")
    picked = first.locator("span.fw-semibold").inner_text().strip()
    first.click()
    # Alpine updates the page on its next tick: expect() waits for it.
    expect(phone.locator("#store-chosen")).to_contain_text(picked)
    expect(phone.locator("#store_code")).not_to_have_value("")
    phone.locator("label[for=place-address]").click()
    expect(phone.locator("#place-address-panel")).to_be_visible()
    expect(phone.locator("#place-store-panel")).to_be_hidden()
    phone.locator("#county").select_option(county)
    phone.locator(f"#township option[value='{township}']").wait_for(state="attached")
    phone.locator("#township").select_option(township)
    phone.locator("#address").fill("夜市北门第三个摊位")
    phone.locator("#use-location").click()
    expect(phone.locator("#location-done")).to_be_visible()
    expect(phone.locator("#latitude")).to_have_value(f"{POSITION['latitude']:.6f}")
    expect(phone.locator("#longitude")).to_have_value(f"{POSITION['longitude']:.6f}")
    phone.locator("#files").set_input_files(
        [{"name": "IMG_3310.JPG", "mimeType": "image/jpeg", "buffer": storeroom_photo()}]
    )
    no_sideways_scroll(phone)
    shot(phone, "report-form-filled")

    left = MIN_FILL_S + 1 - (time.monotonic() - served)
    if left > 0:
        phone.wait_for_timeout(left * 1000)
    with phone.expect_navigation():
        phone.locator("#submit-report").click()
    result = phone.locator("#report-result")
    assert result.get_attribute("data-anonymous") == "yes"
    receipt = phone.locator("#receipt-code").inner_text().strip()
    assert len(receipt) == 14, receipt
    no_sideways_scroll(phone)
    shot(phone, "report-receipt")

    # Later, on another phone with no cookies of the first: the receipt code alone.
    other = new_page("phone")
    other.set_viewport_size(NARROW)
    other.goto("/track")
    other.locator("#receipt").fill(receipt)
    with other.expect_navigation():
        other.locator("#track-submit").click()
    view = other.locator("#report-view")
    assert view.get_attribute("data-stage") == "received"
    assert other.locator("#report-stage").get_attribute("aria-current") == "step"
    assert "匿名" in view.inner_text() or "Anonymous" in view.inner_text()
    assert "烧烤摊" not in other.content()  # the stage only, never the text
    no_sideways_scroll(other)
    shot(other, "report-followed")
