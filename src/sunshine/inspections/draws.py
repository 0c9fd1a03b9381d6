"""双随机 draws (随机抽取检查对象，随机选派执法检查人员): random businesses from a filtered
directory and, for each, a random group of officers, reproducible by anyone.

How a draw is made (algorithm ``sunshine-draw/1``):

1. The candidates: the businesses of the drawing office's jurisdiction that match the
   filters (area, business forms, risk levels, operating only), less those an office above
   the drawing office inspected within the last 3 months (Order 49 art. 42), as a list of
   ids in ascending order. The list is stored with the draw, with its SHA-256 (of the JSON
   text ``[1,2,3]``, no spaces) and the ids left out.
2. The seed: 32 bytes from the operating system's cryptographic generator, as 64 hex
   digits, stored with the draw.
3. The businesses: each candidate ``id`` is ranked by ``SHA-256("{seed}:{id}")`` (the UTF-8
   text, the digest compared as bytes); the ``k`` with the smallest digests are drawn,
   smallest first. ``k`` is the number asked for (at most the candidates), or the percentage
   of the candidates rounded up.
4. The officers: for each drawn business, the pool is the officers of the directory
   (inspectors and station chiefs, active, in an active office) whose office covers the
   business, less those who declared a conflict of interest with it and those of its last
   inspection, in ascending id order (stored with the business, with the ids left out and
   why). Each officer ``u`` of the pool is ranked by ``SHA-256("{seed}:{business}:{u}")``;
   the group is the ``group size`` with the smallest digests, smallest first. A pool smaller
   than the group gives no group: the task then goes to the station, whose chief assigns
   officers by hand.

Anyone holding the published document (``/draws/{reference}.json``) can repeat steps 3 and
4 with any SHA-256 tool. :func:`verify_draw` (``sunshine draws verify ID``) repeats them
from the stored inputs, checks the stored SHA-256 values and compares everything with the
hash-chained audit entry written when the draw was made, so a draw altered afterwards in
the database is found out.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_, Message, Params
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local, utc_now
from sunshine.inspections import plan_repository as repo
from sunshine.inspections import plan_rules as rules
from sunshine.inspections.draw_algorithm import (
    ALGORITHM,
    COUNT,
    PERCENT,
    candidates_digest,
    how_many,
    months_before,
    pick_businesses,
    pick_group,
    reproduce,
    result_digest,
)
from sunshine.inspections.plan_enums import DrawStatus, RiskLevel
from sunshine.inspections.plan_models import RandomDraw
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import LEVEL_ORDER, RegionLevel
from sunshine.regions.models import OrgUnit, Region
from sunshine.registry.enums import BusinessForm, OperatingStatus
from sunshine.registry.models import Business

__all__ = [
    "ALGORITHM",
    "COUNT",
    "DIRECTORY_ROLES",
    "PERCENT",
    "CandidateCount",
    "DrawFilters",
    "DrawRequest",
    "Verification",
    "candidates_digest",
    "count_candidates",
    "create_draw",
    "draw_document",
    "pick_businesses",
    "pick_group",
    "publish_draw",
    "reproduce",
    "result_digest",
    "verify_draw",
]

#: The officers a draw may send: inspectors and station chiefs (执法检查人员名录库).
DIRECTORY_ROLES = frozenset({Role.INSPECTOR, Role.STATION_CHIEF})
MAX_GROUP = 5
CONFLICT = "conflict"
LAST_INSPECTION = "last_inspection"
UPPER_LEVEL = "upper_level_recent"
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PLACE_LEVELS = LEVEL_ORDER  # province, prefecture, county, township


# -- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawFilters:
    """Which businesses are candidates (besides the drawing office's jurisdiction)."""

    area_code: str | None = None
    forms: tuple[BusinessForm, ...] = ()
    levels: tuple[RiskLevel, ...] = ()
    operating_only: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "area_code": self.area_code,
            "forms": sorted(f.value for f in self.forms),
            "levels": sorted(level.value for level in self.levels),
            "operating_only": self.operating_only,
        }


@dataclass(frozen=True)
class DrawRequest:
    title: str
    filters: DrawFilters
    quantity_kind: str  # count | percent
    quantity: str  # as typed: "30", "5", "2.5"
    due_on: date | None
    group_size: int = 2


@dataclass(frozen=True)
class _Office:
    unit: OrgUnit
    province_code: str


def _office(session: Session, actor: Principal) -> _Office:
    unit = regions_repo.get_org_unit(session, actor.org_unit_id) if actor.org_unit_id else None
    region = regions_repo.get_region(session, unit.region_code) if unit else None
    if unit is None or region is None or not unit.active:
        raise ValidationFailed([FieldProblem("office", N_("your account has no active office"))])
    return _Office(unit=unit, province_code=region.province_code)


