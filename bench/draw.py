"""Benchmark: a 双随机 draw over 100,000 businesses and 2,000 inspectors (target: at most 1 s).

Seeds the demo province (100,000 businesses, once per database: its own database, so the
other benchmarks' data is untouched), then the inspector directory the draw chooses from
(once): 2,000 inspector accounts spread over the province's county bureaus and stations in
proportion to the businesses each county holds (half at the county bureau, half at its
busiest stations), declared conflicts of interest for 1 % of the businesses, and two years
of inspection history (half the businesses inspected once, by two officers covering them),
so the avoidance rules have work to do.

Then, in this process, through the product's own service (``draws.create_draw``, its unit
of work committed), the provincial bureau leader draws from the whole province:

- province_5pct: 5 % of the operating businesses (about 4,800), two officers each;
- province_500: 500 businesses, two officers each.

Each scenario is repeated (``--repeat``) after one warm-up draw; every draw is then verified
(``draws.verify_draw``: the whole draw repeated from its stored inputs) and published
(``draws.publish_draw``: a task per drawn business with its station and officers), each
timed on its own, and removed again so the database stays as seeded. Writes
bench/results/draw-<backend>.json and prints a summary.

    python bench/draw.py --backend postgresql
    python bench/draw.py --backend sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from _common import BIN, RESULTS, ROOT, env_for, machine, prepare_database, run
from sqlalchemy import delete, func, insert, select, text

from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import SYSTEM
from sunshine.core.db import unit_of_work
from sunshine.core.time import today_local
from sunshine.inspections import checklists, draws
from sunshine.inspections import plan_repository as repo
from sunshine.inspections.draw_algorithm import pick_businesses
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.models import Inspection, InspectionInspector
from sunshine.inspections.plan_models import (
    InspectionTask,
    InspectionTaskInspector,
    InspectorConflict,
    RandomDraw,
    RandomDrawEntry,
)
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business

PG_URL = "postgresql://postgres@127.0.0.1:5432/sunshine_drawbench"
SQLITE_PATH = ROOT / "var" / "drawbench.sqlite3"
PREFIX = "bench_inspector_"
REFERENCE_PREFIX = "JCBENCH"
TARGET_S = 1.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _clear() -> None:
    """Remove what an earlier seeding of the directory left."""
    with unit_of_work() as session:
        bench_users = select(User.id).where(User.username.startswith(PREFIX))
        bench_inspections = select(Inspection.id).where(
            Inspection.reference.startswith(REFERENCE_PREFIX)
        )
        session.execute(
            delete(InspectionInspector).where(
                InspectionInspector.inspection_id.in_(bench_inspections)
            )
        )
        session.execute(delete(Inspection).where(Inspection.reference.startswith(REFERENCE_PREFIX)))
        session.execute(
            delete(InspectorConflict).where(InspectorConflict.inspector_id.in_(bench_users))
        )
        session.execute(delete(User).where(User.username.startswith(PREFIX)))


def _shares(per_county: dict[str, int], inspectors: int) -> dict[str, int]:
    """``inspectors`` split over the counties in proportion to their businesses (largest
    remainders get the rest)."""
    total = sum(per_county.values())
    shares = {c: inspectors * n / total for c, n in per_county.items()}
    counts = {c: int(s) for c, s in shares.items()}
    for county in sorted(shares, key=lambda c: shares[c] - counts[c], reverse=True):
        if sum(counts.values()) >= inspectors:
            break
        counts[county] += 1
    return counts


def _make_inspectors(inspectors: int) -> int:
    """The accounts: half of each county's share at its bureau, half at its busiest stations."""
    with unit_of_work() as session:
        password_hash = session.execute(
            select(User.password_hash).where(User.username == "chief_a")
        ).scalar_one()
        units = session.execute(
            select(OrgUnit.id, OrgUnit.region_level, OrgUnit.region_code).where(
                OrgUnit.active.is_(True)
            )
        ).all()
        unit_of = {(level, code): unit_id for unit_id, level, code in units}
        per_county = dict(
            session.execute(
                select(Business.county_code, func.count()).group_by(Business.county_code)
            ).all()
        )
        per_township = session.execute(
            select(Business.township_code, func.count()).group_by(Business.township_code)
        ).all()
        townships_of: dict[str, list[str]] = defaultdict(list)
        for code, _n in sorted(per_township, key=lambda row: -row[1]):
            if code and (RegionLevel.TOWNSHIP, code) in unit_of:
                townships_of[code[:6]].append(code)
        rows: list[dict[str, Any]] = []
        for county, n in sorted(_shares(per_county, inspectors).items()):
            bureau = unit_of.get((RegionLevel.COUNTY, county))
            if bureau is None:
                continue
            stations = [unit_of[(RegionLevel.TOWNSHIP, t)] for t in townships_of[county]]
            for k in range(n):
                at_bureau = k % 2 == 0 or not stations
                rows.append(
                    {
                        "username": f"{PREFIX}{len(rows) + 1:04d}",
                        "display_name": f"执法人员{len(rows) + 1:04d}",
                        "password_hash": password_hash,
                        "role": Role.INSPECTOR,
                        "org_unit_id": bureau if at_bureau else stations[(k // 2) % len(stations)],
                    }
                )
        session.execute(insert(User), rows)
    return len(rows)


def _inspection_row(
    n: int, place: tuple[int, str, str, str, str | None], checklist_id: int, unit_id: int, day: date
) -> dict[str, Any]:
    bid, province, prefecture, county, township = place
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    return {
        "reference": f"{REFERENCE_PREFIX}{n:08d}",
        "business_id": bid,
        "checklist_id": checklist_id,
        "kind": InspectionKind.ROUTINE,
        "org_unit_id": unit_id,
        "province_code": province,
        "prefecture_code": prefecture,
        "county_code": county,
        "township_code": township,
        "inspected_on": day,
        "started_at": at,
        "finished_at": at + timedelta(hours=1),
        "result": InspectionResult.COMPLIANT,
        "key_failed": 0,
        "general_failed": 0,
        "general_checked": 23,
        "not_applicable": 0,
        "publish_by": day + timedelta(days=28),
        "representative_name": "店长",
        "representative_signature": "",
        "remarks": "",
        "recorded_at": at + timedelta(hours=1),
    }


def _make_history(rng: random.Random) -> tuple[int, int]:
    """Conflicts for 1 % of the businesses; one inspection 100 to 700 days ago for every
    other business, by two officers covering it."""
    with unit_of_work() as session:
        if checklists.in_force(session=session, code="catering", province_code="510000") is None:
            checklists.load_bundled(session=session, actor=SYSTEM)
        checklist = checklists.in_force(session=session, code="catering", province_code="510000")
        assert checklist is not None
        officers = session.execute(
            select(User.id, OrgUnit.region_level, OrgUnit.region_code, OrgUnit.id)
            .join(OrgUnit, OrgUnit.id == User.org_unit_id)
            .where(User.username.startswith(PREFIX))
            .order_by(User.id)
        ).all()
        by_place: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for user_id, level, code, unit_id in officers:
            by_place[(str(level), code)].append((user_id, unit_id))
        businesses = session.execute(
            select(
                Business.id,
                Business.province_code,
                Business.prefecture_code,
                Business.county_code,
                Business.township_code,
            ).order_by(Business.id)
        ).all()
        today = today_local()
        inspections, pairs, conflicts = [], [], []
        for n, place in enumerate(businesses):
            covering = by_place.get(("county", place[3]), []) + by_place.get(
                ("township", place[4] or ""), []
            )
            if len(covering) < 2:
                continue
            if rng.random() < 0.01:
                conflicts.append(
                    {
                        "inspector_id": rng.choice(covering)[0],
                        "business_id": place[0],
                        "reason": "亲属在该单位任职",
                        "declared_at": datetime.now(UTC),
                    }
                )
            if n % 2 == 0:
                chosen = rng.sample(covering, 2)
                day = today - timedelta(days=rng.randint(100, 700))
                inspections.append(
                    _inspection_row(n, tuple(place), checklist.id, chosen[0][1], day)
                )
                pairs.append([c[0] for c in chosen])
        stmt = insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True)
        ids = list(session.execute(stmt, inspections).scalars()) if inspections else []
        session.execute(
            insert(InspectionInspector),
            [
                {"inspection_id": i, "user_id": u, "position": k, "signature": ""}
                for i, users in zip(ids, pairs, strict=True)
                for k, u in enumerate(users)
            ],
        )
        if conflicts:
            session.execute(insert(InspectorConflict), conflicts)
    return len(inspections), len(conflicts)


def seed_directory(inspectors: int, seed: int) -> dict[str, Any]:
    """The inspector accounts, conflicts and inspection history (skipped when present)."""
    with unit_of_work() as session:
        present = session.execute(
            select(func.count()).select_from(User).where(User.username.startswith(PREFIX))
        ).scalar_one()
    if present == inspectors:
        return {"directory_seeded_now": False}
    started = time.monotonic()
    _clear()
    made = _make_inspectors(inspectors)
    inspections, conflicts = _make_history(random.Random(seed))
    return {
        "directory_seeded_now": True,
        "directory_seed_seconds": round(time.monotonic() - started, 1),
        "inspectors_made": made,
        "inspections_made": inspections,
        "conflicts_made": conflicts,
    }


def describe(backend: str) -> dict[str, Any]:
    with unit_of_work() as session:

        def count(stmt: Any) -> int:
            return int(session.execute(stmt).scalar_one())

        data: dict[str, Any] = {
            "businesses": count(select(func.count()).select_from(Business)),
            "operating_businesses": count(
                select(func.count()).where(Business.operating_status == OperatingStatus.OPERATING)
            ),
            "directory_officers": count(
                select(func.count()).where(
                    User.role.in_([Role.INSPECTOR, Role.STATION_CHIEF]), User.is_active.is_(True)
                )
            ),
            "bench_inspectors": count(select(func.count()).where(User.username.startswith(PREFIX))),
            "inspections": count(select(func.count()).select_from(Inspection)),
            "declared_conflicts": count(select(func.count()).select_from(InspectorConflict)),
        }
        if backend == "postgresql":
            data["database"] = {
                "version": session.execute(text("SHOW server_version")).scalar_one()
            }
        else:
            data["database"] = {
                "version": session.execute(text("SELECT sqlite_version()")).scalar_one()
            }
    return data


def _remove(draw_id: int) -> None:
    with unit_of_work() as session:
        made = select(InspectionTask.id).where(InspectionTask.draw_id == draw_id)
        session.execute(
            delete(InspectionTaskInspector).where(InspectionTaskInspector.task_id.in_(made))
        )
        session.execute(delete(InspectionTask).where(InspectionTask.draw_id == draw_id))
        session.execute(delete(RandomDrawEntry).where(RandomDrawEntry.draw_id == draw_id))
        session.execute(delete(RandomDraw).where(RandomDraw.id == draw_id))


def measure(scenario: str, quantity_kind: str, quantity: str, repeat: int) -> dict[str, Any]:
    with unit_of_work() as session:
        user = auth_repo.get_user_by_username(session, "leader")
        assert user is not None
        leader = auth_service.principal_for(session, user)
    request = draws.DrawRequest(
        title=f"bench {scenario}",
        filters=draws.DrawFilters(),
        quantity_kind=quantity_kind,
        quantity=quantity,
        due_on=today_local() + timedelta(days=60),
        group_size=2,
    )
    timings: dict[str, list[float]] = defaultdict(list)
    facts: dict[str, Any] = {}
    facts_first: dict[str, Any] = {}
    for n in range(repeat + 1):  # the first is the warm-up
        started = time.perf_counter()
        with unit_of_work() as session:
            draw = draws.create_draw(session=session, actor=leader, request=request)
            draw_id = draw.id
            facts |= {
                "candidates": draw.candidate_count,
                "drawn": draw.drawn_count,
                "left_out_upper_level": len(draw.excluded.get(draws.UPPER_LEVEL, [])),
            }
        drawn_at = time.perf_counter()
        with unit_of_work() as session:
            checked = draws.verify_draw(session=session, draw_id=draw_id)
            assert checked.ok, checked.checks
        verified_at = time.perf_counter()
        with unit_of_work() as session:
            draws.publish_draw(session=session, actor=leader, draw_id=draw_id)
        published_at = time.perf_counter()
        if n == 0:
            facts_first = {"warmup_draw_s": round(drawn_at - started, 3)}
        else:
            timings["draw"].append(drawn_at - started)
            timings["verify"].append(verified_at - drawn_at)
            timings["publish"].append(published_at - verified_at)
        if n == 1:
            with unit_of_work() as session:
                entries = repo.entries_of(session, draw_id)
                facts["unstaffed"] = sum(1 for e in entries if not e.inspector_ids)
                facts["mean_pool"] = round(statistics.mean(len(e.pool) for e in entries), 1)
                facts["avoided_last_inspection"] = sum(
                    len(e.excluded.get(draws.LAST_INSPECTION, [])) for e in entries
                )
                facts["avoided_conflict"] = sum(
                    len(e.excluded.get(draws.CONFLICT, [])) for e in entries
                )
        _remove(draw_id)
    result: dict[str, Any] = {**facts, **facts_first, "repeat": repeat}
    for step, values in timings.items():
        result[step] = {
            "p50_s": round(statistics.median(values), 3),
            "p95_s": round(_percentile(values, 95), 3),
            "max_s": round(max(values), 3),
            "all_s": [round(v, 3) for v in values],
        }
    result["meets_target"] = result["draw"]["p95_s"] <= TARGET_S
    return result


def ranking_only(candidates: int) -> float:
    """The pure ranking of ``candidates`` ids (SHA-256 each), for the breakdown."""
    ids = list(range(1, candidates + 1))
    started = time.perf_counter()
    pick_businesses("ab" * 32, ids, candidates // 20)
    return round(time.perf_counter() - started, 3)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()
    database_url = PG_URL if args.backend == "postgresql" else f"sqlite:///{SQLITE_PATH}"
    (ROOT / "var").mkdir(exist_ok=True)
    prep = prepare_database(args.backend, database_url, args.businesses)
    env = env_for(args.backend, database_url)
    run([str(BIN / "sunshine"), "db", "upgrade"], env)
    # This process measures through the product's services: the same settings as the CLI.
    os.environ.update({"SUNSHINE_DEMO": "1", "SUNSHINE_DATABASE_URL": database_url})
    os.environ.pop("SUNSHINE_REDIS_URL", None)
    os.environ.setdefault("SUNSHINE_STORAGE_DIR", str(ROOT / "var" / "drawbench-files"))
    prep |= seed_directory(args.inspectors, seed=2026)
    print(f"prepared: {prep}", flush=True)
    if args.seed_only:
        return 0
    data = describe(args.backend)
    print(f"data: {data}", flush=True)
    scenarios = {
        "province_5pct": measure("province_5pct", "percent", "5", args.repeat),
        "province_500": measure("province_500", "count", "500", args.repeat),
    }
    report = {
        "benchmark": "draw",
        "backend": args.backend,
        "target": {"draw_p95_s_max": TARGET_S},
        "what": "draws.create_draw by the provincial bureau leader over the whole province, "
        "unit of work committed; then verify_draw and publish_draw (tasks), each timed alone",
        "machine": machine(),
        "prepare": prep,
        "data": data,
        "ranking_only_s": {"100000_candidates": ranking_only(100_000)},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "results": scenarios,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"draw-{args.backend}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, r in scenarios.items():
        print(
            f"{args.backend:<11}{name:<15} candidates {r['candidates']:>6}  drawn {r['drawn']:>5}  "
            f"draw p50 {r['draw']['p50_s']:.3f} s p95 {r['draw']['p95_s']:.3f} s  "
            f"verify p50 {r['verify']['p50_s']:.3f} s  publish p50 {r['publish']['p50_s']:.3f} s  "
            f"{'ok' if r['meets_target'] else 'OVER TARGET'}"
        )
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
