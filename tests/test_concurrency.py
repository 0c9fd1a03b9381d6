"""Many concurrent requests, some abandoned by their clients, never wedge the server.

Regression test: the request's connection used to be taken while resolving the principal
(one thread hop) and kept until the handler ran (another hop). With more waiting requests
than pooled connections, every handler thread then waited for a connection that only a
request waiting for a thread could give back, and the server stopped answering.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, cookie: str, timeout: float) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except OSError:
        return 0  # abandoned by the client (timeout): exactly what the test wants to happen


def test_server_keeps_answering_with_a_tiny_pool(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        SUNSHINE_DEMO="1",
        SUNSHINE_DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        SUNSHINE_DB_POOL_SIZE="1",
        SUNSHINE_DB_MAX_OVERFLOW="0",
        SUNSHINE_STORAGE_DIR=str(tmp_path / "files"),
    )
    env.pop("SUNSHINE_REDIS_URL", None)
    subprocess.run(
        [str(BIN / "sunshine"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [str(BIN / "sunshine"), "demo", "--businesses", "30", "--seed", "4"],
        env=env,
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        # The demo's camera workers would write to the same SQLite file: not what this
        # test is about (a tiny pool under abandoned requests).
        [str(BIN / "sunshine"), "serve", "--port", str(port), "--vision-processes", "0"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        opener.open(
            f"{base}/login",
            data=urllib.parse.urlencode(
                {"username": "leader", "password": "Sunshine#2026", "csrf_token": token.group(1)}
            ).encode(),
        )
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        urls = [
            f"{base}/gov/businesses?sort=name&page={1 + i % 3}&form="
            f"{['', 'restaurant', 'fast_food'][i % 3]}"
            for i in range(120)
        ]
        with ThreadPoolExecutor(max_workers=60) as pool:
            # Half the clients give up early, the others wait: both kinds at once.
            statuses = list(
                pool.map(lambda i: _get(urls[i], cookie, 0.05 if i % 2 else 20), range(len(urls)))
            )
        assert statuses.count(200) >= 50
        started = time.monotonic()
        assert _get(f"{base}/gov/businesses?sort=county_code", cookie, 20) == 200
        assert time.monotonic() - started < 10
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
