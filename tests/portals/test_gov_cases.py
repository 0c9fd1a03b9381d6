"""The case workbench of the government portal through HTTP: queues, filters and htmx
fragments, bulk assignment, the case file with its steps and conflicts, statistics, and
what a neighbouring county, a business and the public get (nothing)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from helpers import csrf_of, login, open_station_case, principal_of
from sunshine.auth.models import User
from sunshine.cases import service
from sunshine.cases.enums import CaseAction, CaseState
from sunshine.cases.models import Case
from sunshine.cases.service import Step

HTML = {"accept": "text/html"}
HTMX = {"accept": "text/html", "hx-request": "true"}


def _accepted(session: Session, **kw: Any) -> Case:
    case = open_station_case(
        session, kind=kw.pop("kind", "complaint"), received_workdays_ago=kw.pop("ago", 2)
    )
    chief = principal_of(session, "chief_a")
    step = Step(action=CaseAction.ACCEPT, expected_version=case.version)
    return service.act(session=session, actor=chief, case_id=case.id, step=step)


def _references(html: str) -> list[str]:
    return re.findall(r'<a href="/gov/cases/\d+">([A-Z]{2}\d{8}-[A-Z0-9]{6})</a>', html)


@pytest.fixture
def cases(session: Session) -> dict[str, Case]:
    out = {
        "overdue": open_station_case(session, kind="complaint", received_workdays_ago=10),
        "report": open_station_case(session, kind="report", received_workdays_ago=1),
        "first": _accepted(session),
        "second": _accepted(session, kind="lead"),
    }
    session.commit()
    return out


def test_the_workbench_lists_the_queue_with_badges_and_tabs(
    client: TestClient, cases: dict[str, Case]
) -> None:
    login(client, "chief_a")
    page = client.get("/gov/cases", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "<nav" in html and 'id="menu"' in html  # the whole page, with the portal menu
    assert _references(html)[0] == cases["overdue"].reference  # most urgent first
    assert set(_references(html)) >= {c.reference for c in cases.values()}
    row = html.split(f'data-case="{cases["overdue"].id}"')[1].split("</tr>")[0]
    assert "due-overdue" in html and "text-bg-danger" in row
    assert 'data-queue="overdue"' in html and 'href="/gov/cases/stats"' in html
    assert (
        'id="bulk-form"' in html and f'value="{cases["first"].id}:{cases["first"].version}"' in html
    )
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_filters_answer_htmx_with_the_fragment(client: TestClient, cases: dict[str, Case]) -> None:
    login(client, "chief_a")
    fragment = client.get("/gov/cases", params={"kind": "report"}, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="workbench"')
    assert 'id="menu"' not in fragment.text and "<html" not in fragment.text
    assert _references(fragment.text) == [cases["report"].reference]
    assert fragment.headers["vary"] == "HX-Request"
    search = client.get("/gov/cases", params={"q": cases["first"].reference[:14]}, headers=HTMX)
    assert _references(search.text) == [cases["first"].reference]
    overdue = client.get("/gov/cases", params={"queue": "overdue"}, headers=HTMX)
    assert _references(overdue.text) == [cases["overdue"].reference]
    by_state = client.get("/gov/cases", params={"state": "accepted"}, headers=HTMX)
    assert set(_references(by_state.text)) == {cases["first"].reference, cases["second"].reference}
    restore = {**HTMX, "hx-history-restore-request": "true"}
    assert 'id="menu"' in client.get("/gov/cases", headers=restore).text


def test_a_bad_filter_is_explained(client: TestClient) -> None:
    login(client, "chief_a")
    page = client.get("/gov/cases", params={"queue": "someday", "kind": "rumour"}, headers=HTML)
    assert page.status_code == 422
    assert 'data-field="queue"' in page.text and 'data-field="kind"' in page.text


def test_bulk_assignment_reports_each_case(
    client: TestClient, session: Session, cases: dict[str, Case]
) -> None:
    login(client, "chief_a")
    token = csrf_of(client, "/gov/cases")
    chief = session.execute(select(User).where(User.username == "chief_a")).scalar_one()
    picked = [
        f"{cases['first'].id}:{cases['first'].version}",
        f"{cases['second'].id}:{cases['second'].version}",
        f"{cases['report'].id}:{cases['report'].version}",
    ]
    answer = client.post(
        "/gov/cases/assign?queue=open",
        data={"csrf_token": token, "assignee_id": str(chief.id), "case": picked},
        headers=HTMX,
    )
    assert answer.status_code == 200, answer.text[:2000]
    assert answer.text.lstrip().startswith('<div id="workbench"')
    assert answer.text.count('data-assigned="yes"') == 2
    result = answer.text.split('id="bulk-result"')[1].split("</div>")[0]
    assert f'data-case="{cases["first"].id}" data-assigned="yes"' in result
    assert f'data-case="{cases["report"].id}" data-assigned="no"' in result
    assert "/gov/cases/assign" not in answer.text.split('<form method="post"')[0]  # tabs link back
    assert 'href="/gov/cases?queue=overdue"' in answer.text
    session.expire_all()
    states = {c.id: session.get(Case, c.id).state for c in cases.values()}  # type: ignore[union-attr]
    assert states[cases["first"].id] is CaseState.ASSIGNED
    assert states[cases["second"].id] is CaseState.ASSIGNED
    assert states[cases["report"].id] is CaseState.RECEIVED
    # A resubmitted form (stale versions) assigns nothing more and says why.
    again = client.post(
        "/gov/cases/assign",
        data={"csrf_token": token, "assignee_id": str(chief.id), "case": picked[:1]},
        headers=HTML,
    )
    assert again.status_code == 200 and 'data-assigned="no"' in again.text
    assert 'id="menu"' in again.text  # without htmx: the whole page
    missing = client.post(
        "/gov/cases/assign", data={"csrf_token": token, "case": picked[:1]}, headers=HTML
    )
    assert missing.status_code == 422 and 'data-field="assignee_id"' in missing.text
    forged = client.post(
        "/gov/cases/assign", data={"assignee_id": str(chief.id), "case": picked}, headers=HTML
    )
    assert forged.status_code == 403


def test_the_case_file_takes_a_step_and_the_timeline_grows(
    client: TestClient, session: Session, cases: dict[str, Case]
) -> None:
    case = cases["overdue"]
    login(client, "chief_a")
    page = client.get(f"/gov/cases/{case.id}", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert case.reference in html and 'id="timeline"' in html
    assert html.count('class="timeline-item') == 1
    assert "《市场监督管理投诉举报处理" in html and 'id="legal-basis"' in html
    assert (
        'id="step-accept"' in html and 'id="step-reject"' in html and 'id="step-transfer"' in html
    )
    assert f'name="expected_version" value="{case.version}"' in html
    token = csrf_of(client, f"/gov/cases/{case.id}")
    accepted = client.post(
        f"/gov/cases/{case.id}/steps",
        data={
            "csrf_token": token,
            "action": "accept",
            "expected_version": str(case.version),
            "reason": "受理",
        },
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/gov/cases/{case.id}?done=accept#timeline"
    after = client.get(accepted.headers["location"], headers=HTML).text
    assert after.count('class="timeline-item') == 2 and 'data-action="accept"' in after
    assert 'role="status"' in after  # the step is confirmed
    assert 'id="step-assign"' in after and 'id="step-accept"' not in after

    # The same form again: someone (here: the same form) acted first.
    stale = client.post(
        f"/gov/cases/{case.id}/steps",
        data={
            "csrf_token": token,
            "action": "reject",
            "expected_version": str(case.version),
            "reason": "我写的理由<b>",
        },
        headers=HTML,
    )
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text
    assert "我写的理由&lt;b&gt;" in stale.text and "我写的理由<b>" not in stale.text
    session.expire_all()
    assert session.get(Case, case.id).state is CaseState.ACCEPTED  # type: ignore[union-attr]


def test_a_step_without_its_reason_keeps_the_form(
    client: TestClient, cases: dict[str, Case]
) -> None:
    case = cases["report"]
    login(client, "chief_a")
    token = csrf_of(client, f"/gov/cases/{case.id}")
    refused = client.post(
        f"/gov/cases/{case.id}/steps",
        data={
            "csrf_token": token,
            "action": "transfer",
            "expected_version": str(case.version),
            "reason": " ",
        },
        headers=HTML,
    )
    assert refused.status_code == 422
    assert 'data-field="reason"' in refused.text or 'data-field="to_org_unit_id"' in refused.text
    assert '<details class="case-step mb-2" open data-action="transfer">' in refused.text
    forged = client.post(
        f"/gov/cases/{case.id}/steps",
        data={"action": "accept", "expected_version": str(case.version)},
        headers=HTML,
    )
    assert forged.status_code == 403


def test_the_clock_is_stopped_and_restarted_from_the_case_file(
    client: TestClient, session: Session, cases: dict[str, Case]
) -> None:
    case = cases["report"]
    login(client, "chief_a")
    page = client.get(f"/gov/cases/{case.id}", headers=HTML).text
    assert 'id="pause-form"' in page and 'id="extend-form"' not in page
    token = csrf_of(client, f"/gov/cases/{case.id}")
    stopped = client.post(
        f"/gov/cases/{case.id}/pause",
        data={
            "csrf_token": token,
            "expected_version": str(case.version),
            "kind": "testing",
            "reason": "送检",
        },
    )
    assert stopped.status_code == 303, stopped.text[:1000]
    page = client.get(f"/gov/cases/{case.id}", headers=HTML).text
    assert 'id="resume-form"' in page and 'id="pauses"' in page and "clock-paused" in page
    bad = client.post(
        f"/gov/cases/{case.id}/resume",
        data={"csrf_token": token, "expected_version": "999", "end_on": "someday"},
        headers=HTML,
    )
    assert bad.status_code == 422 and 'data-field="end_on"' in bad.text
    session.expire_all()
    version = session.get(Case, case.id).version  # type: ignore[union-attr]
    restarted = client.post(
        f"/gov/cases/{case.id}/resume",
        data={"csrf_token": token, "expected_version": str(version)},
    )
    assert restarted.status_code == 303
    login(client, "leader")
    page = client.get(f"/gov/cases/{case.id}", headers=HTML).text
    assert 'id="extend-form"' in page


def test_statistics_page_has_charts_and_the_same_figures_as_tables(
    client: TestClient, cases: dict[str, Case]
) -> None:
    login(client, "inspector_a")
    page = client.get("/gov/cases/stats", headers=HTML)
    assert page.status_code == 200
    html = page.text
    for element in (
        "chart-volumes",
        "chart-response",
        "chart-overdue",
        "volumes-table",
        "response-table",
        "area-table",
        "kind-table",
    ):
        assert f'id="{element}"' in html, element
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/cases.js" in html
    row = html.split(f'data-area="{cases["overdue"].township_code}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)
    assert cells[:3] == ["4", "4", "1"]  # received, open, overdue
    assert client.get("/gov/cases/stats", params={"months": "99"}, headers=HTML).status_code == 422


def test_a_neighbouring_county_sees_nothing(
    client: TestClient, session: Session, cases: dict[str, Case]
) -> None:
    login(client, "inspector_b")
    references = {c.reference for c in cases.values()}
    for queue in ("open", "due_soon", "overdue", "mine", "closed"):
        html = client.get("/gov/cases", params={"queue": queue}, headers=HTML).text
        assert not references & set(_references(html)), queue
    for case in cases.values():
        page = client.get(f"/gov/cases/{case.id}", headers=HTML)
        assert page.status_code == 404 and case.title not in page.text
    stats = client.get("/gov/cases/stats", headers=HTML).text
    assert cases["overdue"].township_code not in stats
    token = csrf_of(client, "/gov/cases")
    step = client.post(
        f"/gov/cases/{cases['report'].id}/steps",
        data={
            "csrf_token": token,
            "action": "accept",
            "expected_version": str(cases["report"].version),
        },
        headers=HTML,
    )
    assert step.status_code == 404
    login(client, "chief_b")
    token = csrf_of(client, "/gov/cases")
    first = cases["first"]
    answer = client.post(
        "/gov/cases/assign",
        data={
            "csrf_token": token,
            "assignee_id": str(principal_of(session, "chief_b").user_id),
            "case": [f"{first.id}:{first.version}"],
        },
        headers=HTML,
    )
    assert answer.status_code == 200
    assert first.reference not in answer.text and 'data-assigned="no"' in answer.text


def test_businesses_and_the_public_get_nothing(client: TestClient, cases: dict[str, Case]) -> None:
    case = cases["first"]
    anonymous = client.get(f"/gov/cases/{case.id}", headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert client.get("/gov/cases", headers=HTML).status_code == 303
    login(client, "owner_a")
    for path in ("/gov/cases", f"/gov/cases/{case.id}", "/gov/cases/stats"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 403 and case.title not in page.text


def test_the_workbench_query_count_does_not_grow_with_its_rows(
    client: TestClient, session: Session, engine: Engine, cases: dict[str, Case]
) -> None:
    login(client, "chief_a")

    def queries() -> int:
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/gov/cases", headers=HTML).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    queries()  # warms the principal and region caches
    before = queries()
    for _ in range(5):
        open_station_case(session, kind="lead", received_workdays_ago=1)
    session.commit()
    queries()  # the new cases retired the tabs' cached counts: counted again once
    assert queries() == before
