"""Recording samples (抽检) and their results; a failed sample opens its disposal case.

A sample is refused whole, every problem named, when a field is missing or malformed, the
business is not in the regulator's jurisdiction, an item is listed twice, a limit or a
result cannot be read or compared, a stated verdict contradicts the result, only some items
have results, or the report (laboratory, number, date) is incomplete once results are given.

Once every item has its result the sample is completed: each item's verdict is computed
(stated for qualitative items, see :mod:`.rules`), the conclusion follows (any failed item:
不合格), the result is published on the store page, and a failed sample opens a
verification and disposal case (核查处置) for the office responsible for the business, in
the same transaction, and then tells the listeners of :mod:`.hooks` (traceability).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, ValidationFailed
from sunshine.core.evidence_models import EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.time import to_local, today_local, utc_now
from sunshine.registry import repository as registry_repo
from sunshine.registry.models import Business
from sunshine.registry.service.businesses import invalidate_store_page
from sunshine.sampling import hooks
from sunshine.sampling import repository as repo
from sunshine.sampling.enums import (
    Comparator,
    Conclusion,
    ProductCategory,
    SampleStatus,
    TaskStatus,
    Verdict,
)
from sunshine.sampling.forms import Check, ItemForm, ReportForm, ResultsForm, SampleForm
from sunshine.sampling.models import Sample, SampleItem, SamplingPlan, SamplingTask
from sunshine.sampling.records import OWNER, visible_sample
from sunshine.sampling.rules import COMPARATOR_WORDS, SYMBOLS, ItemInput, Judged, judge

MAX_ITEMS = 60

REPORT_FILES = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.DOCUMENT, EvidenceKind.PHOTO}), max_files=5, field="report_files"
)
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class CheckedSampleItem:
    form: ItemForm
    comparator: Comparator
    judged: Judged


@dataclass
class CheckedSample:
    """A sample form read and checked (``problems`` empty when it may be stored)."""

    check: Check = field(default_factory=Check)
    business: Business | None = None
    category: ProductCategory | None = None
    items: list[CheckedSampleItem] = field(default_factory=list)
    task: SamplingTask | None = None
    plan: SamplingPlan | None = None


# -- recording a sample ----------------------------------------------------------------------


def record_sample(*, session: Session, actor: Principal, form: SampleForm) -> Sample:
    """Store the sample in ``form`` (and complete it when its results come with it)."""
    checked = check_sample(session=session, actor=actor, form=form)
    if checked.check.problems:
        raise ValidationFailed(checked.check.problems)
    return store_checked(session=session, actor=actor, form=form, checked=checked)


def check_sample(*, session: Session, actor: Principal, form: SampleForm) -> CheckedSample:
    """Read and check ``form`` without storing anything (the import checks every sample of
    a file this way before storing any)."""
    access.require_regulator(actor)
    out = CheckedSample()
    check = out.check
    out.business = named_business(
        session=session,
        actor=actor,
        business_id=form.business_id,
        identifier=form.business,
        check=check,
    )
    check.required("product_name", form.product_name, 100)
    out.category = check.category("category", form.category)
    check.required("batch_number", form.batch_number, 60)
    sampled_at = check.moment("sampled_at", form.sampled_at)
    sampled_on = to_local(sampled_at).date() if sampled_at else None
    if sampled_at is not None and sampled_at > utc_now():
        check.add("sampled_at", N_("the sample cannot be taken in the future"), code="future")
    produced = check.day("production_date", form.production_date)
    if produced and sampled_on and produced > sampled_on:
        check.add("production_date", N_("the product cannot be made after it was sampled"))
    check.required("sampling_place", form.sampling_place, 120)
    check.required("sampling_agency", form.sampling_agency, 120)
    check.required("samplers", form.samplers, 120)
    number = check.optional("sampling_number", form.sampling_number, 40)
    if number and repo.taken_sampling_numbers(session, [number]):
        check.add(
            "sampling_number",
            N_("sampling form {number} is already recorded"),
            code="duplicate",
            number=number,
        )
    out.items = _items(check, form.items, with_results=None)
    with_results = [i for i in form.items if i.has_result]
    if with_results and len(with_results) != len(form.items):
        check.add(
            "items",
            N_("record the results of every item at once, or of none yet"),
            code="partial_results",
        )
    if with_results and len(with_results) == len(form.items):
        _check_report(check, form.report, sampled_on)
    elif form.report.files:
        check.add("report_files", N_("attach the report with the results"))
    out.task, out.plan = _task_and_plan(session, actor, form, out, sampled_on)
    return out


def store_checked(
    *, session: Session, actor: Principal, form: SampleForm, checked: CheckedSample
) -> Sample:
    """Store a sample :func:`check_sample` found correct."""
    assert checked.business is not None and checked.category is not None
    business = checked.business
    sampled_at = checked.check.moment("sampled_at", form.sampled_at)
    assert sampled_at is not None
    office = actor.org_unit_id
    if office is None:
        raise ValidationFailed([FieldProblem("business", N_("not an active officer"))])
    sample = Sample(
        reference=_new_reference(session, to_local(sampled_at).date()),
        sampling_number=form.sampling_number.strip() or None,
        plan_id=checked.plan.id if checked.plan else None,
        task_id=checked.task.id if checked.task else None,
        business_id=business.id,
        org_unit_id=office,
        province_code=business.province_code,
        prefecture_code=business.prefecture_code,
        county_code=business.county_code,
        township_code=business.township_code,
        product_name=form.product_name.strip(),
        category=checked.category,
        batch_number=form.batch_number.strip(),
        production_date=checked.check.day("production_date", form.production_date),
        sampled_at=sampled_at,
        sampled_on=to_local(sampled_at).date(),
        sampling_place=form.sampling_place.strip(),
        sampling_agency=form.sampling_agency.strip(),
        samplers=form.samplers.strip(),
        status=SampleStatus.SAMPLED,
        conclusion=None,
        failed_items=0,
        lab_name=form.report.lab_name.strip() or None,
        recorded_by_id=actor.user_id,
    )
    session.add(sample)
    session.flush()
    session.add_all(
        SampleItem(
            sample_id=sample.id,
            position=n,
            name=c.form.name.strip(),
            standard=c.form.standard.strip(),
            method=c.form.method.strip(),
            comparator=c.comparator,
            limit_text=c.form.limit.strip() or _default_limit(c.comparator),
            limit_value=c.judged.limit_value,
            unit=c.form.unit.strip(),
        )
        for n, c in enumerate(checked.items)
    )
    if checked.task is not None:
        checked.task.status = TaskStatus.DONE
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="sample.record",
        entity_type="sample",
        entity_id=sample.id,
        after={
            "reference": sample.reference,
            "business_id": business.id,
            "product_name": sample.product_name,
            "batch_number": sample.batch_number,
            "items": len(checked.items),
            "task_id": sample.task_id,
        },
    )
    if all(c.judged.verdict is not None for c in checked.items):
        _complete(session, actor, sample, checked.items, form.report)
    return sample


def named_business(
    *,
    session: Session,
    actor: Principal,
    business_id: int | None,
    identifier: str,
    check: Check,
) -> Business | None:
    """The business a form names, by id or by its store code, licence number or credit
    code, if it is in the actor's jurisdiction (a problem on ``business`` otherwise)."""
    scope = access.business_condition(actor)
    if business_id is not None:
        found = registry_repo.get_business(session, business_id=business_id, scope=scope)
    elif identifier.strip():
        found = repo.find_business(session, identifier=identifier, scope=scope)
    else:
        check.add("business", N_("Required"), code="required")
        return None
    if found is None:
        check.add(
            "business",
            N_("no business in your jurisdiction has this store code, licence or credit code"),
            code="not_found",
        )
    return found


