"""Vision worker benchmark (issue 6 §9, design note §5).

1. Per-model latency at one thread: median of 30 ``detect`` calls on 3.jpg, per installed model.
2. One process pinned to one core (``os.sched_setaffinity``) running 8 file cameras for 60 s at
   2 fps with motion gating, on kitchen-like clips made from 3.jpg (people, slow pan) and an
   empty room (still): 4 cameras 1280x720 at 25 fps and 4 at 640x360 at 10 fps. Reported:
   analysed fps achieved, drops, CPU % of the core, RSS per camera.
3. Alert latency: one camera whose clip shows an empty room, then people appear at a known
   PTS, kitchen closed (person_after_hours, N=3 of M=4, cool-down 4 s, burst 5 fps). Over 20
   appearances, each measured by its first alert: ``confirm`` = the wall time the frame that
   confirmed the alert was decoded - the wall time the first frame with people was decoded;
   ``recorded`` = the wall time the sink was given the alert to store (with its snapshots;
   the writer thread hands it over at once) - the same decoding time; ``clip`` = the wall
   time the sink was given the alert's clip (``clip_post_s`` after the confirming frame, then
   encoded) - the same decoding time. p50/p95. (Until 2026-11-30 a 1 s cool-down let one
   appearance raise two or three alerts and each was paired with the appearance: the later
   ones measured the cool-down, which gave the p95 of 2.8 s reported then.)

Needs ../shared/models (or SUNSHINE_MODELS_DIR). Writes bench/results/vision.json.
Run: ``.venv/bin/python bench/vision.py [--seconds 60] [--runs 20]``; ``--only latency`` (or
``throughput``) runs that part alone and replaces only its sections of the results file;
``--store DATABASE_URL`` makes part 3 store its alerts and clips through the workers' database
sink into that prepared demo database (its first camera), so that ``recorded`` ends when the
alert with its snapshots is committed.
Part 2 runs twice: with the after-hours rule alone (the person model) and with every area's
default rules (crop models on every person: masks in 专间, smoking, phones).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from sunshine.kitchen.enums import AlertClass, Area, RuleHours
from sunshine.kitchen.policy import build_rule_set
from sunshine.kitchen.rules import CameraRuleSet, RuleSpec
from sunshine.workers.vision.capture import PyAVSource, RawFrame, parse_source
from sunshine.workers.vision.process import single_threaded
from sunshine.workers.vision.runtime import (
    AlertOut,
    CameraSpec,
    ClipOut,
    Heartbeat,
    RuntimeSettings,
    VisionRuntime,
    default_toolkit,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SHARED_MODELS = ROOT.parent / "shared" / "models"
PHOTO = "fastestdet/3.jpg"


def models_dir() -> Path:
    return Path(os.environ.get("SUNSHINE_MODELS_DIR", SHARED_MODELS))


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def write_clip(path: Path, frames: list[np.ndarray], fps: int) -> Path:
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"preset": "veryfast", "g": str(fps * 2)}
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def scene(photo: np.ndarray, size: tuple[int, int], shift: int, people: bool) -> np.ndarray:
    """A frame of size (w, h): the photo panned by ``shift`` px, or the room without people
    (the photo's blurred top strip stretched: same light and texture, nobody in it)."""
    w, h = size
    base = (
        photo if people else cv2.GaussianBlur(cv2.resize(photo[:40], photo.shape[1::-1]), (0, 0), 9)
    )
    frame = cv2.resize(base, (w + 80, h), interpolation=cv2.INTER_AREA)
    noise = np.random.default_rng(shift).integers(-3, 4, frame.shape, np.int16)
    frame = np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)  # sensor noise
    return np.ascontiguousarray(frame[:, shift : shift + w])


def make_clips(folder: Path, photo: np.ndarray) -> dict[str, Path]:
    clips = {}
    for name, size, fps, seconds in (("hd25", (1280, 720), 25, 8), ("sd10", (640, 360), 10, 8)):
        moving = [scene(photo, size, (i * 2) % 80, True) for i in range(fps * seconds)]
        still = [scene(photo, size, 0, False) for _ in range(fps * seconds)]
        clips[f"{name}-people"] = write_clip(folder / f"{name}-people.mp4", moving, fps)
        clips[f"{name}-empty"] = write_clip(folder / f"{name}-empty.mp4", still, fps)
    # Latency clip: 3 s of empty room, then people for 3 s, 10 fps 640x360.
    frames = [scene(photo, (640, 360), 0, False) for _ in range(30)]
    frames += [scene(photo, (640, 360), (i * 2) % 80, True) for i in range(30)]
    clips["latency"] = write_clip(folder / "latency.mp4", frames, 10)
    return clips


