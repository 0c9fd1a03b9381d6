"""The OpenEPCIS conformance corpus through the REST binding: every valid document is
accepted, stored once and reads back equal to its normalised form; capturing it again
stores nothing; every invalid document is refused with 400 and stores nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from epcis_helpers import CORPUS, bearer, event_count
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sunshine.traceability.epcis.hashing import event_hash
from sunshine.traceability.epcis.parse import parse_document, parse_event

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/datasets/epcis"),
]


def _files(folder: str) -> list[Path]:
    return sorted((CORPUS / folder).glob("*.json")) if CORPUS.is_dir() else []


def _key(event: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in event.items() if k != "recordTime"}, sort_keys=True)


def _expected(document: Any) -> list[str]:
    unique: dict[str, dict[str, Any]] = {}
    for parsed in parse_document(document).events:
        unique.setdefault(event_hash(parsed.event, parsed.namespaces), parsed.event)
    return sorted(_key(e) for e in unique.values())


def _all_events(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/epcis/events", params={"perPage": 1000}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "EPCISQueryDocument"
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


@pytest.mark.parametrize("path", _files("Capture/Documents"), ids=lambda p: p.stem)
def test_a_valid_document_is_stored_once_and_reads_back_equal(
    client: TestClient, session: Session, path: Path
) -> None:
    headers = bearer(session, "owner_a")
    document = json.loads(path.read_bytes())
    response = client.post("/epcis/capture", content=path.read_bytes(), headers=headers)
    assert response.status_code == 202, response.text
    job = client.get(response.headers["Location"], headers=headers).json()
    assert job["status"] == "succeeded", job
    expected = _expected(document)
    assert job["storedCount"] == len(expected)
    assert sorted(_key(e) for e in _all_events(client, headers)) == expected
    stored = event_count(session)

    again = client.post("/epcis/capture", content=path.read_bytes(), headers=headers)
    assert again.status_code == 202
    job = client.get(again.headers["Location"], headers=headers).json()
    assert (job["storedCount"], job["duplicateCount"]) == (0, job["eventCount"])
    assert event_count(session) == stored


@pytest.mark.parametrize(
    "path", _files("Capture/Invalid") + _files("Query/Invalid"), ids=lambda p: p.stem
)
def test_an_invalid_document_is_refused_whole(
    client: TestClient, session: Session, path: Path
) -> None:
    before = event_count(session)
    response = client.post(
        "/epcis/capture", content=path.read_bytes(), headers=bearer(session, "owner_a")
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["errors"] and all(e["field"].startswith("/") for e in problem["errors"])
    assert event_count(session) == before


@pytest.mark.parametrize("path", _files("Capture/Events"), ids=lambda p: p.stem)
def test_a_single_event_is_created_once(client: TestClient, session: Session, path: Path) -> None:
    headers = bearer(session, "owner_a")
    first = client.post("/epcis/events", content=path.read_bytes(), headers=headers)
    assert first.status_code == 201, first.text
    read = client.get(first.headers["Location"], headers=headers)
    assert read.status_code == 200, read.text
    event = read.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]
    parsed, problems = parse_event(json.loads(path.read_bytes()))
    assert parsed is not None and not problems
    assert _key(event) == _key(parsed.event)
    again = client.post("/epcis/events", content=path.read_bytes(), headers=headers)
    assert again.status_code == 409
    assert event_count(session) == 1


@pytest.mark.parametrize("path", _files("Query"), ids=lambda p: p.stem)
def test_the_query_documents_of_the_corpus_parse(path: Path) -> None:
    parsed = parse_document(json.loads(path.read_bytes()), query=True)
    assert parsed.problems == []
    assert parsed.events