def _items(
    check: Check, items: Sequence[ItemForm], *, with_results: bool | None
) -> list[CheckedSampleItem]:
    if not items:
        check.add("items", N_("a sample is tested for at least one item"), code="required")
    if len(items) > MAX_ITEMS:
        check.add("items", N_("at most {limit} items per sample"), code="too_many", limit=MAX_ITEMS)
    seen: set[str] = set()
    checked = []
    for n, item in enumerate(items):
        path = f"items[{n}]"
        name = check.required(f"{path}.name", item.name, 100)
        if name and name in seen:
            check.add(
                f"{path}.name", N_("item {name} is listed twice"), code="duplicate", name=name
            )
        seen.add(name)
        check.required(f"{path}.standard", item.standard, 120)
        check.optional(f"{path}.unit", item.unit, 24)
        check.optional(f"{path}.limit", item.limit, 40)
        check.optional(f"{path}.result", item.result, 40)
        check.optional(f"{path}.result_unit", item.result_unit, 24)
        if item.has_result:
            check.required(f"{path}.method", item.method, 120)
        else:
            check.optional(f"{path}.method", item.method, 120)
        comparator = COMPARATOR_WORDS.get(item.comparator.strip().lower())
        if comparator is None:
            check.add(
                f"{path}.comparator",
                N_("'{value}' is not a way to compare with a limit (≤, <, ≥, >, 不得检出, 定性)"),
                code="choice",
                value=item.comparator.strip(),
            )
            continue
        stated = check.verdict(f"{path}.verdict", item.verdict)
        judged = judge(
            ItemInput(
                name=name,
                comparator=comparator,
                limit=item.limit,
                unit=item.unit,
                result=item.result,
                result_unit=item.result_unit,
                stated=stated,
            )
        )
        for problem in judged.problems:
            check.problems.append(
                FieldProblem(
                    f"{path}.{problem.where}", problem.message, params=dict(problem.params)
                )
            )
        if with_results and judged.verdict is None and not judged.problems:
            check.add(f"{path}.result", N_("Required"), code="required")
        checked.append(CheckedSampleItem(item, comparator, judged))
    return checked


