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
import bisect
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
PG_URL = "postgresql://postgres@127.0.0.1:5432/sunshine_bench"
REDIS_URL = "redis://127.0.0.1:6379/3"

WRK_SCRIPT = """
local items = {}
for line in io.lines("%(file)s") do items[#items+1] = line end
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
init = function(args)
  counter = tonumber(tid) or 0
end
request = function()
  local path = items[(counter %% #items) + 1]
  counter = counter + %(threads)d
  return wrk.format("GET", path, {["Accept"]="text/html", ["Cookie"]="%(cookie)s"})
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "rps": %%.1f, "p50_ms": %%.2f, '
    .. '"p90_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f, "errors": %%d, '
    .. '"non_2xx": %%d}\\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, summary.errors.status))
end
"""


def env_for(backend: str, database_url: str) -> dict[str, str]:
    env = dict(os.environ, SUNSHINE_DEMO="1", SUNSHINE_DATABASE_URL=database_url)
    env.pop("SUNSHINE_REDIS_URL", None)
    if backend == "postgresql":
        env["SUNSHINE_REDIS_URL"] = REDIS_URL
    return env


def run(cmd: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True, **kw)  # type: ignore[call-overload]


def count_businesses(env: dict[str, str]) -> int:
    code = (
        "from sqlalchemy import func, select, inspect\n"
        "from sunshine.core.db import get_engine, unit_of_work\n"
        "from sunshine.registry.models import Business\n"
        "if not inspect(get_engine()).has_table('businesses'): print(-1)\n"
        "else:\n"
        "    with unit_of_work() as s: print(s.execute(select(func.count())"
        ".select_from(Business)).scalar_one())\n"
    )
    out = run([str(BIN / "python"), "-c", code], env)
    return int(out.stdout.strip().splitlines()[-1])


def prepare_database(backend: str, database_url: str, businesses: int) -> dict[str, object]:
    """Seed the database unless it already holds exactly this demo."""
    env = env_for(backend, database_url)
    if backend == "postgresql":
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "test",
                "-qc",
                "CREATE DATABASE sunshine_bench",
            ],
            capture_output=True,
            check=False,
        )
    try:
        present = count_businesses(env)
    except subprocess.CalledProcessError:
        present = -1
    if present == businesses:
        return {"seeded_now": False}
    if backend == "postgresql":
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "sunshine_bench",
                "-qc",
                "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
            ],
            check=True,
        )
    else:
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    run([str(BIN / "sunshine"), "db", "upgrade"], env)
    started = time.monotonic()
    run([str(BIN / "sunshine"), "demo", "--businesses", str(businesses), "--seed", "2026"], env)
    return {"seeded_now": True, "seed_seconds": round(time.monotonic() - started, 1)}


def query_lines(env: dict[str, str], code: str) -> list[str]:
    out = run([str(BIN / "python"), "-c", code], env)
    return [line for line in out.stdout.splitlines() if line]


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


def zipf_sample(items: list[str], n: int, s: float, rng: random.Random) -> list[str]:
    order = items[:]
    rng.shuffle(order)  # popularity independent of id
    weights = [1.0 / (rank**s) for rank in range(1, len(order) + 1)]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return [order[bisect.bisect_left(cumulative, rng.random() * total)] for _ in range(n)]


def start_server(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(BIN / "sunshine"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def session_cookie(port: int, username: str, password: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrf_token": token.group(1)}
    ).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def visit_once(port: int, paths: list[str], connections: int, cookie: str = "") -> int:
    """Ask for every distinct path once, ``connections`` at a time (the warm-up before a
    steady-state measurement); returns how many pages were visited."""
    unique = list(dict.fromkeys(paths))

    def get(path: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Accept": "text/html", "Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(get, unique))
    return len(unique)


def wrk(
    port: int, paths: list[str], seconds: int, connections: int, threads: int, cookie: str = ""
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        items = Path(tmp) / "paths.txt"
        items.write_text("\n".join(paths) + "\n", encoding="utf-8")
        script = Path(tmp) / "bench.lua"
        script.write_text(
            WRK_SCRIPT % {"file": items, "threads": threads, "cookie": cookie}, encoding="utf-8"
        )
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def flush_cache(backend: str) -> None:
    if backend == "postgresql":
        subprocess.run(
            ["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"],
            capture_output=True,
            check=False,
        )


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


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
            return _print(args.backend, results, None)
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
    return _print(args.backend, results, out)


def _print(backend: str, results: dict[str, object], out: Path | None) -> int:
    for name, r in results.items():
        assert isinstance(r, dict)
        print(
            f"{backend:<11}{name:<15}{r['rps']:>9.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}"
        )
    if out is not None:
        print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
