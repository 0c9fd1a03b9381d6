"""JSON routes of the purchase ledger under ``/api/v1`` (bearer tokens).

* ``GET /ledger-lines``: the current lines the caller may see (a store its own, a chain HQ
  its outlets', a regulator those of its jurisdiction), filtered and paginated;
* ``POST /ledger-lines``: record a line of the caller's store (201);
* ``GET /ledger-lines/{id}``: one line with its flags and versions (404 if unseen);
* ``POST /ledger-lines/{id}/corrections``: the line as it should have been and the reason
  (201; 409 when the line was already corrected).

* ``POST /ledger-lines/with-documents``: the same with photos or PDFs of the documents
  checked, as ``multipart/form-data``: the line as JSON in the field ``line`` and each file in
  ``file_{document}`` (``file_voucher``, ``file_licence``, ``file_test_report``, ...); files
  are size- and type-checked, and nothing is kept when anything is refused.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import FormData

from sunshine.api.router import Authed
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.validation import parse
from sunshine.ingredients import repository as repo
from sunshine.ingredients import service
from sunshine.ingredients.enums import DocumentKind, ProductCategory
from sunshine.ingredients.schemas import (
    LedgerCorrectionIn,
    LedgerLineDetail,
    LedgerLineIn,
    LedgerLinePage,
    LedgerLineRead,
)
from sunshine.ingredients.uploads import document_files
from sunshine.portals.shared.deps import DbSession, SignedIn
from sunshine.portals.shared.forms import with_upload_form
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.registry.service import enterprise_business

router = APIRouter(tags=["ledger"], dependencies=Authed)


def _detail(session: DbSession, principal: SignedIn, line_id: int) -> LedgerLineDetail:
    found = service.line_file(session=session, actor=principal, line_id=line_id)
    read = LedgerLineRead.model_validate(found.line)
    return LedgerLineDetail(
        **read.model_dump(), flags=found.flags, versions=[v.id for v in found.versions]
    )


@router.get("/ledger-lines", response_model=LedgerLinePage)
def list_lines(
    session: DbSession,
    principal: SignedIn,
    date_from: date | None = None,
    date_to: date | None = None,
    category: ProductCategory | None = None,
    supplier_id: int | None = None,
    product: Annotated[str | None, Query(max_length=120)] = None,
    business_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> LedgerLinePage:
    """The current version of each line the caller may see, latest purchase first."""
    result = service.list_lines(
        session=session,
        actor=principal,
        filters=repo.LineFilter(
            date_from=date_from,
            date_to=date_to,
            category=category,
            supplier_id=supplier_id,
            product=product,
            business_id=business_id,
        ),
        page=PageRequest(page, per_page),
    )
    return LedgerLinePage(
        items=[LedgerLineRead.model_validate(x) for x in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.post("/ledger-lines", response_model=LedgerLineDetail, status_code=201)
def create_line(session: DbSession, principal: SignedIn, body: LedgerLineIn) -> LedgerLineDetail:
    """Record a purchase of the caller's store; every problem is answered at once (422)."""
    business = enterprise_business(session=session, actor=principal)
    line = service.record_line(session=session, actor=principal, business_id=business.id, data=body)
    return _detail(session, principal, line.id)


@router.post(
    "/ledger-lines/with-documents",
    response_model=LedgerLineDetail,
    status_code=201,
    dependencies=[Depends(reject_oversized)],
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["line"],
                        "properties": {
                            "line": {"type": "string", "description": "the line as JSON"},
                            **{
                                f"file_{kind.value}": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                }
                                for kind in DocumentKind
                            },
                        },
                    }
                }
            },
            "required": True,
        }
    },
)
async def create_line_with_documents(
    request: Request, session: DbSession, principal: SignedIn
) -> LedgerLineDetail:
    """Record a purchase of the caller's store with its documents' photos or PDFs."""
    return await with_upload_form(request, partial(_record_with_documents, session, principal))


def _record_with_documents(
    session: DbSession, principal: SignedIn, form: FormData
) -> LedgerLineDetail:
    data = _line_json(form.get("line"))
    business = enterprise_business(session=session, actor=principal)
    line = service.record_line(
        session=session,
        actor=principal,
        business_id=business.id,
        data=parse(LedgerLineIn, data),
        files=document_files(form),
    )
    return _detail(session, principal, line.id)


def _line_json(value: object) -> dict[str, Any]:
    """The ``line`` field's JSON object, or a 422 saying what is wrong with it."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed([FieldProblem("line", N_("the line is required, as JSON"))])
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(
            [
                FieldProblem(
                    "line",
                    N_("the line is not valid JSON: {reason}"),
                    params={"reason": exc.msg},
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise ValidationFailed([FieldProblem("line", N_("the line must be a JSON object"))])
    return data


@router.get("/ledger-lines/{line_id}", response_model=LedgerLineDetail)
def get_line(session: DbSession, principal: SignedIn, line_id: int) -> LedgerLineDetail:
    return _detail(session, principal, line_id)


@router.post(
    "/ledger-lines/{line_id}/corrections", response_model=LedgerLineDetail, status_code=201
)
def correct_line(
    session: DbSession, principal: SignedIn, line_id: int, body: LedgerCorrectionIn
) -> LedgerLineDetail:
    """Declare the line wrong and record it as it should have been."""
    line = service.correct_line(
        session=session, actor=principal, line_id=line_id, data=body.line, reason=body.reason
    )
    return _detail(session, principal, line.id)
