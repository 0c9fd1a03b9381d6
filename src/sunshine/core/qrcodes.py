"""QR codes (segno) for the one-store-one-code pages."""

from __future__ import annotations

import io

import segno

from sunshine.config import get_settings


def store_url(public_code: str) -> str:
    """The public URL a store's QR code encodes (base URL configurable)."""
    return f"{get_settings().base_url.rstrip('/')}/s/{public_code}"


def png(data: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def svg(data: str, *, scale: int = 10, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, border=4, title=title, xmldecl=True, svgns=True
    )
    return buffer.getvalue()
