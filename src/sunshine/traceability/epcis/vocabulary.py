"""CBV 2.0 vocabularies as data, and the normalisation of vocabulary values.

Source: GS1 Core Business Vocabulary (CBV) 2.0, the standard vocabularies as published by the
GS1 EPCIS/CBV work group in github.com/gs1/EPCIS, folder ``JSON-LD-Context`` at commit
2d65594ef34d96509fe54bb3c93bc82f8fb41af2 (``cbv-context-bizstep.jsonld``,
``cbv-context-disposition.jsonld``, ``cbv-context-biztransaction-type.jsonld``,
``cbv-context-sourcedest-type.jsonld``, ``cbv-context-error-reason.jsonld``), which CBV 2.0
sections 7.1 (BizStep), 7.2 (Disp), 7.3 (BTT), 7.4 (SDT) and 7.5 (ER) list.

A value is accepted in each of its three spellings and stored in one: the bare CBV term
(``receiving``), as the EPCIS 2.0 JSON-LD compact form writes it. The other spellings are the
CBV 1.x URN (``urn:epcglobal:cbv:bizstep:receiving``) and the CBV 2.0 web URI
(``https://ref.gs1.org/cbv/BizStep-receiving``, also its CURIE ``cbv:BizStep-receiving``).
A bare word that is not a CBV term is refused; so is a URN or web URI inside the CBV's own
namespace that names no term. Any other absolute URI is a user vocabulary value and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sunshine.core.i18n import N_

CBV_WEB = "https://ref.gs1.org/cbv/"
#: Older web namespaces of the drafts, met in the wild (the event hash generator accepts them).
CBV_WEB_ALIASES = ("https://gs1.org/voc/", "https://ns.gs1.org/cbv/", "https://ns.gs1.org/voc/")


@dataclass(frozen=True)
class Vocabulary:
    """One CBV vocabulary: its terms, URN namespace and web prefix (``BizStep-``)."""

    name: str
    urn: str
    web: str
    terms: frozenset[str]
    label: str

    def uris_of(self, term: str) -> tuple[str, str]:
        return f"{self.urn}{term}", f"{CBV_WEB}{self.web}{term}"


BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    ]
)
DISPOSITIONS = frozenset(
    [
        "active",
        "available",
        "completeness_verified",
        "completeness_inferred",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    ]
)
BIZ_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)
SOURCE_DESTINATION_TYPES = frozenset({"owning_party", "possessing_party", "location"})
ERROR_REASONS = frozenset({"did_not_occur", "incorrect_data"})

BIZ_STEP = Vocabulary(
    "bizStep", "urn:epcglobal:cbv:bizstep:", "BizStep-", BIZ_STEPS, N_("business step")
)
DISPOSITION = Vocabulary(
    "disposition", "urn:epcglobal:cbv:disp:", "Disp-", DISPOSITIONS, N_("disposition")
)
BIZ_TRANSACTION_TYPE = Vocabulary(
    "bizTransactionType",
    "urn:epcglobal:cbv:btt:",
    "BTT-",
    BIZ_TRANSACTION_TYPES,
    N_("business transaction type"),
)
SOURCE_DESTINATION_TYPE = Vocabulary(
    "sourceDestinationType",
    "urn:epcglobal:cbv:sdt:",
    "SDT-",
    SOURCE_DESTINATION_TYPES,
    N_("source or destination type"),
)
ERROR_REASON = Vocabulary(
    "errorReason", "urn:epcglobal:cbv:er:", "ER-", ERROR_REASONS, N_("error declaration reason")
)

ACTIONS = ("ADD", "OBSERVE", "DELETE")
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)


class VocabularyError(ValueError):
    """A value that is not a term of its vocabulary; ``args[0]`` is the msgid."""


# RFC 3986: a scheme (a letter, then letters, digits, "+", "-" or "."), a colon, then
# something; no whitespace anywhere. One compiled pattern: every identifier of every event
# is checked, thousands per captured document.
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


def is_absolute_uri(value: str) -> bool:
    """An absolute URI (RFC 3986: a scheme, a colon, something after it)."""
    return _ABSOLUTE_URI.fullmatch(value) is not None


def normalise(vocabulary: Vocabulary, value: str) -> str:
    """``value`` in its stored spelling: the bare term, or a user URI as given.

    Raises :class:`VocabularyError` for an unknown bare word or an unknown term spelled in
    the CBV's own namespaces.
    """
    if value in vocabulary.terms:  # the usual spelling, bare; checked first for bulk capture
        return value
    term: str | None = None
    if value.startswith(vocabulary.urn):
        term = value[len(vocabulary.urn) :]
    elif value.startswith(f"cbv:{vocabulary.web}"):
        term = value[len("cbv:") + len(vocabulary.web) :]
    else:
        for base in (CBV_WEB, *CBV_WEB_ALIASES):
            if value.startswith(f"{base}{vocabulary.web}"):
                term = value[len(base) + len(vocabulary.web) :]
                break
    if term is not None:
        if term in vocabulary.terms:
            return term
        raise VocabularyError(N_("{value} is not a term of the CBV 2.0 {vocabulary} vocabulary"))
    if value.startswith("cbv:"):
        # A CURIE in the CBV namespace naming no standard term: a URI all the same
        # (the corpus's "cbv:my_own_party"); kept expanded so that it compares equal.
        return f"{CBV_WEB}{value[4:]}"
    if ":" in value and is_absolute_uri(value):
        return value
    raise VocabularyError(N_("{value} is not a term of the CBV 2.0 {vocabulary} vocabulary"))


def web_uri(vocabulary: Vocabulary, value: str) -> str:
    """The CBV 2.0 web URI of a stored value (used by the event hash)."""
    if value in vocabulary.terms:
        return f"{CBV_WEB}{vocabulary.web}{value}"
    return value
