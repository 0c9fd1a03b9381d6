"""The fast path of bulk capture: plain valid events checked, normalised and hashed at once.

A bulk document holds thousands of events of a few plain shapes (standard fields, CBV values,
identifiers, quantities, parties, business transactions, ILMD and extensions), and the
detailed checker of :mod:`.parse` spends most of its time on what only a faulty event needs:
a JSON pointer for every field, closures per structure, a problem list per event. This path
walks such an event once, with the same scalar rules (the functions of :mod:`.parse`,
:mod:`.vocabulary` and :mod:`.identifiers`), and builds its CBV 2.0 pre-hash string in the
same walk with the renderers of :mod:`.hashing`.

It decides nothing on its own: an event it cannot accept plainly (any fault, an ``@context``
of its own, a structure it does not know such as a sensor element, an error declaration or an
extension inside a standard sub-structure) is handed back (``None``) to the detailed checker,
which finds its problems with their pointers and messages, or accepts it with its own rules.
What it accepts is exactly what the detailed checker would produce: the same normalised
event, key order included, the same namespaces and the same event hash
(tests/traceability/test_epcis_fast.py compares both on the conformance corpus and on
variants of every field).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sunshine.traceability.epcis import vocabulary as voc
from sunshine.traceability.epcis.hashing import _IGNORED, ORDER, _Hasher, _scalar
from sunshine.traceability.epcis.identifiers import normalise_id
from sunshine.traceability.epcis.parse import (
    MAX_URI,
    MAX_VOCABULARY,
    STANDARD_PREFIXES,
    TRANSFORMATION_PARTS,
    ParsedEvent,
    Problems,
    _Checker,
    _offset_delta,
    parse_time,
)

_UOM = re.compile(r"[A-Z0-9]{2,3}")  # parse._Checker.uom: a UN/CEFACT Rec 20 code
_ABSOLUTE_URI = voc._ABSOLUTE_URI
#: Each standard field's place in the hash's canonical order.
_POSITION = {name: i for i, (name, _, _) in enumerate(ORDER)}
_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_QUANTITY_FIELDS = ("epcClass", "quantity", "uom")
#: The fields of each event type as the detailed checker knows them, and the required ones:
#: read from it, so that a field it learns is handed to it until this path learns it too.
_KNOWN: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    kind: (frozenset(known), required)
    for kind in voc.EVENT_TYPES
    for known, required in [_Checker(Problems(), {})._fields_of(kind)]
}


class _Decline(Exception):
    """Not a plain valid event: the detailed checker decides."""


#: A field's check: its normalised value, or ``_Decline`` when it is not plainly valid.
_Check = Callable[["FastPath", Any], Any]


class FastPath:
    """The fast path of one document (its namespaces and what its events repeat)."""

    def __init__(self, namespaces: Mapping[str, str]) -> None:
        self.namespaces = namespaces
        #: Identifiers as sent that are valid, mapped to their stored form.
        self._ids: dict[str, str] = {}
        #: Vocabulary values as sent that are valid, by vocabulary, with their stored form.
        self._terms: dict[str, dict[str, str]] = {}
        self._hashers: dict[tuple[str, ...], _Hasher] = {}
        #: Hash parts of the values the events repeat (parties, CBV values, units, offsets).
        self._parts: dict[tuple[str, str], str] = {}
        self._generic: dict[tuple[tuple[str, ...], str, str], str] = {}
        self._items: dict[tuple[str, str, str], str] = {}
        #: ``_REPEATED`` fields as sent, with their stored form and hash part.
        self._repeated: dict[tuple[str, str], tuple[str, str]] = {}
        #: Sources and destinations as sent, with their checked form and hash part.
        self._parties: dict[tuple[str, str, str, str, str], tuple[dict[str, Any], str]] = {}

    def event(self, value: Any) -> ParsedEvent | None:
        """The event normalised and hashed, or None when the detailed checker must decide."""
        try:
            return self._event(value)
        except (_Decline, ValueError):  # IdentifierError and VocabularyError are ValueErrors
            return None

    # the event -------------------------------------------------------------------------

    def _event(self, value: Any) -> ParsedEvent:
        kind, known = _kind_of(value)
        out: dict[str, Any] = {}
        used: set[str] = set()
        head: dict[int, str] = {}
        rest: list[str] = []
        extensions: list[tuple[str, Any]] = []
        moment: datetime | None = None  # eventTime is required: set below
        for key, item in value.items():
            if key not in known:  # a user extension, kept as sent
                self._extension_key(key, used)
                self._note_prefixes(item, used)
                out[key] = item
                if key not in _IGNORED:
                    extensions.append((key, item))
            elif key == "eventTime":
                out[key] = item
                moment = self._time(item)
                head[_POSITION[key]] = _hash_time(moment)
            elif key == "ilmd":  # an object of user extensions
                out[key] = self._ilmd(item, used)
                extensions.append((key, out[key]))
            elif key == "recordTime":
                self._time(item)  # checked, then dropped: the repository sets it
            elif key in _REPEATED and type(item) is str:
                out[key], text = self._repeated_field(key, item)
                if text:
                    head[_POSITION[key]] = text
            elif key in _PARTIES and type(item) is list and len(item) == 1:
                # A document's events name a few parties again and again: a list of one
                # party of two plain strings is checked and rendered once per party.
                rest.append(self._one_party(key, item[0], out))
            else:
                check = _CHECKS.get(key)
                if check is None:
                    raise _Decline  # a structure this path leaves to the detailed checker
                result = out[key] = check(self, item)
                position = _POSITION.get(key)
                if position is not None:
                    text = _RENDER[key](self, result)
                    if text:
                        head[position] = text
                elif key in _PARTY_LISTS:
                    rest.append(self.party_list(key, result))
        if kind == "TransactionEvent" and not out.get("bizTransactionList"):
            raise _Decline
        namespaces = {prefix: self.namespaces[prefix] for prefix in sorted(used)}
        if extensions:
            rest.extend(self._extension_parts(extensions, namespaces))
        prehash = (
            "eventType=" + kind + "".join(head[p] for p in sorted(head)) + "".join(sorted(rest))
        )
        digest = hashlib.sha256(prehash.encode("utf-8")).hexdigest()
        if namespaces:
            out = {"@context": [namespaces], **out}
        return ParsedEvent(
            index=0,
            event=out,
            namespaces=namespaces,
            hash=f"ni:///sha-256;{digest}?ver=CBV2.0",
            event_time=moment,
        )

    def _one_party(self, key: str, item: Any, out: dict[str, Any]) -> str:
        """A source or destination list of one item: checked into ``out`` (a list of a
        fresh dict, as the check makes it); returns its hash part."""
        if type(item) is dict and len(item) == 2:
            (first, one), (second, two) = item.items()
            if type(one) is str and type(two) is str:
                memo = (key, first, one, second, two)
                found = self._parties.get(memo)
                if found is None:
                    checked = _CHECKS[key](self, [item])
                    found = self._parties[memo] = (checked[0], self.party_list(key, checked))
                party, text = found
                out[key] = [dict(party)]
                return text
        result = out[key] = _CHECKS[key](self, [item])
        return self.party_list(key, result)

    def _repeated_field(self, key: str, value: str) -> tuple[str, str]:
        """A field of ``_REPEATED``: its stored form and its hash part, checked and rendered
        the first time the document's events give that value (one look-up after that)."""
        memo = (key, value)
        found = self._repeated.get(memo)
        if found is None:
            result = _CHECKS[key](self, value)
            found = self._repeated[memo] = (result, _RENDER[key](self, result))
        return found

    def part(self, name: str, value: Any) -> str:
        """``name=value`` as ``hashing._Hasher.element`` renders a scalar ("" when empty)."""
        if type(value) is str:
            key = (name, value)
            found = self._parts.get(key)
            if found is None:
                text = _scalar(name, value, times=True)
                found = self._parts[key] = f"{name}={text}" if text else ""
            return found
        text = _scalar(name, value, times=True)
        return f"{name}={text}" if text else ""

    def party_list(self, name: str, value: list[dict[str, Any]]) -> str:
        """``hashing._Hasher.generic`` of a business transaction, source or destination list
        whose items hold their identifier and type only."""
        element, vocabulary = _PARTY_LISTS[name]
        parts = []
        for item in value:
            own = item.get(element)
            kind = item.get("type")
            plain = type(own) is str and type(kind) is str
            key = (element, str(own), str(kind))
            found = self._items.get(key) if plain else None
            if found is None:
                head = (
                    f"{element}={_scalar(element, own, times=False)}"
                    if own is not None
                    else element
                )
                found = head + f"type={voc.web_uri(vocabulary, kind)}" if kind is not None else head
                if plain:
                    self._items[key] = found
            parts.append(found)
        parts.sort()
        return name + "".join(parts)

    def _extension_parts(
        self, extensions: list[tuple[str, Any]], namespaces: dict[str, str]
    ) -> list[str]:
        """``hashing._Hasher.generic`` of the ILMD and the user extensions; an object of
        plain strings (the usual ILMD) from the parts its values rendered before."""
        hasher = self._hasher(namespaces)
        scope = tuple(namespaces)
        parts: list[str] = []
        for key, item in extensions:
            if type(item) is dict and all(type(v) is str for v in item.values()):
                children = []
                for name, child in item.items():
                    if name in _IGNORED:
                        continue
                    memo = (scope, name, child)
                    part = self._generic.get(memo)
                    if part is None:
                        [part] = hasher.generic(name, child)
                        self._generic[memo] = part
                    children.append(part)
                children.sort()
                parts.append(hasher.key(key) + "".join(children))
            else:
                parts.extend(hasher.generic(key, item))
        return parts

    def _hasher(self, namespaces: dict[str, str]) -> _Hasher:
        key = tuple(namespaces)
        hasher = self._hashers.get(key)
        if hasher is None:
            hasher = self._hashers[key] = _Hasher(namespaces)
        return hasher

    # values (the rules of parse._Checker, without pointers) ------------------------------

    @staticmethod
    def _string(value: Any) -> str:
        if isinstance(value, str) and value.strip():
            return value
        raise _Decline

    def _uri(self, value: Any) -> str:
        text = self._string(value)
        if _ABSOLUTE_URI.fullmatch(text) is None or len(text) > MAX_URI:
            raise _Decline
        return text

    def _identifier(self, value: Any) -> str:
        if type(value) is str:
            stored = self._ids.get(value)
            if stored is not None:
                return stored
        stored = normalise_id(self._uri(value))
        self._ids[value] = stored
        return stored

    def _time(self, value: Any) -> datetime:
        moment = parse_time(self._string(value))
        if moment is None:
            raise _Decline
        return moment

    def _vocabulary(self, vocabulary: voc.Vocabulary, value: Any) -> str:
        terms = self._terms.setdefault(vocabulary.name, {})
        if type(value) is str:
            stored = terms.get(value)
            if stored is not None:
                return stored
        text = self._string(value)
        if len(text) > MAX_VOCABULARY:
            raise _Decline
        stored = terms[text] = voc.normalise(vocabulary, text)
        return stored

    def _list(self, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise _Decline
        return value

    def _object(self, value: Any, fields: tuple[str, ...]) -> dict[str, Any]:
        """An object with none but ``fields``; an extension inside is handed back."""
        if not isinstance(value, dict):
            raise _Decline
        for key in value:
            if key not in fields:
                raise _Decline
        return value

    # structures ------------------------------------------------------------------------

    def _extension_key(self, key: str, used: set[str]) -> None:
        prefix, sep, local = key.partition(":")
        if sep and local and not local.startswith("//"):
            if prefix in self.namespaces or prefix in STANDARD_PREFIXES:
                if prefix not in STANDARD_PREFIXES:
                    used.add(prefix)
                return
            raise _Decline
        if sep and _ABSOLUTE_URI.fullmatch(key) is not None:
            return
        raise _Decline

    def _note_prefixes(self, value: Any, used: set[str]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                prefix, sep, _ = key.partition(":")
                if sep and prefix in self.namespaces and prefix not in STANDARD_PREFIXES:
                    used.add(prefix)
                self._note_prefixes(item, used)
        elif isinstance(value, list):
            for item in value:
                self._note_prefixes(item, used)

    def _ilmd(self, value: Any, used: set[str]) -> dict[str, Any]:
        """ILMD: an object of user extensions only, kept as sent."""
        if not isinstance(value, dict):
            raise _Decline
        for key, item in value.items():
            self._extension_key(key, used)
            self._note_prefixes(item, used)
        return dict(value)


def _kind_of(value: Any) -> tuple[str, frozenset[str]]:
    """The event's type and the fields it may have, once its required fields are there."""
    if type(value) is not dict or "@context" in value:
        raise _Decline
    kind = value.get("type")
    if type(kind) is not str or kind not in _KNOWN:
        raise _Decline
    known, required = _KNOWN[kind]
    for name in required:
        if name not in value:
            raise _Decline
    _lists_required(kind, value)
    return kind, known


def _hash_time(moment: datetime) -> str:
    """The event time as the hash writes it (UTC, milliseconds truncated, ``Z``);
    ``parse_time`` gives UTC already. Cut from the plain ISO form, which is quicker to write
    than with a ``timespec``: ``...T01:30:00+00:00`` or ``...T01:30:00.250000+00:00``."""
    text = moment.isoformat()
    if len(text) == 25:
        return "eventTime=" + text[:19] + ".000Z"
    return "eventTime=" + text[:23] + "Z"


def _lists_required(kind: str, value: dict[str, Any]) -> None:
    """``parse._Checker._lists_required``: which identifier lists an event must name."""
    if kind == "ObjectEvent" and "epcList" not in value and "quantityList" not in value:
        raise _Decline
    if (
        kind == "AggregationEvent"
        and value.get("action") in ("ADD", "DELETE")
        and "parentID" not in value
    ):
        raise _Decline
    if kind == "TransformationEvent" and not any(name in value for name in TRANSFORMATION_PARTS):
        raise _Decline


# field checks: the normalised value of a valid field ---------------------------------------


def _type(fast: FastPath, value: Any) -> Any:
    return value


def _offset(fast: FastPath, value: Any) -> str:
    text = fast._string(value)
    if _offset_delta(text) is None:
        raise _Decline
    return text


def _action(fast: FastPath, value: Any) -> str:
    if value in voc.ACTIONS:
        return str(value)
    raise _Decline


def _biz_step(fast: FastPath, value: Any) -> str:
    return fast._vocabulary(voc.BIZ_STEP, value)


def _disposition(fast: FastPath, value: Any) -> str:
    return fast._vocabulary(voc.DISPOSITION, value)


def _uri(fast: FastPath, value: Any) -> str:
    return fast._uri(value)


def _identifier(fast: FastPath, value: Any) -> str:
    return fast._identifier(value)


def _identifiers(fast: FastPath, value: Any) -> list[str]:
    return [fast._identifier(item) for item in fast._list(value)]


def _location(fast: FastPath, value: Any) -> dict[str, Any]:
    location = fast._object(value, ("id",))
    if "id" not in location:
        raise _Decline
    return {"id": fast._identifier(location["id"])}


def _quantities(fast: FastPath, value: Any) -> list[dict[str, Any]]:
    out = []
    for item in fast._list(value):
        element = fast._object(item, _QUANTITY_FIELDS)
        if "epcClass" not in element:
            raise _Decline
        checked: dict[str, Any] = {}
        for key, field in element.items():
            if key == "epcClass":
                checked[key] = fast._identifier(field)
            elif key == "quantity":
                if isinstance(field, bool) or not isinstance(field, int | float):
                    raise _Decline
                checked[key] = field
            else:
                text = fast._string(field)
                if _UOM.fullmatch(text) is None or "quantity" not in element:
                    raise _Decline
                checked[key] = text
        out.append(checked)
    return out


def _typed_list(
    element: str,
    vocabulary: voc.Vocabulary,
    value_check: Callable[[FastPath, Any], str],
    *,
    type_required: bool,
) -> _Check:
    """A list of ``{"type": ..., element: ...}`` objects (business transactions, sources,
    destinations): the type from ``vocabulary``, the element checked by ``value_check``."""
    fields = ("type", element)

    def check(fast: FastPath, value: Any) -> list[dict[str, Any]]:
        out = []
        for item in fast._list(value):
            found = fast._object(item, fields)
            if element not in found or (type_required and "type" not in found):
                raise _Decline
            checked: dict[str, Any] = {}
            for key, field in found.items():
                if key == "type":
                    checked[key] = fast._vocabulary(vocabulary, field)
                else:
                    checked[key] = value_check(fast, field)
            out.append(checked)
        return out

    return check


_CHECKS: dict[str, _Check] = {
    "type": _type,
    "eventTimeZoneOffset": _offset,
    "eventID": _uri,
    "action": _action,
    "bizStep": _biz_step,
    "disposition": _disposition,
    "readPoint": _location,
    "bizLocation": _location,
    "parentID": _identifier,
    "transformationID": _uri,
    # A business transaction's type is optional; a source's or destination's is not.
    "bizTransactionList": _typed_list(
        "bizTransaction", voc.BIZ_TRANSACTION_TYPE, FastPath._uri, type_required=False
    ),
    "sourceList": _typed_list(
        "source", voc.SOURCE_DESTINATION_TYPE, FastPath._identifier, type_required=True
    ),
    "destinationList": _typed_list(
        "destination", voc.SOURCE_DESTINATION_TYPE, FastPath._identifier, type_required=True
    ),
    **{name: _identifiers for name in _EPC_LISTS},
    **{name: _quantities for name in _QUANTITY_LISTS},
}


# hash renderers: hashing._Hasher.ordered for these plain shapes ----------------------------


def _scalar_part(name: str) -> Callable[[FastPath, Any], str]:
    def render(fast: FastPath, value: Any) -> str:
        return fast.part(name, value)

    return render


def _epc_list(name: str) -> Callable[[FastPath, Any], str]:
    def render(fast: FastPath, value: list[str]) -> str:
        parts = sorted(fast.part("epc", item) for item in value)
        return name + "".join(parts) if any(parts) else ""

    return render


def _quantity_list(name: str) -> Callable[[FastPath, Any], str]:
    def render(fast: FastPath, value: list[dict[str, Any]]) -> str:
        parts = []
        for element in value:
            head = "".join(
                [fast.part(field, element[field]) for field in _QUANTITY_FIELDS if field in element]
            )
            parts.append("quantityElement" + head if head else "")
        parts.sort()
        return name + "".join(parts) if any(parts) else ""

    return render


def _location_part(name: str) -> Callable[[FastPath, Any], str]:
    def render(fast: FastPath, value: dict[str, Any]) -> str:
        text = fast.part("id", value["id"])
        return name + text if text else ""

    return render


_RENDER: dict[str, Callable[[FastPath, Any], str]] = {
    "eventTimeZoneOffset": _scalar_part("eventTimeZoneOffset"),
    "parentID": _scalar_part("parentID"),
    "action": _scalar_part("action"),
    "transformationID": _scalar_part("transformationID"),
    "bizStep": _scalar_part("bizStep"),
    "disposition": _scalar_part("disposition"),
    "readPoint": _location_part("readPoint"),
    "bizLocation": _location_part("bizLocation"),
    **{name: _epc_list(name) for name in _EPC_LISTS},
    **{name: _quantity_list(name) for name in _QUANTITY_LISTS},
}
#: Plain fields in the canonical order whose values a document's events repeat (a handful of
#: offsets, actions and CBV values), checked and rendered once per value.
_REPEATED = frozenset({"eventTimeZoneOffset", "action", "bizStep", "disposition"})
#: The party lists a document's events repeat (business transactions are each their own).
_PARTIES = frozenset({"sourceList", "destinationList"})
#: Lists outside the canonical order whose items are named by one of their fields.
_PARTY_LISTS = {
    "bizTransactionList": ("bizTransaction", voc.BIZ_TRANSACTION_TYPE),
    "sourceList": ("source", voc.SOURCE_DESTINATION_TYPE),
    "destinationList": ("destination", voc.SOURCE_DESTINATION_TYPE),
}
