"""The inspector app on a phone, end to end: an inspector finds a store of the station's
township, opens it with the network (the phone keeps its checklist), loses the network, does
the whole inspection (a failed item with its note and a camera photo, the co-inspector, three
signatures drawn on screen), saves it into the phone's outbox, and sees it waiting; when the
network returns it is sent by itself and stored exactly once. A record made with a checklist
that is no longer in force comes back as a conflict, is checked again and then stored."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from e2e_support import DEMO_PASSWORD, E2EServer, NewPage, Shot, sign_in
from PIL import Image
from playwright.sync_api import Page, expect

from sunshine.core.time import today_local

pytestmark = pytest.mark.browser

POSITION = {"latitude": 30.657, "longitude": 104.066, "accuracy": 12}
SYNC_MS = 20_000  # the 'online' event, then a POST with three signatures and a photo


def _call(
    e2e: E2EServer, path: str, token: str | None = None, form: dict[str, str] | None = None
) -> Any:
    headers = {"accept": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = urllib.parse.urlencode(form).encode() if form else None
    request = urllib.request.Request(e2e.base_url + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=15) as answer:
        return json.loads(answer.read().decode())


def _token(e2e: E2EServer) -> str:
    body = {"username": "inspector_a", "password": DEMO_PASSWORD}
    return str(_call(e2e, "/api/v1/auth/token", form=body)["access_token"])


def _station_store(e2e: E2EServer, token: str, index: int) -> dict[str, Any]:
    """A store of chief_a's township: inspector_a (county) and chief_a (station) cover it."""
    township = e2e.account("chief_a")["region_code"]
    stores = _call(e2e, f"/api/v1/businesses?region={township}&per_page=5", token=token)
    assert len(stores["items"]) > index, f"too few stores in township {township}"
    return dict(stores["items"][index])


def _history(e2e: E2EServer, token: str, business_id: int) -> list[dict[str, Any]]:
    page = _call(e2e, f"/api/v1/businesses/{business_id}/inspections?per_page=200", token=token)
    return list(page["items"])


def _photo() -> bytes:
    """A phone camera's photo: 4,000 pixels wide, far more than the app sends."""
    image = Image.new("RGB", (4000, 3000), (200, 210, 220))
    image.paste((120, 60, 40), (1500, 1000, 2500, 2000))  # the dirty chopping board
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _open_app(phone: Page, e2e: E2EServer) -> None:
    phone.context.grant_permissions(["geolocation"], origin=e2e.base_url)
    phone.context.set_geolocation(POSITION)
    sign_in(phone, "inspector_a")
    phone.goto("/gov/app")
    # The service worker kept the app's shell (the page says so once it answers).
    expect(phone.locator("html[data-offline-ready=yes]")).to_have_count(1)
    phone.wait_for_function("navigator.serviceWorker.controller !== null")


def _open_store(phone: Page, store: dict[str, Any]) -> None:
    phone.locator("#q").fill(store["name"])
    result = phone.locator(f'#found a[data-business-id="{store["id"]}"]')
    result.click()
    phone.wait_for_url(f"**/gov/app/businesses/{store['id']}")
    # Its inspection page, checklist and officers are now kept on the phone.
    expect(phone.locator("html[data-offline-ready=yes]")).to_have_count(1)


def _sign(phone: Page, signer: str) -> None:
    pad = phone.locator(f"#signature-{signer}")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    phone.mouse.move(x, y)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(x + step * 22, y + (18 if step % 2 else -18), steps=3)
    phone.mouse.up()


