"""Inspection data in the LIVES open-data format: import and export.

LIVES (Local Inspector Value-Entry Specification, Yelp with San Francisco and New York,
2013; https://gist.github.com/s2t2/a72053b3bc15808e3cec keeps the specification's text) is
a feed of comma-separated files with a header line: ``businesses.csv`` (required),
``inspections.csv`` (required), ``violations.csv`` (optional), ``feed_info.csv``; dates are
YYYYMMDD. San Francisco's own files add columns and name two files with a ``_plus`` suffix
(``Score`` for ``score``, ``ViolationTypeID`` for ``code``, ``risk_category``): both
spellings are read (:data:`COLUMNS`).

Import: every row of every file is checked first and each problem named by file, row and
column. By default a feed with any problem is refused whole; with ``skip_invalid`` the
valid rows are imported and every other row is reported with its reason. A feed is a
snapshot: importing one into a region replaces what an earlier feed put there.

Export: a region's registry businesses and their inspections (failed items as violations)
and the LIVES data imported into it, as a feed another system (or this one) reads back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.inspections import lives_repository as repo
from sunshine.inspections.lives_models import LivesBusiness, LivesInspection, LivesViolation
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region

#: The files of a feed, by the end of their names (a city may prefix them: sf_businesses.csv).
FILES = {
    "businesses": ("businesses.csv",),
    "inspections": ("inspections.csv", "inspections_plus.csv"),
    "violations": ("violations.csv", "violations_plus.csv"),
}
REQUIRED_FILES = ("businesses", "inspections")
#: Each file's columns: our name -> the spellings read (LIVES, then San Francisco's "plus").
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "businesses": {
        "business_id": ("business_id",),
        "name": ("name",),
        "address": ("address",),
        "city": ("city",),
        "state": ("state",),
        "postal_code": ("postal_code",),
        "latitude": ("latitude",),
        "longitude": ("longitude",),
        "phone_number": ("phone_number",),
    },
    "inspections": {
        "business_id": ("business_id",),
        "score": ("score", "Score"),
        "date": ("date",),
        "description": ("description",),
        "type": ("type",),
    },
    "violations": {
        "business_id": ("business_id",),
        "date": ("date",),
        "code": ("code", "ViolationTypeID"),
        "description": ("description",),
        "risk_category": ("risk_category",),
    },
}
REQUIRED_COLUMNS = {
    "businesses": ("business_id", "name", "address"),
    "inspections": ("business_id", "date"),
    "violations": ("business_id", "date"),
}
MAX_FEED_BYTES = 100 * 1024 * 1024
MAX_REPORTED = 1000  # problems listed; the count says how many there were


@dataclass
class ImportReport:
    businesses: int = 0
    inspections: int = 0
    violations: int = 0
    replaced: int = 0  # businesses of an earlier feed of the region, removed
    problems: list[FieldProblem] = field(default_factory=list)
    problem_count: int = 0
    skipped_rows: int = 0


@dataclass
class _Rows:
    """The valid rows of a feed, each with its file's row number."""

    businesses: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    inspections: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    violations: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.items: list[FieldProblem] = []
        self.count = 0
        self.bad_rows: set[tuple[str, int]] = set()

    def add(self, kind: str, row: int | None, where: str, message: str, **params: str) -> None:
        self.count += 1
        if row is not None:
            self.bad_rows.add((kind, row))
        if len(self.items) < MAX_REPORTED:
            self.items.append(
                FieldProblem(f"{kind}.csv:{where}", message, row=row, params=dict(params))
            )


# -- reading ----------------------------------------------------------------------------------


def feed_files(names: Sequence[str]) -> dict[str, str]:
    """Which of ``names`` is each file of the feed (``ValidationFailed`` if one is missing
    or two names claim the same file)."""
    found: dict[str, str] = {}
    problems = []
    for kind, endings in FILES.items():
        matches = [n for n in names if n.lower().rsplit("/", 1)[-1].endswith(endings)]
        # "inspections.csv" also ends "_inspections.csv"; "_plus" names are distinct.
        if len(matches) > 1:
            problems.append(
                FieldProblem(
                    kind,
                    N_("several files could be the {kind} file: {names}"),
                    params={"kind": kind, "names": ", ".join(matches)},
                )
            )
        elif matches:
            found[kind] = matches[0]
        elif kind in REQUIRED_FILES:
            problems.append(
                FieldProblem(
                    kind, N_("the feed has no {kind} file (…{kind}.csv)"), params={"kind": kind}
                )
            )
    if problems:
        raise ValidationFailed(problems)
    return found


