"""A diner reviews a store from a phone with a photo; the owner replies in the portal."""

from __future__ import annotations

import io
import time

import pytest
from e2e_support import NewPage, Shot, sign_in
from PIL import Image, ImageDraw
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

MIN_FILL_S = 6  # a person takes longer than the form's minimum fill time (5 s)
TEXT = "红烧牛肉面汤头浓郁，牛肉给得很足，服务员很热情，就是中午排队有点久。"
REPLY = "感谢您的认可！午市我们已增加一个窗口，欢迎再来。"


def dish_photo() -> bytes:
    """A phone-like photo (800x600) whose EXIF carries the place it was taken."""
    image = Image.new("RGB", (800, 600), (235, 225, 205))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 100, 650, 520), fill=(250, 250, 245), outline=(180, 170, 150), width=8)
    draw.ellipse((230, 170, 570, 450), fill=(170, 80, 30))
    for x in range(260, 540, 40):
        draw.rectangle((x, 260, x + 24, 300), fill=(120, 50, 20))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 4.0, 12.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def store_code(portal: Page) -> str:
    sign_in(portal, "owner_a")
    portal.locator("#menu-qr").click()
    portal.wait_for_url("**/biz/qr")
    return portal.locator("#store-code").inner_text().strip()


def test_a_diner_reviews_from_a_phone_and_the_owner_replies(
    portal: Page, new_page: NewPage, shot: Shot
) -> None:
    code = store_code(portal)
    phone = new_page("phone")
    phone.goto(f"/s/{code}")
    section = phone.locator("#section-reviews")
    assert section.is_visible()
    shot(phone, "store-before")

    phone.locator("#write-review").click()
    phone.wait_for_url(f"**/s/{code}/review")
    opened = time.monotonic()
    assert phone.locator("#review-store").is_visible()
    for field, score in (("environment_score", 4), ("quality_score", 5), ("service_score", 4)):
        phone.locator(f"label[for='{field}-{score}']").tap()
    phone.locator("#text").fill(TEXT)
    phone.set_input_files(
        "#photos",
        files=[{"name": "IMG_2046.JPG", "mimeType": "image/jpeg", "buffer": dish_photo()}],
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the review form scrolls sideways on a phone"
    )
    shot(phone, "form-filled")
    phone.wait_for_timeout(max(0.0, MIN_FILL_S - (time.monotonic() - opened)) * 1000)
    with phone.expect_navigation():
        phone.locator("#submit-review").tap()
    result = phone.locator("#review-result")
    assert result.get_attribute("data-status") == "visible", result.inner_text()
    receipt = phone.locator("#receipt-code").inner_text().strip()
    assert len(receipt) == 14 and receipt.count("-") == 2
    shot(phone, "submitted")

    phone.locator("#back-to-store").tap()
    phone.wait_for_url(f"**/s/{code}?review=*")
    mine = phone.locator(".review", has_text=TEXT)
    assert mine.count() == 1
    thumb = mine.locator(".review-photos img").first
    thumb.scroll_into_view_if_needed()
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert phone.locator("#review-count").is_visible()
    shot(phone, "store-with-review")

    portal.goto("/biz/reviews")
    card = portal.locator(".biz-review", has_text=TEXT)
    assert card.count() == 1
    card.locator("textarea[name=text]").fill(REPLY)
    with portal.expect_navigation():
        card.locator("button[type=submit]").click()
    assert portal.locator("#flash").is_visible()
    assert (
        REPLY
        in portal.locator(".biz-review", has_text=TEXT).locator(".merchant-reply").inner_text()
    )
    shot(portal, "owner-replied")

    phone.reload()
    reply = phone.locator(".review", has_text=TEXT).locator(".merchant-reply")
    assert REPLY in reply.inner_text()
    shot(phone, "store-with-reply")


def test_a_review_sent_too_fast_is_folded_with_its_reason_and_can_be_appealed(
    portal: Page, new_page: NewPage, shot: Shot
) -> None:
    code = store_code(portal)
    phone = new_page("phone")
    phone.goto(f"/s/{code}/review")
    for field in ("environment_score", "quality_score", "service_score"):
        phone.locator(f"label[for='{field}-1']").tap()
    phone.locator("#text").fill("太难吃了，全是味精，服务员还爱答不理的，差评差评差评！")
    with phone.expect_navigation():  # at once, as a script would
        phone.locator("#submit-review").tap()
    assert phone.locator("#review-result").get_attribute("data-status") == "folded"
    assert phone.locator("#fold-reason").get_attribute("data-reason") == "fast_fill"
    receipt = phone.locator("#receipt-code").inner_text().strip()
    shot(phone, "folded")

    phone.goto(f"/s/{code}/reviews?folded=1")
    folded = phone.locator(".review", has_text="全是味精")
    assert folded.count() == 1 and folded.locator(".fold-reason").is_visible()
    shot(phone, "folded-list")

    phone.goto("/reviews/receipt")
    phone.locator("#receipt").fill(receipt.lower().replace("-", " "))
    with phone.expect_navigation():
        phone.locator("#receipt-form button[type=submit]").tap()
    phone.locator(".appeal-form textarea").fill("我是真实顾客，今天中午在店里吃的，有付款记录。")
    with phone.expect_navigation():
        phone.locator(".appeal-form button[type=submit]").tap()
    assert phone.locator(".appeal-state").get_attribute("data-appeal") == "pending"
    shot(phone, "appealed")
