"""Demo co-governance activity: complaints at every step of their ladder, whistleblower
reports about stores and places, insurance cover, a pending whistleblower registration.

Everything goes through the real services (so timelines, cases, notifications and the audit
trail are what they would be); only the dates of a few unanswered complaints are moved back
so the demo shows deadlines passed. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.cases.calendar import add_workdays
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.service import ComplaintForm
from sunshine.cogovernance.insurance import service as insurance
from sunshine.cogovernance.reports import profiles
from sunshine.cogovernance.reports import service as reports
from sunshine.cogovernance.reports.service import ReportForm
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business

INSURERS = ("中国人保财险", "平安产险", "太平洋产险", "中华联合财险", "国寿财险")
COMPLAINTS = (
    ("foreign_matter", "refund", "米饭里吃出一根钢丝球丝，差点划伤嘴。", "退还餐费并赔礼道歉"),
    ("illness", "compensation", "中午吃了凉拌菜，下午开始腹泻，同桌三人都不舒服。", "赔偿医药费"),
    ("hygiene", "rectification", "透过明厨亮灶看到厨师没戴帽子，砧板生熟不分。", "整改后厨卫生"),
    ("price", "refund", "菜单标价38元，结账按48元收，服务员说菜单没更新。", "退还多收的10元"),
    ("spoiled_food", "refund", "打包的酸菜鱼有异味，鱼肉发软，疑似不新鲜。", "全额退款"),
    ("service", "apology", "反映问题后服务员态度恶劣，还说爱吃不吃。", "当面道歉"),
)
ANSWERS = (
    "非常抱歉给您带来不好的体验，已为您办理退款，并对后厨进行了全面检查。",
    "经核查确有此事，涉事员工已停岗培训，欢迎您再次监督。",
    "我们已调取监控，食材当日进货有票据，愿意协商解决，请您留意短信联系。",
)
REPORTS = (
    ("expired_or_spoiled", "后厨冷库里有过期的冻肉，标签被撕掉后继续使用。"),
    ("staff_health", "店里新来的两个帮厨没有健康证就上岗了。"),
    ("hygiene", "晚上打烊后后厨有老鼠出没，员工说常有。"),
    ("unsafe_sources", "老板从无票据的小贩手里进货，牛肉来源不明。"),
    ("illegal_additives", "卤菜颜色特别鲜艳，疑似加了工业色素。"),
)
PLACE_REPORTS = (
    ("unlicensed", "学校门口每天傍晚有无证摊贩卖凉面和炸串。", "小学东门外人行道"),
    ("unlicensed", "居民楼里有人开私房菜馆，每天接外卖订单。", "某小区7栋2单元"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明")


@dataclass(frozen=True)
class CogovernanceSeeded:
    complaints: int
    reports: int
    policies: int


def seed_cogovernance(
    *,
    session: Session,
    seed: int,
    today: date,
    counties: Sequence[str],
    owner_store_id: int | None,
) -> CogovernanceSeeded:
    """Complaints, reports and insurance around the demo's two counties."""
    rng = random.Random(f"cogovernance-{seed}")
    stores = _stores(session, counties, owner_store_id)
    policies = _insure(session, rng, stores, today)
    filed = 0
    for number, store in enumerate(stores[:30]):
        _complaint_story(session, rng, store, number)
        filed += 1
    reported = _reports(session, rng, stores[:12], counties)
    _registration(session)
    return CogovernanceSeeded(complaints=filed, reports=reported, policies=policies)


def _stores(session: Session, counties: Sequence[str], first_id: int | None) -> list[Business]:
    stmt = (
        select(Business)
        .where(
            Business.county_code.in_(list(counties)),
            Business.operating_status != OperatingStatus.CLOSED,
        )
        .order_by(Business.id)
        .limit(60)
    )
    stores = list(session.execute(stmt).scalars())
    stores.sort(key=lambda b: b.id != first_id)  # the demo owner's store first
    return stores


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    return name, phone


