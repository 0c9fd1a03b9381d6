"""What the inbox API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class NotificationRead(BaseModel):
    """One message in the caller's inbox (subject and body in the language it was sent in;
    ``kind`` and ``params`` let a client render it in another)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    params: dict[str, Any]
    subject: str
    body: str
    link: str | None
    case_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    unread: int
    page: int
    per_page: int
    pages: int


class ReadAllOut(BaseModel):
    marked: int
