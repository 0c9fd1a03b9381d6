"""PDF documents as evidence (a sample's test report): found by their header, refused when
cut short, kept without a public copy, and still refused wherever only photos and videos
are taken."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from helpers import tiny_pdf
from sunshine.auth.principal import ANONYMOUS
from sunshine.config import Settings
from sunshine.core import evidence, storage
from sunshine.core.errors import NotFoundError
from sunshine.core.evidence_models import MEDIA_KINDS, EvidenceKind, PublicCopy

REPORTS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.DOCUMENT, EvidenceKind.PHOTO}), max_files=3, field="report_files"
)
MEDIA = evidence.EvidenceRules(kinds=MEDIA_KINDS, max_files=3, field="files")


def upload(name: str, data: bytes) -> evidence.Upload:
    return evidence.Upload(filename=name, source=io.BytesIO(data))


@pytest.fixture
def evidence_dir(settings: Settings) -> Path:
    return storage.root() / evidence.AREA


def test_a_pdf_is_kept_as_received_without_a_public_copy(
    session: Session, evidence_dir: Path
) -> None:
    data = tiny_pdf()
    [document] = evidence.prepare(
        session=session, uploads=[upload("报告.pdf", data)], rules=REPORTS
    )
    assert (document.kind, document.media_type) == (EvidenceKind.DOCUMENT, "application/pdf")
    assert document.public_copy is PublicCopy.WITHHELD and document.public_path is None
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert (evidence_dir / document.token / "original.pdf").read_bytes() == data
    rows = evidence.record(
        session=session, actor=ANONYMOUS, prepared=[document], owner_type="sample", owner_id=10**9
    )
    with pytest.raises(NotFoundError):
        evidence.open_public(session=session, actor=ANONYMOUS, token=rows[0].token)


def test_a_cut_or_fake_pdf_is_refused(session: Session, evidence_dir: Path) -> None:
    data = tiny_pdf()
    with pytest.raises(evidence.EvidenceRejected) as cut:
        evidence.prepare(session=session, uploads=[upload("r.pdf", data[:-40])], rules=REPORTS)
    assert (cut.value.status, cut.value.problems[0].code) == (422, "damaged")
    with pytest.raises(evidence.EvidenceRejected) as fake:
        evidence.prepare(
            session=session,
            uploads=[upload("r.pdf", b"%PDF-1.4 but really a note\n")],
            rules=REPORTS,
        )
    assert fake.value.problems[0].code == "damaged"
    with pytest.raises(evidence.EvidenceRejected) as text:
        evidence.prepare(session=session, uploads=[upload("r.pdf", b"hello\n")], rules=REPORTS)
    assert "PDF documents or JPEG, PNG or WebP photos" in text.value.problems[0].text


def test_where_photos_and_videos_are_taken_a_pdf_is_refused_as_before(session: Session) -> None:
    with pytest.raises(evidence.EvidenceRejected) as refused:
        evidence.prepare(session=session, uploads=[upload("r.pdf", tiny_pdf())], rules=MEDIA)
    [problem] = refused.value.problems
    assert (refused.value.status, problem.code) == (415, "unsupported_type")
    assert "JPEG, PNG or WebP photos, or MP4, MOV or WebM videos" in problem.text
