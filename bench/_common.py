"""What the benchmarks share: preparing a database with the demo province, serving it with
uvicorn workers, driving it with wrk from a separate process, and describing the machine.

The benchmarks run as scripts (``python bench/<name>.py``), so this module is imported by
its bare name from the scripts' own folder.
"""

from __future__ import annotations

import bisect
import json
import os
import platform
import random
import re
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

# Each line of the paths file is a path, optionally followed by a tab and one more header
# for that request, "Name: value" (benchmarks mixing several signed-in regulators give each
# request its own Authorization or Cookie header).
WRK_SCRIPT = """
local items = {}
for line in io.lines("%(file)s") do
  local path, name, value = line:match("^([^\\t]+)\\t([^:]+): (.+)$")
  local headers = {["Accept"]="%(accept)s", ["Cookie"]="%(cookie)s"}
  if path then headers[name] = value else path = line end
  items[#items+1] = {path, headers}
end
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
  local item = items[(counter %% #items) + 1]
  counter = counter + %(threads)d
  return wrk.format("GET", item[1], item[2])
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


def run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True)


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


def psql(database: str, sql: str, *, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", sql],
        capture_output=not check,
        check=check,
    )


def prepare_database(backend: str, database_url: str, businesses: int) -> dict[str, object]:
    """Seed the database unless it already holds exactly this demo."""
    env = env_for(backend, database_url)
    database = database_url.rsplit("/", 1)[1]
    if backend == "postgresql":
        psql("test", f"CREATE DATABASE {database}", check=False)
    try:
        present = count_businesses(env)
    except subprocess.CalledProcessError:
        present = -1
    if present == businesses:
        # A database prepared by an older checkout gets this one's migrations.
        run([str(BIN / "sunshine"), "db", "upgrade"], env)
        return {"seeded_now": False}
    if backend == "postgresql":
        psql(database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
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


def bearer_token(port: int, username: str, password: str) -> str:
    """An API bearer token (OAuth2 password flow), as the Authorization header's value."""
    data = urllib.parse.urlencode({"username": username, "password": password}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/auth/token", data=data) as r:
        return f"Bearer {json.load(r)['access_token']}"


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
    port: int,
    paths: list[str],
    seconds: int,
    connections: int,
    threads: int,
    cookie: str = "",
    accept: str = "text/html",
) -> dict[str, float]:
    """Drive ``paths`` round-robin for ``seconds``; each may carry ``\\tName: value``."""
    with tempfile.TemporaryDirectory() as tmp:
        items = Path(tmp) / "paths.txt"
        items.write_text("\n".join(paths) + "\n", encoding="utf-8")
        script = Path(tmp) / "bench.lua"
        script.write_text(
            WRK_SCRIPT % {"file": items, "threads": threads, "cookie": cookie, "accept": accept},
            encoding="utf-8",
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
    return json.loads(line.removeprefix("RESULT "))  # type: ignore[no-any-return]


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


def print_results(backend: str, results: dict[str, object], out: Path | None) -> int:
    for name, r in results.items():
        assert isinstance(r, dict)
        print(
            f"{backend:<11}{name:<15}{r['rps']:>9.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}"
        )
    if out is not None:
        print(f"written {out.relative_to(ROOT)}")
    return 0
