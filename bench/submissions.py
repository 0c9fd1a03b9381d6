"""Benchmark: complaint and report submissions through the intake API on PostgreSQL.

Issue 3 §9: sustain 1,000 complaint/report submissions per second for 60 seconds on
PostgreSQL from a separate load process; afterwards every accepted submission is stored
exactly once (count and compare).

Serves the demo province in server mode (uvicorn workers, PostgreSQL, Redis queue) with a
``sunshine worker`` registering submissions as they arrive, and drives
``POST /api/v1/submissions/{complaints,reports}`` from wrk (a separate process) with a mix of
70 % complaints about stores (Zipf-popular stores) and 30 % reports (half about stores, half
about places by region and address), each body distinct. wrk records every receipt code it
was given. After the run the benchmark waits for the queue to drain and compares three sets:
the receipt codes handed out, the intake rows written during the run, and the complaints and
reports registered from them; it fails if they differ or if any code is registered twice.

    python bench/submissions.py                  # 60 s, 100,000 businesses
    python bench/submissions.py --seconds 10     # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import (
    BIN,
    PG_URL,
    RESULTS,
    env_for,
    machine,
    prepare_database,
    query_lines,
    run,
    start_server,
    stop_server,
    zipf_sample,
)

DATABASE_URL = PG_URL.replace("postgresql://", "postgresql+psycopg://")
TARGET_RPS = 1000

WRK_POST = """
local bodies = {}
for line in io.lines("%(file)s") do bodies[#bodies+1] = line end
local counter = 0
local threads = {}
local out = nil
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
init = function(args)
  counter = tonumber(tid) or 0
  accepted = 0
  refused = 0
  out = io.open("%(receipts)s." .. tid, "w")
end
request = function()
  local line = bodies[(counter %% #bodies) + 1]
  counter = counter + %(threads)d
  local path, body = line:match("^([^\\t]+)\\t(.+)$")
  return wrk.format("POST", path, {["Content-Type"]="application/json",
                                   ["X-Api-Key"]="%(key)s"}, body)
end
response = function(status, headers, body)
  if status == 202 then
    accepted = accepted + 1
    out:write(body:match('"receipt_code":"([^"]+)"'), "\\n")
  else
    refused = refused + 1
  end
end
done = function(summary, latency, requests)
  local acc, ref = 0, 0
  for _, t in ipairs(threads) do
    acc = acc + t:get("accepted")
    ref = ref + t:get("refused")
  end
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "rps": %%.1f, "p50_ms": %%.2f, '
    .. '"p90_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f, "errors": %%d, '
    .. '"accepted": %%d, "not_accepted": %%d}\\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, acc, ref))
end
"""

COMPLAINT_TEXTS = (
    "菜里吃出头发，要求退款。",
    "饭后肚子疼，怀疑食材不新鲜。",
    "餐具有油污，后厨看起来很脏。",
    "价格与菜单不符，多收了钱。",
    "外卖汤洒了，封签是破的。",
)
REPORT_TEXTS = (
    "后厨使用过期调料，标签被撕掉。",
    "员工没有健康证就上岗。",
    "无证摊贩在校门口卖凉菜。",
    "冷库里有来源不明的冻肉。",
)


def _stores_and_townships(env: dict[str, str]) -> tuple[list[str], list[str]]:
    code = (
        "from sqlalchemy import select\n"
        "from sunshine.core.db import unit_of_work\n"
        "from sunshine.registry.models import Business\n"
        "from sunshine.registry.enums import OperatingStatus\n"
        "with unit_of_work() as s:\n"
        "    for c, t in s.execute(select(Business.public_code, Business.township_code)"
        ".where(Business.operating_status != OperatingStatus.CLOSED)):\n"
        "        print(c, t or '-')\n"
    )
    pairs = [line.split() for line in query_lines(env, code)]
    return [p[0] for p in pairs], sorted({p[1] for p in pairs if p[1] != "-"})


def _bodies(stores: list[str], townships: list[str], n: int, seed: int) -> list[str]:
    """``n`` distinct request lines: ``path<TAB>json body``."""
    rng = random.Random(seed)
    popular = zipf_sample(stores, n, 1.1, rng)
    lines = []
    for i in range(n):
        phone = f"13{i % 10}{i:08d}"[:11]
        if rng.random() < 0.7:
            body: dict[str, object] = {
                "store_code": popular[i],
                "category": rng.choice(["foreign_matter", "illness", "hygiene", "price"]),
                "desired_outcome": rng.choice(["refund", "apology", "compensation"]),
                "description": f"{rng.choice(COMPLAINT_TEXTS)}（第{i}号）",
                "name": "测试用户",
                "phone": phone,
            }
            path = "/api/v1/submissions/complaints"
        else:
            body = {
                "category": rng.choice(["hygiene", "unlicensed", "expired_or_spoiled"]),
                "description": f"{rng.choice(REPORT_TEXTS)}（线索{i}）",
            }
            if rng.random() < 0.5:
                body["store_code"] = popular[i]
            else:
                body["region_code"] = rng.choice(townships)
                body["address"] = f"某路{i % 500}号附近"
            if rng.random() < 0.3:
                body["name"], body["phone"] = "实名举报人", phone
            path = "/api/v1/submissions/reports"
        lines.append(f"{path}\t{json.dumps(body, ensure_ascii=False)}")
    return lines


def _client_key(env: dict[str, str]) -> str:
    name = f"bench-{int(time.time())}"
    code = (
        "from sunshine.api.open311 import clients\n"
        "from sunshine.auth.principal import SYSTEM\n"
        "from sunshine.core.db import unit_of_work\n"
        "with unit_of_work() as s:\n"
        f"    issued = clients.add_client(session=s, actor=SYSTEM, name={name!r}, "
        "hourly_limit=100_000_000)\n"
        "    print(issued.api_key)\n"
    )
    return query_lines(env, code)[-1]


def _sql(sql: str, **variables: str) -> list[str]:
    """Run ``sql`` with psql; ``:'name'`` in it is ``variables[name]``, quoted by psql."""
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "sunshine_bench", "-At"]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    out = subprocess.run(command, input=sql, capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line]


def _port_is_free(port: int) -> None:
    """Refuse to measure another program's server (it would answer on our port)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use: choose another with --port")


def _start_worker(env: dict[str, str], threads: int) -> subprocess.Popen[bytes]:
    """The registration worker, at the lowest CPU priority: on this 2-core machine it shares
    the cores with the web workers and the load generator, and taking submissions in must
    come first (a deployment runs workers on hosts of their own)."""
    return subprocess.Popen(
        ["nice", "-n", "19", str(BIN / "sunshine"), "worker", "--workers", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _drain(timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        pending = int(_sql("SELECT count(*) FROM submission_intake WHERE processed_at IS NULL")[0])
        if pending == 0:
            return time.monotonic() - started
        time.sleep(2)
    raise RuntimeError(f"the intake queue did not drain within {timeout_s} s")


def _compare(receipts: set[str], since: str, handed_out: int) -> dict[str, object]:
    run_rows = "SELECT receipt_code FROM submission_intake WHERE received_at >= :'since'"
    intake = _sql(run_rows, since=since)
    stored = _sql(
        "SELECT c.receipt_code FROM complaints c JOIN submission_intake i USING (receipt_code) "
        "WHERE i.received_at >= :'since' UNION ALL SELECT r.receipt_code FROM reports r "
        "JOIN submission_intake i USING (receipt_code) WHERE i.received_at >= :'since'",
        since=since,
    )
    refused = _sql(
        "SELECT count(*) FROM submission_intake WHERE received_at >= :'since' "
        "AND outcome = 'refused'",
        since=since,
    )
    intake_set, stored_set = set(intake), set(stored)
    return {
        "receipts_seen_by_the_load_generator": handed_out,
        "distinct_receipts": len(receipts),
        "accepted_by_the_server": len(intake),
        "registered": len(stored),
        "registered_distinct": len(stored_set),
        "refused_at_registration": int(refused[0]),
        # wrk stops with requests in flight: the server accepted them, wrk never read the
        # answer. They must be stored like the rest; at most one per connection.
        "accepted_while_the_load_stopped": len(intake_set - receipts),
        "every_accepted_stored_once": (
            handed_out == len(receipts)
            and receipts <= intake_set
            and len(intake) == len(intake_set) == len(stored) == len(stored_set)
            and intake_set == stored_set
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--job-threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8751)
    parser.add_argument("--out", type=Path, default=RESULTS / "submissions-postgresql.json")
    args = parser.parse_args()

    env = env_for("postgresql", DATABASE_URL)
    seeded = prepare_database("postgresql", DATABASE_URL, args.businesses)
    run([str(BIN / "sunshine"), "db", "upgrade"], env)
    stores, townships = _stores_and_townships(env)
    key = _client_key(env)
    bodies = _bodies(stores, townships, max(2 * TARGET_RPS * args.seconds, 10_000), seed=2026)
    since = _sql("SELECT now()")[0]
    _port_is_free(args.port)
    server = start_server(env, args.server_workers, args.port)
    worker = _start_worker(env, args.job_threads)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = _wrk(args, key, bodies, Path(tmp))
            receipts_files = sorted(Path(tmp).glob("receipts.*"))
            codes = [c for f in receipts_files for c in f.read_text().split()]
        drain_s = _drain(timeout_s=1800)
    finally:
        stop_server(server)
        stop_server(worker)
    check = _compare(set(codes), since, len(codes))
    # Every body is valid: a refusal (or nothing accepted) means the run measured nothing.
    check["every_accepted_stored_once"] = bool(
        check["every_accepted_stored_once"]
        and int(str(check["accepted_while_the_load_stopped"])) <= args.connections
        and result["accepted"] > 0
        and result["not_accepted"] == 0
    )
    summary = {
        "benchmark": "submissions",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": seeded,
        "businesses": args.businesses,
        "server_workers": args.server_workers,
        "job_threads": args.job_threads,
        "connections": args.connections,
        "load": result,
        "accepted_per_second": round(result["accepted"] / result["seconds"], 1),
        "target_per_second": TARGET_RPS,
        "drain_seconds_after_load": round(drain_s, 1),
        "exactly_once": check,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(
        f"accepted {result['accepted']} in {result['seconds']:.0f} s = "
        f"{summary['accepted_per_second']}/s (target {TARGET_RPS}/s); p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms; not accepted "
        f"{result['not_accepted']}, errors {result['errors']}; drained {drain_s:.0f} s after"
    )
    print(f"exactly once: {check}")
    print(f"written {args.out}")
    return 0 if check["every_accepted_stored_once"] else 1


def _wrk(args: argparse.Namespace, key: str, bodies: list[str], tmp: Path) -> dict[str, float]:
    threads = 2
    items = tmp / "bodies.txt"
    items.write_text("\n".join(bodies) + "\n", encoding="utf-8")
    script = tmp / "post.lua"
    script.write_text(
        WRK_POST % {"file": items, "threads": threads, "key": key, "receipts": tmp / "receipts"},
        encoding="utf-8",
    )
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{args.port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit(main())
