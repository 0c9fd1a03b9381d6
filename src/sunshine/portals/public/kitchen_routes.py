"""Public portal: the kitchen cameras businesses publish (明厨亮灶).

* the store page's "Kitchen video" section (template global ``store_kitchen``: read when
  the cached page is rendered) plays each published camera's HLS stream;
* ``/live/{public_token}/{file}``: the playlist and segments of a camera published now,
  nothing else (404 for anything else; the playlist is never cached, segments are);
* ``/public/streets/{region_code}/screen``: a full-screen page for an LED screen in a
  street, cycling through its stores that publish cameras (``?seconds=`` each), no login.

In production nginx serves ``/live/`` from the live folder itself (see the README); this
route is the embedded deployment's equivalent and states the same rules.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from sunshine.core.db import reading
from sunshine.inspections.hygiene import GRADE_LABELS
from sunshine.kitchen import live
from sunshine.kitchen.labels import KITCHEN_AREA_LABELS
from sunshine.portals.shared.deps import DbSession
from sunshine.portals.shared.templating import ENV, render

router = APIRouter(include_in_schema=False)

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"
# The playlist changes every segment (2 s); a segment never changes once listed.
PLAYLIST_CACHE = "no-cache"
SEGMENT_CACHE = "public, max-age=60"


def store_kitchen_for_page(code: str) -> list[live.PublicCamera]:
    """The store page's kitchen section (read when the cached page is rendered)."""
    with reading() as session:
        return live.store_cameras(session=session, code=code)


ENV.globals["store_kitchen"] = store_kitchen_for_page
ENV.globals["kitchen_area_labels"] = KITCHEN_AREA_LABELS


@router.get("/live/{token}/{file_name}")
def hls_file(session: DbSession, token: str, file_name: str) -> Response:
    """A file of a published camera's HLS stream (404 for anything else)."""
    found = live.public_hls_file(session=session, token=token, file_name=file_name)
    return FileResponse(
        found.path,
        media_type=PLAYLIST_TYPE if found.playlist else SEGMENT_TYPE,
        headers={"Cache-Control": PLAYLIST_CACHE if found.playlist else SEGMENT_CACHE},
    )


@router.get("/public/streets/{region_code}/screen")
def street_screen(
    request: Request,
    session: DbSession,
    region_code: str,
    seconds: Annotated[int, Query(ge=5, le=600)] = 20,
) -> Response:
    """The LED screen of a street: its stores' kitchens, one store every ``seconds``."""
    shown = live.street_screen(session=session, region_code=region_code)
    response = render(
        request,
        "public/kitchen_screen.html",
        {"screen": shown, "seconds": seconds, "grade_labels": GRADE_LABELS},
    )
    # A screen reloads itself to pick up changes; a proxy must not hold an old list.
    response.headers["Cache-Control"] = "no-cache"
    return response
