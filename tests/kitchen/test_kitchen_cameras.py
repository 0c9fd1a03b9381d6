"""Kitchen cameras: who may add and change them, every problem named at once, nothing stored on
bad input, credentials encrypted and never shown, public tokens rotated, and the vision
worker's configuration (credentials back in the address, the camera's rules)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from kitchen_support import add_camera, camera_form, store
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.config import get_settings
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.kitchen import cameras, service
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertKind, CameraState


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(KitchenCamera)).scalar_one())


def _problems(error: ValidationFailed) -> dict[str, str]:
    return {p.field: p.code for p in error.problems}


def test_the_owner_adds_a_camera_with_encrypted_credentials(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    assert camera.business_id == store(session, demo).id
    assert camera.state is CameraState.CONNECTING
    assert camera.credentials_encrypted is not None
    assert "s3cret" not in camera.credentials_encrypted
    assert "s3cret" not in camera.stream_url and "admin" not in camera.stream_url
    assert cameras.credentials_shown(camera) == "set"
    assert len(camera.public_token) >= 32
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.entity_type == "kitchen_camera", AuditEntry.entity_id == str(camera.id)
        )
    ).scalar_one()
    assert entry.action == "kitchen_camera.create"
    assert entry.after is not None and entry.after["credentials"] == "set"
    assert "s3cret" not in str(entry.after)


def test_bad_settings_are_refused_whole_with_every_problem_named(
    session: Session, demo: Demo
) -> None:
    before = _count(session)
    form = camera_form(
        name="",
        area="attic",
        stream_url="rtsp://192.168.1.64:554/x",
        username="admin",
        password="",
        operating_hours=[{"day": 7, "start": "25:00", "end": "08:00"}],
        privacy_masks=[[[0.1, 0.1], [1.4, 0.1], [0.5, 0.9]], [[0.1, 0.1], [0.2, 0.2]]],
        zones=[
            {"name": "台", "polygon": [[0, 0], [1, 0], [1, 1]]},
            {"name": "台", "polygon": [[0, 0], [1, 0], [1, 1]]},
        ],
        rule_overrides={
            "laughing": {},
            "smoking": {"n": 6, "m": 3, "zone": "灶台", "speed": 1},
            "no_mask": {"min_confidence": 2},
        },
        analysis_fps=30.0,
        person_model="Person Model!",
    )
    with pytest.raises(ValidationFailed) as caught:
        add_camera(session, demo, **form.__dict__)
    problems = _problems(caught.value)
    assert problems == {
        "name": "required",
        "area": "choice",
        "password": "required",
        "operating_hours[0].day": "day",
        "operating_hours[0].start": "time",
        "privacy_masks[0][1]": "point",
        "privacy_masks[1]": "polygon",
        "zones[1].name": "duplicate",
        "rule_overrides.laughing": "choice",
        "rule_overrides.smoking.zone": "zone",
        "rule_overrides.smoking.speed": "choice",
        "rule_overrides.smoking.m": "n_of_m",
        "rule_overrides.no_mask.min_confidence": "range",
        "analysis_fps": "range",
        "person_model": "model_name",
    }
    assert _count(session) == before


@pytest.mark.parametrize(
    ("kind", "url", "code", "words"),
    [
        ("rtsp", "not a URL", "not_url", "is not a URL"),
        ("rtsp", "192.168.1.64:554/stream", "not_url", "rtsp://192.168.1.64"),
        ("rtsp", "http://192.168.1.64/stream", "scheme", "starts with rtsp:// or rtsps://"),
        ("http_mjpeg", "rtsp://cam/stream", "scheme", "starts with http:// or https://"),
        ("rtsp", "rtsp:///Streaming/Channels/1", "host", "names no camera host"),
        ("rtsp", "rtsp://bad_host!/x", "host", "is not a host name"),
        ("rtsp", "rtsp://cam.local:99999/x", "port", "1 to 65535"),
        ("rtsp", "rtsp://admin:pw@192.168.1.64/x", "credentials_in_url", "own fields"),
        ("hls", "https://video.example.cn/live/kitchen", "hls_playlist", ".m3u8"),
        ("file", "file://server/share/a.mp4", "local_path", "absolute path"),
    ],
)
def test_stream_addresses_are_checked_with_clear_messages(
    session: Session, demo: Demo, kind: str, url: str, code: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add_camera(session, demo, stream_kind=kind, stream_url=url)
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("stream_url", code)
    assert words in problem.text


def test_good_addresses_of_each_kind_are_accepted(session: Session, demo: Demo) -> None:
    for n, (kind, url) in enumerate(
        [
            ("rtsp", "rtsps://摄像头.example.cn:8554/live"),
            ("http_mjpeg", "http://[fe80::1]:8080/mjpeg"),
            ("hls", "https://video.example.cn/live/kitchen.m3u8?token=abc"),
            ("file", "file:///srv/demo/kitchen.mp4?fps=5"),
            ("images", "file:///srv/demo/frames/"),
        ]
    ):
        camera = add_camera(session, demo, name=f"cam {n}", stream_kind=kind, stream_url=url)
        assert camera.stream_url == url


def test_local_sources_are_refused_outside_demo_and_tests(
    session: Session, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "demo", False)
    monkeypatch.setattr(settings, "kitchen_allow_file_sources", False)
    with pytest.raises(ValidationFailed) as caught:
        add_camera(session, demo, stream_kind="file", stream_url="file:///srv/a.mp4")
    assert _problems(caught.value) == {"stream_kind": "local_source"}
    monkeypatch.setattr(settings, "kitchen_allow_file_sources", True)
    assert add_camera(session, demo, stream_kind="file", stream_url="file:///srv/a.mp4").id


def test_who_may_add_cameras_where(session: Session, demo: Demo) -> None:
    # The county's inspector adds one to a store of the county.
    assert add_camera(session, demo, by="inspector_a").id
    # Staff may not; another county's inspector and a neighbouring store see no business.
    with pytest.raises(ForbiddenError):
        add_camera(session, demo, by="staff_a", name="b")
    for outsider in ("inspector_b", "owner_a2", "owner_b"):
        with pytest.raises(ValidationFailed) as caught:
            add_camera(session, demo, by=outsider, name=f"by {outsider}")
        assert _problems(caught.value) == {"business_id": "not_found"}


def test_names_are_unique_per_business(session: Session, demo: Demo) -> None:
    add_camera(session, demo)
    with pytest.raises(ValidationFailed) as caught:
        add_camera(session, demo)
    assert _problems(caught.value) == {"name": "duplicate"}
    assert add_camera(session, demo, store_of="owner_b", by="owner_b").id


def test_neighbours_see_nothing_and_the_county_sees_its_stores(
    session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    for outsider in ("owner_a2", "owner_b", "inspector_b", "citizen"):
        actor = principal_of(session, outsider)
        with pytest.raises(NotFoundError):
            cameras.visible_camera(session, actor, camera.id)
        listed = cameras.list_cameras(
            session=session, actor=actor, business_id=None, page=PageRequest()
        )
        assert camera.id not in [c.id for c, _ in listed.items]
    for insider in ("owner_a", "staff_a", "inspector_a", "city_leader"):
        listed = cameras.list_cameras(
            session=session,
            actor=principal_of(session, insider),
            business_id=camera.business_id,
            page=PageRequest(),
        )
        assert [c.id for c, _ in listed.items] == [camera.id]


def test_updates_keep_or_replace_credentials_and_rotate_the_public_token(
    session: Session, demo: Demo
) -> None:
    owner = principal_of(session, "owner_a")
    camera = add_camera(session, demo, public=True)
    first_token, sealed = camera.public_token, camera.credentials_encrypted
    # Other settings changed, credentials left as they are (None, None).
    cameras.update_camera(
        session=session,
        actor=owner,
        camera_id=camera.id,
        form=camera_form(name="凉菜间 A", username=None, password=None, public=True),
    )
    assert camera.credentials_encrypted == sealed and camera.public_token == first_token
    assert cameras.published_camera(session=session, token=first_token) is camera
    assert cameras.published_cameras(session=session, business_id=camera.business_id) == [camera]
    # Taken off public view: the old link dies.
    cameras.update_camera(
        session=session,
        actor=owner,
        camera_id=camera.id,
        form=camera_form(username=None, password=None, public=False),
    )
    assert camera.public_token != first_token and not camera.public
    for token in (first_token, camera.public_token):
        with pytest.raises(NotFoundError):
            cameras.published_camera(session=session, token=token)
    assert cameras.published_cameras(session=session, business_id=camera.business_id) == []
    # Both empty: the credentials are removed.
    cameras.update_camera(
        session=session,
        actor=owner,
        camera_id=camera.id,
        form=camera_form(username="", password=""),
    )
    assert camera.credentials_encrypted is None
    assert cameras.credentials_shown(camera) == "none"
    with pytest.raises(ConflictError):
        cameras.update_camera(
            session=session,
            actor=owner,
            camera_id=camera.id,
            form=camera_form(),
            expected_version=camera.version - 1,
        )


def test_a_camera_with_alerts_cannot_be_removed(session: Session, demo: Demo) -> None:
    from kitchen_support import raise_alert

    owner = principal_of(session, "owner_a")
    spare = add_camera(session, demo, name="spare")
    cameras.delete_camera(session=session, actor=owner, camera_id=spare.id)
    assert session.get(KitchenCamera, spare.id) is None
    used = add_camera(session, demo)
    raise_alert(session, used)
    with pytest.raises(ConflictError):
        cameras.delete_camera(session=session, actor=owner, camera_id=used.id)


def test_the_worker_gets_credentials_in_the_address_and_the_rule_set(
    session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    add_camera(session, demo, name="off", enabled=False)
    configs = {c.id: c for c in service.worker_cameras(session=session)}
    config = configs[camera.id]
    assert all(c.enabled for c in configs.values())
    assert "off" not in {c.name for c in configs.values()}
    parts = urlsplit(config.stream_url)
    assert (unquote(parts.username or ""), unquote(parts.password or "")) == (
        "admin",
        "s3cret:@/pass",
    )
    assert parts.hostname == "192.168.1.64" and parts.port == 554
    classes = {rule.alert_class for rule in config.rule_set.rules}
    assert AlertClass.NO_MASK in classes  # a cold room asks for masks
    smoking = next(r for r in config.rule_set.rules if r.alert_class is AlertClass.SMOKING)
    assert smoking.cooldown_s == 120 and smoking.kind is AlertKind.SUSPECTED
    assert "no_mask" in config.detect_classes and "操作台" in config.zones
    assert config.hours is not None and len(config.hours) == 7
    assert config.privacy_masks == (((0.0, 0.0), (0.2, 0.0), (0.2, 0.2), (0.0, 0.2)),)
    measured = service.worker_cameras(session=session, kinds={"smoking": AlertKind.VIOLATION})
    rule = next(
        r
        for c in measured
        if c.id == camera.id
        for r in c.rule_set.rules
        if r.alert_class is AlertClass.SMOKING
    )
    assert rule.kind is AlertKind.VIOLATION
