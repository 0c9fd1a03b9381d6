"""Demo cases (案件): a realistic mix of complaints, reports and leads in the demo counties,
in every state, some of them overdue, each with the timeline a real one would have.

Cases are opened and moved by the real services (so the workflow, the clocks and the audit
trail apply); each step is then dated back to the working day it is imagined to have
happened on, and the due date recomputed from the dated timeline, so the queues show
cases received weeks ago, due soon or overdue. Generation is deterministic for a given
``rng`` and ``today`` (the references are drawn afresh, as for any case).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import clocks, service
from sunshine.cases import repository as repo
from sunshine.cases.calendar import add_workdays
from sunshine.cases.clocks import set_due
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.limits import PauseKind
from sunshine.cases.models import Case
from sunshine.cases.service import CaseDraft, Step
from sunshine.core.time import SHANGHAI, utc_now
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business

A = CaseAction

_TITLES = {
    CaseKind.COMPLAINT: (
        ("菜品中吃出异物", "在店内用餐时，在酸菜鱼中吃出一根约3厘米的金属丝，要求退款并赔偿。"),
        ("外卖餐品变质有异味", "通过外卖平台点的凉拌菜送达时已有酸臭味，商家拒绝退款。"),
        ("就餐后腹泻要求赔偿", "一家三口晚餐后均出现腹泻症状，已就医，要求商家承担医疗费用。"),
        ("餐具清洗不干净", "消毒餐具包内的碗有明显油污和食物残渣，与店员沟通未果。"),
        ("结算价格与标价不一致", "菜单标价38元的套餐结账时按48元收取，商家称菜单未更新。"),
        ("饮品中发现头发", "购买的奶茶中发现头发，门店只同意重做一杯，不同意退款。"),
    ),
    CaseKind.REPORT: (
        ("后厨有老鼠出没", "晚上路过时从后门看到后厨地面有老鼠活动，食材直接堆放在地上。"),
        ("使用过期食材", "在店内打工期间发现冷库中有过期两个月的冻肉仍在使用，有照片。"),
        ("从业人员无健康证上岗", "店内新来的两名帮厨没有健康证，老板让其直接上岗。"),
        ("疑似无证经营", "小区门口新开的烧烤摊没有悬挂食品经营许可证，夜间经营至凌晨。"),
        ("回收使用废弃油脂", "看到店员将顾客剩下的火锅底料过滤后倒回油桶中。"),
        ("学校食堂饭菜分量不足", "学生反映食堂饭菜分量明显减少，肉类以次充好。"),
    ),
    CaseKind.LEAD: (
        ("抽检不合格：餐具大肠菌群检出", "2026年第三季度餐饮具抽检中，该店复用餐具检出大肠菌群。"),
        ("明厨亮灶告警：操作人员未戴口罩", "视频分析连续三日在加工时段发现操作人员未戴口罩。"),
        ("进货台账缺少冷链产品证明", "冷链食品进货记录缺少检验检疫证明和核酸检测报告。"),
        ("外卖平台集中差评：疑似食物中毒", "近一周外卖平台出现多条“吃完上吐下泻”的差评。"),
        ("健康证过期人员仍在岗", "人员库显示两名直接接触食品的员工健康证已过期仍在排班。"),
    ),
}
_REJECT_REASONS = (
    "投诉人未能提供消费凭证，经联系仍无法补充，不予受理。",
    "该诉求属于劳动争议，不属于市场监管部门职责范围，已告知向劳动监察部门反映。",
)
_HANDLING = (
    "现场检查发现问题属实，已责令限期整改，对负责人进行约谈，并将复查结果告知当事人。",
    "经调解双方达成一致，商家退还餐费并赔偿，当事人表示满意。",
    "现场核查未发现所反映问题，已调取进货台账和监控，留存检查记录。",
    "问题属实，已立案调查，涉案食材就地封存并抽样送检。",
)
_NOTES = ("已电话联系当事人核实情况。", "已调取进货台账和相关票据。", "")


@dataclass(frozen=True)
class _Officers:
    """Who works on the demo cases of one county."""

    inspector: Principal | None  # the county bureau's inspector
    chief: Principal | None  # the chief of one station
    leader: Principal | None  # a bureau leader above them (rejections, escalations)


@dataclass(frozen=True)
class SeededCases:
    cases: int
    by_state: dict[str, int]
    escalated: int


# Where each scenario ends, and how many working days its steps took each (one per step).
_PATHS: dict[str, tuple[CaseAction, ...]] = {
    "received": (),
    "accepted": (A.ACCEPT,),
    "assigned": (A.ACCEPT, A.ASSIGN),
    "verifying": (A.ACCEPT, A.ASSIGN, A.START_VERIFYING),
    "handled": (A.ACCEPT, A.ASSIGN, A.START_VERIFYING, A.HANDLE),
    "reviewed": (A.ACCEPT, A.ASSIGN, A.START_VERIFYING, A.HANDLE, A.REVIEW),
    "closed": (A.ACCEPT, A.ASSIGN, A.START_VERIFYING, A.HANDLE, A.REVIEW, A.CLOSE),
    "rejected": (A.REJECT,),
}
# The station's own cases go the whole way; elsewhere in the county only the inspector
# (accepting) and the leader (rejecting) act, as no officer works there in the demo.
_STATION_MIX = (
    ["received"] * 4
    + ["accepted"] * 3
    + ["assigned"] * 3
    + ["verifying"] * 4
    + ["handled"] * 2
    + ["reviewed"] * 2
    + ["closed"] * 5
    + ["rejected"] * 1
)
_COUNTY_MIX = ["received"] * 5 + ["accepted"] * 4 + ["rejected"] * 1


def seed_cases(
    *,
    session: Session,
    rng: random.Random,
    today: date,
    counties: Sequence[str],
    per_county: int = 36,
    sweep: bool = True,
) -> SeededCases:
    """Open ``per_county`` cases in each county (about two thirds at the busiest station
    that has a chief), move them along the workflow with dated timelines, and finish with
    the clock sweep (warnings, escalation of overdue cases) as the scheduler would."""
    counts: Counter[str] = Counter()
    total = 0
    for county in counties:
        officers = _officers(session, county)
        if officers.inspector is None and officers.chief is None:
            continue
        places = list(repo.demo_businesses(session, county_code=county, limit=400))
        if not places:
            continue
        for index in range(per_county):
            case = _seed_one(session, rng, today, officers, places, station_first=index % 3 != 2)
            counts[case.state.value] += 1
            total += 1
    escalated = service.sweep_clocks(session=session, today=today).escalated if sweep else 0
    return SeededCases(cases=total, by_state=dict(counts), escalated=escalated)


def _officers(session: Session, county: str) -> _Officers:
    people = repo.assignable_users(
        session,
        within=(RegionLevel.COUNTY, county),
        roles=[Role.INSPECTOR, Role.STATION_CHIEF],
        limit=50,
    )
    leaders = repo.assignable_users(
        session,
        within=(RegionLevel.PROVINCE, county[:2] + "0000"),
        roles=[Role.BUREAU_LEADER],
        limit=1,
    )

    def first(role: Role) -> Principal | None:
        user = next((u for u, _unit in people if u.role is role), None)
        return auth_service.principal_for(session, user) if user is not None else None

    leader = auth_service.principal_for(session, leaders[0][0]) if leaders else None
    return _Officers(
        inspector=first(Role.INSPECTOR), chief=first(Role.STATION_CHIEF), leader=leader
    )


def _seed_one(
    session: Session,
    rng: random.Random,
    today: date,
    officers: _Officers,
    places: list[Business],
    *,
    station_first: bool,
) -> Case:
    chief = officers.chief
    station = [b for b in places if chief and b.township_code == chief.jurisdiction_code]
    at_station = bool(station) and station_first
    business = rng.choice(station if at_station else places)
    path = rng.choice(_STATION_MIX if at_station else _COUNTY_MIX)
    kind = rng.choice([CaseKind.COMPLAINT] * 3 + [CaseKind.REPORT] * 2 + [CaseKind.LEAD])
    steps = _PATHS[path]
    if kind is CaseKind.LEAD and A.REVIEW in steps:  # leads have no review step
        steps = tuple(s for s in steps if s is not A.REVIEW)
    gaps = [rng.randint(1, 4) for _ in steps]
    # Some untouched or stuck cases are older than their time limit: the overdue ones.
    age = sum(gaps) + rng.choice([1, 2, 3, 5, 8, 12, 20, 30, 50])
    received_on = add_workdays(today, count=-age)
    opener = officers.inspector or chief
    assert opener is not None
    title, summary = rng.choice(_TITLES[kind])
    case = service.open_case(
        session=session,
        actor=opener,
        draft=CaseDraft(
            kind=kind,
            title=title,
            summary=summary,
            business_id=business.id,
            received_on=received_on,
        ),
    )
    timeline = _Timeline(rng)
    received_at = timeline.at(received_on)
    case.received_at = received_at
    _date_back(session, case, received_at, state_changed=True)
    day = received_on
    for action, gap in zip(steps, gaps, strict=True):
        day = min(add_workdays(day, count=gap), today)
        actor = _actor(action, officers, at_station)
        if actor is None:
            break
        if action is A.START_VERIFYING and kind is not CaseKind.COMPLAINT and rng.random() < 0.3:
            # Reports and leads in this state sometimes wait for a laboratory result.
            _act(session, case, action, actor, timeline.at(day), officers)
            _pause_for_testing(session, case, actor, day, today, timeline)
            continue
        _act(session, case, action, actor, timeline.at(day), officers)
    return case


def _actor(action: CaseAction, officers: _Officers, at_station: bool) -> Principal | None:
    if action is A.ACCEPT:
        return officers.chief if at_station else officers.inspector or officers.leader
    if action is A.REJECT:
        return officers.chief if at_station else officers.leader
    return officers.chief if at_station else None


def _act(
    session: Session,
    case: Case,
    action: CaseAction,
    actor: Principal,
    when: datetime,
    officers: _Officers,
) -> None:
    reason = _reason(action, when)
    before = case.state
    service.act(
        session=session,
        actor=actor,
        case_id=case.id,
        step=Step(
            action=action,
            expected_version=case.version,
            reason=reason,
            assignee_id=officers.chief.user_id if action is A.ASSIGN and officers.chief else None,
        ),
    )
    _date_back(session, case, when, state_changed=case.state is not before)


def _reason(action: CaseAction, when: datetime) -> str | None:
    # Picked by the moment of the step, so the texts vary without another draw.
    pick = when.minute + when.second
    if action is A.REJECT:
        return _REJECT_REASONS[pick % len(_REJECT_REASONS)]
    if action is A.HANDLE:
        return _HANDLING[pick % len(_HANDLING)]
    return _NOTES[pick % len(_NOTES)] or None


def _pause_for_testing(
    session: Session, case: Case, actor: Principal, day: date, today: date, timeline: _Timeline
) -> None:
    start = add_workdays(day, count=1)
    if start > today:
        return
    clocks.pause_clock(
        session=session,
        actor=actor,
        case_id=case.id,
        kind=PauseKind.TESTING,
        reason="样品已送第三方检测机构检验，等待检验报告。",
        start_on=start,
    )
    _date_back(session, case, timeline.at(start), state_changed=False)
    end = add_workdays(start, count=timeline.rng.randint(3, 8))
    if end <= today and timeline.rng.random() < 0.7:
        clocks.resume_clock(session=session, actor=actor, case_id=case.id, end_on=end)
        _date_back(session, case, timeline.at(end), state_changed=False)


def _date_back(session: Session, case: Case, when: datetime, *, state_changed: bool) -> None:
    """Date the case's latest event (and its state) to ``when``; recompute the clock."""
    event = repo.last_event(session, case.id)
    assert event is not None
    event.occurred_at = when
    if state_changed:
        case.state_since = when.date()
    if case.state is CaseState.CLOSED:
        case.closed_at = when
    session.flush()
    set_due(session=session, case=case)
    session.flush()


class _Timeline:
    """Office-hours moments in China for the steps of one case, always moving forward (two
    steps on one day keep their order)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: datetime | None = None

    def at(self, day: date) -> datetime:
        moment = time(hour=self.rng.randint(9, 15), minute=self.rng.randint(0, 59))
        when = datetime.combine(day, moment, tzinfo=SHANGHAI)
        when = min(when, utc_now())  # a step dated today has not happened later than now
        if self.last is not None and when <= self.last:
            when = self.last + timedelta(minutes=self.rng.randint(5, 40))
        self.last = when
        return when
