"""Bulk import of businesses and staff: reading, validating, all-or-nothing storing, the queue.

Files are generated here (csv / openpyxl) with identifiers that pass their check algorithms;
the job runs in the foreground (``SUNSHINE_JOBS_IMMEDIATE`` semantics) against the test
database, whose transaction is rolled back after each test.
"""

from __future__ import annotations

import csv
import io
import os
import random
import threading
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.audit.models import AuditEntry
from sunshine.auth import service as auth_service
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.config import Settings
from sunshine.core import crypto, jobs, storage
from sunshine.core.identifiers import make_id_number, make_jy_licence, make_uscc
from sunshine.registry import imports, tasks
from sunshine.registry.imports import ImportKind, ImportStatus
from sunshine.registry.models import Business, ImportJob, Staff

HEADINGS = (
    "名称",
    "统一社会信用代码",
    "许可证编号",
    "业态",
    "行政区划代码",
    "地址",
    "发证日期",
    "有效期至",
    "联系人",
    "联系电话",
    "食品安全管理员",
    "经营项目",
)
KEYS = (
    "name",
    "uscc",
    "licence_number",
    "form",
    "region_code",
    "address",
    "licence_issue_date",
    "licence_expiry_date",
    "contact_name",
    "contact_phone",
    "food_safety_manager",
    "licence_scope",
)
STAFF_HEADINGS = (
    "姓名",
    "岗位",
    "身份证号",
    "性别",
    "手机号",
    "直接接触入口食品(是/否)",
    "健康证编号",
    "健康证发证日期",
    "健康证有效期至",
)


@pytest.fixture(autouse=True)
def immediate_jobs(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, "jobs_immediate", True)
    jobs.reset()
    yield
    jobs.reset()


def principal(session: Session, username: str) -> Principal:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return auth_service.principal_for(session, user)


def business_rows(count: int, *, county: str = "510104", seed: int = 11) -> list[list[Any]]:
    """Valid business rows (values in HEADINGS order) for ``county``."""
    rng = random.Random(seed)
    return [
        [
            f"导入测试餐馆{seed}-{i}号",
            make_uscc(rng=rng, region_code=county),
            make_jy_licence(rng=rng, form_digit=2, county_code=county, sequence=900_000 + i),
            "餐馆" if i % 2 else "restaurant",
            county,
            f"四川省成都市锦江区导入路{i}号",
            "2025-03-01",
            "2030/02/28",
            "王五",
            "13912345678",
            "赵六",
            "热食类食品制售、冷食类食品制售",
        ]
        for i in range(1, count + 1)
    ]


def staff_rows(count: int, *, seed: int = 5) -> list[list[Any]]:
    rng = random.Random(seed)
    return [
        [
            f"员工{i}",
            "厨师",
            make_id_number(
                rng=rng,
                region_code="510104",
                birth_date=date(1990, 1, 1) + timedelta(days=37 * i),
                male=bool(i % 2),
            ),
            "男" if i % 2 else "女",
            "13800001111",
            "是",
            f"JK2026{i:04d}",
            "2026-01-05",
            "2027-01-04",
        ]
        for i in range(1, count + 1)
    ]


def csv_bytes(headings: tuple[str, ...], rows: list[list[Any]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headings: tuple[str, ...], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headings))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(
    session: Session, actor: Principal, kind: ImportKind, filename: str, content: bytes
) -> ImportJob:
    """Upload as the portal does, commit, run the job, and return the refreshed job."""
    job = imports.create_import(
        session=session, actor=actor, kind=kind, filename=filename, source=io.BytesIO(content)
    )
    session.commit()
    tasks.enqueue_import(job.id)
    session.expire_all()
    refreshed = session.get(ImportJob, job.id)
    assert refreshed is not None
    return refreshed


def stored_usccs(session: Session, usccs: list[str]) -> set[str]:
    return set(session.execute(select(Business.uscc).where(Business.uscc.in_(usccs))).scalars())


def problems_by_row(job: ImportJob) -> dict[int | None, list[dict[str, object]]]:
    out: dict[int | None, list[dict[str, object]]] = {}
    for problem in job.errors:
        out.setdefault(problem["row"], []).append(problem)  # type: ignore[arg-type]
    return out


