"""The sampling pages and API: a regulator enters a sample through the form, the failed
result opens its case; a neighbouring county and other businesses see nothing; the store
page shows completed results only; the business reads its own records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sampling_support import sample_form, sampled_at
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import api_token, csrf_of, principal_of
from sunshine.cases.models import Case
from sunshine.core.time import today_local
from sunshine.registry.models import Business
from sunshine.sampling import service
from sunshine.sampling.models import Sample

HTML = {"accept": "text/html"}


def _owner_store(session: Session, demo: Demo) -> Business:
    store = session.get(Business, demo.account("owner_a")["business_id"])
    assert store is not None
    return store


def _form_fields(store: Business, token: str) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "business_id": str(store.id),
        "product_name": "凉拌黄瓜",
        "category": "catering_food",
        "batch_number": "当日加工",
        "sampled_at": sampled_at(2),
        "sampling_place": "凉菜间",
        "sampling_agency": "锦江区市场监督管理局",
        "samplers": "张明、李华",
        "items-0-name": "大肠菌群",
        "items-0-standard": "GB 19295-2021",
        "items-0-comparator": "le",
        "items-0-limit": "100",
        "items-0-unit": "CFU/g",
        "items-0-method": "GB 4789.3-2016",
        "items-0-result": "2400",
        "items-1-name": "沙门氏菌",
        "items-1-standard": "GB 29921-2021",
        "items-1-comparator": "not_detected",
        "items-1-method": "GB 4789.4-2024",
        "items-1-result": "未检出",
        "lab_name": "成都市食品药品检验研究院",
        "report_number": "CD-2026-0456",
        "report_date": today_local().isoformat(),
    }


def test_a_regulator_enters_a_failed_sample_and_the_case_is_opened(
    new_client: Callable[[str], TestClient], session: Session, demo: Demo
) -> None:
    store = _owner_store(session, demo)
    inspector = new_client("inspector_a")
    page = inspector.get(f"/gov/sampling/samples/new?business={store.id}", headers=HTML)
    assert page.status_code == 200 and store.name in page.text
    token = csrf_of(inspector, f"/gov/sampling/samples/new?business={store.id}")
    done = inspector.post("/gov/sampling/samples", data=_form_fields(store, token))
    assert done.status_code == 303, done.text[:2000]
    detail = inspector.get(done.headers["location"], headers=HTML)
    assert detail.status_code == 200
    sample = session.execute(select(Sample).where(Sample.business_id == store.id)).scalar_one()
    assert sample.conclusion is not None and sample.conclusion.value == "unqualified"
    case = session.get(Case, sample.case_id)
    assert case is not None
    assert case.reference in detail.text and 'id="case-link"' in detail.text
    # From the case to its sample, and back.
    case_page = inspector.get(f"/gov/cases/{case.id}", headers=HTML)
    assert 'id="sample-link"' in case_page.text
    back = inspector.get(f"/gov/sampling/by-case/{case.id}")
    assert back.headers["location"] == f"/gov/sampling/samples/{sample.id}"
    # The store page shows the result; the business reads it in its portal.
    store_page = inspector.get(f"/s/{store.public_code}", headers=HTML).text
    assert 'id="section-sampling"' in store_page and "凉拌黄瓜" in store_page
    assert 'data-conclusion="unqualified"' in store_page and "2400 CFU/g" in store_page
    owner = new_client("owner_a").get("/biz/sampling", headers=HTML)
    assert owner.status_code == 200 and "凉拌黄瓜" in owner.text and "CD-2026-0456" in owner.text


def test_a_refused_form_comes_back_with_what_was_typed(
    new_client: Callable[[str], TestClient], session: Session, demo: Demo
) -> None:
    store = _owner_store(session, demo)
    inspector = new_client("inspector_a")
    token = csrf_of(inspector, f"/gov/sampling/samples/new?business={store.id}")
    fields = _form_fields(store, token)
    fields["items-0-unit"] = "mg/kg"
    fields["items-0-result_unit"] = "CFU/g"
    fields["report_number"] = ""
    refused = inspector.post("/gov/sampling/samples", data=fields, headers=HTML)
    assert refused.status_code == 422
    assert 'data-field="items[0].result_unit"' in refused.text
    assert 'data-field="report_number"' in refused.text
    assert 'value="凉拌黄瓜"' in refused.text
    assert session.execute(select(Sample).where(Sample.business_id == store.id)).first() is None
    more = inspector.post(
        "/gov/sampling/samples", data={**fields, "more": "1"}, headers=HTML
    )  # more rows: the form again, nothing stored
    assert more.status_code == 200 and 'name="items-5-name"' in more.text


def test_the_results_form_completes_a_sample(
    new_client: Callable[[str], TestClient], session: Session, demo: Demo
) -> None:
    store = _owner_store(session, demo)
    sample = service.record_sample(
        session=session, actor=principal_of(session, "inspector_a"), form=sample_form(store.id)
    )
    session.commit()
    chief = new_client("inspector_b")  # the neighbouring county cannot record them
    path = f"/gov/sampling/samples/{sample.id}"
    assert chief.get(path, headers=HTML).status_code == 404
    chief = new_client("city_leader")  # the city's bureau can
    page = chief.get(path, headers=HTML)
    assert 'id="results-form"' in page.text
    # Not on the store page while the results are awaited.
    assert "自制辣椒酱" not in chief.get(f"/s/{store.public_code}", headers=HTML).text
    token = csrf_of(chief, path)
    data = {
        "csrf_token": token,
        "version": str(sample.version),
        "items-0-result": "0.08",
        "items-1-result": "0.25",
        "lab_name": "四川省食品检验研究院",
        "report_number": "SP-1",
        "report_date": today_local().isoformat(),
    }
    done = chief.post(f"{path}/results", data=data)
    assert done.status_code == 303, done.text[:2000]
    assert "自制辣椒酱" in chief.get(f"/s/{store.public_code}", headers=HTML).text
    again = chief.post(f"{path}/results", data=data, headers=HTML)
    assert again.status_code == 409


def test_a_neighbouring_county_and_other_businesses_see_nothing(
    new_client: Callable[[str], TestClient], client: TestClient, session: Session, demo: Demo
) -> None:
    store = _owner_store(session, demo)
    sample = service.record_sample(
        session=session,
        actor=principal_of(session, "inspector_a"),
        form=sample_form(store.id, results=("0.5", "0.1")),
    )
    session.commit()
    neighbour = new_client("inspector_b")
    listing = neighbour.get("/gov/sampling/samples", headers=HTML)
    assert listing.status_code == 200 and sample.reference not in listing.text
    assert neighbour.get(f"/gov/sampling/samples/{sample.id}", headers=HTML).status_code == 404
    assert neighbour.get(f"/gov/sampling/by-case/{sample.case_id}").status_code == 404
    dashboard = neighbour.get("/gov/sampling", headers=HTML)
    assert 'id="total-completed">0<' in dashboard.text
    headers = api_token(client, "inspector_b")
    assert client.get("/api/v1/samples", headers=headers).json()["total"] == 0
    assert client.get(f"/api/v1/samples/{sample.id}", headers=headers).status_code == 404
    stats = client.get("/api/v1/sampling/statistics", headers=headers).json()
    assert stats["completed"] == 0 and stats["by_category"] == []
    # The neighbouring store's owner sees nothing of it either.
    other = new_client("owner_a2").get("/biz/sampling", headers=HTML)
    assert other.status_code == 200 and "自制辣椒酱" not in other.text
    own = client.get("/api/v1/samples", headers=api_token(client, "owner_a")).json()
    assert [s["reference"] for s in own["items"]] == [sample.reference]
    assert client.get("/api/v1/samples", headers=api_token(client, "owner_a2")).json()["total"] == 0


def test_a_sample_and_its_results_through_the_api(
    client: TestClient, session: Session, demo: Demo
) -> None:
    store = _owner_store(session, demo)
    headers = api_token(client, "inspector_a")
    body = {
        "business": store.public_code,
        "product_name": "复用餐饮具",
        "category": "餐饮具",
        "batch_number": "消毒后",
        "sampled_at": sampled_at(1),
        "sampling_place": "消毒柜",
        "sampling_agency": "锦江区市场监督管理局",
        "samplers": "张明、李华",
        "items": [
            {
                "name": "大肠菌群",
                "standard": "GB 14934-2016",
                "comparator": "定性",
                "limit": "阴性",
            },
            {
                "name": "阴离子合成洗涤剂(以十二烷基苯磺酸钠计)",
                "standard": "GB 14934-2016",
                "comparator": "≤",
                "limit": "0.075",
                "unit": "mg/100cm²",
            },
        ],
    }
    created = client.post("/api/v1/samples", json=body, headers=headers)
    assert created.status_code == 201, created.text
    sample = created.json()
    assert sample["status"] == "sampled" and sample["category"] == "tableware"
    results = {
        "items": [
            {"result": "阳性", "verdict": "fail", "method": "GB 14934-2016"},
            {"result": "未检出", "method": "GB/T 5750.4-2023"},
        ],
        "report": {
            "lab_name": "实验室",
            "report_number": "R-9",
            "report_date": today_local().isoformat(),
        },
        "expected_version": sample["version"],
    }
    done = client.post(f"/api/v1/samples/{sample['id']}/results", json=results, headers=headers)
    assert done.status_code == 200, done.text
    finished = done.json()
    assert finished["conclusion"] == "unqualified" and finished["case_id"]
    assert [i["verdict"] for i in finished["items"]] == ["fail", "pass"]
    refused = client.post(
        "/api/v1/samples",
        json={**body, "category": "spices", "items": body["items"][:1]},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["category"]
