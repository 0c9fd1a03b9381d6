"""Loading administrative divisions and building the regulator org-unit tree."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.regions import repository
from sunshine.regions.dataset import Division, dataset_info, load_divisions
from sunshine.regions.enums import OrgUnitKind, RegionLevel
from sunshine.regions.models import OrgUnit, Region

_KIND_FOR_LEVEL = {
    RegionLevel.PROVINCE: OrgUnitKind.PROVINCIAL_BUREAU,
    RegionLevel.PREFECTURE: OrgUnitKind.CITY_BUREAU,
    RegionLevel.COUNTY: OrgUnitKind.COUNTY_BUREAU,
    RegionLevel.TOWNSHIP: OrgUnitKind.STATION,
}
_TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "地区办事处")


@dataclass(frozen=True)
class LoadResult:
    province_code: str
    added: int
    present: int


def _source_label() -> str:
    info = dataset_info()
    return f"{info.get('package')} {info.get('version')} ({info.get('edition', 'NBS')})"[:120]


def _ancestors(division: Division, by_code: dict[str, Division]) -> dict[RegionLevel, str]:
    out: dict[RegionLevel, str] = {}
    current: Division | None = division
    while current is not None:
        out[RegionLevel(current.level)] = current.code
        current = by_code.get(current.parent_code) if current.parent_code else None
    return out


def load_province(*, session: Session, actor: Principal, province_code: str) -> LoadResult:
    """Add the province's divisions that are not in the database yet (idempotent)."""
    try:
        divisions = load_divisions(province_code)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem.from_error("province_code", exc)]) from exc
    present = repository.existing_codes(session, province_code[:2] + "0000")
    by_code = {d.code: d for d in divisions}
    source = _source_label()
    added = 0
    for division in divisions:
        if division.code in present:
            continue
        chain = _ancestors(division, by_code)
        session.add(
            Region(
                code=division.code,
                name=division.name,
                level=RegionLevel(division.level),
                parent_code=division.parent_code,
                province_code=chain[RegionLevel.PROVINCE],
                prefecture_code=chain.get(RegionLevel.PREFECTURE),
                county_code=chain.get(RegionLevel.COUNTY),
                source=source,
            )
        )
        added += 1
        if added % 2000 == 0:
            session.flush()
    session.flush()
    if added:
        forget_cached_regions()
        audit.record(
            session=session,
            actor=actor,
            action="regions.load",
            entity_type="region",
            entity_id=province_code,
            after={"added": added, "source": source},
        )
    return LoadResult(province_code=province_code, added=added, present=len(present))


def org_unit_name(region: Region, parent_names: dict[str, str]) -> str:
    """Conventional Chinese name of the office covering ``region``."""
    if region.level is RegionLevel.TOWNSHIP:
        base = region.name
        for suffix in _TOWNSHIP_SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix) + 1:
                base = base.removesuffix(suffix)
                break
        county = parent_names.get(region.parent_code or "", "")
        return f"{county}市场监督管理局{base}市场监管所"
    if region.name in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
        province = parent_names.get(region.parent_code or "", "")
        return f"{province}{region.name}市场监督管理局"
    return f"{region.name}市场监督管理局"


def build_org_units(
    *, session: Session, actor: Principal, province_code: str, stations: bool = True
) -> int:
    """Create one regulator office per division of the province that has none yet."""
    province = repository.get_region(session, province_code)
    if province is None:
        raise NotFoundError(N_("Region {region_code} is not loaded"), region_code=province_code)
    levels = [RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY]
    if stations:
        levels.append(RegionLevel.TOWNSHIP)
    covered = repository.org_unit_region_codes(session)
    unit_by_region: dict[str, OrgUnit] = {}
    names: dict[str, str] = {}
    created = 0
    for level in levels:
        regions = repository.regions_at_level(
            session, level=level, within=(RegionLevel.PROVINCE, province_code)
        )
        for region in regions:
            names[region.code] = region.name
            if region.code in covered:
                existing = repository.org_unit_for_region(session, region.code)
                if existing is not None:
                    unit_by_region[region.code] = existing
                continue
            parent = unit_by_region.get(region.parent_code or "")
            unit = OrgUnit(
                name=org_unit_name(region, names),
                kind=_KIND_FOR_LEVEL[level],
                parent_id=parent.id if parent else None,
                region_code=region.code,
                region_level=level,
            )
            session.add(unit)
            unit_by_region[region.code] = unit
            created += 1
        session.flush()
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="org_units.build",
            entity_type="org_unit",
            entity_id=province_code,
            after={"created": created},
        )
    return created


@dataclass(frozen=True)
class AreaOption:
    code: str
    name: str
    level: RegionLevel
    depth: int


_AREAS_TTL_S = 600
_areas_cache: dict[tuple[str, str, bool], tuple[float, list[AreaOption]]] = {}


