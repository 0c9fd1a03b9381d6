"""Command line: ``sunshine serve | db upgrade | demo | regions load | audit verify | worker``."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sunshine.config import get_settings


class Progress:
    """A plain progress bar on stderr (no dependency, works in CI logs)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = max(total, 1), label, 0
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last < 0.5 and self.done < self.total:
            return
        self._last = now
        width = 30
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        rate = self.done / max(now - self.started, 1e-6)
        sys.stderr.write(f"\r{self.label} [{bar}] {self.done}/{self.total} ({rate:,.0f}/s)")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _ensure_sqlite_dir() -> None:
    url = get_settings().database_url
    if (url.startswith("sqlite:///") and not url.startswith("sqlite:////")) or url.startswith(
        "sqlite:////"
    ):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sunshine.core.db import get_engine
    from sunshine.core.migrate import upgrade

    _ensure_sqlite_dir()
    upgrade(get_engine(), args.revision)
    print(f"database at {args.revision}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the portals and the API.

    Embedded mode (no ``SUNSHINE_REDIS_URL``, jobs not immediate): before uvicorn starts, this
    process starts a Huey consumer in daemon threads (``--job-threads``, default 2) that works
    the SQLite queue file beside the database, so ``make run`` processes imports with no second
    process. The consumer installs no signal handlers: uvicorn handles Ctrl-C/SIGTERM, and when
    it returns the consumer is stopped gracefully (running jobs finish, up to 30 s). With
    ``--job-threads 0``, or with Redis configured, run ``sunshine worker`` instead.
    """
    import uvicorn

    from sunshine.core import jobs

    settings = get_settings()
    if settings.redis_url is None and args.workers > 1 and not settings.is_sqlite:
        print(
            "note: without SUNSHINE_REDIS_URL each worker keeps its own rate limits",
            file=sys.stderr,
        )
    consumer = None
    if jobs.runs_embedded(settings) and args.job_threads > 0:
        _ensure_sqlite_dir()
        consumer = jobs.start_embedded_consumer(workers=args.job_threads)
        print(
            f"jobs: in-process consumer ({args.job_threads} threads) on "
            f"{jobs.queue_path(settings)}",
            file=sys.stderr,
        )
    vision = None
    processes = _vision_processes(args.vision_processes)
    if jobs.runs_embedded(settings) and processes > 0:
        _ensure_sqlite_dir()
        vision = _start_embedded_vision(processes)
        print(
            f"vision: camera workers in a child process ({processes} processes)",
            file=sys.stderr,
        )
    # uvicorn ends a graceful shutdown by raising the signal again with the handler found at
    # start: the default one would end this process before the finally below stops the
    # camera workers and the job consumer, so SIGTERM unwinds as an exception instead.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(
            "sunshine.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=True,
            forwarded_allow_ips=args.trusted_proxy,
            access_log=args.access_log,
            log_level="info",
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        if consumer is not None:
            consumer.stop(graceful=True)
        if vision is not None:
            vision.terminate()  # SIGTERM: the supervisor stops its workers, then itself
            vision.join(20)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Consume the job queue (Redis, or the SQLite queue file) until SIGINT/SIGTERM; with
    ``vision``, run the camera analysis workers instead."""
    import logging

    from sunshine.core import jobs

    if args.kind == "vision":
        return _run_vision_workers(args)
    settings = get_settings()
    if settings.jobs_immediate:
        print("SUNSHINE_JOBS_IMMEDIATE is set: jobs run in the caller, no worker needed")
        return 2
    _ensure_sqlite_dir()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    where = "Redis" if settings.redis_url else str(jobs.queue_path(settings))
    print(f"worker: consuming {where} with {args.workers} {args.worker_type} workers")
    jobs.create_consumer(workers=args.workers, worker_type=args.worker_type).run()
    return 0


def _run_vision_workers(args: argparse.Namespace) -> int:
    import logging

    from sunshine.workers.vision.db_sink import build_supervisor
    from sunshine.workers.vision.supervisor import parse_shard, run_supervisor

    try:
        shard = parse_shard(args.shard)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.processes < 0:
        print("--processes must be 0 (one per core) or more", file=sys.stderr)
        return 2
    _ensure_sqlite_dir()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    supervisor = build_supervisor(processes=args.processes, shard=shard)
    print(
        f"worker: vision, up to {supervisor.processes} processes x "
        f"{supervisor.per_process} cameras" + (f", shard {args.shard}" if shard else "")
    )
    return run_supervisor(supervisor)


def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _vision_processes(asked: int | None) -> int:
    """Processes of the embedded camera workers: as asked, else the setting, else one per
    core (the demo's 12 cameras need two processes of at most 8 cameras)."""
    if asked is not None:
        return max(0, asked)
    from sunshine.workers.vision.supervisor import default_processes

    return get_settings().vision_processes or default_processes()


def _start_embedded_vision(processes: int) -> Any:
    """The vision supervisor as a child process beside uvicorn (embedded mode)."""
    import multiprocessing

    from sunshine.workers.vision.supervisor import embedded_main

    context = multiprocessing.get_context("spawn")
    # Not a daemon: the supervisor starts worker processes of its own.
    process = context.Process(
        target=embedded_main, args=(processes, os.getpid()), name="sunshine-vision", daemon=False
    )
    process.start()
    return process


def _write_accounts(path: str, accounts: Sequence[object]) -> None:
    data = [a.as_json() for a in accounts]  # type: ignore[attr-defined]
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def print_accounts(accounts: Sequence[object]) -> None:
    print("\nDemo accounts (password for all: see column):")
    print(f"  {'username':<14}{'role':<20}{'password':<16}{'where'}")
    for a in accounts:
        where = getattr(a, "org_unit", None) or f"business #{getattr(a, 'business_id', '')}"
        print(
            f"  {a.username:<14}{a.role.value:<20}{a.password:<16}"  # type: ignore[attr-defined]
            f"{where} ({getattr(a, 'note', '')})"
        )


def cmd_demo(args: argparse.Namespace) -> int:
    from sunshine.core.db import unit_of_work
    from sunshine.core.time import today_local
    from sunshine.demo import seed
    from sunshine.demo.status import existing_demo_accounts, has_businesses

    settings = get_settings()
    if not settings.demo:
        print("refusing to seed demo data: set SUNSHINE_DEMO=1 (demo mode)", file=sys.stderr)
        return 2
    province = args.province or settings.default_province
    with unit_of_work() as session:
        if has_businesses(session):
            if args.if_empty:
                accounts = existing_demo_accounts(session)
                print("demo data already present: keeping it")
                if args.accounts_json:
                    _write_accounts(args.accounts_json, accounts)
                print_accounts(accounts)
                return 0
            print("the database already holds businesses; use a fresh database", file=sys.stderr)
            return 2
    started = time.monotonic()
    progress = Progress(args.businesses, "businesses")
    with unit_of_work() as session:
        from sunshine.auth.principal import SYSTEM
        from sunshine.inspections.checklists import load_bundled

        load_bundled(session=session, actor=SYSTEM)  # the national inspection checklists
        result = seed.seed_province(
            session=session,
            province_code=province,
            businesses=args.businesses,
            seed=args.seed,
            today=today_local(),
            progress=progress,
        )
        if not args.no_activity:
            from sunshine.demo.activity import seed_activity

            activity = seed_activity(
                session=session, result=result, seed=args.seed, today=today_local()
            )
            print(
                f"activity: {activity.cases} cases, {activity.reviews} reviews, "
                f"{activity.complaints} complaints, {activity.reports} reports, "
                f"{activity.policies} insurance policies, {activity.messages} inbox messages"
            )
    elapsed = time.monotonic() - started
    print(
        f"seeded {result.businesses} businesses and {result.staff} staff in {province} "
        f"in {elapsed:.1f}s (regions added {result.regions_added}, offices "
        f"{result.org_units_added}; demo counties {', '.join(result.focus_counties)})"
    )
    if args.accounts_json:
        _write_accounts(args.accounts_json, result.accounts)
    print_accounts(result.accounts)
    return 0


def cmd_regions_load(args: argparse.Namespace) -> int:
    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work
    from sunshine.regions import service

    with unit_of_work() as session:
        loaded = service.load_province(session=session, actor=SYSTEM, province_code=args.code)
        units = 0
        if args.org_units:
            units = service.build_org_units(session=session, actor=SYSTEM, province_code=args.code)
    print(
        f"{args.code}: {loaded.added} divisions added ({loaded.present} already present), "
        f"{units} regulator offices created"
    )
    return 0


def cmd_checklists_load(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work
    from sunshine.inspections import checklists

    if not args.files and not args.bundled:
        print("name checklist files, or --bundled for the shipped national tables", file=sys.stderr)
        return 2
    activate = {"active": True, "draft": False}.get(args.status)
    with unit_of_work() as session:
        loaded = checklists.load_bundled(session=session, actor=SYSTEM) if args.bundled else []
        for name in args.files:
            data = Path(name).read_bytes()
            loaded.append(
                checklists.load_checklist(
                    session=session, actor=SYSTEM, data=data, activate=activate
                )
            )
        for c in loaded:
            shown = checklists.view(session=session, actor=SYSTEM, checklist_id=c.id)
            print(
                f"loaded {c.code} {c.version} ({c.jurisdiction}): {c.status.value}, "
                f"{shown.item_count} items ({shown.key_count} key)"
            )
    if not loaded:
        print("nothing new to load")
    return 0


def cmd_lives_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work
    from sunshine.core.errors import ValidationFailed
    from sunshine.inspections import lives

    folder = Path(args.dir)
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}
    try:
        with unit_of_work() as session:
            report = lives.import_feed(
                session=session,
                actor=SYSTEM,
                files=files,
                region_code=args.region,
                encoding=args.encoding,
                skip_invalid=args.skip_invalid,
            )
    except ValidationFailed as exc:
        print("refused, nothing imported:", file=sys.stderr)
        for problem in exc.problems:
            row = f" row {problem.row}" if problem.row is not None else ""
            print(f"  {problem.field}{row}: {problem.text}", file=sys.stderr)
        return 1
    print(
        f"imported into {args.region}: {report.businesses} businesses, {report.inspections} "
        f"inspections, {report.violations} violations (replaced {report.replaced} businesses "
        f"of an earlier feed); {report.skipped_rows} rows skipped"
    )
    for problem in report.problems:
        print(f"  skipped {problem.field} row {problem.row}: {problem.text}")
    return 0


def cmd_lives_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work
    from sunshine.inspections import lives

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    with unit_of_work() as session:
        files = lives.export_feed(session=session, actor=SYSTEM, region_code=args.region)
    for name, data in files.items():
        (folder / name).write_bytes(data)
        rows = data.count(b"\n") - 1  # the header is not a row
        print(f"{folder / name}: {rows} rows")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from sunshine.audit import service
    from sunshine.core.db import unit_of_work

    with unit_of_work() as session:
        result = service.verify(session=session)
    if result.ok:
        print(f"audit trail intact: {result.checked} entries verified")
        return 0
    print(f"audit trail BROKEN at entry {result.broken_seq}: {result.reason}", file=sys.stderr)
    return 1


def _add_lives_commands(sub: Any) -> None:
    lives_cmd = sub.add_parser("lives", help="inspection data in the LIVES open-data format")
    lives_sub = lives_cmd.add_subparsers(dest="lives", required=True)
    lives_in = lives_sub.add_parser("import", help="import a feed's CSV files from DIR")
    lives_in.add_argument("dir")
    lives_in.add_argument("--region", required=True, help="the region the businesses belong to")
    lives_in.add_argument("--encoding", default="utf-8", help="the files' text encoding")
    lives_in.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and report the others (default: refuse the whole feed)",
    )
    lives_in.set_defaults(func=cmd_lives_import)
    lives_out = lives_sub.add_parser("export", help="write a region's feed into DIR")
    lives_out.add_argument("dir")
    lives_out.add_argument("--region", required=True)
    lives_out.set_defaults(func=cmd_lives_export)


