"""Benchmark: the public store page and the government business list at 100,000 businesses.

Seeds the demo province (once per database), serves it with uvicorn workers, and drives it
from a separate load-generating process (wrk, 50 concurrent connections). Writes JSON to
bench/results/ and prints a summary.

    python bench/store_and_list.py --backend postgresql      # server mode: PG + Redis
    python bench/store_and_list.py --backend sqlite          # embedded mode: SQLite file

Scenarios (each reports requests/s and latency percentiles):
- store_cold:  every request asks for a store not asked before (no cache can help);
- store_zipf:  steady state: stores drawn from a Zipf law over all stores (s=1.1), as QR
               scans concentrate on busy stores, each store of the traffic visited once
               before (pages are kept until their data or a shown state changes);
- store_hot:   2,000 popular stores, all cached;
- business_list_cold: the province leader's list (/gov/businesses) with a filter mix
               (area, form, licence state, search, sort, pages 1–5), every query new;
- business_list: the same mix, regulators returning to a working set of 2,000 views
               (Zipf, s=1.1), each visited once before; signed in with a session cookie.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
import urllib.parse

from _common import (
    PG_URL,
    RESULTS,
    ROOT,
    env_for,
    flush_cache,
    machine,
    prepare_database,
    print_results,
    query_lines,
    session_cookie,
    start_server,
    stop_server,
    visit_once,
    wrk,
    zipf_sample,
)


def store_codes(env: dict[str, str]) -> list[str]:
    return query_lines(
        env,
        (
            "from sqlalchemy import select\n"
            "from sunshine.core.db import unit_of_work\n"
            "from sunshine.registry.models import Business\n"
            "with unit_of_work() as s:\n"
            "    for c in s.execute(select(Business.public_code).where("
            "Business.category == 'caterer').order_by(Business.id)).scalars(): print(c)\n"
        ),
    )


def list_urls(env: dict[str, str], rng: random.Random, n: int) -> list[str]:
    regions = query_lines(
        env,
        (
            "from sunshine.core.db import unit_of_work\n"
            "from sunshine.regions import repository as r\n"
            "from sunshine.regions.enums import RegionLevel as L\n"
            "with unit_of_work() as s:\n"
            "    for lv in (L.PREFECTURE, L.COUNTY):\n"
            "        for x in r.regions_at_level(s, level=lv, within=(L.PROVINCE, '510000')):"
            " print(x.code)\n"
        ),
    )
    forms = ["", "restaurant", "fast_food", "school_canteen", "chain_outlet", "drinks"]
    states = ["", "", "valid", "expiring", "expired"]
    sorts = ["name", "licence_expiry_date", "county_code"]
    urls: list[str] = []
    seen: set[str] = set()
    while len(urls) < n:
        params = {
            "region": rng.choice(regions) if rng.random() < 0.8 else "",
            "form": rng.choice(forms),
            "licence_state": rng.choice(states),
            "sort": rng.choice(sorts),
            "dir": rng.choice(["asc", "desc"]),
            "page": str(rng.choice([1, 1, 1, 2, 3, 5])),
        }
        if rng.random() < 0.15:
            params["q"] = rng.choice(["火锅", "面", "食堂", "小吃", "串串"])
        url = "/gov/businesses?" + urllib.parse.urlencode({k: v for k, v in params.items() if v})
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn workers (default: 2 for PostgreSQL, 1 for SQLite)",
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--only",
        choices=["store", "list"],
        default=None,
        help="run one half (results are then not written)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed as the load generator: apt-get install -y wrk", file=sys.stderr)
        return 2
    workers = args.workers or (2 if args.backend == "postgresql" else 1)
    database_url = (
        PG_URL if args.backend == "postgresql" else (f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    )
    (ROOT / "var").mkdir(exist_ok=True)
    prep = prepare_database(args.backend, database_url, args.businesses)
    env = env_for(args.backend, database_url)
    rng = random.Random(2026)
    codes = store_codes(env)
    cold = [f"/s/{c}" for c in rng.sample(codes, len(codes))]
    zipf = [f"/s/{c}" for c in zipf_sample(codes, 100_000, 1.1, rng)]
    hot = [f"/s/{c}" for c in rng.sample(codes, 2000)]
    results: dict[str, object] = {}
    flush_cache(args.backend)
    server = start_server(env, workers, args.port)
    try:
        if args.only != "list":
            results["store_cold"] = wrk(args.port, cold, args.seconds, args.connections, 2)
            prep["store_zipf_visited"] = visit_once(args.port, zipf, args.connections)
            results["store_zipf"] = wrk(args.port, zipf, args.seconds, args.connections, 2)
            wrk(args.port, hot, 10, args.connections, 2)  # warm-up
            results["store_hot"] = wrk(args.port, hot, args.seconds, args.connections, 2)
        if args.only == "store":
            return print_results(args.backend, results, None)
        cookie = session_cookie(args.port, "leader", "Sunshine#2026")
        urls = list_urls(env, rng, 30_000)
        cold_urls, working_set = urls[:28_000], urls[28_000:]
        results["business_list_cold"] = wrk(
            args.port, cold_urls, args.seconds, args.connections, 2, cookie
        )
        views = zipf_sample(working_set, 50_000, 1.1, rng)
        prep["business_list_visited"] = visit_once(args.port, views, args.connections, cookie)
        results["business_list"] = wrk(args.port, views, args.seconds, args.connections, 2, cookie)
    finally:
        stop_server(server)
    report = {
        "benchmark": "store_and_list",
        "backend": args.backend,
        "businesses": args.businesses,
        "workers": workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "redis": args.backend == "postgresql",
        "load_generator": "wrk (separate process)",
        "targets": {"store_rps_min": 1000, "store_p95_ms_max": 50, "list_p95_ms_max": 150},
        "machine": machine(),
        "prepare": prep,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results,
    }
    out = None
    if args.only is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"store_and_list-{args.backend}.json"
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return print_results(args.backend, results, out)


if __name__ == "__main__":
    raise SystemExit(main())
