"""Open311 clients: the 12345 hotline integrations and apps allowed to file requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.core.db import Base
from sunshine.core.time import utc_now

#: Requests one client may file per hour unless its row says otherwise: a county hotline's
#: busiest hour, with room to spare, yet a cap on a leaked key.
DEFAULT_HOURLY_LIMIT = 600


class Open311Client(Base):
    """A system that files and follows service requests with an API key.

    Only a keyed digest of the key is stored (:func:`sunshine.core.crypto.digest`), so a
    copy of the database does not hand out working keys; the key is shown once, when the
    client is added. ``hourly_limit`` caps what the client files per hour.
    """

    __tablename__ = "open311_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    hourly_limit: Mapped[int] = mapped_column(default=DEFAULT_HOURLY_LIMIT)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
