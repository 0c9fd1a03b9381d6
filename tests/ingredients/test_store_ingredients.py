"""The public store page's ingredients section (阳光食材) and /s/{code}/ingredients."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from ledger_helpers import day, line_data, store_of, suppliers
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from helpers import principal_of
from sunshine.core.time import utc_now
from sunshine.ingredients import public, service
from sunshine.ingredients.models import LedgerLine
from sunshine.regions.models import OrgUnit
from sunshine.sampling.enums import Conclusion, SampleStatus
from sunshine.sampling.enums import ProductCategory as SamplingCategory
from sunshine.sampling.models import Sample

Opener = Callable[[str], TestClient]


def _record(db: sessionmaker[Session], **changes: object) -> tuple[str, LedgerLine]:
    with db() as session:
        registered, _ = suppliers(session)
        line = service.record_line(
            session=session,
            actor=principal_of(session, "staff_a"),
            business_id=store_of(session).id,
            data=line_data(registered.id, **changes),
        )
        session.commit()
        return store_of(session).public_code, line


def _fail_sample(session: Session, business_id: int, product: str, batch: str) -> None:
    unit = session.execute(select(OrgUnit).limit(1)).scalar_one()
    sample = Sample(
        reference="TEST-ING-1",
        business_id=business_id,
        org_unit_id=unit.id,
        province_code="510000",
        product_name=product,
        category=next(iter(SamplingCategory)),
        batch_number=batch,
        sampled_at=utc_now(),
        sampled_on=day(-1),
        sampling_place="冷库",
        sampling_agency="成都市食品检验研究院",
        samplers="张三、李四",
        status=SampleStatus.COMPLETED,
        conclusion=Conclusion.UNQUALIFIED,
        failed_items=1,
    )
    session.add(sample)
    session.flush()


def test_store_page_shows_suppliers_and_key_purchases_without_personal_data(
    db: sessionmaker[Session], client: TestClient
) -> None:
    code, line = _record(db)
    page = client.get(f"/s/{code}")
    assert page.status_code == 200
    assert 'id="section-ingredients"' in page.text
    assert line.supplier_name in page.text and "B20261130" in page.text
    assert 'id="ingredient-suppliers"' in page.text
    # Nothing personal: no recorder, no contact phone.
    assert "李四" not in page.text and "13800001234" not in page.text
    full = client.get(f"/s/{code}/ingredients")
    assert full.status_code == 200 and "猪肉（鲜）" in full.text
    assert client.get("/s/NOSUCHCODE/ingredients").status_code == 404


def test_recording_a_line_drops_the_cached_store_page(
    db: sessionmaker[Session], client: TestClient
) -> None:
    with db() as session:
        code = store_of(session).public_code
    before = client.get(f"/s/{code}")
    assert "新鲜带鱼" not in before.text
    _record(db, product_name="新鲜带鱼", category="aquatic", batch_number="FISH-9")
    after = client.get(f"/s/{code}")
    assert "新鲜带鱼" in after.text


def test_a_failed_sample_of_the_batch_marks_the_purchase(db: sessionmaker[Session]) -> None:
    code, line = _record(db, batch_number="BAD-1")
    with db() as session:
        assert line.supplier_business_id is not None
        _fail_sample(session, line.supplier_business_id, line.product_name, "BAD-1")
        shown = public.store_ingredients(session=session, code=code)
        marked = [p for p in shown.purchases.items if p.batch_number == "BAD-1"]
        assert marked and marked[0].marks[0].kind == "failed_sampling"
        assert shown.marked == 1


def test_a_mark_provider_adds_its_marks(db: sessionmaker[Session]) -> None:
    code, line = _record(db, batch_number="RECALL-1")

    def recall(session: Session, lines: object) -> dict[int, list[public.SafetyMark]]:
        return {line.id: [public.SafetyMark("recall", "This batch is under recall")]}

    public.mark_provider(recall)
    try:
        with db() as session:
            shown = public.store_ingredients(session=session, code=code)
            kinds = [m.kind for p in shown.purchases.items for m in p.marks]
            assert "recall" in kinds
    finally:
        public.forget_mark_provider(recall)
