"""Jurisdiction overview for the government dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.time import today_local
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry import repository as repo
from sunshine.registry.enums import BusinessForm, OperatingStatus

_CHILD_COLUMN = {
    RegionLevel.PROVINCE: "prefecture_code",
    RegionLevel.PREFECTURE: "county_code",
    RegionLevel.COUNTY: "township_code",
    RegionLevel.TOWNSHIP: "township_code",
}


@dataclass(frozen=True)
class DashboardStats:
    jurisdiction_name: str
    counts: dict[str, int]
    by_region: list[tuple[str, str, int]]
    by_form: list[tuple[BusinessForm, int]]
    by_licence_state: list[tuple[str, int]]
    by_operating: list[tuple[OperatingStatus, int]]


def dashboard(*, session: Session, actor: Principal, today: date | None = None) -> DashboardStats:
    """Counts of the actor's jurisdiction by area, business form and licence status."""
    access.require_regulator(actor)
    assert actor.jurisdiction_level is not None and actor.jurisdiction_code is not None
    today = today or today_local()
    scope = access.business_condition(actor)
    root = regions_repo.get_region(session, actor.jurisdiction_code)
    child_counts = repo.count_by(
        session, scope=scope, column=_CHILD_COLUMN[actor.jurisdiction_level]
    )
    names = regions_repo.get_regions(session, [code for code, _ in child_counts if code])
    by_region = [
        (names[code].name if code in names else "—", code, n)
        for code, n in child_counts
        if code and code != "None"
    ][:25]
    by_form = repo.count_by(session, scope=scope, column="form")
    states = ("valid", "expiring", "expired", "suspended", "revoked")
    by_state = [
        (s, repo.count_licence_state(session, scope=scope, state=s, today=today)) for s in states
    ]
    cert_alerts = repo.expiring_certificates(session, scope=scope, today=today, offset=0, limit=1)[
        1
    ]
    counts = {
        "total": repo.count_businesses(session, scope=scope),
        "expiring": dict(by_state)["expiring"],
        "expired": dict(by_state)["expired"],
        "cert_alerts": cert_alerts,
    }
    return DashboardStats(
        jurisdiction_name=root.name if root else actor.jurisdiction_code,
        counts=counts,
        by_region=by_region,
        by_form=[(BusinessForm(v), n) for v, n in by_form],
        by_licence_state=by_state,
        by_operating=[
            (OperatingStatus(v), n)
            for v, n in repo.count_by(session, scope=scope, column="operating_status")
        ],
    )
