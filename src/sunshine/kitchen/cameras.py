"""Adding, changing and removing kitchen cameras (audited; never committing).

Regulators manage the cameras of businesses in their jurisdiction; a business's owner,
managers (and its chain HQ) its own. Settings are checked whole (:mod:`.camera_forms`);
credentials are encrypted and never shown again (a reader sees whether they are set).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core import crypto
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import utc_now
from sunshine.kitchen import repository as repo
from sunshine.kitchen.access import camera_condition, require_camera_editor
from sunshine.kitchen.camera_forms import CameraForm, CheckedCamera, Credentials, check_camera
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import CameraState
from sunshine.registry import repository as registry_repo
from sunshine.registry.models import Business
from sunshine.registry.service.businesses import invalidate_store_page

#: What the audit trail keeps of a camera (never the credentials, never the token).
AUDITED = (
    "business_id",
    "area",
    "name",
    "stream_kind",
    "stream_url",
    "operating_hours",
    "privacy_masks",
    "zones",
    "rule_overrides",
    "public",
    "enabled",
    "analysis_fps",
    "person_model",
)


def visible_camera(session: Session, actor: Principal, camera_id: int) -> KitchenCamera:
    """The camera if ``actor`` may see it (404 otherwise, so existence is not revealed)."""
    camera = repo.get_camera(session, camera_id=camera_id, scope=camera_condition(actor))
    if camera is None:
        raise NotFoundError(N_("No such camera"))
    return camera


def list_cameras(
    *, session: Session, actor: Principal, business_id: int | None, page: PageRequest
) -> Page[tuple[KitchenCamera, str]]:
    """The cameras ``actor`` may see (of one business, when given), with business names."""
    rows, total = repo.page_cameras(
        session,
        scope=camera_condition(actor),
        business_id=business_id,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def create_camera(
    *, session: Session, actor: Principal, business_id: int, form: CameraForm
) -> KitchenCamera:
    """Add a camera to a business the actor manages; refused whole on any problem."""
    require_camera_editor(actor)
    business = _managed_business(session, actor, business_id)
    checked = check_camera(form)
    _check_name(session, checked, business.id, None)
    if checked.problems:
        raise ValidationFailed(checked.problems)
    assert checked.area is not None and checked.stream_kind is not None
    now = utc_now()
    camera = KitchenCamera(
        business_id=business.id,
        area=checked.area,
        name=checked.name,
        stream_kind=checked.stream_kind,
        stream_url=checked.stream_url,
        credentials_encrypted=_seal(checked.credentials),
        operating_hours=checked.operating_hours,
        privacy_masks=checked.privacy_masks,
        zones=checked.zones,
        rule_overrides=checked.rule_overrides,
        public=form.public,
        public_token=new_public_token(session),
        enabled=form.enabled,
        analysis_fps=checked.analysis_fps,
        person_model=checked.person_model,
        state=CameraState.CONNECTING,
        state_message="",
        state_since=now,
        drops=0,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(camera)
    session.flush()
    if camera.public:
        invalidate_store_page(session, camera.business_id)  # the page lists its cameras
    after = audit.snapshot(camera, AUDITED)
    after["credentials"] = credentials_shown(camera)
    audit.record(
        session=session,
        actor=actor,
        action="kitchen_camera.create",
        entity_type="kitchen_camera",
        entity_id=camera.id,
        after=after,
    )
    return camera


def update_camera(
    *,
    session: Session,
    actor: Principal,
    camera_id: int,
    form: CameraForm,
    expected_version: int | None = None,
) -> KitchenCamera:
    """Change a camera's settings (all given at once, as :func:`create_camera` takes them).
    A camera taken off public view gets a new public token: links handed out die."""
    require_camera_editor(actor)
    camera = visible_camera(session, actor, camera_id)
    if expected_version is not None and expected_version != camera.version:
        raise ConflictError(N_("This camera changed since you opened it; reload it."))
    checked = check_camera(form)
    _check_name(session, checked, camera.business_id, camera.id)
    if checked.problems:
        raise ValidationFailed(checked.problems)
    assert checked.area is not None and checked.stream_kind is not None
    before = audit.snapshot(camera, AUDITED)
    before["credentials"] = credentials_shown(camera)
    address_changed = (
        camera.stream_url != checked.stream_url or camera.stream_kind is not checked.stream_kind
    )
    camera.area = checked.area
    camera.name = checked.name
    camera.stream_kind = checked.stream_kind
    camera.stream_url = checked.stream_url
    if checked.clear_credentials:
        camera.credentials_encrypted = None
    elif checked.credentials is not None:
        camera.credentials_encrypted = _seal(checked.credentials)
    camera.operating_hours = checked.operating_hours
    camera.privacy_masks = checked.privacy_masks
    camera.zones = checked.zones
    camera.rule_overrides = checked.rule_overrides
    if camera.public or form.public:
        invalidate_store_page(session, camera.business_id)  # the page lists its cameras
    if camera.public and not form.public:
        camera.public_token = new_public_token(session)
    camera.public = form.public
    camera.enabled = form.enabled
    camera.analysis_fps = checked.analysis_fps
    camera.person_model = checked.person_model
    if address_changed:
        # The worker reconnects to the new address; what it said of the old one is stale.
        camera.state = CameraState.CONNECTING
        camera.state_message = ""
        camera.state_since = utc_now()
    camera.updated_at = utc_now()
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(N_("This camera changed since you opened it; reload it.")) from exc
    after = audit.snapshot(camera, AUDITED)
    after["credentials"] = credentials_shown(camera)
    audit.record(
        session=session,
        actor=actor,
        action="kitchen_camera.update",
        entity_type="kitchen_camera",
        entity_id=camera.id,
        before=before,
        after=after,
    )
    return camera


def delete_camera(*, session: Session, actor: Principal, camera_id: int) -> None:
    """Remove a camera that never raised an alert; one with alerts is kept as their record
    (disable it instead)."""
    require_camera_editor(actor)
    camera = visible_camera(session, actor, camera_id)
    if repo.camera_has_alerts(session, camera.id):
        raise ConflictError(
            N_("This camera has alerts on record and cannot be removed; disable it instead.")
        )
    before = audit.snapshot(camera, AUDITED)
    if camera.public:
        invalidate_store_page(session, camera.business_id)
    session.delete(camera)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitchen_camera.delete",
        entity_type="kitchen_camera",
        entity_id=camera_id,
        before=before,
    )


def published_camera(*, session: Session, token: str) -> KitchenCamera:
    """The camera whose public live page ``token`` names, while it is public and enabled
    (404 otherwise: an old token, from before the camera was unpublished, finds nothing)."""
    camera = repo.published_camera(session, token) if 16 <= len(token) <= 43 else None
    if camera is None:
        raise NotFoundError(N_("No such camera"))
    return camera


def published_cameras(*, session: Session, business_id: int) -> list[KitchenCamera]:
    """A business's public cameras (its store page, the street's LED screen)."""
    return list(repo.published_cameras(session, business_id))


@dataclass(frozen=True)
class CredentialsShown:
    """What a reader learns of a camera's credentials: only whether they are set."""

    set: bool

    def as_text(self) -> str:
        return "set" if self.set else "none"


