"""Evidence files (证据材料): receive, check, hash, strip and serve photos, short videos and
PDF documents.

How an owner (reviews, complaints, reports) uses it, in one transaction:

1. ``prepared = evidence.prepare(session=..., uploads=..., rules=...)`` before writing any
   row: every file is streamed to disk with a byte counter (:func:`sunshine.core.storage.receive`),
   its type found from its content (magic bytes, then Pillow or a container walk, never the
   name), its SHA-256 taken from the bytes as received, and for photos a public copy made
   from the pixels only. Any problem with any file raises :class:`EvidenceRejected` listing
   every file at fault, and nothing is left on disk.
2. Create the owner row, flush, then ``evidence.record(session=..., actor=..., prepared=...,
   owner_type="review", owner_id=review.id)`` adds the ``evidence_files`` rows.

Files written for a transaction that rolls back are removed after the rollback; files
prepared but never recorded are removed after the commit, so the disk and the table agree.

Who may fetch what is decided by the owner's module: :data:`OWNER_POLICIES` names, per
``owner_type``, a function ``(session, actor, owner_id) -> Access``. The public copy is
served to anyone the policy gives :attr:`Access.PUBLIC`; the original only to
:attr:`Access.ORIGINAL` (case handlers), and every such view is audited.

Videos: no tool in this deployment rewrites a video container without its metadata (that
needs FFmpeg, e.g. PyAV's remux), so a video's public copy is :attr:`PublicCopy.WITHHELD`:
the original is kept for the handlers and nothing is shown publicly, rather than a copy that
only claims to be clean.

Documents (a laboratory's test report) are PDFs: the type is found from the ``%PDF-``
header, and a file whose end-of-file marker is missing (a truncated upload, or another
file renamed) is refused. A PDF carries metadata (author, software, dates) that nothing
here removes, so, like a video, its public copy is :attr:`PublicCopy.WITHHELD`: only those
the owner's policy gives the original may fetch it.
"""

from __future__ import annotations

import importlib
import re
import secrets
import shutil
import struct
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core import storage
from sunshine.core.errors import DomainError, FieldProblem, NotFoundError
from sunshine.core.evidence_models import MEDIA_KINDS, EvidenceFile, EvidenceKind, PublicCopy
from sunshine.core.i18n import N_, Message, ParamValue

AREA = "evidence"
HEAD_BYTES = 64
# Photos larger than this in pixels are refused before decoding (a "decompression bomb":
# a few KB of PNG can claim 100,000 x 100,000 pixels). 50 MP covers every phone camera.
MAX_PIXELS = 50_000_000
PUBLIC_LONG_EDGE = 1600  # enough to see a dirty table; smaller than the original, so lighter
THUMB_LONG_EDGE = 400
JPEG_QUALITY = 85

PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
VIDEO_FORMATS = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
# A test report of a few dozen pages with scanned signatures and seals (and no more than a
# portal form may carry, ``Settings.upload_max_bytes``).
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = re.compile(rb"^%PDF-[12]\.\d")
# Where the end-of-file marker may be: writers add a newline or a few bytes after it.
PDF_TAIL_BYTES = 1024
# ISO base media brands (the ``ftyp`` box) of phone and camera videos.
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"MSNV",
        b"3gp4",
        b"3gp5",
        b"3gp6",
        b"3g2a",
        b"dash",
        b"mmp4",
    }
)
MOV_BRANDS = frozenset({b"qt  "})
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"avif"})
# Top-level atoms an old QuickTime file (no ``ftyp``) may start with.
QUICKTIME_FIRST_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip"})
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_SEGMENT = 0x18538067

