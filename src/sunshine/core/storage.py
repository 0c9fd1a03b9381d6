"""Uploaded files (上传文件): stored under ``settings.storage_dir``, checked before they are kept.

An upload is streamed to a temporary file in its final folder, counting bytes as it goes: past
``settings.upload_max_bytes`` the copy stops, the partial file is removed and nothing is kept.
The type is checked by the file name's extension and by the content: a ``.csv`` must decode as
UTF-8 (with or without a byte-order mark) or GB18030 (Chinese Excel saves CSV as GBK), and an
``.xlsx`` must be an Office Open XML spreadsheet (a zip whose ``[Content_Types].xml`` names a
spreadsheet). Only then is the file renamed into place: ``<area>/<token>/original.<ext>``.

Paths kept in the database are relative to ``storage_dir``, so the folder can move.
:func:`receive` (the counted, hashed copy) and :func:`new_folder` are shared with the
evidence files of :mod:`sunshine.core.evidence`, which check photos and videos instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from sunshine.config import get_settings
from sunshine.core.errors import DomainError
from sunshine.core.i18n import N_

CHUNK_BYTES = 64 * 1024
EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}
TYPE_MESSAGE = N_("file type not supported: expected .csv or .xlsx")
SIZE_MESSAGE = N_("file too large: the limit is {limit}")
EMPTY_MESSAGE = N_("the file is empty")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}
_CONTENT_TYPES_MAX = 1024 * 1024


class UploadRejected(DomainError):
    """An upload refused before anything was kept (``message``/``params`` translate)."""

    @classmethod
    def too_large(cls, limit: int) -> UploadRejected:
        return cls(
            message=SIZE_MESSAGE,
            status=413,
            slug="upload-too-large",
            params={"limit": human_size(limit)},
        )

    @classmethod
    def wrong_type(cls) -> UploadRejected:
        return cls(message=TYPE_MESSAGE, status=415, slug="unsupported-file-type")

    @classmethod
    def empty(cls) -> UploadRejected:
        return cls(message=EMPTY_MESSAGE, status=400, slug="empty-upload")


@dataclass(frozen=True)
class StoredFile:
    """A kept upload: its path relative to the storage folder, its type and size."""

    relative_path: str
    kind: str  # "csv" | "xlsx"
    size: int


def human_size(size: int) -> str:
    """``10485760`` -> ``"10 MiB"``; small limits (tests) in KiB or bytes."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def clean_filename(filename: str | None) -> str:
    """The file's own name as the user knows it (browsers may send a full Windows path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "upload"


def kind_of(filename: str) -> str:
    """``csv`` or ``xlsx`` from the extension, else :class:`UploadRejected`."""
    kind = EXTENSIONS.get(Path(clean_filename(filename)).suffix.lower())
    if kind is None:
        raise UploadRejected.wrong_type()
    return kind


def root() -> Path:
    return Path(get_settings().storage_dir)


def path_of(relative_path: str) -> Path:
    """The absolute path of a stored file; refuses a path that would leave the storage folder."""
    parts = PurePosixPath(relative_path).parts
    if not parts or relative_path.startswith("/") or ".." in parts:
        raise ValueError(f"not a storage path: {relative_path!r}")
    return root().joinpath(*parts)


def csv_encoding(data: bytes) -> str | None:
    """The encoding a CSV's bytes decode with (UTF-8 first, then GB18030), or ``None``."""
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(char in _CONTROL for char in text):
            return None  # binary content that happens to decode
        return encoding
    return None


def read_csv_text(path: Path) -> str:
    """A stored CSV's text (the encoding is detected as on upload)."""
    data = path.read_bytes()
    encoding = csv_encoding(data)
    if encoding is None:
        raise UploadRejected.wrong_type()
    return data.decode(encoding)


def is_xlsx(path: Path) -> bool:
    """Whether ``path`` is an Office Open XML spreadsheet (not just any zip or Office file)."""
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                return False
            if info.file_size > _CONTENT_TYPES_MAX:
                return False
            return b"spreadsheetml" in archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _content_matches(path: Path, kind: str) -> bool:
    if kind == "xlsx":
        return is_xlsx(path)
    return csv_encoding(path.read_bytes()) is not None


def save_upload(
    *,
    area: str,
    token: str,
    filename: str,
    source: BinaryIO,
    max_bytes: int | None = None,
) -> StoredFile:
    """Stream ``source`` into ``<area>/<token>/original.<ext>`` after checking size and type.

    Raises :class:`UploadRejected` (nothing is kept) when the file is larger than
    ``max_bytes`` (default ``settings.upload_max_bytes``), empty, or not a real CSV/XLSX.
    """
    kind = kind_of(filename)
    limit = get_settings().upload_max_bytes if max_bytes is None else max_bytes
    folder = new_folder(area, token)
    kept = False
    try:
        received = receive(source, folder=folder, limit=limit)
        if not _content_matches(received.path, kind):
            raise UploadRejected.wrong_type()
        final = folder / f"original.{kind}"
        received.path.replace(final)
        kept = True
        return StoredFile(
            relative_path=f"{area}/{token}/original.{kind}", kind=kind, size=received.size
        )
    finally:
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Received:
    """An upload copied into a temporary file of its final folder (not yet renamed)."""

    path: Path
    size: int
    sha256: str  # of the bytes exactly as received


def new_folder(area: str, token: str) -> Path:
    """The folder ``<area>/<token>`` of one upload, created (names must be plain)."""
    if not (area.isidentifier() and token.isalnum()):
        raise ValueError("area and token must be plain names")
    folder = root() / area / token
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Readable(Protocol):
    """Anything with ``read(size)``: an upload's spooled file, a socket stream, a wrapper."""

    def read(self, size: int = -1, /) -> bytes: ...


def receive(source: Readable, *, folder: Path, limit: int) -> Received:
    """Stream ``source`` into a temporary file in ``folder``, counting and hashing the bytes.

    Past ``limit`` bytes the copy stops; an empty source is refused too. Either way the
    partial file is removed and :class:`UploadRejected` raised. The caller checks the
    content and renames the file into place (same folder, so the rename is atomic).
    """
    descriptor, temporary = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := source.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise UploadRejected.too_large(limit)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRejected.empty()
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Received(path=Path(temporary), size=size, sha256=digest.hexdigest())


def delete(relative_path: str) -> None:
    """Remove a stored file and its token folder (missing files are ignored)."""
    path = path_of(relative_path)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: leave it
        path.parent.rmdir()
