"""Live pictures of kitchen cameras (明厨亮灶), as the portals serve them.

The vision workers write each camera's masked ``latest.jpg`` under a folder named by an
HMAC of its id (:func:`sunshine.workers.vision.outputs.camera_live_token`), and an HLS
stream of each published camera under its public token. Here the web side finds those
files again, through the same functions, after deciding who may see them:

* a camera's latest picture: whoever may see the camera (regulators of its jurisdiction,
  the business itself), checked once per request or stream;
* a published camera's HLS playlist and segments: anyone, by the camera's public token,
  while the camera is public and enabled (a token dies when a camera is unpublished);
* the published cameras of a store page, and of a street's LED screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.inspections import hygiene
from sunshine.inspections.hygiene_models import HygieneGrade
from sunshine.kitchen import portal_repository as repo
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.cameras import visible_camera
from sunshine.kitchen.enums import Area
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business
from sunshine.workers.vision.outputs import (
    camera_live_token,
    hls_playlist_path,
    latest_jpeg_path,
)

#: What a public token looks like (``secrets.token_urlsafe(24)``: 32 characters).
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: The files of an HLS folder the web serves: the playlist and the muxer's segments
#: (``seg_%06d.ts``, more digits once past a million). Nothing else, ever.
PLAYLIST = "index.m3u8"
SEGMENT = re.compile(r"^seg_\d{6,12}\.ts$")
#: The most cameras a street's screen cycles through (a street has tens of caterers).
SCREEN_LIMIT = 200


def live_dir() -> Path:
    """Where the workers write live outputs (``vision_live_dir``, else ``storage_dir/live``)."""
    from sunshine.workers.vision.db_sink import live_dir as workers_live_dir

    return workers_live_dir(get_settings())


def jpeg_path(camera_id: int) -> Path:
    """The camera's ``latest.jpg`` (it may not exist: no frame yet, or the camera stopped)."""
    token = camera_live_token(camera_id, get_settings().secret_key)
    return latest_jpeg_path(live_dir(), token)


def camera_picture(*, session: Session, actor: Principal, camera_id: int) -> Path:
    """The latest picture file of a camera ``actor`` may see (404 otherwise)."""
    camera = visible_camera(session, actor, camera_id)
    return jpeg_path(camera.id)


def has_picture(camera_id: int) -> bool:
    return jpeg_path(camera_id).is_file()


@dataclass(frozen=True)
class HlsFile:
    path: Path
    playlist: bool


def public_hls_file(*, session: Session, token: str, file_name: str) -> HlsFile:
    """A file of a published camera's HLS stream. 404 for an unknown or unpublished token,
    for any file name other than the playlist and its segments, and for a missing file."""
    playlist = file_name == PLAYLIST
    if not TOKEN.match(token) or not (playlist or SEGMENT.match(file_name)):
        raise NotFoundError(N_("No such live stream"))
    if repo.public_camera(session, token) is None:
        raise NotFoundError(N_("No such live stream"))
    folder = hls_playlist_path(live_dir(), token).parent
    path = folder / file_name
    # The patterns above already exclude separators and dots; this guards the guard.
    if path.resolve().parent != folder.resolve() or not path.is_file():
        raise NotFoundError(N_("No such live stream"))
    return HlsFile(path, playlist)


@dataclass(frozen=True)
class PublicCamera:
    """A published camera as the public sees it: its name, area and stream address."""

    camera_name: str
    area: Area
    playlist_url: str
    live: bool  # the worker is writing its stream now


def _public(camera: KitchenCamera) -> PublicCamera:
    playlist = hls_playlist_path(live_dir(), camera.public_token)
    return PublicCamera(
        camera_name=camera.name,
        area=camera.area,
        playlist_url=f"/live/{camera.public_token}/{PLAYLIST}",
        live=playlist.is_file(),
    )


def store_cameras(*, session: Session, code: str) -> list[PublicCamera]:
    """The cameras a store published, for its public page (none for an unknown code)."""
    shown = [_public(c) for c in repo.store_public_cameras(session, code.strip().upper())]
    return sorted(shown, key=lambda c: not c.live)  # the live pictures first


@dataclass(frozen=True)
class ScreenStore:
    """One store of a street's LED screen."""

    business_name: str
    licence_number: str
    public_code: str
    hygiene_grade: HygieneGrade | None  # the dynamic hygiene rating (量化分级), if any
    cameras: list[PublicCamera]


@dataclass(frozen=True)
class StreetScreen:
    region_code: str
    region_name: str
    stores: list[ScreenStore]


def street_screen(*, session: Session, region_code: str) -> StreetScreen:
    """The stores of a street (township) that published cameras, for its LED screen."""
    region = regions_repo.get_region(session, region_code) if region_code.isdigit() else None
    if region is None or region.level is not RegionLevel.TOWNSHIP:
        raise NotFoundError(N_("No such street"))
    stores: dict[int, tuple[Business, list[PublicCamera]]] = {}
    for business, camera in repo.street_public_cameras(session, region.code, SCREEN_LIMIT):
        stores.setdefault(business.id, (business, []))[1].append(_public(camera))
    shown = []
    for business, unsorted in stores.values():
        cameras = sorted(unsorted, key=lambda c: not c.live)
        rating = hygiene.business_rating(session=session, business_id=business.id)
        shown.append(
            ScreenStore(
                business_name=business.name,
                licence_number=business.licence_number,
                public_code=business.public_code,
                hygiene_grade=rating.grade if rating is not None else None,
                cameras=cameras,
            )
        )
    return StreetScreen(region.code, region.name, shown)
