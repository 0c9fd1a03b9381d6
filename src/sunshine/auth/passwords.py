"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_

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
                N_("must be at least {min_length} characters"),
                code="password.too_short",
                params={"min_length": MIN_LENGTH},
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
                N_("must mix at least three of: lower case, upper case, digits, symbols"),
                code="password.too_simple",
            )
        )
    if username and username.lower() in password.lower():
        problems.append(
            FieldProblem(
                "new_password",
                N_("must not contain the username"),
                code="password.contains_username",
            )
        )
    if problems:
        raise ValidationFailed(problems)
