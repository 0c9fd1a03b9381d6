"""What the portals' camera pages show: the overview of the cameras a principal may see
(state, last frame, false-alarm rate; filtered by place, business, area and state) and one
camera's file (health spans, recent alerts, the rules in force with their sources, and
whether a model is installed for each)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import utc_now
from sunshine.kitchen import live, service
from sunshine.kitchen import portal_repository as portal_repo
from sunshine.kitchen import repository as repo
from sunshine.kitchen.access import camera_condition
from sunshine.kitchen.alert_models import KitchenAlert, KitchenCameraHealthSpan
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.cameras import visible_camera
from sunshine.kitchen.policy import CATALOGUE, RuleDefault, rule_specs
from sunshine.kitchen.repository import AlertFilter
from sunshine.kitchen.rules import RuleSpec
from sunshine.regions import repository as regions_repo
from sunshine.registry.models import Business

BUSINESS_CHOICES = 500
HEALTH_DAYS = 7
RECENT_ALERTS = 10
MODEL_STATES_TTL_S = 300.0


def _require_viewer(actor: Principal) -> None:
    if not (actor.is_regulator or actor.is_enterprise):
        raise ForbiddenError(N_("Kitchen cameras are for regulators and businesses."))


@dataclass(frozen=True)
class OverviewRow:
    camera: KitchenCamera
    business_name: str
    street_name: str
    rate: service.FalseAlarmRate
    has_picture: bool


def camera_overview(
    *,
    session: Session,
    actor: Principal,
    filters: portal_repo.CameraFilter,
    page: PageRequest,
) -> Page[OverviewRow]:
    """The cameras ``actor`` may see, by street, business and name, with each one's
    false-alarm rate and whether a live picture exists."""
    _require_viewer(actor)
    rows, total = portal_repo.page_overview(
        session,
        scope=camera_condition(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
    )
    rates = service.false_alarm_rates(
        session=session, actor=actor, cameras=[row.camera for row in rows]
    )
    streets = regions_repo.get_regions(
        session, sorted({row.township_code for row in rows if row.township_code})
    )
    items = [
        OverviewRow(
            camera=row.camera,
            business_name=row.business_name,
            street_name=streets[row.township_code].name
            if row.township_code in streets and row.township_code
            else "",
            rate=rates[row.camera.id],
            has_picture=live.has_picture(row.camera.id),
        )
        for row in rows
    ]
    return Page(items=items, total=total, request=page)


def business_choices(*, session: Session, actor: Principal) -> list[tuple[int, str]]:
    """The businesses with cameras that ``actor`` may see (the overview's picker)."""
    _require_viewer(actor)
    return portal_repo.businesses_with_cameras(
        session, scope=camera_condition(actor), limit=BUSINESS_CHOICES
    )


# Models ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectorState:
    """Whether some model reports a detector class: ``installed``, ``missing`` (its files
    are not downloaded yet), ``hash_mismatch`` (a file was rejected) or ``not_installed``
    (the product has no model for it: a bureau adds one)."""

    state: str
    models: tuple[str, ...]


_STATE_RANK = {"installed": 0, "missing": 1, "hash_mismatch": 2, "not_installed": 3}
_states_cache: dict[str, tuple[float, dict[str, DetectorState]]] = {}


def detector_states(person_model: str) -> dict[str, DetectorState]:
    """Per detector class, the best state of the models that report it. ``person`` is
    read from the camera's person model. Hashing model files costs milliseconds, so the
    answer is kept in the process for five minutes."""
    cached = _states_cache.get(person_model)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    from sunshine.workers.vision.models_store import ModelStore, ModelUnavailable

    store = ModelStore(get_settings().models_dir, fetch=False)
    found: dict[str, DetectorState] = {}
    for entry in store.entries:
        if "person" in entry.classes and entry.name != person_model:
            continue
        state = store.state(entry.name)
        for cls in entry.classes:
            known = found.get(cls)
            if known is None or _STATE_RANK[state] < _STATE_RANK[known.state]:
                found[cls] = DetectorState(state, (entry.name,))
    if "person" not in found:
        try:
            found["person"] = DetectorState(store.state(person_model), (person_model,))
        except ModelUnavailable:
            found["person"] = DetectorState("not_installed", (person_model,))
    _states_cache[person_model] = (time.monotonic() + MODEL_STATES_TTL_S, found)
    return found


# One camera -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInForce:
    """A rule the camera runs, its default and source, and whether a model feeds it."""

    spec: RuleSpec
    default: RuleDefault
    detector: DetectorState


@dataclass(frozen=True)
class CameraFile:
    camera: KitchenCamera
    business: Business
    rate: service.FalseAlarmRate
    spans: Sequence[KitchenCameraHealthSpan]
    recent: Sequence[tuple[KitchenAlert, str, str]]
    recent_total: int
    rules: list[RuleInForce]
    has_picture: bool


def camera_file(*, session: Session, actor: Principal, camera_id: int) -> CameraFile:
    """One camera ``actor`` may see (404 otherwise) with everything its page shows."""
    _require_viewer(actor)
    camera = visible_camera(session, actor, camera_id)
    business = repo.get_business(session, camera.business_id)
    assert business is not None
    recent = service.list_alerts(
        session=session,
        actor=actor,
        filters=AlertFilter(camera_id=camera.id),
        page=PageRequest(1, RECENT_ALERTS),
    )
    states = detector_states(camera.person_model)
    rules = [
        RuleInForce(
            spec=spec,
            default=CATALOGUE[spec.alert_class],
            detector=states.get(spec.detect_cls, DetectorState("not_installed", ())),
        )
        for spec in rule_specs(area=camera.area, overrides=camera.rule_overrides)
    ]
    return CameraFile(
        camera=camera,
        business=business,
        rate=service.false_alarm_rates(session=session, actor=actor, cameras=[camera])[camera.id],
        spans=repo.health_spans(
            session, camera_id=camera.id, since=utc_now() - timedelta(days=HEALTH_DAYS)
        ),
        recent=recent.items,
        recent_total=recent.total,
        rules=rules,
        has_picture=live.has_picture(camera.id),
    )
