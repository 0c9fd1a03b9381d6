"""Every query of LIVES feeds: replacing a region's feed, and the rows an export writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.orm import Session

from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.lives_models import LivesBusiness, LivesInspection, LivesViolation
from sunshine.inspections.models import ChecklistItem, Inspection, InspectionItemResult
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region
from sunshine.registry.models import Business

_LEVEL = {
    RegionLevel.PROVINCE: "province_code",
    RegionLevel.PREFECTURE: "prefecture_code",
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "township_code",
}
Row = list[Any]


def _within(model: type[Business] | type[LivesBusiness], region: Region) -> ColumnElement[bool]:
    column: ColumnElement[str] = getattr(model, _LEVEL[region.level])
    return column == region.code


def delete_region_feed(session: Session, region_code: str) -> int:
    """Remove what earlier feeds put in exactly this region; how many businesses."""
    ids = select(LivesBusiness.id).where(LivesBusiness.region_code == region_code)
    session.execute(delete(LivesViolation).where(LivesViolation.business_id.in_(ids)))
    session.execute(delete(LivesInspection).where(LivesInspection.business_id.in_(ids)))
    result = session.execute(delete(LivesBusiness).where(LivesBusiness.region_code == region_code))
    return int(getattr(result, "rowcount", 0) or 0)


def insert_many(
    session: Session,
    model: type[LivesInspection] | type[LivesViolation],
    values: list[dict[str, object]],
) -> None:
    if values:
        session.execute(insert(model), values)


def native_businesses(session: Session, region: Region) -> Sequence[Row]:
    stmt = (
        select(
            Business.public_code,
            Business.name,
            Business.address,
            Business.county_code,
            Business.province_code,
            Business.latitude,
            Business.longitude,
        )
        .where(_within(Business, region))
        .order_by(Business.id)
    )
    names = _region_names(session)
    return [
        [code, name, address, names.get(county, ""), names.get(province, ""), "", lat, lng, ""]
        for code, name, address, county, province, lat, lng in session.execute(stmt)
    ]


def _region_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Region.code, Region.name))}


def native_inspections(session: Session, region: Region) -> Sequence[Row]:
    from sunshine.inspections.lives import RESULT_WORDS

    stmt = (
        select(Business.public_code, Inspection.inspected_on, Inspection.result, Inspection.kind)
        .join(Business, Business.id == Inspection.business_id)
        .where(_within(Business, region))
        .order_by(Inspection.id)
    )
    return [
        [code, "", day.strftime("%Y%m%d"), RESULT_WORDS[result.value], kind.value]
        for code, day, result, kind in session.execute(stmt)
    ]


def native_violations(session: Session, region: Region) -> Sequence[Row]:
    stmt = (
        select(
            Business.public_code,
            Inspection.inspected_on,
            ChecklistItem.code,
            ChecklistItem.text_zh,
            InspectionItemResult.note,
            ChecklistItem.key,
        )
        .join(Inspection, Inspection.id == InspectionItemResult.inspection_id)
        .join(ChecklistItem, ChecklistItem.id == InspectionItemResult.item_id)
        .join(Business, Business.id == Inspection.business_id)
        .where(_within(Business, region), InspectionItemResult.outcome == ItemOutcome.FAIL)
        .order_by(Inspection.id, ChecklistItem.position)
    )
    return [
        [
            code,
            day.strftime("%Y%m%d"),
            item,
            f"{text}（{note}）" if note else text,
            "重点项 (key item)" if key else "一般项 (general item)",
        ]
        for code, day, item, text, note, key in session.execute(stmt)
    ]


def lives_businesses(session: Session, region: Region) -> Sequence[Row]:
    stmt = select(LivesBusiness).where(_within(LivesBusiness, region)).order_by(LivesBusiness.id)
    return [
        [
            b.external_id,
            b.name,
            b.address,
            b.city,
            b.state,
            b.postal_code,
            _coordinate(b.latitude),
            _coordinate(b.longitude),
            b.phone_number,
        ]
        for b in session.execute(stmt).scalars()
    ]


def _coordinate(value: float | None) -> str:
    return "" if value is None else repr(value)


def lives_inspections(session: Session, region: Region) -> Sequence[Row]:
    stmt = (
        select(LivesBusiness.external_id, LivesInspection)
        .join(LivesBusiness, LivesBusiness.id == LivesInspection.business_id)
        .where(_within(LivesBusiness, region))
        .order_by(LivesInspection.id)
    )
    return [
        [external, i.score, i.inspected_on.strftime("%Y%m%d"), i.description, i.type]
        for external, i in session.execute(stmt)
    ]


def lives_violations(session: Session, region: Region) -> Sequence[Row]:
    stmt = (
        select(LivesBusiness.external_id, LivesViolation)
        .join(LivesBusiness, LivesBusiness.id == LivesViolation.business_id)
        .where(_within(LivesBusiness, region))
        .order_by(LivesViolation.id)
    )
    return [
        [external, v.inspected_on.strftime("%Y%m%d"), v.code, v.description, v.risk_category]
        for external, v in session.execute(stmt)
    ]
