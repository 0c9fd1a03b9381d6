"""One vision worker process: the cameras its supervisor gives it, until told to stop.

The supervisor starts this with ``multiprocessing`` (spawn) and sends the process's camera
list over a queue whenever it changes. A libav crash kills only this process; the supervisor
notices and starts a new one.

The sink is named by a ``"module:function"`` path so that a spawned process can build it
itself (database sessions and threads do not cross a process boundary): the default is the
database adapter, the tests and the benchmark pass their own.
"""

from __future__ import annotations

import importlib
import logging
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sunshine.workers.vision.runtime import (
    CameraSpec,
    EventSink,
    MediaGate,
    RuntimeSettings,
    Toolkit,
    VisionRuntime,
    default_toolkit,
)

log = logging.getLogger("sunshine.vision.process")

DEFAULT_SINK = "sunshine.workers.vision.db_sink:make_sink"


@dataclass(frozen=True)
class ProcessOptions:
    """Everything a child needs, picklable."""

    runtime: RuntimeSettings
    models_dir: Path
    models_fetch: bool
    sink: str = DEFAULT_SINK  # "module:function" returning (EventSink, MediaGate | None)
    toolkit: str | None = None  # "module:function" returning a Toolkit (tests); None: real
    log_level: int = logging.INFO


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    if not module or not name:
        raise ValueError(f"expected 'module:function', got {path!r}")
    return getattr(importlib.import_module(module), name)


def single_threaded() -> None:
    """One compute thread per library: a process serves several cameras on one core, and
    thread pools of ONNX Runtime, OpenCV and BLAS would only fight over it."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    import cv2

    cv2.setNumThreads(1)


def build_runtime(options: ProcessOptions) -> VisionRuntime:
    sink: EventSink
    media: MediaGate | None
    sink, media = _load(options.sink)()
    toolkit: Toolkit = (
        _load(options.toolkit)()
        if options.toolkit
        else default_toolkit(models_dir=options.models_dir, fetch=options.models_fetch)
    )
    return VisionRuntime(sink=sink, toolkit=toolkit, settings=options.runtime, media=media)


def child_main(
    index: int,
    cameras: queue.Queue[list[CameraSpec]],
    stop: Any,  # multiprocessing.Event
    options: ProcessOptions,
) -> None:
    """Entry point of a spawned worker process."""
    logging.basicConfig(
        level=options.log_level, format=f"%(asctime)s vision[{index}] %(name)s %(message)s"
    )
    single_threaded()
    runtime = build_runtime(options)
    supervisor = os.getppid()
    log.info("vision process %d started (pid %d)", index, os.getpid())
    try:
        while not stop.is_set():
            if os.getppid() != supervisor:
                # The supervisor was killed outright: nobody would restart or stop us.
                log.warning("vision process %d: the supervisor is gone, stopping", index)
                break
            latest: list[CameraSpec] | None = None
            while True:  # only the newest camera list matters
                try:
                    latest = cameras.get_nowait()
                except queue.Empty:
                    break
            if latest is not None:
                runtime.apply(latest)
                log.info("vision process %d: %d cameras", index, len(latest))
            stop.wait(runtime.run_once())
    finally:
        runtime.close()
        log.info("vision process %d stopped", index)


def run_in_thread(
    options: ProcessOptions, specs: list[CameraSpec]
) -> tuple[VisionRuntime, threading.Event, threading.Thread]:
    """The same loop in a thread of this process (benchmark, debugging)."""
    runtime = build_runtime(options)
    runtime.apply(specs)
    stop = threading.Event()
    thread = threading.Thread(target=runtime.run, args=(stop,), name="vision-loop", daemon=True)
    thread.start()
    return runtime, stop, thread
