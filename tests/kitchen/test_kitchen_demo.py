"""The demo's kitchen cameras: clips built from ../shared that play and that the real detectors
read as the demo promises (no_mask in the cold room, masked staff in the washing room), the
four cameras of each demo store with their file sources, hours, masks and publication, the
history made only of what the real detectors and rules confirmed, and, without ../shared,
cameras that say they have no source."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.config import Settings
from sunshine.core import evidence
from sunshine.core.pagination import PageRequest
from sunshine.core.time import utc_now
from sunshine.kitchen import cameras, demo_media, service
from sunshine.kitchen import demo as kitchen_demo
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import (
    AlertClass,
    AlertKind,
    AlertStatus,
    Area,
    CameraState,
    StreamKind,
)
from sunshine.kitchen.policy import AREA_RULES, build_rule_set
from sunshine.risk.enums import SignalKind
from sunshine.risk.models import RiskSignal

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
MODELS = SHARED / "models"
SHORT_S = 2.0  # clips of 10 frames: enough to play and to analyse, quick to build

A1_ONLY = (("owner_a", "inspector_a"),)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> demo_media.DemoMedia:
    out = tmp_path_factory.mktemp("demo-media")
    return demo_media.build_demo_media(shared_dir=SHARED, out_dir=out, seconds=SHORT_S)


def _analyzer(wanted: set[str]) -> object:
    from sunshine.workers.vision.analysis import FrameAnalyzer
    from sunshine.workers.vision.models_store import ModelStore

    return FrameAnalyzer(store=ModelStore(MODELS, fetch=False), wanted=frozenset(wanted))


def _found(analyzer: object, frame: object) -> Counter[str]:
    return Counter(d.cls for d in analyzer.analyze(frame))  # type: ignore[attr-defined]


@pytest.mark.shared
def test_the_clips_play_and_a_rebuild_reuses_them(
    media: demo_media.DemoMedia, tmp_path: Path
) -> None:
    import av

    assert media.missing == {}
    assert set(media.clips) == {"people", "people-night", "masks", "smoking"}
    for clip in media.clips.values():
        with av.open(str(clip.path)) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name in ("h264", "mpeg4")
            frames = list(container.decode(video=0))
        assert len(frames) == clip.frames == round(SHORT_S * demo_media.FPS)
        assert (frames[0].width, frames[0].height) == (640, 360)
        assert clip.url.startswith("file:///") and clip.url.endswith(f"/{clip.key}.mp4")
        # The slow zoom is real motion for the motion gate: first and last frames differ.
        first = frames[0].to_ndarray(format="gray").astype(int)
        last = frames[-1].to_ndarray(format="gray").astype(int)
        assert abs(first - last).mean() > 1.0
    stamps = {k: c.path.stat().st_mtime_ns for k, c in media.clips.items()}
    again = demo_media.build_demo_media(
        shared_dir=SHARED, out_dir=next(iter(media.clips.values())).path.parent, seconds=SHORT_S
    )
    assert {k: c.path.stat().st_mtime_ns for k, c in again.clips.items()} == stamps


@pytest.mark.shared
def test_the_real_detectors_see_bare_faces_in_the_cold_room_clip_and_masks_in_washing(
    media: demo_media.DemoMedia,
) -> None:
    analyzer = _analyzer({"person", "mask", "no_mask"})
    people = demo_media.read_frames(media.clips["people"].path, every=3)
    for frame in people:
        found = _found(analyzer, frame)
        assert found["no_mask"] >= 2 and found["person"] >= 2, found
        assert found["mask"] == 0
    masked = demo_media.read_frames(media.clips["masks"].path, every=3)
    assert sum(_found(analyzer, f)["mask"] for f in masked) >= len(masked)
    assert all(_found(analyzer, f)["no_mask"] == 0 for f in masked)


@pytest.mark.shared
def test_the_smoking_pictures_have_a_person_around_the_cigarette() -> None:
    """The runtime looks for cigarettes only in person crops: every chosen image has one
    detected person whose crop holds the labelled cigarette."""
    pictures = demo_media.smoking_pictures(SHARED / "datasets", count=4)
    assert len(pictures) == 4
    assert len({p.name.split(".rf.")[0] for p in pictures}) == 4  # four different photos


def test_without_shared_images_every_clip_is_named_missing(tmp_path: Path) -> None:
    built = demo_media.build_demo_media(shared_dir=tmp_path, out_dir=tmp_path / "out")
    assert built.clips == {}
    assert set(built.missing) == set(demo_media.PLANS)
    assert "3.jpg is missing" in built.missing["people"]


def _cameras_of(session: Session, business_id: int) -> dict[Area, KitchenCamera]:
    rows = session.execute(
        select(KitchenCamera).where(KitchenCamera.business_id == business_id)
    ).scalars()
    return {c.area: c for c in rows}


@pytest.mark.shared
def test_store_a1_gets_four_cameras_on_the_clips(
    session: Session, demo: Demo, media: demo_media.DemoMedia, tmp_path: Path
) -> None:
    media_dir = next(iter(media.clips.values())).path.parent
    now = utc_now()
    seeded = kitchen_demo.seed_kitchen(
        session=session,
        seed=1,
        shared_dir=SHARED,
        media_dir=media_dir,
        models_dir=tmp_path / "models",
        now=now,
        history_days=0,
        clip_seconds=SHORT_S,
        stores=A1_ONLY,
    )
    assert (seeded.cameras, seeded.with_source, seeded.alerts) == (4, 4, 0)
    owner = principal_of(session, "owner_a")
    assert owner.business_id is not None
    made = _cameras_of(session, owner.business_id)
    assert set(made) == {Area.PREP, Area.COOKING, Area.COLD_ROOM, Area.WASHING}
    clip_of = {Area.PREP: "people-night", Area.COOKING: "smoking"}
    clip_of |= {Area.COLD_ROOM: "people", Area.WASHING: "masks"}
    for area, camera in made.items():
        assert camera.stream_kind is StreamKind.FILE and camera.enabled
        assert camera.stream_url == media.clips[clip_of[area]].url
        assert camera.state is CameraState.CONNECTING
    assert not made[Area.PREP].public and made[Area.COLD_ROOM].public
    assert made[Area.PREP].privacy_masks and not made[Area.COLD_ROOM].privacy_masks
    prep = made[Area.PREP]
    rules = build_rule_set(
        area=prep.area, overrides=prep.rule_overrides, zones=prep.zones, hours=prep.operating_hours
    )
    assert not rules.is_open(now) and not rules.is_open(now + timedelta(hours=4))
    assert rules.is_open(now + timedelta(hours=7))
    assert made[Area.COLD_ROOM].operating_hours is None  # always open: no_mask applies now
    # The detector files were copied beside the clips' database, sha256 checked.
    assert (tmp_path / "models" / "fastestdet" / "FastestDet.onnx").is_file()
    assert kitchen_demo.install_models(shared_models=MODELS, models_dir=tmp_path / "models") == 0
    # The neighbouring store sees none of them.
    neighbour = principal_of(session, "owner_a2")
    page = cameras.list_cameras(
        session=session, actor=neighbour, business_id=None, page=PageRequest(1, 50)
    )
    assert page.total == 0
    # Seeding again leaves the store as it is.
    again = kitchen_demo.seed_kitchen(
        session=session,
        seed=1,
        shared_dir=SHARED,
        media_dir=media_dir,
        models_dir=tmp_path / "models",
        history_days=0,
        clip_seconds=SHORT_S,
        stores=A1_ONLY,
    )
    assert again.cameras == 0
    assert len(_cameras_of(session, owner.business_id)) == 4


@pytest.mark.shared
def test_the_history_holds_only_what_the_real_detectors_and_rules_confirmed(
    session: Session,
    demo: Demo,
    media: demo_media.DemoMedia,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kitchen_demo, "SAMPLED_FRAMES", 8)
    now = utc_now()
    seeded = kitchen_demo.seed_kitchen(
        session=session,
        seed=3,
        shared_dir=SHARED,
        media_dir=next(iter(media.clips.values())).path.parent,
        models_dir=MODELS,
        now=now,
        history_days=20,
        clip_seconds=SHORT_S,
        stores=A1_ONLY,
    )
    alerts = list(session.execute(select(KitchenAlert)).scalars())
    assert seeded.alerts == len(alerts) > 0
    by_area = Counter((a.area, a.alert_class) for a in alerts)
    # Five bare faces in the cold room and people in the prep room while it is closed. The
    # smoking and phone models also fire now and then where nobody smokes (their precision
    # is about 0.7: such alerts are "suspected", for a person to mark false), but only rules
    # of the camera's area raise anything, and no mask alert outside 专间.
    assert all(alert_class in AREA_RULES[area] for area, alert_class in by_area)
    assert (Area.PREP, AlertClass.NO_MASK) not in by_area  # bare faces, but not in 专间
    assert by_area[Area.COLD_ROOM, AlertClass.NO_MASK] > 0
    files = evidence.files_of(session, owner_type=service.OWNER, owner_ids=[a.id for a in alerts])
    for alert in alerts:
        assert alert.kind is AlertKind.SUSPECTED and alert.model in (
            "mask",
            "person",
            "smoking",
            "phone",
        )
        assert now - timedelta(days=21) < alert.started_at < now
        kinds = sorted(f.media_type for f in files[alert.id])
        assert kinds == ["image/jpeg", "image/jpeg", "video/mp4"]
    assert seeded.reviewed > 0 or all(a.started_at > now - timedelta(days=3) for a in alerts)
    # The inspectors' confirmations went through the service: each is one risk signal.
    confirmed = {a.id for a in alerts if a.status is AlertStatus.CONFIRMED}
    signalled = session.execute(
        select(RiskSignal.subject_id).where(
            RiskSignal.kind == SignalKind.KITCHEN_VIOLATION_CONFIRMED
        )
    ).scalars()
    assert sorted(signalled) == sorted(confirmed)


def test_without_shared_images_the_cameras_say_they_have_no_source(
    session: Session, demo: Demo, tmp_path: Path
) -> None:
    seeded = kitchen_demo.seed_kitchen(
        session=session,
        seed=1,
        shared_dir=tmp_path,
        media_dir=tmp_path / "media",
        models_dir=tmp_path / "models",
        stores=A1_ONLY,
    )
    assert (seeded.cameras, seeded.with_source, seeded.alerts) == (4, 0, 0)
    owner = principal_of(session, "owner_a")
    assert owner.business_id is not None
    for camera in _cameras_of(session, owner.business_id).values():
        assert camera.state is CameraState.NO_SOURCE and not camera.enabled
        assert camera.state_message.startswith("no demo source")
        assert "is missing" in camera.state_message or "no images" in camera.state_message
    # The worker is given none of them (it would only report a missing file).
    assert not [
        c for c in service.worker_cameras(session=session) if c.business_id == owner.business_id
    ]
    assert not (tmp_path / "models").exists()
    health = session.execute(
        select(func.count()).select_from(KitchenAlert).where(KitchenAlert.kind == AlertKind.HEALTH)
    ).scalar_one()
    assert health == 4


def test_the_shared_folder_defaults_to_the_one_beside_the_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sunshine.config

    beside = Path(sunshine.config.__file__).resolve().parents[3] / "shared"
    monkeypatch.delenv("SUNSHINE_DEMO_SHARED_DIR", raising=False)
    assert Settings(demo=True).demo_shared_dir == (beside if beside.is_dir() else None)
    monkeypatch.setenv("SUNSHINE_DEMO_SHARED_DIR", str(tmp_path))
    assert Settings(demo=True).demo_shared_dir == tmp_path


@pytest.mark.shared
def test_a_failing_detector_leaves_the_cameras_and_no_half_made_history(
    session: Session,
    demo: Demo,
    media: demo_media.DemoMedia,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = kitchen_demo._Footage.samples

    def flaky(self: kitchen_demo._Footage, *args: object) -> object:
        nonlocal calls
        calls += 1
        if calls > 1:  # the first camera's alerts are stored, then the detectors fail
            raise RuntimeError("detector crashed")
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(kitchen_demo, "SAMPLED_FRAMES", 8)
    monkeypatch.setattr(kitchen_demo._Footage, "samples", flaky)
    seeded = kitchen_demo.seed_kitchen(
        session=session,
        seed=3,
        shared_dir=SHARED,
        media_dir=next(iter(media.clips.values())).path.parent,
        models_dir=MODELS,
        history_days=20,
        clip_seconds=SHORT_S,
        stores=A1_ONLY,
    )
    assert calls == 2
    assert (seeded.cameras, seeded.with_source, seeded.alerts) == (4, 4, 0)
    assert session.execute(select(func.count()).select_from(KitchenAlert)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(KitchenCamera)).scalar_one() == 4
