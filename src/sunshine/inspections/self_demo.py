"""The demo's self-inspections (主体自查): four weeks of daily checks, the weekly and monthly
ones, for the demo accounts' stores and a few other caterers of the two demo counties.

Stores differ in diligence (some days and weeks are missed), a few items fail (each opening
a to-do), most to-dos are closed on time, some late and some not at all (overdue). Store A
has nothing for today and this week, so its staff have something to record. Everything
goes through the real services; the random choices come from the demo's seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import true
from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.time import SHANGHAI
from sunshine.inspections import checklists, self_service
from sunshine.inspections import repository as checklist_repo
from sunshine.inspections import self_repository as repo
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import ChecklistItem
from sunshine.inspections.self_rules import SelfCheckFrequency, TodoStatus, period_of
from sunshine.inspections.self_service import SelfAnswer, SelfInspectionForm
from sunshine.registry import repository as registry_repo
from sunshine.registry.models import Business

__all__ = ["SeededSelfChecks", "seed_self_inspections"]

DAYS = 28
OTHERS_PER_COUNTY = 8
FAIL_RATE = 0.06
CHECKERS = ("王丽", "张强", "李秀英", "刘洋", "陈静", "杨帆", "赵敏", "黄磊")
#: What a kitchen typically finds wrong, by 2016 checklist item (the demo's notes).
PROBLEMS = {
    "3.1": "自查记录未按时填写",
    "4.2": "一名帮厨健康证明已过期",
    "4.3": "本月培训记录缺失",
    "4.4": "切配岗员工未戴工作帽",
    "5.1": "后厨地面有油污积水",
    "5.2": "排烟罩油垢较多，未按期清洗",
    "6.1": "一批鲜肉缺少动物检疫合格证明",
    "6.2": "冷库内有一袋调料已过保质期",
    "7.1": "冷藏柜生熟食品混放",
    "7.2": "生熟砧板未按标识区分使用",
    "7.4": "留样不足48小时即被清理",
    "8.2": "洗手池缺少洗手液",
    "8.3": "餐厨垃圾桶未加盖",
    "8.4": "冷藏柜温度显示9℃，高于要求",
    "9.2": "消毒柜未开启",
    "9.3": "部分餐具清洗后未消毒",
}
FIXES = ("已整改，现场复核合格", "已清理并安排专人每日检查", "已更换，并培训相关人员")


@dataclass(frozen=True)
class SeededSelfChecks:
    self_inspections: int
    todos_open: int


def _principal(session: Session, username: str) -> Principal | None:
    user = auth_repo.get_user_by_username(session, username)
    return auth_service.principal_for(session, user) if user is not None else None


def _stand_in(business: Business) -> Principal:
    """A staff member of a store without a demo account (recorded without a user)."""
    return Principal(
        user_id=None,
        username=f"demo-staff-{business.id}",
        display_name="店员",
        role=Role.ENTERPRISE_STAFF,
        business_id=business.id,
    )


def _stores(session: Session, counties: Sequence[str]) -> list[tuple[Business, Principal, float]]:
    """The demo stores with who records for them and how diligent they are."""
    picked: list[tuple[Business, Principal, float]] = []
    seen: set[int] = set()
    for username, diligence in (("staff_a", 0.9), ("owner_a2", 0.6), ("owner_b", 0.75)):
        actor = _principal(session, username)
        if actor is None or actor.business_id is None or actor.business_id in seen:
            continue
        business = registry_repo.get_business(
            session, business_id=actor.business_id, scope=Business.id == actor.business_id
        )
        if business is not None:
            picked.append((business, actor, diligence))
            seen.add(business.id)
    rng = random.Random("selfcheck-diligence")
    for county in counties:
        for business in registry_repo.first_businesses(
            session, county_code=county, limit=OTHERS_PER_COUNTY + 3, standalone=False
        ):
            if business.id not in seen and len(seen) < len(picked) + OTHERS_PER_COUNTY:
                picked.append((business, _stand_in(business), rng.uniform(0.3, 0.95)))
                seen.add(business.id)
    return picked


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def seed_self_inspections(
    *, session: Session, seed: int, today: date, counties: Sequence[str]
) -> SeededSelfChecks:
    rng = random.Random(f"selfcheck-{seed}")
    made = 0
    stores = _stores(session, counties)
    for business, actor, diligence in stores:
        current = checklists.in_force(
            session=session, code="catering", province_code=business.province_code
        )
        if current is None:
            return SeededSelfChecks(0, 0)
        items = list(checklist_repo.items_of(session, current.id))
        daily = self_service.default_daily_items(items)
        featured = actor.username == "staff_a"
        for day in _days(today):
            for frequency, covered in _due_on(day, today, items, daily, featured):
                if rng.random() > diligence:
                    continue  # a missed check
                _record(session, rng, actor, business, frequency, covered, day)
                made += 1
    open_todos = _work_todos(session, rng, stores=stores, today=today)
    return SeededSelfChecks(self_inspections=made, todos_open=open_todos)


def _days(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(DAYS, 0, -1)]  # up to yesterday


def _due_on(
    day: date,
    today: date,
    items: list[ChecklistItem],
    daily: list[ChecklistItem],
    featured: bool,
) -> list[tuple[SelfCheckFrequency, list[ChecklistItem]]]:
    """The checks a store makes on ``day``: the daily one; the weekly on Friday; the
    monthly on the 3rd. Store A leaves this week's for its staff to record in the demo."""
    due = [(SelfCheckFrequency.DAILY, daily)]
    this_week = period_of(SelfCheckFrequency.WEEKLY, today).start
    if day.weekday() == 4 and not (featured and day >= this_week):
        due.append((SelfCheckFrequency.WEEKLY, items))
    if day.day == 3:
        due.append((SelfCheckFrequency.MONTHLY, items))
    return due


