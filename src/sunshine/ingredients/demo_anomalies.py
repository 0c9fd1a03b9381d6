"""The demo ledgers' planted anomalies: a few purchases of each kind the big ledger's rules
exist to find, recorded through ``service.record_line`` like any other (the ledger stores
what happened and flags it), so the nightly signals job (run once at the end of the demo's
seeding) lists them at ``/gov/ledger/signals``. Deterministic.

* a supplier whose licence had expired when the store bought from it (3 lines);
* goods outside the supplier's licensed scope: frozen shrimp from a producer licensed for
  other foods (pickles, rice, food additives ...) (2);
* goods past their use-by date when received: old milk, frozen shrimp (2);
* key-category purchases without the documents their category expects (3);
* one batch of milk at more stores than the batch-spread rule's threshold within its window.

The shipment anomalies (unconfirmed, received in part, and a lot received in more quantity
than its supplier shipped) are planted with the shipments (:mod:`shipments_demo`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from sunshine.core.identifiers import make_jy_licence, make_sc_licence
from sunshine.ingredients import analytics, catalog, rules, service
from sunshine.ingredients import demo_products as _demo
from sunshine.ingredients import demo_repository as repo
from sunshine.ingredients.enums import DocumentKind, ProductCategory, SignalRule
from sunshine.ingredients.models import Product
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.models import Business


@dataclass
class Planted:
    """The planted lines by the rule that should find them."""

    lines: dict[SignalRule, list[int]] = field(default_factory=dict)

    def add(self, rule: SignalRule, line_id: int) -> None:
        self.lines.setdefault(rule, []).append(line_id)


@dataclass(frozen=True)
class _Plant:
    session: Session
    rng: random.Random
    today: date
    products: dict[str, Product]
    planted: Planted

    def buy(
        self,
        store: Business,
        supplier_id: int,
        product: str,
        days_ago: int,
        rule: SignalRule,
        **changes: object,
    ) -> int:
        """Record one purchase of ``store`` made ``days_ago`` days ago, with ``changes``
        to the ordinary line, and remember it as planted for ``rule``."""
        bought = self.today - timedelta(days=days_ago)
        found = self.products[product]
        data = _demo.line_in(self.rng, found, _demo.BY_NAME[product], supplier_id, bought)
        data = LedgerLineIn.model_validate({**data.model_dump(), **changes})
        line = service.record_line(
            session=self.session,
            actor=_demo.recorder(store),
            business_id=store.id,
            data=data,
            now=_demo.morning(bought, self.rng),
        )
        self.planted.add(rule, line.id)
        return line.id


def _registered(session: Session, store: Business, supplier: Business) -> int:
    return catalog.add_registered_supplier(
        session=session, actor=_demo.recorder(store), supplier_business_id=supplier.id
    ).id


def _expired_licence(p: _Plant, store: Business) -> None:
    """A frozen-goods dealer typed in by the store, whose licence ran out 45 days ago."""
    supplier = catalog.add_external_supplier(
        session=p.session,
        actor=_demo.recorder(store),
        data=catalog.ExternalSupplierInput(
            name="荷花池冻品经营部",
            address="成都市金牛区荷花池市场冻品区 18 号",
            contact_name="周建军",
            contact_phone="13980012345",
            licence_number=make_jy_licence(
                rng=p.rng, form_digit=1, county_code=store.county_code, sequence=4417
            ),
            licence_expiry_date=p.today - timedelta(days=45),
            licence_scope=["预包装食品销售（含冷藏冷冻食品）"],
        ),
    )
    for days_ago in (30, 19, 8):
        p.buy(store, supplier.id, "冻牛腩", days_ago, SignalRule.LICENCE_EXPIRED)


def _pickle_factory(p: _Plant, store: Business, licensed: Sequence[Business]) -> int:
    """A producer of the register whose licence covers no frozen shrimp (the first one
    by id), or a pickle factory typed in by the store when the register has none."""
    for business in licensed:
        if (
            rules.scope_verdict(
                business.licence_scope, category=ProductCategory.AQUATIC, chilled=True
            )
            is rules.ScopeVerdict.NOT_COVERED
        ):
            return _registered(p.session, store, business)
    return catalog.add_external_supplier(
        session=p.session,
        actor=_demo.recorder(store),
        data=catalog.ExternalSupplierInput(
            name="郫都区安德镇红油泡菜厂",
            address="成都市郫都区安德镇川菜园区 6 号",
            contact_name="刘德明",
            contact_phone="13880067890",
            licence_number=make_sc_licence(
                rng=p.rng, category="116", county_code=store.county_code, sequence=2208
            ),
            licence_expiry_date=p.today + timedelta(days=900),
            licence_scope=["蔬菜制品"],
        ),
    ).id


def _out_of_scope(p: _Plant, store: Business, licensed: Sequence[Business]) -> None:
    supplier = _pickle_factory(p, store, licensed)
    for days_ago in (26, 12):
        p.buy(store, supplier, "冻虾仁", days_ago, SignalRule.LICENCE_SCOPE)


def _expired_goods(p: _Plant, stores: Sequence[Business], trade: Sequence[Business]) -> None:
    milk_store, shrimp_store = stores[1 % len(stores)], stores[2 % len(stores)]
    bought = p.today - timedelta(days=15)
    p.buy(
        milk_store,
        _registered(p.session, milk_store, trade[0]),
        "纯牛奶",
        15,
        SignalRule.EXPIRED_ON_RECEIPT,
        production_date=bought - timedelta(days=200),  # shelf life 180 days
        batch_number=f"{bought - timedelta(days=200):%Y%m%d}3",
    )
    bought = p.today - timedelta(days=6)
    p.buy(
        shrimp_store,
        _registered(p.session, shrimp_store, trade[-1]),
        "冻虾仁",
        6,
        SignalRule.EXPIRED_ON_RECEIPT,
        production_date=bought - timedelta(days=370),
        expiry_date=bought - timedelta(days=5),
        shelf_life_days=None,
        batch_number=f"{bought - timedelta(days=370):%Y%m%d}1",
    )


def _missing_documents(p: _Plant, stores: Sequence[Business], trade: Sequence[Business]) -> None:
    voucher_only = [DocumentKind.VOUCHER]
    for n, (product, days_ago) in enumerate(
        (("鲜猪肉（后腿）", 11), ("纯牛奶", 7), ("白酒（52度）", 4))
    ):
        store = stores[n % len(stores)]
        supplier = _registered(p.session, store, trade[n % len(trade)])
        p.buy(
            store,
            supplier,
            product,
            days_ago,
            SignalRule.MISSING_DOCUMENTS,
            documents=voucher_only,
        )


def _batch_spread(
    p: _Plant, counties: Sequence[str], stores: Sequence[Business], trade: Sequence[Business]
) -> None:
    """One batch number of milk on the ledgers of a few more stores than the rule's
    threshold within its window (county A's first, county B's if A has too few): a batch
    number copied from one delivery note to every ledger rather than read off the goods."""
    threshold = analytics.RULES[SignalRule.BATCH_SPREAD].threshold or 30
    lookback = analytics.RULES[SignalRule.BATCH_SPREAD].lookback_days
    ledgers = {b.id for b in stores}
    others = [
        b
        for county in counties
        for b in repo.caterers_in(p.session, [county])
        if b.id not in ledgers
    ]
    made = p.today - timedelta(days=lookback + 10)
    wholesaler = trade[0]
    for n, store in enumerate(others[: threshold + 3]):
        p.buy(
            store,
            _registered(p.session, store, wholesaler),
            "纯牛奶",
            2 + n % (lookback - 5),
            SignalRule.BATCH_SPREAD,
            production_date=made,
            batch_number=f"{made:%Y%m%d}8",
            quantity=Decimal(2),
        )


def plant(
    *,
    session: Session,
    rng: random.Random,
    today: date,
    stores: Sequence[Business],
    counties: Sequence[str],
    trade: Sequence[Business],
) -> Planted:
    """Plant the anomalies on the demo stores' ledgers (store A first); nothing without a
    store or a supplier on the register."""
    planted = Planted()
    if not stores or not trade:
        return planted
    p = _Plant(session, rng, today, repo.library(session), planted)
    licensed = repo.licensed_trade(session, valid_after=today)
    _expired_licence(p, stores[0])
    _out_of_scope(p, stores[1 % len(stores)], licensed)
    _expired_goods(p, stores, trade)
    _missing_documents(p, stores, trade)
    _batch_spread(p, counties, stores, trade)
    return planted
