"""Government portal: the yearly inspection plan board (/gov/plans) and 双随机 draws
(/gov/draws: the new-draw form with its counts, a draw's result, publishing, verifying)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sunshine.auth.access import PLANNING_ROLES
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import draw_views, draws, plans
from sunshine.inspections import plan_rules as rules
from sunshine.inspections.plan_enums import RiskLevel, RuleStatus, TaskStatus
from sunshine.inspections.service import RESULT_LABELS
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.labels import label
from sunshine.portals.shared.templating import render, translator
from sunshine.regions import service as regions_service
from sunshine.registry.enums import BusinessForm

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]

#: The names the forms' fields are shown by in a list of problems.
FIELD_NAMES = {
    "year": N_("Year"),
    "title": N_("Title"),
    "area_code": N_("Area"),
    "quantity": N_("How many"),
    "quantity_kind": N_("How many"),
    "group_size": N_("Officers per business"),
    "due_on": N_("Due date"),
    "filters": N_("Filters"),
    "office": N_("Office"),
}
STATUS_CLASSES = {
    RuleStatus.VERIFIED: "text-bg-success",
    RuleStatus.CORROBORATED: "text-bg-info",
    RuleStatus.UNVERIFIED: "text-bg-warning",
}
STATUS_NAMES = {
    RuleStatus.VERIFIED: N_("verified"),
    RuleStatus.CORROBORATED: N_("corroborated"),
    RuleStatus.UNVERIFIED: N_("unverified"),
}
CHECK_NAMES = {
    "algorithm": N_("Algorithm"),
    "candidates": N_("Candidates"),
    "businesses": N_("Businesses drawn"),
    "groups": N_("Officers drawn"),
    "result": N_("Result"),
    "audit": N_("Audit trail"),
}
TASK_STATUS_NAMES = {
    TaskStatus.OPEN.value: N_("Open"),
    TaskStatus.DONE.value: N_("Done"),
    TaskStatus.CANCELLED.value: N_("Cancelled"),
}
RESULT_NAMES = {result.value: name for result, name in RESULT_LABELS.items()}
EXCLUSION_NAMES = {
    draws.CONFLICT: N_("declared a conflict of interest"),
    draws.LAST_INSPECTION: N_("inspected it last time"),
    draws.UPPER_LEVEL: N_("inspected by an upper level within 3 months"),
}


def _level(value: str | None) -> RiskLevel | None:
    try:
        return RiskLevel(value) if value else None
    except ValueError:
        return None


def _rules_context() -> dict[str, Any]:
    return {
        "frequencies": rules.FREQUENCIES,
        "static_rules": rules.STATIC_LEVEL_RULES,
        "number_rules": (
            rules.FULL_COVERAGE,
            rules.MIN_GROUP,
            rules.NO_REPEAT_AFTER_UPPER_LEVEL,
            rules.AVOID_CONFLICTS,
            rules.AVOID_LAST_INSPECTORS,
        ),
        "status_classes": STATUS_CLASSES,
        "status_names": STATUS_NAMES,
        "rules_version": rules.RULES_VERSION,
    }


# -- plans ---------------------------------------------------------------------------------


def _plans_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    year: int,
    plan_id: int | None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    visible = plans.visible_plans(session=session, actor=principal, year=year)
    own = next((p for p in visible if p.org_unit_id == principal.org_unit_id), None)
    chosen = None
    if plan_id is not None:
        chosen = next((p for p in visible if p.id == plan_id), None)
        if chosen is None:
            raise NotFoundError(N_("No such plan"))
    chosen = chosen or own or (visible[0] if visible else None)
    board = lines = None
    area = request.query_params.get("area") or None
    level = _level(request.query_params.get("level"))
    behind = request.query_params.get("behind") == "1"
    if chosen is not None:
        board = plans.plan_board(session=session, actor=principal, plan_id=chosen.id)
        lines = plans.plan_lines(
            session=session,
            actor=principal,
            plan_id=chosen.id,
            area_code=area,
            level=level,
            behind=behind,
            page=PageRequest(forms.page_number(request), 25),
        )
    this_year = today_local().year
    return render(
        request,
        "gov/plans.html",
        {
            "year": year,
            "years": (this_year - 1, this_year, this_year + 1),
            "plans": visible,
            "plan_offices": plans.office_names(session=session, plans=visible),
            "chosen": chosen,
            "own": own,
            "board": board,
            "result": lines,
            "area": area or "",
            "level": level.value if level else "",
            "behind": behind,
            "levels": list(RiskLevel),
            "can_plan": principal.role in PLANNING_ROLES,
            "errors": errors,
            "field_names": FIELD_NAMES,
            "done": request.query_params.get("done"),
            **_rules_context(),
        },
        status_code=status_code,
    )


@router.get("/plans")
def plan_board(
    request: Request,
    session: DbSession,
    principal: Regulator,
    year: int | None = None,
    plan: int | None = None,
) -> Response:
    return _plans_page(request, session, principal, year=year or today_local().year, plan_id=plan)


@router.post("/plans", dependencies=Csrf)
def plan_make(
    request: Request,
    session: DbSession,
    principal: Regulator,
    year: Annotated[int, Form()],
) -> Response:
    try:
        made = plans.make_plan(session=session, actor=principal, year=year)
    except ValidationFailed as exc:
        session.rollback()
        return _plans_page(
            request,
            session,
            principal,
            year=today_local().year,
            plan_id=None,
            errors=exc.problems,
            status_code=422,
        )
    return RedirectResponse(f"/gov/plans?year={made.year}&plan={made.id}&done=1", status_code=303)


# -- draws ---------------------------------------------------------------------------------


def _filters_from(data: dict[str, Any], problems: list[FieldProblem]) -> draws.DrawFilters:
    chosen_forms = []
    for value in data.get("forms") or []:
        try:
            chosen_forms.append(BusinessForm(value))
        except ValueError:
            problems.append(
                FieldProblem(
                    "forms", N_("'{value}' is not a valid choice"), params={"value": value}
                )
            )
    chosen_levels = [lv for lv in (_level(v) for v in data.get("levels") or []) if lv]
    return draws.DrawFilters(
        area_code=data.get("area_code") or None,
        forms=tuple(chosen_forms),
        levels=tuple(chosen_levels),
        operating_only=data.get("operating_only") != "0",
    )


def _draw_form_defaults() -> dict[str, Any]:
    return {
        "title": "",
        "area_code": "",
        "forms": [],
        "levels": [],
        "operating_only": "1",
        "quantity_kind": draws.PERCENT,
        "quantity": "5",
        "group_size": "2",
        "due_on": date(today_local().year, 12, 31).isoformat(),
    }


def _draws_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    form: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    listing = draws.list_draws(
        session=session, actor=principal, page=PageRequest(forms.page_number(request), 20)
    )
    can_draw = principal.role in PLANNING_ROLES
    return render(
        request,
        "gov/draws.html",
        {
            "result": listing,
            "office_names": draw_views.office_names(session=session, draws=listing.items),
            "can_draw": can_draw,
            "areas": regions_service.areas_within(session=session, actor=principal)
            if can_draw
            else [],
            "business_forms": list(BusinessForm),
            "levels": list(RiskLevel),
            "form": {**_draw_form_defaults(), **(form or {})},
            "errors": errors,
            "field_names": FIELD_NAMES,
            "min_group": rules.MIN_GROUP.value,
            "max_group": draws.MAX_GROUP,
        },
        status_code=status_code,
    )


@router.get("/draws")
def draw_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _draws_page(request, session, principal)


@router.get("/draws/count")
def draw_count(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The new-draw form's counts for the filters chosen (an htmx fragment)."""
    query = request.query_params
    data: dict[str, Any] = {
        "area_code": query.get("area_code"),
        "forms": query.getlist("forms"),
        "levels": query.getlist("levels"),
        "operating_only": query.get("operating_only", "0"),
    }
    problems: list[FieldProblem] = []
    filters = _filters_from(data, problems)
    counted = None
    if not problems:
        try:
            counted = draws.count_candidates(
                session=session,
                actor=principal,
                filters=filters,
                quantity_kind=query.get("quantity_kind") or draws.COUNT,
                quantity=query.get("quantity") or "",
            )
        except ValidationFailed as exc:
            problems = exc.problems
    return render(
        request,
        "gov/_draw_count.html",
        {"counted": counted, "errors": problems, "field_names": FIELD_NAMES},
    )


