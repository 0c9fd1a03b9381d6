"""``sunshine worker vision``: assign cameras to worker processes and keep them running.

The supervisor does no video work. Every ``refresh_s`` (30 s) it reads the enabled cameras
(keeping those of its shard, ``id % n == i``), spreads them over at most ``processes`` child
processes with at most ``per_process`` cameras each, and sends each child its list when the
list changed. Assignment is sticky: a camera stays in its process while it exists, so a new
camera does not restart the others. Cameras beyond ``processes x per_process`` are not run;
their state says so.

A child that dies (a libav segfault, an out-of-memory kill) is started again after a backoff
(2, 4 ... 300 s, reset once a child has lived ``STABLE_S``). SIGTERM/SIGINT stop the
children (each finishes its pending clips) and then the supervisor.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sunshine.workers.vision.capture import Backoff
from sunshine.workers.vision.process import ProcessOptions, child_main
from sunshine.workers.vision.runtime import CameraSpec

log = logging.getLogger("sunshine.vision.supervisor")

REFRESH_S = 30.0
STABLE_S = 60.0
STOP_GRACE_S = 15.0
# How often an embedded supervisor checks that the web server that started it still runs.
PARENT_CHECK_S = 2.0


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"i/n"`` -> (i, n) with 0 <= i < n; ``None`` for no sharding."""
    if not text:
        return None
    try:
        left, right = text.split("/")
        index, count = int(left), int(right)
    except ValueError:
        raise ValueError(f"--shard must look like 0/4, got {text!r}") from None
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"--shard i/n needs 0 <= i < n, got {text!r}")
    return index, count


def in_shard(camera_id: int, shard: tuple[int, int] | None) -> bool:
    return shard is None or camera_id % shard[1] == shard[0]


def default_processes() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class _Slot:
    index: int
    camera_ids: list[int] = field(default_factory=list)
    process: Any = None  # multiprocessing.Process
    stop: Any = None  # multiprocessing.Event
    queue: Any = None  # multiprocessing.Queue
    sent: list[CameraSpec] | None = None
    started_at: float = 0.0
    restart_at: float = 0.0
    backoff: Backoff = field(default_factory=Backoff)
    restarts: int = 0


