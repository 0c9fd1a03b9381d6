"""The LIVES page: a feed uploaded as a ZIP is imported into an area (rows with problems
listed, or the feed refused whole); an area's feed is downloaded as a ZIP."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient

from helpers import csrf_of, login

HTML = {"accept": "text/html"}
BUSINESSES = (
    "business_id,name,address,city,state,postal_code,latitude,longitude,phone_number\r\n"
    "A1,Noodle House,1 Main St,Springfield,XX,00001,30.1,104.1,\r\n"
    "A2,Tea Room,,Springfield,XX,00001,,,\r\n"
)
INSPECTIONS = "business_id,score,date,description,type\r\nA1,92,20260105,,Routine\r\n"
VIOLATIONS = "business_id,date,code,description\r\nA1,20260105,101,Dirty floor\r\n"


def _zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(f"{name}.csv", text)
    return buffer.getvalue()


def _import(client: TestClient, data: bytes, *, skip: bool) -> str:
    form = {"csrf_token": csrf_of(client, "/gov/lives"), "region": "510104", "encoding": "utf-8"}
    if skip:
        form["skip_invalid"] = "1"
    answer = client.post(
        "/gov/lives/import",
        data=form,
        files={"files": ("feed.zip", data, "application/zip")},
        headers=HTML,
    )
    return f"{answer.status_code} {answer.text}"


def test_a_feed_is_imported_with_its_refused_rows_listed_and_exported(client: TestClient) -> None:
    login(client, "inspector_a")
    client.cookies.set("lang", "en")
    feed = _zip(businesses=BUSINESSES, inspections=INSPECTIONS, violations=VIOLATIONS)
    refused = _import(client, feed, skip=False)
    assert refused.startswith("422") and "businesses.csv:address" in refused
    imported = _import(client, feed, skip=True)
    assert imported.startswith("200") and "Imported 1 businesses, 1 inspections" in imported
    assert 'id="lives-skipped"' in imported
    export = client.post(
        "/gov/lives/export",
        data={"csrf_token": csrf_of(client, "/gov/lives"), "region": "510104"},
    )
    assert export.headers["content-type"] == "application/zip"
    members = zipfile.ZipFile(io.BytesIO(export.content))
    businesses = members.read("businesses.csv").decode()
    assert "A1,Noodle House" in businesses and "A2" not in businesses
    assert "A1,20260105,101,Dirty floor" in members.read("violations.csv").decode()


def test_a_neighbour_cannot_export_or_import_another_county(client: TestClient) -> None:
    login(client, "inspector_b")
    refused = client.post(
        "/gov/lives/export",
        data={"csrf_token": csrf_of(client, "/gov/lives"), "region": "510104"},
        headers=HTML,
    )
    assert refused.status_code == 404
    feed = _zip(businesses=BUSINESSES, inspections=INSPECTIONS)
    assert _import(client, feed, skip=True).startswith("404")


def test_not_a_feed_is_named(client: TestClient) -> None:
    login(client, "inspector_a")
    client.cookies.set("lang", "en")
    answer = client.post(
        "/gov/lives/import",
        data={"csrf_token": csrf_of(client, "/gov/lives"), "region": "510104"},
        files={"files": ("feed.zip", b"not a zip", "application/zip")},
        headers=HTML,
    )
    assert answer.status_code == 422 and "not a ZIP archive" in answer.text
