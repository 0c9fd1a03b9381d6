"""Recording a supervision inspection (监督检查) with the checklist in force.

The result is derived from the items by the checklist's rule and never typed: a result
stated by the device that contradicts the items is refused. An inspection is refused whole,
with every problem named, when an item is answered twice or left out (every item unless a
flying inspection, Order 49 art. 27), fewer than two officers inspected (art. 23), an
officer's office does not cover the business, or a written rectification order has no
deadline. A record sent again with the same device key finds the stored one.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import REGULATOR_ROLES
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.cases.calendar import add_workdays
from sunshine.core import evidence
from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import ConflictError, FieldProblem, ProblemList, ValidationFailed
from sunshine.core.evidence_models import EvidenceKind
from sunshine.core.i18n import N_, Message
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, hooks
from sunshine.inspections import repository as repo
from sunshine.inspections import tasks as inspection_tasks
from sunshine.inspections.answers import match_answers
from sunshine.inspections.enums import InspectionKind, InspectionResult, ItemOutcome
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionInspector,
    InspectionItemResult,
)
from sunshine.inspections.rules import derive_result, tally
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business
from sunshine.registry.public import store_cache_keys
from sunshine.registry.service import get_business

#: Order 49 art. 39: results are published within 20 working days.
PUBLISH_WITHIN_WORKDAYS = 20
MIN_INSPECTORS = 2  # Order 49 art. 23
MAX_PHOTOS_PER_ITEM = 5
MAX_PHOTOS = 40
_SIGNATURES = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=12, field="signatures"
)
_PHOTOS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=MAX_PHOTOS, field="photos"
)
KIND_LABELS = {
    InspectionKind.ROUTINE: N_("Routine inspection"),
    InspectionKind.FLYING: N_("Flying inspection"),
    InspectionKind.SYSTEM: N_("System inspection"),
    InspectionKind.FOLLOW_UP: N_("Follow-up inspection"),
    InspectionKind.COMPLAINT: N_("Complaint inspection"),
}
RESULT_LABELS = {
    InspectionResult.COMPLIANT: N_("Compliant"),
    InspectionResult.BASICALLY_COMPLIANT: N_("Basically compliant"),
    InspectionResult.NONCOMPLIANT: N_("Non-compliant"),
}
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PLACE = {
    RegionLevel.PROVINCE: "province_code",
    RegionLevel.PREFECTURE: "prefecture_code",
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "township_code",
}


@dataclass(frozen=True)
class ItemAnswer:
    item_code: str
    outcome: ItemOutcome
    note: str = ""


@dataclass(frozen=True)
class Signature:
    """A signature drawn on the device's screen (a PNG): an inspector's (``user_id``) or,
    with ``user_id`` None, the business representative's."""

    user_id: int | None
    upload: evidence.Upload


@dataclass(frozen=True)
class ItemPhoto:
    """A photo taken for one item (usually of a problem found)."""

    item_code: str
    upload: evidence.Upload


@dataclass(frozen=True)
class InspectionForm:
    """What the inspector's device sends: the checklist version it showed, the items'
    outcomes, who inspected, when and where, and who signed for the business."""

    business_id: int
    checklist_id: int
    kind: InspectionKind
    started_at: datetime
    finished_at: datetime
    inspector_ids: Sequence[int]
    answers: Sequence[ItemAnswer]
    representative_name: str
    stated_result: InspectionResult | None = None
    rectify_by: date | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_accuracy_m: float | None = None
    remarks: str = ""
    client_key: str | None = None
    task_id: int | None = None  # the task the device took the inspection for, if any
    signatures: Sequence[Signature] = ()
    photos: Sequence[ItemPhoto] = ()