def closed_rules(n: int, m: int, cooldown_s: float) -> CameraRuleSet:
    rule = RuleSpec(
        alert_class=AlertClass.PERSON_AFTER_HOURS,
        detect_cls="person",
        n=n,
        m=m,
        min_confidence=0.5,
        cooldown_s=cooldown_s,
        when=RuleHours.CLOSED,
    )
    return CameraRuleSet(rules=(rule,), hours=())


class MemorySink:
    """Keeps alerts and clips with the wall time it got them; an alert's key is its index."""

    def __init__(self) -> None:
        self.alerts: list[tuple[float, AlertOut]] = []
        self.clips: dict[int, tuple[float, ClipOut]] = {}
        self.beats: list[Heartbeat] = []
        self.lock = threading.Lock()

    def alert(self, out: AlertOut) -> int:
        with self.lock:
            self.alerts.append((time.time(), out))
            return len(self.alerts) - 1

    def clip(self, key: object, clip: ClipOut) -> None:
        assert isinstance(key, int)
        with self.lock:
            self.clips[key] = (time.time(), clip)

    def heartbeat(self, beats: list[Heartbeat]) -> None:
        with self.lock:
            self.beats.extend(beats)


class StoringSink(MemorySink):
    """Stores each alert and clip through the workers' database sink (the alert row with
    its two snapshots and their SHA-256 in one transaction, the clip in another, the
    business and its officers told) and notes when the alert was committed."""

    def __init__(self) -> None:
        from sunshine.workers.vision.db_sink import DbSink

        super().__init__()
        self.db = DbSink()
        self.ids: dict[int, int] = {}

    def alert(self, out: AlertOut) -> int:
        alert_id = self.db.alert(out)
        with self.lock:
            self.alerts.append((time.time(), out))
            key = len(self.alerts) - 1
            self.ids[key] = alert_id
            return key

    def clip(self, key: object, clip: ClipOut) -> None:
        assert isinstance(key, int)
        self.db.clip(self.ids[key], clip)
        super().clip(key, clip)

    def heartbeat(self, beats: list[Heartbeat]) -> None:
        # As the workers do: the camera states reach the database from the start, so the
        # first alert finds its connection and code warm, like in a running worker.
        self.db.heartbeat(beats)
        super().heartbeat(beats)


def stored_camera() -> tuple[int, int]:
    """(camera id, business id) of the first camera in the database ``--store`` names."""
    from sqlalchemy import select

    from sunshine.core.db import reading
    from sunshine.kitchen.camera_models import KitchenCamera

    with reading() as session:
        row = session.execute(
            select(KitchenCamera.id, KitchenCamera.business_id).order_by(KitchenCamera.id)
        ).first()
    if row is None:
        raise SystemExit("--store: the database has no camera (prepare it with `sunshine demo`)")
    return int(row[0]), int(row[1])


def model_latency(photo: np.ndarray) -> dict[str, Any]:
    from sunshine.workers.vision.models_store import ModelStore

    store = ModelStore(models_dir(), fetch=False, threads=1)
    out: dict[str, Any] = {}
    for entry in store.entries:
        if store.state(entry.name) != "installed":
            out[entry.name] = {"state": store.state(entry.name)}
            continue
        detector = store.detector(entry.name)
        detector.detect(photo)
        times = []
        for _ in range(30):
            started = time.perf_counter()
            found = detector.detect(photo)
            times.append((time.perf_counter() - started) * 1000)
        out[entry.name] = {
            "ms_median": round(statistics.median(times), 2),
            "detections": len(found),
        }
    return out


def area_rules(area: Area) -> CameraRuleSet:
    """The rules a camera of ``area`` runs by default, the kitchen open all day."""
    return build_rule_set(area=area, overrides=None, zones=None, hours=None)