class Supervisor:
    def __init__(
        self,
        *,
        load_cameras: Callable[[], Sequence[CameraSpec]],
        options: ProcessOptions,
        processes: int,
        per_process: int,
        shard: tuple[int, int] | None = None,
        refresh_s: float = REFRESH_S,
        report_unassigned: Callable[[Sequence[CameraSpec], str], None] | None = None,
        backoff_base_s: float = 2.0,
        housekeeping: Callable[[], None] | None = None,
        housekeeping_s: float = 3600.0,
    ) -> None:
        if processes < 1 or per_process < 1:
            raise ValueError("processes and cameras per process must be at least 1")
        self.load_cameras = load_cameras
        self.options = options
        self.processes = processes
        self.per_process = per_process
        self.shard = shard
        self.refresh_s = refresh_s
        self.report_unassigned = report_unassigned
        self.backoff_base_s = backoff_base_s
        self.housekeeping = housekeeping
        self.housekeeping_s = housekeeping_s
        self.context = multiprocessing.get_context("spawn")
        self.slots: list[_Slot] = []
        self._specs: dict[int, CameraSpec] = {}
        self._unassigned: set[int] = set()

    # -- assignment (pure, tested on its own) -------------------------------------------------
    def assign(self, specs: Sequence[CameraSpec]) -> list[CameraSpec]:
        """Update the slots' camera lists; the cameras that found no place."""
        mine = sorted((s for s in specs if in_shard(s.id, self.shard)), key=lambda s: s.id)
        ids = {s.id for s in mine}
        needed = min(self.processes, max(1, math.ceil(len(mine) / self.per_process)))
        while len(self.slots) < needed:
            self.slots.append(_Slot(len(self.slots), backoff=Backoff(base_s=self.backoff_base_s)))
        for slot in self.slots:
            slot.camera_ids = [cid for cid in slot.camera_ids if cid in ids]
        placed = {cid for slot in self.slots for cid in slot.camera_ids}
        left_over = []
        for spec in mine:
            if spec.id in placed:
                continue
            room = [s for s in self.slots[:needed] if len(s.camera_ids) < self.per_process]
            if not room:
                left_over.append(spec)
                continue
            min(room, key=lambda s: len(s.camera_ids)).camera_ids.append(spec.id)
        self._specs = {s.id: s for s in mine}
        return left_over

    # -- children ------------------------------------------------------------------------------
    def _start(self, slot: _Slot) -> None:
        slot.stop = self.context.Event()
        slot.queue = self.context.Queue()
        slot.process = self.context.Process(
            target=child_main,
            args=(slot.index, slot.queue, slot.stop, self.options),
            name=f"sunshine-vision-{slot.index}",
            daemon=False,
        )
        slot.process.start()
        slot.started_at = time.monotonic()
        slot.sent = None
        log.info("started vision process %d (pid %s)", slot.index, slot.process.pid)

    def _stop_slot(self, slot: _Slot, *, wait: bool = True) -> None:
        if slot.process is None:
            return
        slot.stop.set()
        if wait:
            slot.process.join(STOP_GRACE_S)
            if slot.process.is_alive():
                log.warning("vision process %d did not stop; terminating it", slot.index)
                slot.process.terminate()
                slot.process.join(5)
        slot.queue.close()
        slot.process = None

    def tend(self) -> None:
        """Start, restart and feed the children (called after each refresh and every second)."""
        now = time.monotonic()
        for slot in self.slots:
            specs = [self._specs[cid] for cid in slot.camera_ids]
            if not specs:
                if slot.process is not None:
                    self._stop_slot(slot)
                continue
            if slot.process is not None and not slot.process.is_alive():
                code = slot.process.exitcode
                delay = slot.backoff.next_delay()
                if now - slot.started_at >= STABLE_S:
                    slot.backoff.reset()
                    delay = slot.backoff.next_delay()
                slot.restarts += 1
                slot.restart_at = now + delay
                log.error(
                    "vision process %d died (exit code %s); restarting in %g s",
                    slot.index,
                    code,
                    delay,
                )
                slot.queue.close()
                slot.process = None
            if slot.process is None:
                if now < slot.restart_at:
                    continue
                self._start(slot)
            if slot.sent != specs:
                slot.queue.put(specs)
                slot.sent = specs

    def refresh(self) -> None:
        try:
            specs = list(self.load_cameras())
        except Exception:
            # The database may be migrating or down: keep what runs, try again later.
            log.exception("reading the cameras failed; keeping the current assignment")
            return
        left_over = self.assign(specs)
        over = {s.id for s in left_over}
        if over != self._unassigned and self.report_unassigned is not None:
            message = (
                f"not analysed: this worker runs at most {self.processes} processes x "
                f"{self.per_process} cameras"
            )
            try:
                self.report_unassigned(left_over, message)
            except Exception:
                log.exception("reporting cameras over capacity failed")
        if over:
            log.warning("%d cameras over capacity: %s", len(over), sorted(over))
        self._unassigned = over

    def run(self, stop: threading.Event) -> None:
        next_refresh = next_housekeeping = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_refresh:
                    self.refresh()
                    next_refresh = time.monotonic() + self.refresh_s
                if self.housekeeping is not None and time.monotonic() >= next_housekeeping:
                    next_housekeeping = time.monotonic() + self.housekeeping_s
                    try:
                        self.housekeeping()
                    except Exception:
                        log.exception("vision housekeeping (media retention) failed")
                self.tend()
                stop.wait(1.0)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        for slot in self.slots:
            if slot.stop is not None:
                slot.stop.set()  # all at once, then wait for each
        for slot in self.slots:
            self._stop_slot(slot)


def run_supervisor(supervisor: Supervisor, *, parent_pid: int | None = None) -> int:
    """Run until SIGTERM/SIGINT (the foreground of ``sunshine worker vision``), or, with
    ``parent_pid``, until that process is gone."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping the vision workers", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if parent_pid is not None:
        threading.Thread(
            target=_stop_with_parent, args=(parent_pid, stop), name="vision-parent", daemon=True
        ).start()
    supervisor.run(stop)
    return 0


def _stop_with_parent(parent_pid: int, stop: threading.Event) -> None:
    # A web server killed outright (or one whose signal handling ends it before its cleanup
    # runs) cannot stop us: once it is gone we are re-parented, and the cameras must stop
    # with it rather than go on analysing for nobody.
    while not stop.wait(PARENT_CHECK_S):
        if os.getppid() != parent_pid:
            log.info("the server process %d is gone: stopping the vision workers", parent_pid)
            stop.set()


def embedded_main(processes: int, parent_pid: int | None = None) -> None:
    """Entry of the supervisor process that ``sunshine serve`` starts beside the web server."""
    from sunshine.workers.vision.db_sink import build_supervisor

    logging.basicConfig(level=logging.INFO, format="%(asctime)s vision %(name)s %(message)s")
    supervisor = build_supervisor(processes=processes, shard=None)
    run_supervisor(supervisor, parent_pid=parent_pid)