def _add_worker_command(sub: Any) -> None:
    worker = sub.add_parser(
        "worker", help="run background jobs (imports, ...) from the queue, or the camera workers"
    )
    worker.add_argument(
        "kind",
        nargs="?",
        choices=("jobs", "vision"),
        default="jobs",
        help="jobs: the job queue (default); vision: camera analysis",
    )
    worker.add_argument("--workers", type=int, default=2)
    worker.add_argument("--worker-type", choices=("thread", "process"), default="thread")
    worker.add_argument(
        "--processes", type=int, default=0, help="vision: worker processes (0: setting/cores)"
    )
    worker.add_argument("--shard", default=None, help="vision: cameras with id %% n == i (i/n)")
    worker.set_defaults(func=cmd_worker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sunshine", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API and the three portals")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--trusted-proxy", default="127.0.0.1")
    serve.add_argument("--access-log", action="store_true")
    serve.add_argument(
        "--job-threads",
        type=int,
        default=2,
        help="in-process job threads in embedded mode (0: run `sunshine worker` instead)",
    )
    serve.add_argument(
        "--vision-processes",
        type=int,
        default=None,
        help="camera analysis processes started beside the server in embedded mode "
        "(default: SUNSHINE_VISION_PROCESSES or one per core; 0: off)",
    )
    serve.set_defaults(func=cmd_serve)

    _add_worker_command(sub)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="apply the migrations")
    up.add_argument("revision", nargs="?", default="heads")
    up.set_defaults(func=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="seed a realistic demo province (demo mode only)")
    demo.add_argument("--businesses", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--province", default=None)
    demo.add_argument("--accounts-json", default=None)
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (but print the accounts) when data is already there",
    )
    demo.add_argument(
        "--no-activity",
        action="store_true",
        help="only the registry: no cases, reviews, complaints, reports or messages",
    )
    demo.set_defaults(func=cmd_demo)

    regions = sub.add_parser("regions", help="administrative divisions").add_subparsers(
        dest="regions", required=True
    )
    load = regions.add_parser("load", help="load a province's divisions (e.g. 500000)")
    load.add_argument("code")
    load.add_argument("--no-org-units", dest="org_units", action="store_false")
    load.set_defaults(func=cmd_regions_load)

    lists = sub.add_parser("checklists", help="inspection checklists (检查要点表)")
    lists_sub = lists.add_subparsers(dest="checklists", required=True)
    load_lists = lists_sub.add_parser(
        "load", help="load checklist files (sunshine-checklist/1 JSON), all or nothing"
    )
    load_lists.add_argument("files", nargs="*")
    load_lists.add_argument(
        "--bundled", action="store_true", help="the shipped national tables not loaded yet"
    )
    load_lists.add_argument(
        "--status",
        choices=("file", "active", "draft"),
        default="file",
        help="active: put in force (retires the version in force); default: as the file says",
    )
    load_lists.set_defaults(func=cmd_checklists_load)

    _add_lives_commands(sub)

    audit = sub.add_parser("audit", help="audit trail").add_subparsers(dest="audit", required=True)
    verify = audit.add_parser("verify", help="check the hash chain; non-zero if broken")
    verify.set_defaults(func=cmd_audit_verify)

    from sunshine.api.open311.cli import add_commands as add_open311_commands

    add_open311_commands(sub)
    from sunshine.inspections.draws_cli import add_commands as add_draw_commands

    add_draw_commands(sub)
    from sunshine.inspections.hygiene_cli import add_commands as add_hygiene_commands

    add_hygiene_commands(sub)
    from sunshine.workers.vision.cli import add_vision_commands

    add_vision_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from sunshine.core.errors import DomainError

    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except DomainError as exc:
        print(f"error: {exc.text}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
