"""Recording a sample and its results: verdicts and the conclusion follow from the items, bad
input is refused whole with every problem named, and a failed sample opens exactly one
verification and disposal case for the responsible station, with its deadline, in the same
transaction, and tells the traceability listeners."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sampling_support import BENZOATE, COLIFORMS, LEAD, report, sample_form, sampled_at
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import Principal
from sunshine.cases.calendar import add_workdays
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.limits import SourceStatus, limit_for
from sunshine.cases.models import Case
from sunshine.core.errors import ConflictError, ForbiddenError, ValidationFailed
from sunshine.core.time import today_local
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business
from sunshine.sampling import hooks, service
from sunshine.sampling.enums import Conclusion, SampleStatus, Verdict
from sunshine.sampling.forms import ResultForm, ResultsForm
from sunshine.sampling.models import Sample, SampleItem


@pytest.fixture
def inspector(session: Session) -> Principal:
    return principal_of(session, "inspector_a")


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def _count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_passing_sample_is_qualified_and_opens_no_case(
    session: Session, inspector: Principal, store: Business
) -> None:
    cases_before = _count(session, Case)
    sample = service.record_sample(
        session=session,
        actor=inspector,
        form=sample_form(store.id, results=("0.05", "0.3")),
    )
    assert sample.status is SampleStatus.COMPLETED
    assert sample.conclusion is Conclusion.QUALIFIED
    assert (sample.failed_items, sample.case_id) == (0, None)
    items = session.execute(select(SampleItem).where(SampleItem.sample_id == sample.id)).scalars()
    assert [i.verdict for i in items] == [Verdict.PASS, Verdict.PASS]
    assert _count(session, Case) == cases_before
    assert (sample.county_code, sample.township_code) == (store.county_code, store.township_code)
    assert sample.reference.startswith("CY")


def test_a_failed_sample_opens_one_disposal_case_with_its_deadline(
    session: Session, inspector: Principal, store: Business
) -> None:
    heard: list[hooks.FailedSample] = []

    def listener(_session: Session, failed: hooks.FailedSample) -> None:
        assert _session is session  # in the same transaction
        heard.append(failed)

    hooks.listen(listener)
    try:
        sample = service.record_sample(
            session=session,
            actor=inspector,
            form=sample_form(store.id, results=("0.35", "0.3")),
        )
    finally:
        hooks.forget(listener)
    assert sample.conclusion is Conclusion.UNQUALIFIED
    assert sample.failed_items == 1
    cases = session.execute(select(Case).where(Case.business_id == store.id)).scalars().all()
    opened = [c for c in cases if c.kind is CaseKind.SAMPLING]
    assert len(opened) == 1
    case = opened[0]
    assert sample.case_id == case.id
    assert case.state is CaseState.RECEIVED
    assert "自制辣椒酱" in case.title and "20261101" in case.title
    assert (
        "铅(以Pb计)：0.35 mg/kg（标准要求 ≤ 0.2 mg/kg；GB 2762-2022）" in case.summary
        and sample.reference in case.summary
    )
    # The station of the business's township is responsible (not the inspector's bureau).
    station = session.execute(
        select(OrgUnit).where(OrgUnit.region_code == store.township_code)
    ).scalar_one()
    assert case.org_unit_id == station.id
    # 15 working days from today (penalty procedure Art. 18, applied to sampling: unverified).
    today = today_local()
    assert case.due_limit_key == "sampling.verify"
    assert case.due_on == add_workdays(today, count=15)
    rule = limit_for("sampling.verify", received_on=today)
    assert rule.status is SourceStatus.UNVERIFIED and "Art. 18" in (rule.basis.article or "")
    # The listener heard of it once, with the failed item and the case.
    assert len(heard) == 1
    assert heard[0].sample is sample and heard[0].case.id == case.id
    assert [i.name for i in heard[0].failed_items] == [LEAD.name]
    actions = set(
        session.execute(
            select(AuditEntry.action).where(
                AuditEntry.entity_type.in_(["sample", "case"]),
                AuditEntry.entity_id.in_([str(sample.id), str(case.id)]),
            )
        ).scalars()
    )
    assert {"sample.record", "sample.complete", "sample.open_case", "case.open"} <= actions


def test_a_listener_that_fails_stores_nothing(
    session: Session, inspector: Principal, store: Business
) -> None:
    def broken(_session: Session, _failed: hooks.FailedSample) -> None:
        raise RuntimeError("traceability is down")

    samples, cases = _count(session, Sample), _count(session, Case)
    hooks.listen(broken)
    try:
        with pytest.raises(RuntimeError), session.begin_nested():
            service.record_sample(
                session=session, actor=inspector, form=sample_form(store.id, results=("0.5", "0.1"))
            )
    finally:
        hooks.forget(broken)
    assert (_count(session, Sample), _count(session, Case)) == (samples, cases)


def test_results_recorded_later_complete_the_sample(
    session: Session, inspector: Principal, store: Business
) -> None:
    sample = service.record_sample(
        session=session,
        actor=inspector,
        form=sample_form(store.id, items=(LEAD, COLIFORMS)),
    )
    assert (sample.status, sample.conclusion, sample.case_id) == (SampleStatus.SAMPLED, None, None)
    service.record_results(
        session=session,
        actor=inspector,
        sample_id=sample.id,
        form=ResultsForm(
            items=[ResultForm("0.01"), ResultForm("阳性", verdict="不合格")],
            report=report(),
            expected_version=sample.version,
        ),
    )
    assert sample.status is SampleStatus.COMPLETED
    assert sample.conclusion is Conclusion.UNQUALIFIED
    assert sample.case_id is not None
    assert (sample.lab_name, sample.report_number) == ("四川省食品检验研究院", "SP2026-00123")
    cases = _count(session, Case)
    again = ResultsForm(
        items=[ResultForm("0.01"), ResultForm("阴性", verdict="合格")], report=report()
    )
    with pytest.raises(ConflictError):
        service.record_results(session=session, actor=inspector, sample_id=sample.id, form=again)
    assert _count(session, Case) == cases  # no second case
    assert sample.conclusion is Conclusion.UNQUALIFIED


def test_bad_input_is_refused_whole_with_every_problem_named(
    session: Session, inspector: Principal, store: Business
) -> None:
    samples, items = _count(session, Sample), _count(session, SampleItem)
    form = sample_form(
        store.id,
        items=(
            LEAD,
            replace(LEAD, standard=""),  # the same item twice, and no standard
            replace(BENZOATE, comparator="about"),
            COLIFORMS,
        ),
        results=("0.1", "0.1", "0.5", "阴性"),  # the qualitative one has no verdict
        product_name="",
        category="spices",
        production_date="2026-13-01",
        sampled_at="yesterday",
        report=report(report_number=""),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.record_sample(session=session, actor=inspector, form=form)
    fields = {p.field for p in refused.value.problems}
    assert {
        "product_name",
        "category",
        "production_date",
        "sampled_at",
        "items[1].name",
        "items[1].standard",
        "items[2].comparator",
        "items[3].verdict",
        "report_number",
    } <= fields
    assert (_count(session, Sample), _count(session, SampleItem)) == (samples, items)


def test_only_some_results_or_a_missing_report_are_refused(
    session: Session, inspector: Principal, store: Business
) -> None:
    partial = sample_form(store.id, results=("0.1",), with_report=True)
    with pytest.raises(ValidationFailed) as refused:
        service.record_sample(session=session, actor=inspector, form=partial)
    assert [p.code for p in refused.value.problems] == ["partial_results"]
    no_report = sample_form(store.id, results=("0.1", "0.2"), with_report=False)
    with pytest.raises(ValidationFailed) as refused:
        service.record_sample(session=session, actor=inspector, form=no_report)
    assert {p.field for p in refused.value.problems} == {"lab_name", "report_number", "report_date"}


def test_the_future_and_wrong_order_of_dates_are_refused(
    session: Session, inspector: Principal, store: Business
) -> None:
    form = sample_form(
        store.id,
        results=("0.1", "0.2"),
        sampled_at=sampled_at(days_ago=-2),
        production_date=today_local().replace(year=today_local().year + 1).isoformat(),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.record_sample(session=session, actor=inspector, form=form)
    assert {"sampled_at", "report_date"} <= {p.field for p in refused.value.problems}


def test_a_business_outside_the_jurisdiction_is_not_found(
    session: Session, store: Business
) -> None:
    neighbour = principal_of(session, "inspector_b")
    with pytest.raises(ValidationFailed) as refused:
        service.record_sample(session=session, actor=neighbour, form=sample_form(store.id))
    assert [(p.field, p.code) for p in refused.value.problems] == [("business", "not_found")]
    by_code = replace(sample_form(store.id), business_id=None, business=store.public_code)
    assert (
        service.record_sample(
            session=session, actor=principal_of(session, "inspector_a"), form=by_code
        ).business_id
        == store.id
    )


def test_businesses_do_not_record_samples(session: Session, store: Business) -> None:
    with pytest.raises(ForbiddenError):
        service.record_sample(
            session=session, actor=principal_of(session, "owner_a"), form=sample_form(store.id)
        )
