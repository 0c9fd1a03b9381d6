"""Checklists as data: the shipped national tables, loading a file (all or nothing, each
problem named by its place), putting a version in force, provincial refinements, and the
rule that derives an inspection's result from its items."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import SYSTEM
from sunshine.core.errors import ForbiddenError, ValidationFailed
from sunshine.inspections import checklists, files
from sunshine.inspections.enums import ChecklistStatus, InspectionResult, ItemOutcome
from sunshine.inspections.models import Checklist
from sunshine.inspections.rules import derive_result, rule_problems, tally

P, F, NA = ItemOutcome.PASS, ItemOutcome.FAIL, ItemOutcome.NOT_APPLICABLE
RULE_2016 = json.loads(files.bundled("catering-2016.json"))["result_rule"]


def _doc(**changes: Any) -> dict[str, Any]:
    doc = deepcopy(json.loads(files.bundled("catering-2016.json")))
    doc.update(changes)
    return doc


def _bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _problems(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.text for p in exc.value.problems}


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Checklist)).scalar_one())


# -- the shipped tables -----------------------------------------------------------------------


def test_the_2016_catering_table_is_in_force_with_its_30_items(session: Session) -> None:
    loaded = checklists.load_bundled(session=session, actor=SYSTEM)
    assert [(c.version, c.status) for c in loaded] == [
        ("2016", ChecklistStatus.ACTIVE),
        ("2022", ChecklistStatus.DRAFT),
    ]
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None and current.version == "2016"
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=current.id)
    assert shown.item_count == 30 and shown.key_count == 7 and len(shown.sections) == 9
    keys = {i.code for _, items in shown.sections for i in items if i.key}
    assert keys == {"3.1", "3.2", "4.1", "4.2", "6.1", "8.4", "9.3"}
    # Every key item has its legal basis, each read from the law's text or a stated source.
    for _, items in shown.sections:
        for item in items:
            if item.key:
                assert item.basis and all(b["status"] for b in item.basis), item.code
    assert current.result_rule is not None and current.sources


def test_the_partial_2022_table_is_a_draft_that_cannot_be_put_in_force(session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    draft = session.execute(select(Checklist).where(Checklist.version == "2022")).scalar_one()
    assert draft.status is ChecklistStatus.DRAFT and not draft.complete and draft.missing
    with pytest.raises(ValidationFailed) as exc:
        checklists.activate_checklist(session=session, actor=SYSTEM, checklist_id=draft.id)
    assert "status" in _problems(exc)


def test_loading_the_bundled_tables_twice_adds_nothing(session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    assert checklists.load_bundled(session=session, actor=SYSTEM) == []


# -- loading a file ---------------------------------------------------------------------------


def test_a_file_with_problems_is_refused_whole_each_problem_named(session: Session) -> None:
    doc = _doc(version="2026-bad")
    doc["sections"][0]["items"][0]["key"] = "yes"
    doc["sections"][1]["items"][1]["code"] = "2.1"  # twice
    doc["sections"][2]["items"][0]["sources"] = ["nowhere"]
    doc["sections"][3]["items"][0]["applies_to"] = ["spaceship"]
    doc["result_rule"]["noncompliant_if_any"]["general_pass_rate_below"] = 70
    before = _count(session)
    with pytest.raises(ValidationFailed) as exc:
        checklists.load_checklist(session=session, actor=SYSTEM, data=_bytes(doc))
    problems = _problems(exc)
    assert "sections[0].items[0].key" in problems
    assert "'2.1' appears twice" in problems["sections[1].items[1].code"]
    assert "nowhere" in problems["sections[2].items[0].sources"]
    assert "sections[3].items[0].applies_to" in problems
    assert "between 0 and 1" in problems["result_rule.noncompliant_if_any.general_pass_rate_below"]
    assert _count(session) == before


def test_broken_json_is_refused_with_its_line_and_column(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        checklists.load_checklist(session=session, actor=SYSTEM, data=b'{"format": \n oops}')
    assert "line 2, column 2" in _problems(exc)["file"]
    with pytest.raises(ValidationFailed) as exc:
        checklists.load_checklist(session=session, actor=SYSTEM, data=b"\xff\xfe")
    assert "UTF-8" in _problems(exc)["file"]


def test_an_incomplete_table_cannot_be_loaded_in_force(session: Session) -> None:
    doc = _doc(version="2026-part", complete=False)
    with pytest.raises(ValidationFailed) as exc:
        checklists.load_checklist(session=session, actor=SYSTEM, data=_bytes(doc))
    assert "status" in _problems(exc)
    checklists.load_checklist(session=session, actor=SYSTEM, data=_bytes(doc), activate=False)


def test_a_version_already_loaded_is_refused(session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    with pytest.raises(ValidationFailed) as exc:
        checklists.load_checklist(
            session=session, actor=SYSTEM, data=files.bundled("catering-2016.json")
        )
    assert "2016" in _problems(exc)["version"]


def test_a_new_version_in_force_retires_the_old_one_which_stays(session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    admin = principal_of(session, "admin")
    newer = checklists.load_checklist(
        session=session, actor=admin, data=_bytes(_doc(version="2016-r1"))
    )
    assert newer.status is ChecklistStatus.ACTIVE
    old = session.execute(select(Checklist).where(Checklist.version == "2016")).scalar_one()
    assert old.status is ChecklistStatus.RETIRED
    now = checklists.in_force(session=session, code="catering", province_code="510000")
    assert now is not None and now.id == newer.id
    actions = session.execute(
        select(AuditEntry.action).where(AuditEntry.entity_type == "checklist")
    ).scalars()
    assert {"checklist.load", "checklist.activate", "checklist.retire"} <= set(actions)


def test_a_province_refines_the_national_table(session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    admin = principal_of(session, "admin")
    doc = _doc(version="2016-sc", jurisdiction="510000", base_version="2016")
    doc["sections"][-1]["items"].append(
        {
            "code": "9.4",
            "key": False,
            "provincial": True,
            "text": {"zh_CN": "明厨亮灶设备正常运行。", "en": "Open-kitchen cameras work."},
            "sources": ["shared"],
        }
    )
    refined = checklists.load_checklist(session=session, actor=admin, data=_bytes(doc))
    assert refined.base_id is not None
    here = checklists.in_force(session=session, code="catering", province_code="510000")
    elsewhere = checklists.in_force(session=session, code="catering", province_code="500000")
    assert here is not None and here.id == refined.id
    assert elsewhere is not None and elsewhere.version == "2016"


def test_only_the_province_s_administrators_load_checklists(session: Session) -> None:
    checklists.load_bundled(session=session, actor=SYSTEM)
    doc = _doc(version="2016-cq", jurisdiction="500000", base_version="2016")
    with pytest.raises(ValidationFailed) as exc:
        checklists.load_checklist(
            session=session, actor=principal_of(session, "admin"), data=_bytes(doc)
        )
    assert "jurisdiction" in _problems(exc)
    with pytest.raises(ForbiddenError):
        checklists.load_checklist(
            session=session,
            actor=principal_of(session, "inspector_a"),
            data=_bytes(_doc(version="2016-x")),
        )


# -- the result rule --------------------------------------------------------------------------


def _result(key: list[ItemOutcome], general: list[ItemOutcome]) -> InspectionResult:
    pairs = [(True, o) for o in key] + [(False, o) for o in general]
    return derive_result(RULE_2016, tally(pairs))


def test_the_2016_catering_rule_derives_the_result_from_the_items() -> None:
    assert _result([P] * 7, [P] * 23) is InspectionResult.COMPLIANT
    # One key item failed, general items at least 70 %: basically compliant.
    assert _result([F] + [P] * 6, [P] * 23) is InspectionResult.BASICALLY_COMPLIANT
    assert _result([P] * 7, [F] * 6 + [P] * 17) is InspectionResult.BASICALLY_COMPLIANT  # 73.9 %
    # Two key items failed, or general items below 70 %: non-compliant.
    assert _result([F, F] + [P] * 5, [P] * 23) is InspectionResult.NONCOMPLIANT
    assert _result([P] * 7, [F] * 7 + [P] * 16) is InspectionResult.NONCOMPLIANT  # 69.6 %


def test_items_not_applicable_leave_the_pass_rate() -> None:
    # 6 of 20 applicable general items failed: 70 % exactly, basically compliant; counted
    # over all 23 the rate would be 73.9 %, and 7 of 20 fails (65 %) is non-compliant.
    assert _result([P] * 7, [F] * 6 + [P] * 14 + [NA] * 3) is InspectionResult.BASICALLY_COMPLIANT
    assert _result([P] * 7, [F] * 7 + [P] * 13 + [NA] * 3) is InspectionResult.NONCOMPLIANT
    counted = tally([(False, F), (False, NA), (True, NA)])
    assert counted.general_checked == 1 and counted.not_applicable == 2


def test_a_rule_with_unknown_parts_is_named() -> None:
    assert rule_problems({"kind": "vibes"})[0].field == "result_rule.kind"
    problems = rule_problems({"kind": "thresholds", "noncompliant_if_any": {"moon": 1}})
    assert problems[0].field == "result_rule.noncompliant_if_any.moon"
    assert rule_problems(RULE_2016) == []
