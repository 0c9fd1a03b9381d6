"""Risk signals (风险信号): recorded once per kind and subject with the kind's weight, the
business's region codes and an audit entry; bad input refused whole with each field named;
regulators read those of their jurisdiction only, businesses not at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.cases.enums import CaseKind
from sunshine.cases.service import CaseDraft, open_case
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import SHANGHAI, today_local, utc_now
from sunshine.portals.government import risk_views
from sunshine.registry.models import Business
from sunshine.risk import repository as repo
from sunshine.risk import service
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType
from sunshine.risk.models import RiskSignal
from sunshine.risk.weights import KIND_SOURCE, WEIGHTS

CONFIRMED = SignalKind.KITCHEN_VIOLATION_CONFIRMED
REPEATED = SignalKind.KITCHEN_REPEATED_VIOLATION


def _store(session: Session, demo: Demo, username: str = "owner_a") -> Business:
    business = session.get(Business, demo.account(username)["business_id"])
    assert business is not None
    return business


def _record(
    session: Session,
    business: Business,
    *,
    kind: SignalKind = CONFIRMED,
    subject_id: int = 900001,
    occurred_at: datetime | None = None,
    detail: str = "智能预警经确认：抽烟（烹饪间）",
) -> RiskSignal:
    return service.record_signal(
        session=session,
        actor=principal_of(session, "inspector_a"),
        business_id=business.id,
        source=SignalSource.KITCHEN,
        kind=kind,
        subject_type=SubjectType.KITCHEN_ALERT if kind is CONFIRMED else SubjectType.CASE,
        subject_id=subject_id,
        detail=detail,
        occurred_at=occurred_at or utc_now() - timedelta(days=2),
    )


def _case(session: Session, username: str, business_id: int) -> int:
    draft = CaseDraft(
        kind=CaseKind.COMPLAINT, title="后厨卫生差", summary="重复违规。", business_id=business_id
    )
    return open_case(session=session, actor=principal_of(session, username), draft=draft).id


def _audited(session: Session, signal: RiskSignal) -> int:
    stmt = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "risk_signal.record",
        AuditEntry.entity_type == "risk_signal",
        AuditEntry.entity_id == str(signal.id),
    )
    return int(session.execute(stmt).scalar_one())


def test_every_kind_has_a_source_and_a_weight_and_repeats_weigh_more() -> None:
    assert set(WEIGHTS) == set(SignalKind) == set(KIND_SOURCE)
    assert all(w > 0 for w in WEIGHTS.values())
    assert WEIGHTS[REPEATED] > WEIGHTS[CONFIRMED]


def test_a_signal_is_recorded_once_with_the_business_places_and_an_audit_entry(
    session: Session, demo: Demo
) -> None:
    business = _store(session, demo)
    at = utc_now() - timedelta(days=3)
    signal = _record(session, business, occurred_at=at, detail="  智能预警经确认：\n抽烟  ")
    assert signal.id is not None
    assert (signal.province_code, signal.prefecture_code) == (
        business.province_code,
        business.prefecture_code,
    )
    assert (signal.county_code, signal.township_code) == (
        business.county_code,
        business.township_code,
    )
    assert signal.weight == WEIGHTS[CONFIRMED] and signal.source is SignalSource.KITCHEN
    assert signal.detail == "智能预警经确认： 抽烟"
    assert signal.occurred_at == at and signal.recorded_at >= at
    assert _audited(session, signal) == 1
    again = _record(session, business, occurred_at=at - timedelta(days=1), detail="另一次")
    assert again.id == signal.id and again.detail == "智能预警经确认： 抽烟"
    assert _audited(session, signal) == 1
    count = session.execute(
        select(func.count(RiskSignal.id)).where(RiskSignal.subject_id == 900001)
    ).scalar_one()
    assert count == 1
    # Another kind about the same number is another fact.
    other = _record(session, business, kind=REPEATED)
    assert other.id != signal.id and other.weight == WEIGHTS[REPEATED]


def test_the_same_subject_for_another_business_is_a_conflict(session: Session, demo: Demo) -> None:
    _record(session, _store(session, demo))
    with pytest.raises(ConflictError):
        _record(session, _store(session, demo, "owner_b"))


def test_bad_input_is_refused_whole_with_each_field_named(session: Session, demo: Demo) -> None:
    business = _store(session, demo)
    before = session.execute(select(func.count(RiskSignal.id))).scalar_one()
    with pytest.raises(ValidationFailed) as caught:
        service.record_signal(
            session=session,
            actor=principal_of(session, "inspector_a"),
            business_id=business.id,
            source="sampling",
            kind="kitchen_smoke",
            subject_type="photo",
            subject_id=0,
            detail=" ",
            occurred_at=datetime(2026, 1, 1),  # noqa: DTZ001 - naive on purpose
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == ["source", "kind", "subject_type", "subject_id", "detail", "occurred_at"]
    with pytest.raises(ValidationFailed) as caught:
        service.record_signal(
            session=session,
            actor=principal_of(session, "inspector_a"),
            business_id=business.id,
            source=SignalSource.KITCHEN,
            kind=CONFIRMED,
            subject_type=SubjectType.KITCHEN_ALERT,
            subject_id=5,
            detail="x" * (service.DETAIL_LIMIT + 1),
            occurred_at=utc_now() + timedelta(hours=1),
        )
    assert [p.field for p in caught.value.problems] == ["detail", "occurred_at"]
    with pytest.raises(NotFoundError):
        service.record_signal(
            session=session,
            actor=principal_of(session, "inspector_a"),
            business_id=10**9,
            source="kitchen",
            kind="kitchen_violation_confirmed",
            subject_type="kitchen_alert",
            subject_id=5,
            detail="x",
            occurred_at=utc_now(),
        )
    assert session.execute(select(func.count(RiskSignal.id))).scalar_one() == before


def test_a_kind_must_come_from_its_own_source(
    session: Session, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One source exists yet: pretend the confirmed violation belongs to a second one.
    elsewhere = {**KIND_SOURCE, CONFIRMED: "sampling"}
    monkeypatch.setattr(service, "KIND_SOURCE", elsewhere)
    with pytest.raises(ValidationFailed) as caught:
        _record(session, _store(session, demo))
    assert [p.field for p in caught.value.problems] == ["kind"]


def test_the_business_section_counts_the_last_12_months_by_kind(
    session: Session, demo: Demo
) -> None:
    business = _store(session, demo)
    now = utc_now()
    _record(session, business, subject_id=900011, occurred_at=now - timedelta(days=10))
    _record(session, business, subject_id=900012, occurred_at=now - timedelta(days=200))
    _record(session, business, subject_id=900013, occurred_at=now - timedelta(days=400))
    _record(session, business, kind=REPEATED, subject_id=900014, occurred_at=now)
    shown = service.business_signals(
        session=session, actor=principal_of(session, "inspector_a"), business_id=business.id
    )
    counts = {c.kind: (c.count, c.weight) for c in shown.counts}
    assert counts == {CONFIRMED: (2, 2 * WEIGHTS[CONFIRMED]), REPEATED: (1, WEIGHTS[REPEATED])}
    assert shown.total == 3 and shown.weight == 2 * WEIGHTS[CONFIRMED] + WEIGHTS[REPEATED]
    assert shown.since.tzinfo is SHANGHAI and shown.since.date() < today_local()
    assert [s.subject_id for s in shown.latest] == [900014, 900011, 900012, 900013]
    neighbour = service.business_signals(
        session=session, actor=principal_of(session, "inspector_b"), business_id=business.id
    )
    assert neighbour.total == 0 and not neighbour.latest


def test_lists_are_for_regulators_of_the_jurisdiction(session: Session, demo: Demo) -> None:
    business = _store(session, demo)
    signal = _record(session, business)
    mine = service.list_signals(
        session=session,
        actor=principal_of(session, "inspector_a"),
        filters=repo.SignalFilter(business_id=business.id, kind=CONFIRMED),
        page=PageRequest(),
    )
    assert [(s.id, name) for s, name in mine.items] == [(signal.id, business.name)]
    narrowed = service.list_signals(
        session=session,
        actor=principal_of(session, "inspector_a"),
        filters=repo.SignalFilter(business_id=business.id, kind=REPEATED),
        page=PageRequest(),
    )
    assert narrowed.total == 0
    theirs = service.list_signals(
        session=session,
        actor=principal_of(session, "inspector_b"),
        filters=repo.SignalFilter(),
        page=PageRequest(per_page=200),
    )
    assert signal.id not in [s.id for s, _ in theirs.items]
    for outsider in ("owner_a", "citizen"):
        with pytest.raises(ForbiddenError):
            service.list_signals(
                session=session,
                actor=principal_of(session, outsider),
                filters=repo.SignalFilter(),
                page=PageRequest(),
            )


def test_times_are_stored_as_aware_utc(session: Session, demo: Demo) -> None:
    local = datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI)
    signal = _record(session, _store(session, demo), occurred_at=local)
    session.expire(signal)
    assert signal.occurred_at == local and signal.occurred_at.tzinfo is not None
    assert signal.occurred_at.astimezone(UTC).hour == 1


def test_the_business_page_links_only_cases_the_regulator_may_open(
    session: Session, demo: Demo
) -> None:
    business = _store(session, demo)
    inspector = principal_of(session, "inspector_a")
    own = _case(session, "inspector_a", business.id)
    # A case of the neighbouring county: as if the repeat case had been transferred there.
    elsewhere = _case(session, "inspector_b", _store(session, demo, "owner_b").id)
    now = utc_now()
    _record(session, business, kind=REPEATED, subject_id=own, occurred_at=now)
    _record(session, business, kind=REPEATED, subject_id=elsewhere, occurred_at=now)
    _record(session, business, subject_id=900021, occurred_at=now)

    shown = risk_views.business_risk(session=session, actor=inspector, business_id=business.id)
    links = {s.subject_id: s.href for s in shown.latest}
    assert links == {
        own: f"/gov/cases/{own}",
        elsewhere: None,
        900021: "/gov/kitchen/alerts/900021",
    }
