"""The CBV 2.0 event hash (CBV 2.0 section 8.9 "Event Hash ID"): an event's identity.

Reimplemented from the algorithm of the reference implementation, RalphTro/epcis-event-hash-
generator (MIT), files ``epcis_event_hash_generator/__init__.py`` (``PROP_ORDER``, commit
084b00349014d1b7e269b28293be89ac59587638), ``hash_generator.py`` (commit
0099dc1b51281bb28d9f761bed097c307c8f7570) and ``json_to_py.py`` /
``json_xml_model_mismatch_correction.py``. The pre-hash string is:

1. ``eventType=`` and the type;
2. the fields of the canonical property order, each ``name=value`` (lists: the name once,
   then its elements sorted), times in UTC at millisecond precision with ``Z``, CBV values
   as web URIs (``https://ref.gs1.org/cbv/BizStep-shipping``), identifiers as canonical GS1
   Digital Links, numbers without trailing zeros;
3. every other field (business transactions, sources and destinations, ILMD, error
   declaration, user extensions with their namespace written ``{uri}local``), each rendered
   the same way and the whole sorted; ``eventID``, ``recordTime`` and comments are left out.

Then ``ni:///sha-256;{hex}?ver=CBV2.0``. Checked against the reference's test data (see
tests/traceability/test_epcis_hash.py). Known difference: the reference renders user
extensions nested inside a standard sub-structure (a sensor report's ``ext:field``) a second
time among the remaining fields; here they are rendered once, inside their structure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from sunshine.traceability.epcis import vocabulary as voc
from sunshine.traceability.epcis.identifiers import normalise_id
from sunshine.traceability.epcis.parse import STANDARD_PREFIXES, parse_time

_QUANTITY = (("epcClass", None), ("quantity", None), ("uom", None))
_METADATA = tuple(
    (name, None)
    for name in (
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
    )
)
_REPORT = tuple(
    (name, None)
    for name in (
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "time",
        "microorganism",
        "chemicalSubstance",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "uom",
        "coordinateReferenceSystem",
    )
)
#: (field, element name for lists, order of the element's own fields)
ORDER: tuple[tuple[str, str | None, Any], ...] = (
    ("eventTime", None, None),
    ("eventTimeZoneOffset", None, None),
    ("epcList", "epc", None),
    ("parentID", None, None),
    ("inputEPCList", "epc", None),
    ("childEPCs", "epc", None),
    ("quantityList", "quantityElement", _QUANTITY),
    ("childQuantityList", "quantityElement", _QUANTITY),
    ("inputQuantityList", "quantityElement", _QUANTITY),
    ("outputEPCList", "epc", None),
    ("outputQuantityList", "quantityElement", _QUANTITY),
    ("action", None, None),
    ("transformationID", None, None),
    ("bizStep", None, None),
    ("disposition", None, None),
    ("persistentDisposition", None, (("set", None), ("unset", None))),
    ("readPoint", None, (("id", None),)),
    ("bizLocation", None, (("id", None),)),
    (
        "sensorElementList",
        "sensorElement",
        (("sensorMetadata", _METADATA), ("sensorReport", _REPORT)),
    ),
)
_ORDERED = {name for name, _, _ in ORDER}
_IGNORED = {"eventID", "recordTime", "@context", "type", "rdfs:comment", "comment"}
#: Element names of list fields outside the order (the XML element of each JSON list item).
_ELEMENTS = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
    "correctiveEventIDs": "correctiveEventID",
}
_VOCABULARY_OF = {
    "bizStep": voc.BIZ_STEP,
    "disposition": voc.DISPOSITION,
    "set": voc.DISPOSITION,
    "unset": voc.DISPOSITION,
    "reason": voc.ERROR_REASON,
}


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Whether a field name names a time (memo of :func:`_is_time`: the same names recur).
_TIME_NAMES: dict[str, bool] = {}


def _is_time(name: str) -> bool:
    found = _TIME_NAMES.get(name)
    if found is None:
        lowered = name.lower()
        found = "time" in lowered and "offset" not in lowered
        if len(_TIME_NAMES) < 10_000:  # extension names are the sender's: bounded
            _TIME_NAMES[name] = found
    return found


def _scalar(name: str, value: Any, *, times: bool) -> str:
    """A value in the canonical form the hash compares."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    text = str(value).strip()
    if times and _is_time(name):
        moment = parse_time(text)
        if moment is not None:
            return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
    vocabulary = _VOCABULARY_OF.get(name)
    if vocabulary is not None:
        return voc.web_uri(vocabulary, text)
    try:
        return (
            _number(float(text))
            if text.replace(".", "", 1).lstrip("+-").isdigit()
            else (normalise_id(text))
        )
    except ValueError:
        return text


