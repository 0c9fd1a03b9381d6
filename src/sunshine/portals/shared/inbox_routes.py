"""The inbox (消息) of every portal: ``/gov/inbox``, ``/biz/inbox`` and ``/me/inbox``.

One template and one set of handlers; ``gov_router`` and ``biz_router`` are included under
``/gov`` and ``/biz``, ``public_router`` at the root. Everyone sees only their own messages.
Marking read, one or all, and opening a message's link are CSRF-checked POSTs.

Importing this module also gives the templates ``inbox_unread(principal)``, the count behind
the unread badge of the portal layouts (``shared/inbox_badge.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.pagination import PageRequest
from sunshine.notifications import service
from sunshine.notifications.models import Notification
from sunshine.portals.shared.deps import DbSession, Enterprise, Regulator, SignedIn, check_csrf
from sunshine.portals.shared.templating import ENV, render, request_locale

gov_router = APIRouter(include_in_schema=False)
biz_router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
PER_PAGE = 20


def _badge(principal: Principal | None, request: Request | None = None) -> int | None:
    session = getattr(request.state, "db_session", None) if request is not None else None
    return service.inbox_badge(principal, session)


ENV.globals["inbox_unread"] = _badge


@dataclass(frozen=True)
class Portal:
    base: str  # the inbox's path
    layout: str
    public: bool = False


GOV = Portal("/gov/inbox", "gov/layout.html")
BIZ = Portal("/biz/inbox", "biz/layout.html")
ME = Portal("/me/inbox", "public/layout.html", public=True)


@dataclass(frozen=True)
class InboxItem:
    """A notification as the page shows it, in the reader's language."""

    id: int
    subject: str
    body: str
    link: str | None
    created_at: datetime
    unread: bool


def _item(notification: Notification, locale: str) -> InboxItem:
    subject, body = service.shown_message(notification, locale)
    return InboxItem(
        id=notification.id,
        subject=subject,
        body=body,
        link=notification.link,
        created_at=notification.created_at,
        unread=notification.read_at is None,
    )


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    portal: Portal,
    page: int,
    unread_only: bool,
) -> Response:
    result = service.list_inbox(
        session=session,
        actor=principal,
        page=PageRequest(page, PER_PAGE),
        unread_only=unread_only,
    )
    locale = request_locale(request, principal)
    context = {
        "layout": portal.layout,
        "portal": portal,
        "items": [_item(n, locale) for n in result.items],
        "page_obj": result,
        "unread_only": unread_only,
        # The layout's badge shows this count instead of counting again.
        "inbox_unread_count": service.unread_count(session=session, actor=principal),
    }
    response = render(request, "shared/inbox.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _read(session: Session, principal: Principal, portal: Portal, notification_id: int) -> Response:
    service.mark_read(session=session, actor=principal, notification_id=notification_id)
    return RedirectResponse(portal.base, status_code=303)


def _open(session: Session, principal: Principal, portal: Portal, notification_id: int) -> Response:
    """Mark the message read and go where it points (its link is always a path here)."""
    notification = service.mark_read(
        session=session, actor=principal, notification_id=notification_id
    )
    return RedirectResponse(notification.link or portal.base, status_code=303)


def _read_all(session: Session, principal: Principal, portal: Portal) -> Response:
    service.mark_all_read(session=session, actor=principal)
    return RedirectResponse(portal.base, status_code=303)


PageNumber = Annotated[int, Query(ge=1)]


# Government portal ----------------------------------------------------------------------------


@gov_router.get("/inbox")
def gov_inbox(
    request: Request,
    session: DbSession,
    principal: Regulator,
    page: PageNumber = 1,
    unread: bool = False,
) -> Response:
    return _page(request, session, principal, GOV, page, unread)


@gov_router.post("/inbox/read-all", dependencies=Csrf)
def gov_read_all(session: DbSession, principal: Regulator) -> Response:
    return _read_all(session, principal, GOV)


@gov_router.post("/inbox/{notification_id}/read", dependencies=Csrf)
def gov_read(session: DbSession, principal: Regulator, notification_id: int) -> Response:
    return _read(session, principal, GOV, notification_id)


@gov_router.post("/inbox/{notification_id}/open", dependencies=Csrf)
def gov_open(session: DbSession, principal: Regulator, notification_id: int) -> Response:
    return _open(session, principal, GOV, notification_id)


# Enterprise portal ----------------------------------------------------------------------------


@biz_router.get("/inbox")
def biz_inbox(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    page: PageNumber = 1,
    unread: bool = False,
) -> Response:
    return _page(request, session, principal, BIZ, page, unread)


@biz_router.post("/inbox/read-all", dependencies=Csrf)
def biz_read_all(session: DbSession, principal: Enterprise) -> Response:
    return _read_all(session, principal, BIZ)


@biz_router.post("/inbox/{notification_id}/read", dependencies=Csrf)
def biz_read(session: DbSession, principal: Enterprise, notification_id: int) -> Response:
    return _read(session, principal, BIZ, notification_id)


@biz_router.post("/inbox/{notification_id}/open", dependencies=Csrf)
def biz_open(session: DbSession, principal: Enterprise, notification_id: int) -> Response:
    return _open(session, principal, BIZ, notification_id)


# Public accounts ------------------------------------------------------------------------------


@public_router.get("/me/inbox")
def me_inbox(
    request: Request,
    session: DbSession,
    principal: SignedIn,
    page: PageNumber = 1,
    unread: bool = False,
) -> Response:
    """A citizen's inbox; staff of a regulator or a business are sent to their portal's."""
    if principal.is_regulator:
        return RedirectResponse(GOV.base, status_code=303)
    if principal.is_enterprise:
        return RedirectResponse(BIZ.base, status_code=303)
    return _page(request, session, principal, ME, page, unread)


@public_router.post("/me/inbox/read-all", dependencies=Csrf)
def me_read_all(session: DbSession, principal: SignedIn) -> Response:
    return _read_all(session, principal, ME)


@public_router.post("/me/inbox/{notification_id}/read", dependencies=Csrf)
def me_read(session: DbSession, principal: SignedIn, notification_id: int) -> Response:
    return _read(session, principal, ME, notification_id)


@public_router.post("/me/inbox/{notification_id}/open", dependencies=Csrf)
def me_open(session: DbSession, principal: SignedIn, notification_id: int) -> Response:
    return _open(session, principal, ME, notification_id)
