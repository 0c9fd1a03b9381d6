"""The government list of inspection records: the jurisdiction's, filtered, the latest
first; a neighbouring county sees none of them; a bad filter is named."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from helpers import login, principal_of, signatures, store_of_station
from sunshine.auth.principal import SYSTEM
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, service
from sunshine.inspections.enums import InspectionKind, InspectionResult, ItemOutcome
from sunshine.inspections.models import Inspection
from sunshine.inspections.service import InspectionForm, ItemAnswer

HTML = {"accept": "text/html"}


def _record(session: Session, failed: dict[str, str]) -> Inspection:
    checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=current.id)
    codes = [item.code for _, items in shown.sections for item in items]
    inspector = principal_of(session, "inspector_a")
    ids = [inspector.user_id or 0, principal_of(session, "chief_a").user_id or 0]
    finished = utc_now() - timedelta(minutes=5)
    form = InspectionForm(
        business_id=store_of_station(session, "chief_a").id,
        checklist_id=current.id,
        kind=InspectionKind.ROUTINE,
        started_at=finished - timedelta(hours=1),
        finished_at=finished,
        inspector_ids=ids,
        answers=[
            ItemAnswer(c, ItemOutcome.FAIL, failed[c])
            if c in failed
            else ItemAnswer(c, ItemOutcome.PASS)
            for c in codes
        ],
        representative_name="王店长",
        signatures=signatures(ids),
    )
    if failed:
        form = replace(form, rectify_by=to_local(finished).date() + timedelta(days=7))
    return service.record_inspection(session=session, actor=inspector, form=form)


def test_the_list_shows_the_jurisdiction_s_inspections_filtered(
    client: TestClient, session: Session
) -> None:
    passed = _record(session, {})
    failed = _record(session, {"5.1": "地面油污"})
    session.commit()
    login(client, "inspector_a")
    page = client.get("/gov/inspections", headers=HTML).text
    assert f'data-inspection="{passed.id}"' in page and f'data-inspection="{failed.id}"' in page
    only = client.get(
        "/gov/inspections",
        params={"result": InspectionResult.BASICALLY_COMPLIANT.value},
        headers=HTML,
    ).text
    assert f'data-inspection="{failed.id}"' in only and f'data-inspection="{passed.id}"' not in only
    login(client, "inspector_b")
    other = client.get("/gov/inspections", headers=HTML).text
    assert "data-inspection=" not in other


def test_a_bad_filter_is_named(client: TestClient) -> None:
    login(client, "inspector_a")
    client.cookies.set("lang", "en")
    answer = client.get("/gov/inspections", params={"since": "yesterday"}, headers=HTML)
    assert answer.status_code == 422 and "since" in answer.text


def test_the_store_page_publishes_the_record_with_what_was_found(
    client: TestClient, session: Session
) -> None:
    store = store_of_station(session, "chief_a")
    before = client.get(f"/s/{store.public_code}", headers=HTML).text  # cached from here
    assert 'id="no-inspections"' in before
    _record(session, {"5.1": "地面油污"})
    session.commit()
    page = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert 'data-result="basically_compliant"' in page
    assert "食品经营场所保持清洁、卫生。" in page and "地面油污" in page
    assert "王店长" not in page  # who signed is not published
    full = client.get(f"/s/{store.public_code}/inspections", headers=HTML)
    assert full.status_code == 200 and 'data-result="basically_compliant"' in full.text
