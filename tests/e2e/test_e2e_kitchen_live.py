"""Live kitchen pictures: the regulator's wall refreshes a camera's latest picture and opens
its MJPEG stream; the public store page (phone) and the street's LED screen play the
published camera's HLS stream, written into the live folder by the worker's HLS writer."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from kitchen_e2e_support import seed_kitchen, write_hls
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _frame(n: int) -> bytes:
    image = Image.new("RGB", (640, 360), (30, 60 + 10 * n, 30))
    ImageDraw.Draw(image).rectangle((40 + 20 * n, 120, 160 + 20 * n, 240), fill=(220, 200, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def test_the_wall_refreshes_tiles_and_opens_the_mjpeg_stream(
    e2e: E2EServer, portal: Page, shot: Shot
) -> None:
    seeded = seed_kitchen(e2e, name="E2E 烹饪间 墙")
    picture = Path(seeded["live_jpeg"])
    _write(picture, _frame(0))
    sign_in(portal, "inspector_a")
    portal.goto(f"/gov/kitchen/wall?business={seeded['business_id']}")
    tile = portal.locator(f'.kitchen-tile[data-camera="{seeded["camera_id"]}"]')
    expect(tile).to_have_attribute("data-live", "yes")
    image = tile.locator("img")
    first = image.get_attribute("src") or ""
    _write(picture, _frame(3))
    # The tile asks again within two seconds (a new query string each time).
    expect(image).not_to_have_attribute("src", first, timeout=5000)
    assert image.evaluate("img => img.naturalWidth") == 640
    shot(portal, "wall")

    tile.click()
    overlay = portal.locator("#kitchen-overlay img")
    expect(portal.locator("#kitchen-overlay")).to_be_visible()
    portal.wait_for_function(
        "() => document.querySelector('#kitchen-overlay img').naturalWidth === 640"
    )
    assert "/mjpeg" in (overlay.get_attribute("src") or "")
    shot(portal, "wall-mjpeg")
    portal.locator(".kitchen-overlay-close").click()
    expect(portal.locator("#kitchen-overlay")).to_be_hidden()

    portal.goto(f"/gov/kitchen/cameras/{seeded['camera_id']}")
    portal.wait_for_function("() => document.querySelector('#live-mjpeg').naturalWidth === 640")
    expect(
        portal.locator('#camera-rules tr[data-model-state="not_installed"]').first
    ).to_be_visible()
    shot(portal, "camera-page")


def test_the_store_page_and_the_street_screen_play_the_published_stream(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    seeded = seed_kitchen(e2e, name="E2E 明厨亮灶", public=True)
    write_hls(Path(seeded["hls_dir"]))
    phone = new_page("phone")
    phone.goto(f"/s/{seeded['public_code']}")
    video = phone.locator(f'video[data-hls="/live/{seeded["public_token"]}/index.m3u8"]')
    expect(video).to_have_attribute("data-state", "loaded", timeout=20_000)
    video.scroll_into_view_if_needed()
    time.sleep(1.0)  # let a frame paint before the screenshot
    shot(phone, "store-kitchen-video")

    portal.goto(f"/public/streets/{seeded['township_code']}/screen?seconds=5")
    slide = portal.locator(f'.screen-store[data-store="{seeded["public_code"]}"]')
    expect(slide).to_be_visible(timeout=60_000)
    expect(slide.locator("video").first).to_have_attribute("data-state", "loaded", timeout=20_000)
    time.sleep(1.0)
    shot(portal, "street-screen")