# Valid files store every row ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_valid_csv_stores_every_row(session: Session, encoding: str) -> None:
    rows = business_rows(5, seed=21)
    actor = principal(session, "inspector_a")
    job = run_import(
        session, actor, ImportKind.BUSINESSES, "商户.csv", csv_bytes(HEADINGS, rows, encoding)
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert (job.total_rows, job.processed_rows, job.stored_rows) == (5, 5, 5)
    assert job.errors == []
    assert job.finished_at is not None
    usccs = [r[1] for r in rows]
    assert stored_usccs(session, usccs) == set(usccs)
    business = session.execute(select(Business).where(Business.uscc == usccs[0])).scalar_one()
    assert business.county_code == "510104"
    assert business.form == "restaurant"
    assert business.licence_scope == ["热食类食品制售", "冷食类食品制售"]
    assert business.licence_expiry_date == date(2030, 2, 28)
    # Every created row is in the audit trail, with a summary naming them.
    created = session.execute(
        select(AuditEntry.entity_id).where(AuditEntry.action == "business.create")
    ).scalars()
    ids = {
        str(b)
        for b in session.execute(select(Business.id).where(Business.uscc.in_(usccs))).scalars()
    }
    assert ids <= set(created)
    summary = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "import.succeed", AuditEntry.entity_id == str(job.id)
        )
    ).scalar_one()
    assert summary.after is not None
    assert {str(i) for i in summary.after["created_ids"]} == ids
    assert summary.actor_label == "inspector_a"
    # The upload is not kept once the job has finished.
    assert not storage.path_of(job.stored_path).exists()


def test_english_keys_and_optional_columns(session: Session) -> None:
    rows = business_rows(2, seed=22)
    headings = (*KEYS, "scale", "category")
    data = [[*r, "中型", "caterer"] for r in rows]
    job = run_import(
        session,
        principal(session, "inspector_a"),
        ImportKind.BUSINESSES,
        "b.csv",
        csv_bytes(headings, data, "utf-8"),
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    business = session.execute(select(Business).where(Business.uscc == rows[0][1])).scalar_one()
    assert business.scale == "medium"


def test_valid_xlsx_with_real_excel_dates_and_numbers(session: Session) -> None:
    rows = business_rows(4, seed=23)
    for row in rows:
        row[4] = int(row[4])  # region code typed as a number
        row[6] = datetime(2025, 3, 1)  # noqa: DTZ001 - a real (naive) Excel date cell
        row[7] = date(2030, 2, 28)
        row[9] = 13912345678  # phone typed as a number
    job = run_import(
        session,
        principal(session, "inspector_a"),
        ImportKind.BUSINESSES,
        "商户.xlsx",
        xlsx_bytes(HEADINGS, rows),
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.stored_rows == 4
    business = session.execute(select(Business).where(Business.uscc == rows[2][1])).scalar_one()
    assert business.licence_issue_date == date(2025, 3, 1)
    assert business.contact_phone == "13912345678"


# One bad row: nothing stored, every problem reported ---------------------------------------


def test_bad_rows_store_nothing_and_each_is_reported_with_row_and_column(
    session: Session,
) -> None:
    rows = business_rows(7, seed=24)
    uscc = rows[1][1]
    wrong = "0" if uscc[-1] != "0" else "1"
    rows[1][1] = uscc[:-1] + wrong  # spreadsheet row 3: bad check character
    rows[2][6] = "2025.03.01"  # row 4: date in a format not accepted
    rows[3][2] = rows[0][2]  # row 5: licence number of row 2 again
    rows[4][4] = "510105"  # row 6: the neighbouring county, outside the jurisdiction
    rows[5][3] = "火锅"  # row 7: not a business form
    job = run_import(
        session,
        principal(session, "inspector_a"),
        ImportKind.BUSINESSES,
        "bad.csv",
        csv_bytes(HEADINGS, rows, "utf-8"),
    )
    assert job.status == ImportStatus.FAILED
    assert job.stored_rows == 0
    assert job.processed_rows == 7
    by_row = problems_by_row(job)
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert [p["row"] for p in job.errors] == [3, 4, 5, 6, 7]  # in spreadsheet order
    assert by_row[3][0]["column"] == "统一社会信用代码"
    assert "check character" in str(by_row[3][0]["reason"])
    assert by_row[3][0]["value"] == rows[1][1]
    assert by_row[4][0]["column"] == "发证日期"
    assert by_row[4][0]["value"] == "2025.03.01"
    assert "YYYY-MM-DD" in str(by_row[4][0]["reason"])
    assert by_row[5][0]["column"] == "许可证编号"
    assert "row 2" in str(by_row[5][0]["reason"])
    assert by_row[6][0]["column"] == "行政区划代码"
    assert "jurisdiction" in str(by_row[6][0]["reason"])
    assert by_row[7][0]["column"] == "业态"
    assert stored_usccs(session, [r[1] for r in rows]) == set()
    failed = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "import.fail", AuditEntry.entity_id == str(job.id)
        )
    ).scalar_one()
    assert failed.after is not None and failed.after["problems"] == 5


