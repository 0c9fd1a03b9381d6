"""Importing a ledger file: every row checked, problems by row and column, all or nothing."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from ledger_helpers import day, suppliers
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from helpers import csrf_of
from sunshine.ingredients.models import LedgerLine

HEADER = [
    "进货日期", "产品名称", "品类", "规格", "数量", "单位", "生产批号", "生产日期",
    "保质期(天)", "供货者", "查验证明", "外观合格", "记录人",
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _row(supplier: str, **changes: str) -> list[str]:
    values = {
        "进货日期": day(-1).isoformat(),
        "产品名称": "西红柿",
        "品类": "蔬菜",
        "规格": "散装",
        "数量": "20",
        "单位": "kg",
        "生产批号": "",
        "生产日期": day(-1).isoformat(),
        "保质期(天)": "7",
        "供货者": supplier,
        "查验证明": "购货凭证",
        "外观合格": "是",
        "记录人": "王五",
    }
    values.update(changes)
    return [values[h] for h in HEADER]


def _lines(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.execute(select(func.count()).select_from(LedgerLine)).scalar_one()


def _upload(client: TestClient, content: bytes) -> str:
    token = csrf_of(client, "/biz/ledger/imports")
    response = client.post(
        "/biz/ledger/imports",
        data={"csrf_token": token},
        files={"file": ("ledger.csv", content, "text/csv")},
    )
    assert response.status_code == 303, response.text[:1000]
    return str(response.headers["location"])


def test_a_file_with_bad_rows_stores_nothing_and_names_row_and_column(
    db: sessionmaker[Session], new_client: object
) -> None:
    with db() as session:
        _, external = suppliers(session)
        name = external.name
        session.commit()
    manager = new_client("manager_a")  # type: ignore[operator]
    before = _lines(db)
    content = _csv(
        [
            _row(name),
            _row(name, **{"进货日期": day(3).isoformat()}),
            _row("无名供货者"),
            _row(name, **{"品类": "水果", "数量": "abc"}),
            _row(name, **{"生产日期": "", "生产批号": ""}),
        ]
    )
    job = manager.get(_upload(manager, content))
    assert 'id="import-failed"' in job.text
    assert _lines(db) == before
    report = manager.get(_upload(manager, content).rstrip("/") + "/errors.csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))[1:]
    found = {(r[0], r[1]) for r in rows}
    assert ("3", "进货日期") in found
    assert ("4", "供货者") in found
    assert ("5", "品类") in found and ("5", "数量") in found
    assert ("6", "生产批号") in found
    assert not any(r[0] == "2" for r in rows)


def test_a_good_file_stores_every_line(db: sessionmaker[Session], new_client: object) -> None:
    with db() as session:
        _, external = suppliers(session)
        name = external.name
        session.commit()
    manager = new_client("manager_a")  # type: ignore[operator]
    before = _lines(db)
    job = manager.get(_upload(manager, _csv([_row(name), _row(name, **{"产品名称": "黄瓜"})])))
    assert 'id="import-done"' in job.text
    assert _lines(db) == before + 2
    assert "黄瓜" in manager.get("/biz/ledger").text
    template = manager.get("/biz/ledger/imports/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_staff_and_neighbours_cannot_import_or_see_imports(
    db: sessionmaker[Session], new_client: object
) -> None:
    with db() as session:
        _, external = suppliers(session)
        name = external.name
        session.commit()
    manager = new_client("manager_a")  # type: ignore[operator]
    location = _upload(manager, _csv([_row(name)]))
    assert new_client("staff_a").get("/biz/ledger/imports").status_code == 403  # type: ignore[operator]
    assert new_client("owner_b").get(location).status_code == 404  # type: ignore[operator]