def _in_jurisdiction(region: Region, level: RegionLevel, code: str) -> bool:
    return {
        RegionLevel.PROVINCE: region.province_code,
        RegionLevel.PREFECTURE: region.prefecture_code,
        RegionLevel.COUNTY: region.county_code,
        RegionLevel.TOWNSHIP: region.code,
    }[level] == code


def _conditions(
    session: Session, office: OrgUnit, filters: DrawFilters, problems: list[FieldProblem]
) -> list[ColumnElement[bool]]:
    """The filters as conditions on businesses (the office's jurisdiction included)."""
    conditions: list[ColumnElement[bool]] = [
        repo.BUSINESS_PLACE[office.region_level] == office.region_code
    ]
    if filters.area_code:
        region = regions_repo.get_region(session, filters.area_code)
        if region is None or not _in_jurisdiction(region, office.region_level, office.region_code):
            problems.append(
                FieldProblem(
                    "area_code",
                    N_("area {code} is not in your jurisdiction"),
                    params={"code": filters.area_code},
                )
            )
        else:
            conditions.append(repo.BUSINESS_PLACE[region.level] == region.code)
    if filters.forms:
        conditions.append(Business.form.in_(list(filters.forms)))
    if filters.levels:
        pairs = rules.forms_and_scales_of(frozenset(filters.levels))
        by_form: dict[BusinessForm, list[str]] = {}
        for form, scale in pairs:
            by_form.setdefault(form, []).append(scale.value)
        conditions.append(
            or_(
                *(
                    and_(Business.form == form, Business.scale.in_(scales))
                    for form, scales in by_form.items()
                )
            )
            if by_form
            else Business.id.is_(None)
        )
    if filters.operating_only:
        conditions.append(Business.operating_status == OperatingStatus.OPERATING)
    return conditions


def _quantity(request: DrawRequest, problems: list[FieldProblem]) -> Decimal | None:
    try:
        value = Decimal(request.quantity.strip())
    except (InvalidOperation, AttributeError):
        value = None
    if request.quantity_kind == COUNT:
        if value is None or value != value.to_integral_value() or value < 1:
            problems.append(FieldProblem("quantity", N_("give a whole number of businesses")))
            return None
        return value
    if request.quantity_kind == PERCENT:
        exponent = value.as_tuple().exponent if value is not None else 0
        if (
            value is None
            or not Decimal(0) < value <= Decimal(100)
            or (isinstance(exponent, int) and exponent < -2)
        ):
            problems.append(
                FieldProblem("quantity", N_("give a percentage above 0 and at most 100"))
            )
            return None
        return value
    problems.append(FieldProblem("quantity_kind", N_("draw a number or a percentage")))
    return None


