"""Every demo role signs in through the login form and lands on its own portal and menu."""

from __future__ import annotations

import pytest
from e2e_support import E2EServer, NewPage, Shot, html_lang, path_of, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

REGULATORS = ("admin", "leader", "city_leader", "inspector_a", "inspector_b", "chief_a", "chief_b")
ENTERPRISES = ("owner_a", "manager_a", "staff_a", "owner_a2", "owner_b", "chain_hq")
ENTERPRISE_EDITORS = {"enterprise_owner", "enterprise_manager", "chain_hq"}
GOV_MENU = ("/gov/", "/gov/businesses", "/gov/expiring", "/gov/imports", "/gov/org-units")
GOV_ADMIN_MENU = ("/gov/users", "/gov/audit")
BIZ_MENU = ("/biz/", "/biz/profile", "/biz/staff", "/biz/qr")


def menu_hrefs(page: Page) -> list[str]:
    hrefs = page.locator("#menu a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [str(h) for h in hrefs]


@pytest.mark.parametrize("username", REGULATORS)
def test_regulator_lands_on_the_government_portal(
    username: str, e2e: E2EServer, portal: Page, shot: Shot
) -> None:
    sign_in(portal, username)
    assert path_of(portal) == "/gov/"
    assert html_lang(portal) == "zh-CN"
    menu = portal.locator("#menu")
    assert menu.is_visible()
    assert menu.get_attribute("aria-label") == "监管端菜单"
    hrefs = menu_hrefs(portal)
    for href in GOV_MENU:
        assert href in hrefs, f"{username} misses {href} in {hrefs}"
    assert not [h for h in hrefs if h.startswith("/biz")]
    if username == "admin":
        for href in GOV_ADMIN_MENU:
            assert href in hrefs, f"the admin misses {href}"
        assert menu.get_by_role("link", name="用户管理").is_visible()
        assert menu.get_by_role("link", name="审计日志").is_visible()
    else:
        for href in GOV_ADMIN_MENU:
            assert href not in hrefs, f"{username} ({e2e.account(username)['role']}) sees {href}"
    assert menu.get_by_role("link", name="经营主体").is_visible()
    assert portal.locator("#who").inner_text().strip()
    shot(portal, "landing")


@pytest.mark.parametrize("username", ENTERPRISES)
def test_enterprise_user_lands_on_the_enterprise_portal(
    username: str, e2e: E2EServer, portal: Page, shot: Shot
) -> None:
    account = e2e.account(username)
    editor = account["role"] in ENTERPRISE_EDITORS
    sign_in(portal, username)
    assert path_of(portal) == "/biz/"
    assert html_lang(portal) == "zh-CN"
    menu = portal.locator("#menu")
    assert menu.is_visible()
    assert menu.get_attribute("aria-label") == "企业端菜单"
    hrefs = menu_hrefs(portal)
    for href in BIZ_MENU:
        assert href in hrefs, f"{username} misses {href} in {hrefs}"
    assert not [h for h in hrefs if h.startswith("/gov")]
    assert ("/biz/outlets" in hrefs) is (username == "chain_hq")
    assert ("/biz/imports" in hrefs) is editor
    assert portal.locator("#business-name").inner_text().strip()
    shot(portal, "landing")

    portal.locator("#menu-staff").click()
    portal.wait_for_url("**/biz/staff")
    table = portal.locator("#staff-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() > 0
    edit_links = table.locator("a[href$='/edit']")
    if editor:
        assert portal.locator("a[href^='/biz/staff/new']").count() == 1
        assert edit_links.count() > 0
    else:
        assert portal.locator("a[href^='/biz/staff/new']").count() == 0
        assert edit_links.count() == 0
        assert table.locator("form[action$='/reveal']").count() == 0
        assert portal.locator("a[href^='/biz/imports']").count() == 0
    shot(portal, "staff")


def test_citizen_lands_on_the_public_portal(phone: Page, shot: Shot) -> None:
    sign_in(phone, "citizen")
    assert path_of(phone) == "/"
    assert html_lang(phone) == "zh-CN"
    assert phone.locator("#menu").count() == 0
    assert phone.locator("a[href^='/gov/'], a[href^='/biz/']").count() == 0
    assert phone.get_by_role("button", name="退出登录").is_visible()
    assert phone.get_by_role("heading", name="这家店吃得放心吗？").is_visible()
    shot(phone, "landing")


def test_public_pages_switch_to_english_from_the_footer(phone: Page, shot: Shot) -> None:
    phone.goto("/")
    assert html_lang(phone) == "zh-CN"
    assert phone.get_by_role("heading", name="这家店吃得放心吗？").is_visible()
    shot(phone, "chinese")

    with phone.expect_navigation():
        phone.locator("footer a[hreflang='en']").click()
    assert html_lang(phone) == "en"
    assert phone.get_by_role("heading", name="Is this place safe to eat?").is_visible()
    assert phone.get_by_role("button", name="Search").is_visible()
    shot(phone, "english")

    phone.goto("/login")  # the choice is kept (cookie) on the next page
    assert html_lang(phone) == "en"
    assert phone.get_by_role("heading", name="Sign in").first.is_visible()
    shot(phone, "english-login")

    with phone.expect_navigation():
        phone.locator("footer a[hreflang='zh-CN']").click()
    assert html_lang(phone) == "zh-CN"
    assert phone.get_by_role("heading", name="登录").first.is_visible()


def test_government_portal_switches_to_english_from_the_footer(portal: Page, shot: Shot) -> None:
    sign_in(portal, "inspector_a")
    assert html_lang(portal) == "zh-CN"
    with portal.expect_navigation():
        portal.locator("footer a[hreflang='en']").click()
    assert path_of(portal).startswith("/gov/")
    assert html_lang(portal) == "en"
    menu = portal.locator("#menu")
    assert menu.get_attribute("aria-label") == "Government menu"
    assert menu.get_by_role("link", name="Businesses").is_visible()
    assert menu.get_by_role("link", name="Dashboard").is_visible()
    shot(portal, "english")


def test_the_portal_menu_folds_away_on_a_phone(
    e2e: E2EServer, new_page: NewPage, shot: Shot
) -> None:
    phone = new_page("phone")
    sign_in(phone, "staff_a")
    body = phone.locator("#menu-body")
    expect(body).to_be_hidden()  # the page's own content comes first
    phone.locator("#menu .menu-toggle:not(.menu-close)").click()
    expect(body).to_be_visible()
    expect(body.get_by_role("link", name="主体自查")).to_be_visible()
    shot(phone, "menu-open")
    phone.locator("#menu .menu-close").click()
    expect(body).to_be_hidden()
