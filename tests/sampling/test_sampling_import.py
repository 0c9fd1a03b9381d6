"""Importing finished samples from CSV: all or nothing, each problem named by row and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, principal_of
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.core.errors import ValidationFailed
from sunshine.core.time import today_local
from sunshine.registry.models import Business
from sunshine.sampling import imports
from sunshine.sampling.enums import Conclusion
from sunshine.sampling.models import Sample, SampleItem

HEADER = [
    "抽样单编号", "被抽样单位", "样品名称", "食品类别", "批号", "生产日期", "抽样时间",
    "抽样地点", "抽样单位", "抽样人员", "检验机构", "报告编号", "报告日期",
    "检验项目", "判定依据", "检验方法", "判定方式", "标准值", "单位", "检验结果", "结果单位",
    "单项判定",
]  # fmt: skip


def _rows(code: str) -> list[list[str]]:
    day = today_local().isoformat()
    agency = ["锦江区市场监督管理局", "张明、李华"]
    lab = "四川省食品检验研究院"
    one = ["DC2651010400001", code, "自制辣椒酱", "调味品", "20261101", "", day, "后厨"]
    two = ["DC2651010400002", code, "复用餐具", "餐饮具", "消毒后", "", day, "消毒柜"]
    sample_a = [*one, *agency, lab, "SP-1", day]
    sample_b = [*two, *agency, lab, "SP-2", day]
    lead = ["铅(以Pb计)", "GB 2762-2022", "GB 5009.12-2023", "≤", "0.2", "mg/kg", "0.05"]
    benzoate = ["苯甲酸", "GB 2760-2024", "GB 5009.28-2016", "≤", "1.0", "g/kg", "1.5"]
    coliforms = ["大肠菌群", "GB 14934-2016", "GB 14934-2016", "定性", "阴性", "", "阴性"]
    return [
        [*sample_a, *lead, "", ""],
        [*sample_a, *benzoate, "", ""],
        [*sample_b, *coliforms, "", "合格"],
    ]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@pytest.fixture
def store(session: Session, demo: Demo) -> Business:
    found = session.get(Business, demo.account("owner_a")["business_id"])
    assert found is not None
    return found


def test_a_file_of_finished_samples_is_imported(session: Session, store: Business) -> None:
    samples = imports.import_samples(
        session=session,
        actor=principal_of(session, "inspector_a"),
        data=_csv(_rows(store.public_code)),
    )
    assert [(s.sampling_number, s.conclusion) for s in samples] == [
        ("DC2651010400001", Conclusion.UNQUALIFIED),  # benzoic acid 1.5 g/kg > 1.0 g/kg
        ("DC2651010400002", Conclusion.QUALIFIED),
    ]
    assert samples[0].case_id is not None
    assert session.get(Case, samples[0].case_id).kind is CaseKind.SAMPLING  # type: ignore[union-attr]
    count = session.execute(
        select(func.count()).select_from(SampleItem).where(SampleItem.sample_id == samples[0].id)
    ).scalar_one()
    assert count == 2


def test_a_file_with_mistakes_is_refused_whole_naming_row_and_column(
    session: Session, store: Business
) -> None:
    rows = _rows(store.public_code)
    rows[1][HEADER.index("检验结果")] = "a lot"  # row 3
    rows[1][HEADER.index("样品名称")] = "另一个名字"  # row 3 disagrees with row 2
    rows[2][HEADER.index("单项判定")] = ""  # row 4: a qualitative item without its verdict
    rows[2][HEADER.index("被抽样单位")] = "NOSUCHCODE"  # row 4
    before = session.execute(select(func.count()).select_from(Sample)).scalar_one()
    with pytest.raises(ValidationFailed) as refused:
        imports.import_samples(
            session=session, actor=principal_of(session, "inspector_a"), data=_csv(rows)
        )
    found = {(p.row, p.field) for p in refused.value.problems}
    assert {(3, "result"), (3, "product_name"), (4, "verdict"), (4, "business")} <= found
    assert session.execute(select(func.count()).select_from(Sample)).scalar_one() == before


def test_a_file_with_wrong_columns_or_a_repeated_number_is_refused(
    session: Session, store: Business
) -> None:
    inspector = principal_of(session, "inspector_a")
    header = [h if h != "检验结果" else "结果?" for h in HEADER]
    with pytest.raises(ValidationFailed) as refused:
        imports.import_samples(session=session, actor=inspector, data=_csv([], header))
    problems = {(p.row, p.field, p.code) for p in refused.value.problems}
    assert (1, "result", "missing") in problems and (1, "结果?", "unknown_column") in problems
    rows = _rows(store.public_code)
    rows.append(rows[0])  # sample 1's number again after sample 2
    with pytest.raises(ValidationFailed) as refused:
        imports.import_samples(session=session, actor=inspector, data=_csv(rows))
    assert "duplicate" in {p.code for p in refused.value.problems}
    imports.import_samples(session=session, actor=inspector, data=_csv(_rows(store.public_code)))
    with pytest.raises(ValidationFailed) as again:  # the same file twice
        imports.import_samples(
            session=session, actor=inspector, data=_csv(_rows(store.public_code))
        )
    assert {(p.row, p.field) for p in again.value.problems} == {
        (2, "sampling_number"),
        (4, "sampling_number"),
    }


def test_the_import_page(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    inspector = new_client("inspector_a")
    token = csrf_of(inspector, "/gov/sampling/import")
    rows = _rows(store.public_code)
    rows[0][HEADER.index("判定方式")] = "about"
    refused = inspector.post(
        "/gov/sampling/import",
        data={"csrf_token": token},
        files={"file": ("results.csv", _csv(rows), "text/csv")},
        headers={"accept": "text/html"},
    )
    assert refused.status_code == 422
    assert 'data-row="2"' in refused.text and 'data-field="comparator"' in refused.text
    assert 'id="nothing-stored"' in refused.text
    done = inspector.post(
        "/gov/sampling/import",
        data={"csrf_token": token},
        files={"file": ("results.csv", _csv(_rows(store.public_code)), "text/csv")},
    )
    assert done.status_code == 200 and 'id="import-done"' in done.text
    template = inspector.get("/gov/sampling/import/template.csv")
    assert template.status_code == 200 and "抽样单编号" in template.text
