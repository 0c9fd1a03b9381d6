"""Enterprise portal: the business's own inspection records (监督检查记录), read-only.

A chain headquarters adds ``?business=<id>`` to read one of its outlets' records; any
other id is a 404 (the registry service checks it), as is another business's inspection.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.pagination import PageRequest
from sunshine.inspections import business_records
from sunshine.inspections.service import KIND_LABELS, RESULT_LABELS
from sunshine.portals.enterprise.sampling_routes import _link, _selected
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise
from sunshine.portals.shared.templating import render
from sunshine.registry import service as registry

router = APIRouter(include_in_schema=False)


@router.get("/inspections")
def inspection_records(request: Request, session: DbSession, principal: Enterprise) -> Response:
    """The inspections of the business, the latest first."""
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    result = business_records.own_history(
        session=session,
        actor=principal,
        business=business,
        page=PageRequest(forms.page_number(request), 20),
    )
    return render(
        request,
        "biz/inspections.html",
        {
            "current": business,
            "own_business": business.id == principal.business_id,
            "link": lambda path, **params: _link(business, principal, path, **params),
            "result": result,
            "kind_labels": KIND_LABELS,
            "result_labels": RESULT_LABELS,
        },
    )


@router.get("/inspections/{inspection_id}")
def inspection_record(
    request: Request, session: DbSession, principal: Enterprise, inspection_id: int
) -> Response:
    """One inspection item by item, with the inspectors' notes and photos."""
    shown = business_records.own_record(
        session=session, actor=principal, inspection_id=inspection_id
    )
    return render(
        request,
        "biz/inspection_detail.html",
        {
            "record": shown,
            "i": shown.inspection,
            "kind_labels": KIND_LABELS,
            "result_labels": RESULT_LABELS,
        },
    )
