"""GeoReport v2 bodies in JSON and XML, and its error arrays.

The spec's JSON is the "Spark convention" mapping of its XML: a list in JSON is, in XML, a
container element holding one child per item (``<services><service>…``, ``<attributes>
<attribute>…``, ``<formats><format>…``). One structure of plain dicts and lists therefore
renders as either, given the names of the children (:data:`ITEMS`). XML is built with
:mod:`xml.etree.ElementTree`, which escapes ``<``, ``&`` and quotes in user text; characters
XML 1.0 cannot carry at all (most control characters) are replaced, so a description typed
with one still gives a well-formed document.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from starlette.responses import Response


class Format(StrEnum):
    JSON = "json"
    XML = "xml"


CONTENT_TYPES = {
    Format.JSON: "application/json; charset=utf-8",
    Format.XML: "text/xml; charset=utf-8",
}

#: Container element → the element of each item in it.
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def parse_format(value: str) -> Format | None:
    try:
        return Format(value.lower())
    except ValueError:
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item = ITEMS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` as a GeoReport XML document with ``root`` as its root element."""
    element = ET.Element(root)
    _fill(element, data)
    ET.indent(element)  # readable with curl; whitespace only between elements, never in text
    return _DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def respond(
    fmt: Format,
    root: str,
    data: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``data`` in the format asked for; ``root`` names the XML root element."""
    body = to_xml(root, data) if fmt is Format.XML else to_json(data)
    return Response(body, status_code=status, headers=headers, media_type=CONTENT_TYPES[fmt])


def errors(
    fmt: Format,
    status: int,
    descriptions: Sequence[str],
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The spec's error array: one ``{code, description}`` per problem, ``code`` the status."""
    items = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, "errors", items, status=status, headers=headers)
