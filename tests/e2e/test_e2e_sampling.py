"""A regulator enters a sample whose result fails: the page shows the verification and
disposal case it opened, the case links back to the sample, and the store page on a phone
shows the result with the failed item in plain language."""

from __future__ import annotations

import pytest
from e2e_support import E2EServer, NewPage, Shot, sign_in
from playwright.sync_api import Page, expect

from sunshine.core.time import today_local

pytestmark = pytest.mark.browser

PRODUCT = "凉拌木耳"


def test_a_failed_sample_opens_its_case_and_is_published(
    e2e: E2EServer, portal: Page, new_page: NewPage, shot: Shot
) -> None:
    store_id = e2e.account("owner_a")["business_id"]
    sign_in(portal, "inspector_a")
    portal.goto(f"/gov/businesses/{store_id}")
    store_link = portal.locator('a[href^="/s/"]').first.get_attribute("href") or ""
    assert store_link.startswith("/s/")
    portal.locator("#record-sample").click()
    portal.wait_for_url("**/gov/sampling/samples/new?business=*")
    expect(portal.locator("#sample-business")).to_be_visible()

    portal.locator("#product_name").fill(PRODUCT)
    portal.locator("#category").select_option("catering_food")
    portal.locator("#batch_number").fill("当日加工")
    portal.locator("#sampling_place").fill("凉菜间")
    portal.locator("#sampling_agency").fill("锦江区市场监督管理局")
    portal.locator("#samplers").fill("张明、李华")
    rows = portal.locator("#item-rows tbody tr")
    first, second = rows.nth(0), rows.nth(1)
    first.locator('[name="items-0-name"]').fill("大肠菌群")
    first.locator('[name="items-0-standard"]').fill("GB 19295-2021")
    first.locator('[name="items-0-limit"]').fill("100")
    first.locator('[name="items-0-unit"]').fill("CFU/g")
    first.locator('[name="items-0-method"]').fill("GB 4789.3-2016")
    first.locator('[name="items-0-result"]').fill("2400")
    second.locator('[name="items-1-name"]').fill("沙门氏菌")
    second.locator('[name="items-1-standard"]').fill("GB 29921-2021")
    second.locator('[name="items-1-comparator"]').select_option("not_detected")
    second.locator('[name="items-1-method"]').fill("GB 4789.4-2024")
    second.locator('[name="items-1-result"]').fill("未检出")
    portal.locator("#lab_name").fill("成都市食品检验研究院")
    portal.locator("#report_number").fill("CD-E2E-0001")
    portal.locator("#report_date").fill(today_local().isoformat())
    shot(portal, "form")
    with portal.expect_navigation():
        portal.locator("#save-sample").click()

    expect(portal.locator("#sample-conclusion [data-conclusion]")).to_have_attribute(
        "data-conclusion", "unqualified"
    )
    expect(portal.locator("#sample-case")).to_be_visible()
    expect(portal.locator('#item-table tr[data-verdict="fail"]')).to_have_count(1)
    reference = portal.locator("#case-link").inner_text().strip()
    assert reference.startswith("CJ")
    shot(portal, "sample")

    portal.locator("#case-link").click()
    portal.wait_for_url("**/gov/cases/*")
    expect(portal.locator("body")).to_contain_text(reference)
    expect(portal.locator("#sample-link")).to_be_visible()
    shot(portal, "case")

    portal.goto("/gov/sampling")
    expect(portal.locator("#chart-category svg")).to_have_count(1)
    expect(portal.locator('#category-table tr[data-key="catering_food"]')).to_be_visible()
    shot(portal, "dashboard")

    phone = new_page("phone")
    phone.goto(store_link)
    section = phone.locator("#section-sampling")
    expect(section).to_contain_text(PRODUCT)
    result = section.locator("li[data-conclusion]").filter(has_text=PRODUCT)
    expect(result).to_have_attribute("data-conclusion", "unqualified")
    expect(result.locator(".sampling-failures")).to_contain_text("2400 CFU/g")
    section.scroll_into_view_if_needed()
    shot(phone, "store-page")

    owner = new_page("portal")
    sign_in(owner, "owner_a")
    owner.locator("#menu-sampling").click()
    owner.wait_for_url("**/biz/sampling")
    row = owner.locator("#sample-list tbody tr").filter(has_text=PRODUCT)
    expect(row).to_have_class("table-danger")
    expect(row).to_contain_text("CD-E2E-0001")
    shot(owner, "enterprise")
