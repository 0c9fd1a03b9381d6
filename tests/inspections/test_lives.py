"""LIVES open data: San Francisco's files imported whole (every row imported or reported),
exported again and read back equal; a broken feed refused with each row named; a
neighbouring county neither exports nor imports into another's region."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.auth.principal import SYSTEM
from sunshine.core.errors import NotFoundError, ValidationFailed
from sunshine.inspections import lives

SF = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "inspections"
NAMES = ("sf_businesses.csv", "sf_inspections_plus.csv", "sf_violations_plus.csv")
pytestmark = pytest.mark.skipif(not (SF / NAMES[0]).exists(), reason="needs ../shared datasets")


def _sf() -> dict[str, bytes]:
    return {name: (SF / name).read_bytes() for name in NAMES}


def _rows(data: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The rows with their values trimmed (as imported: spaces around a value mean nothing)."""
    reader = csv.DictReader(io.StringIO(data.decode(encoding)))
    return [{k: v.strip() for k, v in row.items()} for row in reader]


def _business_key(row: dict[str, str]) -> tuple[str, ...]:
    def coordinate(value: str) -> str:
        return f"{float(value):.6f}" if value else ""

    return (
        row["business_id"], row["name"], row["address"], row["city"], row["state"],
        row["postal_code"], coordinate(row["latitude"]), coordinate(row["longitude"]),
        row["phone_number"],
    )  # fmt: skip


def _import_sf(session: Session, region: str = "510104") -> lives.ImportReport:
    return lives.import_feed(
        session=session,
        actor=SYSTEM,
        files=_sf(),
        region_code=region,
        encoding="cp1252",
        skip_invalid=True,
    )


def test_san_francisco_is_imported_and_each_refused_row_named(session: Session) -> None:
    # One business of San Francisco's file has a blank address, which LIVES requires:
    # the whole feed is refused naming it, or imported without it.
    with pytest.raises(ValidationFailed) as exc:
        lives.import_feed(
            session=session, actor=SYSTEM, files=_sf(), region_code="510104", encoding="cp1252"
        )
    assert [(p.field, p.row) for p in exc.value.problems] == [("businesses.csv:address", 4169)]
    report = _import_sf(session)
    assert report.skipped_rows == 1 and report.problems[0].row == 4169


def test_san_francisco_reads_back_equal(session: Session) -> None:
    report = _import_sf(session)
    source_businesses = [row for row in _rows(_sf()[NAMES[0]], "cp1252") if row["address"].strip()]
    source_inspections = _rows(_sf()[NAMES[1]], "cp1252")
    source_violations = _rows(_sf()[NAMES[2]], "cp1252")
    assert report.businesses == len(source_businesses)
    assert report.inspections == len(source_inspections)
    assert report.violations == len(source_violations)

    exported = lives.export_feed(session=session, actor=SYSTEM, region_code="510104")
    sf_ids = {row["business_id"] for row in source_businesses}
    out_businesses = [r for r in _rows(exported["businesses.csv"]) if r["business_id"] in sf_ids]
    assert sorted(map(_business_key, out_businesses)) == sorted(
        map(_business_key, source_businesses)
    )
    out_inspections = [r for r in _rows(exported["inspections.csv"]) if r["business_id"] in sf_ids]
    assert Counter(
        (r["business_id"], r["score"], r["date"], r["type"]) for r in out_inspections
    ) == (Counter((r["business_id"], r["Score"], r["date"], r["type"]) for r in source_inspections))
    out_violations = [r for r in _rows(exported["violations.csv"]) if r["business_id"] in sf_ids]
    assert Counter(
        (r["business_id"], r["date"], r["code"], r["risk_category"], r["description"])
        for r in out_violations
    ) == Counter(
        (r["business_id"], r["date"], r["ViolationTypeID"], r["risk_category"], r["description"])
        for r in source_violations
    )

    # The export is a feed this system reads again (UTF-8, standard names).
    again = lives.import_feed(session=session, actor=SYSTEM, files=exported, region_code="510105")
    assert again.problem_count == 0
    assert again.inspections >= report.inspections and again.violations >= report.violations


def test_a_feed_imported_again_replaces_the_region_s_earlier_one(session: Session) -> None:
    _import_sf(session)
    second = _import_sf(session)
    assert second.replaced == second.businesses


def test_a_broken_feed_is_refused_row_by_row_or_imported_without_those_rows(
    session: Session,
) -> None:
    files = _sf()
    inspections = files[NAMES[1]].decode("cp1252").splitlines()
    inspections[3] = '19,94,"2016-05-13","Routine - Unscheduled"'  # not YYYYMMDD
    violations = files[NAMES[2]].decode("cp1252").splitlines()
    violations[5] = '99999999,"20160513",103144,"Low Risk","Unknown place"'
    files[NAMES[1]] = "\n".join(inspections).encode("cp1252")
    files[NAMES[2]] = "\n".join(violations).encode("cp1252")
    with pytest.raises(ValidationFailed) as exc:
        lives.import_feed(
            session=session, actor=SYSTEM, files=files, region_code="510104", encoding="cp1252"
        )
    named = {(p.field, p.row) for p in exc.value.problems}
    assert named == {
        ("businesses.csv:address", 4169),
        ("inspections.csv:date", 4),
        ("violations.csv:business_id", 6),
    }
    report = lives.import_feed(
        session=session,
        actor=SYSTEM,
        files=files,
        region_code="510104",
        encoding="cp1252",
        skip_invalid=True,
    )
    assert report.skipped_rows == 3 and len(report.problems) == 3
    assert report.inspections == len(inspections) - 2  # the header and the bad row


def test_the_wrong_encoding_and_a_missing_file_are_named(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        lives.import_feed(session=session, actor=SYSTEM, files=_sf(), region_code="510104")
    assert "not utf-8 text" in exc.value.problems[0].text
    files = {NAMES[0]: _sf()[NAMES[0]]}
    with pytest.raises(ValidationFailed) as exc:
        lives.import_feed(session=session, actor=SYSTEM, files=files, region_code="510104")
    assert exc.value.problems[0].field == "inspections"


def test_a_neighbouring_county_neither_exports_nor_imports_there(session: Session) -> None:
    neighbour = principal_of(session, "inspector_b")
    with pytest.raises(NotFoundError):
        lives.export_feed(session=session, actor=neighbour, region_code="510104")
    with pytest.raises(NotFoundError):
        lives.import_feed(
            session=session,
            actor=neighbour,
            files=_sf(),
            region_code="510104",
            encoding="cp1252",
            skip_invalid=True,
        )
    own = principal_of(session, "inspector_a")
    assert "businesses.csv" in lives.export_feed(session=session, actor=own, region_code="510104")
