"""A city leader filters, sorts and exports the business list in the government portal."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from e2e_support import E2EServer, Shot, count_in, sign_in
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PAGE_SIZE = 25


def column(page: Page, index: int) -> list[str]:
    cells = page.locator(f"#business-table tbody tr td:nth-child({index})")
    return [c.strip() for c in cells.all_inner_texts()]


def names(page: Page) -> list[str]:
    links = page.locator("#business-table tbody tr td:first-child a")
    return [n.strip() for n in links.all_inner_texts()]


def result_count(page: Page) -> int:
    return count_in(page.locator("#result-count").inner_text())


def query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def submit_filters(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#filters button[type=submit]").click()


def click_header(page: Page, title: str) -> None:
    with page.expect_navigation():
        page.locator("#business-table thead a.sort-link", has_text=title).click()


def test_city_leader_filters_sorts_and_exports_businesses(
    e2e: E2EServer, portal: Page, shot: Shot, tmp_path: Path
) -> None:
    county = e2e.account("inspector_a")["region_code"]
    sign_in(portal, "city_leader")
    portal.locator("#menu").get_by_role("link", name="经营主体").click()
    portal.wait_for_url("**/gov/businesses")
    everything = result_count(portal)
    unfiltered = names(portal)
    assert len(unfiltered) == min(everything, PAGE_SIZE)
    assert unfiltered == sorted(unfiltered)  # by name by default
    shot(portal, "list")

    area = portal.locator(f"#f-region option[value='{county}']")
    assert area.count() == 1, f"the demo county {county} is not among the areas"
    county_name = area.inner_text().strip()
    portal.locator("#f-region").select_option(county)
    submit_filters(portal)
    in_county = result_count(portal)
    assert 0 < in_county < everything
    assert query(portal)["region"] == county
    form_label, _n = Counter(column(portal, 2)).most_common(1)[0]

    portal.locator("#f-form").select_option(label=form_label)
    submit_filters(portal)
    form_value = portal.locator("#f-form").input_value()
    assert form_value
    assert query(portal)["region"] == county and query(portal)["form"] == form_value
    total = result_count(portal)
    assert 0 < total <= in_county
    assert len(names(portal)) == min(total, PAGE_SIZE)
    assert set(column(portal, 2)) == {form_label}
    shot(portal, "filtered")

    first = names(portal)[0]
    with portal.expect_navigation():
        portal.locator("#business-table tbody a", has_text=first).first.click()
    assert portal.locator("#business-name").inner_text().strip() == first
    subtitle = portal.locator("#business-name + div").inner_text()
    assert form_label in subtitle
    assert county_name in subtitle, f"{first} is not in {county_name}: {subtitle}"
    shot(portal, "detail")
    portal.go_back()
    assert result_count(portal) == total

    click_header(portal, "许可证有效期至")
    expiry = column(portal, 4)
    assert expiry == sorted(expiry)
    assert result_count(portal) == total

    click_header(portal, "名称")
    assert query(portal)["sort"] == "name" and query(portal)["dir"] == "asc"
    ascending = names(portal)
    assert ascending == sorted(ascending)
    header = portal.locator("#business-table thead a.sort-link", has_text="名称")
    assert header.get_attribute("aria-sort") == "ascending"
    assert portal.locator("#f-region").input_value() == county
    assert portal.locator("#f-form").input_value() == form_value
    assert result_count(portal) == total
    shot(portal, "sorted-ascending")

    click_header(portal, "名称")
    assert query(portal)["dir"] == "desc"
    descending = names(portal)
    assert descending == sorted(descending, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    if total <= PAGE_SIZE:
        assert sorted(descending) == ascending  # the same businesses, the other way round
    assert result_count(portal) == total
    shot(portal, "sorted-descending")

    with portal.expect_download() as download_info:
        portal.locator("#export").click()
    download = download_info.value
    assert download.suggested_filename == "businesses.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    try:
        rows = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()
    headings, data = rows[0], rows[1:]
    assert headings[0] == "名称"
    assert len(data) == total
    by_heading = {h: i for i, h in enumerate(headings)}
    assert {r[by_heading["区县代码"]] for r in data} == {county}
    assert {r[by_heading["主体业态"]] for r in data} == {form_label}
    exported = [str(r[0]) for r in data]
    assert exported[: len(descending)] == descending  # the list's order
