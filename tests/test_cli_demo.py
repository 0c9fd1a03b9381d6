"""`sunshine demo` makes a usable demo even when small, and keeps data on later runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business

BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "sunshine"), *args], env=env, check=True, text=True, capture_output=True
    )


def test_small_demo_covers_every_role_in_two_counties(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    env = dict(os.environ, SUNSHINE_DEMO="1", SUNSHINE_DATABASE_URL=f"sqlite:///{db}")
    env.pop("SUNSHINE_REDIS_URL", None)
    _run(["db", "upgrade"], env)
    accounts_file = tmp_path / "accounts.json"
    out = _run(
        ["demo", "--businesses", "30", "--seed", "5", "--accounts-json", str(accounts_file)], env
    ).stdout
    assert "inspector_a" in out
    accounts = json.loads(accounts_file.read_text(encoding="utf-8"))
    assert {a["role"] for a in accounts} == {r.value for r in Role}
    for account in accounts:
        assert set(account) >= {"username", "password", "role", "region_code"}
    engine = create_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Business)).scalar_one() == 30
        counties = set()
        for account in accounts:
            role = Role(account["role"])
            if role is Role.PUBLIC:
                continue
            if "org_unit" in account:
                unit = session.execute(
                    select(OrgUnit).where(OrgUnit.name == account["org_unit"])
                ).scalar_one()
                column = {
                    "province": Business.province_code,
                    "prefecture": Business.prefecture_code,
                    "county": Business.county_code,
                    "township": Business.township_code,
                }[unit.region_level.value]
                held = session.execute(
                    select(func.count()).select_from(Business).where(column == unit.region_code)
                ).scalar_one()
                assert held > 0, f"{account['username']}'s jurisdiction holds no business"
                if unit.region_level.value == "county":
                    counties.add(unit.region_code)
            else:
                business = session.get(Business, account["business_id"])
                assert business is not None, account
        assert len(counties) >= 2
    engine.dispose()
    again = _run(["demo", "--businesses", "30", "--if-empty"], env).stdout
    assert "keeping it" in again
    assert "inspector_a" in again