def business_name(session: Session, camera: KitchenCamera) -> str:
    business = repo.get_business(session, camera.business_id)
    return business.name if business is not None else ""


def credentials_shown(camera: KitchenCamera) -> str:
    return CredentialsShown(camera.credentials_encrypted is not None).as_text()


def unseal(camera: KitchenCamera) -> Credentials | None:
    """The camera's credentials in clear: for the vision worker only, never for display."""
    if camera.credentials_encrypted is None:
        return None
    data = json.loads(crypto.decrypt(camera.credentials_encrypted))
    return Credentials(str(data["username"]), str(data["password"]))


def new_public_token(session: Session) -> str:
    """An unguessable token for the camera's public live page (and its HLS folder)."""
    while True:
        token = secrets.token_urlsafe(24)
        if not repo.public_token_taken(session, token):
            return token


def _seal(credentials: Credentials | None) -> str | None:
    if credentials is None:
        return None
    payload = json.dumps({"username": credentials.username, "password": credentials.password})
    return crypto.encrypt(payload)


def _managed_business(session: Session, actor: Principal, business_id: int) -> Business:
    business = registry_repo.get_business(
        session, business_id=business_id, scope=access.business_condition(actor)
    )
    if business is None:
        raise ValidationFailed(
            [FieldProblem("business_id", N_("No such business"), code="not_found")]
        )
    return business


def _check_name(
    session: Session, checked: CheckedCamera, business_id: int, other_than: int | None
) -> None:
    if checked.name and repo.camera_name_taken(
        session, business_id=business_id, name=checked.name, other_than=other_than
    ):
        checked.add(
            "name",
            N_("this business already has a camera named {name}"),
            code="duplicate",
            name=checked.name,
        )
