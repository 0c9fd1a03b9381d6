"""Reading portal forms into service inputs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.registry.repository import BusinessFilter

Result = TypeVar("Result")


async def form_dict(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted form as a dict (CSRF token removed, blanks as None)."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in lists:
            data[key] = [str(v).strip() for v in form.getlist(key) if str(v).strip()]
        else:
            value = form.get(key)
            data[key] = value.strip() if isinstance(value, str) and value.strip() else None
    return data


def scope_items(text: str | None) -> list[str]:
    """Licence scope typed one item per line or separated by 、 , ；."""
    if not text:
        return []
    for sep in ("、", ",", "，", ";", "；"):
        text = text.replace(sep, "\n")
    return [item.strip() for item in text.splitlines() if item.strip()]


def business_filter(request: Request) -> BusinessFilter:
    """The business-list filters from the query string (unknown values are rejected)."""
    from sunshine.registry.enums import BusinessCategory, BusinessForm, OperatingStatus
    from sunshine.registry.repository import SORTABLE

    q = request.query_params
    problems: list[FieldProblem] = []

    def enum(name: str, cls: Any) -> Any:
        value = q.get(name)
        if not value:
            return None
        try:
            return cls(value)
        except ValueError:
            problems.append(
                FieldProblem(name, N_("'{value}' is not a valid choice"), params={"value": value})
            )
            return None

    state = q.get("licence_state") or None
    if state and state not in ("valid", "expiring", "expired", "suspended", "revoked"):
        problems.append(
            FieldProblem(
                "licence_state", N_("'{value}' is not a valid choice"), params={"value": state}
            )
        )
        state = None
    sort = q.get("sort") or "name"
    if sort not in SORTABLE:
        problems.append(
            FieldProblem("sort", N_("'{value}' is not a sortable column"), params={"value": sort})
        )
    region = q.get("region") or None
    if region and not (region.isdigit() and len(region) in (6, 9)):
        problems.append(FieldProblem("region", N_("a region code has 6 or 9 digits")))
    form = enum("form", BusinessForm)
    category = enum("category", BusinessCategory)
    operating_status = enum("operating_status", OperatingStatus)
    if problems:
        raise ValidationFailed(problems)
    return BusinessFilter(
        q=q.get("q") or None,
        region_code=region,
        form=form,
        category=category,
        licence_state=state,
        operating_status=operating_status,
        sort=sort,
        descending=q.get("dir") == "desc",
    )


def query_choice(request: Request, name: str, cls: Any, problems: list[FieldProblem]) -> Any:
    """The enum member a query parameter names (None when blank; a problem when unknown)."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return cls(value)
    except ValueError:
        problems.append(
            FieldProblem(name, N_("'{value}' is not a valid choice"), params={"value": value})
        )
        return None


def query_date(request: Request, name: str, problems: list[FieldProblem]) -> date | None:
    """The ISO date a query parameter holds (None when blank; a problem when not a date)."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            FieldProblem(name, N_("'{value}' is not a date (YYYY-MM-DD)"), params={"value": value})
        )
        return None


def page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def submitted_form(request: Request) -> dict[str, Any]:
    """The request's form, read on the event loop so that the handler itself can be a plain
    function run in the threadpool (database work must never block the event loop)."""
    return await form_dict(request)


FormValues = Annotated[dict[str, Any], Depends(submitted_form)]


async def close_uploads(form: FormData) -> None:
    """Close the temporary files of a multipart form's uploads."""
    for _key, item in form.multi_items():
        if isinstance(item, UploadFile):
            await item.close()


async def with_upload_form(request: Request, handler: Callable[[FormData], Result]) -> Result:
    """``handler(form)`` for a multipart form with files: the form is read on the event loop,
    the handler (database work, file checks) runs in the threadpool so that it never blocks
    the loop, and the uploads' temporary files are closed whatever the handler does."""
    form = await request.form()
    try:
        return await run_in_threadpool(handler, form)
    finally:
        await close_uploads(form)
