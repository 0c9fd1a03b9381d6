"""Evidence files (证据材料): photos and short videos attached to reviews, complaints, reports,
and PDF documents (a sample's test report).

One generic table for every kind of owner, named by ``owner_type`` ("review", "complaint",
"report", ...) and ``owner_id``: a file belongs to exactly one submission, and the owner's
own module decides who may see it (see :data:`sunshine.core.evidence.OWNER_POLICIES`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"  # a PDF (a laboratory's test report)


#: Photos and videos: what complaints, reports, reviews and case notes take.
MEDIA_KINDS = frozenset({EvidenceKind.PHOTO, EvidenceKind.VIDEO})


class PublicCopy(StrEnum):
    """Whether a copy without metadata exists that may ever be shown beyond the handlers."""

    STRIPPED = "stripped"  # pixels re-encoded: no EXIF, GPS, XMP, ICC, comments
    # No tool here can rewrite the container without its metadata (a video's GPS atom):
    # the file stays with the handlers only, rather than a copy that merely claims to be clean.
    WITHHELD = "withheld"


class EvidenceFile(Base):
    """One received file: the original exactly as sent (restricted) and its public copy.

    ``sha256`` is the digest of the original bytes as received, so a handler can prove later
    that the file in the case is the one the person sent. ``original_name`` is the name the
    sender's device gave it: it may carry personal details, so it is shown to handlers only.
    """

    __tablename__ = "evidence_files"
    __table_args__ = (Index("ix_evidence_files_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable handle used in URLs, so files cannot be enumerated by id.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    owner_type: Mapped[str] = mapped_column(String(24))
    owner_id: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)  # order in the submission
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, 8))
    media_type: Mapped[str] = mapped_column(String(40))  # of the original
    original_name: Mapped[str] = mapped_column(String(200))
    original_path: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    public_copy: Mapped[PublicCopy] = mapped_column(str_enum(PublicCopy, 12))
    public_path: Mapped[str | None] = mapped_column(String(200))
    thumb_path: Mapped[str | None] = mapped_column(String(200))
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
