"""Filing Open311 service requests (POST requests) as complaints and whistleblower reports.

The client's ``api_key`` is checked, the service code picks the
complaint or report category, the GeoReport fields and the service definition's attributes
become a :class:`~sunshine.cogovernance.complaints.service.ComplaintForm` or
:class:`~sunshine.cogovernance.reports.service.ReportForm`, and the domain service files it
with all its rules (contact checks, throttles, routing, the case, the audit entry). Its
field problems come back under the GeoReport names the client sent (``attribute[store_code]``,
``lat``, ``address_string``, ...).

* ``first_name`` and ``last_name`` make the name (family name first for Chinese names);
  ``phone`` and ``email`` the contact. A report without any of them is anonymous.
* ``address_id`` is read as the store's public code (our master address list is the store
  registry); ``attribute[store_code]`` says the same more plainly.
* ``media_url`` is not fetched (the platform runs on closed networks and must not be made to
  fetch addresses for others): an http(s) address is kept as the description's last line for
  the handlers to open.
* ``device_id``, ``account_id`` (or else the phone) tell which citizen a relay files for; see
  :func:`_actor` for the rate limits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from sunshine.api.open311 import clients
from sunshine.api.open311.incoming import Params
from sunshine.api.open311.models import Open311Client
from sunshine.api.open311.services import (
    Datatype,
    Kind,
    Service,
    Translate,
    get_service,
)
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.reports import service as reports
from sunshine.core import crypto
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import to_local

MEDIA_URL_LIMIT = 500
CITIZEN_ID_LIMIT = 200

#: Domain form fields → the GeoReport names a client sent them under.
_COMMON_FIELDS = {
    "category": "service_code",
    "description": "description",
    "name": "first_name/last_name",
    "phone": "phone",
    "email": "email",
}
_COMPLAINT_FIELDS = {
    **_COMMON_FIELDS,
    "desired_outcome": "attribute[desired_outcome]",
    "request_text": "attribute[request_text]",
    "occurred_on": "attribute[occurred_on]",
}
_REPORT_FIELDS = {
    **_COMMON_FIELDS,
    "region_code": "attribute[region_code]",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "title": "description",
    "summary": "description",
}


@dataclass(frozen=True)
class Filed:
    service_request_id: str
    service_notice: str


@dataclass(frozen=True)
class _Common:
    """The GeoReport fields every service takes."""

    description: str
    name: str
    phone: str
    email: str
    lat: float | None
    long: float | None
    address_string: str
    citizen: str


def file_request(
    *, session: Session, params: Params, ip: str | None, user_agent: str | None, tr: Translate
) -> Filed:
    """POST requests: file a complaint or a report; every problem is raised before anything
    is stored (the caller rolls back what a failing domain service flushed)."""
    api_key, code = params.value("api_key"), params.value("service_code")
    _raise_problems(params)  # an unreadable body, a parameter given twice
    client = clients.client_for_key(session=session, api_key=api_key)
    if not code:
        raise ValidationFailed([FieldProblem("service_code", N_("Required"), code="required")])
    service = get_service(code)
    answers = _attributes(service, params)
    common = _common(params)
    store_code, store_field = _store(service, params, answers)
    _raise_problems(params)
    clients.charge(client)
    actor = _actor(client, ip, user_agent, common.citizen)
    if service.kind is Kind.COMPLAINT:
        return _file_complaint(
            session, actor, service, answers, common, store_code, store_field, tr
        )
    return _file_report(session, actor, service, answers, common, store_code, store_field, tr)


def _raise_problems(params: Params) -> None:
    if params.problems:
        raise ValidationFailed(list(params.problems))


def _problem(params: Params, field: str, message: str, **values: str | int) -> None:
    params.problems.append(FieldProblem(field, message, params=dict(values)))


def _attributes(service: Service, params: Params) -> dict[str, str]:
    """``attribute[code]`` values checked against the service definition."""
    known = {a.code: a for a in service.attributes if a.variable}
    answers: dict[str, str] = {}
    for code, values in params.attributes.items():
        field = f"attribute[{code}]"
        attribute = known.get(code)
        if attribute is None:
            _problem(
                params,
                field,
                N_("{service} has no attribute {code}; see its service definition."),
                service=service.code,
                code=code,
            )
            continue
        given = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        if len(given) > 1:
            _problem(params, field, N_("Give one value only."))
        value = given[0] if given else ""
        keys = [choice.key for choice in attribute.values]
        if value and keys and value not in keys:
            _problem(params, field, N_("Choose one of: {choices}."), choices=", ".join(keys))
        if value and attribute.datatype is Datatype.DATETIME and _day(value) is None:
            _problem(params, field, N_("Not an ISO 8601 date or date and time."))
        answers[code] = value
    for attribute in known.values():
        # The store's code may come as address_id instead: _store checks it.
        if (
            attribute.required
            and attribute.code != "store_code"
            and not answers.get(attribute.code)
        ):
            params.problems.append(
                FieldProblem(f"attribute[{attribute.code}]", N_("Required"), code="required")
            )
    return answers


def _common(params: Params) -> _Common:
    lat, long = _coordinates(params)
    description = params.value("description")
    media = _media_url(params)
    if media:
        description = f"{description}\n\nmedia_url: {media}".strip()
    citizen = ""
    for name in ("account_id", "device_id"):
        value = params.value(name)
        if len(value) > CITIZEN_ID_LIMIT:
            _problem(params, name, N_("At most {limit} characters"), limit=CITIZEN_ID_LIMIT)
        citizen = citizen or value
    phone = params.value("phone")
    return _Common(
        description=description,
        name=_full_name(params.value("first_name"), params.value("last_name")),
        phone=phone,
        email=params.value("email"),
        lat=lat,
        long=long,
        address_string=params.value("address_string"),
        citizen=citizen or phone,
    )


def _full_name(first: str, last: str) -> str:
    """Chinese names are written family name first and without a space (王 + 小明 → 王小明);
    Latin-script names given name first (John Smith)."""
    if first and last:
        return f"{first} {last}" if (first + last).isascii() else f"{last}{first}"
    return first or last


def _coordinates(params: Params) -> tuple[float | None, float | None]:
    texts = {"lat": params.value("lat"), "long": params.value("long")}
    if not any(texts.values()):
        return None, None
    numbers: dict[str, float | None] = {}
    for name, text in texts.items():
        numbers[name] = None
        if not text:
            _problem(params, name, N_("Send lat and long together."))
            continue
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            _problem(params, name, N_("Not a number: give WGS84 decimal degrees."))
        else:
            numbers[name] = number
    return numbers["lat"], numbers["long"]


def _media_url(params: Params) -> str:
    url = params.value("media_url")
    if not url:
        return ""
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or len(url) > MEDIA_URL_LIMIT
        or any(c.isspace() for c in url)
    ):
        _problem(
            params,
            "media_url",
            N_("Give an http or https address of at most {limit} characters."),
            limit=MEDIA_URL_LIMIT,
        )
    return url


def _store(service: Service, params: Params, answers: Mapping[str, str]) -> tuple[str, str]:
    """The store's public code and the name the client gave it under."""
    attribute, alias = answers.get("store_code", ""), params.value("address_id")
    if attribute and alias and attribute.upper() != alias.upper():
        _problem(
            params, "address_id", N_("Differs from attribute[store_code]; give the code once.")
        )
    if attribute:
        return attribute, "attribute[store_code]"
    if alias:
        return alias, "address_id"
    if service.kind is Kind.COMPLAINT:
        params.problems.append(
            FieldProblem("attribute[store_code]", N_("Required"), code="required")
        )
    return "", "attribute[store_code]"


