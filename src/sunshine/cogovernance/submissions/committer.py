"""Group commit: many concurrent submissions written by one transaction.

A request hands its checked submission to :meth:`GroupCommitter.submit` and waits. The first
waiter starts a flush after a short gathering window (or at once when the batch is full); the
flush writes the whole batch in one transaction in a handler thread and answers every waiter
with its own outcome. The sender gets a receipt code only after the commit, so an accepted
submission is durable; if the transaction fails, every waiter of that batch gets the error
and nothing of the batch is kept.

One committer lives per process (per event loop); the time a request waits for its batch
(a few milliseconds) buys one round trip to the database per batch instead of per request.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from sunshine.cogovernance.submissions import service, tasks
from sunshine.cogovernance.submissions.service import Accepted, Incoming, Refused
from sunshine.config import get_settings
from sunshine.core.db import unit_of_work

log = logging.getLogger(__name__)

MAX_BATCH = 500
GATHER_S = 0.004  # how long the first waiter waits for others to join its batch


@dataclass
class _Waiting:
    item: Incoming
    future: asyncio.Future[Accepted | Refused]


@dataclass
class GroupCommitter:
    write: Callable[[Sequence[Incoming]], list[Accepted | Refused]]
    max_batch: int = MAX_BATCH
    gather_s: float = GATHER_S
    _queue: list[_Waiting] = field(default_factory=list)
    _flushing: bool = False

    async def submit(self, item: Incoming) -> Accepted | Refused:
        future: asyncio.Future[Accepted | Refused] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(item, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._queue:
                if len(self._queue) < self.max_batch:
                    await asyncio.sleep(self.gather_s)
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                await self._write(batch)
        finally:
            self._flushing = False

    async def _write(self, batch: list[_Waiting]) -> None:
        try:
            outcomes = await run_in_threadpool(self.write, [w.item for w in batch])
        except Exception as exc:  # the whole batch failed: every sender is told
            log.exception("writing a batch of %d submissions failed", len(batch))
            for waiting in batch:
                if not waiting.future.done():
                    waiting.future.set_exception(exc)
            return
        for waiting, outcome in zip(batch, outcomes, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(outcome)


def write_batch(items: Sequence[Incoming]) -> list[Accepted | Refused]:
    """Write and commit one batch (in a handler thread), then ask for its registration."""
    with unit_of_work() as session:
        outcomes = service.accept_batch(session=session, items=items)
    if any(isinstance(o, Accepted) for o in outcomes):
        _Registration.request()
    return outcomes


class _Registration:
    """Asks for the registration job at most every ``interval_s`` per process; a request
    that comes sooner is folded into one asked for at the end of the interval (the job
    drains the queue until it is empty, so one request per interval is enough)."""

    interval_s = 0.5
    lock = threading.Lock()
    last = 0.0
    timer: threading.Timer | None = None

    @classmethod
    def request(cls) -> None:
        if get_settings().jobs_immediate:  # no queue: the job runs in this call
            tasks.request_registration()
            return
        now = time.monotonic()
        with cls.lock:
            wait = cls.last + cls.interval_s - now
            if wait > 0:
                if cls.timer is None:
                    cls.timer = threading.Timer(wait, cls._fire)
                    cls.timer.daemon = True
                    cls.timer.start()
                return
            cls.last = now
        tasks.request_registration()

    @classmethod
    def _fire(cls) -> None:
        with cls.lock:
            cls.timer = None
            cls.last = time.monotonic()
        tasks.request_registration()


_committers: dict[int, GroupCommitter] = {}


def committer() -> GroupCommitter:
    """The committer of the running event loop."""
    loop_id = id(asyncio.get_running_loop())
    found = _committers.get(loop_id)
    if found is None:
        found = GroupCommitter(write=write_batch)
        _committers[loop_id] = found
    return found
