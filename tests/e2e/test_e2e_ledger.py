"""On a phone, store A's staff record a purchase in the ledger: a product picked from the
library fills the line, a typed barcode finds its product, a photo of the invoice goes with
it, and the line shows in the ledger list."""

from __future__ import annotations

import io

import pytest
from e2e_support import Shot, path_of, sign_in
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (230, 220, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_staff_record_a_purchase_on_a_phone_and_find_it_in_the_ledger(
    phone: Page, shot: Shot
) -> None:
    assert phone.viewport_size == {"width": 390, "height": 844}
    sign_in(phone, "staff_a")
    phone.goto("/biz/ledger")
    shot(phone, "list-before")
    phone.locator("#new-line").click()
    phone.wait_for_url("**/biz/ledger/new")

    # A typed barcode finds its product (酱油 in the demo library) and fills the line.
    phone.locator("#gtin").fill("6903456120091")
    phone.locator("#gtin-find").click()
    phone.wait_for_function("document.querySelector('#product-name').value === '酱油'")
    assert phone.locator("#specification").input_value() == "1.9L/瓶"
    # Picking another product from the library fills it instead.
    milk = phone.locator("#product-id option", has_text="纯牛奶").first.get_attribute("value")
    phone.locator("#product-id").select_option(milk)
    assert phone.locator("#product-name").input_value() == "纯牛奶"
    assert phone.locator("#category").input_value() == "dairy"
    assert phone.locator("#shelf").input_value() == "180"
    shot(phone, "product-filled")

    phone.locator("#quantity").fill("3")
    phone.locator("#unit").fill("箱")
    phone.locator("#batch").fill("M20261128A")
    phone.locator("#supplier").select_option(index=1)
    phone.locator("#doc-licence").check()
    phone.locator("#doc-conformity").check()
    phone.locator("#file-voucher").set_input_files(
        {"name": "invoice.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    phone.locator("#temperature").fill("4")
    shot(phone, "form-filled")
    with phone.expect_navigation():
        phone.locator("#submit-line").click()
    assert "recorded=1" in path_of(phone)
    assert "纯牛奶" in phone.locator("#line-product").inner_text()
    documents = phone.locator("#line-documents").inner_text()
    assert "invoice.jpg" in documents
    shot(phone, "recorded")

    phone.goto("/biz/ledger?category=dairy")
    # On a phone the lines are cards (the table is for wider screens).
    expect(phone.locator("#ledger-list")).to_be_hidden()
    card = phone.locator("#ledger-cards li", has_text="M20261128A")
    assert card.count() == 1
    assert "3 箱" in card.inner_text()
    shot(phone, "list-after")