TOO_LARGE = N_("{name}: the file is too large; the limit for a {kind} is {limit}")
TOO_MANY_PIXELS = N_("{name}: the photo has too many pixels (at most {limit} megapixels)")
WRONG_TYPE = N_("{name}: not a supported file; send {accepted}")
HEIF = N_(
    "{name}: HEIC/HEIF photos are not accepted; send it as JPEG "
    "(on an iPhone: Settings › Camera › Formats › Most Compatible)"
)
BROKEN = N_("{name}: the file is damaged or incomplete")
EMPTY = N_("{name}: the file is empty")
TOO_MANY = N_("At most {limit} files can be sent at once")
KIND_NOT_ACCEPTED = N_("{name}: a {kind} cannot be sent here; send {accepted}")
ACCEPTED = {
    frozenset({EvidenceKind.PHOTO}): N_("JPEG, PNG or WebP photos"),
    frozenset({EvidenceKind.VIDEO}): N_("MP4, MOV or WebM videos"),
    MEDIA_KINDS: N_("JPEG, PNG or WebP photos, or MP4, MOV or WebM videos"),
    frozenset({EvidenceKind.DOCUMENT}): N_("PDF documents"),
    frozenset({EvidenceKind.DOCUMENT, EvidenceKind.PHOTO}): N_(
        "PDF documents or JPEG, PNG or WebP photos"
    ),
    frozenset({EvidenceKind.DOCUMENT, EvidenceKind.VIDEO}): N_(
        "PDF documents or MP4, MOV or WebM videos"
    ),
    frozenset(EvidenceKind): N_(
        "JPEG, PNG or WebP photos, MP4, MOV or WebM videos, or PDF documents"
    ),
}
KIND_NAMES = {
    EvidenceKind.PHOTO: N_("photo"),
    EvidenceKind.VIDEO: N_("video"),
    EvidenceKind.DOCUMENT: N_("document"),
}


class Access(IntEnum):
    """What a principal may fetch of one owner's files (ordered: each includes the last)."""

    NONE = 0
    PUBLIC = 1  # the copy without metadata
    ORIGINAL = 2  # the file exactly as received (case handlers)


AccessPolicy = Callable[[Session, Principal, int], Access]

#: ``owner_type`` -> ``"module:function"`` deciding access to that owner's files. Named as
#: data (imported on first use) so this core module depends on no domain.
OWNER_POLICIES: dict[str, str] = {
    "review": "sunshine.cogovernance.reviews.service:evidence_access",
    "complaint": "sunshine.cogovernance.complaints.service:evidence_access",
    "complaint_answer": "sunshine.cogovernance.complaints.service:evidence_access",
    "report": "sunshine.cogovernance.reports.service:evidence_access",
    "case_note": "sunshine.cases.notes:evidence_access",
    "inspection": "sunshine.inspections.records:evidence_access",
    "sample": "sunshine.sampling.records:evidence_access",
    "rectification_item": "sunshine.inspections.rectification:evidence_access",
    "penalty_decision": "sunshine.inspections.rectification_penalties:evidence_access",
    "self_inspection": "sunshine.inspections.self_service:evidence_access",
    "self_check_todo": "sunshine.inspections.self_service:todo_evidence_access",
    "ledger_line": "sunshine.ingredients.service:evidence_access",
    "shipment": "sunshine.ingredients.shipments:evidence_access",
    "kitchen_alert": "sunshine.kitchen.service:evidence_access",
    "kitchen_alert_action": "sunshine.kitchen.service:action_evidence_access",
}


#: ``owner_type`` -> ``"module:function"`` told when an original is opened, as
#: ``(session, actor, owner_id, token)``: the owner records the view where its users look
#: (a case's timeline); the audit entry is written here for every owner.
ORIGINAL_VIEW_HOOKS: dict[str, str] = {
    "complaint": "sunshine.cogovernance.complaints.service:original_viewed",
    "complaint_answer": "sunshine.cogovernance.complaints.service:original_viewed",
    "report": "sunshine.cogovernance.reports.service:original_viewed",
    "case_note": "sunshine.cases.notes:original_viewed",
}


class EvidenceRejected(DomainError):
    """Files refused before anything was kept; ``problems`` names each file at fault."""


