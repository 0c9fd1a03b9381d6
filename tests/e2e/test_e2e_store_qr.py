"""One store, one code (一店一码): the owner's QR code leads a phone to the public store page."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
import zxingcpp
from e2e_support import E2EServer, NewPage, Shot, html_lang, sign_in
from PIL import Image
from playwright.sync_api import Page, Response

pytestmark = pytest.mark.browser

SECTIONS = ("risk",)  # still empty: a later capability fills it
MAX_PAGE_BYTES = 100 * 1024

BLOCKING_HEAD_SCRIPTS = """() => [...document.head.querySelectorAll('script')]
  .filter(s => !s.async && !s.defer && s.type !== 'module')
  .map(s => s.src || s.textContent.slice(0, 80))"""


def test_store_qr_code_opens_the_public_page_on_a_phone(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    sign_in(portal, "owner_a")
    name = portal.locator("#business-name").inner_text().strip()
    licence_number = portal.locator("#licence-card dd.font-monospace").first.inner_text().strip()
    licence_class = portal.locator("#licence-card").get_attribute("class") or ""
    state = next(c[len("licence-") :] for c in licence_class.split() if c.startswith("licence-"))
    assert name and licence_number.startswith(("JY", "SC"))

    portal.locator("#menu-qr").click()
    portal.wait_for_url("**/biz/qr")
    assert portal.locator("#qr-image").is_visible()
    code = portal.locator("#store-code").inner_text().strip()
    public_url = portal.locator("#public-url").get_attribute("href") or ""
    assert public_url == f"{e2e.base_url}/s/{code}"
    shot(portal, "qr-page")

    png_href = portal.locator("#download-png").get_attribute("href") or ""
    png = portal.request.get(png_href)
    assert png.ok and png.headers["content-type"] == "image/png"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body())))
    assert len(found) == 1, f"expected one QR code in {png_href}, found {len(found)}"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    decoded = found[0].text
    assert decoded == public_url

    phone = new_page("phone")
    responses: list[Response] = []

    def record(response: Response) -> None:  # Playwright cannot wrap a bound builtin
        responses.append(response)

    phone.on("response", record)
    opened = phone.goto(decoded)
    assert opened is not None and opened.status == 200
    phone.wait_for_load_state("networkidle")
    assert html_lang(phone) == "zh-CN"
    assert phone.locator("#store-name").inner_text().strip() == name
    licence = phone.locator("section.licence")
    assert licence_number in licence.inner_text()
    badge = phone.locator("#licence-status")
    assert badge.is_visible() and badge.inner_text().strip()
    assert f"status-{state}" in (badge.get_attribute("class") or "").split()
    assert phone.locator("#cert-h").inner_text().strip() == "从业人员健康证明"
    assert phone.locator("#cert-summary").is_visible()
    for key in SECTIONS:
        section = phone.locator(f"#section-{key}")
        assert section.is_visible()
        assert "暂无记录" in section.inner_text(), f"#section-{key}"
    # The demo store publishes kitchen cameras (no camera workers run beside these tests, so
    # they are listed as not live).
    kitchen = phone.locator("#section-kitchen")
    assert kitchen.is_visible() and kitchen.locator("figure[data-camera-name]").count() >= 1
    assert phone.locator("#section-inspections").is_visible()  # records or "暂无记录"
    # The demo store buys ingredients: its main suppliers and recent key purchases show.
    assert "主要供货者" in phone.locator("#section-ingredients").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the store page scrolls sideways on a phone"
    )
    assert phone.evaluate(BLOCKING_HEAD_SCRIPTS) == []

    page_bytes = 0
    for response in responses:
        if urlsplit(response.url).path.startswith("/static/"):
            continue
        sizes = response.request.sizes()
        page_bytes += sizes["responseHeadersSize"] + max(
            sizes["responseBodySize"], len(response.body())
        )
    assert 0 < page_bytes < MAX_PAGE_BYTES, f"the store page transferred {page_bytes} bytes"
    print(f"store page: {page_bytes} bytes without /static/ ({len(responses)} responses)")
    shot(phone, "store-page")

    phone.goto(f"{decoded}?lang=en")
    assert html_lang(phone) == "en"
    assert phone.locator("#cert-h").inner_text().strip() == "Staff health certificates"
    for key in SECTIONS:
        assert "No record yet" in phone.locator(f"#section-{key}").inner_text()
    shot(phone, "store-page-english")
