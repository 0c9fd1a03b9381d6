"""Jinja2 rendering for the portals, with translations, CSRF and display helpers."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from markupsafe import Markup, escape

from sunshine import __version__
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.i18n import LOCALE_NAMES, Translator, normalise
from sunshine.core.masking import mask_name, mask_phone
from sunshine.core.time import to_local, today_local
from sunshine.portals.shared.deps import CSRF_COOKIE, LANG_COOKIE, csrf_for
from sunshine.portals.shared.labels import FIELD_LABELS, LICENCE_STATES, label
from sunshine.registry.rules import certificate_state, effective_licence_status

_PORTALS = files("sunshine") / "portals"


def _environment() -> Environment:
    loader = ChoiceLoader(
        [
            PrefixLoader(
                {
                    name: FileSystemLoader(str(_PORTALS / folder / "templates"))
                    for name, folder in (
                        ("shared", "shared"),
                        ("public", "public"),
                        ("biz", "enterprise"),
                        ("gov", "government"),
                    )
                }
            ),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["local_dt"] = _local_dt
    env.filters["iso_date"] = _iso_date
    env.filters["json_text"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    env.filters["mask_name"] = mask_name
    env.filters["mask_phone"] = mask_phone
    # A quantity as people write it: 10, 2.5 (Decimal's normalize() alone gives 1E+1).
    env.filters["qty"] = lambda value: format(value.normalize(), "f")
    env.globals["label"] = label
    env.globals["LICENCE_STATES"] = LICENCE_STATES
    env.globals["FIELD_LABELS"] = FIELD_LABELS
    env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    env.globals["version"] = __version__
    env.globals["effective"] = lambda b: effective_licence_status(
        b.licence_status, b.licence_expiry_date, today_local()
    )
    env.globals["cert_state"] = lambda s: certificate_state(
        s.health_cert_expiry_date, today_local()
    )
    return env


def _local_dt(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


_OPTIONS_CACHE: dict[tuple[str, int], str] = {}
INDENT = "\u3000"  # ideographic space: indents Chinese names evenly


def area_options(areas: list[Any], selected: str | None) -> Markup:
    """``<option>`` tags of an area picker. A province has hundreds of areas and every list
    page shows them, so the markup is built once per jurisdiction and only the selected
    option is marked per request."""
    if not areas:
        return Markup("")
    key = (areas[0].code, len(areas))
    html = _OPTIONS_CACHE.get(key)
    if html is None:
        html = "".join(
            f'<option value="{a.code}">{INDENT * a.depth}{escape(a.name)}</option>' for a in areas
        )
        _OPTIONS_CACHE[key] = html
    if selected:
        html = html.replace(
            f'value="{escape(selected)}">', f'value="{escape(selected)}" selected>', 1
        )
    return Markup(html)  # noqa: S704 - built from escaped region names and codes


def options(choices: Iterable[tuple[object, str]], selected: object = None) -> Markup:
    """``<option>`` tags of (value, label) pairs, the ``selected`` value marked: a long
    picker (hundreds of offices or officers) built in Python costs a fifth of a loop in
    the template, which escapes and marks up each part of each option separately."""
    chosen = str(selected) if selected is not None else None
    return Markup(  # noqa: S704 - values and labels are escaped here
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == chosen else ''}>{escape(label)}</option>"
            for value, label in choices
        )
    )


def grouped_options(
    groups: Iterable[tuple[str, Iterable[tuple[object, str]]]], selected: object = None
) -> Markup:
    """``<optgroup>`` tags of (label, choices) pairs; see :func:`options`."""
    return Markup(  # noqa: S704 - labels are escaped here, options by options()
        "".join(
            f'<optgroup label="{escape(label)}">{options(choices, selected)}</optgroup>'
            for label, choices in groups
        )
    )


ENV = _environment()
ENV.globals["area_options"] = area_options
ENV.globals["options"] = options
ENV.globals["grouped_options"] = grouped_options


def request_locale(request: Request, principal: Principal | None = None) -> str:
    """?lang= wins, then the cookie, then the account's setting, then Chinese."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if not chosen and principal is not None and not principal.is_anonymous:
        chosen = principal.locale
    return normalise(chosen)


def url_with(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


def ensure_csrf_cookie(request: Request) -> str | None:
    """Give an anonymous visitor a pre-session CSRF cookie; return it when newly made."""
    if getattr(request.state, "session_nonce", None) or request.cookies.get(CSRF_COOKIE):
        return None
    value = secrets.token_urlsafe(24)
    request.state.csrf_cookie = value
    return value


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
) -> str:
    """The template rendered for this request's locale and principal."""
    principal = principal or getattr(request.state, "principal", None)
    locale = request_locale(request, principal)
    data: dict[str, Any] = {
        "request": request,
        "principal": principal,
        "_": Translator(locale),
        "locale": locale,
        "csrf_token": csrf_for(request),
        "url_with": lambda **kw: url_with(request, **kw),
    }
    data.update(context or {})
    return ENV.get_template(template).render(data)


def html_response(
    request: Request,
    html: str | bytes,
    *,
    status_code: int = 200,
    new_csrf_cookie: str | None = None,
) -> HTMLResponse:
    """An HTML response with the language cookie and header set."""
    locale = request_locale(request, getattr(request.state, "principal", None))
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang"):
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    if new_csrf_cookie:
        response.set_cookie(
            CSRF_COOKIE,
            new_csrf_cookie,
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
    response.headers["Content-Language"] = "zh-CN" if locale == "zh_CN" else "en"
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    principal: Principal | None = None,
) -> HTMLResponse:
    """Render a portal page (issuing a pre-session CSRF cookie to new visitors)."""
    new_csrf_cookie = ensure_csrf_cookie(request)
    html = render_page(request, template, context, principal=principal)
    return html_response(request, html, status_code=status_code, new_csrf_cookie=new_csrf_cookie)


def translator(request: Request) -> Translator:
    """The translator for this request's locale (for messages built in routes)."""
    return Translator(request_locale(request, getattr(request.state, "principal", None)))