@dataclass(frozen=True)
class Upload:
    """One file as a route received it: the name the device gave and a readable stream."""

    filename: str | None
    source: BinaryIO


@dataclass(frozen=True)
class EvidenceRules:
    """What one form accepts: which kinds, how many files, under which field name."""

    kinds: frozenset[EvidenceKind]
    max_files: int
    field: str = "files"


@dataclass(frozen=True)
class PreparedFile:
    """A checked file on disk, not yet recorded in the database."""

    token: str
    kind: EvidenceKind
    media_type: str
    original_name: str
    original_path: str
    size: int
    sha256: str
    public_copy: PublicCopy
    public_path: str | None
    thumb_path: str | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class ServedFile:
    path: Path
    media_type: str
    download_name: str


@dataclass(frozen=True)
class _Sniffed:
    kind: EvidenceKind
    format_label: str  # "JPEG" | "PNG" | "WEBP" | "mp4" | "mov" | "webm" | "heif"


class _Problem(Exception):
    """One file's problem while it is checked (turned into a :class:`FieldProblem`)."""

    def __init__(self, message: str, code: str, status: int, **params: ParamValue) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.params = message, code, status, params


# Receiving ----------------------------------------------------------------------------------


def limit_for(kind: EvidenceKind) -> int:
    settings = get_settings()
    if kind is EvidenceKind.VIDEO:
        return settings.evidence_video_max_bytes
    if kind is EvidenceKind.DOCUMENT:
        return DOCUMENT_MAX_BYTES
    return settings.evidence_photo_max_bytes


def prepare(
    *, session: Session, uploads: Sequence[Upload], rules: EvidenceRules
) -> list[PreparedFile]:
    """Check and store every upload (see the module notes); all or nothing."""
    uploads = [u for u in uploads if u.filename]  # a form's empty file input sends no name
    if len(uploads) > rules.max_files:
        raise EvidenceRejected(
            message=TOO_MANY,
            status=422,
            slug="too-many-files",
            params={"limit": rules.max_files},
            problems=[
                FieldProblem(
                    rules.field, TOO_MANY, code="too_many", params={"limit": rules.max_files}
                )
            ],
        )
    prepared: list[PreparedFile] = []
    problems: list[tuple[int, FieldProblem]] = []
    for position, upload in enumerate(uploads, start=1):
        name = storage.clean_filename(upload.filename)
        try:
            prepared.append(_prepare_one(upload, name, rules))
        except _Problem as problem:
            params = {"name": name, **problem.params}
            problems.append(
                (
                    problem.status,
                    FieldProblem(
                        rules.field, problem.message, position, problem.code, dict(params)
                    ),
                )
            )
    if problems:
        for done in prepared:
            _remove_folder(done.token)
        # Several problems: the most telling status (size, then type, then a damaged file).
        found = {status for status, _ in problems}
        status = next(code for code in (413, 415, 422) if code in found)
        first = problems[0][1]
        raise EvidenceRejected(
            message=first.message,
            status=status,
            slug={413: "file-too-large", 415: "unsupported-file-type"}.get(status, "bad-file"),
            params=dict(first.params),
            problems=[problem for _, problem in problems],
        )
    _track(session, [p.token for p in prepared])
    return prepared


def _prepare_one(upload: Upload, name: str, rules: EvidenceRules) -> PreparedFile:
    head = upload.source.read(HEAD_BYTES)
    if not head:
        raise _Problem(EMPTY, "empty", 422)
    sniffed = _sniff(head, name, rules)
    limit = limit_for(sniffed.kind)
    token = secrets.token_hex(16)
    folder = storage.new_folder(AREA, token)
    try:
        try:
            received = storage.receive(_Prefixed(head, upload.source), folder=folder, limit=limit)
        except storage.UploadRejected as exc:
            raise _Problem(
                TOO_LARGE,
                "too_large",
                413,
                kind=Message(KIND_NAMES[sniffed.kind]),
                limit=storage.human_size(limit),
            ) from exc
        if sniffed.kind is EvidenceKind.PHOTO:
            return _keep_photo(received, folder, token, name)
        if sniffed.kind is EvidenceKind.DOCUMENT:
            return _keep_document(received, folder, token, name)
        return _keep_video(received, folder, token, name, sniffed.format_label)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