def _canonical(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def _quantity_text(kind: str, quantity: Decimal) -> str:
    """The quantity as stored and published: "30" businesses, "2.5" percent."""
    return format(quantity.normalize(), "f") if kind == PERCENT else str(int(quantity))


def _upper_levels(level: RegionLevel) -> list[RegionLevel]:
    return list(LEVEL_ORDER[: LEVEL_ORDER.index(level)])


@dataclass(frozen=True)
class _Candidates:
    ids: list[int]
    left_out: list[int]  # inspected by an upper level within the look-back (art. 42)
    matching: int


def _candidates(
    session: Session, office: OrgUnit, conditions: Sequence[ColumnElement[bool]], as_of: date
) -> _Candidates:
    matching = repo.candidate_ids(session, conditions)
    recent = repo.inspected_by_levels(
        session,
        level=office.region_level,
        code=office.region_code,
        since=months_before(as_of, rules.NO_REPEAT_AFTER_UPPER_LEVEL.value),
        office_levels=_upper_levels(office.region_level),
    )
    left_out = [i for i in matching if i in recent]
    ids = [i for i in matching if i not in recent] if left_out else matching
    return _Candidates(ids=ids, left_out=left_out, matching=len(matching))


@dataclass(frozen=True)
class CandidateCount:
    """What the draw form shows before drawing."""

    matching: int
    left_out: int
    candidates: int
    to_draw: int | None


def count_candidates(
    *,
    session: Session,
    actor: Principal,
    filters: DrawFilters,
    quantity_kind: str = COUNT,
    quantity: str = "",
) -> CandidateCount:
    access.require_planner(actor)
    office = _office(session, actor)
    problems: list[FieldProblem] = []
    conditions = _conditions(session, office.unit, filters, problems)
    if problems:
        raise ValidationFailed(problems)
    found = _candidates(session, office.unit, conditions, today_local())
    wanted = None
    if quantity.strip():
        request = DrawRequest("", filters, quantity_kind, quantity, None)
        value = _quantity(request, [])
        if value is not None:
            wanted = how_many(len(found.ids), quantity_kind, value)
    return CandidateCount(found.matching, len(found.left_out), len(found.ids), wanted)


# -- making and publishing a draw -------------------------------------------------------------


def _check_request(request: DrawRequest, problems: list[FieldProblem]) -> Decimal | None:
    if not request.title.strip():
        problems.append(FieldProblem("title", N_("give the draw a title")))
    elif len(request.title.strip()) > 200:
        problems.append(FieldProblem("title", N_("use at most {n} characters"), params={"n": 200}))
    if not rules.MIN_GROUP.value <= request.group_size <= MAX_GROUP:
        problems.append(
            FieldProblem(
                "group_size",
                N_("a group has {min} to {max} officers (Order 49 art. 23: at least two)"),
                params={"min": rules.MIN_GROUP.value, "max": MAX_GROUP},
            )
        )
    if request.due_on is None:
        problems.append(FieldProblem("due_on", N_("give the date the inspections are due")))
    elif request.due_on <= today_local():
        problems.append(FieldProblem("due_on", N_("the due date comes after today")))
    return _quantity(request, problems)


def _officers_by_place(
    session: Session, province_code: str
) -> dict[tuple[RegionLevel, str], list[int]]:
    by_place: dict[tuple[RegionLevel, str], list[int]] = {}
    for officer in repo.directory(session, province_code=province_code, roles=DIRECTORY_ROLES):
        by_place.setdefault((officer.level, officer.code), []).append(officer.user_id)
    return by_place


@dataclass(frozen=True)
class _Entry:
    business_id: int
    pool: list[int]
    excluded: dict[str, list[int]]
    group: list[int]


def _entries(
    session: Session, *, seed: str, picked: Sequence[int], group_size: int, province_code: str
) -> list[_Entry]:
    """Each drawn business's pool (the officers covering it, less the avoided ones) and the
    group drawn from it."""
    by_place = _officers_by_place(session, province_code)
    places = repo.business_places(session, picked)
    conflicts = repo.conflicts_of_businesses(session, picked)
    last = repo.last_inspectors(session, picked)
    entries = []
    for business_id in picked:
        codes = places[business_id]
        covering: set[int] = set()
        for level, code in zip(_PLACE_LEVELS, codes, strict=True):
            if code is not None:
                covering.update(by_place.get((level, code), ()))
        conflicted = sorted(u for u in covering if (u, business_id) in conflicts)
        previous = sorted(covering.intersection(last.get(business_id, ())))
        avoided = set(conflicted) | set(previous)
        pool = sorted(covering - avoided)
        entries.append(
            _Entry(
                business_id=business_id,
                pool=pool,
                excluded={CONFLICT: conflicted, LAST_INSPECTION: previous},
                group=pick_group(seed, business_id, pool, group_size),
            )
        )
    return entries


def _new_reference(session: Session, day: date) -> str:
    """A reference such as ``SJ20261130-4K7Q2M`` (随机)."""
    while True:
        tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        reference = f"SJ{day.strftime('%Y%m%d')}-{tail}"
        if not repo.draw_reference_exists(session, reference):
            return reference


def _audited_inputs(draw: RandomDraw) -> dict[str, Any]:
    """What the audit entry of a draw holds, to compare the stored draw with later."""
    return {
        "reference": draw.reference,
        "org_unit_id": draw.org_unit_id,
        "filters": draw.filters,
        "quantity_kind": draw.quantity_kind,
        "quantity": draw.quantity,
        "group_size": draw.group_size,
        "as_of": draw.as_of.isoformat(),
        "seed": draw.seed,
        "algorithm": draw.algorithm,
        "candidate_count": draw.candidate_count,
        "candidates_sha256": draw.candidates_sha256,
        "excluded_sha256": hashlib.sha256(_canonical(draw.excluded)).hexdigest(),
        "drawn_count": draw.drawn_count,
        "result_sha256": draw.result_sha256,
    }


def create_draw(
    *, session: Session, actor: Principal, request: DrawRequest, seed: str | None = None
) -> RandomDraw:
    """Make a draw for the actor's office and store it with everything needed to repeat it.

    ``seed`` is None everywhere but the deterministic demo: a fresh seed then comes from the
    operating system's cryptographic generator. Either way it is recorded and published.
    """
    access.require_planner(actor)
    office = _office(session, actor)
    problems: list[FieldProblem] = []
    quantity = _check_request(request, problems)
    conditions = _conditions(session, office.unit, request.filters, problems)
    if problems or quantity is None or request.due_on is None:
        raise ValidationFailed(problems)
    as_of = today_local()
    found = _candidates(session, office.unit, conditions, as_of)
    k = how_many(len(found.ids), request.quantity_kind, quantity)
    if k == 0:
        raise ValidationFailed(
            [FieldProblem("filters", N_("no business matches these filters; nothing was drawn"))]
        )
    seed = seed or secrets.token_hex(32)
    picked = pick_businesses(seed, found.ids, k)
    entries = _entries(
        session,
        seed=seed,
        picked=picked,
        group_size=request.group_size,
        province_code=office.province_code,
    )
    draw = RandomDraw(
        reference=_new_reference(session, as_of),
        org_unit_id=office.unit.id,
        region_code=office.unit.region_code,
        region_level=office.unit.region_level,
        title=request.title.strip(),
        status=DrawStatus.DRAWN,
        filters=request.filters.as_json(),
        quantity_kind=request.quantity_kind,
        quantity=_quantity_text(request.quantity_kind, quantity),
        group_size=request.group_size,
        due_on=request.due_on,
        as_of=as_of,
        seed=seed,
        algorithm=ALGORITHM,
        candidate_ids=found.ids,
        candidate_count=len(found.ids),
        candidates_sha256=candidates_digest(found.ids),
        excluded={UPPER_LEVEL: found.left_out},
        drawn_count=len(entries),
        result_sha256=result_digest((e.business_id, e.pool, e.group) for e in entries),
        drawn_at=utc_now(),
        drawn_by_id=actor.user_id,
    )
    session.add(draw)
    session.flush()
    repo.insert_draw_entries(
        session,
        [
            {
                "draw_id": draw.id,
                "position": n,
                "business_id": e.business_id,
                "pool": e.pool,
                "excluded": e.excluded,
                "inspector_ids": e.group,
            }
            for n, e in enumerate(entries, start=1)
        ],
    )
    audit.record(
        session=session,
        actor=actor,
        action="draw.make",
        entity_type="random_draw",
        entity_id=draw.id,
        after=_audited_inputs(draw),
    )
    return draw


def get_draw(*, session: Session, actor: Principal, draw_id: int) -> RandomDraw:
    access.require_regulator(actor)
    draw = repo.get_draw(session, draw_id=draw_id, scope=access.draw_condition(actor))
    if draw is None:
        raise NotFoundError(N_("No such draw"))
    return draw


def list_draws(*, session: Session, actor: Principal, page: PageRequest) -> Page[RandomDraw]:
    access.require_regulator(actor)
    items, total = repo.page_draws(
        session, scope=access.draw_condition(actor), offset=page.offset, limit=page.per_page
    )
    return Page(items=items, total=total, request=page)


def publish_draw(*, session: Session, actor: Principal, draw_id: int) -> RandomDraw:
    """Publish a draw (it appears at ``/draws``) and turn each drawn business into an
    inspection task. The draw is verified first: an altered draw is not published."""
    from sunshine.inspections import tasks

    access.require_planner(actor)
    draw = get_draw(session=session, actor=actor, draw_id=draw_id)
    if draw.status is DrawStatus.PUBLISHED:
        raise ConflictError(N_("This draw is already published."))
    checked = verify_draw(session=session, draw=draw)
    if not checked.ok:
        raise ConflictError(
            N_("This draw does not verify; it was not published: {problem}"),
            problem=checked.first_problem,
        )
    entries = repo.entries_of(session, draw.id)
    created = tasks.create_for_draw(session=session, actor=actor, draw=draw, entries=entries)
    draw.status = DrawStatus.PUBLISHED
    draw.published_at = utc_now()
    draw.published_by_id = actor.user_id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="draw.publish",
        entity_type="random_draw",
        entity_id=draw.id,
        before={"status": DrawStatus.DRAWN.value},
        after={
            "status": draw.status.value,
            "tasks": len(created),
            "first_task_id": created[0] if created else None,
            "result_sha256": draw.result_sha256,
        },
    )
    return draw


