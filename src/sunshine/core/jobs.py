"""Background jobs on one Huey queue, chosen by the settings.

Which queue runs the jobs:

* ``SUNSHINE_REDIS_URL`` set: a Redis queue (:class:`huey.RedisHuey`). Server deployments
  run ``sunshine worker`` processes beside the web processes.
* otherwise (embedded, ``make run``): a SQLite queue file next to the SQLite database
  (``var/sunshine.sqlite3`` -> ``var/sunshine.jobs.sqlite3``; ``var/jobs.sqlite3`` when the
  database is not a SQLite file). ``sunshine serve`` then runs the consumer in threads of its
  own process (:func:`start_embedded_consumer`), so no second process is needed.
* ``SUNSHINE_JOBS_IMMEDIATE=1``: no queue at all, a job runs synchronously inside the call
  that enqueues it (tests, debugging).

Jobs are plain functions registered with :func:`job` under a ``domain.verb`` name
(``registry.import_file``). They take ids, never objects, and open their own unit of work
(:func:`sunshine.core.db.unit_of_work`). Enqueue with :func:`enqueue` only after the
transaction that wrote the job's input has committed, or the worker may not see it.

The Huey instance is built lazily on first use, so importing a module that defines jobs
reads no settings; :func:`reset` forgets it (tests that change the settings).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from sunshine.config import Settings, get_settings

log = logging.getLogger(__name__)

QUEUE_NAME = "sunshine"
#: Modules whose import registers jobs; the worker imports them before consuming.
JOB_MODULES = (
    "sunshine.registry.tasks",
    "sunshine.cases.tasks",
    "sunshine.notifications.tasks",
    "sunshine.cogovernance.submissions.tasks",
    "sunshine.cogovernance.complaints.tasks",
    "sunshine.traceability.epcis.tasks",
    "sunshine.ingredients.tasks",
    "sunshine.ingredients.analytics_tasks",
)

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    lock = threading.Lock()
    jobs: dict[str, Callable[..., Any]] = {}  # noqa: RUF012 - process-wide registry
    schedules: dict[str, dict[str, str]] = {}  # noqa: RUF012 - name -> crontab fields
    huey: Huey | None = None
    wrappers: dict[str, Any] = {}  # noqa: RUF012 - name -> huey TaskWrapper


def job(name: str) -> Callable[[F], F]:
    """Register ``func`` as the job ``name`` (``domain.verb``); the function is returned as is.

    The function stays directly callable (tests call it to run a job in the foreground).
    """
    if name.count(".") != 1:
        raise ValueError(f"a job is named domain.verb, got {name!r}")

    def decorator(func: F) -> F:
        with _State.lock:
            known = _State.jobs.get(name)
            if known is not None and known.__qualname__ != func.__qualname__:
                raise ValueError(f"two jobs are named {name!r}")
            _State.jobs[name] = func
            if _State.huey is not None:
                _State.wrappers[name] = _State.huey.task(name=name)(func)
        return func

    return decorator


def periodic_job(name: str, **crontab_fields: str) -> Callable[[F], F]:
    """Register ``func`` as the job ``name`` run on a schedule (Huey crontab fields, local
    server time: ``minute="*/15"``). The consumer of ``sunshine worker`` or ``sunshine
    serve`` runs it; the function stays directly callable."""

    def decorator(func: F) -> F:
        job(name)(func)
        with _State.lock:
            _State.schedules[name] = dict(crontab_fields)
            if _State.huey is not None:
                _schedule(_State.huey, name, func)
        return func

    return decorator


def _schedule(huey: Huey, name: str, func: Callable[..., Any]) -> None:
    huey.periodic_task(crontab(**_State.schedules[name]), name=f"{name}.periodic")(func)


def scheduled_jobs() -> dict[str, dict[str, str]]:
    """Every periodic job with its crontab fields (after the job modules are imported)."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_State.schedules)


def queue_path(settings: Settings) -> Path:
    """The SQLite queue file: next to the SQLite database file, else ``var/jobs.sqlite3``."""
    url = settings.database_url.split("?", 1)[0]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        database = Path(url.removeprefix("sqlite:///"))
        return database.with_name(f"{database.stem}.jobs.sqlite3")
    return Path("var/jobs.sqlite3")


def build_huey(settings: Settings) -> Huey:
    """A Huey instance for ``settings`` (no jobs registered on it yet)."""
    if settings.jobs_immediate:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    path = queue_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def get_huey() -> Huey:
    """The process-wide Huey instance, with every job of :data:`JOB_MODULES` registered."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    with _State.lock:
        if _State.huey is None:
            huey = build_huey(get_settings())
            _State.wrappers = {name: huey.task(name=name)(f) for name, f in _State.jobs.items()}
            for name in _State.schedules:
                _schedule(huey, name, _State.jobs[name])
            _State.huey = huey
        return _State.huey


def reset() -> None:
    """Forget the Huey instance; the next use builds one from the current settings."""
    with _State.lock:
        _State.huey = None
        _State.wrappers = {}


def enqueue(name: str, *args: int | str) -> None:
    """Put the job ``name`` with ``args`` (ids) on the queue (or run it now when immediate)."""
    get_huey()
    wrapper = _State.wrappers.get(name)
    if wrapper is None:
        raise LookupError(f"no job named {name!r}")
    wrapper(*args)


def runs_embedded(settings: Settings) -> bool:
    """Whether ``sunshine serve`` should consume the queue itself (no Redis, not immediate)."""
    return settings.redis_url is None and not settings.jobs_immediate


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A Huey consumer that lives in threads of another program (the web server).

    The host program owns the process signals, so the consumer installs no handlers; the
    host calls :meth:`stop` when it shuts down.
    """

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_consumer(*, workers: int = 2) -> Consumer:
    """Start consuming the queue in daemon threads of this process and return the consumer.

    ``sunshine serve`` calls it before starting uvicorn when :func:`runs_embedded`; after the
    server exits it calls ``consumer.stop(graceful=True)``, which waits for running jobs.
    """
    consumer = EmbeddedConsumer(
        get_huey(),
        workers=workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=False,
        shutdown_timeout=30,
    )
    consumer.start()
    log.info("in-process job consumer started with %d worker threads", workers)
    return consumer


def create_consumer(*, workers: int, worker_type: str = "thread") -> Consumer:
    """A consumer for ``sunshine worker`` (it installs signal handlers and blocks in ``run``)."""
    return get_huey().create_consumer(workers=workers, worker_type=worker_type, periodic=True)