def _actor(
    client: Open311Client, ip: str | None, user_agent: str | None, citizen: str
) -> Principal:
    """Who files: the anonymous public, named in the audit trail as the client.

    The domain services limit submissions per address (10 an hour). A 12345 relay files for
    many citizens from one address, so when it says whom it files for (``account_id``,
    ``device_id``, else the phone) the address the services see is the relay's address
    tagged with a digest of that citizen: each citizen then has the per-address allowance,
    and the relay as a whole is capped by its own ``hourly_limit`` (:func:`clients.charge`).
    """
    address = ip or "unknown"
    if citizen:
        tag = crypto.digest(f"open311-citizen:{client.id}:{citizen}")[:12]
        address = f"{address[:51]}#{tag}"  # fits the audit trail's 64 characters
    return replace(
        ANONYMOUS, display_name=f"open311:{client.name}", ip=address, user_agent=user_agent
    )


def _renamed(exc: ValidationFailed, names: Mapping[str, str]) -> ValidationFailed:
    return ValidationFailed([replace(p, field=names.get(p.field, p.field)) for p in exc.problems])


def _day(value: str) -> date | None:
    """The day of an ISO 8601 date or date-time (in China's time when it has an offset)."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return to_local(moment).date() if moment.tzinfo else moment.date()


def _file_complaint(
    session: Session,
    actor: Principal,
    service: Service,
    answers: Mapping[str, str],
    common: _Common,
    store_code: str,
    store_field: str,
    tr: Translate,
) -> Filed:
    occurred = answers.get("occurred_on", "")
    form = complaints.ComplaintForm(
        category=service.category,
        desired_outcome=answers.get("desired_outcome", ""),
        description=common.description,
        request_text=answers.get("request_text", ""),
        occurred_on=_day(occurred) if occurred else None,
        claims_damage=answers.get("claims_damage") == "true",
        name=common.name,
        phone=common.phone,
        email=common.email,
    )
    try:
        complaint = complaints.submit_complaint(
            session=session, actor=actor, store_code=store_code, form=form
        )
    except NotFoundError as exc:  # the only one it raises: no such (open) store
        raise ValidationFailed([FieldProblem(store_field, exc.message, params=exc.params)]) from exc
    except ValidationFailed as exc:
        raise _renamed(exc, _COMPLAINT_FIELDS) from exc
    due = complaint.stage_due_on.isoformat() if complaint.stage_due_on else ""
    notice = tr(
        N_(
            "The store is to answer by {day}. The complaint is followed with its receipt "
            "code {code}, the service_request_id."
        ),
        day=due,
        code=complaint.receipt_code,
    )
    return Filed(service_request_id=complaint.receipt_code, service_notice=notice)


def _file_report(
    session: Session,
    actor: Principal,
    service: Service,
    answers: Mapping[str, str],
    common: _Common,
    store_code: str,
    store_field: str,
    tr: Translate,
) -> Filed:
    form = reports.ReportForm(
        category=service.category,
        description=common.description,
        store_code=store_code,
        region_code=answers.get("region_code", ""),
        address=common.address_string,
        latitude=common.lat,
        longitude=common.long,
        anonymous=not (common.name or common.phone or common.email),
        insider=answers.get("insider") == "true",
        name=common.name,
        phone=common.phone,
        email=common.email,
    )
    try:
        report = reports.submit_report(session=session, actor=actor, form=form)
    except ValidationFailed as exc:
        raise _renamed(
            exc, {**_REPORT_FIELDS, "store_code": store_field, "business_id": store_field}
        ) from exc
    notice = tr(
        N_(
            "A case has been opened for the responsible office. The report is followed with "
            "its receipt code {code}, the service_request_id; the reporter is never disclosed."
        ),
        code=report.receipt_code,
    )
    return Filed(service_request_id=report.receipt_code, service_notice=notice)
