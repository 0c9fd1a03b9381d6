"""Benchmark: inspection records at province scale (issue 4 §10).

Targets, on PostgreSQL with 1 million inspections and 10 million item results:

- a business's history page (the inspector app's business profile, ``/gov/app/businesses/{id}``,
  and the API's ``/api/v1/businesses/{id}/inspections``) p95 at most 100 ms;
- the problem-by-item aggregation (which checklist items fail most) for a province-year at
  most 2 s.

Seeds the demo province (100,000 businesses, its own database, once), then five years of
inspection history (once): 1,000,000 inspections of the businesses, each business inspected
1 to 4 times a year (weights 35/35/20/10 %, about its risk level's frequency), by two
officers of the province, each inspection with 10 item results (a random 10 of the 30
items of the 2016 catering checklist, so 10,000,000 item results, the issue's proportion;
so they are flying inspections, the kind that may check part of the list: the aggregation
then reads every answer of the period, its slowest path, where a routine inspection's
checks are counted from the inspection alone);
each item fails at its own rate between 1 % and 15 %, so some items fail far more than
others, and each inspection's counts and result follow from its items. Rows go in with
PostgreSQL's COPY; the database is analysed afterwards, as autovacuum would.

Then:

- ``history_app`` and ``history_api``: wrk drives the two history views of 2,000 random
  businesses for ``--seconds`` each, 10 connections, the server with 2 uvicorn workers and
  Redis, signed in as the provincial bureau leader (who sees every business);
- ``problems_<scope>_by_item``: the aggregation by checklist item (the repository's
  ``problem_counts``, as the page's main table asks it), and ``problems_<scope>_page_report``:
  the whole page's report (by item, by area and by form), for the last full year of the
  province and of its busiest county, and for the province over five years; in this
  process, repeated ``--repeat`` times after one warm-up, each timed alone.

Writes bench/results/inspections-<backend>.json and prints a summary.

    python bench/inspections.py --backend postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from _common import (
    PG_URL,
    RESULTS,
    ROOT,
    bearer_token,
    env_for,
    machine,
    prepare_database,
    session_cookie,
    start_server,
    stop_server,
    visit_once,
    wrk,
)
from sqlalchemy import func, select, text

from sunshine.auth import access
from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import SYSTEM
from sunshine.core.db import get_engine, unit_of_work
from sunshine.core.time import today_local
from sunshine.inspections import checklists, problems, problems_repository
from sunshine.inspections.models import ChecklistItem, Inspection
from sunshine.inspections.problems_repository import Grouping, ProblemFilter
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business

DATABASE = "sunshine_bench_inspections"
PASSWORD = "Sunshine#2026"  # noqa: S105 - the demo accounts' documented password
INSPECTIONS = 1_000_000
ITEMS_PER_INSPECTION = 10
YEARS = 5
REFERENCE_PREFIX = "BI"
YEARLY_WEIGHTS = ((1, 0.35), (2, 0.35), (3, 0.20), (4, 0.10))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _plan(rng: random.Random, businesses: list[tuple[Any, ...]]) -> Iterator[tuple[Any, date]]:
    """(business, day) for each inspection to make, until there are ``INSPECTIONS``."""
    today = today_local()
    first_year = today.year - YEARS + 1
    made = 0
    counts, weights = zip(*YEARLY_WEIGHTS, strict=True)
    while True:
        for place in businesses:
            for year in range(first_year, today.year + 1):
                last = today if year == today.year else date(year, 12, 31)
                span = (last - date(year, 1, 1)).days
                for _ in range(rng.choices(counts, weights)[0]):
                    yield place, date(year, 1, 1) + timedelta(days=rng.randint(0, span))
                    made += 1
                    if made == INSPECTIONS:
                        return


def _copy_rows(copy: Any, rows: Iterator[tuple[Any, ...]]) -> int:
    n = 0
    for row in rows:
        copy.write_row(row)
        n += 1
    return n


def _rows(
    rng: random.Random,
    items: list[Any],
    officers: list[Any],
    businesses: list[Any],
    checklist_id: int,
    first_id: int,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The inspections, their officers and their item results, as COPY rows."""
    fail_rate = {item_id: rng.uniform(0.01, 0.15) for item_id, _key in items}
    is_key = dict(items)
    inspections: list[tuple[Any, ...]] = []
    pairs: list[tuple[Any, ...]] = []
    results: list[tuple[Any, ...]] = []
    for n, (place, day) in enumerate(_plan(rng, businesses)):
        inspection_id = first_id + n
        chosen = rng.sample(items, ITEMS_PER_INSPECTION)
        failed = [i for i, _k in chosen if rng.random() < fail_rate[i]]
        key_failed = sum(1 for i in failed if is_key[i])
        general_failed = len(failed) - key_failed
        result = (
            "noncompliant"
            if key_failed
            else "basically_compliant"
            if general_failed
            else "compliant"
        )
        officer = rng.sample(officers, 2)
        at = datetime(day.year, day.month, day.day, 2, rng.randint(0, 59), tzinfo=UTC)
        inspections.append(
            (
                inspection_id,
                f"{REFERENCE_PREFIX}{n:09d}",
                place[0],
                checklist_id,
                "flying",
                officer[0][1],
                *place[1:],
                day,
                at,
                at + timedelta(hours=1),
                result,
                key_failed,
                general_failed,
                sum(1 for i, _k in chosen if not is_key[i]),
                0,
                day + timedelta(days=10) if failed else None,
                day + timedelta(days=28),
                "店长",
                "",
                "",
                at + timedelta(hours=1),
            )
        )
        pairs.extend((inspection_id, o[0], k, "") for k, o in enumerate(officer))
        results.extend(
            (inspection_id, i, "fail" if i in failed else "pass", "", "[]") for i, _k in chosen
        )
    return inspections, pairs, results


