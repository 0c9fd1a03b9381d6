"""Open311 clients: keys issued by the CLI (shown once, stored as a digest), disabled keys,
each client's hourly allowance, and a relay filing for many citizens from one address."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import store_of_station
from sunshine.api.open311 import clients
from sunshine.api.open311.models import Open311Client
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import SYSTEM
from sunshine.cli import main
from sunshine.cogovernance.reports import service as report_service
from sunshine.cogovernance.reports.models import Report
from sunshine.registry.models import Business

URL = "/open311/v2/requests.json?locale=en"  # English errors: the tests read them


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def _report(api_key: str, store: Business, **changes: str) -> dict[str, Any]:
    return {
        "api_key": api_key,
        "service_code": "report.fraud",
        "attribute[store_code]": store.public_code,
        "description": "把普通大米当作五常大米出售。",
        **changes,
    }


def _reports(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Report)).scalar_one())


def test_the_cli_prints_a_key_once_and_keeps_only_its_digest(
    client: TestClient, session: Session, store: Business, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["open311", "add-client", "绵阳12345热线", "--hourly-limit", "50"]) == 0
    api_key = capsys.readouterr().out.strip()
    assert len(api_key) >= 40
    row = session.execute(
        select(Open311Client).where(Open311Client.name == "绵阳12345热线")
    ).scalar_one()
    assert row.active and row.hourly_limit == 50
    assert api_key not in row.key_digest and len(row.key_digest) == 64
    assert session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "open311_client.add", AuditEntry.entity_id == str(row.id)
        )
    ).scalar_one()
    assert client.post(URL, data=_report(api_key, store)).status_code == 200

    assert main(["open311", "add-client", "绵阳12345热线"]) == 2  # names are unique
    assert "already exists" in capsys.readouterr().err
    assert main(["open311", "list-clients"]) == 0
    assert "绵阳12345热线\tactive\t50/h" in capsys.readouterr().out

    assert main(["open311", "disable-client", "绵阳12345热线"]) == 0
    refused = client.post(URL, data=_report(api_key, store))
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403, "description": "The api_key is not valid."}]


def test_a_client_files_no_more_than_its_hourly_allowance(
    client: TestClient, session: Session, store: Business
) -> None:
    issued = clients.add_client(session=session, actor=SYSTEM, name="小程序", hourly_limit=2)
    session.commit()
    for n in range(2):
        body = _report(issued.api_key, store, device_id=f"phone-{n}")
        assert client.post(URL, data=body).status_code == 200
    before = _reports(session)
    response = client.post(URL, data=_report(issued.api_key, store, device_id="phone-9"))
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert "2 requests" in response.json()[0]["description"]
    assert _reports(session) == before


def test_a_relay_files_for_many_citizens_from_one_address(
    client: TestClient, session: Session, store: Business
) -> None:
    issued = clients.add_client(session=session, actor=SYSTEM, name="12345 relay")
    session.commit()
    beyond = report_service.PER_ADDRESS_PER_HOUR + 1
    # Each citizen named by device_id has the per-address allowance of its own...
    for n in range(beyond):
        body = _report(issued.api_key, store, device_id=f"call-{n}")
        assert client.post(URL, data=body).status_code == 200, n
    # ...while requests that name no citizen share the relay's address, and its limit.
    statuses = [
        client.post(URL, data=_report(issued.api_key, store)).status_code for _ in range(beyond)
    ]
    assert statuses == [200] * (beyond - 1) + [429]
