"""Loading checklist versions from files, putting one in force, and reading them.

Only administrators load checklists: a national table by any administrator of the
deployment's province bureau, a province's refinement (Order 49 art. 14) by that
province's administrators. Loading an active version retires the version of the same
table and jurisdiction that was in force; inspections keep the version they were made with.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.inspections import files
from sunshine.inspections import repository as repo
from sunshine.inspections.enums import ChecklistStatus
from sunshine.inspections.models import NATIONAL, Checklist, ChecklistItem, ChecklistSection
from sunshine.regions.enums import RegionLevel

_ACTIVE_NEEDS = N_("only a complete checklist with a result rule can be active; load it as a draft")
_VERSION_TAKEN = N_("version {version} of this checklist is already loaded; give it a new version")
_WHO_LOADS = N_(
    "checklists are loaded by an administrator of the province bureau, "
    "for the nation or their own province"
)


@dataclass(frozen=True)
class ChecklistView:
    checklist: Checklist
    sections: list[tuple[ChecklistSection, list[ChecklistItem]]]

    @property
    def key_count(self) -> int:
        return sum(item.key for _, items in self.sections for item in items)

    @property
    def item_count(self) -> int:
        return sum(len(items) for _, items in self.sections)


def load_checklist(
    *, session: Session, actor: Principal, data: bytes, activate: bool | None = None
) -> Checklist:
    """Store the checklist version in ``data`` (a ``sunshine-checklist/1`` file). ``activate``
    overrides the file's status (True: put in force; False: keep as a draft)."""
    access.require_admin(actor)
    spec = files.read_checklist(data)
    _require_may_load(actor, spec.jurisdiction)
    status = spec.status
    if activate is not None:
        status = ChecklistStatus.ACTIVE if activate else ChecklistStatus.DRAFT
    if status is ChecklistStatus.ACTIVE and (not spec.complete or spec.result_rule is None):
        raise ValidationFailed(
            [
                FieldProblem(
                    "status",
                    _ACTIVE_NEEDS,
                )
            ]
        )
    if repo.find_checklist(
        session, code=spec.code, version=spec.version, jurisdiction=spec.jurisdiction
    ):
        raise ValidationFailed(
            [
                FieldProblem(
                    "version",
                    _VERSION_TAKEN,
                    params={"version": spec.version},
                )
            ]
        )
    base_id = _base_of(session, spec)
    checklist = Checklist(
        code=spec.code,
        version=spec.version,
        jurisdiction=spec.jurisdiction,
        base_id=base_id,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        document=spec.document,
        business_category=spec.business_category,
        status=ChecklistStatus.DRAFT,
        complete=spec.complete,
        note_zh=spec.note[0],
        note_en=spec.note[1],
        result_rule=spec.result_rule,
        consequences=spec.consequences,
        sources=spec.sources,
        missing=spec.missing,
        file_sha256=spec.sha256,
        loaded_by_id=actor.user_id,
    )
    session.add(checklist)
    session.flush()
    _add_items(session, checklist, spec)
    audit.record(
        session=session,
        actor=actor,
        action="checklist.load",
        entity_type="checklist",
        entity_id=checklist.id,
        after={
            "code": spec.code,
            "version": spec.version,
            "jurisdiction": spec.jurisdiction,
            "items": len(spec.items),
            "sha256": spec.sha256,
        },
    )
    if status is ChecklistStatus.ACTIVE:
        activate_checklist(session=session, actor=actor, checklist_id=checklist.id)
    return checklist


def _require_may_load(actor: Principal, jurisdiction: str) -> None:
    """National tables by a province-level administrator; a province's own by its own."""
    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    at_province = level is RegionLevel.PROVINCE and code is not None
    allowed = at_province and jurisdiction in (NATIONAL, code)
    if not allowed and actor.user_id is not None:  # the system (command line) loads any
        raise ValidationFailed(
            [
                FieldProblem(
                    "jurisdiction",
                    _WHO_LOADS,
                )
            ]
        )


def _base_of(session: Session, spec: files.ChecklistSpec) -> int | None:
    if spec.jurisdiction == NATIONAL:
        return None
    if spec.base_version is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "base_version",
                    N_("a province's refinement names the national version it refines"),
                )
            ]
        )
    base = repo.find_checklist(
        session, code=spec.code, version=spec.base_version, jurisdiction=NATIONAL
    )
    if base is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "base_version",
                    N_("national version {version} is not loaded"),
                    params={"version": spec.base_version},
                )
            ]
        )
    return base.id