def test_duplicates_against_the_database_are_refused(session: Session, demo: Demo) -> None:
    existing = session.get(Business, demo.account("owner_a")["business_id"])
    assert existing is not None
    rows = business_rows(2, seed=25)
    rows[1][1] = existing.uscc
    job = run_import(
        session,
        principal(session, "inspector_a"),
        ImportKind.BUSINESSES,
        "dup.csv",
        csv_bytes(HEADINGS, rows, "utf-8"),
    )
    assert job.status == ImportStatus.FAILED
    assert [(p["row"], p["column"], p["reason"]) for p in job.errors] == [
        (3, "统一社会信用代码", "already registered")
    ]
    assert stored_usccs(session, [rows[0][1]]) == set()


def test_missing_and_unknown_columns_are_reported_on_the_header_row(session: Session) -> None:
    headings = (*(h for h in HEADINGS if h != "有效期至"), "备注")
    rows = [[*r[:7], *r[8:], "x"] for r in business_rows(1, seed=26)]
    job = run_import(
        session,
        principal(session, "inspector_a"),
        ImportKind.BUSINESSES,
        "cols.csv",
        csv_bytes(headings, rows, "utf-8"),
    )
    assert job.status == ImportStatus.FAILED
    found = {(p["row"], p["column"], p["reason"]) for p in job.errors}
    assert (1, "备注", "unknown column") in found
    assert (1, "有效期至", "required column is missing (licence_expiry_date)") in found


def test_blank_rows_are_skipped_but_rows_keep_their_spreadsheet_numbers(session: Session) -> None:
    rows = business_rows(3, seed=27)
    rows[2][1] = "NOT-A-CODE"
    blank = [""] * len(HEADINGS)
    job = run_import(
        session,
        principal(session, "inspector_a"),
        ImportKind.BUSINESSES,
        "gaps.csv",
        csv_bytes(HEADINGS, [rows[0], blank, rows[1], blank, rows[2]], "utf-8"),
    )
    assert job.status == ImportStatus.FAILED
    assert job.total_rows == 3
    assert {p["row"] for p in job.errors} == {6}


def test_businesses_import_is_for_regulators(session: Session) -> None:
    from sunshine.core.errors import ForbiddenError

    with pytest.raises(ForbiddenError):
        imports.create_import(
            session=session,
            actor=principal(session, "owner_a"),
            kind=ImportKind.BUSINESSES,
            filename="b.csv",
            source=io.BytesIO(csv_bytes(HEADINGS, business_rows(1), "utf-8")),
        )


# Staff ---------------------------------------------------------------------------------------


def test_staff_xlsx_import_stores_every_row_encrypted(session: Session, demo: Demo) -> None:
    business_id = demo.account("owner_a")["business_id"]
    rows = staff_rows(4)
    rows[0][7] = datetime(2026, 1, 5)  # noqa: DTZ001 - real (naive) Excel date cells
    rows[0][8] = datetime(2027, 1, 4)  # noqa: DTZ001
    rows[1][5] = "否"
    job = run_import(
        session,
        principal(session, "owner_a"),
        ImportKind.STAFF,
        "员工.xlsx",
        xlsx_bytes(STAFF_HEADINGS, rows),
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.business_id == business_id and job.stored_rows == 4
    digests = [crypto.digest(r[2]) for r in rows]
    staff = session.execute(select(Staff).where(Staff.id_number_digest.in_(digests))).scalars()
    by_digest = {s.id_number_digest: s for s in staff}
    assert len(by_digest) == 4
    first = by_digest[digests[0]]
    assert first.business_id == business_id
    assert first.gender == "male"
    assert first.health_cert_expiry_date == date(2027, 1, 4)
    assert rows[0][2] not in first.id_number_encrypted
    assert by_digest[digests[1]].direct_contact is False
    audited = session.execute(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "staff.create",
            AuditEntry.entity_id.in_([str(s.id) for s in by_digest.values()]),
        )
    ).scalar_one()
    assert audited == 4