# -- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check of a verification: its English message template and parameters."""

    key: str
    ok: bool
    message: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class Verification:
    draw_id: int
    reference: str
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def first_problem(self) -> Message:
        failed = next(c for c in self.checks if not c.ok)
        return Message(failed.message, failed.params)


def draw_document(draw: RandomDraw, entries: Sequence[repo.EntryRow]) -> dict[str, Any]:
    """Everything needed to repeat the draw, as published at ``/draws/{reference}.json``."""
    return {
        "reference": draw.reference,
        "title": draw.title,
        "algorithm": draw.algorithm,
        "seed": draw.seed,
        "as_of": draw.as_of.isoformat(),
        "region_code": draw.region_code,
        "filters": draw.filters,
        "quantity_kind": draw.quantity_kind,
        "quantity": draw.quantity,
        "group_size": draw.group_size,
        "candidate_count": draw.candidate_count,
        "candidates_sha256": draw.candidates_sha256,
        "candidate_ids": draw.candidate_ids,
        "excluded": draw.excluded,
        "drawn_count": draw.drawn_count,
        "result_sha256": draw.result_sha256,
        "drawn": [
            {
                "position": e.position,
                "business_id": e.business_id,
                "pool": e.pool,
                "excluded": e.excluded,
                "inspector_ids": e.inspector_ids,
            }
            for e in entries
        ],
    }


