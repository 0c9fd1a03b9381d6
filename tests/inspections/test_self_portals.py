"""Self-inspection in the portals: staff record a daily check on the phone form and close its
to-do; a neighbouring business and another county's inspector see and do nothing with it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from self_helpers import at, business_of, form, key_codes, load_checklist
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import csrf_of, principal_of
from sunshine.core.time import today_local
from sunshine.inspections import self_service
from sunshine.inspections.models import Checklist
from sunshine.inspections.self_models import SelfCheckTodo, SelfInspection

Opener = Callable[[str], TestClient]
HTML = {"accept": "text/html"}


@pytest.fixture
def checklist(session: Session) -> Checklist:
    loaded = load_checklist(session)
    session.commit()
    return loaded


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _daily_post(
    client: TestClient, keys: list[str], failed: str | None, note: str = "冰箱门封条破损"
) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    data = {"csrf_token": csrf_of(client, "/biz/selfcheck/new?frequency=daily")}
    data |= {"frequency": "daily", "checked_by_name": "员工甲", "remarks": ""}
    for code in keys:
        data[f"outcome_{code}"] = "fail" if code == failed else "pass"
    files = []
    if failed:
        data[f"note_{failed}"] = note
        files.append((f"photo_{failed}", ("fridge.jpg", _jpeg(), "image/jpeg")))
    return data, files


def _count(session: Session, model: type[SelfInspection] | type[SelfCheckTodo]) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_staff_record_a_daily_check_see_its_to_do_and_close_it(
    new_client: Opener, session: Session, checklist: Checklist
) -> None:
    staff = new_client("staff_a")
    page = staff.get("/biz/selfcheck", headers=HTML)
    assert page.status_code == 200 and 'id="start-daily"' in page.text
    shown = staff.get("/biz/selfcheck/new?frequency=daily", headers=HTML)
    assert shown.status_code == 200
    assert 'accept="image/*" capture="environment"' in shown.text
    keys = key_codes(session, checklist)
    assert all(f'name="outcome_{k}"' in shown.text for k in keys)
    data, files = _daily_post(staff, keys, keys[3])
    response = staff.post("/biz/selfcheck/new", data=data, files=files)
    assert response.status_code == 303, response.text[:2000]
    detail = staff.get(response.headers["location"], headers=HTML)
    assert detail.status_code == 200 and "冰箱门封条破损" in detail.text
    token = re.search(r'src="/evidence/(\w+)/thumb"', detail.text)
    assert token and staff.get(f"/evidence/{token.group(1)}/thumb").status_code == 200
    again = staff.post("/biz/selfcheck/new", data=data, files=files)
    assert again.status_code == 409 and 'id="form-alert"' in again.text

    todos = staff.get("/biz/selfcheck/todos", headers=HTML)
    todo_id = int(re.findall(r'data-todo="(\d+)"', todos.text)[0])
    closing = {"csrf_token": csrf_of(staff, "/biz/selfcheck/todos"), "closing_note": ""}
    refused = staff.post(f"/biz/selfcheck/todos/{todo_id}/close", data=closing)
    assert refused.status_code == 422
    closing["closing_note"] = "已更换封条"
    done = staff.post(
        f"/biz/selfcheck/todos/{todo_id}/close",
        data=closing,
        files=[("photos", ("fixed.jpg", _jpeg(), "image/jpeg"))],
    )
    assert done.status_code == 303
    after = staff.get("/biz/selfcheck/todos", headers=HTML)
    assert 'id="no-open-todos"' in after.text and "已更换封条" in after.text


def test_a_form_missing_an_answer_or_a_photo_that_is_no_image_stores_nothing(
    new_client: Opener, session: Session, checklist: Checklist
) -> None:
    staff = new_client("staff_a")
    keys = key_codes(session, checklist)
    data, files = _daily_post(staff, keys, keys[0])
    del data[f"outcome_{keys[1]}"]
    missing = staff.post("/biz/selfcheck/new", data=data, files=files)
    slug = keys[1].replace(".", "-")
    assert missing.status_code == 422
    assert f'self-item border-danger border-2" id="item-{slug}"' in missing.text
    data, _ = _daily_post(staff, keys, keys[0])
    text = [(f"photo_{keys[0]}", ("fridge.jpg", b"not an image at all" * 10, "image/jpeg"))]
    refused = staff.post("/biz/selfcheck/new", data=data, files=text)
    assert refused.status_code == 415 and "fridge.jpg" in refused.text
    assert _count(session, SelfInspection) == 0 and _count(session, SelfCheckTodo) == 0


def test_only_the_owner_or_a_manager_choose_the_daily_list(
    new_client: Opener, checklist: Checklist
) -> None:
    staff = new_client("staff_a")
    page = staff.get("/biz/selfcheck/daily-list", headers=HTML)
    assert page.status_code == 200 and "disabled" in page.text
    token = csrf_of(staff, "/biz/selfcheck/daily-list")
    refused = staff.post("/biz/selfcheck/daily-list", data={"csrf_token": token, "items": "4.4"})
    assert refused.status_code == 403
    manager = new_client("manager_a")
    token = csrf_of(manager, "/biz/selfcheck/daily-list")
    saved = manager.post(
        "/biz/selfcheck/daily-list", data={"csrf_token": token, "items": ["4.4", "5.1"]}
    )
    assert saved.status_code == 303
    daily = staff.get("/biz/selfcheck/new?frequency=daily", headers=HTML)
    assert 'name="outcome_4.4"' in daily.text and 'name="outcome_8.4"' not in daily.text


def _store_a_with_an_overdue_to_do(session: Session, checklist: Checklist) -> tuple[int, int]:
    staff = principal_of(session, "staff_a")
    store = business_of(session, staff.business_id or 0)
    keys = key_codes(session, checklist)
    record = self_service.record_self_inspection(
        session=session,
        actor=staff,
        form=form(store, keys, failed={keys[0]: "健康证过期"}),
        now=at(today_local() - timedelta(days=5)),
    )
    session.commit()
    todo = session.execute(select(SelfCheckTodo)).scalar_one()
    return record.id, todo.id


def test_a_neighbouring_business_sees_and_does_nothing_with_store_a(
    new_client: Opener, session: Session, checklist: Checklist
) -> None:
    record_id, todo_id = _store_a_with_an_overdue_to_do(session, checklist)
    owner_a = new_client("owner_a")
    assert owner_a.get(f"/biz/selfcheck/{record_id}", headers=HTML).status_code == 200
    owner_b = new_client("owner_b")
    assert owner_b.get(f"/biz/selfcheck/{record_id}", headers=HTML).status_code == 404
    todos = owner_b.get("/biz/selfcheck/todos", headers=HTML)
    assert todos.status_code == 200 and f'data-todo="{todo_id}"' not in todos.text
    overview = owner_b.get("/biz/selfcheck", headers=HTML)
    assert 'id="no-self-inspections"' in overview.text
    token = csrf_of(owner_b, "/biz/selfcheck/todos")
    closing = {"csrf_token": token, "closing_note": "我来关"}
    assert owner_b.post(f"/biz/selfcheck/todos/{todo_id}/close", data=closing).status_code == 404
    assert session.get(SelfCheckTodo, todo_id).status.value == "open"  # type: ignore[union-attr]


def test_regulators_see_only_their_jurisdiction(
    new_client: Opener, session: Session, checklist: Checklist
) -> None:
    record_id, todo_id = _store_a_with_an_overdue_to_do(session, checklist)
    store_id = session.get(SelfInspection, record_id).business_id  # type: ignore[union-attr]
    inspector_a = new_client("inspector_a")
    board = inspector_a.get("/gov/selfcheck", headers=HTML)
    assert board.status_code == 200 and f'data-todo="{todo_id}"' in board.text
    assert inspector_a.get(f"/gov/selfcheck/records/{record_id}", headers=HTML).status_code == 200
    fragment = inspector_a.get(f"/gov/selfcheck/businesses/{store_id}", headers=HTML)
    assert 'id="business-overdue"' in fragment.text and f'data-id="{record_id}"' in fragment.text
    detail = inspector_a.get(f"/gov/businesses/{store_id}", headers=HTML)
    assert f'hx-get="/gov/selfcheck/businesses/{store_id}"' in detail.text

    inspector_b = new_client("inspector_b")
    board_b = inspector_b.get("/gov/selfcheck", headers=HTML)
    assert board_b.status_code == 200 and 'id="no-overdue"' in board_b.text
    overdue_b = inspector_b.get("/gov/selfcheck/overdue", headers=HTML)
    assert f'data-todo="{todo_id}"' not in overdue_b.text
    assert inspector_b.get(f"/gov/selfcheck/records/{record_id}", headers=HTML).status_code == 404
    assert inspector_b.get(f"/gov/selfcheck/businesses/{store_id}", headers=HTML).status_code == 404
