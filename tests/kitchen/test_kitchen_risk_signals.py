"""Sunshine Kitchen's risk signals: a confirmed behaviour alert is one
``kitchen_violation_confirmed`` signal however often the path is passed, a false alarm none;
reaching the repeat threshold adds one ``kitchen_repeated_violation`` signal about the lead
case; regulators of the county read them through the API and on the business page, and a
neighbouring county's officer and the business read nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from kitchen_support import add_camera, officer, raise_alert, store
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import api_token, login
from sunshine.audit.models import AuditEntry
from sunshine.config import get_settings
from sunshine.core.errors import ConflictError
from sunshine.core.time import utc_now
from sunshine.kitchen import risk_signals, service
from sunshine.kitchen.enums import AlertClass
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType
from sunshine.risk.models import RiskSignal
from sunshine.risk.weights import WEIGHTS

CONFIRMED = SignalKind.KITCHEN_VIOLATION_CONFIRMED
REPEATED = SignalKind.KITCHEN_REPEATED_VIOLATION


def _signals(session: Session, kind: SignalKind | None = None) -> list[RiskSignal]:
    stmt = select(RiskSignal).order_by(RiskSignal.id)
    if kind is not None:
        stmt = stmt.where(RiskSignal.kind == kind)
    return list(session.execute(stmt).scalars())


def _audited(session: Session) -> int:
    stmt = select(func.count(AuditEntry.id)).where(AuditEntry.action == "risk_signal.record")
    return int(session.execute(stmt).scalar_one())


def test_a_confirmed_alert_is_one_signal_and_a_false_alarm_none(
    session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    inspector = officer(session)
    alert = raise_alert(session, camera, at=utc_now() - timedelta(hours=5))
    false_one = raise_alert(session, camera, AlertClass.PHONE)
    before = _audited(session)
    service.mark_false_alarm(session=session, actor=inspector, alert_id=false_one.id, reason="筷子")
    assert _signals(session) == []
    service.confirm(session=session, actor=inspector, alert_id=alert.id, note="属实")
    (signal,) = _signals(session)
    assert (signal.kind, signal.source) == (CONFIRMED, SignalSource.KITCHEN)
    assert (signal.subject_type, signal.subject_id) == (SubjectType.KITCHEN_ALERT, alert.id)
    assert signal.business_id == store(session, demo).id
    assert signal.occurred_at == alert.started_at and signal.weight == WEIGHTS[CONFIRMED]
    assert signal.detail == f"智能预警经确认：抽烟 · {camera.name}"
    assert _audited(session) == before + 1
    # The path passed again records nothing new; a second review is refused before it.
    again = risk_signals.violation_confirmed(session=session, actor=inspector, alert=alert)
    assert again.id == signal.id
    with pytest.raises(ConflictError):
        service.confirm(session=session, actor=inspector, alert_id=alert.id)
    assert [s.id for s in _signals(session)] == [signal.id]
    assert _audited(session) == before + 1


def test_reaching_the_repeat_threshold_records_the_repeated_violation(
    session: Session, demo: Demo
) -> None:
    threshold = get_settings().kitchen_case_threshold
    camera = add_camera(session, demo)
    inspector = officer(session)
    now = utc_now()
    smoking = [
        raise_alert(session, camera, at=now - timedelta(days=d))
        for d in range(threshold + 1, 0, -1)
    ]
    for alert in smoking[: threshold - 1]:
        service.confirm(session=session, actor=inspector, alert_id=alert.id)
    assert _signals(session, REPEATED) == []
    service.confirm(session=session, actor=inspector, alert_id=smoking[threshold - 1].id)
    case_id = smoking[threshold - 1].case_id
    assert case_id is not None
    (repeated,) = _signals(session, REPEATED)
    assert (repeated.subject_type, repeated.subject_id) == (SubjectType.CASE, case_id)
    assert repeated.weight == WEIGHTS[REPEATED] > WEIGHTS[CONFIRMED]
    assert repeated.occurred_at == smoking[threshold - 1].started_at
    assert f"“抽烟”智能预警 {threshold} 次" in repeated.detail
    # A later confirmation joins the case: its own signal, no second repeated one.
    service.confirm(session=session, actor=inspector, alert_id=smoking[threshold].id)
    assert smoking[threshold].case_id == case_id
    assert len(_signals(session, REPEATED)) == 1
    assert len(_signals(session, CONFIRMED)) == threshold + 1


def _confirm_two(session: Session, demo: Demo) -> tuple[int, int]:
    camera = add_camera(session, demo)
    inspector = officer(session)
    alerts = [raise_alert(session, camera, at=utc_now() - timedelta(days=d)) for d in (3, 2, 1)]
    for alert in alerts:
        service.confirm(session=session, actor=inspector, alert_id=alert.id)
    session.commit()
    assert alerts[2].case_id is not None
    return alerts[0].id, alerts[2].case_id


def test_the_api_shows_the_county_its_signals_and_nobody_else(
    client: TestClient, session: Session, demo: Demo
) -> None:
    _first, case_id = _confirm_two(session, demo)
    business_id = store(session, demo).id
    inspector = api_token(client, "inspector_a")
    listed = client.get(
        "/api/v1/risk/signals", params={"business_id": business_id}, headers=inspector
    )
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 4 and body["page"] == 1
    assert [i["kind"] for i in body["items"]].count(REPEATED.value) == 1
    repeated = next(i for i in body["items"] if i["kind"] == REPEATED.value)
    assert (repeated["subject_type"], repeated["subject_id"]) == ("case", case_id)
    assert repeated["business_name"] == store(session, demo).name
    only = client.get(
        "/api/v1/risk/signals",
        params={"business_id": business_id, "kind": CONFIRMED.value, "source": "kitchen"},
        headers=inspector,
    ).json()
    assert only["total"] == 3 and {i["kind"] for i in only["items"]} == {CONFIRMED.value}
    paged = client.get(
        "/api/v1/risk/signals",
        params={"business_id": business_id, "per_page": 3, "page": 2},
        headers=inspector,
    ).json()
    assert len(paged["items"]) == 1 and paged["pages"] == 2
    bad = client.get("/api/v1/risk/signals", params={"kind": "smoke"}, headers=inspector)
    assert bad.status_code == 422
    neighbour = api_token(client, "inspector_b")
    for params in ({"business_id": business_id}, {}):
        seen = client.get("/api/v1/risk/signals", params=params, headers=neighbour).json()
        assert business_id not in [i["business_id"] for i in seen["items"]]
        if params:
            assert seen["total"] == 0
    owner = client.get(
        "/api/v1/risk/signals",
        params={"business_id": business_id},
        headers=api_token(client, "owner_a"),
    )
    assert owner.status_code == 403
    assert client.get("/api/v1/risk/signals").status_code == 401


def test_the_business_page_shows_the_section_to_the_county_only(
    client: TestClient, session: Session, demo: Demo
) -> None:
    business = store(session, demo)
    login(client, "inspector_a")
    empty = client.get(f"/gov/businesses/{business.id}")
    assert empty.status_code == 200
    assert 'id="risk-signals"' in empty.text and 'id="risk-signal-none"' in empty.text
    first, case_id = _confirm_two(session, demo)
    page = client.get(f"/gov/businesses/{business.id}")
    assert page.status_code == 200
    text = page.text
    assert f'data-kind="{CONFIRMED.value}" data-count="3"' in text
    assert f'data-kind="{REPEATED.value}" data-count="1"' in text
    assert f'data-weight="{3 * WEIGHTS[CONFIRMED] + WEIGHTS[REPEATED]}"' in text
    assert f'href="/gov/kitchen/alerts/{first}"' in text
    assert f'href="/gov/cases/{case_id}"' in text
    assert "智能预警经确认：抽烟" in text and 'id="risk-signal-none"' not in text
    login(client, "inspector_b")
    other = client.get(f"/gov/businesses/{business.id}")
    assert other.status_code == 404
    assert "智能预警经确认" not in other.text and f"/gov/cases/{case_id}" not in other.text
