"""The rectification and enforcement pages: the business answers in the enterprise portal
(files checked, nothing kept when refused), the regulator reviews and files, the store page
shows the status and the penalties; neighbours get 404s."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from rectification_helpers import inspect, order_of, store_a
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import csrf_of, login, store_of_station, tiny_pdf
from sunshine.core.time import today_local
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections.rectification_models import PenaltyDecision, RectificationAnswer

HTML = {"accept": "text/html"}


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def _answer(client: TestClient, order_id: int, rows: list[int], files: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    token = csrf_of(client, f"/biz/rectification/{order_id}")
    page = client.get(f"/biz/rectification/{order_id}", headers=HTML).text
    version = page.split('name="expected_version" value="')[1].split('"')[0]
    data = {"csrf_token": token, "expected_version": version, "item_count": str(len(rows))}
    upload = []
    for n, row in enumerate(rows):
        data[f"items-{n}-id"] = str(row)
        data[f"items-{n}-action"] = "已彻底清洁并更换设备"
        name, content = files[n]
        upload.append((f"items-{n}-files", (name, content)))
    return client.post(f"/biz/rectification/{order_id}/answer", data=data, files=upload)


def test_the_business_answers_and_the_regulator_accepts(
    client: TestClient, session: Session
) -> None:
    store = store_a(session)
    order = order_of(session, inspect(session, store, {"5.1": "地面油污", "8.3": "垃圾桶无盖"}))
    rows = [row.id for row, _ in repo.items_of_order(session, order.id)]
    session.commit()
    login(client, "owner_a")
    listing = client.get("/biz/rectification", headers=HTML).text
    assert f'data-order="{order.reference}"' in listing and 'data-status="in_progress"' in listing
    sent = _answer(client, order.id, rows, [("a.jpg", _jpeg()), ("b.pdf", tiny_pdf())])
    assert sent.status_code == 303, sent.text[:2000]
    detail = client.get(sent.headers["location"], headers=HTML).text
    assert 'data-state="answered"' in detail and 'id="flash"' in detail
    login(client, "inspector_a")
    page = client.get("/gov/rectification?tab=answered", headers=HTML).text
    assert f'data-order="{order.reference}"' in page
    token = csrf_of(client, f"/gov/rectification/{order.id}")
    session.refresh(order)
    done = client.post(
        f"/gov/rectification/{order.id}/review",
        data={"csrf_token": token, "expected_version": str(order.version), "decision": "accept"},
    )
    assert done.status_code == 303
    store_page = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert (
        'class="badge rectification-status text-bg-success" data-status="rectified"' in store_page
    )


def test_a_file_that_is_not_a_photo_is_refused_with_its_item_named(
    client: TestClient, session: Session
) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污", "8.3": "无盖"}))
    rows = [row.id for row, _ in repo.items_of_order(session, order.id)]
    session.commit()
    login(client, "manager_a")
    client.cookies.set("lang", "en")
    refused = _answer(client, order.id, rows, [("a.jpg", _jpeg()), ("virus.jpg", b"MZ" * 300)])
    assert refused.status_code == 415
    assert 'data-field="items[1].files"' in refused.text and "Item 8.3" in refused.text
    count = select(func.count()).select_from(RectificationAnswer)
    assert session.execute(count).scalar_one() == 0


def test_neighbours_get_nothing(client: TestClient, session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污"}))
    session.commit()
    login(client, "owner_b")
    assert client.get(f"/biz/rectification/{order.id}", headers=HTML).status_code == 404
    assert order.reference not in client.get("/biz/rectification", headers=HTML).text
    login(client, "staff_a")
    page = client.get(f"/biz/rectification/{order.id}", headers=HTML).text
    assert 'id="answer-form"' not in page and 'id="not-yours"' in page
    login(client, "inspector_b")
    assert client.get(f"/gov/rectification/{order.id}", headers=HTML).status_code == 404
    for tab in ("open", "overdue", "answered"):
        assert order.reference not in client.get(f"/gov/rectification?tab={tab}", headers=HTML).text


def test_the_head_files_an_overdue_order_and_records_a_fine(
    client: TestClient, session: Session
) -> None:
    store = store_of_station(session, "chief_a")
    order = order_of(session, inspect(session, store, {"5.1": "油污"}, days_ago=20, rectify_in=5))
    session.commit()
    login(client, "chief_a")
    client.cookies.set("lang", "en")
    token = csrf_of(client, f"/gov/rectification/{order.id}")
    missing = client.post(
        f"/gov/rectification/{order.id}/file",
        data={"csrf_token": token, "expected_version": str(order.version), "facts": "逾期未整改"},
    )
    assert missing.status_code == 422 and 'data-field="conditions.evidence"' in missing.text
    conditions = {
        f"condition_{k}": "1" for k in ("evidence", "penalty_due", "jurisdiction", "limitation")
    }
    filed = client.post(
        f"/gov/rectification/{order.id}/file",
        data={
            "csrf_token": token,
            "expected_version": str(order.version),
            "facts": "逾期未整改",
            **conditions,
        },
    )
    assert filed.status_code == 303
    case_page = filed.headers["location"]
    case_id = int(case_page.split("/")[-1].split("?")[0])
    assert 'id="order-link"' in client.get(case_page, headers=HTML).text
    assert 'id="penalty-link"' in client.get(f"/gov/cases/{case_id}", headers=HTML).text
    day = today_local() - timedelta(days=1)
    form = {
        "csrf_token": csrf_of(client, case_page),
        "number": "成锦市监处罚〔2026〕7号",
        "penalty_types": ["warning", "fine"],
        "fine_yuan": "-5",
        "violation": "逾期未改正",
        "violated_law": "《中华人民共和国食品安全法》",
        "violated_article": "第五十五条",
        "penalty_law": "",
        "penalty_article": "第一百二十六条",
        "decided_on": day.isoformat(),
        "served_on": (day - timedelta(days=1)).isoformat(),
    }
    bad = client.post(f"/gov/enforcement/{case_id}/penalties", data=form)
    assert bad.status_code == 422
    for field in ("fine_yuan", "penalty_law", "served_on"):
        assert f'data-field="{field}"' in bad.text
    form.update(
        fine_yuan="5000", penalty_law="《中华人民共和国食品安全法》", served_on=day.isoformat()
    )
    good = client.post(
        f"/gov/enforcement/{case_id}/penalties",
        data=form,
        files=[("documents", ("决定书.pdf", tiny_pdf()))],
    )
    assert good.status_code == 303, good.text[:1500]
    assert session.execute(select(func.count()).select_from(PenaltyDecision)).scalar_one() == 1
    listed = client.get("/gov/enforcement", headers=HTML).text
    assert 'data-case="' in listed
    store_page = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert 'data-number="成锦市监处罚〔2026〕7号"' in store_page and "5000.00" in store_page
    assert 'data-status="filed"' in store_page
    login(client, "inspector_b")
    assert client.get(f"/gov/enforcement/{case_id}", headers=HTML).status_code == 404
    assert 'data-case="' not in client.get("/gov/enforcement", headers=HTML).text