def _check(checks: list[Check], key: str, ok: bool, message: str, **params: str | int) -> None:
    checks.append(Check(key, ok, message, dict(params)))


def verify_draw(
    *, session: Session, draw: RandomDraw | None = None, draw_id: int | None = None
) -> Verification:
    """Repeat a draw from its stored inputs and compare: the candidates with their SHA-256,
    the businesses and groups drawn, the result's SHA-256, and the audit entry written when
    the draw was made (itself hash-chained: ``sunshine audit verify`` checks the chain)."""
    if draw is None:
        found = repo.find_draw(session, str(draw_id))
        if found is None:
            raise NotFoundError(N_("No such draw"))
        draw = found
    entries = repo.entries_of(session, draw.id)
    checks: list[Check] = []
    _check(
        checks,
        "algorithm",
        draw.algorithm == ALGORITHM,
        N_("algorithm {name}") if draw.algorithm == ALGORITHM else N_("unknown algorithm {name}"),
        name=draw.algorithm,
    )
    ids = [int(i) for i in draw.candidate_ids]
    ordered = all(a < b for a, b in itertools.pairwise(ids))
    digest_ok = candidates_digest(ids) == draw.candidates_sha256 and len(ids) == (
        draw.candidate_count
    )
    left_out = set(draw.excluded.get(UPPER_LEVEL, []))
    _check(
        checks,
        "candidates",
        digest_ok and ordered and not left_out.intersection(ids),
        N_("{n} candidates, in order, matching their SHA-256")
        if digest_ok and ordered
        else N_("the {n} candidates do not match their SHA-256 or are out of order"),
        n=len(ids),
    )
    document = draw_document(draw, entries)
    expected = reproduce(document) if draw.algorithm == ALGORITHM else []
    stored = [(e.business_id, list(e.pool), list(e.inspector_ids)) for e in entries]
    same_businesses = [b for b, _, _ in expected] == [b for b, _, _ in stored] and len(
        stored
    ) == draw.drawn_count
    _check(
        checks,
        "businesses",
        same_businesses,
        N_("the seed draws the same {n} businesses in the same order")
        if same_businesses
        else N_("the seed does not draw the businesses stored ({n})"),
        n=len(stored),
    )
    bad_groups = [
        e.position
        for e, (_, _, group) in zip(entries, expected, strict=False)
        if list(e.inspector_ids) != group
        or sorted(set(e.pool)) != list(e.pool)
        or set(e.pool) & {u for ids_ in e.excluded.values() for u in ids_}
    ]
    groups_ok = same_businesses and not bad_groups
    _check(
        checks,
        "groups",
        groups_ok,
        N_("every group of officers is the one the seed draws from its pool")
        if groups_ok
        else N_("groups differ from what the seed draws at positions {positions}"),
        positions=", ".join(str(p) for p in bad_groups[:20]) or "-",
    )
    result_ok = result_digest(stored) == draw.result_sha256
    _check(
        checks,
        "result",
        result_ok,
        N_("the result matches its SHA-256")
        if result_ok
        else N_("the result does not match its SHA-256"),
    )
    entry = repo.draw_audit_entry(session, draw_id=draw.id, action="draw.make")
    intact = entry is not None and audit.entry_digest(entry) == entry.entry_hash
    same = intact and entry is not None and entry.after == _audited_inputs(draw)
    _check(
        checks,
        "audit",
        same,
        N_("the draw is as the audit trail recorded it (entry {seq})")
        if same and entry is not None
        else N_("the draw differs from the audit trail's record of it"),
        seq=entry.seq if entry is not None else 0,
    )
    return Verification(draw_id=draw.id, reference=draw.reference, checks=checks)