def areas_within(
    *, session: Session, actor: Principal, townships: bool = False
) -> list[AreaOption]:
    """The regions of the actor's jurisdiction, root first, for area pickers.

    Divisions change once a year at most, and every list page needs them: kept in the
    process for ten minutes (and dropped when this process loads divisions).
    """
    if actor.jurisdiction_level is None or actor.jurisdiction_code is None:
        return []
    cached = cached_areas_within(actor=actor, townships=townships)
    if cached is not None:
        return cached
    options = _areas(session, actor.jurisdiction_level, actor.jurisdiction_code, townships)
    key = (actor.jurisdiction_level.value, actor.jurisdiction_code, townships)
    _areas_cache[key] = (time.monotonic() + _AREAS_TTL_S, options)
    return options


def cached_areas_within(*, actor: Principal, townships: bool = False) -> list[AreaOption] | None:
    """The area picker if this process holds it (no I/O: safe on the event loop)."""
    if actor.jurisdiction_level is None or actor.jurisdiction_code is None:
        return []
    cached = _areas_cache.get((actor.jurisdiction_level.value, actor.jurisdiction_code, townships))
    return cached[1] if cached is not None and cached[0] > time.monotonic() else None


def _areas(
    session: Session, root_level: RegionLevel, root_code: str, townships: bool
) -> list[AreaOption]:
    within = (root_level, root_code)
    levels = [RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY]
    if townships or root_level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        levels.append(RegionLevel.TOWNSHIP)
    start = levels.index(root_level)
    rows: list[Region] = []
    for level in levels[start:]:
        rows.extend(repository.regions_at_level(session, level=level, within=within))
    rows.sort(key=lambda r: r.code.ljust(9, "0") + str(len(r.code)))
    depth = {lvl: i for i, lvl in enumerate(levels[start:])}
    return [AreaOption(code=r.code, name=r.name, level=r.level, depth=depth[r.level]) for r in rows]


_names_cache: dict[str, str] = {}
_names_expiry = [0.0]


def forget_cached_regions() -> None:
    """Drop this process's copies of division names and area pickers (after a load)."""
    _areas_cache.clear()
    _names_cache.clear()


def region_names(*, session: Session, codes: list[str | None]) -> list[str]:
    """The names of these divisions, in order, skipping unknown codes.

    Every store page names its prefecture, county and township; names are kept in the
    process (ten minutes, like the area pickers) so a page costs no region query. An
    unknown code reloads them, so a division loaded by another process shows at once.
    """
    now = time.monotonic()
    if _names_expiry[0] < now or any(c and c not in _names_cache for c in codes):
        # All names at once (a province has a few thousand divisions): one query per
        # process every ten minutes instead of one per township first seen.
        _names_cache.clear()
        _names_cache.update(repository.all_region_names(session))
        _names_expiry[0] = now + _AREAS_TTL_S
    return [_names_cache[c] for c in codes if c and c in _names_cache]


@dataclass(frozen=True)
class OrgUnitTree:
    focus: OrgUnit
    ancestors: list[OrgUnit]
    children: list[OrgUnit]
    users: dict[int, int]


def org_unit_tree(*, session: Session, actor: Principal, focus: str | None) -> OrgUnitTree:
    """The actor's office, or one below it, with its sub-offices (drill-down)."""
    if actor.org_unit_id is None:
        raise NotFoundError(N_("You belong to no office"))
    own = repository.get_org_unit(session, actor.org_unit_id)
    assert own is not None
    current = own
    if focus and focus.isdigit():
        candidate = repository.get_org_unit(session, int(focus))
        allowed = repository.org_unit_ids_within(
            session, level=own.region_level, code=own.region_code
        )
        if candidate is None or candidate.id not in allowed:
            raise NotFoundError(N_("No such office"))
        current = candidate
    ancestors: list[OrgUnit] = []
    walker = current
    while walker.id != own.id and walker.parent_id is not None:
        parent = repository.get_org_unit(session, walker.parent_id)
        if parent is None:
            break
        ancestors.insert(0, parent)
        walker = parent
    children = list(repository.child_org_units(session, current.id))
    users = repository.user_counts(session, [current.id, *[c.id for c in children]])
    return OrgUnitTree(focus=current, ancestors=ancestors, children=children, users=users)


def org_units_for_select(*, session: Session, actor: Principal) -> list[OrgUnit]:
    """Offices an administrator may put accounts in (bureaus and stations of the jurisdiction)."""
    if actor.jurisdiction_level is None or actor.jurisdiction_code is None:
        return []
    levels = [RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY]
    # A province has thousands of stations: offer them once the admin works at county level.
    if actor.jurisdiction_level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        levels.append(RegionLevel.TOWNSHIP)
    return list(
        repository.org_units_at_levels(
            session, within=(actor.jurisdiction_level, actor.jurisdiction_code), levels=levels
        )
    )
