"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sunshine.core.errors import FieldProblem, ValidationFailed

_HASHER = PasswordHasher()
# A constant hash to verify against when the user does not exist, so timing does not
# reveal which usernames are registered.
_DUMMY_HASH = _HASHER.hash("dummy-password-for-timing")
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_policy(password: str, *, username: str) -> None:
    """Reject weak passwords with a specific reason."""
    problems: list[FieldProblem] = []
    if len(password) < MIN_LENGTH:
        problems.append(
            FieldProblem(
                "new_password",
                f"must be at least {MIN_LENGTH} characters",
                code="password.too_short",
            )
        )
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if classes < 3:
        problems.append(
            FieldProblem(
                "new_password",
                "must mix at least three of: lower case, upper case, digits, symbols",
                code="password.too_simple",
            )
        )
    if username and username.lower() in password.lower():
        problems.append(
            FieldProblem(
                "new_password", "must not contain the username", code="password.contains_username"
            )
        )
    if problems:
        raise ValidationFailed(problems)
