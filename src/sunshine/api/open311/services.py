"""The Open311 service catalogue: one service per complaint category and per report category.

A GeoReport "service" is a kind of request a client may file. Ours are the complaint
categories (``complaint.<category>``: a diner's dispute with a store, group ``complaints``)
and the whistleblower report categories (``report.<category>``: a lead for the regulator,
group ``reports``). Every service is ``realtime`` (the receipt code exists as soon as the
request is stored) and has ``metadata`` true: its service definition lists the attributes
(``attribute[code]=value``) that the complaint or report form needs beyond the spec's own
fields. Names, descriptions and keywords are English message ids shown in the caller's
language (Simplified Chinese by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sunshine.cogovernance.complaints.enums import ComplaintCategory, DesiredOutcome
from sunshine.cogovernance.reports.enums import ReportCategory
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_

Translate = Callable[..., str]


class Kind(StrEnum):
    COMPLAINT = "complaint"
    REPORT = "report"


class Datatype(StrEnum):
    """The attribute datatypes GeoReport v2 defines (we use four of them)."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


@dataclass(frozen=True)
class Choice:
    key: str
    name: str  # message id


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition. ``variable`` false: a note for the user, no input."""

    code: str
    datatype: Datatype
    required: bool
    description: str  # message id
    datatype_description: str | None = None  # message id
    values: tuple[Choice, ...] = ()
    variable: bool = True


@dataclass(frozen=True)
class Service:
    code: str
    kind: Kind
    category: str
    name: str  # message id
    keywords: str  # message id: comma-separated synonyms

    @property
    def group(self) -> str:
        return "complaints" if self.kind is Kind.COMPLAINT else "reports"

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return COMPLAINT_ATTRIBUTES if self.kind is Kind.COMPLAINT else REPORT_ATTRIBUTES


_YES_NO = (Choice("true", N_("Yes")), Choice("false", N_("No")))
_STORE_CODE_FORMAT = N_("10 letters and digits, e.g. K7Q2M4XP9R")

COMPLAINT_ATTRIBUTES = (
    Attribute(
        "store_code",
        Datatype.STRING,
        True,
        N_(
            "The store's public code, printed under the QR code at its door "
            "(may be sent as address_id instead)."
        ),
        _STORE_CODE_FORMAT,
    ),
    Attribute(
        "desired_outcome",
        Datatype.SINGLEVALUELIST,
        True,
        N_("What the complainant wants from the store."),
        values=(
            Choice(DesiredOutcome.APOLOGY.value, N_("An apology")),
            Choice(DesiredOutcome.REFUND.value, N_("A refund")),
            Choice(DesiredOutcome.COMPENSATION.value, N_("Compensation")),
            Choice(DesiredOutcome.RECTIFICATION.value, N_("The store puts the problem right")),
            Choice(DesiredOutcome.OTHER.value, N_("Something else")),
        ),
    ),
    Attribute(
        "request_text",
        Datatype.TEXT,
        False,
        N_("The request to the store in the complainant's words (at most 2000 characters)."),
    ),
    Attribute(
        "occurred_on",
        Datatype.DATETIME,
        False,
        N_("When it happened (not in the future)."),
        N_("ISO 8601 date or date and time, e.g. 2026-11-28"),
    ),
    Attribute(
        "claims_damage",
        Datatype.SINGLEVALUELIST,
        False,
        N_(
            "Did it cause harm or loss? If the store holds food-safety liability insurance, "
            "its insurer is told of the claim."
        ),
        values=_YES_NO,
    ),
    Attribute(
        "contact_note",
        Datatype.STRING,
        False,
        N_(
            "A complaint needs the complainant's name (first_name, last_name) and mobile "
            "phone (phone): the store answers them. The store sees them masked."
        ),
        variable=False,
    ),
)

REPORT_ATTRIBUTES = (
    Attribute(
        "store_code",
        Datatype.STRING,
        False,
        N_(
            "The public code of the store reported, printed under its QR code (may be sent "
            "as address_id instead). Without it, give region_code and address_string."
        ),
        _STORE_CODE_FORMAT,
    ),
    Attribute(
        "region_code",
        Datatype.STRING,
        False,
        N_(
            "Where it happens when it is not a registered store: the GB/T 2260 code of the "
            "county (6 digits) or township (9 digits). Required without store_code, together "
            "with address_string; lat and long are welcome."
        ),
        N_("6 or 9 digits, e.g. 510104 or 510104021"),
    ),
    Attribute(
        "insider",
        Datatype.SINGLEVALUELIST,
        False,
        N_("Does the reporter work for the business reported?"),
        values=_YES_NO,
    ),
    Attribute(
        "anonymity_note",
        Datatype.STRING,
        False,
        N_(
            "Reports may be anonymous: leave out first_name, last_name, phone and email. A "
            "real-name report needs the name and a mobile phone; the reporter's identity is "
            "shown only to the officers handling the case and never to the business."
        ),
        variable=False,
    ),
)

_COMPLAINTS: dict[ComplaintCategory, tuple[str, str]] = {
    ComplaintCategory.FOREIGN_MATTER: (
        N_("Foreign matter in food"),
        N_("hair, insect, glass, plastic, foreign object"),
    ),
    ComplaintCategory.SPOILED_FOOD: (
        N_("Spoiled or expired food"),
        N_("rotten, mouldy, sour, past its date, expired"),
    ),
    ComplaintCategory.ILLNESS: (
        N_("Felt unwell after eating"),
        N_("diarrhoea, vomiting, stomach ache, food poisoning"),
    ),
    ComplaintCategory.HYGIENE: (
        N_("Poor hygiene at a store"),
        N_("dirty, cockroach, rats, dirty tableware, hygiene"),
    ),
    ComplaintCategory.PRICE: (
        N_("Price or weight dispute"),
        N_("overcharged, short weight, price, bill"),
    ),
    ComplaintCategory.SERVICE: (
        N_("Service attitude"),
        N_("rude, refused, attitude, service"),
    ),
    ComplaintCategory.OTHER: (
        N_("Other complaint about a store"),
        N_("complaint, dispute, store"),
    ),
}

_REPORTS: dict[ReportCategory, tuple[str, str]] = {
    ReportCategory.UNLICENSED: (
        N_("Unlicensed or beyond the licence's scope"),
        N_("no licence, unlicensed, street stall, beyond scope"),
    ),
    ReportCategory.EXPIRED_OR_SPOILED: (
        N_("Expired or spoiled food in use"),
        N_("expired, spoiled, relabelled, rotten meat"),
    ),
    ReportCategory.ILLEGAL_ADDITIVES: (
        N_("Illegal or excessive additives"),
        N_("additives, gutter oil, industrial salt, banned substances"),
    ),
    ReportCategory.UNSAFE_SOURCES: (
        N_("Ingredients of unknown origin"),
        N_("no invoice, unknown supplier, smuggled, untraceable"),
    ),
    ReportCategory.HYGIENE: (
        N_("Dirty kitchen, rats or insects"),
        N_("dirty kitchen, rats, cockroaches, flies, sewage"),
    ),
    ReportCategory.STAFF_HEALTH: (
        N_("Staff without a health certificate"),
        N_("health certificate, sick staff, no certificate"),
    ),
    ReportCategory.FRAUD: (
        N_("False claims or counterfeit food"),
        N_("fake, counterfeit, false advertising, fraud"),
    ),
    ReportCategory.OTHER: (
        N_("Other food-safety lead"),
        N_("report, lead, tip-off, food safety"),
    ),
}

_KIND_DESCRIPTIONS = {
    Kind.COMPLAINT: N_(
        "Complain to a store about: {problem}. The store answers first; if the answer does "
        "not satisfy, the complainant may escalate to the company head and then to the "
        "regulator."
    ),
    Kind.REPORT: N_(
        "Report to the regulator: {problem}. A case is opened at once for the responsible "
        "office. Reports may be anonymous; a reporter's identity is never disclosed."
    ),
}


def _catalogue() -> dict[str, Service]:
    services = [
        Service(f"complaint.{category.value}", Kind.COMPLAINT, category.value, name, keywords)
        for category, (name, keywords) in _COMPLAINTS.items()
    ] + [
        Service(f"report.{category.value}", Kind.REPORT, category.value, name, keywords)
        for category, (name, keywords) in _REPORTS.items()
    ]
    return {service.code: service for service in services}


SERVICES = _catalogue()
#: Sortable date of the last change to the catalogue or a definition (GeoReport discovery's
#: ``changeset``): clients refresh their cached copies when it moves. Bump it with them.
CHANGESET = "2026-11-29 00:00"


def get_service(code: str) -> Service:
    """The service ``code`` names (404, as the spec asks, for an unknown one)."""
    service = SERVICES.get(code)
    if service is None:
        raise NotFoundError(N_("There is no service with the service_code {code}."), code=code)
    return service


def service_name(service: Service, translate: Translate) -> str:
    return translate(service.name)


def service_list(translate: Translate) -> list[dict[str, Any]]:
    """GET services: every service, in the caller's language."""
    return [
        {
            "service_code": service.code,
            "service_name": translate(service.name),
            "description": translate(
                _KIND_DESCRIPTIONS[service.kind], problem=translate(service.name)
            ),
            "metadata": True,
            "type": "realtime",
            "keywords": translate(service.keywords),
            "group": service.group,
        }
        for service in SERVICES.values()
    ]


def definition(service: Service, translate: Translate) -> dict[str, Any]:
    """GET services/{service_code}: the service's attributes, in the caller's language."""
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype.value,
                "required": attribute.required,
                "datatype_description": (
                    translate(attribute.datatype_description)
                    if attribute.datatype_description
                    else None
                ),
                "order": order,
                "description": translate(attribute.description),
                "values": [
                    {"key": choice.key, "name": translate(choice.name)}
                    for choice in attribute.values
                ],
            }
            for order, attribute in enumerate(service.attributes, start=1)
        ],
    }


SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def discovery(translate: Translate, *, base_url: str, production: bool) -> dict[str, Any]:
    """GET discovery: where the GeoReport v2 endpoint is, its formats, how to get a key."""
    return {
        "changeset": CHANGESET,
        "contact": translate(
            N_("Ask the food safety authority that runs {site} for help with this API."),
            site=base_url,
        ),
        "key_service": translate(
            N_(
                "API keys are issued by the platform's administrator "
                "(sunshine open311 add-client NAME); reading needs no key."
            )
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url.rstrip('/')}/open311/v2",
                "changeset": CHANGESET,
                "type": "production" if production else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
