"""Error messages: templates with parameters, shown in the reader's language.

The portals show every problem in Chinese by default and in English on request; the JSON API
keeps the English ``message`` and adds a machine ``code`` and the template's ``params``; an
import's problems are kept as templates, so the job page and the error reports follow the
language of whoever reads them.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pydantic import BaseModel, Field, ValidationError

from conftest import Demo
from helpers import api_token, csrf_of, login
from sunshine.config import Settings
from sunshine.core import jobs
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import Message, Translator, params_from_json, params_json
from sunshine.core.identifiers import IdentifierError, make_id_number, validate_id_number
from sunshine.core.validation import problems_from
from sunshine.registry.imports import Problem, error_rows
from sunshine.registry.models import ImportJob

HTML = {"accept": "text/html"}
ZH = Translator("zh_CN")
EN = Translator("en")


@pytest.fixture(autouse=True)
def immediate_jobs(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, "jobs_immediate", True)
    jobs.reset()
    yield
    jobs.reset()


def _id_number(sequence: int) -> str:
    return make_id_number(
        rng=random.Random(sequence),
        region_code="510104",
        birth_date=date(1991, 7, 4),
        male=True,
        sequence=sequence,
    )


def _wrong_check(number: str) -> tuple[str, str]:
    """``number`` with a wrong check character, and the right one."""
    wrong = "0" if number[17] != "0" else "1"
    return number[:17] + wrong, number[17]


def _staff_form(csrf: str, **changes: str) -> dict[str, str]:
    today = date.today()  # noqa: DTZ011 - a certificate issued about now
    form = {
        "csrf_token": csrf,
        "name": "错号测",
        "position": "服务员",
        "id_number": _id_number(211),
        "gender": "male",
        "phone": "13812345678",
        "direct_contact": "1",
        "health_cert_number": "JK2026-000211",
        "health_cert_issue_date": (today - timedelta(days=10)).isoformat(),
        "health_cert_expiry_date": (today + timedelta(days=300)).isoformat(),
    }
    form.update(changes)
    return form


# (a) a domain message on a portal form, in both languages ------------------------------------


def test_bad_id_number_on_the_staff_form_is_explained_in_chinese_then_english(
    client: TestClient,
) -> None:
    login(client, "owner_a")
    bad, expected = _wrong_check(_id_number(211))
    chinese = client.post(
        "/biz/staff/new",
        data=_staff_form(csrf_of(client, "/biz/staff/new"), id_number=bad),
        headers=HTML,
    )
    assert chinese.status_code == 422
    assert f"校验码应为 {expected}，实际为 {bad[17]}" in chinese.text
    assert "check character" not in chinese.text
    assert '<li data-field="id_number"' in chinese.text
    assert "身份证号码</span>:" in chinese.text  # the field's label, translated
    feedback = f'<div class="invalid-feedback" id="s-id_number-error">校验码应为 {expected}'
    assert feedback in chinese.text  # and next to the input
    assert 'aria-describedby="s-id_number-help s-id_number-error"' in chinese.text

    client.cookies.set("lang", "en")
    english = client.post(
        "/biz/staff/new",
        data=_staff_form(csrf_of(client, "/biz/staff/new"), id_number=bad),
        headers=HTML,
    )
    assert english.status_code == 422
    assert f"check character should be {expected}, got {bad[17]}" in english.text
    assert "ID number</span>:" in english.text
    assert "校验码" not in english.text


def test_a_staff_member_is_named_by_full_name_not_business_name(client: TestClient) -> None:
    login(client, "owner_a")
    response = client.post(
        "/biz/staff/new", data=_staff_form(csrf_of(client, "/biz/staff/new"), name=""), headers=HTML
    )
    assert response.status_code == 422
    assert "姓名</span>: 此项为必填项" in response.text


# (b) the 404 page ------------------------------------------------------------------------------


def test_another_countys_business_is_not_found_in_chinese(client: TestClient, demo: Demo) -> None:
    business_id = demo.account("owner_a")["business_id"]  # a store in county A
    login(client, "inspector_b")
    response = client.get(f"/gov/businesses/{business_id}", headers=HTML)
    assert response.status_code == 404
    assert "经营主体不存在" in response.text
    assert "No such business" not in response.text
    client.cookies.set("lang", "en")
    english = client.get(f"/gov/businesses/{business_id}", headers=HTML)
    assert english.status_code == 404
    assert "No such business" in english.text


# (c) the JSON API: English message, code and params ------------------------------------------


def test_api_problems_carry_code_params_and_the_english_message(
    client: TestClient, demo: Demo
) -> None:
    headers = api_token(client, "inspector_a")
    body = {
        "name": "参数测试餐馆",
        "uscc": "91350100M000100Y4Z",
        "form": "restaurant",
        "licence_number": "JY25101040012345",
        "licence_issue_date": "2025-13-01",
        "licence_expiry_date": "2030-02-28",
        "address": "四川省成都市锦江区春熙路1号",
        "region_code": demo.counties[0],
        "contact_phone": "13912345678",
        "food_safety_manager": "赵六",
    }
    response = client.post("/api/v1/businesses", json=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problems = {e["field"]: e for e in response.json()["errors"]}
    assert problems["uscc"] == {
        "field": "uscc",
        "message": "check character should be 3, got Z",
        "code": "uscc.check_char",
        "params": {"expected": "3", "actual": "Z"},
    }
    assert problems["contact_name"]["code"] == "missing"
    assert problems["contact_name"]["message"] == "This field is required"
    assert problems["contact_name"]["params"] == {}
    assert problems["licence_issue_date"]["message"] == "Enter a valid date (YYYY-MM-DD)"
    assert all(set(e) == {"field", "message", "code", "params"} for e in problems.values())
    assert "should be 3, got Z" in response.json()["detail"]  # the English summary


def test_api_service_problem_has_params(client: TestClient) -> None:
    headers = api_token(client, "inspector_a")
    existing = client.get("/api/v1/businesses", headers=headers).json()["items"][0]
    detail = client.get(f"/api/v1/businesses/{existing['id']}", headers=headers).json()
    body = {
        k: detail[k]
        for k in (
            "name",
            "form",
            "licence_number",
            "licence_issue_date",
            "licence_expiry_date",
            "address",
            "contact_name",
            "contact_phone",
            "food_safety_manager",
        )
    }
    body.update(uscc=existing["uscc"], region_code=existing["county_code"])
    response = client.post("/api/v1/businesses", json=body, headers=headers)
    assert response.status_code == 422
    first = response.json()["errors"][0]
    assert first["code"] == "duplicate"
    assert first["message"] == f"{existing['uscc']} is already registered"
    assert first["params"] == {"uscc": existing["uscc"]}


# (d) pydantic's own errors on a portal form ----------------------------------------------------


def test_missing_and_malformed_fields_on_a_portal_form_are_chinese(client: TestClient) -> None:
    login(client, "owner_a")
    form = _staff_form(
        csrf_of(client, "/biz/staff/new"), position="", health_cert_issue_date="2026-02-30"
    )
    response = client.post("/biz/staff/new", data=form, headers=HTML)
    assert response.status_code == 422
    assert "岗位</span>: 此项为必填项" in response.text
    assert "请输入有效日期（YYYY-MM-DD）" in response.text
    for english in ("Field required", "Input should be", "This field is required"):
        assert english not in response.text


# (e) import problems follow the reader's language ----------------------------------------------


def _staff_csv_with_a_bad_row() -> tuple[bytes, str]:
    good = _id_number(231)
    bad, expected = _wrong_check(_id_number(232))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ("姓名", "岗位", "身份证号", "性别", "健康证编号", "健康证发证日期", "健康证有效期至")
    )
    writer.writerow(("导入甲", "服务员", good, "女", "JK000231", "2026/2/1", "2027/1/31"))
    writer.writerow(("导入乙", "服务员", bad, "男", "JK000232", "2026/2/1", "2027/1/31"))
    return buffer.getvalue().encode("utf-8-sig"), f"{expected}|{bad[17]}"


def test_import_problems_are_shown_and_reported_in_the_readers_language(
    client: TestClient,
) -> None:
    login(client, "owner_a")
    content, checks = _staff_csv_with_a_bad_row()
    expected, actual = checks.split("|")
    response = client.post(
        "/biz/imports",
        data={"csrf_token": csrf_of(client, "/biz/imports")},
        files={"file": ("员工.csv", content, "text/csv")},
        headers=HTML,
    )
    assert response.status_code == 303, response.text[:2000]
    job_page = response.headers["location"]

    page = client.get(job_page, headers=HTML)
    assert 'data-status="failed"' in page.text
    assert f"校验码应为 {expected}，实际为 {actual}" in page.text
    report = client.get(f"{job_page}/errors.csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["行号", "列", "填写内容", "原因"]
    assert rows[1][0] == "3" and rows[1][1] == "身份证号"
    assert rows[1][3] == f"校验码应为 {expected}，实际为 {actual}"

    client.cookies.set("lang", "en")
    english = list(
        csv.reader(io.StringIO(client.get(f"{job_page}/errors.csv").content.decode("utf-8-sig")))
    )
    assert english[0] == ["Row", "Column", "Value", "Reason"]
    assert english[1][3] == f"check character should be {expected}, got {actual}"
    workbook = client.get(f"{job_page}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][3] == f"check character should be {expected}, got {actual}"
    assert f"check character should be {expected}" in client.get(job_page, headers=HTML).text


def test_problems_kept_before_templates_stay_readable() -> None:
    job = ImportJob(
        errors=[
            {"row": 2, "column": "身份证号", "value": "x", "reason": "already on the register"},
            {"row": 3, "column": "", "value": "", "reason": "something only in English"},
        ]
    )
    assert [r[3] for r in error_rows(job, ZH)] == [
        "已在从业人员名册中",
        "something only in English",
    ]
    assert [r[3] for r in error_rows(job)] == [
        "already on the register",
        "something only in English",
    ]


def test_kept_problems_round_trip_with_their_parameters() -> None:
    try:
        validate_id_number("000105194912310020")
    except IdentifierError as exc:
        error = exc
    kept = Problem.of(4, "身份证号", "0001**", error.as_message()).as_dict()
    assert kept["reason"] == error.message  # English, as before
    assert kept["params"] == params_json(error.params)
    again = Problem.from_dict(kept)
    assert again.text == error.message
    chinese = again.render(ZH)
    assert chinese.startswith("第 1-6 位（000105）不是有效的行政区划代码：省级代码（第 1-2 位）00")


# The pieces ------------------------------------------------------------------------------------


def test_identifier_errors_keep_the_template_and_nested_reasons() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_id_number("000105194912310020")
    error = excinfo.value
    assert error.code == "id.region"
    assert error.template == "positions 1-6 ({region}) are not a division code: {reason}"
    assert str(error).startswith("positions 1-6 (000105) are not a division code: province")
    reason = error.params["reason"]
    assert isinstance(reason, Message) and reason.params == {"digits": "00"}
    as_json = params_json(error.params)
    assert as_json["reason"] == {
        "template": "province digits (positions 1-2) {digits} are not a province",
        "params": {"digits": "00"},
    }
    assert params_from_json(as_json) == error.params


def test_pydantic_errors_map_to_our_templates() -> None:
    class Form(BaseModel):
        name: str
        code: str = Field(min_length=4, pattern=r"^\d+$")
        size: float = Field(ge=3.0, le=54.0)
        born: date

    with pytest.raises(ValidationError) as excinfo:
        Form.model_validate({"code": "ab", "size": 1, "born": "1990-02-30"})
    found = {p.field: p for p in problems_from(excinfo.value)}
    assert found["name"].message == "This field is required"
    assert found["name"].code == "missing"
    assert (found["code"].text, found["code"].params["min_length"]) == (
        "Must be at least 4 characters",
        4,
    )
    assert found["size"].text == "Must be at least 3"
    assert found["size"].render(ZH) == "不能小于 3"
    assert found["born"].render(ZH) == "请输入有效日期（YYYY-MM-DD）"


def test_errors_render_in_english_by_str_and_in_chinese_by_translator() -> None:
    problem = FieldProblem("uscc", "{uscc} is already registered", params={"uscc": "91X"})
    assert problem.text == "91X is already registered"
    assert problem.render(ZH) == "统一社会信用代码 91X 已登记"
    assert problem.as_dict()["params"] == {"uscc": "91X"}
    failed = ValidationFailed([problem])
    assert str(failed) == "uscc: 91X is already registered"
    assert failed.render(EN) == "Some of the values given are not valid."
    missing = NotFoundError("Region {region_code} is not loaded", region_code="520000")
    assert str(missing) == "Region 520000 is not loaded"
    assert missing.render(ZH) == "尚未载入行政区划 520000"


def test_a_translation_that_does_not_fit_falls_back_to_english() -> None:
    translator = Translator("zh_CN")
    translator._catalog = {"Hello {name}": "你好 {nom}"}  # a broken translation
    assert translator("Hello {name}", name="李") == "Hello 李"
    assert translator("No params {here}") == "No params {here}"
