"""Server mode: PostgreSQL + Redis + several uvicorn workers, as deployed behind nginx.

Runs where CI runs the PostgreSQL pass (SUNSHINE_TEST_DATABASE_URL and
SUNSHINE_TEST_REDIS_URL set). It uses its own database so the server's commits cannot
disturb the rest of the suite.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PG = os.environ.get("SUNSHINE_TEST_DATABASE_URL", "")
REDIS = os.environ.get("SUNSHINE_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not (PG.startswith("postgresql") and REDIS),
    reason="server mode needs PostgreSQL and Redis (CI's PostgreSQL pass sets both)",
)
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin_sql(sql: str) -> None:
    base = PG.rsplit("/", 1)[0]
    subprocess.run(
        ["psql", f"{base}/postgres" if "@" in base else base, "-qc", sql],
        check=False,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    database = PG.rsplit("/", 1)[0] + "/sunshine_server_mode"
    _admin_sql("DROP DATABASE IF EXISTS sunshine_server_mode")
    _admin_sql("CREATE DATABASE sunshine_server_mode")
    tmp = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = dict(
        os.environ,
        SUNSHINE_DEMO="1",
        SUNSHINE_DATABASE_URL=database,
        SUNSHINE_REDIS_URL=REDIS.rsplit("/", 1)[0] + "/13",
        SUNSHINE_BASE_URL=f"http://127.0.0.1:{port}",
        SUNSHINE_STORAGE_DIR=str(tmp / "files"),
        SUNSHINE_LOGIN_IP_LIMIT_PER_MINUTE="8",
    )
    subprocess.run(
        ["redis-cli", "-u", env["SUNSHINE_REDIS_URL"], "flushdb"], check=False, capture_output=True
    )
    subprocess.run([str(BIN / "sunshine"), "db", "upgrade"], env=env, check=True)
    accounts = tmp / "accounts.json"
    subprocess.run(
        [
            str(BIN / "sunshine"),
            "demo",
            "--businesses",
            "30",
            "--seed",
            "3",
            "--accounts-json",
            str(accounts),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        [str(BIN / "sunshine"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    try:
        yield {"base": base, "accounts": accounts.read_text(encoding="utf-8")}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        _admin_sql("DROP DATABASE IF EXISTS sunshine_server_mode")


def _post(url: str, data: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(data).encode(),
        headers=headers or {},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_login_throttle_is_shared_by_all_workers(server: dict[str, str]) -> None:
    """Eight attempts a minute per address in this test: the ninth is refused whichever
    worker answers, because the counter lives in Redis."""
    statuses = [
        _post(f"{server['base']}/api/v1/auth/token", {"username": "nobody", "password": "wrong"})[0]
        for _ in range(12)
    ]
    assert statuses[:8] == [401] * 8
    assert set(statuses[8:]) == {429}


def test_store_page_changes_reach_every_worker(server: dict[str, str]) -> None:
    accounts = {a["username"]: a for a in json.loads(server["accounts"])}
    status, body = _post(
        f"{server['base']}/api/v1/auth/token", {"username": "owner_a", "password": "Sunshine#2026"}
    )
    if status == 429:  # the throttle test above used this address's allowance
        time.sleep(61 - time.time() % 60)
        status, body = _post(
            f"{server['base']}/api/v1/auth/token",
            {"username": "owner_a", "password": "Sunshine#2026"},
        )
    assert status == 200, body
    token = json.loads(body)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    business_id = accounts["owner_a"]["business_id"]
    request = urllib.request.Request(
        f"{server['base']}/api/v1/businesses/{business_id}",
        headers=auth,
    )
    with urllib.request.urlopen(request) as response:
        business = json.loads(response.read())
    store_url = f"{server['base']}/s/{business['public_code']}"
    for _ in range(10):  # fill both workers' caches
        with urllib.request.urlopen(store_url) as response:
            assert "赵新来" not in response.read().decode()
    staff = json.dumps(
        {
            "name": "赵新来",
            "position": "厨师",
            "id_number": "11010519491231002X",
            "health_cert_number": "JK-1",
            "health_cert_issue_date": "2026-06-01",
            "health_cert_expiry_date": "2027-05-31",
        }
    ).encode()
    add = urllib.request.Request(
        f"{server['base']}/api/v1/businesses/{business_id}/staff",
        data=staff,
        method="POST",
        headers={**auth, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(add) as response:
        assert response.status == 201
    time.sleep(0.5)  # the invalidation travels through Redis pub/sub
    for _ in range(10):
        with urllib.request.urlopen(store_url) as response:
            assert "2027-05-31" in response.read().decode()


def test_health_reports_the_schema(server: dict[str, str]) -> None:
    with urllib.request.urlopen(f"{server['base']}/healthz") as response:
        body = json.loads(response.read())
    assert body["status"] == "ok"
    assert re.fullmatch(r"\w+(\+\w+)*", body["schema"])