def record_inspection(*, session: Session, actor: Principal, form: InspectionForm) -> Inspection:
    """Store the inspection in ``form`` (see the module's rules) and return it; a record
    already stored under the same device key is returned as it is."""
    access.require_regulator(actor)
    if form.client_key:
        stored = repo.inspection_by_client_key(session, form.client_key)
        if stored is not None:
            return _same_record(stored, form)
    business = get_business(session=session, actor=actor, business_id=form.business_id)
    checklist = _checklist_for(session, business, form.checklist_id)
    task = None
    if form.task_id is not None:
        task = inspection_tasks.task_for_record(
            session=session, actor=actor, task_id=form.task_id, business_id=business.id
        )
    items = list(repo.items_of(session, checklist.id))
    check = ProblemList()
    outcomes = _answers(check, form, items, business)
    _check_inspectors(check, session, actor, business, form.inspector_ids)
    _check_signatures(check, form)
    _check_photos(check, form, {item.code for item, _ in outcomes})
    _check_times(check, form)
    if not form.representative_name.strip():
        check.add("representative_name", N_("the business's representative signs the record"))
    result = None
    if outcomes:
        counted = tally((item.key, answer.outcome) for item, answer in outcomes)
        result = derive_result(checklist.result_rule or {}, counted)
        _check_result(check, form, result)
    if check.problems or result is None:
        raise ValidationFailed(check.problems)
    # The files last: every other problem is named before any file is read.
    signed = evidence.prepare(
        session=session, uploads=[s.upload for s in form.signatures], rules=_SIGNATURES
    )
    photographed = evidence.prepare(
        session=session, uploads=[p.upload for p in form.photos], rules=_PHOTOS
    )
    inspection = _store(session, actor, form, business, checklist, outcomes, result)
    inspection_tasks.fulfil_with(session=session, actor=actor, inspection=inspection, task=task)
    _attach_files(session, actor, inspection, form, signed, photographed)
    hooks.inspection_recorded(session=session, actor=actor, inspection=inspection)
    # The store page publishes the record (Order 49 art. 39): its cached copies go.
    invalidate_after_commit(session, *store_cache_keys(business.public_code))
    return inspection


def _same_record(stored: Inspection, form: InspectionForm) -> Inspection:
    """A record sent again: the stored one, if it is the same inspection."""
    if stored.business_id != form.business_id or stored.checklist_id != form.checklist_id:
        raise ConflictError(
            N_("this device key was used for another inspection; the record was not stored")
        )
    return stored


def _checklist_for(session: Session, business: Business, checklist_id: int) -> Checklist:
    """The version in force for the business; a device showing another version (the
    table changed while it was offline) is told to reload it."""
    current = checklists.in_force(
        session=session, code="catering", province_code=business.province_code
    )
    if current is None:
        raise ValidationFailed([FieldProblem("checklist", N_("no checklist is in force"))])
    if current.id != checklist_id:
        raise ConflictError(
            N_(
                "the checklist in force changed since this inspection was started; "
                "reload it and check the items again"
            )
        )
    return current


def _answers(
    check: ProblemList, form: InspectionForm, items: list[ChecklistItem], business: Business
) -> list[tuple[ChecklistItem, ItemAnswer]]:
    outcomes, missing = match_answers(
        check,
        form.answers,
        items,
        unknown=N_("'{code}' is not an item of this checklist"),
        check_answer=lambda path, item, answer: _check_answer(check, path, item, answer, business),
    )
    if form.kind is not InspectionKind.FLYING:
        if missing:
            check.add(
                "items",
                N_("every item is checked except in a flying inspection; missing: {codes}"),
                codes=", ".join(missing),
            )
    elif not outcomes:
        check.add("items", N_("check at least one item"))
    return outcomes


def _check_answer(
    check: ProblemList, path: str, item: ChecklistItem, answer: ItemAnswer, business: Business
) -> None:
    if answer.outcome is ItemOutcome.FAIL and not answer.note.strip():
        check.add(f"{path}.note", N_("say what was found wrong with item {code}"), code=item.code)
    not_for_business = item.applies_to is not None and business.form.value not in item.applies_to
    unexplained = answer.outcome is ItemOutcome.NOT_APPLICABLE and not answer.note.strip()
    if unexplained and not not_for_business:
        check.add(
            f"{path}.note",
            N_("say why item {code} does not apply to this business"),
            code=item.code,
        )
    if not_for_business and answer.outcome is ItemOutcome.FAIL:
        check.add(
            f"{path}.outcome",
            N_("item {code} does not apply to this kind of business"),
            code=item.code,
        )


