"""Demo sampling (抽检): a city's plan for the year with tasks, and samples at caterers of the
demo counties with realistic test items, most qualified, a few failed (each opening its
verification and disposal case) and a few still at the laboratory.

Everything goes through the real services. Samples are spread over the year; the failed
ones are among the latest reports, so their cases, opened today by the service, are
received when such a result would reach the bureau. The store of the ``owner_a`` account
always has one qualified and one failed result, so its store page and portal show both.
Deterministic for a seed.

The test items' standards and limits below are demo data written from the usual national
standards (GB 2762 contaminants, GB 2760 additives, GB 14934 tableware, GB 2763 pesticide
residues); they drive no rule of the product and were not checked against the texts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import repository as cases_repo
from sunshine.core.time import SHANGHAI, utc_now
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory, OperatingStatus
from sunshine.registry.models import Business
from sunshine.sampling import planning, service
from sunshine.sampling.forms import ItemForm, ReportForm, SampleForm

LABS = ("四川省食品检验研究院", "成都市食品检验研究院", "四川省产品质量监督检验检测院")
SAMPLER_NAMES = ("张明", "李华", "王芳", "刘洋", "陈静", "杨勇", "赵磊", "黄敏")


@dataclass(frozen=True)
class _Item:
    """A test item of the demo: the form's fields, a passing and a failing result."""

    form: ItemForm
    good: tuple[str, ...]
    bad: str


def _item(
    name: str,
    standard: str,
    method: str,
    comparator: str,
    limit: str,
    unit: str,
    good: tuple[str, ...],
    bad: str,
) -> _Item:
    return _Item(ItemForm(name, standard, comparator, limit, unit, method), good, bad)


_CATERING = (
    _item(
        "大肠菌群",
        "GB 19295-2021",
        "GB 4789.3-2016",
        "le",
        "100",
        "CFU/g",
        ("<10", "20", "40"),
        "2400",
    ),
    _item(
        "沙门氏菌",
        "GB 29921-2021",
        "GB 4789.4-2024",
        "not_detected",
        "",
        "/25g",
        ("未检出",),
        "检出",
    ),
    _item(
        "铝的残留量(干样品，以Al计)",
        "GB 2760-2024",
        "GB 5009.182-2017",
        "le",
        "100",
        "mg/kg",
        ("未检出", "12.6", "35.1"),
        "268",
    ),
)
_TABLEWARE = (
    _item(
        "大肠菌群",
        "GB 14934-2016",
        "GB 14934-2016",
        "qualitative",
        "阴性",
        "/50cm²",
        ("阴性",),
        "阳性",
    ),
    _item(
        "阴离子合成洗涤剂(以十二烷基苯磺酸钠计)",
        "GB 14934-2016",
        "GB/T 5750.4-2023",
        "le",
        "0.075",
        "mg/100cm²",
        ("未检出",),
        "0.13",
    ),
)
_VEGETABLE = (
    _item(
        "毒死蜱",
        "GB 2763-2021",
        "GB 23200.113-2018",
        "le",
        "0.02",
        "mg/kg",
        ("未检出", "0.005"),
        "0.11",
    ),
    _item(
        "腐霉利",
        "GB 2763-2021",
        "GB 23200.113-2018",
        "le",
        "0.2",
        "mg/kg",
        ("未检出", "0.03"),
        "1.28",
    ),
    _item(
        "镉(以Cd计)",
        "GB 2762-2022",
        "GB 5009.15-2023",
        "le",
        "0.2",
        "mg/kg",
        ("0.012", "0.031"),
        "0.35",
    ),
)
_CONDIMENT = (
    _item(
        "苯甲酸及其钠盐(以苯甲酸计)",
        "GB 2760-2024",
        "GB 5009.28-2016",
        "le",
        "1.0",
        "g/kg",
        ("未检出", "0.21"),
        "1.62",
    ),
    _item(
        "山梨酸及其钾盐(以山梨酸计)",
        "GB 2760-2024",
        "GB 5009.28-2016",
        "le",
        "0.5",
        "g/kg",
        ("未检出", "0.18"),
        "0.86",
    ),
)
_OIL = (
    _item(
        "酸价(KOH)",
        "GB 2716-2018",
        "GB 5009.229-2016",
        "le",
        "5",
        "mg/g",
        ("0.8", "2.1", "3.4"),
        "7.2",
    ),
    _item(
        "极性组分", "GB 2716-2018", "GB 5009.202-2016", "le", "27", "%", ("12.5", "18.0"), "31.4"
    ),
)
_GRAIN = (
    _item(
        "黄曲霉毒素B₁",
        "GB 2761-2017",
        "GB 5009.22-2016",
        "le",
        "10",
        "μg/kg",
        ("未检出", "1.2"),
        "14.8",
    ),
    _item(
        "镉(以Cd计)",
        "GB 2762-2022",
        "GB 5009.15-2023",
        "le",
        "0.2",
        "mg/kg",
        ("0.05", "0.08"),
        "0.31",
    ),
)
#: What is sampled at a caterer: product, category and its items.
PRODUCTS: tuple[tuple[str, str, tuple[_Item, ...]], ...] = (
    ("凉拌黄瓜", "catering_food", _CATERING[:2]),
    ("油条", "catering_food", _CATERING[2:]),
    ("卤牛肉", "catering_food", _CATERING[:2]),
    ("复用餐饮具(碗)", "tableware", _TABLEWARE),
    ("复用餐饮具(盘)", "tableware", _TABLEWARE),
    ("韭菜", "agricultural", _VEGETABLE[1:]),
    ("芹菜", "agricultural", _VEGETABLE[::2]),
    ("自制辣椒酱", "condiment", _CONDIMENT),
    ("煎炸用油", "edible_oil", _OIL),
    ("大米", "grain", _GRAIN),
)
PLACES = ("凉菜间", "后厨冷藏柜", "消毒柜", "调料间", "原料库", "油炸操作区")


