"""The trace and recall pages: /gov/trace draws the graph and the table, /gov/recalls opens
and follows a recall, /biz/recalls is each holder's to-do, and the store page marks it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from trace_helpers import build_network

from helpers import csrf_of

Open = Callable[[str], TestClient]


def test_a_regulator_traces_a_lot_and_sees_the_graph(session: Session, new_client: Open) -> None:
    net = build_network(session)
    session.commit()
    regulator = new_client("inspector_a")
    page = regulator.get(f"/gov/trace?lot={quote(net.lot)}&direction=both&depth=5")
    assert page.status_code == 200
    html = page.text
    assert '<svg id="trace-graph"' in html and "<script" not in html.split("<main", 1)[-1]
    for business in (net.producer, net.wholesaler, net.kitchen, net.store, net.outlet):
        assert f'href="/gov/businesses/{business.id}"' in html
        assert business.licence_number in html
    assert 'id="trace-table"' in html and 'id="recall-form"' in html
    # A ledger line number that is not a number is named.
    assert regulator.get("/gov/trace?line=abc").status_code == 422


def test_a_regulator_of_another_county_gets_nothing(session: Session, new_client: Open) -> None:
    net = build_network(session)
    session.commit()
    page = new_client("inspector_b").get(f"/gov/trace?lot={quote(net.lot)}")
    assert page.status_code == 404 and 'id="trace-graph"' not in page.text


def test_a_recall_from_the_trace_page_reaches_the_holder(
    session: Session, new_client: Open
) -> None:
    net = build_network(session)
    session.commit()
    regulator = new_client("inspector_a")
    token = csrf_of(regulator, f"/gov/trace?lot={quote(net.lot)}")
    refused = regulator.post(
        "/gov/recalls", data={"csrf_token": token, "lot": net.lot, "reason": "", "level": "x"}
    )
    assert refused.status_code == 422 and 'data-field="reason"' in refused.text
    done = regulator.post(
        "/gov/recalls",
        data={"csrf_token": token, "lot": net.lot, "reason": "检出沙门氏菌", "level": "level_1"},
    )
    assert done.status_code == 303
    detail_url = done.headers["location"].split("?")[0]
    recall_id = int(detail_url.rsplit("/", 1)[1])
    detail = regulator.get(detail_url)
    assert detail.status_code == 200 and detail.text.count('data-status="pending"') == 5
    assert "/gov/recalls/" in regulator.get("/gov/recalls").text
    # The trace of the lot now points at its recall instead of offering another.
    traced = regulator.get(f"/gov/trace?lot={quote(net.lot)}").text
    assert 'id="lot-under-recall"' in traced and f"/gov/recalls/{recall_id}" in traced
    assert 'id="recall-form"' not in traced

    store_page = new_client("citizen").get(f"/s/{net.store.public_code}")
    assert 'id="recall-mark"' in store_page.text and "B2603" in store_page.text

    owner = new_client("owner_a")
    todo = owner.get("/biz/recalls")
    assert todo.status_code == 200 and f"/biz/recalls/{recall_id}" in todo.text
    token = csrf_of(owner, f"/biz/recalls/{recall_id}")
    bad = owner.post(f"/biz/recalls/{recall_id}/respond", data={"csrf_token": token, "kept": "x"})
    assert bad.status_code == 422
    answered = owner.post(
        f"/biz/recalls/{recall_id}/respond",
        data={"csrf_token": token, "kept": "0", "destroyed": "30", "returned": ""},
    )
    assert answered.status_code == 303
    assert 'data-status="reported"' in owner.get(f"/biz/recalls/{recall_id}").text
    assert regulator.get(detail_url).text.count('data-status="reported"') == 1

    neighbour = new_client("owner_b")
    assert neighbour.get(f"/biz/recalls/{recall_id}").status_code == 404
    assert f"/biz/recalls/{recall_id}" not in neighbour.get("/biz/recalls").text
    assert new_client("inspector_b").get(detail_url).status_code == 404