def _check_inspectors(
    check: ProblemList,
    session: Session,
    actor: Principal,
    business: Business,
    inspector_ids: Sequence[int],
) -> None:
    ids = list(dict.fromkeys(inspector_ids))
    if len(ids) < MIN_INSPECTORS:
        check.add("inspectors", N_("an inspection is made by at least two officers"))
    if actor.user_id not in ids:
        check.add("inspectors", N_("the officer recording the inspection is one of its inspectors"))
    for n, user_id in enumerate(ids):
        user = session.get(User, user_id)
        if user is None or not user.is_active or user.role not in REGULATOR_ROLES:
            check.add(f"inspectors[{n}]", N_("not an active officer"))
            continue
        if not _covers(session, user, business):
            check.add(
                f"inspectors[{n}]",
                N_("{name}'s office does not cover this business"),
                name=user.display_name,
            )


def _covers(session: Session, user: User, business: Business) -> bool:
    unit = regions_repo.get_org_unit(session, user.org_unit_id) if user.org_unit_id else None
    if unit is None:
        return False
    return bool(getattr(business, _PLACE[unit.region_level]) == unit.region_code)


def _check_signatures(check: ProblemList, form: InspectionForm) -> None:
    """Each inspector and the business's representative sign, once each."""
    signers = [s.user_id for s in form.signatures]
    for user_id in dict.fromkeys(form.inspector_ids):
        if signers.count(user_id) != 1:
            check.add("signatures", N_("every inspector signs the record once"))
            break
    if signers.count(None) != 1:
        check.add("signatures", N_("the business's representative signs the record once"))
    strangers = set(signers) - set(form.inspector_ids) - {None}
    if strangers:
        check.add("signatures", N_("only the inspectors and the representative sign"))


def _check_photos(check: ProblemList, form: InspectionForm, answered: set[str]) -> None:
    per_item: dict[str, int] = {}
    for n, photo in enumerate(form.photos):
        if photo.item_code not in answered:
            check.add(
                f"photos[{n}].item",
                N_("'{code}' is not an item of this inspection"),
                code=photo.item_code,
            )
        per_item[photo.item_code] = per_item.get(photo.item_code, 0) + 1
    for code, count in per_item.items():
        if count > MAX_PHOTOS_PER_ITEM:
            check.add(
                "photos",
                N_("at most {limit} photos for item {code}"),
                limit=MAX_PHOTOS_PER_ITEM,
                code=code,
            )


def _check_times(check: ProblemList, form: InspectionForm) -> None:
    if form.started_at.tzinfo is None or form.finished_at.tzinfo is None:
        check.add("started_at", N_("times carry their UTC offset"))
        return
    if form.finished_at < form.started_at:
        check.add("finished_at", N_("the inspection cannot end before it starts"))
    if form.finished_at > utc_now():
        check.add("finished_at", N_("the inspection cannot end in the future"))


def _check_result(check: ProblemList, form: InspectionForm, result: InspectionResult) -> None:
    if form.stated_result is not None and form.stated_result is not result:
        check.add(
            "result",
            N_("the items give '{derived}', not '{stated}'; the result follows from the items"),
            derived=Message(RESULT_LABELS[result]),
            stated=Message(RESULT_LABELS[form.stated_result]),
        )
    inspected_on = to_local(form.started_at).date()
    # 不符合 too: whatever follows (an investigation, Order 49 art. 32), the business is
    # ordered to correct by a deadline (行政处罚法 art. 28 ¶1), so the order has one.
    if result is not InspectionResult.COMPLIANT:
        if form.rectify_by is None:
            check.add("rectify_by", N_("a written rectification order sets its deadline"))
        elif form.rectify_by <= inspected_on:
            check.add("rectify_by", N_("the rectification deadline comes after the inspection"))
    elif result is InspectionResult.COMPLIANT and form.rectify_by is not None:
        check.add("rectify_by", N_("nothing to rectify: every item passed"))