def throughput(
    clips: dict[str, Path], seconds: float, *, scenario: str = "person"
) -> dict[str, Any]:
    """``person``: the after-hours rule alone (the person model on whole frames).
    ``area-defaults``: every camera runs its area's default rules with the kitchen open, so
    the mask model (专间), the smoking and the phone models run on a crop of every person:
    two prep, two cooking, two cold-room and two washing cameras."""
    core = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {core})
    names = ["hd25-people", "hd25-empty", "hd25-people", "hd25-empty"]
    names += ["sd10-people", "sd10-empty", "sd10-people", "sd10-empty"]
    if scenario == "person":
        rulesets = [closed_rules(3, 4, 300)] * len(names)
    else:
        areas = [Area.PREP, Area.COOKING, Area.COLD_ROOM, Area.WASHING] * 2
        rulesets = [area_rules(area) for area in areas]
    specs = [
        CameraSpec(id=i + 1, business_id=1, stream_url=clips[n].as_uri(), ruleset=rulesets[i])
        for i, n in enumerate(names)
    ]
    sink = MemorySink()
    settings = RuntimeSettings(heartbeat_s=10.0)
    toolkit = default_toolkit(models_dir=models_dir(), fetch=False)
    rss_before = rss_bytes()
    runtime = VisionRuntime(sink=sink, toolkit=toolkit, settings=settings)
    runtime.apply(specs)
    stop = threading.Event()
    thread = threading.Thread(target=runtime.run, args=(stop,), daemon=True)
    cpu0, wall0 = time.process_time(), time.monotonic()
    thread.start()
    time.sleep(5)  # warm-up: connections, first detections
    counts0 = {cid: r.analysed_total for cid, r in runtime.runners.items()}
    drops0 = sum(b.drops for b in sink.beats)
    cpu1, wall1 = time.process_time(), time.monotonic()
    time.sleep(seconds)
    cpu2, wall2 = time.process_time(), time.monotonic()
    counts = {cid: r.analysed_total - counts0[cid] for cid, r in runtime.runners.items()}
    rss = rss_bytes()
    stop.set()
    thread.join(10)
    runtime.close()
    span = wall2 - wall1
    per_camera = {
        f"{cid}:{names[cid - 1]}": round(count / span, 2) for cid, count in counts.items()
    }
    return {
        "scenario": scenario,
        "wanted": sorted({cls for spec in specs for cls in spec.wanted}),
        "core": core,
        "cameras": len(specs),
        "target_fps_per_camera": 2.0,
        "seconds": round(span, 1),
        "analysed_fps_per_camera": per_camera,
        "analysed_fps_total": round(sum(counts.values()) / span, 2),
        "drops_after_warmup": sum(b.drops for b in sink.beats) - drops0,
        "cpu_percent_of_one_core": round(100 * (cpu2 - cpu1) / span, 1),
        "cpu_percent_including_warmup": round(100 * (cpu2 - cpu0) / (wall2 - wall0), 1),
        "rss_mib_total": round(rss / 2**20, 1),
        "rss_mib_per_camera": round((rss - rss_before) / len(specs) / 2**20, 1),
        "alerts": len(sink.alerts),
    }


class MarkingSource(PyAVSource):
    """Notes the wall time the first frame at or after ``appear_s`` of each loop is decoded."""

    def __init__(self, url: str, appear_s: float, marks: list[float]) -> None:
        super().__init__(parse_source(url))
        self.appear_s, self.marks = appear_s, marks

    def frames(self, stop: threading.Event) -> Iterator[RawFrame]:
        seen = False
        for raw in super().frames(stop):
            pts = raw.pts_s or 0.0
            if pts < self.appear_s:
                seen = False
            elif not seen:
                seen = True
                self.marks.append(time.time())
            yield raw


def first_alerts(marks: list[float], confirmed_at: list[float]) -> list[tuple[int, float]]:
    """(alert index, mark) for the first alert confirmed after each appearance: the latency of
    an appearance is that of its first alert; another one in the same appearance (none with
    the cool-down above) would measure the cool-down, not the pipeline."""
    pairs: list[tuple[int, float]] = []
    for i, mark in enumerate(marks):
        until = marks[i + 1] if i + 1 < len(marks) else float("inf")
        key = next((k for k, at in enumerate(confirmed_at) if mark <= at < until), None)
        if key is not None:
            pairs.append((key, mark))
    return pairs