@dataclass(frozen=True)
class SeededSampling:
    samples: int
    failed: int
    awaiting: int
    tasks: int


def seed_sampling(
    *,
    session: Session,
    rng: random.Random,
    today: date,
    counties: Sequence[str],
    featured: int | None = None,
    per_county: int = 18,
) -> SeededSampling:
    """A plan of the counties' city with a few open tasks, and ``per_county`` samples in
    each county (``featured``: the store that always has a failed and a passing result)."""
    samples = failed = awaiting = tasks = 0
    for county in counties:
        inspector = _officer(session, (RegionLevel.COUNTY, county), Role.INSPECTOR)
        if inspector is None:
            continue
        stores = _caterers(session, county)
        if not stores:
            continue
        agency = _agency(session, inspector)
        plan_id = None
        leader = _officer(session, (RegionLevel.PREFECTURE, county[:4] + "00"), Role.BUREAU_LEADER)
        if leader is not None:
            plan_id, added = _plan(session, leader, rng, today, county, stores)
            tasks += added
        # Oldest first; the last five reports are the recent ones, two of them failed.
        span = max(60, (today - date(today.year, 1, 1)).days)
        older = sorted(rng.sample(range(20, span), per_county - 7), reverse=True)
        days = older + sorted(rng.sample(range(3, 16), 5), reverse=True)
        featured_store = next((s for s in stores if s.id == featured), None)
        for n, day in enumerate(days):
            store = rng.choice(stores)
            fail = n in (len(days) - 4, len(days) - 1)
            if featured_store is not None and n >= len(days) - 2:
                store, fail = featured_store, n == len(days) - 1
            form = _form(rng, today, store, agency, day, fail=fail, done=True, plan_id=plan_id)
            sample = service.record_sample(session=session, actor=inspector, form=form)
            samples += 1
            failed += int(sample.case_id is not None)
        for day in (1, 2):  # at the laboratory
            form = _form(
                rng, today, rng.choice(stores), agency, day, fail=False, done=False, plan_id=plan_id
            )
            service.record_sample(session=session, actor=inspector, form=form)
            samples += 1
            awaiting += 1
    return SeededSampling(samples=samples, failed=failed, awaiting=awaiting, tasks=tasks)


