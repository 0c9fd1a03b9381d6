"""On a phone, store A's staff record today's daily self-check with one problem and its photo,
find the to-do it opened, and close it saying what was done."""

from __future__ import annotations

import io

import pytest
from e2e_support import Shot, path_of, sign_in
from PIL import Image
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PROBLEM = "冷藏柜温度9℃，高于5℃"
FIX = "已调低温控并复测为3℃"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 110, 190)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_staff_record_a_daily_self_check_on_a_phone_and_close_its_to_do(
    phone: Page, shot: Shot
) -> None:
    sign_in(phone, "staff_a")
    phone.goto("/biz/selfcheck")
    daily = phone.locator("#due-now [data-frequency=daily]")
    assert daily.get_attribute("data-done") == "no"
    shot(phone, "overview")

    phone.locator("#start-daily").click()
    phone.wait_for_url("**/biz/selfcheck/new?frequency=daily")
    cards = phone.locator("fieldset.self-item")
    count = cards.count()
    assert count == 7  # the default daily list: the checklist's key items
    failed = cards.nth(1)
    failed_code = failed.get_attribute("data-code") or ""
    slug = failed_code.replace(".", "-")
    for n in range(count):
        outcome = "fail" if n == 1 else "pass"
        card_slug = (cards.nth(n).get_attribute("data-code") or "").replace(".", "-")
        phone.locator(f"label[for=o-{card_slug}-{outcome}]").click()
    assert phone.locator(f"#note-{slug}").is_visible()  # the problem's fields open on "fail"
    assert not phone.locator(
        "#note-" + (cards.nth(0).get_attribute("data-code") or "").replace(".", "-")
    ).is_visible()
    phone.locator(f"#note-{slug}").fill(PROBLEM)
    photo = phone.locator(f"#photo-{slug}")
    assert photo.get_attribute("accept") == "image/*"
    assert photo.get_attribute("capture") == "environment"
    photo.set_input_files({"name": "fridge.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    failed.scroll_into_view_if_needed()
    shot(phone, "form-with-problem")

    with phone.expect_navigation():
        phone.locator("#submit-self").click()
    assert "recorded=1" in path_of(phone)
    answer = phone.locator(f"#self-answers [data-code='{failed_code}']")
    assert answer.get_attribute("data-outcome") == "fail"
    assert PROBLEM in answer.inner_text()
    assert answer.locator("img").count() == 1
    assert answer.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    shot(phone, "recorded")

    phone.locator("#to-todos").click()
    phone.wait_for_url("**/biz/selfcheck/todos")
    todo = phone.locator("#open-todos .card", has_text=PROBLEM)
    assert todo.count() == 1 and todo.get_attribute("data-overdue") == "no"
    todo_id = todo.get_attribute("data-todo")
    phone.locator(f"#close-open-{todo_id}").click()
    phone.locator(f"#closing-note-{todo_id}").fill(FIX)
    phone.locator(f"#closing-photo-{todo_id}").set_input_files(
        {"name": "fixed.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    shot(phone, "closing")
    with phone.expect_navigation():
        phone.locator(f"#close-submit-{todo_id}").click()
    assert "closed=1" in path_of(phone)
    assert phone.locator(f"#open-todos [data-todo='{todo_id}']").count() == 0
    closed = phone.locator(f"#closed-todos [data-todo='{todo_id}']")
    assert FIX in closed.inner_text() and closed.locator("img").count() == 1
    shot(phone, "closed")

    phone.goto("/biz/selfcheck")
    assert phone.locator("#due-now [data-frequency=daily]").get_attribute("data-done") == "yes"