def _check_report(check: Check, report: ReportForm, sampled_on: date | None) -> None:
    check.required("lab_name", report.lab_name, 120)
    check.required("report_number", report.report_number, 60)
    if not report.report_date.strip():
        check.add("report_date", N_("Required"), code="required")
        return
    day = check.day("report_date", report.report_date)
    if day is None:
        return
    if day > today_local():
        check.add("report_date", N_("the report cannot be dated in the future"), code="future")
    if sampled_on and day < sampled_on:
        check.add("report_date", N_("the report cannot be dated before the sample was taken"))


def _task_and_plan(
    session: Session,
    actor: Principal,
    form: SampleForm,
    out: CheckedSample,
    sampled_on: date | None,
) -> tuple[SamplingTask | None, SamplingPlan | None]:
    check = out.check
    task = None
    plan_id = form.plan_id
    if form.task_id is not None:
        task = repo.get_task(
            session, task_id=form.task_id, scope=access.sampling_task_condition(actor)
        )
        if task is None:
            check.add("task_id", N_("No such task"), code="not_found")
        elif task.status is not TaskStatus.OPEN:
            check.add("task_id", N_("this task is already done"), code="done")
        elif out.business is not None and task.business_id != out.business.id:
            check.add("task_id", N_("this task is for another business"))
        elif out.category is not None and task.category is not out.category:
            check.add("category", N_("this task is for another product category"))
        if task is not None:
            plan_id = task.plan_id
    plan = None
    if plan_id is not None:
        plan = repo.get_plan(session, plan_id=plan_id, scope=access.sampling_plan_condition(actor))
        if plan is None:
            check.add("plan_id", N_("No such plan"), code="not_found")
        elif sampled_on is not None and plan.year != sampled_on.year:
            check.add(
                "plan_id",
                N_("a sample taken in {year} cannot count towards the plan of {plan_year}"),
                year=sampled_on.year,
                plan_year=plan.year,
            )
    return task, plan


def _default_limit(comparator: Comparator) -> str:
    return "不得检出" if comparator is Comparator.NOT_DETECTED else ""


# -- recording results -------------------------------------------------------------------------


def record_results(
    *, session: Session, actor: Principal, sample_id: int, form: ResultsForm
) -> Sample:
    """Record the laboratory's results of every item of a sample awaiting them, with the
    report; the sample is completed (see the module's rules)."""
    access.require_regulator(actor)
    sample = visible_sample(session, actor, sample_id)
    if form.expected_version is not None and form.expected_version != sample.version:
        raise ConflictError(N_("This sample changed since you opened it; reload it."))
    if sample.status is not SampleStatus.SAMPLED:
        raise ConflictError(N_("The results of this sample are already recorded."))
    stored = list(repo.items_of(session, sample.id))
    check = Check()
    if len(form.items) != len(stored):
        check.add(
            "items",
            N_("give a result for each of the {count} items"),
            code="count",
            count=len(stored),
        )
        raise ValidationFailed(check.problems)
    items = [
        ItemForm(
            name=item.name,
            standard=item.standard,
            comparator=item.comparator.value,
            limit=item.limit_text if item.comparator is not Comparator.NOT_DETECTED else "",
            unit=item.unit,
            method=result.method or item.method,
            result=result.result,
            result_unit=result.result_unit,
            verdict=result.verdict,
        )
        for item, result in zip(stored, form.items, strict=True)
    ]
    checked = _items(check, items, with_results=True)
    _check_report(check, form.report, sample.sampled_on)
    if check.problems:
        raise ValidationFailed(check.problems)
    for item, form_item in zip(stored, items, strict=True):
        item.method = form_item.method.strip()
    _complete(session, actor, sample, checked, form.report)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(N_("This sample changed since you opened it; reload it.")) from exc
    return sample


