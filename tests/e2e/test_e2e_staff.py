"""The owner adds a staff member through the form; a bad ID number is refused field by field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from e2e_support import Shot, count_in, path_of, sign_in
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_number(first17: str) -> str:
    """A resident ID number with its GB 11643 check character (computed here, not by the app)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK_CHARS[total % 11]


def wrong_check_char(number: str) -> str:
    other = next(c for c in "0123456789" if c != number[-1])
    return number[:-1] + other


def staff_rows(page: Page) -> int:
    return page.locator("#staff-table tbody tr").count()


def heading_count(page: Page) -> int:
    return count_in(page.locator("h1 .small").inner_text())


def open_new_staff_form(page: Page) -> None:
    page.locator("#add-staff").click()
    page.wait_for_url("**/biz/staff/new")
    assert page.locator("h1").inner_text().startswith("新增从业人员")


def test_owner_adds_staff_and_a_bad_id_number_is_refused(portal: Page, shot: Shot) -> None:
    sign_in(portal, "owner_a")
    portal.locator("#menu-staff").click()
    portal.wait_for_url("**/biz/staff")
    before = staff_rows(portal)
    assert before == heading_count(portal) > 0
    shot(portal, "list-before")

    open_new_staff_form(portal)
    person = id_number("51010419880229137")
    issued = date.today() - timedelta(days=20)  # noqa: DTZ011 - a date only, 20 days back
    portal.get_by_label("姓名").fill("韦晓测")
    portal.get_by_label("岗位").fill("切配")
    portal.get_by_label("身份证号码").fill(person)
    portal.locator("#s-gender").select_option("female")
    portal.get_by_label("联系电话").fill("13800138000")
    assert portal.locator("#s-direct_contact").is_checked()
    portal.locator("#s-health_cert_number").fill("JK-E2E-0001")
    portal.locator("#s-health_cert_issue_date").fill(issued.isoformat())
    portal.locator("#s-health_cert_expiry_date").fill((issued + timedelta(days=360)).isoformat())
    shot(portal, "form-filled")
    with portal.expect_navigation():
        portal.get_by_role("button", name="保存").click()

    assert path_of(portal) == "/biz/staff?added=1"
    assert portal.locator("#flash").inner_text().strip() == "从业人员已添加。"
    assert staff_rows(portal) == heading_count(portal) == before + 1
    row = portal.locator("#staff-table tbody tr", has_text="韦晓测")
    assert row.count() == 1
    masked = person[:6] + "*" * 8 + person[-4:]
    assert row.locator("td").nth(2).inner_text().strip() == masked
    assert person not in portal.content()
    assert "切配" in row.inner_text()
    shot(portal, "added")

    open_new_staff_form(portal)
    bad = wrong_check_char(id_number("51010419910704256"))
    portal.locator("#s-name").fill("错号测")
    portal.locator("#s-position").fill("服务员")
    portal.locator("#s-id_number").fill(bad)
    portal.locator("#s-direct_contact").uncheck()
    with (
        portal.expect_response(lambda r: r.request.method == "POST") as posted,
        portal.expect_navigation(),
    ):
        portal.get_by_role("button", name="保存").click()
    assert posted.value.status == 422
    assert path_of(portal) == "/biz/staff/new"
    id_field = portal.locator("#s-id_number")
    assert "is-invalid" in (id_field.get_attribute("class") or "").split()
    assert id_field.get_attribute("aria-invalid") == "true"
    assert id_field.input_value() == bad  # what was typed is kept
    for other in ("#s-name", "#s-position", "#s-phone"):
        assert "is-invalid" not in (portal.locator(other).get_attribute("class") or "")
    errors = portal.locator("#form-errors")
    assert errors.is_visible()
    items = errors.locator("li")
    assert items.count() == 1
    assert items.first.get_attribute("data-field") == "id_number"
    assert "身份证号码" in items.first.inner_text()  # the field's label, in Chinese
    assert "校验码应为" in items.first.inner_text()  # and the reason too
    feedback = portal.locator("#s-id_number-error")  # shown under the input as well
    assert feedback.is_visible()
    assert "校验码应为" in feedback.inner_text()
    assert portal.locator("#s-name").input_value() == "错号测"
    shot(portal, "bad-id")

    portal.locator("#menu-staff").click()
    portal.wait_for_url("**/biz/staff")
    assert staff_rows(portal) == heading_count(portal) == before + 1
    assert portal.locator("#staff-table tbody tr", has_text="错号测").count() == 0
    shot(portal, "list-after")