@router.post("/draws", dependencies=Csrf)
async def draw_make(request: Request, session: DbSession, principal: Regulator) -> Response:
    data = await forms.form_dict(request, lists=("forms", "levels"))
    data["operating_only"] = data.get("operating_only") or "0"
    problems: list[FieldProblem] = []
    filters = _filters_from(data, problems)
    try:
        group_size = int(data.get("group_size") or 0)
    except ValueError:
        group_size = 0
    due_on = None
    try:
        due_on = forms.parse_date(data.get("due_on"))
    except ValueError:
        problems.append(FieldProblem("due_on", N_("use the form YYYY-MM-DD")))
    request_ = draws.DrawRequest(
        title=data.get("title") or "",
        filters=filters,
        quantity_kind=data.get("quantity_kind") or "",
        quantity=data.get("quantity") or "",
        due_on=due_on,
        group_size=group_size,
    )
    try:
        if problems:
            raise ValidationFailed(problems)
        made = await run_in_threadpool(
            lambda: draws.create_draw(session=session, actor=principal, request=request_)
        )
    except ValidationFailed as exc:
        session.rollback()
        return _draws_page(
            request,
            session,
            principal,
            form={k: v for k, v in data.items() if v is not None},
            errors=exc.problems,
            status_code=422,
        )
    return RedirectResponse(f"/gov/draws/{made.id}", status_code=303)