def _complete(
    session: Session,
    actor: Principal,
    sample: Sample,
    checked: Sequence[CheckedSampleItem],
    report: ReportForm,
) -> None:
    """Store the verdicts and the report, derive the conclusion, publish, and open the
    disposal case of a failed sample."""
    prepared = evidence.prepare(session=session, uploads=list(report.files), rules=REPORT_FILES)
    stored = list(repo.items_of(session, sample.id))
    for item, c in zip(stored, checked, strict=True):
        assert c.judged.verdict is not None
        item.result_text = c.form.result.strip()
        item.result_value = c.judged.result_value
        item.result_unit = c.form.result_unit.strip() or item.unit or None
        item.verdict = c.judged.verdict
    failed = [item for item in stored if item.verdict is Verdict.FAIL]
    sample.conclusion = Conclusion.UNQUALIFIED if failed else Conclusion.QUALIFIED
    sample.failed_items = len(failed)
    sample.status = SampleStatus.COMPLETED
    sample.lab_name = report.lab_name.strip()
    sample.report_number = report.report_number.strip()
    sample.report_date = date.fromisoformat(report.report_date.strip().replace("/", "-"))
    sample.completed_at = utc_now()
    session.flush()
    if prepared:
        evidence.record(
            session=session, actor=actor, prepared=prepared, owner_type=OWNER, owner_id=sample.id
        )
    audit.record(
        session=session,
        actor=actor,
        action="sample.complete",
        entity_type="sample",
        entity_id=sample.id,
        before={"status": SampleStatus.SAMPLED.value},
        after={
            "status": sample.status.value,
            "conclusion": sample.conclusion.value,
            "failed_items": [item.name for item in failed],
            "lab_name": sample.lab_name,
            "report_number": sample.report_number,
        },
    )
    invalidate_store_page(session, sample.business_id)  # the store page shows the result
    if failed:
        case = _open_disposal_case(session, actor, sample, failed)
        hooks.sample_failed(
            session=session,
            failed=hooks.FailedSample(sample=sample, failed_items=failed, case=case),
        )


def _open_disposal_case(
    session: Session, actor: Principal, sample: Sample, failed: Sequence[SampleItem]
) -> Case:
    """The verification and disposal case (核查处置) of a failed sample, routed by the case
    engine to the most local office responsible for the business, its clock running from
    today (the day the platform holds the failed result)."""
    # The case file is data the handlers read, written in Chinese like the rest of it.
    lines = [f"- {failure_text(item)}" for item in failed]
    number = f"（抽样单编号 {sample.sampling_number}）" if sample.sampling_number else ""
    made = f"；生产日期 {sample.production_date.isoformat()}" if sample.production_date else ""
    reported = sample.report_date.isoformat() if sample.report_date else "-"
    summary = "\n".join(
        [
            f"样品 {sample.reference}{number}",
            f"样品名称：{sample.product_name}；批号：{sample.batch_number}{made}",
            f"抽样：{sample.sampled_on.isoformat()} 于{sample.sampling_place}，"
            f"{sample.sampling_agency}（{sample.samplers}）",
            f"检验机构：{sample.lab_name}，报告编号 {sample.report_number}（{reported}）",
            "不合格项目：",
            *lines,
        ]
    )
    case = cases.open_case(
        session=session,
        actor=actor,
        draft=cases.CaseDraft(
            kind=CaseKind.SAMPLING,
            title=f"抽检不合格：{sample.product_name}（批号 {sample.batch_number}）"[:200],
            summary=summary,
            business_id=sample.business_id,
            received_on=today_local(),
        ),
    )
    sample.case_id = case.id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="sample.open_case",
        entity_type="sample",
        entity_id=sample.id,
        after={"case_id": case.id, "case_reference": case.reference},
    )
    return case


def failure_text(item: SampleItem) -> str:
    """One failed item in a line of the case file: name, result, limit and standard."""
    unit = item.result_unit or item.unit
    result = f"{item.result_text} {unit}" if item.result_value is not None else item.result_text
    if item.comparator in SYMBOLS:
        limit = f"{SYMBOLS[item.comparator]} {item.limit_text} {item.unit}".strip()
    else:
        limit = item.limit_text
    return f"{item.name}：{(result or '').strip()}（标准要求 {limit}；{item.standard}）"


def _new_reference(session: Session, day: date) -> str:
    """A reference such as ``CY20261130-4K7Q2M`` (抽样)."""
    while True:
        tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        reference = f"CY{day.strftime('%Y%m%d')}-{tail}"
        if not repo.reference_exists(session, reference):
            return reference