class _Hasher:
    def __init__(self, namespaces: Mapping[str, str]) -> None:
        self.namespaces = {**STANDARD_PREFIXES, **namespaces}

    def key(self, name: str) -> str:
        prefix, sep, local = name.partition(":")
        if sep and prefix in self.namespaces and not local.startswith("//"):
            return "{" + self.namespaces[prefix] + "}" + local
        return name

    def ordered(self, value: Mapping[str, Any], order: Any) -> tuple[str, set[str]]:
        """The ordered part of an object and the names it consumed."""
        parts: list[str] = []
        used: set[str] = set()
        for entry in order:
            name, sub = entry[0], entry[-1]
            element = entry[1] if len(entry) == 3 else None
            if name not in value:
                continue
            used.add(name)
            item = value[name]
            if element is not None:
                rendered = sorted(self.element(element, x, sub) for x in item)
                if any(rendered):
                    parts.append(name + "".join(rendered))
            elif isinstance(item, list):
                rendered = sorted(self.element(name, x, sub) for x in item)
                parts.append("".join(r for r in rendered if r))
            else:
                text = self.element(name, item, sub)
                if text:
                    parts.append(text)
        return "".join(parts), used

    def element(self, name: str, value: Any, order: Any) -> str:
        if isinstance(value, dict):
            if order:
                head, used = self.ordered(value, order)
                rest = {k: v for k, v in value.items() if k not in used}
                tail = self.generic_children(rest)
                return name + head + tail if head or tail else ""
            return name + self.generic_children(value)
        if isinstance(value, list):
            return "".join(sorted(self.element(name, x, order) for x in value))
        text = _scalar(name, value, times=True)
        return f"{name}={text}" if text else ""

    def generic_children(self, value: Mapping[str, Any]) -> str:
        parts: list[str] = []
        for name, item in value.items():
            if name in _IGNORED:
                continue
            parts.extend(self.generic(name, item))
        return "".join(sorted(parts))

    def generic(self, name: str, value: Any) -> list[str]:
        key = self.key(name)
        if isinstance(value, list):
            element = _ELEMENTS.get(name)
            if element is not None:
                inner = sorted(self.list_element(element, x) for x in value)
                return [key + "".join(inner)]
            out: list[str] = []
            for item in value:
                out.extend(self.generic(name, item))
            return out
        if isinstance(value, dict):
            return [key + self.generic_children(value)]
        text = _scalar(name, value, times=False)
        return [f"{key}={text}" if text else key]

    def list_element(self, element: str, value: Any) -> str:
        """An item of bizTransactionList, sourceList, ...: its id as the element's value."""
        if isinstance(value, dict):
            rest = {k: v for k, v in value.items() if k != element}
            own = value.get(element)
            head = f"{element}={_scalar(element, own, times=False)}" if own is not None else element
            vocab = (
                voc.BIZ_TRANSACTION_TYPE
                if element == "bizTransaction"
                else (voc.SOURCE_DESTINATION_TYPE)
            )
            parts = []
            for k, v in rest.items():
                if k == "type" and isinstance(v, str):
                    parts.append(f"type={voc.web_uri(vocab, v)}")
                else:
                    parts.extend(self.generic(k, v))
            return head + "".join(sorted(parts))
        return f"{element}={_scalar(element, value, times=False)}"


def prehash(event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None) -> str:
    """The canonical pre-hash string of a normalised event."""
    hasher = _Hasher(namespaces or {})
    head, used = hasher.ordered(event, ORDER)
    rest = {k: v for k, v in event.items() if k not in used and k not in _ORDERED}
    return f"eventType={event['type']}" + head + hasher.generic_children(rest)


def event_hash(event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None) -> str:
    """The event hash ID (``ni:///sha-256;...?ver=CBV2.0``)."""
    digest = hashlib.sha256(prehash(event, namespaces).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"