def _add_items(session: Session, checklist: Checklist, spec: files.ChecklistSpec) -> None:
    for position, section_spec in enumerate(spec.sections, start=1):
        section = ChecklistSection(
            checklist_id=checklist.id,
            code=section_spec.code,
            position=position,
            title_zh=section_spec.title_zh,
            title_en=section_spec.title_en,
        )
        session.add(section)
        session.flush()
        session.add_all(
            ChecklistItem(
                checklist_id=checklist.id,
                section_id=section.id,
                code=item.code,
                position=item.position,
                key=item.key,
                text_zh=item.text_zh,
                text_en=item.text_en,
                applies_to=item.applies_to,
                basis=item.basis,
                sources=item.sources,
                uncertain=item.uncertain,
                provincial=item.provincial,
            )
            for item in section_spec.items
        )
    session.flush()


def activate_checklist(*, session: Session, actor: Principal, checklist_id: int) -> Checklist:
    """Put a complete version in force; the one in force for its table retires."""
    access.require_admin(actor)
    checklist = repo.get_checklist(session, checklist_id)
    if checklist is None:
        raise NotFoundError(N_("No such checklist"))
    _require_may_load(actor, checklist.jurisdiction)
    if not checklist.complete or checklist.result_rule is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "status",
                    _ACTIVE_NEEDS,
                )
            ]
        )
    if checklist.status is ChecklistStatus.ACTIVE:
        return checklist
    for previous in repo.active_checklists(
        session, code=checklist.code, jurisdictions=[checklist.jurisdiction]
    ):
        previous.status = ChecklistStatus.RETIRED
        audit.record(
            session=session,
            actor=actor,
            action="checklist.retire",
            entity_type="checklist",
            entity_id=previous.id,
            before={"status": "active"},
            after={"status": "retired", "replaced_by": checklist.id},
        )
    before = checklist.status.value
    checklist.status = ChecklistStatus.ACTIVE
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="checklist.activate",
        entity_type="checklist",
        entity_id=checklist.id,
        before={"status": before},
        after={"status": "active"},
    )
    return checklist


def load_bundled(*, session: Session, actor: Principal) -> list[Checklist]:
    """Load the shipped national tables not loaded yet (idempotent)."""
    loaded = []
    for name in files.BUNDLED:
        data = files.bundled(name)
        spec = files.read_checklist(data)
        if repo.find_checklist(
            session, code=spec.code, version=spec.version, jurisdiction=spec.jurisdiction
        ):
            continue
        loaded.append(load_checklist(session=session, actor=actor, data=data))
    return loaded


def in_force(*, session: Session, code: str, province_code: str | None) -> Checklist | None:
    """The version new inspections use: the province's refinement if one is in force, else
    the national table."""
    wanted = [NATIONAL] + ([province_code] if province_code else [])
    active = {
        c.jurisdiction: c for c in repo.active_checklists(session, code=code, jurisdictions=wanted)
    }
    return active.get(province_code or "") or active.get(NATIONAL)


def view(*, session: Session, actor: Principal, checklist_id: int) -> ChecklistView:
    """A version with its sections and items, for any regulator (checklists are public
    rules, but only regulators and businesses use them in the portals)."""
    access.require_signed_in(actor)
    checklist = repo.get_checklist(session, checklist_id)
    if checklist is None:
        raise NotFoundError(N_("No such checklist"))
    items = repo.items_of(session, checklist.id)
    by_section: dict[int, list[ChecklistItem]] = {}
    for item in items:
        by_section.setdefault(item.section_id, []).append(item)
    sections = [(s, by_section.get(s.id, [])) for s in repo.sections_of(session, checklist.id)]
    return ChecklistView(checklist=checklist, sections=sections)


def list_checklists(*, session: Session, actor: Principal) -> list[Checklist]:
    """The national versions and those of the actor's province."""
    access.require_signed_in(actor)
    province = _province_of(actor)
    return list(repo.checklists_for(session, [NATIONAL] + ([province] if province else [])))


def _province_of(actor: Principal) -> str | None:
    code = actor.jurisdiction_code
    return f"{code[:2]}0000" if code else None