def test_staff_problems_mask_id_numbers_and_store_nothing(session: Session) -> None:
    rows = staff_rows(4, seed=6)
    good = rows[0][2]
    rows[1][2] = good[:17] + ("0" if good[17] != "0" else "1")  # row 3: bad check digit
    rows[2][2] = good  # row 4: same person as row 2
    rows[3][8] = "2028-01-04"  # row 5: certificate valid for two years
    job = run_import(
        session,
        principal(session, "owner_a"),
        ImportKind.STAFF,
        "staff.csv",
        csv_bytes(STAFF_HEADINGS, rows, "gb18030"),
    )
    assert job.status == ImportStatus.FAILED
    by_row = problems_by_row(job)
    assert set(by_row) == {3, 4, 5}
    assert by_row[3][0]["column"] == "身份证号"
    assert good[6:14] not in str(by_row[3][0]["value"])  # the birth date is masked
    assert "row 2" in str(by_row[4][0]["reason"])
    assert "one year" in str(by_row[5][0]["reason"])
    digests = [crypto.digest(r[2]) for r in rows if len(r[2]) == 18]
    count = session.execute(
        select(func.count()).select_from(Staff).where(Staff.id_number_digest.in_(digests))
    ).scalar_one()
    assert count == 0


def test_staff_already_on_the_register_is_refused(session: Session) -> None:
    rows = staff_rows(2, seed=8)
    actor = principal(session, "owner_a")
    first = run_import(
        session, actor, ImportKind.STAFF, "a.csv", csv_bytes(STAFF_HEADINGS, rows[:1], "utf-8")
    )
    assert first.status == ImportStatus.SUCCEEDED
    second = run_import(
        session, actor, ImportKind.STAFF, "b.csv", csv_bytes(STAFF_HEADINGS, rows, "utf-8")
    )
    assert second.status == ImportStatus.FAILED
    assert [(p["row"], p["reason"]) for p in second.errors] == [(2, "already on the register")]


def test_an_18_digit_number_damaged_by_excel_is_explained(session: Session) -> None:
    rows = staff_rows(1, seed=9)
    rows[0][2] = float(rows[0][2][:17] + "1")
    job = run_import(
        session,
        principal(session, "owner_a"),
        ImportKind.STAFF,
        "excel.xlsx",
        xlsx_bytes(STAFF_HEADINGS, rows),
    )
    assert job.status == ImportStatus.FAILED
    assert "enter this as text" in str(job.errors[0]["reason"])


# Storage -------------------------------------------------------------------------------------


def _save(filename: str, content: bytes, max_bytes: int | None = None) -> storage.StoredFile:
    return storage.save_upload(
        area="imports",
        token="t" + str(abs(hash((filename, content))) % 10**12),
        filename=filename,
        source=io.BytesIO(content),
        max_bytes=max_bytes,
    )


def _imports_dir(settings: Settings) -> set[str]:
    folder = Path(settings.storage_dir) / "imports"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_oversized_upload_is_rejected_and_nothing_kept(settings: Settings) -> None:
    before = _imports_dir(settings)
    with pytest.raises(storage.UploadRejected) as caught:
        _save("big.csv", b"a,b\n" * 1000, max_bytes=1024)
    assert caught.value.status == 413
    assert str(caught.value) == "file too large: the limit is 1 KiB"
    assert _imports_dir(settings) == before


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("notes.txt", b"name,uscc\n"),
        ("fake.xlsx", b"name,uscc\nthis is not a spreadsheet\n"),
        ("word.xlsx", b"docx"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ],
)
def test_wrong_type_is_rejected_with_the_message(
    settings: Settings, filename: str, content: bytes
) -> None:
    if content == b"docx":  # a real Office zip, but a word-processing document
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(
                "[Content_Types].xml",
                '<Types><Override ContentType="application/vnd.openxmlformats-'
                'officedocument.wordprocessingml.document.main+xml"/></Types>',
            )
        content = buffer.getvalue()
    before = _imports_dir(settings)
    with pytest.raises(storage.UploadRejected) as caught:
        _save(filename, content)
    assert str(caught.value) == "file type not supported: expected .csv or .xlsx"
    assert caught.value.status == 415
    assert _imports_dir(settings) == before


