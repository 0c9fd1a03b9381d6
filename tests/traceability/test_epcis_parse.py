"""Validation and normalisation: CBV values in each spelling, EPC URNs and Digital Links,
times with offsets, extensions, precise JSON pointers; query parameters."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from epcis_helpers import CORPUS, document, object_event

from sunshine.traceability.epcis import identifiers
from sunshine.traceability.epcis import vocabulary as voc
from sunshine.traceability.epcis.identifiers import IdentifierError, normalise_id
from sunshine.traceability.epcis.parse import parse_document, parse_event, parse_time
from sunshine.traceability.epcis.query import QueryProblems, read_query, read_query_body


@pytest.mark.parametrize(
    "value",
    [
        "receiving",
        "urn:epcglobal:cbv:bizstep:receiving",
        "https://ref.gs1.org/cbv/BizStep-receiving",
        "cbv:BizStep-receiving",
        "https://gs1.org/voc/BizStep-receiving",
    ],
)
def test_a_cbv_value_is_accepted_in_every_spelling_and_stored_bare(value: str) -> None:
    assert voc.normalise(voc.BIZ_STEP, value) == "receiving"


@pytest.mark.parametrize(
    "value", ["transforming", "urn:epcglobal:cbv:bizstep:transforming", "Receiving"]
)
def test_an_unknown_cbv_value_is_refused(value: str) -> None:
    with pytest.raises(voc.VocabularyError):
        voc.normalise(voc.BIZ_STEP, value)


def test_a_user_vocabulary_uri_is_kept() -> None:
    uri = "https://example.com/bizStep/inspecting"
    assert voc.normalise(voc.BIZ_STEP, uri) == uri


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2018", "https://id.gs1.org/01/10614141073464/21/2018"),
        ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
        ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
        ("urn:epc:id:sgln:4012345.00225.0", "https://id.gs1.org/414/4012345002256"),
        ("urn:epc:id:pgln:4012345.00225", "https://id.gs1.org/417/4012345002256"),
        ("urn:epc:id:grai:4012345.66666.87", "https://id.gs1.org/8003/04012345666663" + "87"),
        ("urn:epc:id:giai:4012345.AAbb", "https://id.gs1.org/8004/4012345AAbb"),
        (
            "urn:epc:class:lgtin:4012345.012345.998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        ),
        ("urn:epc:idpat:sgtin:4054739.099914.*", "https://id.gs1.org/01/04054739999148"),
        (
            "https://id.gs1.de/01/04012345999990/21/XYZ-1234",
            "https://id.gs1.org/01/04012345999990/21/XYZ-1234",
        ),
        (
            "https://id.gs1.org/01/9521141012345/21/2017?linkType=all",
            "https://id.gs1.org/01/09521141012345/21/2017",
        ),
        ("https://transaction.example.cn/po/12345", "https://transaction.example.cn/po/12345"),
    ],
)
def test_identifiers_are_normalised_to_canonical_digital_links(given: str, stored: str) -> None:
    assert normalise_id(given) == stored


@pytest.mark.parametrize(
    "value",
    [
        "https://id.gs1.org/01/09521141012345/10/LOT-1",
        "https://id.gs1.org/01/09521141012346/10/LOT-1",  # a wrong check digit
        "https://id.gs1.org/01/09521141012345/21/2017",
        "https://id.gs1.org/01/09521141012345",
        "https://id.gs1.org/01/\u0669\u0665\u0662\u0661\u0661\u0664\u0661\u0660\u0661\u0662"
        "\u0663\u0664\u0665\u0666/10/A",  # Arabic-Indic digits: not ASCII
        "https://id.gs1.org/01/09521141012345/10/L%2F1",
        "https://id.gs1.org/01/09521141012345/10/L1/21/9",
    ],
)
def test_the_shortcut_for_stored_gtin_links_agrees_with_the_general_rule(value: str) -> None:
    general = identifiers._DL_PATH.match(value)
    assert general is not None
    canonical = identifiers._canonical_path(general.group(1))
    assert normalise_id(value) == (identifiers.DL_HOST + canonical if canonical else value)


def test_an_epc_urn_and_its_digital_link_are_the_same_identifier() -> None:
    urn = normalise_id("urn:epc:id:sgtin:9521141.001234.2017")
    assert urn == normalise_id("https://id.gs1.org/01/09521141012345/21/2017")


@pytest.mark.parametrize("value", ["urn:epc:id:sgtin:0614141.107346", "urn:epc:id:sscc:x.y"])
def test_a_broken_epc_urn_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError):
        normalise_id(value)


def test_times_need_their_offset() -> None:
    assert parse_time("2026-03-02T09:30:00+08:00") is not None
    assert parse_time("2026-03-02T01:30:00.123456789Z") is not None
    assert parse_time("2026-03-02T09:30:00") is None
    assert parse_time("2026-02-30T09:30:00Z") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02T09:30:00+08:00", datetime(2026, 3, 2, 1, 30, tzinfo=UTC)),
        ("2026-03-02T09:30+08:00", datetime(2026, 3, 2, 1, 30, tzinfo=UTC)),
        ("2026-03-02T01:30:00.25Z", datetime(2026, 3, 2, 1, 30, 0, 250000, tzinfo=UTC)),
        ("2026-03-02T01:30:00.1234567Z", datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)),
        ("2026-01-01T00:30:00-05:30", datetime(2026, 1, 1, 6, 0, tzinfo=UTC)),
        ("2026-03-02T24:00:00Z", None),
        ("2026-03-02T23:59:60Z", None),
        ("0000-03-02T09:30:00Z", None),
        ("0001-01-01T00:00:00+14:00", None),  # before the first day in UTC
        ("9999-12-31T23:59:59-12:00", None),
        ("2026-03-02T09:30:00+15:00", None),
        ("2026-03-02 09:30:00Z", None),
        # Digits of another script match the pattern and read as numbers, as before.
        ("\u0662\u0660\u0662\u0666-03-02T09:30:00Z", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
        ("\u0662\u0660\u0662\u0666-02-30T09:30:00Z", None),
    ],
)
def test_a_time_reads_as_utc_or_not_at_all(value: str, expected: datetime | None) -> None:
    assert parse_time(value) == expected


def test_every_problem_names_its_json_pointer() -> None:
    bad = document(
        object_event(),
        object_event(
            action="MOVE",
            eventTime="yesterday",
            eventTimeZoneOffset="+25:00",
            bizStep="frying",
            quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": "3"}],
            readPoint={"id": "not a uri"},
        ),
    )
    fields = {p.field for p in parse_document(bad).problems}
    assert fields == {
        "/epcisBody/eventList/1/action",
        "/epcisBody/eventList/1/eventTime",
        "/epcisBody/eventList/1/eventTimeZoneOffset",
        "/epcisBody/eventList/1/bizStep",
        "/epcisBody/eventList/1/quantityList/0/quantity",
        "/epcisBody/eventList/1/readPoint/id",
    }


def test_extensions_are_kept_with_their_namespace() -> None:
    event = object_event(**{"ex:batch": {"ex:no": "B-1", "free": 1}})
    event["@context"] = [event["@context"][0], {"ex": "https://ns.example.com/"}]
    parsed, problems = parse_event(event)
    assert problems == [] and parsed is not None
    assert parsed.event["ex:batch"] == {"ex:no": "B-1", "free": 1}
    assert parsed.event["@context"] == [{"ex": "https://ns.example.com/"}]
    undeclared = object_event(**{"zz:batch": "B-1"})
    _, problems = parse_event(undeclared)
    assert [p.field for p in problems] == ["/zz:batch"]


def test_error_declaration_persistent_disposition_and_certification() -> None:
    parsed, problems = parse_event(
        object_event(
            errorDeclaration={
                "declarationTime": "2026-03-03T10:00:00+08:00",
                "reason": "urn:epcglobal:cbv:er:incorrect_data",
            },
            persistentDisposition={"set": ["completeness_verified"]},
            certificationInfo="https://cert.example.cn/SC11151010400123",
        )
    )
    assert problems == [] and parsed is not None
    assert parsed.event["errorDeclaration"]["reason"] == "incorrect_data"


def test_query_parameters_are_checked_and_normalised() -> None:
    q = read_query(
        [
            ("EQ_bizStep", "urn:epcglobal:cbv:bizstep:receiving|shipping"),
            ("MATCH_epc", "urn:epc:id:sgtin:6901234.012345.1001"),
            ("EQ_bizTransaction_po", "urn:epcglobal:cbv:bt:6901234000017:PO-1"),
            ("EQ_source_owning_party", "urn:epc:id:pgln:6901234.00001"),
        ]
    )
    assert q.biz_steps == ["receiving", "shipping"]
    assert q.epcs["MATCH_epc"] == ["https://id.gs1.org/01/06901234123456/21/1001"]
    assert q.sources["owning_party"] == ["https://id.gs1.org/417/6901234000016"]
    with pytest.raises(QueryProblems) as refused:
        read_query([("EQ_bizStep", "frying"), ("GE_eventDate", "2026-01-01T00:00:00Z")])
    assert {p.field for p in refused.value.problems} == {"EQ_bizStep", "GE_eventDate"}


@pytest.mark.shared
@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/datasets/epcis")
def test_the_query_bodies_of_the_corpus() -> None:
    queries = CORPUS / "Query" / "Queries"
    read_query_body(json.loads((queries / "SimpleEventQuery.json").read_bytes()))
    for path in sorted((queries / "Invalid").glob("*.json")):
        with pytest.raises(QueryProblems):
            read_query_body(json.loads(path.read_bytes()))


def test_a_time_with_no_utc_equivalent_is_a_problem_of_its_field() -> None:
    """Year 1 at +14:00 falls before the first day in UTC: a problem named at the field (it
    was an unhandled overflow, a server error)."""
    parsed, problems = parse_event(object_event(eventTime="0001-01-01T00:00:00+14:00"))
    assert parsed is None
    assert [p.field for p in problems] == ["/eventTime"]