def _fill_inspection(phone: Page, *, fail: bool) -> None:
    if fail:
        card = phone.locator('.item-card[data-key="no"]').first
        card.locator('label[for$="-fail"]').click()
        note = card.locator(".item-note")
        expect(note).to_be_visible()
        note.fill("砧板生熟未分开，表面有霉斑")
        card.locator("input.photo-input").set_input_files(
            [{"name": "IMG_4021.JPG", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        thumb = card.locator(".photo-thumb img")
        expect(thumb).to_have_count(1)
        assert thumb.evaluate("img => Math.max(img.naturalWidth, img.naturalHeight)") == 1600
    phone.locator("#rest-pass").click()
    expected = "basically_compliant" if fail else "compliant"
    expect(phone.locator("#result-preview")).to_have_attribute("data-result", expected)
    chief = phone.locator("#co-inspector option", has_text="所长A").get_attribute("value")
    assert chief
    phone.locator("#co-inspector").select_option(chief)
    phone.locator("#representative-name").fill("王店长")
    for signer in ("me", "co", "rep"):
        _sign(phone, signer)
    if fail:
        rectify_by = today_local() + timedelta(days=10)
        phone.locator("#rectify-by").fill(rectify_by.isoformat())
    expect(phone.locator("#geo-state")).to_contain_text("30.65700")


def _post_json(e2e: E2EServer, path: str, token: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        e2e.base_url + path,
        data=json.dumps(body).encode(),
        headers={
            "accept": "application/json",
            "content-type": "application/json",
            "authorization": f"Bearer {token}",
        },
    )
    with urllib.request.urlopen(request, timeout=15) as answer:
        return json.loads(answer.read().decode())


def _task_for_inspector_a(e2e: E2EServer, token: str) -> dict[str, Any]:
    """A new task of inspector_a and chief_a: chief_a asks, through the API, for an
    inspection of the business of one of the station's open cases."""
    body = {"username": "chief_a", "password": DEMO_PASSWORD}
    chief_token = str(_call(e2e, "/api/v1/auth/token", form=body)["access_token"])
    chief = _call(e2e, "/api/v1/me", token=chief_token)["id"]
    me = _call(e2e, "/api/v1/me", token=token)["id"]
    cases = _call(e2e, "/api/v1/cases?queue=open&per_page=100", token=chief_token)["items"]
    for case in cases:
        if not case.get("business_id"):
            continue
        try:
            return dict(
                _post_json(
                    e2e,
                    f"/api/v1/cases/{case['id']}/inspection-task",
                    chief_token,
                    {"inspector_ids": [me, chief]},
                )
            )
        except urllib.error.HTTPError:  # the case has its task already, or no clock
            continue
    raise AssertionError("no open case of chief_a's station to ask an inspection for")


def test_a_task_cancelled_while_offline_is_a_conflict_settled_without_the_task(
    e2e: E2EServer, new_page: NewPage, shot: Shot
) -> None:
    """Runs first in this file: the other tests record inspections that could fulfil the
    demo's task."""
    token = _token(e2e)
    task = _task_for_inspector_a(e2e, token)
    before = len(_history(e2e, token, task["business_id"]))
    phone = new_page("phone")
    _open_app(phone, e2e)
    # The home maps the officer's tasks; the task leads to its business.
    expect(phone.locator("#task-map .map-pin")).not_to_have_count(0)
    expect(phone.locator(f'#task-map .map-pin[data-task="{task["id"]}"]')).to_have_count(1)
    shot(phone, "home-task-map")
    phone.locator(f'#my-tasks .list-group a[data-task="{task["id"]}"]').click()
    phone.wait_for_url(f"**/gov/app/businesses/{task['business_id']}")
    expect(phone.locator("#my-task")).to_have_attribute("data-task", str(task["id"]))
    expect(phone.locator("html[data-offline-ready=yes]")).to_have_count(1)

    phone.context.set_offline(True)
    phone.locator("#start-inspection").click()
    expect(phone.locator("#inspection-form")).to_be_visible()
    _fill_inspection(phone, fail=False)
    phone.locator("#save-inspection").click()
    phone.wait_for_url("**/gov/app#outbox")
    key = phone.locator(".outbox-item").first.get_attribute("data-key")

    # Meanwhile the station chief cancels the task at a desk.
    desk = new_page("portal")
    sign_in(desk, "chief_a")
    desk.goto(f"/gov/tasks/{task['id']}")
    desk.locator("#cancel-reason").fill("商户已申请停业")
    with desk.expect_navigation():
        desk.locator("#task-cancel button[type=submit]").click()

    phone.context.set_offline(False)
    item = phone.locator(f'.outbox-item[data-key="{key}"]')
    expect(item).to_have_attribute("data-state", "conflict", timeout=SYNC_MS)
    assert len(_history(e2e, token, task["business_id"])) == before
    # The refused POST (409) is on this page's record of failed requests, as it should be:
    # the rest is done on a fresh page of the same phone.
    again = phone.context.new_page()
    phone.close()
    again.goto("/gov/app")
    item = again.locator(f'.outbox-item[data-key="{key}"]')
    expect(item).to_have_attribute("data-state", "conflict")
    expect(item.locator(".outbox-message")).to_contain_text("取消")
    shot(again, "outbox-task-conflict")
    item.locator(".record-without-task").click()
    expect(item).to_have_attribute("data-state", "stored", timeout=SYNC_MS)
    ours = [i for i in _history(e2e, token, task["business_id"]) if i["client_key"] == key]
    assert len(ours) == 1 and ours[0]["task_id"] is None
    shot(again, "outbox-task-conflict-stored")


def test_an_inspection_done_offline_is_stored_once_when_the_network_returns(
    e2e: E2EServer, new_page: NewPage, shot: Shot
) -> None:
    token = _token(e2e)
    store = _station_store(e2e, token, 0)
    before = len(_history(e2e, token, store["id"]))
    phone = new_page("phone")
    _open_app(phone, e2e)
    shot(phone, "home")
    _open_store(phone, store)
    expect(phone.locator("#risk-level")).to_be_visible()
    shot(phone, "business")

    phone.context.set_offline(True)
    expect(phone.locator("#net-state")).to_have_attribute("data-state", "offline")
    phone.locator("#start-inspection").click()
    phone.wait_for_url(f"**/gov/app/businesses/{store['id']}/inspect")
    expect(phone.locator("#inspection-form")).to_be_visible()
    expect(phone.locator(".item-card")).to_have_count(30)
    expect(phone.locator('.item-card[data-key="yes"]')).to_have_count(7)
    shot(phone, "inspection-offline")
    _fill_inspection(phone, fail=True)
    shot(phone, "inspection-filled")

    phone.locator("#save-inspection").click()
    phone.wait_for_url("**/gov/app#outbox")
    waiting = phone.locator(".outbox-item")
    expect(waiting).to_have_count(1)
    expect(waiting).to_have_attribute("data-state", "waiting")
    expect(waiting).to_contain_text(store["name"])
    expect(phone.locator("#sync-state")).to_have_attribute("data-count", "1")
    key = waiting.get_attribute("data-key")
    assert key and len(key) == 36  # crypto.randomUUID()
    shot(phone, "outbox-waiting")
    assert len(_history(e2e, token, store["id"])) == before  # nothing reached the server

    # A page the phone did not keep says so instead of failing blank.
    phone.goto(f"/gov/app/businesses/{store['id'] + 100000}")
    expect(phone.locator("#offline-page")).to_be_visible()
    phone.goto("/gov/app")

    phone.context.set_offline(False)
    stored = phone.locator(f'.outbox-item[data-key="{key}"]')
    expect(stored).to_have_attribute("data-state", "stored", timeout=SYNC_MS)
    expect(phone.locator("#net-state")).to_have_attribute("data-state", "online")
    shot(phone, "outbox-stored")
    phone.locator("#sync-now").click()  # sending again changes nothing
    ours = [i for i in _history(e2e, token, store["id"]) if i["client_key"] == key]
    assert len(ours) == 1
    assert len(_history(e2e, token, store["id"])) == before + 1
    assert ours[0]["result"] == "basically_compliant"
    expect(stored).to_contain_text(ours[0]["reference"])

    stored.get_by_role("link").click()
    phone.wait_for_url(f"**/gov/inspections/{ours[0]['id']}/record")
    expect(phone.locator("#record-reference")).to_have_text(ours[0]["reference"])
    expect(phone.locator("#record-result")).to_have_attribute("data-result", "basically_compliant")
    expect(phone.locator('#record-items tr[data-outcome="fail"]')).to_contain_text("砧板生熟未分开")
    signatures = phone.locator("#record-signatures img")
    expect(signatures).to_have_count(3)
    for n in range(3):
        assert signatures.nth(n).evaluate("img => img.complete && img.naturalWidth > 0")
    shot(phone, "record")

    # On paper: the record as a desk computer prints it.
    desk = new_page("portal")
    sign_in(desk, "inspector_a")
    desk.goto(f"/gov/inspections/{ours[0]['id']}/record")
    desk.emulate_media(media="print")
    expect(desk.locator("header.navbar")).to_be_hidden()
    shot(desk, "record-print")


def test_a_record_made_with_an_old_checklist_is_a_conflict_checked_again(
    e2e: E2EServer, new_page: NewPage, shot: Shot
) -> None:
    token = _token(e2e)
    store = _station_store(e2e, token, 1)
    before = len(_history(e2e, token, store["id"]))
    phone = new_page("phone")
    _open_app(phone, e2e)
    # The version that is not in force: as if the phone had kept it from before a change.
    phone.goto("/gov/checklists")
    href = phone.locator('tr[data-status="draft"] a').first.get_attribute("href")
    assert href
    old_checklist = int(href.rsplit("/", 1)[1])
    phone.goto("/gov/app")
    _open_store(phone, store)

    phone.context.set_offline(True)
    phone.locator("#start-inspection").click()
    expect(phone.locator("#inspection-form")).to_be_visible()
    _fill_inspection(phone, fail=False)
    phone.locator("#save-inspection").click()
    phone.wait_for_url("**/gov/app#outbox")
    key = phone.locator(".outbox-item").get_attribute("data-key")
    phone.evaluate(
        """([key, old]) => new Promise((resolve, reject) => {
          const open = indexedDB.open("sunshine-inspector");
          open.onsuccess = () => {
            const store = open.result.transaction("outbox", "readwrite").objectStore("outbox");
            const read = store.get(key);
            read.onsuccess = () => {
              const record = read.result;
              record.checklist_id = old;
              record.form.checklist_id = old;
              store.put(record).onsuccess = resolve;
            };
          };
          open.onerror = reject;
        })""",
        [key, old_checklist],
    )
    phone.context.set_offline(False)
    item = phone.locator(f'.outbox-item[data-key="{key}"]')
    expect(item).to_have_attribute("data-state", "conflict", timeout=SYNC_MS)
    assert len(_history(e2e, token, store["id"])) == before

    # The refused POST (409) is on this page's record of failed requests, as it should be:
    # the rest is looked at on a fresh page of the same phone.
    again = phone.context.new_page()
    errors: list[str] = []
    again.on("pageerror", lambda error: errors.append(str(error)))
    phone.close()
    again.goto("/gov/app")
    item = again.locator(f'.outbox-item[data-key="{key}"]')
    expect(item).to_have_attribute("data-state", "conflict")
    expect(item.locator(".outbox-message")).not_to_be_empty()
    shot(again, "outbox-conflict")
    item.locator(".reload-checklist").click()
    again.wait_for_url(f"**/inspect?record={key}")
    expect(again.locator("#inspect-notice")).to_have_attribute("data-state", "conflict")
    expect(again.locator(".item-card input.btn-check:checked")).to_have_count(30)  # all kept
    shot(again, "conflict-checked-again")
    again.locator("#save-inspection").click()
    again.wait_for_url("**/gov/app#outbox")
    item = again.locator(f'.outbox-item[data-key="{key}"]')
    expect(item).to_have_attribute("data-state", "stored", timeout=SYNC_MS)
    ours = [i for i in _history(e2e, token, store["id"]) if i["client_key"] == key]
    assert len(ours) == 1 and ours[0]["result"] == "compliant"
    assert ours[0]["checklist_id"] != old_checklist
    assert not errors, f"script errors: {errors}"
