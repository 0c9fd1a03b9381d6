"""The big ledger (大台账): aggregates and risk signals, scoped to the jurisdiction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from ledger_helpers import day, line_data, store_of, suppliers
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from helpers import csrf_of, principal_of
from sunshine.core.errors import ConflictError, NotFoundError
from sunshine.core.pagination import PageRequest
from sunshine.ingredients import analytics, rules, service
from sunshine.ingredients.enums import ProductCategory, SignalRule, SignalStatus

COVERED, NOT = rules.ScopeVerdict.COVERED, rules.ScopeVerdict.NOT_COVERED
UNKNOWN = rules.ScopeVerdict.UNKNOWN

Opener = Callable[[str], TestClient]


def _record_anomalies(db: sessionmaker[Session]) -> dict[str, int]:
    """Store A buys meat past its use-by date and dairy without its documents."""
    with db() as session:
        registered, external = suppliers(session)
        actor = principal_of(session, "staff_a")
        business_id = store_of(session).id
        expired = service.record_line(
            session=session,
            actor=actor,
            business_id=business_id,
            data=line_data(
                registered.id,
                batch_number="OLD-1",
                production_date=day(-10),
                shelf_life_days=3,
            ),
        )
        undocumented = service.record_line(
            session=session,
            actor=actor,
            business_id=business_id,
            data=line_data(
                external.id,
                product_name="纯牛奶",
                category="dairy",
                batch_number="MILK-1",
                documents=["voucher"],
            ),
        )
        session.commit()
        return {"expired": expired.id, "undocumented": undocumented.id}


def test_rules_create_signals_once_and_scope_them(db: sessionmaker[Session]) -> None:
    ids = _record_anomalies(db)
    with db() as session:
        created = analytics.run_rules(session=session, actor=principal_of(session, "inspector_a"))
        rules = {(s.rule, tuple(s.line_ids)) for s in created}
        assert (SignalRule.EXPIRED_ON_RECEIPT, (ids["expired"],)) in rules
        assert (SignalRule.MISSING_DOCUMENTS, (ids["undocumented"],)) in rules
        session.commit()
    with db() as session:
        again = analytics.run_rules(session=session, actor=principal_of(session, "inspector_a"))
        assert again == []  # idempotent
        system_run = analytics.run_all(session=session, actor=principal_of(session, "admin"))
        assert all(s.rule not in {SignalRule.EXPIRED_ON_RECEIPT} for s in system_run)
    with db() as session:
        other = principal_of(session, "inspector_b")
        page = analytics.list_signals(session=session, actor=other, page=_page())
        assert all(ids["expired"] not in s.line_ids for s in page.items)
        with pytest.raises(NotFoundError):
            analytics.get_signal(session=session, actor=other, signal_id=created[0].id)
        ledger = analytics.big_ledger(session=session, actor=other, date_from=None, date_to=None)
        assert "OLD-1" not in str(ledger.by_supplier)
        mine = analytics.big_ledger(
            session=session,
            actor=principal_of(session, "inspector_a"),
            date_from=None,
            date_to=None,
        )
        assert mine.total_lines >= 2
        assert mine.open_signals.get("expired_on_receipt", 0) >= 1


def _page() -> PageRequest:
    return PageRequest(1, 100)


def test_batch_spread_threshold_is_data(
    db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _record_anomalies(db)
    rule = analytics.RULES[SignalRule.BATCH_SPREAD]
    monkeypatch.setitem(
        analytics.RULES, SignalRule.BATCH_SPREAD, dataclasses.replace(rule, threshold=1)
    )
    with db() as session:
        created = analytics.run_rules(session=session, actor=principal_of(session, "inspector_a"))
        spread = [s for s in created if s.rule is SignalRule.BATCH_SPREAD]
        assert {s.details["batch"] for s in spread} >= {"OLD-1", "MILK-1"}


def test_mass_balance_uses_the_shipped_quantity_source(db: sessionmaker[Session]) -> None:
    _record_anomalies(db)

    def shipped(session: Session, supplier: int, product: int, batch: str, unit: str) -> Decimal:
        return Decimal("1")

    analytics.shipped_quantity_source(shipped)
    try:
        with db() as session:
            # Only lines with a library product and a registered supplier have a lot to weigh.
            created = analytics.run_rules(
                session=session, actor=principal_of(session, "inspector_a")
            )
            assert all(s.rule is not SignalRule.MASS_BALANCE or s.line_ids for s in created)
    finally:
        analytics.forget_shipped_quantity_source(shipped)


def test_the_scope_rule_flags_only_a_clear_mismatch() -> None:
    """An unknown or empty scope is not "out of scope"; a scope of understood entries none
    of which covers the category is (the table is ``rules.SCOPE_CLASSES``)."""
    aquatic, meat = ProductCategory.AQUATIC, ProductCategory.MEAT_POULTRY
    verdict = rules.scope_verdict
    assert verdict(["预包装食品销售（含冷藏冷冻食品）"], category=aquatic, chilled=True) is COVERED
    assert verdict(["散装食品销售（不含冷藏冷冻食品）"], category=aquatic, chilled=False) is COVERED
    assert verdict(["散装食品销售（不含冷藏冷冻食品）"], category=aquatic, chilled=True) is NOT
    assert verdict(["蔬菜制品"], category=meat, chilled=False) is NOT
    assert verdict(["热食类食品制售"], category=meat, chilled=False) is NOT
    assert verdict(["肉制品"], category=meat, chilled=True) is COVERED
    assert verdict(["速冻食品"], category=aquatic, chilled=True) is COVERED  # may hold fish
    assert verdict([], category=meat, chilled=True) is UNKNOWN
    assert verdict(None, category=meat, chilled=True) is UNKNOWN
    assert verdict(["经营范围详见附页"], category=meat, chilled=True) is UNKNOWN
    assert verdict(["蔬菜制品", "以登记机关核定为准"], category=meat, chilled=True) is UNKNOWN
    assert verdict(["调味品"], category=ProductCategory.VEGETABLES, chilled=False) is UNKNOWN
    assert rules.is_chilled("冻虾仁", "1kg") and not rules.is_chilled("大白菜", "散装")


def test_regulator_pages_and_opening_a_lead_case(
    db: sessionmaker[Session], new_client: Opener
) -> None:
    _record_anomalies(db)
    chief = new_client("inspector_a")
    page = chief.get("/gov/ledger/analytics")
    assert page.status_code == 200 and 'id="chart-category"' in page.text
    token = csrf_of(chief, "/gov/ledger/signals")
    ran = chief.post("/gov/ledger/signals/run", data={"csrf_token": token})
    assert ran.status_code == 303
    listed = chief.get(ran.headers["location"])
    assert 'id="signal-list"' in listed.text
    with db() as session:
        found = analytics.list_signals(
            session=session, actor=principal_of(session, "inspector_a"), page=_page()
        )
        signal_id = found.items[0].id
    other = new_client("inspector_b")
    other_token = csrf_of(other, "/gov/ledger/signals")
    assert 'id="no-signals"' in other.get("/gov/ledger/signals").text
    refused = other.post(f"/gov/ledger/signals/{signal_id}/case", data={"csrf_token": other_token})
    assert refused.status_code == 404
    opened = chief.post(f"/gov/ledger/signals/{signal_id}/case", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["location"].startswith("/gov/cases/")
    with db() as session:
        signal = analytics.get_signal(
            session=session, actor=principal_of(session, "inspector_a"), signal_id=signal_id
        )
        assert signal.status is SignalStatus.CASE_OPENED and signal.case_id
        with pytest.raises(ConflictError):
            analytics.open_lead(
                session=session, actor=principal_of(session, "inspector_a"), signal_id=signal_id
            )
    assert new_client("owner_a").get("/gov/ledger/analytics").status_code in (303, 403, 404)


def test_the_shipped_quantity_of_a_lot_comes_from_recorded_shipments(
    client: TestClient, session: Session
) -> None:
    """The mass-balance rule's source: what the supplier recorded as shipped of the lot,
    refused shipments left out; nothing when it recorded no shipment."""
    from shipment_helpers import bearer, caterer_of, shipment_body, supplier_user

    from sunshine.ingredients import shipments_balance
    from sunshine.ingredients.enums import ProductCategory
    from sunshine.ingredients.models import Product
    from sunshine.ingredients.shipments_models import Shipment

    store = caterer_of(session, "owner_a")
    frozen = Product(  # a platform product: every supplier may ship it
        owner_business_id=None,
        name="冻虾仁",
        category=ProductCategory.AQUATIC,
        specification="500g/袋",
        gtin="06901234567892",
        shelf_life_days=365,
    )
    session.add(frozen)
    session.commit()
    headers = bearer(session, supplier_user(session))
    for quantity, refused in (("10", False), ("4", False), ("7", True)):
        response = client.post(
            "/api/v1/shipments",
            json=shipment_body(store.public_code, quantity=quantity, product_id=frozen.id),
            headers=headers,
        )
        assert response.status_code == 201, response.text
        if refused:
            answer = client.post(
                f"/api/v1/shipments/{response.json()['id']}/confirmation",
                json={"outcome": "refused", "reason": "冷链温度不达标"},
                headers=bearer(session, "owner_a"),
            )
            assert answer.status_code == 200, answer.text
    shipment = session.execute(select(Shipment).order_by(Shipment.id.desc())).scalars().first()
    assert shipment is not None
    assert shipment.product_id is not None  # its GTIN is a library product's
    found = shipments_balance.shipped(
        session, shipment.supplier_business_id, shipment.product_id, "ZJ20261120", "袋"
    )
    assert found == Decimal("14")
    assert (
        shipments_balance.shipped(
            session, shipment.supplier_business_id, shipment.product_id, "OTHER", "袋"
        )
        is None
    )
