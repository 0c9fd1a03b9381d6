"""Kitchen cameras and alerts in the browser tests' demo server, made as the vision worker
makes them: through ``sunshine.kitchen`` services, in the server's own database and files.

The server runs in a process of its own, so the rows are written by a short child process
configured like it (``python kitchen_e2e_support.py <workdir> <base_url> <json>``), which
prints what the test needs (ids, tokens, the live folders) as JSON.

The cameras read ``rtsp://127.0.0.1:9/...``: a port nothing listens on, so the demo
server's embedded vision worker gives up on them at once and never writes their live
files, which the tests write themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from e2e_support import E2EServer


def _env(e2e: E2EServer) -> dict[str, str]:
    # The same settings as the server (tests/e2e/conftest.py), nothing of the caller's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_")}
    env.update(
        SUNSHINE_DEMO="1",
        SUNSHINE_DATABASE_URL=f"sqlite:///{e2e.workdir / 'e2e.sqlite3'}",
        SUNSHINE_BASE_URL=e2e.base_url,
        SUNSHINE_STORAGE_DIR=str(e2e.workdir / "files"),
        SUNSHINE_JOBS_IMMEDIATE="1",
    )
    return env


def seed_kitchen(e2e: E2EServer, **request: Any) -> dict[str, Any]:
    """Add a camera to ``owner``'s store (``name``, ``public``) with ``alerts`` smoking
    alerts; returns ``camera_id``, ``business_id``, ``public_code``, ``township_code``,
    ``public_token``, ``alert_ids``, ``live_jpeg`` (where its latest.jpg goes) and
    ``hls_dir``."""
    done = subprocess.run(
        [sys.executable, __file__, json.dumps(request)],
        env=_env(e2e),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"seeding the kitchen failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _jpeg(shade: tuple[int, int, int], size: tuple[int, int], *, boxed: bool = True) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, shade)
    if boxed:
        draw = ImageDraw.Draw(image)
        box = (size[0] // 3, size[1] // 3, size[0] // 2, size[1] // 2)
        draw.rectangle(box, outline="red", width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _main(request: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import select

    from sunshine.auth import service as auth_service
    from sunshine.auth.models import User
    from sunshine.config import get_settings
    from sunshine.core.db import unit_of_work
    from sunshine.core.time import utc_now
    from sunshine.kitchen import cameras, live, service
    from sunshine.kitchen.camera_forms import CameraForm
    from sunshine.kitchen.enums import AlertClass, AlertKind
    from sunshine.kitchen.rules import RuleEvent
    from sunshine.registry.models import Business
    from sunshine.workers.vision.outputs import hls_playlist_path

    with unit_of_work() as session:
        user = session.execute(
            select(User).where(User.username == request.get("owner", "owner_a"))
        ).scalar_one()
        owner = auth_service.principal_for(session, user)
        assert owner.business_id is not None
        camera = cameras.create_camera(
            session=session,
            actor=owner,
            business_id=owner.business_id,
            form=CameraForm(
                name=request.get("name", "E2E 凉菜间"),
                area="cold_room",
                stream_kind="rtsp",
                stream_url="rtsp://127.0.0.1:9/e2e",
                operating_hours=[{"day": d, "start": "09:00", "end": "22:00"} for d in range(7)],
                public=bool(request.get("public", False)),
            ),
        )
        alert_ids = []
        for n in range(int(request.get("alerts", 0))):
            at = utc_now() - timedelta(minutes=5 * n)
            alert = service.record_alert(
                session=session,
                camera_id=camera.id,
                event=RuleEvent(
                    alert_class=AlertClass.SMOKING,
                    kind=AlertKind.SUSPECTED,
                    confidence=0.81,
                    boxes=((0.33, 0.33, 0.5, 0.5),),
                    first_seen_at=at - timedelta(seconds=1.5),
                    confirmed_at=at,
                ),
                model="smoking-fastestdet-352",
                model_sha256="31cb14c0" + "0" * 52 + "b880",
                snapshot_boxed=_jpeg((90, 110, 90), (640, 360)),
                snapshot_clean=_jpeg((90, 110, 90), (640, 360), boxed=False),
                clip=None,
            )
            alert_ids.append(alert.id)
        session.flush()
        business = session.get(Business, camera.business_id)
        assert business is not None
        result = {
            "public_code": business.public_code,
            "township_code": business.township_code,
            "camera_id": camera.id,
            "business_id": camera.business_id,
            "public_token": camera.public_token,
            "alert_ids": alert_ids,
            "live_jpeg": str(live.jpeg_path(camera.id)),
            "hls_dir": str(hls_playlist_path(live.live_dir(), camera.public_token).parent),
            "storage_dir": str(get_settings().storage_dir),
        }
    return result


def write_hls(folder: Path, seconds: float = 6.0) -> Path:
    """A short real HLS stream (H.264, 640x360) written by the vision worker's own writer."""
    import numpy as np

    from sunshine.workers.vision.outputs import HlsWriter

    writer = HlsWriter(folder, fps=10)
    for n in range(int(seconds * 10)):
        frame = np.zeros((360, 640, 3), np.uint8)
        frame[:, :, 1] = 60 + n % 100
        x = (n * 8) % 560
        frame[140:220, x : x + 80] = (40, 40, 220)
        writer.write(frame, n / 10)
    writer.close(remove=False)
    return folder / "index.m3u8"


if __name__ == "__main__":
    print(json.dumps(_main(json.loads(sys.argv[1]))))
