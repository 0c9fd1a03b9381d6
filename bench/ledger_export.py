"""Benchmark: the purchase ledger's exports and list at a million lines (issue 5 §9).

Targets, on PostgreSQL with 1,000,000 current ledger lines:

- the FSMA 204 export (XLSX, every receiving line of the province) of 1 million rows in at
  most 60 s;
- the government ledger list page (``/gov/ledger``, 50 lines a page, latest first, under
  date and category filters) p95 at most 150 ms.

Seeds a small demo province (5,000 businesses, its own database, once), gives each caterer
three suppliers (wholesalers of the registry) and then 1,000,000 ledger lines (once) with
PostgreSQL's COPY: purchases spread over a year, key categories three times out of four,
batch numbers shared by a supplier's deliveries of a week. The database is analysed
afterwards, as autovacuum would.

Then:

- ``fsma_xlsx_1m``: ``exports.fsma_xlsx`` as the provincial bureau leader, in this
  process, once, timed end to end (rows read by keyset pages and written to the file);
- ``gov_ledger_list``: wrk drives ``/gov/ledger`` pages (first pages, deep pages, a month,
  a category) for ``--seconds``, 10 connections, 2 uvicorn workers, as the leader.

Writes bench/results/ledger_export-postgresql.json and prints a summary.

    python bench/ledger_export.py                 # prepare (once), then both figures
    python bench/ledger_export.py --only prepare  # the database only
    python bench/ledger_export.py --only export   # one figure; the other keeps its value
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import (
    PG_URL,
    RESULTS,
    env_for,
    machine,
    prepare_database,
    print_results,
    session_cookie,
    start_server,
    stop_server,
    visit_once,
    wrk,
)
from sqlalchemy import func, select

from sunshine.auth.principal import Principal
from sunshine.core.db import get_engine, unit_of_work
from sunshine.core.time import today_local
from sunshine.ingredients import exports
from sunshine.ingredients.models import LedgerLine
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business

DATABASE = "sunshine_bench_ledger"
BUSINESSES = 5_000
LINES = 1_000_000
PASSWORD = "Sunshine#2026"  # noqa: S105 - the demo accounts' documented password
PRODUCTS = (
    ("猪肉（鲜）", "meat_poultry", "散装 kg", "kg"),
    ("鸡胸肉", "meat_poultry", "冷冻 1kg", "袋"),
    ("大白菜", "vegetables", "散装", "kg"),
    ("土豆", "vegetables", "散装", "kg"),
    ("草鱼", "aquatic", "鲜活", "kg"),
    ("纯牛奶", "dairy", "250mL×24盒", "箱"),
    ("白酒", "liquor", "500mL", "瓶"),
    ("大米", "grain_oil", "25kg", "袋"),
)


def seed_lines(seed: int) -> dict[str, Any]:
    with unit_of_work() as session:
        present = session.execute(select(func.count(LedgerLine.id))).scalar_one()
        if present >= LINES:
            return {"lines_seeded_now": 0, "lines": present}
        caterers = session.execute(
            select(
                Business.id,
                Business.province_code,
                Business.prefecture_code,
                Business.county_code,
                Business.township_code,
            ).where(Business.category == BusinessCategory.CATERER)
        ).all()
        wholesalers = session.execute(
            select(Business.id, Business.name, Business.address).where(
                Business.category != BusinessCategory.CATERER
            )
        ).all()
    rng = random.Random(seed)
    started = time.monotonic()
    raw = get_engine().raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            # The demo's own lines and suppliers go, with what refers to them (their EPCIS
            # events, shipments, signals): the bench's million replace them.
            cursor.execute("TRUNCATE ledger_lines, ingredient_suppliers CASCADE")
            supplier_rows = []
            sid = 0
            by_store: dict[int, list[tuple[int, Any]]] = {}
            for c in caterers:
                for w in rng.sample(list(wholesalers), 3):
                    sid += 1
                    supplier_rows.append(
                        (sid, c.id, w.id, "", "[]", "", "", "", True, datetime.now(UTC))
                    )
                    by_store.setdefault(c.id, []).append((sid, w))
            with cursor.copy(
                "COPY ingredient_suppliers (id, business_id, supplier_business_id, name,"
                " licence_scope, address, contact_name, contact_phone, active, created_at)"
                " FROM STDIN"
            ) as copy:
                for row in supplier_rows:
                    copy.write_row(row)
            today = today_local()
            columns = (
                "id, business_id, province_code, prefecture_code, county_code, township_code,"
                " purchase_date, product_name, category, specification, quantity, unit,"
                " batch_number, production_date, shelf_life_days, expiry_date, no_shelf_life,"
                " producer_name, supplier_id, supplier_business_id, supplier_name,"
                " supplier_address, supplier_contact, supplier_licence_state, documents,"
                " document_files, appearance_ok, appearance_note, test_kind, test_result,"
                " recorder_name,"
                " remarks, retain_until, correction_reason, recorded_at, entered_on"
            )
            with cursor.copy(f"COPY ledger_lines ({columns}) FROM STDIN") as copy:
                for n in range(1, LINES + 1):
                    c = caterers[rng.randrange(len(caterers))]
                    supplier_id, w = rng.choice(by_store[c.id])
                    name, category, spec, unit = PRODUCTS[rng.randrange(len(PRODUCTS))]
                    bought = today - timedelta(days=rng.randrange(365))
                    week = bought.isocalendar()
                    copy.write_row(
                        (
                            n,
                            c.id,
                            c.province_code,
                            c.prefecture_code,
                            c.county_code,
                            c.township_code,
                            bought,
                            name,
                            category,
                            spec,
                            rng.randrange(1, 200),
                            unit,
                            f"B{w.id}-{week[0]}{week[1]:02d}",
                            bought - timedelta(days=1),
                            7,
                            bought + timedelta(days=5),
                            False,
                            "某食品有限公司",
                            supplier_id,
                            w.id,
                            w.name,
                            w.address,
                            "028-12345678",
                            "valid",
                            '["licence", "voucher", "conformity"]',
                            "{}",
                            True,
                            "",
                            "none",
                            "",
                            "员工",
                            "",
                            bought + timedelta(days=730),
                            "",
                            datetime.now(UTC),
                            bought,
                        )
                    )
            cursor.execute("SELECT setval('ledger_lines_id_seq', %s)", (LINES,))
            cursor.execute("SELECT setval('ingredient_suppliers_id_seq', %s)", (sid,))
        connection.commit()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ledger_lines")
            cursor.execute("ANALYZE ingredient_suppliers")
        connection.commit()
    finally:
        raw.close()
    return {"lines_seeded_now": LINES, "seed_lines_seconds": round(time.monotonic() - started, 1)}


def leader() -> Principal:
    from sunshine.auth import repository as auth_repo
    from sunshine.auth import service as auth_service

    with unit_of_work() as session:
        user = auth_repo.get_user_by_username(session, "leader")
        assert user is not None
        return auth_service.principal_for(session, user)


def measure_export() -> dict[str, Any]:
    actor = leader()
    started = time.perf_counter()
    with unit_of_work() as session:
        path = exports.fsma_xlsx(session=session, actor=actor, query=exports.FsmaQuery(None, None))
    elapsed = time.perf_counter() - started
    size = os.path.getsize(path)
    os.unlink(path)
    # The machine may be shared: the load when the figure was taken says how far to trust it.
    load = [round(x, 2) for x in os.getloadavg()]
    return {
        "seconds": round(elapsed, 2),
        "rows": LINES,
        "bytes": size,
        "load_average": load,
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def measure_list(env: dict[str, str], seconds: int) -> dict[str, Any]:
    port = 8766
    server = start_server(env, workers=2, port=port)
    try:
        cookie = session_cookie(port, "leader", PASSWORD)
        month = (today_local() - timedelta(days=30)).isoformat()
        paths = [
            *(f"/gov/ledger?page={p}" for p in range(1, 21)),
            *(f"/gov/ledger?page={p}" for p in (100, 150, 200)),
            *(f"/gov/ledger?date_from={month}&page={p}" for p in range(1, 6)),
            *(f"/gov/ledger?category={c}" for c in ("dairy", "aquatic", "liquor")),
        ]
        visit_once(port, paths, 4, cookie)
        return {
            "gov_ledger_list": wrk(port, paths, seconds, connections=10, threads=2, cookie=cookie)
        }
    finally:
        stop_server(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--only",
        choices=("prepare", "export", "list"),
        help="prepare the database only, or measure one figure (the others keep theirs)",
    )
    args = parser.parse_args()
    url = PG_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    prepare = prepare_database("postgresql", url, BUSINESSES)
    env = env_for("postgresql", url)
    os.environ.update(env)
    prepare.update(seed_lines(args.seed))
    if args.only == "prepare":
        print(json.dumps(prepare))
        return 0
    out = RESULTS / "ledger_export-postgresql.json"
    # A figure not measured this time keeps its last value (``--only``).
    results: dict[str, Any] = {}
    if args.only and out.exists():
        results = json.loads(out.read_text(encoding="utf-8")).get("results", {})
    if args.only in (None, "export"):
        results["fsma_xlsx_1m"] = measure_export()
    if args.only in (None, "list"):
        results.update(measure_list(env, args.seconds))
    report = {
        "benchmark": "ledger_export",
        "backend": "postgresql",
        "targets": {"fsma_xlsx_1m_s_max": 60, "gov_ledger_list_p95_ms_max": 150},
        "machine": machine(),
        "prepare": prepare,
        "results": results,
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    export = results.get("fsma_xlsx_1m")
    if export:
        print(f"fsma_xlsx_1m   {export['seconds']:.1f} s for {export['rows']} rows")
    pages = {k: v for k, v in results.items() if k == "gov_ledger_list"}
    return print_results("postgresql", pages, out)


if __name__ == "__main__":
    sys.exit(main())