def _officer(session: Session, within: tuple[RegionLevel, str], role: Role) -> Principal | None:
    found = cases_repo.assignable_users(
        session, within=within, roles=[role], limit=1, levels=[within[0]]
    )
    return auth_service.principal_for(session, found[0][0]) if found else None


def _agency(session: Session, actor: Principal) -> str:
    from sunshine.regions import repository as regions_repo

    unit = regions_repo.get_org_unit(session, actor.org_unit_id) if actor.org_unit_id else None
    return unit.name if unit is not None else "市场监督管理局"


def _caterers(session: Session, county: str) -> list[Business]:
    stmt = (
        select(Business)
        .where(
            Business.county_code == county,
            Business.category == BusinessCategory.CATERER,
            Business.operating_status == OperatingStatus.OPERATING,
        )
        .order_by(Business.id)
        .limit(300)
    )
    return list(session.execute(stmt).scalars())


def _form(
    rng: random.Random,
    today: date,
    store: Business,
    agency: str,
    days_ago: int,
    *,
    fail: bool,
    done: bool,
    plan_id: int | None,
) -> SampleForm:
    product, category, items = rng.choice(PRODUCTS if not fail else PRODUCTS[:8])
    sampled_on = today - timedelta(days=days_ago)
    moment = datetime.combine(sampled_on, time(rng.randint(9, 16), rng.randint(0, 59)), SHANGHAI)
    moment = min(moment, utc_now() - timedelta(hours=1))
    failing = rng.randrange(len(items)) if fail else -1
    forms = [
        replace(
            item.form,
            result=(item.bad if n == failing else rng.choice(item.good)) if done else "",
            verdict=("不合格" if n == failing else "合格")
            if done and item.form.comparator == "qualitative"
            else "",
        )
        for n, item in enumerate(items)
    ]
    report = ReportForm()
    if done:
        reported = min(sampled_on + timedelta(days=rng.randint(5, 12)), today)
        report = ReportForm(
            lab_name=rng.choice(LABS),
            report_number=f"SP{sampled_on:%Y%m%d}{rng.randint(100, 999)}",
            report_date=reported.isoformat(),
        )
    produced = (
        sampled_on - timedelta(days=rng.randint(0, 30))
        if category != "catering_food"
        else sampled_on
    )
    return SampleForm(
        business_id=store.id,
        product_name=product,
        category=category,
        batch_number=produced.strftime("%Y%m%d") if category != "tableware" else "消毒后",
        production_date=produced.isoformat() if category != "tableware" else "",
        sampled_at=moment.isoformat(),
        sampling_place=rng.choice(PLACES),
        sampling_agency=agency,
        samplers="、".join(rng.sample(SAMPLER_NAMES, 2)),
        plan_id=plan_id if sampled_on.year == today.year else None,
        items=forms,
        report=report,
    )


def _plan(
    session: Session,
    leader: Principal,
    rng: random.Random,
    today: date,
    county: str,
    stores: list[Business],
) -> tuple[int, int]:
    """The city's plan of the year (made once) and three open tasks in the county."""
    existing = planning.list_plans(session=session, actor=leader, year=today.year)
    if existing:
        plan_id = existing[0].plan.id
    else:
        plan = planning.create_plan(
            session=session,
            actor=leader,
            form=planning.PlanForm(
                year=str(today.year),
                name=f"{today.year}年餐饮环节食品安全监督抽检计划",
                targets={
                    "catering_food": "120",
                    "tableware": "80",
                    "agricultural": "60",
                    "condiment": "40",
                    "edible_oil": "30",
                    "grain": "20",
                },
            ),
        )
        plan_id = plan.id
    added = 0
    last = date(today.year, 12, 31)
    for n, store in enumerate(rng.sample(stores, min(3, len(stores)))):
        due = min(today + timedelta(days=7 + 7 * n), last)
        planning.create_task(
            session=session,
            actor=leader,
            form=planning.TaskForm(
                plan_id=plan_id,
                business_id=store.id,
                category=("tableware", "catering_food", "condiment")[n],
                due_on=due.isoformat(),
            ),
        )
        added += 1
    return plan_id, added