class _Prefixed:
    """``head`` (already read to sniff the type) followed by the rest of ``source``."""

    def __init__(self, head: bytes, source: BinaryIO) -> None:
        self._head, self._source = head, source

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._source.read(size)


def _accepted(rules: EvidenceRules) -> Message:
    return Message(ACCEPTED[rules.kinds])


def _sniff(head: bytes, name: str, rules: EvidenceRules) -> _Sniffed:
    """The type the first bytes announce (Pillow and the container walk confirm it later)."""
    found = _sniff_head(head)
    if found is None:
        raise _Problem(WRONG_TYPE, "unsupported_type", 415, accepted=_accepted(rules))
    if found.format_label == "heif":
        raise _Problem(HEIF, "unsupported_type", 415)
    if found.kind is EvidenceKind.DOCUMENT and found.kind not in rules.kinds:
        # Where only photos and videos are taken, a PDF is just another unsupported file.
        raise _Problem(WRONG_TYPE, "unsupported_type", 415, accepted=_accepted(rules))
    if found.kind not in rules.kinds:
        raise _Problem(
            KIND_NOT_ACCEPTED,
            "kind_not_accepted",
            415,
            kind=Message(KIND_NAMES[found.kind]),
            accepted=_accepted(rules),
        )
    return found


def _sniff_head(head: bytes) -> _Sniffed | None:
    if PDF_MAGIC.match(head):
        return _Sniffed(EvidenceKind.DOCUMENT, "pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return _Sniffed(EvidenceKind.PHOTO, "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _Sniffed(EvidenceKind.PHOTO, "PNG")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _Sniffed(EvidenceKind.PHOTO, "WEBP")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in HEIF_BRANDS:
            return _Sniffed(EvidenceKind.PHOTO, "heif")
        if brand in MOV_BRANDS:
            return _Sniffed(EvidenceKind.VIDEO, "mov")
        if brand in MP4_BRANDS:
            return _Sniffed(EvidenceKind.VIDEO, "mp4")
        return None
    if head[4:8] in QUICKTIME_FIRST_ATOMS:
        return _Sniffed(EvidenceKind.VIDEO, "mov")
    if head.startswith(EBML_MAGIC) and b"webm" in head:
        return _Sniffed(EvidenceKind.VIDEO, "webm")
    return None


# Photos ------------------------------------------------------------------------------------


def _keep_photo(received: storage.Received, folder: Path, token: str, name: str) -> PreparedFile:
    image = _open_photo(received.path)
    try:
        fmt = image.format or ""
        media_type, extension = PHOTO_FORMATS[fmt]
        clean = _pixels_only(image)
    finally:
        image.close()
    original = folder / f"original.{extension}"
    received.path.replace(original)
    width, height = clean.size
    public = _save_copy(clean, folder / "public.jpg", PUBLIC_LONG_EDGE)
    thumb = _save_copy(clean, folder / "thumb.jpg", THUMB_LONG_EDGE)
    return PreparedFile(
        token=token,
        kind=EvidenceKind.PHOTO,
        media_type=media_type,
        original_name=name,
        original_path=f"{AREA}/{token}/{original.name}",
        size=received.size,
        sha256=received.sha256,
        public_copy=PublicCopy.STRIPPED,
        public_path=f"{AREA}/{token}/{public.name}",
        thumb_path=f"{AREA}/{token}/{thumb.name}",
        width=width,
        height=height,
    )


def _open_photo(path: Path) -> Image.Image:
    """The decoded photo, or a :class:`_Problem` when it is not a whole JPEG/PNG/WebP."""
    formats = tuple(PHOTO_FORMATS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=formats) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _Problem(
                        TOO_MANY_PIXELS, "too_many_pixels", 413, limit=MAX_PIXELS // 1_000_000
                    )
                probe.verify()  # structure and checksums, without decoding
            image = Image.open(path, formats=formats)
            image.load()  # a truncated file fails here
            return image
    except _Problem:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _Problem(
            TOO_MANY_PIXELS, "too_many_pixels", 413, limit=MAX_PIXELS // 1_000_000
        ) from exc
    except UnidentifiedImageError as exc:
        raise _Problem(
            WRONG_TYPE,
            "unsupported_type",
            415,
            accepted=Message(ACCEPTED[frozenset({EvidenceKind.PHOTO})]),
        ) from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise _Problem(BROKEN, "damaged", 422) from exc


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image holding only the photo's pixels, the right way up, in sRGB.

    The orientation tag is applied first (phones store photos sideways and rotate them on
    screen), an embedded colour profile is converted to sRGB (else wide-gamut phone photos
    look dull once the profile is dropped), and transparency is laid on white. Building the
    result from raw pixel bytes leaves every other piece of metadata behind: EXIF (GPS,
    device, time), XMP, IPTC, ICC and comments.
    """
    upright = ImageOps.exif_transpose(image)
    profile = upright.info.get("icc_profile")
    if profile:
        upright = _to_srgb(upright, profile)
    if upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    ):
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    rgb = upright.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    import io

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGB" if image.mode not in ("RGBA", "LA", "PA") else "RGBA"
        converted = ImageCms.profileToProfile(image.convert(mode), source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are
    return converted if isinstance(converted, Image.Image) else image


def _save_copy(image: Image.Image, path: Path, long_edge: int) -> Path:
    copy = image.copy()
    copy.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    # No exif=, icc_profile= or comment: Pillow then writes the pixels and a bare JFIF header.
    copy.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return path


# Videos ------------------------------------------------------------------------------------


def _keep_video(
    received: storage.Received, folder: Path, token: str, name: str, label: str
) -> PreparedFile:
    with received.path.open("rb") as stream:
        whole = (
            _whole_iso_file(stream, received.size)
            if label in ("mp4", "mov")
            else (_whole_webm(stream))
        )
    if not whole:
        raise _Problem(BROKEN, "damaged", 422)
    return _withheld(received, folder / f"original.{label}", token, name, EvidenceKind.VIDEO)


def _whole_iso_file(stream: BinaryIO, size: int) -> bool:
    """Whether the top-level boxes of an MP4/MOV tile the file exactly and include ``moov``.

    A renamed text or a truncated upload fails: its box sizes run past the end or stop short.
    """
    offset, seen = 0, set()
    while offset < size:
        stream.seek(offset)
        header = stream.read(8)
        if len(header) < 8:
            return False
        box_size, box_type = struct.unpack(">I4s", header)
        if box_size == 1:
            large = stream.read(8)
            if len(large) < 8:
                return False
            box_size = struct.unpack(">Q", large)[0]
        elif box_size == 0:
            box_size = size - offset  # runs to the end of the file
        if box_size < 8 or offset + box_size > size:
            return False
        seen.add(box_type)
        offset += box_size
    return b"moov" in seen


def _read_vint(stream: BinaryIO, *, keep_marker: bool) -> int | None:
    """An EBML variable-length integer (element ids keep their length marker)."""
    first = stream.read(1)
    if not first:
        return None
    byte = first[0]
    for length in range(1, 9):
        if byte & (0x80 >> (length - 1)):
            rest = stream.read(length - 1)
            if len(rest) < length - 1:
                return None
            value = byte if keep_marker else byte & (0xFF >> length)
            for extra in rest:
                value = (value << 8) | extra
            return value
    return None


def _whole_webm(stream: BinaryIO) -> bool:
    """Whether a WebM starts with a whole EBML header followed by its Segment."""
    stream.seek(0)
    if _read_vint(stream, keep_marker=True) != int.from_bytes(EBML_MAGIC, "big"):
        return False
    header_size = _read_vint(stream, keep_marker=False)
    if header_size is None:
        return False
    header = stream.read(header_size)
    if len(header) < header_size or b"webm" not in header:
        return False
    return _read_vint(stream, keep_marker=True) == EBML_SEGMENT


# Documents ---------------------------------------------------------------------------------


def _keep_document(received: storage.Received, folder: Path, token: str, name: str) -> PreparedFile:
    """A PDF kept as received (its metadata included, so no public copy is made)."""
    with received.path.open("rb") as stream:
        if not _whole_pdf(stream, received.size):
            raise _Problem(BROKEN, "damaged", 422)
    return _withheld(received, folder / "original.pdf", token, name, EvidenceKind.DOCUMENT)


def _withheld(
    received: storage.Received, original: Path, token: str, name: str, kind: EvidenceKind
) -> PreparedFile:
    """A file kept exactly as received, with no public copy (see the module notes)."""
    received.path.replace(original)
    suffix = original.suffix.lstrip(".")
    media_type = "application/pdf" if kind is EvidenceKind.DOCUMENT else VIDEO_FORMATS[suffix]
    return PreparedFile(
        token=token,
        kind=kind,
        media_type=media_type,
        original_name=name,
        original_path=f"{AREA}/{token}/{original.name}",
        size=received.size,
        sha256=received.sha256,
        public_copy=PublicCopy.WITHHELD,
        public_path=None,
        thumb_path=None,
        width=None,
        height=None,
    )


def _whole_pdf(stream: BinaryIO, size: int) -> bool:
    """Whether a file that starts like a PDF also ends like one: an ``%%EOF`` marker in
    its last bytes, after a cross-reference (``startxref``). A truncated upload stops short
    of both; a text renamed ``.pdf`` has neither."""
    stream.seek(max(0, size - PDF_TAIL_BYTES))
    tail = stream.read(PDF_TAIL_BYTES)
    end = tail.rfind(b"%%EOF")
    return end != -1 and b"startxref" in tail[:end]


# Recording and cleaning up ----------------------------------------------------------------

_WRITTEN = "sunshine.evidence.written"
_UNRECORDED = "sunshine.evidence.unrecorded"


def _track(session: Session, tokens: list[str]) -> None:
    """Tie the files to the session's transaction (begun here if need be), so its commit or
    rollback decides what stays on disk."""
    session.connection()
    session.info.setdefault(_WRITTEN, set()).update(tokens)
    session.info.setdefault(_UNRECORDED, set()).update(tokens)


def record(
    *,
    session: Session,
    actor: Principal,
    prepared: Sequence[PreparedFile],
    owner_type: str,
    owner_id: int,
) -> list[EvidenceFile]:
    """The rows of ``prepared`` files, attached to their owner (in the caller's transaction)."""
    if owner_type not in OWNER_POLICIES:
        raise ValueError(f"no access policy for evidence of {owner_type!r}")
    rows = []
    for position, item in enumerate(prepared, start=1):
        row = EvidenceFile(
            token=item.token,
            owner_type=owner_type,
            owner_id=owner_id,
            position=position,
            kind=item.kind,
            media_type=item.media_type,
            original_name=item.original_name,
            original_path=item.original_path,
            size=item.size,
            sha256=item.sha256,
            public_copy=item.public_copy,
            public_path=item.public_path,
            thumb_path=item.thumb_path,
            width=item.width,
            height=item.height,
            uploaded_by_id=actor.user_id,
        )
        session.add(row)
        rows.append(row)
        session.info.get(_UNRECORDED, set()).discard(item.token)
    session.flush()
    for row in rows:
        audit.record(
            session=session,
            actor=actor,
            action="evidence.receive",
            entity_type="evidence_file",
            entity_id=row.id,
            after={
                "owner": f"{owner_type}:{owner_id}",
                "kind": row.kind.value,
                "sha256": row.sha256,
                "size": row.size,
                "public_copy": row.public_copy.value,
            },
        )
    return rows


def _remove_folder(token: str) -> None:
    shutil.rmtree(storage.root() / AREA / token, ignore_errors=True)


@event.listens_for(Session, "after_commit")
def _drop_unrecorded(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for token in session.info.pop(_UNRECORDED, set()):
        _remove_folder(token)


@event.listens_for(Session, "after_rollback")
def _drop_written(session: Session) -> None:
    session.info.pop(_UNRECORDED, None)
    for token in session.info.pop(_WRITTEN, set()):
        _remove_folder(token)


# Reading and serving ----------------------------------------------------------------------


def files_of(
    session: Session, *, owner_type: str, owner_ids: Sequence[int]
) -> dict[int, list[EvidenceFile]]:
    """The files of several owners at once (one query), in submission order."""
    if not owner_ids:
        return {}
    stmt = (
        select(EvidenceFile)
        .where(EvidenceFile.owner_type == owner_type, EvidenceFile.owner_id.in_(list(owner_ids)))
        .order_by(EvidenceFile.owner_id, EvidenceFile.position)
    )
    found: dict[int, list[EvidenceFile]] = {}
    for row in session.execute(stmt).scalars():
        found.setdefault(row.owner_id, []).append(row)
    return found


def _by_token(session: Session, token: str) -> EvidenceFile:
    row = None
    if token.isalnum() and len(token) <= 32:
        stmt = select(EvidenceFile).where(EvidenceFile.token == token)
        row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise NotFoundError(N_("No such file"))
    return row


def access_to(session: Session, actor: Principal, row: EvidenceFile) -> Access:
    """What ``actor`` may fetch of ``row``, as its owner's policy says."""
    target = OWNER_POLICIES.get(row.owner_type)
    if target is None:
        return Access.NONE
    module, _, name = target.partition(":")
    policy: AccessPolicy = getattr(importlib.import_module(module), name)
    return policy(session, actor, row.owner_id)


def open_public(
    *, session: Session, actor: Principal, token: str, thumbnail: bool = False
) -> ServedFile:
    """The copy without metadata, when the owner's policy makes it visible to ``actor``.

    404 (not 403) otherwise, so a hidden file's existence is not revealed.
    """
    row = _by_token(session, token)
    relative = row.thumb_path if thumbnail else row.public_path
    if (
        row.public_copy is not PublicCopy.STRIPPED
        or relative is None
        or access_to(session, actor, row) < Access.PUBLIC
    ):
        raise NotFoundError(N_("No such file"))
    suffix = "thumb" if thumbnail else "photo"
    return ServedFile(storage.path_of(relative), "image/jpeg", f"{row.token}-{suffix}.jpg")


def open_original(*, session: Session, actor: Principal, token: str) -> ServedFile:
    """The file exactly as received, for those the owner's policy names (audited)."""
    row = _by_token(session, token)
    if access_to(session, actor, row) < Access.ORIGINAL:
        raise NotFoundError(N_("No such file"))
    audit.record(
        session=session,
        actor=actor,
        action="evidence.view_original",
        entity_type="evidence_file",
        entity_id=row.id,
        after={"owner": f"{row.owner_type}:{row.owner_id}", "sha256": row.sha256},
    )
    hook = ORIGINAL_VIEW_HOOKS.get(row.owner_type)
    if hook is not None:
        module, _, name = hook.partition(":")
        getattr(importlib.import_module(module), name)(session, actor, row.owner_id, row.token)
    extension = Path(row.original_path).suffix
    return ServedFile(storage.path_of(row.original_path), row.media_type, f"{row.token}{extension}")
