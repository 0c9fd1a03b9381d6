"""Signed session cookies, API bearer tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from sunshine.config import get_settings

SESSION_SALT = "sunshine.session"
TOKEN_SALT = "sunshine.api-token"  # noqa: S105 - a salt name, not a secret


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=salt)


def issue(*, user_id: int, auth_version: int, salt: str) -> str:
    """A signed, timestamped token naming the user and their credential version."""
    nonce = secrets.token_urlsafe(12)
    return _serializer(salt).dumps({"u": user_id, "v": auth_version, "n": nonce})


_VERIFIED_MAX = 4096
_verified: OrderedDict[tuple[str, str, str], tuple[tuple[int, int, str], float]] = OrderedDict()
_verified_lock = threading.Lock()


def read(token: str, *, salt: str, max_age_s: int) -> tuple[int, int, str] | None:
    """(user_id, auth_version, nonce) from a valid unexpired token, else None.

    Every page view presents the same session cookie: a token whose signature was already
    checked is remembered with its signing time, and only its age is checked again.
    """
    key = (get_settings().secret_key, salt, token)
    with _verified_lock:
        known = _verified.get(key)
        if known is not None:
            _verified.move_to_end(key)
    if known is not None:
        claims, signed_at = known
        return claims if time.time() - signed_at <= max_age_s else None
    try:
        data, signed = _serializer(salt).loads(token, max_age=max_age_s, return_timestamp=True)
    except (BadSignature, SignatureExpired):
        return None
    fresh = _claims(data)
    if fresh is not None:
        with _verified_lock:
            _verified[key] = (fresh, signed.timestamp())
            if len(_verified) > _VERIFIED_MAX:
                _verified.popitem(last=False)
    return fresh


def _claims(data: object) -> tuple[int, int, str] | None:
    if not isinstance(data, dict):
        return None
    try:
        return int(data["u"]), int(data["v"]), str(data["n"])
    except (KeyError, TypeError, ValueError):
        return None


def csrf_token(session_nonce: str) -> str:
    """The CSRF token bound to one session (HMAC of its nonce)."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"csrf:{session_nonce}".encode(), hashlib.sha256).hexdigest()


def csrf_matches(session_nonce: str, candidate: str | None) -> bool:
    return bool(candidate) and hmac.compare_digest(csrf_token(session_nonce), candidate or "")