@router.get("/draws/{draw_id}")
def draw_detail(
    request: Request, session: DbSession, principal: Regulator, draw_id: int
) -> Response:
    shown = draw_views.draw_page(
        session=session,
        actor=principal,
        draw_id=draw_id,
        page=PageRequest(forms.page_number(request), 50),
    )
    checked = None
    if request.query_params.get("verify") == "1":
        checked = draws.verify_draw(session=session, draw=shown.draw)
    _ = translator(request)
    published = request.query_params.get("done") == "published"
    return render(
        request,
        "gov/draw_detail.html",
        {
            "shown": shown,
            "result": shown.rows,
            "checked": checked,
            "check_names": CHECK_NAMES,
            "exclusion_names": EXCLUSION_NAMES,
            "task_status_names": TASK_STATUS_NAMES,
            "result_names": RESULT_NAMES,
            "can_publish": principal.role in PLANNING_ROLES,
            "filter_words": _filter_words(request, session, shown.draw.filters),
            "flash": _("The draw is published and its tasks are assigned.") if published else None,
        },
    )


def _filter_words(
    request: Request, session: DbSession, filters: dict[str, Any]
) -> list[tuple[str, str]]:
    """A draw's filters in words (they are kept as JSON, for repeating the draw)."""
    _ = translator(request)
    area = filters.get("area_code")
    names = regions_service.region_names(session=session, codes=[area]) if area else []
    forms_ = "、".join(_(label(BusinessForm(f))) for f in filters.get("forms", []))
    return [
        (_("Area"), names[0] if names else _("The whole jurisdiction")),
        (_("Business forms"), forms_ or _("All")),
        (_("Risk levels"), "、".join(filters.get("levels", [])) or _("All")),
        (_("Operating businesses only"), _("Yes") if filters.get("operating_only") else _("No")),
    ]


@router.post("/draws/{draw_id}/publish", dependencies=Csrf)
def draw_publish(
    request: Request, session: DbSession, principal: Regulator, draw_id: int
) -> Response:
    draws.publish_draw(session=session, actor=principal, draw_id=draw_id)
    return RedirectResponse(f"/gov/draws/{draw_id}?done=published", status_code=303)