def seed_history(seed: int) -> dict[str, Any]:
    """The five years of inspections, their officers and item results (skipped when
    present)."""
    with unit_of_work() as session:
        present = session.execute(
            select(func.count()).where(Inspection.reference.startswith(REFERENCE_PREFIX))
        ).scalar_one()
        if present == INSPECTIONS:
            return {"history_seeded_now": False}
        if checklists.in_force(session=session, code="catering", province_code="510000") is None:
            checklists.load_bundled(session=session, actor=SYSTEM)
    started = time.monotonic()
    rng = random.Random(seed)
    with unit_of_work() as session:
        checklist = checklists.in_force(session=session, code="catering", province_code="510000")
        assert checklist is not None
        items = list(
            session.execute(
                select(ChecklistItem.id, ChecklistItem.key)
                .where(ChecklistItem.checklist_id == checklist.id)
                .order_by(ChecklistItem.position)
            ).all()
        )
        officers = list(
            session.execute(
                select(User.id, User.org_unit_id).where(
                    User.role.in_([Role.INSPECTOR, Role.STATION_CHIEF]),
                    User.org_unit_id.is_not(None),
                )
            ).all()
        )
        businesses = session.execute(
            select(
                Business.id,
                Business.province_code,
                Business.prefecture_code,
                Business.county_code,
                Business.township_code,
            ).order_by(Business.id)
        ).all()
        first_id = (session.execute(select(func.max(Inspection.id))).scalar_one() or 0) + 1
    raw = get_engine().raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            # What an interrupted seeding left (the children first).
            made_here = "SELECT id FROM inspections WHERE reference LIKE %s"
            for child in ("inspection_item_results", "inspection_inspectors"):
                cursor.execute(
                    f"DELETE FROM {child} WHERE inspection_id IN ({made_here})",  # noqa: S608
                    (REFERENCE_PREFIX + "%",),
                )
            cursor.execute(
                "DELETE FROM inspections WHERE reference LIKE %s", (REFERENCE_PREFIX + "%",)
            )
            inspections, pairs, results = _rows(
                rng, items, officers, list(businesses), checklist.id, first_id
            )
            columns = (
                "id, reference, business_id, checklist_id, kind, org_unit_id, province_code,"
                " prefecture_code, county_code, township_code, inspected_on, started_at,"
                " finished_at, result, key_failed, general_failed, general_checked,"
                " not_applicable, rectify_by, publish_by, representative_name,"
                " representative_signature, remarks, recorded_at"
            )
            with cursor.copy(f"COPY inspections ({columns}) FROM STDIN") as copy:
                made = _copy_rows(copy, iter(inspections))
            with cursor.copy(
                "COPY inspection_inspectors (inspection_id, user_id, position, signature)"
                " FROM STDIN"
            ) as copy:
                _copy_rows(copy, iter(pairs))
            with cursor.copy(
                "COPY inspection_item_results (inspection_id, item_id, outcome, note, photos)"
                " FROM STDIN"
            ) as copy:
                result_rows = _copy_rows(copy, iter(results))
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('inspections', 'id'),"
                " (SELECT max(id) FROM inspections))"
            )
        connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE inspections")
            cursor.execute("VACUUM ANALYZE inspection_item_results")
            cursor.execute("VACUUM ANALYZE inspection_inspectors")
    finally:
        raw.close()
    return {
        "history_seeded_now": True,
        "history_seed_seconds": round(time.monotonic() - started, 1),
        "inspections_made": made,
        "item_results_made": result_rows,
    }


def describe() -> dict[str, Any]:
    with unit_of_work() as session:
        version = session.execute(text("SHOW server_version")).scalar_one()
        counts = {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in ("businesses", "inspections", "inspection_item_results")
        }
    return {**counts, "database": {"version": version}}


def history_paths(rng: random.Random, n: int) -> list[str]:
    with unit_of_work() as session:
        ids = list(
            session.execute(
                select(Inspection.business_id)
                .where(Inspection.reference.startswith(REFERENCE_PREFIX))
                .distinct()
            ).scalars()
        )
    return [str(i) for i in rng.sample(ids, n)]


