"""API keys of Open311 clients: issued once, stored as a keyed digest, checked per request.

GeoReport v2 requires an ``api_key`` to file a request (and none to read). A key is
43 URL-safe characters from :func:`secrets.token_urlsafe` (256 bits); the database keeps
only its HMAC (:func:`sunshine.core.crypto.digest`), so a key is found by its digest and a
copy of the table gives no working key. Rotating ``SUNSHINE_DATA_KEY`` therefore voids
every key: issue new ones then.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.api.open311 import repository as repo
from sunshine.api.open311.models import DEFAULT_HOURLY_LIMIT, Open311Client
from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core import crypto
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.ratelimit import get_rate_limiter

NAME_LIMIT = 80


@dataclass(frozen=True)
class IssuedKey:
    """A new client and its key (the only time the key exists in clear)."""

    client: Open311Client
    api_key: str


def _digest(api_key: str) -> str:
    return crypto.digest(f"open311-key:{api_key}")


def add_client(
    *, session: Session, actor: Principal, name: str, hourly_limit: int = DEFAULT_HOURLY_LIMIT
) -> IssuedKey:
    """Register a client (a 12345 hotline system, an app) and issue its API key."""
    name = name.strip()
    problems = []
    if not name or len(name) > NAME_LIMIT:
        problems.append(
            FieldProblem(
                "name", N_("Give a name of 1 to {limit} characters."), params={"limit": NAME_LIMIT}
            )
        )
    if hourly_limit < 1:
        problems.append(FieldProblem("hourly_limit", N_("Must be at least 1.")))
    if problems:
        raise ValidationFailed(problems)
    if repo.by_name(session, name) is not None:
        raise ConflictError(N_("A client named {name} already exists."), name=name)
    api_key = secrets.token_urlsafe(32)
    client = Open311Client(
        name=name, key_digest=_digest(api_key), active=True, hourly_limit=hourly_limit
    )
    session.add(client)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="open311_client.add",
        entity_type="open311_client",
        entity_id=client.id,
        after={"name": client.name, "hourly_limit": client.hourly_limit},
    )
    return IssuedKey(client=client, api_key=api_key)


def disable_client(*, session: Session, actor: Principal, name: str) -> Open311Client:
    """Stop accepting a client's key (a leaked key, an ended contract)."""
    client = repo.by_name(session, name.strip())
    if client is None:
        raise NotFoundError(N_("No Open311 client is named {name}."), name=name)
    if client.active:
        client.active = False
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="open311_client.disable",
            entity_type="open311_client",
            entity_id=client.id,
            before={"active": True},
            after={"active": False},
        )
    return client


def list_clients(*, session: Session) -> list[Open311Client]:
    return list(repo.all_clients(session))


def client_for_key(*, session: Session, api_key: str | None) -> Open311Client:
    """The active client holding ``api_key``; 403 (as the spec asks) otherwise."""
    if not api_key:
        raise ForbiddenError(N_("An api_key is required to file a service request."))
    client = repo.by_digest(session, _digest(api_key))
    if client is None or not client.active:
        raise ForbiddenError(N_("The api_key is not valid."))
    return client


def charge(client: Open311Client) -> None:
    """Count one filed request against the client's hourly allowance."""
    allowed, retry = get_rate_limiter().hit(
        f"open311:client:{client.id}", limit=client.hourly_limit, window_s=3600
    )
    if not allowed:
        raise ThrottledError(
            N_("This client has filed its {limit} requests for this hour; try again later."),
            retry_after_s=retry,
            limit=client.hourly_limit,
        )
