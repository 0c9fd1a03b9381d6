"""Demo purchase ledgers: a product library, each demo store's suppliers (registry
producers and wholesalers, and an external market stall) and three months of ledger lines,
made through the real services (each line checked and audited). Deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core.time import SHANGHAI
from sunshine.ingredients import catalog, rules, service
from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import Product
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business

C = ProductCategory
# name, category, specification, GTIN body (12 digits, check digit added) or None, shelf life
# in days (None: no stated shelf life), producer, unit, usual quantity
PRODUCTS: tuple[tuple[str, ProductCategory, str, str | None, int | None, str, str, int], ...] = (
    ("鲜猪肉（后腿）", C.MEAT_POULTRY, "散装", None, 3, "成都市定点屠宰场", "kg", 20),
    ("冷鲜鸡", C.MEAT_POULTRY, "约1.5kg/只", None, 5, "四川禽业有限公司", "只", 10),
    ("冻牛腩", C.MEAT_POULTRY, "1kg/袋", "690345612001", 365, "内蒙古草原肉业有限公司", "袋", 8),
    ("大白菜", C.VEGETABLES, "散装", None, None, "", "kg", 25),
    ("青椒", C.VEGETABLES, "散装", None, None, "", "kg", 8),
    ("土豆", C.VEGETABLES, "散装", None, None, "", "kg", 30),
    ("鲈鱼（鲜活）", C.AQUATIC, "散装", None, 2, "眉山水产养殖合作社", "kg", 6),
    ("冻虾仁", C.AQUATIC, "500g/袋", "690345612002", 365, "湛江海产食品有限公司", "袋", 10),
    ("纯牛奶", C.DAIRY, "250mL×24盒", "690345612003", 180, "四川新希望乳业有限公司", "箱", 4),
    (
        "白酒（52度）",
        C.LIQUOR,
        "500mL×6瓶",
        "690345612004",
        None,
        "宜宾五粮液股份有限公司",
        "箱",
        1,
    ),
    ("啤酒", C.LIQUOR, "500mL×12罐", "690345612005", 360, "华润雪花啤酒（四川）有限公司", "箱", 5),
    ("大米", C.GRAIN_OIL, "25kg/袋", "690345612006", 365, "五常市稻花香米业有限公司", "袋", 3),
    ("菜籽油", C.GRAIN_OIL, "5L/桶", "690345612007", 540, "四川省粮油集团有限公司", "桶", 4),
    ("鲜鸡蛋", C.EGGS, "30枚/板", None, 30, "彭州蛋鸡养殖场", "板", 6),
    ("郫县豆瓣", C.CONDIMENTS, "500g/袋", "690345612008", 720, "四川郫县豆瓣股份有限公司", "袋", 6),
    (
        "酱油",
        C.CONDIMENTS,
        "1.9L/瓶",
        "690345612009",
        540,
        "佛山市海天调味食品股份有限公司",
        "瓶",
        4,
    ),
)


def _gtin(body: str | None) -> str:
    return f"{body}{rules.gtin_check_digit(body)}" if body else ""


def seed_products(session: Session) -> list[Product]:
    return [
        catalog.add_product(
            session=session,
            actor=SYSTEM,
            data=catalog.ProductInput(
                name=name,
                category=category,
                specification=spec,
                gtin=_gtin(body),
                shelf_life_days=shelf,
                producer_name=producer,
            ),
        )
        for name, category, spec, body, shelf, producer, _unit, _qty in PRODUCTS
    ]


def _recorder(business: Business) -> Principal:
    """The store's staff as the services see them (the demo has accounts for store A only)."""
    return Principal(
        user_id=None,
        username=f"demo-staff-{business.id}",
        display_name="演示员工",
        role=Role.ENTERPRISE_STAFF,
        business_id=business.id,
    )


def _suppliers(
    session: Session, actor: Principal, rng: random.Random, trade: Sequence[Business]
) -> list[int]:
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
    return [*ids, stall.id]


def _line(
    rng: random.Random,
    product: Product,
    spec: tuple[str, str, int],
    supplier_id: int,
    bought: date,
) -> LedgerLineIn:
    unit, _producer, qty = spec[0], spec[1], spec[2]
    made = bought - timedelta(
        days=rng.randint(0, 2) if (product.shelf_life_days or 0) < 30 else rng.randint(5, 60)
    )
    documents = ["voucher"]
    if product.category is C.MEAT_POULTRY:
        documents += ["licence", "quarantine"]
    elif product.category is not C.VEGETABLES:
        documents += ["licence", "conformity"]
    if rng.random() < 0.08:  # a few lines without the documents their category expects
        documents = ["voucher"]
    return LedgerLineIn(
        purchase_date=bought,
        product_id=product.id,
        quantity=Decimal(max(1, round(qty * rng.uniform(0.6, 1.4)))),
        unit=unit,
        batch_number=f"{made:%Y%m%d}{rng.randint(1, 9)}" if product.gtin else None,
        production_date=made,
        no_shelf_life=product.shelf_life_days is None,
        supplier_id=supplier_id,
        documents=documents,
        appearance_ok=True,
        temperature_c=round(rng.uniform(0, 4), 1)
        if product.category in (C.MEAT_POULTRY, C.AQUATIC, C.DAIRY)
        else None,
        recorder_name=rng.choice(("王师傅", "李厨", "张采购")),
    )


def seed_ledger(
    *,
    session: Session,
    seed: int,
    today: date,
    counties: Sequence[str],
    featured: int | None,
    stores: int = 4,
    days: int = 90,
) -> int:
    """The product library, the suppliers of a few demo stores (store A first) and their
    purchases over ``days``; returns the number of lines."""
    rng = random.Random(f"ledger-{seed}")
    products = seed_products(session)
    specs = {
        p.id: (unit, producer, qty)
        for p, (*_, producer, unit, qty) in zip(products, PRODUCTS, strict=True)
    }
    caterers = list(
        session.execute(
            select(Business)
            .where(
                Business.county_code.in_(list(counties)),
                Business.category == BusinessCategory.CATERER,
            )
            .order_by(Business.id)
        ).scalars()
    )
    chosen = [b for b in caterers if b.id == featured] + [b for b in caterers if b.id != featured]
    trade = list(
        session.execute(
            select(Business)
            .where(Business.category != BusinessCategory.CATERER)
            .order_by(Business.id)
        ).scalars()
    )
    count = 0
    for business in chosen[:stores]:
        actor = _recorder(business)
        supplier_ids = _suppliers(session, actor, rng, trade)
        for offset in range(days, 0, -1):
            bought = today - timedelta(days=offset)
            if rng.random() > 0.35:
                continue
            for product in rng.sample(products, k=rng.randint(1, 3)):
                stall = product.category is C.VEGETABLES
                supplier = (
                    supplier_ids[-1] if stall else rng.choice(supplier_ids[:-1] or supplier_ids)
                )
                data = _line(rng, product, specs[product.id], supplier, bought)
                at = datetime.combine(bought, time(9, rng.randint(0, 59)), tzinfo=SHANGHAI)
                service.record_line(
                    session=session, actor=actor, business_id=business.id, data=data, now=at
                )
                count += 1
    return count
