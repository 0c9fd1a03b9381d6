"""The demo ledgers' product library and the making of one ordinary purchase: what a
careful store records (documents by category, a production date within the shelf life,
a goods-in time in the morning), shared by the year of lines (:mod:`demo`) and the planted
anomalies (:mod:`demo_anomalies`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core.time import SHANGHAI
from sunshine.ingredients import catalog, rules
from sunshine.ingredients.enums import DocumentKind, ProductCategory
from sunshine.ingredients.models import Product
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.models import Business

C = ProductCategory


@dataclass(frozen=True)
class DemoProduct:
    """A product of the demo library and how a store buys it."""

    name: str
    category: ProductCategory
    specification: str
    gtin_body: str | None  # 12 digits, the check digit is added
    shelf_life_days: int | None  # None: no stated shelf life
    producer: str
    unit: str
    quantity: int  # the usual quantity of one purchase
    per_week: float  # purchases a week by a store of usual size
    season: str  # a profile of ``demo_seasons.SEASONS``


PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct("鲜猪肉（后腿）", C.MEAT_POULTRY, "散装", None, 3,
                "成都市定点屠宰场", "kg", 20, 1.6, "meat"),
    DemoProduct("冷鲜鸡", C.MEAT_POULTRY, "约1.5kg/只", None, 5,
                "四川禽业有限公司", "只", 10, 1.0, "meat"),
    DemoProduct("冻牛腩", C.MEAT_POULTRY, "1kg/袋", "690345612001", 365,
                "内蒙古草原肉业有限公司", "袋", 8, 0.5, "meat"),
    DemoProduct("大白菜", C.VEGETABLES, "散装", None, None,
                "", "kg", 25, 1.0, "winter_vegetables"),
    DemoProduct("白萝卜", C.VEGETABLES, "散装", None, None,
                "", "kg", 15, 0.5, "winter_vegetables"),
    DemoProduct("青椒", C.VEGETABLES, "散装", None, None,
                "", "kg", 8, 1.0, "summer_vegetables"),
    DemoProduct("黄瓜", C.VEGETABLES, "散装", None, None,
                "", "kg", 10, 0.7, "summer_vegetables"),
    DemoProduct("土豆", C.VEGETABLES, "散装", None, None,
                "", "kg", 30, 0.7, "flat"),
    DemoProduct("鲈鱼（鲜活）", C.AQUATIC, "散装", None, 2,
                "眉山水产养殖合作社", "kg", 6, 0.7, "aquatic"),
    DemoProduct("小龙虾（鲜活）", C.AQUATIC, "散装", None, 2,
                "眉山水产养殖合作社", "kg", 15, 0.7, "crayfish"),
    DemoProduct("冻虾仁", C.AQUATIC, "500g/袋", "690345612002", 365,
                "湛江海产食品有限公司", "袋", 10, 0.4, "aquatic"),
    DemoProduct("纯牛奶", C.DAIRY, "250mL×24盒", "690345612003", 180,
                "四川新希望乳业有限公司", "箱", 4, 0.35, "flat"),
    DemoProduct("白酒（52度）", C.LIQUOR, "500mL×6瓶", "690345612004", None,
                "宜宾五粮液股份有限公司", "箱", 1, 0.15, "festive"),
    DemoProduct("啤酒", C.LIQUOR, "500mL×12罐", "690345612005", 360,
                "华润雪花啤酒（四川）有限公司", "箱", 5, 0.5, "cold_drinks"),
    DemoProduct("冰红茶", C.OTHER, "500mL×15瓶", "690345612010", 365,
                "成都康师傅饮品有限公司", "箱", 3, 0.35, "cold_drinks"),
    DemoProduct("大米", C.GRAIN_OIL, "25kg/袋", "690345612006", 365,
                "五常市稻花香米业有限公司", "袋", 3, 0.3, "flat"),
    DemoProduct("菜籽油", C.GRAIN_OIL, "5L/桶", "690345612007", 540,
                "四川省粮油集团有限公司", "桶", 4, 0.3, "flat"),
    DemoProduct("鲜鸡蛋", C.EGGS, "30枚/板", None, 30,
                "彭州蛋鸡养殖场", "板", 6, 0.5, "flat"),
    DemoProduct("郫县豆瓣", C.CONDIMENTS, "500g/袋", "690345612008", 720,
                "四川郫县豆瓣股份有限公司", "袋", 6, 0.2, "flat"),
    DemoProduct("酱油", C.CONDIMENTS, "1.9L/瓶", "690345612009", 540,
                "佛山市海天调味食品股份有限公司", "瓶", 4, 0.2, "flat"),
)  # fmt: skip
BY_NAME = {p.name: p for p in PRODUCTS}
#: Share of key-category purchases recorded without a document their category expects (a
#: realistic lapse, found by the big ledger's rule like the planted ones).
DOCUMENT_LAPSE = 0.01
RECORDERS = ("王师傅", "李厨", "张采购")


def _gtin(body: str | None) -> str:
    return f"{body}{rules.gtin_check_digit(body)}" if body else ""


def seed_products(session: Session) -> dict[str, Product]:
    """The platform's product library (administrators' products, as the system)."""
    return {
        p.name: catalog.add_product(
            session=session,
            actor=SYSTEM,
            data=catalog.ProductInput(
                name=p.name,
                category=p.category,
                specification=p.specification,
                gtin=_gtin(p.gtin_body),
                shelf_life_days=p.shelf_life_days,
                producer_name=p.producer,
            ),
        )
        for p in PRODUCTS
    }


def recorder(business: Business) -> Principal:
    """The store's staff as the services see them (the demo has accounts for a few stores)."""
    return Principal(
        user_id=None,
        username=f"demo-staff-{business.id}",
        display_name="演示员工",
        role=Role.ENTERPRISE_STAFF,
        business_id=business.id,
    )