def latency(
    clips: dict[str, Path], runs: int, post_s: float, *, store: bool = False
) -> dict[str, Any]:
    from dataclasses import replace

    marks: list[float] = []
    url = clips["latency"].as_uri()
    toolkit = replace(
        default_toolkit(models_dir=models_dir(), fetch=False),
        source_factory=lambda spec: MarkingSource(url, 3.0, marks),
    )
    sink = StoringSink() if store else MemorySink()
    camera_id, business_id = stored_camera() if store else (1, 1)
    settings = RuntimeSettings(clip_pre_s=5.0, clip_post_s=post_s)
    runtime = VisionRuntime(sink=sink, toolkit=toolkit, settings=settings)
    # Cool-down 4 s: people stay 3 s of each 6 s loop, so each appearance raises one alert
    # and the next appearance (the quiet time over) can raise the next.
    spec = CameraSpec(
        id=camera_id, business_id=business_id, stream_url=url, ruleset=closed_rules(3, 4, 4.0)
    )
    runtime.apply([spec])
    stop = threading.Event()
    thread = threading.Thread(target=runtime.run, args=(stop,), daemon=True)
    thread.start()
    # Until the first ``runs`` alerts have their clips too (a clip follows its alert by
    # ``post_s``; the ones close() flushes would be cut short).
    deadline = time.monotonic() + runs * 6 + 30 + post_s
    while len(sink.clips) < runs and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    thread.join(10)
    runtime.close()
    confirm, recorded, clipped, clip_after_alert = [], [], [], []
    for key, mark in first_alerts(marks, [out.frame_decoded_at for _, out in sink.alerts]):
        got_at, out = sink.alerts[key]
        confirm.append(out.frame_decoded_at - mark)
        recorded.append(got_at - mark)
        if key in sink.clips:
            clip_at, _ = sink.clips[key]
            clipped.append(clip_at - mark)
            clip_after_alert.append(clip_at - got_at)
        if len(confirm) == runs:
            break

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {
        "runs": len(confirm),
        "appearances": len(marks),
        "alerts": len(sink.alerts),
        "rule": "person_after_hours N=3 of M=4, cool-down 4 s, analysis 2 fps, burst 5 fps",
        "confirm_s_p50": pct(confirm, 0.5),
        "confirm_s_p95": pct(confirm, 0.95),
        "recorded_s_p50": pct(recorded, 0.5),
        "recorded_s_p95": pct(recorded, 0.95),
        "recorded_s_each": [round(v, 3) for v in recorded],
        "clip_s_p50": pct(clipped, 0.5),
        "clip_s_p95": pct(clipped, 0.95),
        "clip_after_alert_s_p50": pct(clip_after_alert, 0.5),
        "clip_after_alert_s_p95": pct(clip_after_alert, 0.95),
        "clips_with_video": sum(1 for _, c in sink.clips.values() if c.data is not None),
        "clip_post_s": post_s,
        "recorded_means": (
            "the alert and its snapshots were committed to the database (--store: "
            + database_kind()
            + "); the clip is attached later, see clip_s"
            if store
            else "the sink was given the alert to store (snapshots only; the clip is "
            "attached later, see clip_s)"
        ),
    }


def database_kind() -> str:
    from sunshine.config import get_settings

    return get_settings().database_url.split(":", 1)[0].split("+", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--post", type=float, default=5.0, help="clip seconds after the alert")
    parser.add_argument(
        "--only",
        choices=("latency", "throughput"),
        help="run this part alone, replacing only its section of the results file",
    )
    parser.add_argument(
        "--store",
        metavar="DATABASE_URL",
        help="latency: store the alerts through the workers' database sink into this prepared "
        "demo database (its first camera), so that 'recorded' ends at the commit",
    )
    args = parser.parse_args()
    if args.store:
        os.environ["SUNSHINE_DATABASE_URL"] = args.store
    photo = cv2.imread(str(models_dir() / PHOTO))
    if photo is None:
        print(f"needs {models_dir() / PHOTO} (set SUNSHINE_MODELS_DIR)", file=sys.stderr)
        return 2
    single_threaded()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "av": av.__version__,
            "opencv": cv2.__version__,
        },
    }
    out = RESULTS / "vision.json"
    with tempfile.TemporaryDirectory(prefix="sunshine-vision-bench-") as tmp:
        clips = make_clips(Path(tmp), photo)
        if args.only is not None:
            # The other sections keep their own run's numbers; these say when and where they
            # were measured.
            earlier = json.loads(out.read_text()) if out.exists() else {}
            if args.only == "latency":
                sections = {
                    "alert_latency": latency(clips, args.runs, args.post, store=bool(args.store))
                }
            else:
                sections = _throughputs(clips, args.seconds)
            for name, section in sections.items():
                section["measured"] = results
                print(json.dumps({name: section}), flush=True)
            return _write({**earlier, **sections}, out)
        results["model_latency_1_thread"] = model_latency(photo)
        print(json.dumps(results["model_latency_1_thread"]), flush=True)
        for name, section in _throughputs(clips, args.seconds).items():
            results[name] = section
            print(json.dumps(section), flush=True)
        results["alert_latency"] = latency(clips, args.runs, args.post, store=bool(args.store))
        print(json.dumps(results["alert_latency"]), flush=True)
    return _write(results, out)


def _throughputs(clips: dict[str, Path], seconds: float) -> dict[str, dict[str, Any]]:
    return {
        "throughput_one_core": throughput(clips, seconds, scenario="person"),
        "throughput_one_core_area_defaults": throughput(clips, seconds, scenario="area-defaults"),
    }


def _write(results: dict[str, Any], out: Path) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
