"""A regulator opens the big ledger (大台账): the charts and tables of the jurisdiction's
purchases, then the risk signals, runs the anomaly rules and opens a lead case from one."""

from __future__ import annotations

import pytest
from e2e_support import Shot, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_regulator_reads_the_big_ledger_and_its_risk_signals(portal: Page, shot: Shot) -> None:
    sign_in(portal, "chief_a")
    portal.goto("/gov/ledger/analytics?from=2000-01-01")
    expect(portal.locator("#by-category")).to_be_visible()
    # ECharts draws the charts as SVG inside their boxes.
    expect(portal.locator("#chart-category svg")).to_have_count(1)
    assert int(portal.locator("#stat-lines").inner_text()) > 0
    shot(portal, "analytics")

    portal.goto("/gov/ledger/signals")
    with portal.expect_navigation():
        portal.locator("#run-rules button").click()
    expect(portal.locator("#run-result")).to_be_visible()
    shot(portal, "signals")
    rows = portal.locator("#signal-list tbody tr")
    if rows.count():
        with portal.expect_navigation():
            rows.first.locator("button").click()
        assert "/gov/cases/" in portal.url
        shot(portal, "lead-case")