def test_gbk_csv_and_real_xlsx_are_kept(settings: Settings) -> None:
    gbk = _save("商户.CSV", "名称,地址\n测试,成都\n".encode("gbk"))
    assert gbk.kind == "csv"
    assert storage.read_csv_text(storage.path_of(gbk.relative_path)).startswith("名称")
    book = _save("x.xlsx", xlsx_bytes(("名称",), [["测试"]]))
    assert book.kind == "xlsx"
    assert storage.path_of(book.relative_path).is_file()
    storage.delete(book.relative_path)
    assert not storage.path_of(book.relative_path).exists()
    with pytest.raises(ValueError, match="not a storage path"):
        storage.path_of("../etc/passwd")


def test_template_has_the_chinese_headings() -> None:
    content = imports.template_xlsx(ImportKind.BUSINESSES, lambda s: s)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    headings = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headings[: len(HEADINGS)] == list(HEADINGS)
    staff = load_workbook(io.BytesIO(imports.template_xlsx(ImportKind.STAFF, lambda s: s)))
    assert [c.value for c in next(staff.worksheets[0].iter_rows(max_row=1))] == list(STAFF_HEADINGS)


# The queue -----------------------------------------------------------------------------------


def test_queue_follows_the_settings(settings: Settings, tmp_path: Path) -> None:
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    embedded = settings.model_copy(
        update={
            "jobs_immediate": False,
            "redis_url": None,
            "database_url": f"sqlite:///{tmp_path}/db.sqlite3",
        }
    )
    assert jobs.queue_path(embedded) == tmp_path / "db.jobs.sqlite3"
    assert isinstance(jobs.build_huey(embedded), SqliteHuey)
    assert jobs.runs_embedded(embedded)
    server = embedded.model_copy(
        update={"redis_url": "redis://localhost:6379/0", "database_url": "postgresql://x/y"}
    )
    assert isinstance(jobs.build_huey(server), RedisHuey)
    assert not jobs.runs_embedded(server)
    assert jobs.queue_path(server) == Path("var/jobs.sqlite3")
    immediate = embedded.model_copy(update={"jobs_immediate": True})
    huey = jobs.build_huey(immediate)
    assert isinstance(huey, MemoryHuey) and huey.immediate


_PINGED = threading.Event()


@jobs.job("tests.ping")
def _ping(value: int) -> None:
    if value == 42:
        _PINGED.set()


REDIS_URL = os.environ.get("SUNSHINE_TEST_REDIS_URL")


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(
                not REDIS_URL, reason="needs Redis (SUNSHINE_TEST_REDIS_URL; CI sets it)"
            ),
        ),
    ],
)
def test_consumer_runs_queued_jobs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    monkeypatch.setattr(settings, "jobs_immediate", False)
    monkeypatch.setattr(settings, "redis_url", REDIS_URL if backend == "redis" else None)
    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path}/queue-test.sqlite3")
    jobs.reset()
    _PINGED.clear()
    jobs.enqueue("tests.ping", 42)  # on the queue: nobody runs it yet
    assert not _PINGED.wait(0.2)
    consumer = jobs.start_embedded_consumer(workers=1)
    try:
        assert _PINGED.wait(10), "the consumer did not run the queued job"
    finally:
        consumer.stop(graceful=True)
    assert (tmp_path / "queue-test.jobs.sqlite3").is_file() == (backend == "sqlite")


def test_serve_starts_and_stops_the_in_process_consumer(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from sunshine import cli

    events: list[str] = []

    class FakeConsumer:
        def stop(self, graceful: bool = False) -> None:
            events.append(f"stop graceful={graceful}")

    def fake_start(*, workers: int) -> FakeConsumer:
        events.append(f"start {workers}")
        return FakeConsumer()

    monkeypatch.setattr(settings, "jobs_immediate", False)
    monkeypatch.setattr(settings, "redis_url", None)
    monkeypatch.setattr(jobs, "start_embedded_consumer", fake_start)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: events.append("serve"))
    assert cli.main(["serve", "--job-threads", "3"]) == 0
    assert events == ["start 3", "serve", "stop graceful=True"]
    events.clear()
    monkeypatch.setattr(settings, "redis_url", "redis://localhost:6379/0")
    assert cli.main(["serve"]) == 0
    assert events == ["serve"]  # with Redis, `sunshine worker` processes consume the queue
    assert cli.build_parser().parse_args(["worker", "--workers", "4"]).workers == 4