def covers_everything(business: Business) -> bool:
    """Whether a supplier's licence covers every key category, chilled goods included (so
    the demo's ordinary purchases are all within scope)."""
    return all(
        rules.scope_verdict(business.licence_scope, category=c, chilled=True)
        is rules.ScopeVerdict.COVERED
        for c in rules.SCOPE_JUDGED
    )


def documents_of(category: ProductCategory) -> list[DocumentKind]:
    """What a careful store checks for a purchase of ``category``."""
    if category is C.MEAT_POULTRY:
        return [DocumentKind.VOUCHER, DocumentKind.LICENCE, DocumentKind.QUARANTINE]
    if category is C.VEGETABLES:
        return [DocumentKind.VOUCHER]
    return [DocumentKind.VOUCHER, DocumentKind.LICENCE, DocumentKind.CONFORMITY]


def made_before(rng: random.Random, product: Product, bought: date) -> date:
    """A production date that leaves most of the shelf life (fresh goods: a day or two)."""
    shelf = product.shelf_life_days
    if shelf is not None and shelf < 30:
        return bought - timedelta(days=rng.randint(0, max(0, min(2, shelf - 2))))
    longest = 60 if shelf is None else min(60, shelf // 3)
    return bought - timedelta(days=rng.randint(5, max(5, longest)))


def line_in(
    rng: random.Random,
    product: Product,
    demo: DemoProduct,
    supplier_id: int,
    bought: date,
    *,
    scale: float = 1.0,
) -> LedgerLineIn:
    made = made_before(rng, product, bought)
    documents = documents_of(product.category)
    if product.category is not C.VEGETABLES and rng.random() < DOCUMENT_LAPSE:
        documents = [DocumentKind.VOUCHER]
    return LedgerLineIn(
        purchase_date=bought,
        product_id=product.id,
        quantity=Decimal(max(1, round(demo.quantity * scale * rng.uniform(0.6, 1.4)))),
        unit=demo.unit,
        batch_number=f"{made:%Y%m%d}{rng.randint(1, 9)}" if product.gtin else None,
        production_date=made,
        no_shelf_life=product.shelf_life_days is None,
        supplier_id=supplier_id,
        documents=documents,
        appearance_ok=True,
        temperature_c=round(rng.uniform(0, 4), 1)
        if product.category in (C.MEAT_POULTRY, C.AQUATIC, C.DAIRY)
        else None,
        recorder_name=rng.choice(RECORDERS),
    )


def morning(day: date, rng: random.Random) -> datetime:
    """A goods-in time on ``day`` (07:00-10:59 in China), as an aware UTC time."""
    local = datetime.combine(day, time(rng.randint(7, 10), rng.randint(0, 59)), tzinfo=SHANGHAI)
    return local.astimezone(UTC)