def _store(
    session: Session,
    actor: Principal,
    form: InspectionForm,
    business: Business,
    checklist: Checklist,
    outcomes: list[tuple[ChecklistItem, ItemAnswer]],
    result: InspectionResult,
) -> Inspection:
    counted = tally((item.key, answer.outcome) for item, answer in outcomes)
    inspected_on = to_local(form.started_at).date()
    office = actor.org_unit_id
    if office is None:
        raise ValidationFailed([FieldProblem("inspectors", N_("not an active officer"))])
    inspection = Inspection(
        reference=_new_reference(session, inspected_on),
        client_key=form.client_key or None,
        business_id=business.id,
        checklist_id=checklist.id,
        kind=form.kind,
        org_unit_id=office,
        province_code=business.province_code,
        prefecture_code=business.prefecture_code,
        county_code=business.county_code,
        township_code=business.township_code,
        inspected_on=inspected_on,
        started_at=form.started_at,
        finished_at=form.finished_at,
        latitude=form.latitude,
        longitude=form.longitude,
        location_accuracy_m=form.location_accuracy_m,
        result=result,
        key_failed=counted.key_failed,
        general_failed=counted.general_failed,
        general_checked=counted.general_checked,
        not_applicable=counted.not_applicable,
        rectify_by=form.rectify_by if result is not InspectionResult.COMPLIANT else None,
        publish_by=add_workdays(inspected_on, count=PUBLISH_WITHIN_WORKDAYS),
        representative_name=form.representative_name.strip(),
        representative_signature="",  # set once the files are recorded
        remarks=form.remarks.strip(),
        recorded_by_id=actor.user_id,
    )
    session.add(inspection)
    session.flush()
    session.add_all(
        InspectionInspector(inspection_id=inspection.id, user_id=user_id, position=n, signature="")
        for n, user_id in enumerate(dict.fromkeys(form.inspector_ids))
    )
    session.add_all(
        InspectionItemResult(
            inspection_id=inspection.id,
            item_id=item.id,
            outcome=answer.outcome,
            note=answer.note.strip(),
        )
        for item, answer in outcomes
    )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="inspection.record",
        entity_type="inspection",
        entity_id=inspection.id,
        after={
            "reference": inspection.reference,
            "business_id": business.id,
            "checklist_id": checklist.id,
            "result": result.value,
            "key_failed": counted.key_failed,
            "general_failed": counted.general_failed,
        },
    )
    return inspection


def _attach_files(
    session: Session,
    actor: Principal,
    inspection: Inspection,
    form: InspectionForm,
    signed: list[evidence.PreparedFile],
    photographed: list[evidence.PreparedFile],
) -> None:
    """Record the files (hashed, their metadata stripped) and note each one's token where
    it belongs: a signature by its signer, a photo by its item."""
    rows = evidence.record(
        session=session,
        actor=actor,
        prepared=[*signed, *photographed],
        owner_type="inspection",
        owner_id=inspection.id,
    )
    by_signer = {s.user_id: row.token for s, row in zip(form.signatures, rows, strict=False)}
    inspection.representative_signature = by_signer.get(None, "")
    for inspector in repo.inspectors_of(session, inspection.id):
        inspector.signature = by_signer.get(inspector.user_id, "")
    photo_rows = rows[len(signed) :]
    by_item: dict[str, list[str]] = {}
    for photo, row in zip(form.photos, photo_rows, strict=True):
        by_item.setdefault(photo.item_code, []).append(row.token)
    for item, result in repo.item_results(session, inspection.id):
        result.photos = by_item.get(item.code, [])
    session.flush()


def _new_reference(session: Session, day: date) -> str:
    """A reference such as ``JC20261130-4K7Q2M`` (检查)."""
    while True:
        tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        reference = f"JC{day.strftime('%Y%m%d')}-{tail}"
        if not repo.inspection_reference_exists(session, reference):
            return reference