def _code(rng: random.Random) -> str:
    raw = "".join(rng.choice(intake.RECEIPT_ALPHABET) for _ in range(intake.RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _diner(rng: random.Random) -> Principal:
    return replace(
        ANONYMOUS, ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    )


def _store_person(session: Session, store: Business, roles: frozenset[Role]) -> Principal:
    """The store's real account when it has one, else a stand-in for its staff."""
    from sunshine.auth import service as auth_service

    user = session.execute(
        select(User).where(User.business_id == store.id, User.role.in_(roles)).limit(1)
    ).scalar_one_or_none()
    if user is not None:
        return auth_service.principal_for(session, user)
    role = Role.CHAIN_HQ if Role.CHAIN_HQ in roles else Role.ENTERPRISE_OWNER
    return Principal(
        user_id=None,
        username="demo-store",
        display_name=store.name,
        role=role,
        business_id=store.id,
    )


def _complaint_story(session: Session, rng: random.Random, store: Business, number: int) -> None:
    category, outcome, text, wanted = COMPLAINTS[number % len(COMPLAINTS)]
    name, phone = _person(rng)
    complaint = complaints.submit_complaint(
        session=session,
        actor=_diner(rng),
        store_code=store.public_code,
        form=ComplaintForm(
            category=category,
            desired_outcome=outcome,
            description=text,
            request_text=wanted,
            name=name,
            phone=phone,
            claims_damage=category == "illness",
        ),
        receipt_code=_code(rng),
        throttled=False,
    )
    step = number % 6
    if step == 0:  # still with the store, and late
        complaint.submitted_at -= timedelta(days=16)
        complaint.stage_due_on = add_workdays(complaint.submitted_at.date(), count=10)
        return
    if step == 1:  # still with the store, in time
        return
    store_person = _store_person(
        session, store, frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})
    )
    complaints.answer(
        session=session,
        actor=store_person,
        complaint_id=complaint.id,
        text=rng.choice(ANSWERS),
        expected_version=complaint.version,
    )
    diner = _diner(rng)
    if step == 2:  # the diner accepted and rated
        complaints.accept_answer(session=session, actor=diner, receipt_code=complaint.receipt_code)
        complaints.rate_handling(
            session=session,
            actor=diner,
            receipt_code=complaint.receipt_code,
            rating=rng.choice((4, 5, 5, 3)),
            comment="处理及时，态度诚恳。",
        )
    elif step in (3, 4):  # escalated to the company head
        complaints.escalate_to_head(
            session=session,
            actor=diner,
            receipt_code=complaint.receipt_code,
            reason="商家只退一半，不满意。",
        )
    else:  # taken to the regulator
        complaints.escalate_to_regulator(
            session=session,
            actor=diner,
            receipt_code=complaint.receipt_code,
            reason="商家推卸责任，请监管部门处理。",
        )


def _reports(
    session: Session, rng: random.Random, stores: Sequence[Business], counties: Sequence[str]
) -> int:
    filed = 0
    for number, store in enumerate(stores):
        category, text = REPORTS[number % len(REPORTS)]
        real_name = number % 3 == 0
        name, phone = _person(rng)
        reports.submit_report(
            session=session,
            actor=_diner(rng),
            form=ReportForm(
                category=category,
                description=text,
                store_code=store.public_code,
                anonymous=not real_name,
                insider=real_name and number % 2 == 0,
                name=name if real_name else "",
                phone=phone if real_name else "",
            ),
            receipt_code=_code(rng),
            throttled=False,
        )
        filed += 1
    for (category, text, address), store in zip(PLACE_REPORTS, stores, strict=False):
        reports.submit_report(
            session=session,
            actor=_diner(rng),
            form=ReportForm(
                category=category,
                description=text,
                region_code=store.township_code or store.county_code,
                address=address,
                latitude=store.latitude,
                longitude=store.longitude,
            ),
            receipt_code=_code(rng),
            throttled=False,
        )
        filed += 1
    return filed


def _insure(session: Session, rng: random.Random, stores: Sequence[Business], today: date) -> int:
    count = 0
    for number, store in enumerate(stores):
        if number % 3 != 0:
            continue
        start = date(today.year, rng.randint(1, 6), 1)
        insurance.record_policy(
            session=session,
            actor=_store_person(
                session, store, frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})
            ),
            business_id=store.id,
            form=insurance.PolicyForm(
                insurer=rng.choice(INSURERS),
                policy_number=f"SPAQ{today.year}{store.id:08d}",
                cover_amount=str(rng.choice((200_000, 500_000, 1_000_000))),
                start_on=start,
                end_on=start.replace(year=start.year + 1) - timedelta(days=1),
                claims_email=f"claims{number % 5}@insurer.example.cn",
            ),
        )
        count += 1
    return count


def _registration(session: Session) -> None:
    """The demo citizen has asked to be registered as a student whistleblower."""
    from sunshine.auth import service as auth_service

    citizen = session.execute(select(User).where(User.username == "citizen")).scalar_one_or_none()
    if citizen is not None:
        profiles.apply(
            session=session,
            actor=auth_service.principal_for(session, citizen),
            group="student",
            organisation="四川大学 食品科学与工程专业",
        )
