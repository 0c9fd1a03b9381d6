"""Open311 GeoReport v2 discovery, service list and service definitions, in JSON and XML,
in Chinese by default and in English on request."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from sunshine.cogovernance.complaints.enums import ComplaintCategory, DesiredOutcome
from sunshine.cogovernance.reports.enums import ReportCategory
from sunshine.core.i18n import Translator

BASE = "/open311/v2"


def _xml(response: object) -> ET.Element:
    body = response.content  # type: ignore[attr-defined]
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)  # noqa: S314 - our own server's answer


def test_discovery_points_to_the_endpoint_in_both_formats(client: TestClient) -> None:
    data = client.get(f"{BASE}/discovery.json").json()
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "test"  # the tests run in demo mode
    assert data["changeset"] and data["contact"] and "add-client" in data["key_service"]

    response = client.get(f"{BASE}/discovery.xml")
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = _xml(response)
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_one_service_per_complaint_and_report_category(client: TestClient) -> None:
    response = client.get(f"{BASE}/services.json")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {f"complaint.{c.value}" for c in ComplaintCategory} | {
        f"report.{c.value}" for c in ReportCategory
    }
    foreign = services["complaint.foreign_matter"]
    assert foreign["group"] == "complaints" and services["report.unlicensed"]["group"] == "reports"
    assert foreign["type"] == "realtime" and foreign["metadata"] is True
    # Chinese unless asked otherwise (whatever the catalogue holds for the message id).
    chinese = Translator("zh_CN")
    assert foreign["service_name"] == chinese("Foreign matter in food")
    assert foreign["keywords"] == chinese("hair, insect, glass, plastic, foreign object")


def test_english_by_locale_parameter_or_accept_language(client: TestClient) -> None:
    by_parameter = client.get(f"{BASE}/services.json", params={"locale": "en"}).json()
    by_header = client.get(
        f"{BASE}/services.json", headers={"Accept-Language": "fr;q=1, en-GB;q=0.8, zh;q=0.5"}
    ).json()
    assert by_parameter == by_header
    names = {s["service_code"]: s["service_name"] for s in by_parameter}
    assert names["complaint.foreign_matter"] == "Foreign matter in food"
    assert names["report.unlicensed"] == "Unlicensed or beyond the licence's scope"


def test_the_service_list_in_xml(client: TestClient) -> None:
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == len(ComplaintCategory) + len(ReportCategory)
    first = services[0]
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"


def test_a_complaint_definition_asks_for_the_store_and_the_outcome(client: TestClient) -> None:
    data = client.get(f"{BASE}/services/complaint.foreign_matter.json").json()
    assert data["service_code"] == "complaint.foreign_matter"
    attributes = {a["code"]: a for a in data["attributes"]}
    assert [a["order"] for a in data["attributes"]] == list(range(1, len(attributes) + 1))
    assert attributes["store_code"]["required"] is True
    assert attributes["store_code"]["datatype"] == "string"
    outcome = attributes["desired_outcome"]
    assert outcome["datatype"] == "singlevaluelist" and outcome["required"] is True
    assert [v["key"] for v in outcome["values"]] == [o.value for o in DesiredOutcome]
    assert attributes["occurred_on"]["datatype"] == "datetime"
    assert attributes["contact_note"]["variable"] is False  # a note, not an input


def test_a_report_definition_in_xml_names_the_region_code(client: TestClient) -> None:
    root = _xml(client.get(f"{BASE}/services/report.hygiene.xml", params={"locale": "en"}))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "report.hygiene"
    by_code = {a.findtext("code"): a for a in root.findall("attributes/attribute")}
    assert set(by_code) == {"store_code", "region_code", "insider", "anonymity_note"}
    region = by_code["region_code"]
    assert region.findtext("required") == "false" and region.findtext("variable") == "true"
    assert "GB/T 2260" in (region.findtext("description") or "")
    insider = by_code["insider"]
    assert [v.findtext("key") for v in insider.findall("values/value")] == ["true", "false"]
    assert [v.findtext("name") for v in insider.findall("values/value")] == ["Yes", "No"]


def test_unknown_service_and_unknown_format(client: TestClient) -> None:
    missing = client.get(f"{BASE}/services/complaint.gossip.json")
    assert missing.status_code == 404
    (error,) = missing.json()
    assert error["code"] == 404 and "complaint.gossip" in error["description"]

    wrong_format = client.get(f"{BASE}/services.yaml")
    assert wrong_format.status_code == 400
    assert _xml(wrong_format).findtext("error/code") == "400"


def test_user_text_echoed_in_an_error_is_escaped_in_xml(client: TestClient) -> None:
    code = "<script>&amp"
    response = client.get(f"{BASE}/services/{code}.xml")
    assert response.status_code == 404
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;&amp;amp" in response.content
    assert code in (_xml(response).findtext("error/description") or "")
