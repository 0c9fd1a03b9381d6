"""The demo's planted anomalies become the big ledger's risk signals; the scope rule judges
the scope recorded with each line and flags only a clear mismatch; a lead case opened from a
signal is titled in the deployment's language; the government dashboard leads to both the
signals and the open recall."""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from ledger_helpers import line_data, store_of, suppliers
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import Demo
from helpers import principal_of
from sunshine.auth.principal import SYSTEM
from sunshine.core.i18n import Translator
from sunshine.core.time import today_local
from sunshine.ingredients import analytics, service
from sunshine.ingredients.batch import Purchase
from sunshine.ingredients.demo import StoreSuppliers, seed_ledger, year_of
from sunshine.ingredients.demo_products import PRODUCTS
from sunshine.ingredients.demo_seasons import SEASONS
from sunshine.ingredients.enums import ProductCategory, SignalRule
from sunshine.ingredients.models import LedgerLine, Product
from sunshine.ingredients.shipments_demo import seed_shipments
from sunshine.registry.enums import LicenceStatus
from sunshine.registry.models import Business
from sunshine.traceability.trace_demo import seed_trace

Opener = Callable[[str], TestClient]


def test_each_planted_anomaly_becomes_its_signal(
    session: Session, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test province has a handful of caterers: the batch-spread threshold comes down
    # to what it can show (the demo plants a few more stores than the threshold).
    rule = analytics.RULES[SignalRule.BATCH_SPREAD]
    monkeypatch.setitem(
        analytics.RULES, SignalRule.BATCH_SPREAD, dataclasses.replace(rule, threshold=2)
    )
    store_id = principal_of(session, "owner_a").business_id
    ledger = seed_ledger(
        session=session, seed=7, today=demo.today, counties=demo.counties, featured=store_id,
        stores=2, days=30,
    )  # fmt: skip
    shipped = seed_shipments(session=session, today=demo.today, store_id=store_id)
    found = analytics.run_all(session=session, actor=SYSTEM, today=demo.today)

    lines: dict[SignalRule, set[int]] = defaultdict(set)
    shipments: dict[SignalRule, set[int]] = defaultdict(set)
    for signal in found:
        lines[signal.rule].update(signal.line_ids)
        if "shipment" in signal.details:
            shipments[signal.rule].add(signal.details["shipment"])
    planted = ledger.planted.lines
    assert set(planted) == {
        SignalRule.LICENCE_EXPIRED,
        SignalRule.LICENCE_SCOPE,
        SignalRule.EXPIRED_ON_RECEIPT,
        SignalRule.MISSING_DOCUMENTS,
        SignalRule.BATCH_SPREAD,
    }
    for planted_rule, ids in planted.items():
        assert set(ids) <= lines[planted_rule], planted_rule
    assert len(planted[SignalRule.LICENCE_EXPIRED]) == 3
    assert shipments[SignalRule.SHIPMENT_UNCONFIRMED] == set(shipped.unconfirmed)
    assert shipments[SignalRule.SHIPMENT_MISMATCH] == set(shipped.mismatched)
    assert len(shipped.unconfirmed) == 2 and len(shipped.mismatched) == 2
    assert shipped.unshipped_line in lines[SignalRule.MASS_BALANCE]
    # The year's ordinary purchases are bought within their suppliers' licences: the scope
    # signals are the planted ones and those of the shipping supplier's own plan.
    shipper = session.get(Business, principal_of(session, "supplier_a").business_id)
    assert shipper is not None
    for signal in found:
        unplanted = set(signal.line_ids) - set(planted[SignalRule.LICENCE_SCOPE])
        if signal.rule is SignalRule.LICENCE_SCOPE and unplanted:
            assert signal.details["supplier"] == shipper.name


def test_the_demo_ledger_is_a_year_with_seasons(session: Session, demo: Demo) -> None:
    store_id = principal_of(session, "owner_a").business_id
    ledger = seed_ledger(
        session=session, seed=7, today=demo.today, counties=demo.counties, featured=store_id,
        stores=1, days=365,
    )  # fmt: skip
    rows = session.execute(
        select(LedgerLine.product_name, LedgerLine.category, LedgerLine.purchase_date).where(
            LedgerLine.business_id == store_id
        )
    ).all()
    assert ledger.lines > 300
    days = [day for _, _, day in rows]
    assert min(days) >= demo.today - timedelta(days=365) and max(days) < demo.today
    crayfish = [day for name, _, day in rows if name == "小龙虾（鲜活）"]
    assert crayfish and all(SEASONS["crayfish"][day.month - 1] > 0 for day in crayfish)
    aquatic = [day.month for _, category, day in rows if category is ProductCategory.AQUATIC]
    summer = sum(1 for month in aquatic if month in (6, 7, 8))
    winter = sum(1 for month in aquatic if month in (12, 1, 2))
    assert summer > 1.5 * winter


def test_the_scope_rule_judges_the_scope_recorded_with_the_line(
    db: sessionmaker[Session],
) -> None:
    with db() as session:
        registered, external = suppliers(session)
        factory = session.get(Business, registered.supplier_business_id)
        assert factory is not None
        factory.licence_scope = ["蔬菜制品"]  # a pickle factory's production licence
        factory.licence_status = LicenceStatus.VALID
        factory.licence_expiry_date = today_local() + timedelta(days=400)
        actor = principal_of(session, "staff_a")
        store = store_of(session)
        shrimp = {"product_name": "冻虾仁", "category": "aquatic", "specification": "500g/袋"}
        mismatch = service.record_line(
            session=session,
            actor=actor,
            business_id=store.id,
            data=line_data(registered.id, batch_number="SCOPE-1", **shrimp),
        )
        assert mismatch.supplier_licence_scope == ["蔬菜制品"]
        # An external supplier with no recorded scope: unknown, not "out of scope".
        unknown = service.record_line(
            session=session,
            actor=actor,
            business_id=store.id,
            data=line_data(external.id, batch_number="SCOPE-2", **shrimp),
        )
        assert unknown.supplier_licence_scope == []
        # The register's scope today does not change what the line recorded.
        factory.licence_scope = ["预包装食品销售（含冷藏冷冻食品）"]
        session.commit()
    with db() as session:
        found = analytics.run_rules(session=session, actor=principal_of(session, "inspector_a"))
        flagged = {i for s in found if s.rule is SignalRule.LICENCE_SCOPE for i in s.line_ids}
        assert mismatch.id in flagged
        assert unknown.id not in flagged
        signal = next(s for s in found if mismatch.id in s.line_ids)
        assert signal.details["scope"] == ["蔬菜制品"]


def test_a_lead_case_is_titled_in_the_deployment_language(db: sessionmaker[Session]) -> None:
    with db() as session:
        registered, _ = suppliers(session)
        line = service.record_line(
            session=session,
            actor=principal_of(session, "staff_a"),
            business_id=store_of(session).id,
            data=line_data(
                registered.id,
                batch_number="OLD-9",
                production_date=today_local() - timedelta(days=10),
                shelf_life_days=3,
            ),
        )
        session.commit()
    with db() as session:
        inspector = principal_of(session, "inspector_a")
        found = analytics.run_rules(session=session, actor=inspector)
        signal = next(s for s in found if s.rule is SignalRule.EXPIRED_ON_RECEIPT)
        assert line.id in signal.line_ids
        case = analytics.open_lead(session=session, actor=inspector, signal_id=signal.id)
        label = analytics.RULES[SignalRule.EXPIRED_ON_RECEIPT].label
        chinese = Translator("zh_CN")(label)
        assert chinese != label  # the rule's name has its Chinese translation
        assert chinese in case.title and label not in case.title
        assert "OLD-9" in case.title and chinese in case.summary
        english_title, _ = analytics.lead_text(signal, "en")
        assert label in english_title


def test_the_gov_dashboard_leads_to_the_signals_and_the_open_recall(
    db: sessionmaker[Session], demo: Demo, new_client: Opener
) -> None:
    with db() as session:
        store_id = principal_of(session, "owner_a").business_id
        seed_ledger(
            session=session, seed=7, today=demo.today, counties=demo.counties,
            featured=store_id, stores=1, days=10,
        )  # fmt: skip
        traced = seed_trace(
            session=session, today=demo.today, county=demo.counties[0], featured=store_id
        )
        analytics.run_all(session=session, actor=SYSTEM, today=demo.today)
        session.commit()
    assert traced.recall_reference is not None
    page = new_client("inspector_a").get("/gov/")
    assert page.status_code == 200
    assert 'href="/gov/ledger/signals?status=open"' in page.text
    count = page.text.split('id="stat-ledger-signals">', 1)[1].split("<", 1)[0]
    assert int(count) >= 3  # the planted licence expiry at store A1, at least
    assert traced.recall_reference in page.text
    listed = new_client("inspector_a").get("/gov/ledger/signals?status=open")
    assert 'data-rule="licence_expired"' in listed.text


def test_the_same_seed_makes_the_same_year() -> None:
    products = {
        p.name: Product(
            id=n,
            name=p.name,
            category=p.category,
            specification=p.specification,
            gtin=p.gtin_body,
            shelf_life_days=p.shelf_life_days,
        )
        for n, p in enumerate(PRODUCTS, start=1)
    }
    suppliers = StoreSuppliers(registered=[1, 2], stall=3)
    today = date(2026, 11, 30)

    def year(seed: str) -> list[Purchase]:
        return year_of(random.Random(seed), products, suppliers, today, 365)

    first = year("ledger-7")
    assert first == year("ledger-7") and first != year("ledger-8")
    assert all(p.recorded_at.utcoffset() == timedelta(0) for p in first)  # aware UTC
