"""An administrator reads the checklist in force and the 2022 draft, then tries to load a
file with a mistake: the page names the place in the file and stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import Shot, sign_in
from playwright.sync_api import Page, expect

from sunshine.inspections import files

pytestmark = pytest.mark.browser


def test_an_administrator_reads_the_checklists_and_a_wrong_file_is_refused(
    portal: Page, shot: Shot, tmp_path: Path
) -> None:
    sign_in(portal, "admin")
    portal.goto("/gov/checklists")
    rows = portal.locator("#checklist-table tbody tr")
    expect(rows).to_have_count(2)
    expect(portal.locator('tr[data-status="active"]')).to_contain_text("2016")
    expect(portal.locator('tr[data-status="draft"]')).to_contain_text("不完整")
    shot(portal, "list")

    portal.locator('tr[data-status="active"] a').click()
    expect(portal.locator("#in-force-notice")).to_be_visible()
    expect(portal.locator('tr[data-key="yes"]')).to_have_count(7)
    expect(portal.locator("#result-rule")).to_contain_text("基本符合")
    shot(portal, "in-force")

    portal.goto("/gov/checklists")
    portal.locator('tr[data-status="draft"] a').click()
    expect(portal.locator("#draft-notice")).to_contain_text("草稿")
    expect(portal.locator("#activate-form")).to_have_count(0)
    shot(portal, "draft")

    doc = json.loads(files.bundled("catering-2016.json"))
    doc["version"] = "2016-e2e"
    doc["sections"][2]["items"][1]["key"] = "是"
    wrong = tmp_path / "checklist.json"
    wrong.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    portal.goto("/gov/checklists")
    portal.locator("#checklist-file").set_input_files(str(wrong))
    portal.locator("#checklist-upload button[type=submit]").click()
    expect(portal.locator("#form-errors")).to_contain_text("sections[2].items[1].key")
    expect(portal.locator("#checklist-table tbody tr")).to_have_count(2)
    shot(portal, "refused")
