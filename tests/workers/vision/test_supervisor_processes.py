"""The vision supervisor: camera assignment, shards, and restarting a dead worker process."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import pytest
from vision_runtime_support import moving_frames, wait_until, write_clip

from sunshine.kitchen.rules import CameraRuleSet
from sunshine.workers.vision import supervisor as supervisor_module
from sunshine.workers.vision.process import ProcessOptions
from sunshine.workers.vision.runtime import CameraSpec, RuntimeSettings
from sunshine.workers.vision.supervisor import Supervisor, parse_shard

NO_RULES = CameraRuleSet(rules=())
OPTIONS = ProcessOptions(
    runtime=RuntimeSettings(heartbeat_s=0.5),
    models_dir=Path("/nonexistent"),
    models_fetch=False,
    sink="vision_runtime_support:file_sink",
    toolkit="vision_runtime_support:idle_toolkit",
)


def cameras(*ids: int, url: str | None = None) -> list[CameraSpec]:
    return [CameraSpec(id=i, business_id=1, stream_url=url, ruleset=NO_RULES) for i in ids]


def supervisor(specs: list[CameraSpec], **kw: object) -> Supervisor:
    return Supervisor(load_cameras=lambda: specs, options=OPTIONS, **kw)  # type: ignore[arg-type]


def test_cameras_are_spread_over_processes_and_stay_where_they_are() -> None:
    sup = supervisor([], processes=3, per_process=2)
    assert sup.assign(cameras(1, 2, 3)) == []
    assert [s.camera_ids for s in sup.slots] == [[1, 3], [2]]  # two processes are enough
    sup.assign(cameras(1, 2, 3, 4, 5))
    assert [s.camera_ids for s in sup.slots] == [[1, 3], [2, 5], [4]]  # least loaded first
    sup.assign(cameras(2, 3, 4, 5, 6))  # 1 removed, 6 added: nobody else moves
    assert [s.camera_ids for s in sup.slots] == [[3, 6], [2, 5], [4]]


def test_cameras_beyond_the_capacity_are_reported() -> None:
    reported: list[tuple[list[int], str]] = []
    specs = cameras(1, 2, 3)
    sup = Supervisor(
        load_cameras=lambda: specs,
        options=OPTIONS,
        processes=1,
        per_process=2,
        report_unassigned=lambda left, msg: reported.append(([s.id for s in left], msg)),
    )
    sup.refresh()
    sup.refresh()  # unchanged: reported once
    assert reported == [([3], "not analysed: this worker runs at most 1 processes x 2 cameras")]


def test_shards_take_the_cameras_whose_id_matches() -> None:
    assert parse_shard("1/4") == (1, 4) and parse_shard(None) is None
    for bad in ("4/4", "x/2", "1", "-1/3"):
        with pytest.raises(ValueError, match="shard"):
            parse_shard(bad)
    sup = supervisor([], processes=2, per_process=8, shard=(1, 3))
    sup.assign(cameras(*range(1, 10)))
    assert sorted(c for s in sup.slots for c in s.camera_ids) == [1, 4, 7]


def test_a_failing_camera_list_keeps_the_current_assignment() -> None:
    def broken() -> list[CameraSpec]:
        raise RuntimeError("database is migrating")

    sup = Supervisor(load_cameras=broken, options=OPTIONS, processes=1, per_process=8)
    sup.assign(cameras(1))
    sup.refresh()
    assert sup.slots[0].camera_ids == [1]


def test_a_dead_worker_process_is_restarted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beats = tmp_path / "beats.jsonl"
    monkeypatch.setenv("SUNSHINE_TEST_VISION_BEATS", str(beats))
    clip = write_clip(tmp_path / "cam.mp4", moving_frames(10), fps=10)
    specs = cameras(1, url=clip.as_uri())
    sup = Supervisor(
        load_cameras=lambda: specs,
        options=OPTIONS,
        processes=1,
        per_process=8,
        backoff_base_s=0.2,
    )
    stop = threading.Event()
    thread = threading.Thread(target=sup.run, args=(stop,), daemon=True)
    thread.start()

    def online_pids() -> set[int]:
        if not beats.exists():
            return set()
        lines = [json.loads(line) for line in beats.read_text().splitlines()]
        return {r["pid"] for r in lines if r.get("state") == "online"}

    try:
        first = wait_until(online_pids, timeout=60)
        pid = next(iter(first))
        os.kill(pid, signal.SIGKILL)  # as a libav segfault would
        wait_until(lambda: online_pids() - first, timeout=60)
        assert sup.slots[0].restarts == 1
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert all(s.process is None for s in sup.slots)


def test_an_embedded_supervisor_stops_once_the_server_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(supervisor_module, "PARENT_CHECK_S", 0.01)
    stop = threading.Event()
    alive = threading.Thread(
        target=supervisor_module._stop_with_parent, args=(os.getppid(), stop), daemon=True
    )
    alive.start()
    assert not stop.wait(0.2)  # its parent still runs: it keeps going
    stop.set()
    alive.join(1)
    gone = threading.Event()
    supervisor_module._stop_with_parent(os.getppid() + 1_000_000, gone)  # not our parent
    assert gone.is_set()