def measure_pages(env: dict[str, str], ids: list[str], seconds: int) -> dict[str, Any]:
    port = 8765
    server = start_server(env, workers=2, port=port)
    try:
        cookie = session_cookie(port, "leader", PASSWORD)
        token = bearer_token(port, "leader", PASSWORD)
        app = [f"/gov/app/businesses/{i}" for i in ids]
        api = [f"/api/v1/businesses/{i}/inspections\tAuthorization: {token}" for i in ids]
        visit_once(port, app[:200], 4, cookie)
        results = {
            "history_app": wrk(port, app, seconds, connections=10, threads=2, cookie=cookie),
            "history_api": wrk(
                port, api, seconds, connections=10, threads=2, accept="application/json"
            ),
        }
    finally:
        stop_server(server)
    return results


def _timed(call: Any, repeat: int) -> tuple[list[float], Any]:
    """``call(session)`` ``repeat`` times after one warm-up, each in its own transaction."""
    timings: list[float] = []
    found = None
    for k in range(repeat + 1):
        with unit_of_work() as session:
            started = time.perf_counter()
            found = call(session)
            elapsed = time.perf_counter() - started
        if k:
            timings.append(elapsed)
    return timings, found


def measure_problems(repeat: int) -> dict[str, Any]:
    """The aggregation by checklist item (the repository's one query, as the page's main
    table asks it) and the whole page's report (by item, by area and by form), for the
    last full year of the province, of its busiest county, and for five years."""
    with unit_of_work() as session:
        user = auth_repo.get_user_by_username(session, "leader")
        assert user is not None
        leader = auth_service.principal_for(session, user)
        county = session.execute(
            select(Inspection.county_code, func.count())
            .group_by(Inspection.county_code)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    assert county is not None
    year = today_local().year - 1
    whole_year = (date(year, 1, 1), date(year, 12, 31))
    scenarios = {
        "province_year": ProblemFilter(*whole_year),
        "county_year": ProblemFilter(*whole_year, area=(RegionLevel.COUNTY, county[0])),
        "province_5y": ProblemFilter(date(year - YEARS + 2, 1, 1), today_local()),
    }
    scope = access.inspection_condition(leader)
    out: dict[str, Any] = {}
    for name, filters in scenarios.items():
        by_item, counts = _timed(
            lambda s, f=filters: problems_repository.problem_counts(
                s, scope=scope, filters=f, by=Grouping.ITEM
            ),
            repeat,
        )
        report, shown = _timed(
            lambda s, f=filters: problems.problem_report(session=s, actor=leader, filters=f),
            repeat,
        )
        for kind, timings, size in (
            ("by_item", by_item, len(counts)),
            ("page_report", report, len(shown.items)),
        ):
            out[f"problems_{name}_{kind}"] = {
                "since": filters.since.isoformat(),
                "until": filters.until.isoformat(),
                "area": filters.area[1] if filters.area else "510000",
                "items_reported": size,
                "inspections_counted": shown.inspections,
                "runs": repeat,
                "p50_s": round(statistics.median(timings), 3),
                "p95_s": round(_percentile(timings, 0.95), 3),
                "max_s": round(max(timings), 3),
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--problems-only",
        action="store_true",
        help="measure the aggregation only, keeping the pages' figures of the last results",
    )
    args = parser.parse_args()
    url = PG_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    prepare = prepare_database(args.backend, url, 100_000)
    env = env_for(args.backend, url)
    os.environ.update(env)
    prepare.update(seed_history(args.seed))
    rng = random.Random(args.seed)
    out = RESULTS / f"inspections-{args.backend}.json"
    if args.problems_only:
        earlier = json.loads(out.read_text(encoding="utf-8"))
        pages = {k: v for k, v in earlier["results"].items() if k.startswith("history_")}
        prepare["pages_measured"] = (
            earlier.get("prepare", {}).get("pages_measured") or earlier["when"]
        )
    else:
        pages = measure_pages(env, history_paths(rng, 2000), args.seconds)
        prepare["pages_measured"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    problems = measure_problems(args.repeat)
    report = {
        "benchmark": "inspections",
        "backend": args.backend,
        "targets": {"history_p95_ms_max": 100, "problems_province_year_by_item_s_max": 2.0},
        "what": "history views of random businesses under wrk (2 workers, 10 connections, "
        "Redis); the problem-by-item aggregation timed in-process",
        "machine": machine(),
        "prepare": prepare,
        "data": describe(),
        "results": {**pages, **problems},
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for name, r in pages.items():
        print(
            f"{name:<24}{r['rps']:>7.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p95 {r['p95_ms']:6.1f} ms  errors {r['errors']} non-2xx {r['non_2xx']}"
        )
    for name, r in problems.items():
        print(f"{name:<24}p50 {r['p50_s']:.3f} s  p95 {r['p95_s']:.3f} s  max {r['max_s']:.3f} s")
    if not args.no_write:
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
