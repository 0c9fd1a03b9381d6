"""The Sunshine Kitchen portal pages through HTTP: the regulator's camera overview, camera
page, wall, review queue and statistics; the business's cameras, camera form and answers;
the live picture (MJPEG, latest.jpg) and the public HLS stream. A neighbouring store and
another county's inspector get 404 and see nothing."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, principal_of
from sunshine.core.time import utc_now
from sunshine.kitchen import cameras, live, service
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_forms import CameraForm
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertKind
from sunshine.kitchen.rules import RuleEvent
from sunshine.registry.models import Business
from sunshine.workers.vision.outputs import hls_playlist_path

MODEL_SHA = "31cb14c0" + "0" * 52 + "b880"
HTML = {"accept": "text/html"}
NewClient = Callable[[str], TestClient]


def _jpeg(shade: int, size: tuple[int, int] = (64, 36)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (shade, shade, shade)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _store(session: Session, demo: Demo, username: str = "owner_a") -> Business:
    business = session.get(Business, demo.account(username)["business_id"])
    assert business is not None
    return business


def _camera(
    session: Session, demo: Demo, *, owner: str = "owner_a", **changes: object
) -> KitchenCamera:
    values: dict[str, object] = {
        "name": "凉菜间 1",
        "area": "cold_room",
        "stream_kind": "rtsp",
        "stream_url": "rtsp://192.168.1.64:554/Streaming/Channels/102",
        "username": "admin",
        "password": "s3cret:@/pass",
        "operating_hours": [{"day": d, "start": "09:00", "end": "22:00"} for d in range(7)],
    }
    values.update(changes)
    return cameras.create_camera(
        session=session,
        actor=principal_of(session, owner),
        business_id=_store(session, demo, owner).id,
        form=CameraForm(**values),  # type: ignore[arg-type]
    )


def _alert(session: Session, camera: KitchenCamera) -> KitchenAlert:
    at = utc_now()
    return service.record_alert(
        session=session,
        camera_id=camera.id,
        event=RuleEvent(
            alert_class=AlertClass.SMOKING,
            kind=AlertKind.SUSPECTED,
            confidence=0.87,
            boxes=((0.40, 0.30, 0.46, 0.37),),
            first_seen_at=at - timedelta(seconds=1.5),
            confirmed_at=at,
        ),
        model="smoking-fastestdet-352",
        model_sha256=MODEL_SHA,
        snapshot_boxed=_jpeg(200),
        snapshot_clean=_jpeg(100),
        clip=None,
    )


@pytest.fixture(autouse=True)
def _clean_live_dir() -> Iterator[None]:
    """Camera ids come back after a rollback: no live file may outlive its test."""
    yield
    shutil.rmtree(live.live_dir(), ignore_errors=True)


def _write_live(camera_id: int, data: bytes) -> Path:
    path = live.jpeg_path(camera_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# The regulator ------------------------------------------------------------------------------


def test_the_regulator_sees_the_jurisdictions_cameras_and_reviews_their_alerts(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    alert = _alert(session, camera)
    _write_live(camera.id, _jpeg(120))
    session.commit()
    officer = new_client("inspector_a")

    overview = officer.get("/gov/kitchen/cameras", headers=HTML)
    assert overview.status_code == 200
    assert f'data-camera="{camera.id}"' in overview.text
    assert f"/gov/kitchen/cameras/{camera.id}/latest.jpg" in overview.text
    filtered = officer.get(
        f"/gov/kitchen/cameras?area=washing&region={camera_county(session, camera)}"
    )
    assert filtered.status_code == 200 and f'data-camera="{camera.id}"' not in filtered.text
    assert officer.get("/gov/kitchen/cameras?state=nonsense").status_code == 422

    page = officer.get(f"/gov/kitchen/cameras/{camera.id}", headers=HTML)
    assert page.status_code == 200
    assert f'data-mjpeg-src="/gov/kitchen/cameras/{camera.id}/mjpeg"' in page.text
    # Rules with their sources; no_hat has no model in the product.
    assert 'data-class="no_hat" data-model-state="not_installed"' in page.text
    assert "2016 《餐饮服务日常监督检查要点表》" in page.text

    picture = officer.get(f"/gov/kitchen/cameras/{camera.id}/latest.jpg")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/jpeg"
    assert "no-store" in picture.headers["cache-control"]

    wall = officer.get(f"/gov/kitchen/wall?business={camera.business_id}", headers=HTML)
    assert wall.status_code == 200
    assert f'data-live-src="/gov/kitchen/cameras/{camera.id}/latest.jpg"' in wall.text
    assert 'data-has-picture="yes"' in wall.text

    queue = officer.get("/gov/kitchen/alerts?kind=suspected&area=cold_room", headers=HTML)
    assert f'data-alert="{alert.id}"' in queue.text
    assert f'data-alert="{alert.id}"' not in officer.get("/gov/kitchen/alerts?class=phone").text
    detail = officer.get(f"/gov/kitchen/alerts/{alert.id}", headers=HTML)
    assert detail.status_code == 200
    assert 'id="suspected-note"' in detail.text
    shas = re.findall(r"SHA-256 ([0-9a-f]{64})", detail.text)
    assert len(shas) == 3  # the two snapshots and the model
    evidence = re.findall(r'<img src="(/evidence/[0-9a-f]+)"', detail.text)
    assert len(evidence) == 2
    shown = officer.get(evidence[0])
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    original = re.search(r'href="(/evidence/[0-9a-f]+/original)"', detail.text)
    assert original is not None and officer.get(original.group(1)).status_code == 200

    stats = officer.get("/gov/kitchen/stats", headers=HTML)
    assert stats.status_code == 200
    assert 'id="chart-classes"' in stats.text and 'data-key="smoking"' in stats.text


def camera_county(session: Session, camera: KitchenCamera) -> str:
    business = session.get(Business, camera.business_id)
    assert business is not None
    return business.county_code


def test_another_countys_inspector_sees_nothing(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    alert = _alert(session, camera)
    _write_live(camera.id, _jpeg(120))
    session.commit()
    other = new_client("inspector_b")
    assert f'data-camera="{camera.id}"' not in other.get("/gov/kitchen/cameras").text
    assert f'data-alert="{alert.id}"' not in other.get("/gov/kitchen/alerts").text
    for path in (
        f"/gov/kitchen/cameras/{camera.id}",
        f"/gov/kitchen/cameras/{camera.id}/latest.jpg",
        f"/gov/kitchen/cameras/{camera.id}/mjpeg",
        f"/gov/kitchen/alerts/{alert.id}",
    ):
        assert other.get(path, headers=HTML).status_code == 404, path
    token = csrf_of(other, "/gov/kitchen/alerts")
    refused = other.post(
        f"/gov/kitchen/alerts/{alert.id}/review",
        data={"csrf_token": token, "decision": "false_alarm", "note": "猫"},
    )
    assert refused.status_code == 404
    # Businesses never reach the government pages.
    assert new_client("owner_a").get("/gov/kitchen/cameras").status_code == 403


def test_a_false_alarm_needs_its_reason_and_shows_in_the_cameras_rate(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    alert = _alert(session, camera)
    session.commit()
    officer = new_client("inspector_a")
    token = csrf_of(officer, f"/gov/kitchen/alerts/{alert.id}")
    missing = officer.post(
        f"/gov/kitchen/alerts/{alert.id}/review",
        data={"csrf_token": token, "decision": "false_alarm", "note": ""},
    )
    assert missing.status_code == 422
    assert 'data-field="note" data-code="required"' in missing.text
    done = officer.post(
        f"/gov/kitchen/alerts/{alert.id}/review",
        data={"csrf_token": token, "decision": "false_alarm", "note": "把筷子当成了香烟"},
    )
    assert done.status_code == 303
    page = officer.get(done.headers["location"]).text
    assert 'data-status="false_alarm"' in page and "把筷子当成了香烟" in page
    again = officer.post(
        f"/gov/kitchen/alerts/{alert.id}/review",
        data={"csrf_token": token, "decision": "confirm", "note": ""},
    )
    assert again.status_code == 409
    row = re.search(
        rf'<tr data-camera="{camera.id}".*?data-rate="([^"]*)"',
        officer.get("/gov/kitchen/cameras").text,
        re.S,
    )
    assert row is not None and float(row.group(1)) == 1.0


# The business -------------------------------------------------------------------------------


def _form(token: str, **changes: str) -> dict[str, str]:
    data = {
        "csrf_token": token,
        "name": "后厨烹饪区",
        "area": "cooking",
        "stream_kind": "rtsp",
        "stream_url": "rtsp://10.0.0.8:554/h264/ch1/sub/av_stream",
        "username": "viewer",
        "password": " p@ss word ",
        "hours_mode": "daily",
        "hours_start": "10:00",
        "hours_end": "02:00",
        "privacy_masks": "[[[0, 0], [0.2, 0], [0.2, 0.2]]]",
        "zones": '[{"name": "灶台", "polygon": [[0.2, 0.4], [0.8, 0.4], [0.8, 1], [0.2, 1]]}]',
        "public": "on",
        "enabled": "on",
        "analysis_fps": "2",
        "person_model": "person",
    }
    data.update(changes)
    return data


def test_a_business_adds_and_edits_a_camera_with_every_problem_named_by_field(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    owner = new_client("owner_a")
    token = csrf_of(owner, "/biz/kitchen/cameras/new")
    refused = owner.post(
        "/biz/kitchen/cameras/new",
        data=_form(token, stream_url="not a url", zones="[{oops", analysis_fps="99"),
    )
    assert refused.status_code == 422
    for field in ("stream_url", "zones", "analysis_fps"):
        assert f'data-field="{field}"' in refused.text, field
    assert session.query(KitchenCamera).count() == 0

    created = owner.post("/biz/kitchen/cameras/new", data=_form(token))
    assert created.status_code == 303, created.text[:2000]
    camera = session.query(KitchenCamera).one()
    assert camera.public and camera.zones[0]["name"] == "灶台"
    assert camera.operating_hours is not None and len(camera.operating_hours) == 7
    assert cameras.unseal(camera) is not None
    assert cameras.unseal(camera).password == " p@ss word "  # type: ignore[union-attr]

    listing = owner.get("/biz/kitchen/cameras", headers=HTML)
    assert f'data-camera="{camera.id}"' in listing.text
    edit = owner.get(f"/biz/kitchen/cameras/{camera.id}/edit", headers=HTML)
    assert 'id="credentials-state" data-set="yes"' in edit.text
    assert "p@ss" not in edit.text and "viewer" not in edit.text
    assert 'id="hours_start" name="hours_start" value="10:00"' in edit.text
    version = re.search(r'name="expected_version" value="(\d+)"', edit.text)
    assert version is not None
    changed = owner.post(
        f"/biz/kitchen/cameras/{camera.id}/edit",
        data=_form(
            token,
            name="烹饪区 2",
            username="",
            password="",
            expected_version=version.group(1),
            public="",
        ),
    )
    assert changed.status_code == 303
    session.expire_all()
    camera = session.get(KitchenCamera, camera.id)  # type: ignore[assignment]
    assert camera.name == "烹饪区 2" and not camera.public
    assert camera.credentials_encrypted is not None  # left empty: kept

    page = owner.get(f"/biz/kitchen/cameras/{camera.id}", headers=HTML)
    assert page.status_code == 200 and 'id="camera-rules"' in page.text


def test_a_neighbouring_store_sees_nothing_of_anothers_cameras(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    alert = _alert(session, camera)
    _write_live(camera.id, _jpeg(120))
    session.commit()
    neighbour = new_client("owner_a2")
    assert f'data-camera="{camera.id}"' not in neighbour.get("/biz/kitchen/cameras").text
    assert f'data-alert="{alert.id}"' not in neighbour.get("/biz/kitchen/alerts").text
    for path in (
        f"/biz/kitchen/cameras/{camera.id}",
        f"/biz/kitchen/cameras/{camera.id}/edit",
        f"/biz/kitchen/cameras/{camera.id}/latest.jpg",
        f"/biz/kitchen/cameras/{camera.id}/mjpeg",
        f"/biz/kitchen/alerts/{alert.id}",
        f"/biz/kitchen/cameras?business={camera.business_id}",
    ):
        assert neighbour.get(path, headers=HTML).status_code == 404, path
    token = csrf_of(neighbour, "/biz/kitchen/alerts")
    refused = neighbour.post(
        f"/biz/kitchen/alerts/{alert.id}/answer",
        data={"csrf_token": token, "action": "acknowledge"},
    )
    assert refused.status_code == 404


def test_the_business_acknowledges_then_rectifies_with_a_photo(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    alert = _alert(session, camera)
    session.commit()
    owner = new_client("owner_a")
    assert f'data-alert="{alert.id}"' in owner.get("/biz/kitchen/alerts").text
    token = csrf_of(owner, f"/biz/kitchen/alerts/{alert.id}")
    done = owner.post(
        f"/biz/kitchen/alerts/{alert.id}/answer",
        data={"csrf_token": token, "action": "acknowledge"},
    )
    assert done.status_code == 303
    empty = owner.post(
        f"/biz/kitchen/alerts/{alert.id}/answer",
        data={"csrf_token": token, "action": "rectify", "note": ""},
    )
    assert empty.status_code == 422 and 'data-field="note"' in empty.text
    rectified = owner.post(
        f"/biz/kitchen/alerts/{alert.id}/answer",
        data={"csrf_token": token, "action": "rectify", "note": "已对员工进行禁烟培训"},
        files=[("photos", ("after.jpg", _jpeg(50, (320, 240)), "image/jpeg"))],
    )
    assert rectified.status_code == 303, rectified.text[:1000]
    page = owner.get(f"/biz/kitchen/alerts/{alert.id}").text
    assert 'data-status="rectified"' in page
    assert 'data-action="acknowledge"' in page and 'data-action="rectify"' in page
    assert page.count('class="kitchen-thumb') == 1
    # Staff read alerts but do not answer them.
    staff = new_client("staff_a").get(f"/biz/kitchen/alerts/{alert.id}").text
    assert 'id="answer-form"' not in staff


def test_the_business_sees_its_own_alert_statistics_and_a_neighbour_none_of_them(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    _alert(session, camera)
    _alert(session, camera)
    session.commit()
    page = new_client("owner_a").get("/biz/kitchen/stats", headers=HTML)
    assert page.status_code == 200
    assert 'id="menu-kitchen-stats"' in page.text and 'id="chart-classes"' in page.text
    assert '<tr data-key="smoking">' in page.text
    row = re.search(r'<tr data-key="smoking">.*?<td class="text-end">(\d+)</td>', page.text, re.S)
    assert row is not None and int(row.group(1)) >= 2
    assert f'data-camera="{camera.id}"' in page.text
    # The neighbouring store's page counts its own alerts only, and asking for the other
    # store by id is a 404.
    neighbour = new_client("owner_a2")
    theirs = neighbour.get("/biz/kitchen/stats", headers=HTML)
    assert theirs.status_code == 200 and f'data-camera="{camera.id}"' not in theirs.text
    other = neighbour.get(f"/biz/kitchen/stats?business={camera.business_id}", headers=HTML)
    assert other.status_code == 404
    bad = new_client("owner_a").get("/biz/kitchen/stats?since=yesterday", headers=HTML)
    assert bad.status_code == 422 and "since" in bad.text


# Live pictures ------------------------------------------------------------------------------


def test_the_mjpeg_stream_sends_the_latest_picture(
    session: Session, demo: Demo, new_client: NewClient
) -> None:
    camera = _camera(session, demo)
    session.commit()
    picture = _jpeg(77)
    _write_live(camera.id, picture)
    officer = new_client("inspector_a")
    with officer.stream("GET", f"/gov/kitchen/cameras/{camera.id}/mjpeg") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("multipart/x-mixed-replace")
        head = b"--sunshineframe\r\nContent-Type: image/jpeg\r\n\r\n"
        received = b""
        for chunk in response.iter_bytes():
            received += chunk
            # The next part begins at once: Chromium shows a part only then.
            if len(received) >= 2 * len(head) + len(picture) + 2:
                break
    assert received == head + picture + b"\r\n" + head


def test_hls_is_served_only_for_a_camera_published_now(
    session: Session, demo: Demo, client: TestClient
) -> None:
    camera = _camera(session, demo, public=True)
    hidden = _camera(session, demo, name="库房", area="storage")
    session.commit()
    for cam in (camera, hidden):
        folder = hls_playlist_path(live.live_dir(), cam.public_token).parent
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.m3u8").write_text("#EXTM3U\n#EXT-X-VERSION:3\n")
        (folder / "seg_000001.ts").write_bytes(b"\x47" * 188)
    live_jpeg = _write_live(camera.id, _jpeg(10))

    playlist = client.get(f"/live/{camera.public_token}/index.m3u8")
    assert playlist.status_code == 200
    assert playlist.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert playlist.headers["cache-control"] == "no-cache"
    segment = client.get(f"/live/{camera.public_token}/seg_000001.ts")
    assert segment.status_code == 200 and "max-age" in segment.headers["cache-control"]

    assert client.get(f"/live/{hidden.public_token}/index.m3u8").status_code == 404
    for path in (
        f"/live/{camera.public_token}/latest.jpg",
        f"/live/{camera.public_token}/..%2F..%2Fsecret",
        f"/live/{camera.public_token}/%2e%2e",
        f"/live/{live_jpeg.parent.name}/latest.jpg",
        f"/live/..%2F{camera.public_token}/index.m3u8",
        "/live/unknown-token-0123456789/index.m3u8",
    ):
        assert client.get(path).status_code == 404, path

    # Unpublished: the token changes, the old links die.
    old = camera.public_token
    cameras.update_camera(
        session=session,
        actor=principal_of(session, "owner_a"),
        camera_id=camera.id,
        form=CameraForm(
            name=camera.name,
            area=camera.area.value,
            stream_kind=camera.stream_kind.value,
            stream_url=camera.stream_url,
            public=False,
        ),
    )
    session.commit()
    assert client.get(f"/live/{old}/index.m3u8").status_code == 404


def test_the_store_page_and_the_street_screen_show_published_cameras(
    session: Session, demo: Demo, client: TestClient
) -> None:
    camera = _camera(session, demo)
    hidden = _camera(session, demo, name="库房", area="storage")
    session.commit()
    store = _store(session, demo)
    before = client.get(f"/s/{store.public_code}", headers=HTML).text  # now cached
    assert 'id="no-kitchen"' in before
    cameras.update_camera(
        session=session,
        actor=principal_of(session, "owner_a"),
        camera_id=camera.id,
        form=CameraForm(
            name=camera.name,
            area=camera.area.value,
            stream_kind=camera.stream_kind.value,
            stream_url=camera.stream_url,
            public=True,
        ),
    )
    session.commit()
    playlist = hls_playlist_path(live.live_dir(), camera.public_token)
    playlist.parent.mkdir(parents=True, exist_ok=True)
    playlist.write_text("#EXTM3U\n")
    page = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert f'data-hls="/live/{camera.public_token}/index.m3u8"' in page
    assert hidden.public_token not in page
    assert "/static/vendor/hls.js/hls.light.min.js" in page

    assert store.township_code
    screen = client.get(f"/public/streets/{store.township_code}/screen?seconds=8", headers=HTML)
    assert screen.status_code == 200
    assert 'data-seconds="8"' in screen.text
    assert f'data-store="{store.public_code}"' in screen.text
    assert store.licence_number in screen.text
    assert hidden.public_token not in screen.text
    assert client.get("/public/streets/999999999/screen").status_code == 404
    assert client.get(f"/public/streets/{store.county_code}/screen").status_code == 404
    assert client.get(f"/public/streets/{store.township_code}/screen?seconds=1").status_code == 422
