"""The document files of a ledger line as a multipart form sends them (the enterprise
portal's form and the API): each file in a field ``file_{document}`` (``file_voucher``,
``file_licence``, ...), checked for size and type when the service stores it."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from sunshine.core import evidence
from sunshine.ingredients.enums import DocumentKind
from sunshine.ingredients.service import DocumentFile


def document_files(form: FormData) -> list[DocumentFile]:
    files = []
    for kind in DocumentKind:
        for item in form.getlist(f"file_{kind.value}"):
            if isinstance(item, UploadFile) and item.filename:
                files.append(DocumentFile(kind, evidence.Upload(item.filename, item.file)))
    return files
