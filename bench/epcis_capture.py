"""Benchmark: bulk EPCIS capture into PostgreSQL (issue 5 §9; target: at least 20,000
events/s).

Prepares its own database (migrations and a small demo province of 2,000 businesses, once),
then captures ``--documents`` EPCIS documents of ``--events`` ObjectEvents each, the way the
capture endpoint and its job do it, through the product's own service: ``capture_document``
(read the JSON, validate every event, keep the capture) and ``run_capture`` (the event
hash of each event, the duplicates left out, the events and their query indexes inserted),
each document in its own transaction, committed. ``--workers`` processes capture at once
(the capture job runs on that many queue workers), each its own share of the documents.

The events are realistic receiving and shipping events of the capturing business with the
demo's other businesses: a lot class (LGTIN), quantity and unit, source and destination
parties (the platform's party URNs, so each event's viewers are resolved; the capturer is the
destination of what it receives and the source of what it ships, as a business captures its
own ledger), a bizTransaction and ILMD; every event is new (distinct lots and times).
Writes bench/results/epcis_capture-postgresql.json.

    python bench/epcis_capture.py --documents 40 --events 5000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import PG_URL, RESULTS, ROOT, env_for, machine, prepare_database
from sqlalchemy import func, select, text

DATABASE = "sunshine_bench_epcis"
CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


def _gtin(n: int) -> str:
    body = f"0690{n:09d}"  # a 13-digit body of a GS1 China prefix (069), check digit next
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _event(
    rng: random.Random, n: int, own: str, parties: list[str], start: datetime
) -> dict[str, Any]:
    # A business captures its own receipts (it is the destination) and shipments (the
    # source); the other party is one of the demo's businesses.
    receiving = n % 2 == 0
    other = rng.choice(parties)
    source, destination = (other, own) if receiving else (own, other)
    at = start + timedelta(seconds=n)
    return {
        "type": "ObjectEvent",
        "eventTime": at.isoformat().replace("+00:00", "+08:00"),
        "eventTimeZoneOffset": "+08:00",
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "receiving" if receiving else "shipping",
        "disposition": "in_progress" if receiving else "in_transit",
        "quantityList": [
            {
                "epcClass": f"https://id.gs1.org/01/{_gtin(n % 5000)}/10/L{n:09d}",
                "quantity": rng.randint(1, 200),
                "uom": "KGM",
            }
        ],
        "sourceList": [{"type": "owning_party", "source": source}],
        "destinationList": [{"type": "owning_party", "destination": destination}],
        "bizTransactionList": [{"type": "inv", "bizTransaction": f"urn:sunshine:inv:{n:09d}"}],
        "ilmd": {"cbvmda:itemExpirationDate": (at + timedelta(days=180)).date().isoformat()},
    }


def _document(rng: random.Random, first: int, count: int, own: str, parties: list[str]) -> bytes:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return json.dumps(
        {
            "@context": [CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": datetime.now(UTC).isoformat(),
            "epcisBody": {
                "eventList": [_event(rng, first + k, own, parties, start) for k in range(count)]
            },
        }
    ).encode()


def _setup() -> tuple[Any, str, list[str]]:
    """The capturing principal, its business's party URN and 200 other businesses'."""
    from sunshine.auth import repository as auth_repo
    from sunshine.auth import service as auth_service
    from sunshine.core.db import unit_of_work
    from sunshine.registry.models import Business

    with unit_of_work() as session:
        user = auth_repo.get_user_by_username(session, "owner_a")
        assert user is not None
        actor = auth_service.principal_for(session, user)
        own = session.execute(
            select(Business.public_code).where(Business.id == actor.business_id)
        ).scalar_one()
        codes = list(
            session.execute(
                select(Business.public_code).where(Business.id != actor.business_id).limit(200)
            ).scalars()
        )
    return actor, f"urn:sunshine:party:{own}", [f"urn:sunshine:party:{c}" for c in codes]


def _worker(args: tuple[int, int, int, int]) -> dict[str, float]:
    """Capture documents ``first_doc``.. of this worker; return the time each stage took."""
    worker, first_doc, documents, events = args
    from sunshine.core.db import unit_of_work
    from sunshine.traceability.epcis import service

    actor, own, parties = _setup()
    rng = random.Random(worker)
    bodies = [
        _document(rng, (first_doc + d) * events, events, own, parties) for d in range(documents)
    ]
    parsing = storing = parsing_cpu = storing_cpu = 0.0
    backends: dict[int, float] = {}
    for body in bodies:
        started, started_cpu = time.perf_counter(), time.process_time()
        with unit_of_work() as session:
            _note_backend(session, backends)
            capture = service.capture_document(
                session=session, actor=actor, body=body, behaviour="rollback"
            )
            capture_id = capture.id
        parsed, parsed_cpu = time.perf_counter(), time.process_time()
        with unit_of_work() as session:
            _note_backend(session, backends)
            done = service.run_capture(session=session, capture_id=capture_id)
            assert done is not None and done.stored_count == events, done
        stored, stored_cpu = time.perf_counter(), time.process_time()
        parsing += parsed - started
        storing += stored - parsed
        parsing_cpu += parsed_cpu - started_cpu
        storing_cpu += stored_cpu - parsed_cpu
    backend_cpu = [_cpu_seconds(pid) for pid in backends]
    return {
        "parse_s": parsing,
        "store_s": storing,
        "python_cpu_parse_s": parsing_cpu,
        "python_cpu_store_s": storing_cpu,
        "postgres_backend_cpu_s": (
            sum(c - backends[pid] for pid, c in zip(backends, backend_cpu, strict=True))
            if None not in backend_cpu
            else -1.0
        ),
    }


def _note_backend(session: Any, backends: dict[int, float]) -> None:
    """Remember the PostgreSQL backend serving this session with its CPU time so far."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    if pid not in backends:
        backends[pid] = _cpu_seconds(pid) or 0.0


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) of a local process, from /proc; None elsewhere."""
    path = Path(f"/proc/{pid}/stat")
    if not path.exists():
        return None
    fields = path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_per_event(stages: list[dict[str, float]], total: int) -> dict[str, float]:
    def per_event(key: str) -> float:
        values = [s[key] for s in stages]
        return -1.0 if min(values) < 0 else round(sum(values) / total * 1e6, 1)

    return {
        "python_accepting": per_event("python_cpu_parse_s"),
        "python_storing": per_event("python_cpu_store_s"),
        "postgres_backends": per_event("postgres_backend_cpu_s"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    url = PG_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    prepare = prepare_database("postgresql", url, 2000)
    os.environ.update(env_for("postgresql", url))
    os.environ.pop("SUNSHINE_REDIS_URL", None)  # in process: no queue needed
    from sunshine.core.db import unit_of_work

    with unit_of_work() as session:
        # The index tables have no foreign keys to cascade along (see the models).
        session.execute(
            text(
                "TRUNCATE epcis_events, epcis_event_epcs, epcis_event_quantities, "
                "epcis_event_biz_transactions, epcis_event_parties, epcis_event_viewers"
            )
        )
        session.execute(text("DELETE FROM epcis_captures"))
    per_worker = args.documents // args.workers
    jobs = [(w, w * per_worker, per_worker, args.events) for w in range(args.workers)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        stages = pool.map(_worker, jobs)
    elapsed = time.perf_counter() - started
    total = per_worker * args.workers * args.events
    with unit_of_work() as session:
        from sunshine.traceability.epcis.models import EpcisEvent

        stored = session.execute(select(func.count()).select_from(EpcisEvent)).scalar_one()
    # The wall time includes building the documents in the workers; the rate counts the
    # capture itself (the slowest worker's parse + store), the figure the target is about.
    capture_s = max(s["parse_s"] + s["store_s"] for s in stages)
    report = {
        "benchmark": "epcis_capture",
        "backend": "postgresql",
        "target": {"events_per_s_min": 20000},
        "what": "capture_document + run_capture in process, each document its own "
        "transaction, committed; workers in parallel",
        "machine": machine(),
        "prepare": prepare,
        "documents": per_worker * args.workers,
        "events_per_document": args.events,
        "workers": args.workers,
        "events": total,
        "stored": stored,
        "capture_seconds": round(capture_s, 2),
        "events_per_s": round(total / capture_s),
        "stages": [{k: round(v, 2) for k, v in s.items()} for s in stages],
        # CPU per event: the workers' Python (accepting, storing) and their PostgreSQL
        # backends (the server's background processes, autovacuum and the WAL writer, are
        # not counted); -1 when the server is not on this machine.
        "cpu_us_per_event": _cpu_per_event(stages, total),
        "wall_seconds_with_document_building": round(elapsed, 2),
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    print(
        f"{total} events in {capture_s:.1f} s: {total / capture_s:,.0f} events/s "
        f"({args.workers} workers); stored {stored}; CPU per event in µs: "
        f"{report['cpu_us_per_event']}"
    )
    if not args.no_write:
        out = RESULTS / "epcis_capture-postgresql.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
