"""Demo purchase ledgers (进货查验记录): a product library (:mod:`demo_products`), each
demo store's suppliers (registry wholesalers and vendors whose licence covers what they
sell, and an external market stall for vegetables) and a year of ledger lines up to
yesterday, with seasonal volumes (:mod:`demo_seasons`), then the planted anomalies
(:mod:`demo_anomalies`).

Every line goes through the ledger's rules: the year in batches per store
(:func:`batch.record_lines`: each line checked by ``service.check_line``, one audit entry
per batch naming its lines, each line's receiving EPCIS event captured), the planted ones
one by one through ``service.record_line``. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.ingredients import batch, catalog, demo_anomalies, demo_seasons
from sunshine.ingredients import demo_repository as repo
from sunshine.ingredients.demo_products import (
    BY_NAME,
    PRODUCTS,
    covers_everything,
    line_in,
    morning,
    recorder,
    seed_products,
)
from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import Product
from sunshine.registry.models import Business

C = ProductCategory
BATCH_SIZE = 500


@dataclass(frozen=True)
class LedgerSeeded:
    lines: int
    stores: list[int]
    planted: demo_anomalies.Planted


@dataclass(frozen=True)
class StoreSuppliers:
    registered: list[int]  # supplier record ids
    stall: int


def add_suppliers(
    session: Session, actor: Principal, rng: random.Random, trade: Sequence[Business]
) -> StoreSuppliers:
    ids = [
        catalog.add_registered_supplier(session=session, actor=actor, supplier_business_id=b.id).id
        for b in rng.sample(list(trade), k=min(2, len(trade)))
    ]
    stall = catalog.add_external_supplier(
        session=session,
        actor=actor,
        data=catalog.ExternalSupplierInput(
            name=rng.choice(
                ("青石桥农贸市场 张记蔬菜", "抚琴农贸市场 李姐菜摊", "双楠农贸市场 陈记")
            ),
            address="成都市农贸市场摊位 " + str(rng.randint(1, 120)) + " 号",
            contact_name=rng.choice(("张建华", "李秀英", "陈国强")),
            contact_phone="139" + "".join(str(rng.randint(0, 9)) for _ in range(8)),
            upstream_id=ids[0] if ids else None,
        ),
    )
    return StoreSuppliers(registered=ids, stall=stall.id)


def year_of(
    rng: random.Random,
    products: dict[str, Product],
    suppliers: StoreSuppliers,
    today: date,
    days: int,
) -> list[batch.Purchase]:
    """One store's purchases over ``days`` up to yesterday, at seasonal rates."""
    size = rng.uniform(0.8, 1.3)  # stores differ in size
    usual = {
        name: rng.choice(suppliers.registered or [suppliers.stall]) for name in BY_NAME
    }  # each product mostly from one supplier
    purchases = []
    for offset in range(days, 0, -1):
        bought = today - timedelta(days=offset)
        weekday = 1.15 if bought.weekday() in (4, 5) else 1.0  # stocking up for the weekend
        for demo in PRODUCTS:
            rate = demo.per_week / 7 * size * weekday * demo_seasons.factor(demo.season, bought)
            if rng.random() >= rate:
                continue
            product = products[demo.name]
            if demo.category is C.VEGETABLES:
                supplier = suppliers.stall
            elif rng.random() < 0.85:
                supplier = usual[demo.name]
            else:
                supplier = rng.choice(suppliers.registered or [suppliers.stall])
            data = line_in(rng, product, demo, supplier, bought, scale=size)
            purchases.append(batch.Purchase(data=data, recorded_at=morning(bought, rng)))
    return purchases


def _planted_at(session: Session, chosen: Sequence[Business]) -> list[Business]:
    """Where the anomalies are planted: store A1 and its neighbour A2 (both of county A,
    both with demo accounts), so county A's inspector finds every kind; the other ledger
    stores where A2 has no account."""
    if not chosen:
        return []
    neighbour = repo.business_of_user(session, "owner_a2")
    if neighbour is not None and neighbour.id != chosen[0].id:
        return [chosen[0], neighbour]
    return list(chosen)


def seed_ledger(
    *,
    session: Session,
    seed: int,
    today: date,
    counties: Sequence[str],
    featured: int | None,
    stores: int = 4,
    days: int = 365,
) -> LedgerSeeded:
    """The product library, the suppliers of a few demo stores (store A first), their
    purchases over ``days`` and the planted anomalies."""
    rng = random.Random(f"ledger-{seed}")
    products = seed_products(session)
    caterers = repo.caterers_in(session, counties)
    chosen = [b for b in caterers if b.id == featured] + [b for b in caterers if b.id != featured]
    chosen = chosen[:stores]
    # The ordinary suppliers: licensed for every key category until after today, and not
    # the demo supplier account's business (its shipments are its own story).
    shipper = repo.business_of_user(session, "supplier_a")
    trade = [
        b
        for b in repo.licensed_trade(session, valid_after=today)
        if covers_everything(b) and (shipper is None or b.id != shipper.id)
    ]
    count = 0
    for business in chosen:
        actor = recorder(business)
        suppliers = add_suppliers(session, actor, rng, trade)
        purchases = year_of(rng, products, suppliers, today, days)
        for start in range(0, len(purchases), BATCH_SIZE):
            count += len(
                batch.record_lines(
                    session=session,
                    actor=actor,
                    business_id=business.id,
                    purchases=purchases[start : start + BATCH_SIZE],
                )
            )
    planted = demo_anomalies.plant(
        session=session,
        rng=random.Random(f"ledger-anomalies-{seed}"),
        today=today,
        stores=_planted_at(session, chosen),
        counties=counties,
        trade=trade,
    )
    return LedgerSeeded(lines=count, stores=[b.id for b in chosen], planted=planted)
