"""A newcomer regulator finds the demo's planted ledger anomalies from the government
dashboard: the risk-signal card leads to the signals list, where the planted ones are
listed (a supplier's expired licence, shipments left unconfirmed or received in part, a lot
received in more quantity than was shipped); the recall card leads to the open recall."""

from __future__ import annotations

import pytest
from e2e_support import Shot, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_regulator_goes_from_the_dashboard_to_the_planted_signals(
    portal: Page, shot: Shot
) -> None:
    sign_in(portal, "inspector_a")
    portal.goto("/gov/")
    card = portal.locator("#ingredient-alerts")
    expect(card).to_be_visible()
    assert int(portal.locator("#stat-ledger-signals").inner_text()) > 0
    shot(portal, "dashboard")

    with portal.expect_navigation():
        portal.locator("#to-ledger-signals").click()
    assert "/gov/ledger/signals" in portal.url
    expect(portal.locator("#signal-list")).to_be_visible()
    for rule in ("licence_expired", "shipment_unconfirmed", "shipment_mismatch", "mass_balance"):
        expect(portal.locator(f"#signal-list tr[data-rule='{rule}']").first).to_be_visible()
    expired = portal.locator("#signal-list tr[data-rule='licence_expired']").first
    expect(expired).to_contain_text("荷花池冻品经营部")  # the planted dealer
    shot(portal, "signals")

    portal.goto("/gov/")
    recalls = portal.locator("#open-recalls a")
    expect(recalls.first).to_be_visible()
    with portal.expect_navigation():
        recalls.first.click()
    assert "/gov/recalls/" in portal.url
    shot(portal, "recall")
