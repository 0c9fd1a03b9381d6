"""Bulk-import pages through HTTP: upload, progress, problem reports, template, scoping."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, login
from sunshine.auth.models import User
from sunshine.config import Settings
from sunshine.core import jobs
from sunshine.core.identifiers import make_id_number, make_jy_licence, make_uscc
from sunshine.registry.models import Business, ImportJob

HTML = {"accept": "text/html"}
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
)
STAFF_HEADINGS = (
    "姓名",
    "岗位",
    "身份证号",
    "性别",
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


def business_csv(count: int, *, seed: int, county: str = "510104") -> tuple[bytes, list[str]]:
    rng = random.Random(seed)
    rows = [
        [
            f"网页导入餐馆{seed}-{i}",
            make_uscc(rng=rng, region_code=county),
            make_jy_licence(rng=rng, form_digit=2, county_code=county, sequence=800_000 + i),
            "快餐店",
            county,
            f"四川省成都市锦江区网页路{i}号",
            "2025/03/01",
            "2030-02-28",
            "王五",
            "13912345678",
            "赵六",
        ]
        for i in range(1, count + 1)
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig"), [r[1] for r in rows]


def staff_csv(count: int, *, seed: int) -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STAFF_HEADINGS)
    for i in range(1, count + 1):
        born = date(1985, 3, 1) + timedelta(days=101 * i)
        number = make_id_number(rng=rng, region_code="510104", birth_date=born, male=False)
        writer.writerow(
            [f"网页员工{i}", "服务员", number, "女", f"JK{i:06d}", "2026/2/1", "2027/1/31"]
        )
    return buffer.getvalue().encode("gb18030")


def upload(
    client: TestClient, portal: str, filename: str, content: bytes, *, csrf: bool = True
) -> Response:
    """Post ``content`` as the upload form does (in English, so messages read as msgids)."""
    client.cookies.set("lang", "en")
    data = {"csrf_token": csrf_of(client, f"/{portal}/imports")} if csrf else {}
    return client.post(
        f"/{portal}/imports",
        data=data,
        files={"file": (filename, content, "application/octet-stream")},
        headers=HTML,
    )


def token_of(response: Response, portal: str) -> str:
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    assert location.startswith(f"/{portal}/imports/")
    return location.rsplit("/", 1)[1]


def count_businesses(session: Session, usccs: list[str]) -> int:
    stmt = select(func.count()).select_from(Business).where(Business.uscc.in_(usccs))
    return int(session.execute(stmt).scalar_one())


def test_regulator_imports_a_valid_file(client: TestClient, session: Session) -> None:
    login(client, "inspector_a")
    index = client.get("/gov/imports", headers=HTML)
    assert index.status_code == 200
    assert 'enctype="multipart/form-data"' in index.text
    content, usccs = business_csv(3, seed=31)
    token = token_of(upload(client, "gov", "商户名单.csv", content), "gov")
    page = client.get(f"/gov/imports/{token}", headers=HTML)
    assert page.status_code == 200
    assert 'data-status="succeeded"' in page.text
    assert "hx-trigger" not in page.text  # finished: no more polling
    assert "商户名单.csv" in page.text
    assert count_businesses(session, usccs) == 3
    listing = client.get("/gov/imports", headers=HTML).text
    assert f"/gov/imports/{token}" in listing


def test_bad_row_fails_the_file_and_the_report_lists_it(
    client: TestClient, session: Session
) -> None:
    login(client, "inspector_a")
    content, usccs = business_csv(3, seed=32)
    bad = content.decode("utf-8-sig").replace("2030-02-28", "28/02/2030", 1)
    token = token_of(upload(client, "gov", "bad.csv", bad.encode("utf-8")), "gov")
    page = client.get(f"/gov/imports/{token}", headers=HTML)
    assert 'data-status="failed"' in page.text
    assert 'id="problem-table"' in page.text
    assert "28/02/2030" in page.text
    assert count_businesses(session, usccs) == 0

    report = client.get(f"/gov/imports/{token}/errors.csv")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][:3] == ["2", "有效期至", "28/02/2030"]

    workbook = client.get(f"/gov/imports/{token}/errors.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:3] == [2, "有效期至", "28/02/2030"]
    assert "YYYY-MM-DD" in str(values[1][3])


def test_neighbours_cannot_see_a_job(client: TestClient) -> None:
    login(client, "inspector_a")
    content, _usccs = business_csv(1, seed=33)
    token = token_of(upload(client, "gov", "mine.csv", content), "gov")
    client.post("/logout", data={"csrf_token": csrf_of(client, "/gov/imports")})
    client.cookies.clear()
    login(client, "inspector_b")
    for suffix in ("", "/progress", "/errors.csv", "/errors.xlsx"):
        assert client.get(f"/gov/imports/{token}{suffix}", headers=HTML).status_code == 404
    assert token not in client.get("/gov/imports", headers=HTML).text


def test_enterprise_imports_staff_and_other_businesses_get_404(
    client: TestClient, session: Session, demo: Demo
) -> None:
    login(client, "owner_a")
    token = token_of(upload(client, "biz", "员工.csv", staff_csv(2, seed=34)), "biz")
    page = client.get(f"/biz/imports/{token}", headers=HTML)
    assert 'data-status="succeeded"' in page.text
    assert 'id="menu"' in page.text  # inside the enterprise layout
    job = session.execute(select(ImportJob).where(ImportJob.token == token)).scalar_one()
    assert job.business_id == demo.account("owner_a")["business_id"]
    assert job.stored_rows == 2
    for username in ("owner_a2", "owner_b"):
        client.cookies.clear()
        login(client, username)
        assert client.get(f"/biz/imports/{token}", headers=HTML).status_code == 404
        assert client.get(f"/biz/imports/{token}/errors.csv").status_code == 404
    client.cookies.clear()
    login(client, "inspector_a")  # a regulator is not in the enterprise portal at all
    assert client.get(f"/biz/imports/{token}", headers=HTML).status_code == 403


def test_staff_role_may_not_upload(client: TestClient) -> None:
    login(client, "staff_a")
    response = upload(client, "biz", "s.csv", staff_csv(1, seed=35))
    assert response.status_code == 403


def test_oversized_upload_is_rejected_and_nothing_stored(
    client: TestClient, session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "inspector_a")
    monkeypatch.setattr(settings, "upload_max_bytes", 2048)
    jobs_before = session.execute(select(func.count()).select_from(ImportJob)).scalar_one()
    folder = Path(settings.storage_dir) / "imports"
    files_before = set(folder.iterdir()) if folder.exists() else set()
    content, _usccs = business_csv(40, seed=36)
    assert 2048 < len(content) < 2048 + 64 * 1024  # read and refused while streaming
    response = upload(client, "gov", "big.csv", content)
    assert response.status_code == 413
    assert "file too large: the limit is 2 KiB" in response.text
    huge = upload(client, "gov", "huge.csv", content * 40)  # refused on its declared length
    assert huge.status_code == 413
    assert "file too large" in huge.text
    session.expire_all()
    assert session.execute(select(func.count()).select_from(ImportJob)).scalar_one() == jobs_before
    assert (set(folder.iterdir()) if folder.exists() else set()) == files_before


@pytest.mark.parametrize(
    ("filename", "content"),
    [("list.txt", b"a,b\n1,2\n"), ("fake.xlsx", b"name,uscc\n1,2\n")],
)
def test_wrong_file_type_is_rejected_with_the_message(
    client: TestClient, filename: str, content: bytes
) -> None:
    login(client, "inspector_a")
    response = upload(client, "gov", filename, content)
    assert response.status_code == 415
    assert "file type not supported: expected .csv or .xlsx" in response.text
    assert 'id="upload-form"' in response.text


def test_upload_without_a_file_or_csrf_token(client: TestClient) -> None:
    login(client, "inspector_a")
    empty = client.post(
        "/gov/imports", data={"csrf_token": csrf_of(client, "/gov/imports")}, headers=HTML
    )
    assert empty.status_code == 400
    content, _usccs = business_csv(1, seed=37)
    assert upload(client, "gov", "a.csv", content, csrf=False).status_code == 403


def test_templates_download_with_chinese_headings(client: TestClient) -> None:
    login(client, "inspector_a")
    response = client.get("/gov/imports/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headings = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headings[: len(HEADINGS)] == list(HEADINGS)
    client.cookies.clear()
    login(client, "owner_a")
    staff = client.get("/biz/imports/template.xlsx")
    sheet = load_workbook(io.BytesIO(staff.content)).worksheets[0]
    assert "身份证号" in [c.value for c in next(sheet.iter_rows(max_row=1))]


def test_running_job_polls_its_progress_every_second(client: TestClient, session: Session) -> None:
    user = session.execute(select(User).where(User.username == "inspector_a")).scalar_one()
    job = ImportJob(
        token="0123456789abcdef0123456789abcdef",
        kind="businesses",
        status="validating",
        filename="running.csv",
        stored_path="imports/0123456789abcdef0123456789abcdef/original.csv",
        created_by_id=user.id,
        total_rows=400,
        processed_rows=200,
        errors=[],
    )
    session.add(job)
    session.commit()
    login(client, "inspector_a")
    page = client.get(f"/gov/imports/{job.token}", headers=HTML).text
    assert f'hx-get="/gov/imports/{job.token}/progress"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "/static/vendor/htmx/htmx.min.js" in page
    fragment = client.get(f"/gov/imports/{job.token}/progress", headers=HTML)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="import-status"')
    assert 'aria-valuenow="50"' in fragment.text
    job.status, job.processed_rows, job.stored_rows = "succeeded", 400, 400
    session.commit()
    done = client.get(f"/gov/imports/{job.token}/progress", headers=HTML).text
    assert "hx-trigger" not in done
    assert 'aria-valuenow="100"' in done
