"""What an Open311 call carries: the format asked for, the language, and its parameters.

GeoReport v2 posts ``application/x-www-form-urlencoded`` bodies (``api_key=…&service_code=…
&attribute[store_code]=…``); we also take a JSON object with the same names (an
``attribute`` object, or ``attribute[code]`` keys). Query parameters count too (clients put
``api_key`` and ``jurisdiction_id`` there). Problems with the body itself (too large, not
UTF-8, not JSON, an unsupported content type) are collected here and answered by the route
as the spec's error array, never as a partial request.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.requests import Request

from sunshine.api.open311.formats import Format, parse_format
from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_, Translator, normalise

#: Largest body accepted: a 4,000-character description in Chinese, URL-encoded, is 36 KB.
BODY_LIMIT = 64 * 1024
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass
class Params:
    """Parameters by name (each with every value given) and ``attribute[code]`` values."""

    fields: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    attributes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, key: str, value: str) -> None:
        match = _ATTRIBUTE.match(key)
        if match:
            self.attributes[match.group(1)].append(value)
        else:
            self.fields[key].append(value)

    def value(self, name: str) -> str:
        """The one value of ``name`` (stripped; "" when absent). A parameter given twice with
        different values is a problem (which one did the client mean?)."""
        values = {v.strip() for v in self.fields.get(name, []) if v.strip()}
        if len(values) > 1 and all(p.field != name for p in self.problems):
            self.problems.append(
                FieldProblem(name, N_("Given more than once with different values."))
            )
        return values.pop() if len(values) == 1 else ""


@dataclass(frozen=True)
class Incoming:
    """One call: format (``None`` when the URL named an unknown one), language, parameters."""

    fmt: Format | None
    locale: str
    params: Params
    ip: str | None
    user_agent: str | None

    @property
    def translate(self) -> Translator:
        return Translator(self.locale)


async def read(request: Request, fmt: str, *, with_body: bool) -> Incoming:
    params = Params()
    for key, value in request.query_params.multi_items():
        params.add(key, value)
    if with_body:
        await _read_body(request, params)
    return Incoming(
        fmt=parse_format(fmt),
        locale=_locale(request, params),
        params=params,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


async def _read_body(request: Request, params: Params) -> None:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_LIMIT:
            params.problems.append(
                FieldProblem(
                    "body",
                    N_("The request body is larger than {limit} KB."),
                    params={"limit": BODY_LIMIT // 1024},
                )
            )
            return
    if not body:
        return
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        params.problems.append(FieldProblem("body", N_("The request body is not UTF-8.")))
        return
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        for key, value in parse_qsl(text, keep_blank_values=True):
            params.add(key, value)
    elif kind == "application/json":
        _read_json(text, params)
    else:
        params.problems.append(
            FieldProblem(
                "body",
                N_(
                    "Send the request as application/x-www-form-urlencoded (as GeoReport v2 "
                    "specifies) or as application/json."
                ),
            )
        )


def _read_json(text: str, params: Params) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        params.problems.append(FieldProblem("body", N_("The request body is not a JSON object.")))
        return
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            for code, given in value.items():
                for item in given if isinstance(given, list) else [given]:
                    params.attributes[str(code)].append(_scalar(item))
        else:
            for item in value if isinstance(value, list) else [value]:
                params.add(str(key), _scalar(item))


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)  # refused later as not a valid value
    return str(value)


def _locale(request: Request, params: Params) -> str:
    """The ``locale`` parameter, else the best of Accept-Language, else Chinese."""
    for candidate in (params.fields.get("locale", [""])[0], *_accepted(request)):
        if candidate and candidate.lower()[:2] in ("zh", "en"):
            return normalise(candidate)
    return normalise(None)


def _accepted(request: Request) -> list[str]:
    """Accept-Language's tags, most wanted first."""
    weighted = []
    for position, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, rest = part.strip().partition(";")
        weight = 1.0
        if rest.strip().startswith("q="):
            try:
                weight = float(rest.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag:
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
