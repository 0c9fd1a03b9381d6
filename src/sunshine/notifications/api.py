"""JSON routes of the inbox under ``/api/v1/inbox``: the caller's own notifications only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.core.pagination import PageRequest
from sunshine.notifications import service
from sunshine.notifications.schemas import NotificationPage, NotificationRead, ReadAllOut
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["inbox"], dependencies=Authed)


@router.get("/inbox", response_model=NotificationPage)
def inbox(
    session: DbSession,
    principal: SignedIn,
    unread: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> NotificationPage:
    """The caller's notifications, newest first (``unread=true``: only unread ones)."""
    result = service.list_inbox(
        session=session, actor=principal, page=PageRequest(page, per_page), unread_only=unread
    )
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in result.items],
        total=result.total,
        unread=service.unread_count(session=session, actor=principal, cap=10_000),
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.post("/inbox/{notification_id}/read", response_model=NotificationRead)
def read(session: DbSession, principal: SignedIn, notification_id: int) -> NotificationRead:
    """Mark one notification read (404 for one that is not the caller's)."""
    notification = service.mark_read(
        session=session, actor=principal, notification_id=notification_id
    )
    return NotificationRead.model_validate(notification)


@router.post("/inbox/read-all", response_model=ReadAllOut)
def read_all(session: DbSession, principal: SignedIn) -> ReadAllOut:
    """Mark every unread notification of the caller read."""
    return ReadAllOut(marked=service.mark_all_read(session=session, actor=principal))
