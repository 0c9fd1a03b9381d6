"""Administrators manage the regulator offices (org units) of their jurisdiction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.regions import directory, repository
from sunshine.regions.enums import LEVEL_ORDER, OrgUnitKind
from sunshine.regions.models import OrgUnit, Region

_KIND_FOR_LEVEL = dict(
    zip(
        LEVEL_ORDER,
        (
            OrgUnitKind.PROVINCIAL_BUREAU,
            OrgUnitKind.CITY_BUREAU,
            OrgUnitKind.COUNTY_BUREAU,
            OrgUnitKind.STATION,
        ),
        strict=True,
    )
)
_FIELDS = ("name", "kind", "parent_id", "region_code", "region_level", "active")


def _managed(session: Session, actor: Principal, org_unit_id: int) -> OrgUnit:
    """An office inside the administrator's jurisdiction (404 otherwise)."""
    access.require_admin(actor)
    unit = repository.get_org_unit(session, org_unit_id)
    if unit is None or actor.jurisdiction_level is None or actor.jurisdiction_code is None:
        raise NotFoundError("No such office")
    allowed = repository.org_unit_ids_within(
        session, level=actor.jurisdiction_level, code=actor.jurisdiction_code
    )
    if unit.id not in allowed:
        raise NotFoundError("No such office")
    return unit


def _clean_name(name: str) -> str:
    name = name.strip()
    if not 2 <= len(name) <= 120:
        raise ValidationFailed([FieldProblem("name", "use 2 to 120 characters")])
    return name


def rename_org_unit(*, session: Session, actor: Principal, org_unit_id: int, name: str) -> OrgUnit:
    unit = _managed(session, actor, org_unit_id)
    before = audit.snapshot(unit, _FIELDS)
    unit.name = _clean_name(name)
    session.flush()
    directory.changed_after_commit(session)
    audit.record(
        session=session,
        actor=actor,
        action="org_unit.rename",
        entity_type="org_unit",
        entity_id=unit.id,
        before={"name": before["name"]},
        after={"name": unit.name},
    )
    return unit


def set_org_unit_active(
    *, session: Session, actor: Principal, org_unit_id: int, active: bool
) -> OrgUnit:
    """Close or reopen an office. One with active accounts is not closed: move them first."""
    unit = _managed(session, actor, org_unit_id)
    if unit.id == actor.org_unit_id and not active:
        raise ValidationFailed([FieldProblem("active", "you cannot close your own office")])
    if not active and repository.active_user_count(session, unit.id):
        raise ValidationFailed(
            [
                FieldProblem(
                    "active", "the office still has active accounts; deactivate or move them first"
                )
            ]
        )
    if unit.active != active:
        unit.active = active
        session.flush()
        directory.changed_after_commit(session)
        audit.record(
            session=session,
            actor=actor,
            action="org_unit.reopen" if active else "org_unit.close",
            entity_type="org_unit",
            entity_id=unit.id,
            before={"active": not active},
            after={"active": active},
        )
    return unit


def create_org_unit(
    *, session: Session, actor: Principal, parent_id: int, name: str, region_code: str
) -> OrgUnit:
    """A new office under ``parent_id`` covering ``region_code``, a division inside the
    parent's jurisdiction one level down (e.g. a 市场监管所 for a township)."""
    parent = _managed(session, actor, parent_id)
    region = repository.get_region(session, region_code.strip())
    if region is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "region_code",
                    "{region_code} is not a known region code",
                    params={"region_code": region_code},
                )
            ]
        )
    parent_index = LEVEL_ORDER.index(parent.region_level)
    if (
        parent_index + 1 >= len(LEVEL_ORDER)
        or region.level is not LEVEL_ORDER[parent_index + 1]
        or region.parent_code != parent.region_code
    ):
        raise ValidationFailed(
            [
                FieldProblem(
                    "region_code", "choose a division directly under the parent office's area"
                )
            ]
        )
    unit = OrgUnit(
        name=_clean_name(name),
        kind=_KIND_FOR_LEVEL[region.level],
        parent_id=parent.id,
        region_code=region.code,
        region_level=region.level,
    )
    session.add(unit)
    session.flush()
    directory.changed_after_commit(session)
    audit.record(
        session=session,
        actor=actor,
        action="org_unit.create",
        entity_type="org_unit",
        entity_id=unit.id,
        after=audit.snapshot(unit, _FIELDS),
    )
    return unit


def child_divisions(*, session: Session, actor: Principal, org_unit_id: int) -> list[Region]:
    """The divisions a new office under ``org_unit_id`` may cover."""
    parent = _managed(session, actor, org_unit_id)
    return list(repository.children(session, parent.region_code))
