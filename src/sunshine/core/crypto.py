"""Encryption of personal identifiers at rest, and keyed digests for look-ups."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

from sunshine.config import get_settings


def _fernet() -> Fernet:
    return Fernet(get_settings().data_key.encode())


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # wrong key or tampered value
        raise ValueError("cannot decrypt: the data key does not match") from exc


def digest(value: str) -> str:
    """Keyed digest (HMAC-SHA256) so equal identifiers can be found without decrypting."""
    key = get_settings().data_key.encode()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