def _record(
    session: Session,
    rng: random.Random,
    actor: Principal,
    business: Business,
    frequency: SelfCheckFrequency,
    items: list[ChecklistItem],
    day: date,
) -> None:
    answers = []
    for item in items:
        if item.applies_to is not None and business.form.value not in item.applies_to:
            answers.append(SelfAnswer(item.code, ItemOutcome.NOT_APPLICABLE, "本店不涉及"))
        elif item.code in PROBLEMS and rng.random() < FAIL_RATE * (2 if not item.key else 1):
            answers.append(SelfAnswer(item.code, ItemOutcome.FAIL, PROBLEMS[item.code]))
        else:
            answers.append(SelfAnswer(item.code, ItemOutcome.PASS))
    form = SelfInspectionForm(
        business_id=business.id,
        frequency=frequency,
        answers=answers,
        checked_by_name=rng.choice(CHECKERS),
    )
    when = _at(day, rng.choice((9, 10, 14, 16)), rng.randrange(60))
    self_service.record_self_inspection(session=session, actor=actor, form=form, now=when)


def _work_todos(
    session: Session,
    rng: random.Random,
    *,
    stores: list[tuple[Business, Principal, float]],
    today: date,
) -> int:
    """Close most to-dos by their date, some late, and leave some open."""
    left_open = 0
    for business, actor, _diligence in stores:
        todos = repo.todos_of_business(
            session,
            business_id=business.id,
            scope=true(),
            status=TodoStatus.OPEN,
            limit=500,
        )
        for todo, _item in todos:
            roll = rng.random()
            if todo.due_on >= today or roll < 0.2:
                left_open += 1
                continue
            late = roll > 0.85
            closed_on = min(todo.due_on + timedelta(days=3 if late else 0), today)
            self_service.close_todo(
                session=session,
                actor=actor,
                todo_id=todo.id,
                note=rng.choice(FIXES),
                now=_at(closed_on, 17),
            )
    return left_open
