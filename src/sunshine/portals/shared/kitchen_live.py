"""Live kitchen pictures for the government and enterprise portals (明厨亮灶).

* ``latest.jpg``: the camera's last masked frame, never cached, for tiles that refresh it
  every second or two (a wall of cameras: browsers open at most six HTTP/1.1 connections
  per host, so one MJPEG stream per tile would stall the page);
* MJPEG: one ``multipart/x-mixed-replace`` stream per opened camera, re-reading
  ``latest.jpg`` whenever the worker replaced it, at most :data:`MAX_FPS` frames a second.

Who may look is decided once, when the stream starts (a stream lasts minutes; checking
each frame would cost a query per frame). The stream ends when the client goes away or
after :data:`MAX_STREAM_S`, when the page's script opens a new one (and is checked again).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from fastapi import Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from sunshine.auth.principal import Principal
from sunshine.core.db import reading
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.kitchen import live

BOUNDARY = "sunshineframe"
MAX_FPS = 4.0
POLL_S = 0.1
MAX_STREAM_S = 1800.0
NO_STORE = "no-store, max-age=0"
PART_HEAD = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n\r\n".encode("ascii")


def _picture(actor: Principal, camera_id: int) -> Path:
    with reading() as session:
        return live.camera_picture(session=session, actor=actor, camera_id=camera_id)


async def latest_jpeg(actor: Principal, camera_id: int) -> Response:
    """The camera's latest picture (404 when it has none, or ``actor`` may not see it)."""
    path = await run_in_threadpool(_picture, actor, camera_id)
    if not path.is_file():
        raise NotFoundError(N_("This camera has no live picture now."))
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": NO_STORE})


async def frames(
    request: Request,
    path: Path,
    *,
    max_fps: float = MAX_FPS,
    max_seconds: float = MAX_STREAM_S,
) -> AsyncIterator[bytes]:
    """Parts of a ``multipart/x-mixed-replace`` stream: each new version of ``path``.

    Each picture is followed at once by the next boundary and the next part's headers:
    Chromium shows a part only once the next one has begun, so a picture that stops
    changing (a still kitchen, a stalled worker) would otherwise never be shown."""
    interval = 1.0 / max_fps
    started = time.monotonic()
    last_mtime: int | None = None
    yield PART_HEAD
    while time.monotonic() - started < max_seconds:
        if await request.is_disconnected():
            return
        tick = time.monotonic()
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime is not None and mtime != last_mtime:
            try:
                data = await anyio.Path(path).read_bytes()
            except FileNotFoundError:
                data = b""
            if data:
                last_mtime = mtime
                yield data + b"\r\n" + PART_HEAD
                # The cap: a worker writing faster than this skips frames here.
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - tick)))
                continue
        await asyncio.sleep(POLL_S)


async def mjpeg(request: Request, actor: Principal, camera_id: int) -> Response:
    """The camera's MJPEG stream (404 when ``actor`` may not see it)."""
    path = await run_in_threadpool(_picture, actor, camera_id)
    return StreamingResponse(
        frames(request, path),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers={"Cache-Control": NO_STORE, "X-Accel-Buffering": "no"},
    )
