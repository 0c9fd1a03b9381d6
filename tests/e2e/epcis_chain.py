"""A lot's three-tier chain captured through the EPCIS REST binding with the businesses' own
API tokens, as their systems would: the chain HQ's business ships the lot to store A2, which
passes part of it on to store A1 (the browser tests of trace and recall start from it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from e2e_support import DEMO_PASSWORD, E2EServer, NewPage, sign_in
from playwright.sync_api import APIRequestContext, Page

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


def public_code(page: Page, business_id: int) -> str:
    """A business's public code, read from its government page's store-page link."""
    page.goto(f"/gov/businesses/{business_id}")
    href = page.locator('a[href^="/s/"]').first.get_attribute("href") or ""
    return href.split("/s/", 1)[1].split("/", 1)[0].split("?", 1)[0]


def api_token(api: APIRequestContext, base: str, username: str) -> dict[str, str]:
    answer = api.post(
        f"{base}/api/v1/auth/token", form={"username": username, "password": DEMO_PASSWORD}
    )
    assert answer.ok, answer.text()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def object_event(
    lot: str, step: str, source: str, destination: str, quantity: int, at: str
) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "ObjectEvent",
        "eventTime": at,
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": "in_progress" if step == "receiving" else "in_transit",
        "epcList": [],
        "quantityList": [{"epcClass": lot, "quantity": quantity, "uom": "KGM"}],
        "sourceList": [{"type": "owning_party", "source": f"urn:sunshine:party:{source}"}],
        "destinationList": [
            {"type": "owning_party", "destination": f"urn:sunshine:party:{destination}"}
        ],
    }


def capture(api: APIRequestContext, base: str, token: dict[str, str], event: Any) -> None:
    answer = api.post(
        f"{base}/epcis/events",
        headers={**token, "Content-Type": "application/json"},
        data=json.dumps(event),
    )
    assert answer.status == 201, answer.text()


@dataclass(frozen=True)
class Chain:
    """The province leader's page that read the codes, and the three businesses' codes."""

    province: Page
    hq: str
    a1: str
    a2: str


def capture_chain(
    e2e: E2EServer,
    page: Page,
    new_page: NewPage,
    *,
    lot: str,
    times: tuple[str, str, str],
    received: int,
    passed_on: int,
) -> Chain:
    """HQ → A2 (``received``), A2 → A1 (``passed_on``), A1's receipt; ``times`` are the
    three events' ISO times. ``page`` is the one whose API context captures."""
    province = new_page("portal")
    sign_in(province, "leader")
    hq = public_code(province, e2e.account("chain_hq")["business_id"])
    a1 = public_code(province, e2e.account("owner_a")["business_id"])
    a2 = public_code(province, e2e.account("owner_a2")["business_id"])
    api, base = page.request, e2e.base_url
    seller, buyer = api_token(api, base, "owner_a2"), api_token(api, base, "owner_a")
    capture(api, base, seller, object_event(lot, "receiving", hq, a2, received, times[0]))
    capture(api, base, seller, object_event(lot, "shipping", a2, a1, passed_on, times[1]))
    capture(api, base, buyer, object_event(lot, "receiving", a2, a1, passed_on, times[2]))
    return Chain(province=province, hq=hq, a1=a1, a2=a2)