def _decode(kind: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValidationFailed(
            [
                FieldProblem(
                    f"{kind}.csv",
                    N_("the file is not {encoding} text ({reason}); name its encoding"),
                    params={"encoding": encoding, "reason": str(exc)[:120]},
                )
            ]
        ) from None


def _read(kind: str, text: str, problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    """The rows of one file under our column names (row 1 is the header)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.add(kind, None, "header", N_("the file is empty"))
        return []
    spelled = {name.strip(): n for n, name in enumerate(header)}
    where: dict[str, int] = {}
    for column, spellings in COLUMNS[kind].items():
        position = next((spelled[s] for s in spellings if s in spelled), None)
        if position is not None:
            where[column] = position
        elif column in REQUIRED_COLUMNS[kind]:
            problems.add(kind, 1, column, N_("the header has no {column} column"), column=column)
    if any(column not in where for column in REQUIRED_COLUMNS[kind]):
        return []
    rows = []
    for number, values in enumerate(reader, start=2):
        if not values or values == [""]:
            continue
        rows.append(
            (number, {c: values[p].strip() if p < len(values) else "" for c, p in where.items()})
        )
    return rows


# -- checking ---------------------------------------------------------------------------------


def _check(files: Mapping[str, str], problems: _Problems) -> _Rows:
    checked = _Rows()
    for number, row in _read("businesses", files["businesses"], problems):
        if _business_ok(number, row, problems):
            if row["business_id"] in checked.businesses:
                problems.add(
                    "businesses",
                    number,
                    "business_id",
                    N_("business {id} appears twice (first on row {first})"),
                    id=row["business_id"],
                    first=str(checked.businesses[row["business_id"]][0]),
                )
                continue
            checked.businesses[row["business_id"]] = (number, row)
    for kind, target in (("inspections", checked.inspections), ("violations", checked.violations)):
        if kind not in files:
            continue
        for number, row in _read(kind, files[kind], problems):
            if _event_ok(kind, number, row, checked.businesses, problems):
                target.append((number, row))
    return checked


def _business_ok(number: int, row: dict[str, str], problems: _Problems) -> bool:
    ok = True
    for column in REQUIRED_COLUMNS["businesses"]:
        if not row.get(column):
            problems.add("businesses", number, column, N_("is required"))
            ok = False
    for column, low, high in (("latitude", -90.0, 90.0), ("longitude", -180.0, 180.0)):
        value = row.get(column, "")
        if value and _number(value) is None:
            problems.add("businesses", number, column, N_("'{value}' is not a number"), value=value)
            ok = False
        elif value and not low <= float(value) <= high:
            problems.add("businesses", number, column, N_("'{value}' is out of range"), value=value)
            ok = False
    for column, limit in (("business_id", 64), ("name", 200), ("address", 300)):
        if len(row.get(column, "")) > limit:
            problems.add(
                "businesses", number, column, N_("longer than {limit} characters"), limit=str(limit)
            )
            ok = False
    return ok


def _event_ok(
    kind: str,
    number: int,
    row: dict[str, str],
    businesses: Mapping[str, object],
    problems: _Problems,
) -> bool:
    ok = True
    if row["business_id"] not in businesses:
        problems.add(
            kind,
            number,
            "business_id",
            N_("business {id} is not in the businesses file (or its row was refused)"),
            id=row["business_id"],
        )
        ok = False
    if _date(row["date"]) is None:
        problems.add(
            kind, number, "date", N_("'{value}' is not a date (YYYYMMDD)"), value=row["date"]
        )
        ok = False
    score = row.get("score", "")
    if score and (not score.isdigit() or not 0 <= int(score) <= 100):
        problems.add(
            kind, number, "score", N_("'{value}' is not a score from 0 to 100"), value=score
        )
        ok = False
    return ok


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _date(value: str) -> date | None:
    try:
        if len(value) != 8 or not value.isdigit():
            return None
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


# -- importing --------------------------------------------------------------------------------


def import_feed(
    *,
    session: Session,
    actor: Principal,
    files: Mapping[str, bytes],
    region_code: str,
    encoding: str = "utf-8",
    skip_invalid: bool = False,
) -> ImportReport:
    """Import a LIVES feed (file name -> bytes) into a region of the actor's jurisdiction,
    replacing an earlier feed of that region (see the module notes)."""
    access.require_regulator(actor)
    region = _region_within(session, actor, region_code)
    if sum(len(data) for data in files.values()) > MAX_FEED_BYTES:
        raise ValidationFailed(
            [FieldProblem("file", N_("the feed is larger than {limit} MB"), params={"limit": 100})]
        )
    names = feed_files(list(files))
    texts = {kind: _decode(kind, files[name], encoding) for kind, name in names.items()}
    problems = _Problems()
    rows = _check(texts, problems)
    if problems.count and not skip_invalid:
        raise ValidationFailed(problems.items)
    report = ImportReport(
        problems=problems.items,
        problem_count=problems.count,
        skipped_rows=len(problems.bad_rows),
    )
    report.replaced = repo.delete_region_feed(session, region.code)
    ids = _store_businesses(session, region, rows)
    report.businesses = len(ids)
    report.inspections = _store_events(session, LivesInspection, rows.inspections, ids)
    report.violations = _store_events(session, LivesViolation, rows.violations, ids)
    audit.record(
        session=session,
        actor=actor,
        action="lives.import",
        entity_type="region",
        entity_id=region.code,
        after={
            "businesses": report.businesses,
            "inspections": report.inspections,
            "violations": report.violations,
            "replaced": report.replaced,
            "skipped_rows": report.skipped_rows,
        },
    )
    return report


def _region_within(session: Session, actor: Principal, code: str) -> Region:
    region = regions_repo.get_region(session, code) if code.isdigit() else None
    level, own = actor.jurisdiction_level, actor.jurisdiction_code
    column = {
        RegionLevel.PROVINCE: "province_code",
        RegionLevel.PREFECTURE: "prefecture_code",
        RegionLevel.COUNTY: "county_code",
        RegionLevel.TOWNSHIP: "code",
    }
    system = actor.user_id is None  # the command line acts for the deployment
    if region is None or not (
        system or (level is not None and getattr(region, column[level]) == own)
    ):
        raise NotFoundError(N_("No such region in your jurisdiction"))
    return region


def _store_businesses(session: Session, region: Region, rows: _Rows) -> dict[str, int]:
    township = region.code if region.level is RegionLevel.TOWNSHIP else None
    stored = [
        LivesBusiness(
            region_code=region.code,
            province_code=region.province_code,
            prefecture_code=region.prefecture_code,
            county_code=region.county_code,
            township_code=township,
            external_id=row["business_id"],
            name=row["name"],
            address=row["address"],
            city=row.get("city", ""),
            state=row.get("state", ""),
            postal_code=row.get("postal_code", ""),
            latitude=_number(row.get("latitude", "")),
            longitude=_number(row.get("longitude", "")),
            phone_number=row.get("phone_number", ""),
        )
        for _, row in rows.businesses.values()
    ]
    session.add_all(stored)
    session.flush()
    return {b.external_id: b.id for b in stored}


def _store_events(
    session: Session,
    model: type[LivesInspection] | type[LivesViolation],
    rows: list[tuple[int, dict[str, str]]],
    ids: Mapping[str, int],
) -> int:
    values = []
    for _, row in rows:
        value: dict[str, object] = {
            "business_id": ids[row["business_id"]],
            "inspected_on": _date(row["date"]),
            "description": row.get("description", ""),
        }
        if model is LivesInspection:
            score = row.get("score", "")
            value |= {"score": int(score) if score else None, "type": row.get("type", "")}
        else:
            value |= {"code": row.get("code", ""), "risk_category": row.get("risk_category", "")}
        values.append(value)
    repo.insert_many(session, model, values)
    return len(values)


# -- exporting --------------------------------------------------------------------------------

BUSINESS_HEADER = ["business_id", "name", "address", "city", "state", "postal_code",
                   "latitude", "longitude", "phone_number"]  # fmt: skip
INSPECTION_HEADER = ["business_id", "score", "date", "description", "type"]
VIOLATION_HEADER = ["business_id", "date", "code", "description", "risk_category"]
RESULT_WORDS = {
    "compliant": "符合 (compliant)",
    "basically_compliant": "基本符合 (basically compliant)",
    "noncompliant": "不符合 (non-compliant)",
}


def export_feed(*, session: Session, actor: Principal, region_code: str) -> dict[str, bytes]:
    """A region's feed as LIVES files (UTF-8): registry businesses with the inspections
    recorded here, and what LIVES feeds put in the region."""
    access.require_regulator(actor)
    region = _region_within(session, actor, region_code)
    businesses = [*repo.native_businesses(session, region), *repo.lives_businesses(session, region)]
    inspections = [
        *repo.native_inspections(session, region),
        *repo.lives_inspections(session, region),
    ]
    violations = [*repo.native_violations(session, region), *repo.lives_violations(session, region)]
    feed_info = [
        ["feed_date", "feed_version", "municipality_name", "municipality_url", "contact_email"],
        [today_local().strftime("%Y%m%d"), "1.0", region.name, "", ""],
    ]
    audit.record(
        session=session,
        actor=actor,
        action="lives.export",
        entity_type="region",
        entity_id=region.code,
        after={"businesses": len(businesses), "inspections": len(inspections)},
    )
    return {
        "businesses.csv": _csv([BUSINESS_HEADER, *businesses]),
        "inspections.csv": _csv([INSPECTION_HEADER, *inspections]),
        "violations.csv": _csv([VIOLATION_HEADER, *violations]),
        "feed_info.csv": _csv(feed_info),
    }


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")
