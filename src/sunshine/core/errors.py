"""Domain errors. Each maps to an HTTP status; the API answers RFC 7807 problem+json."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldProblem:
    """One problem with one input field (and, for files, one row)."""

    field: str
    message: str
    row: int | None = None
    code: str = "invalid"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "message": self.message, "code": self.code}
        if self.row is not None:
            out["row"] = self.row
        return out


@dataclass
class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    message: str
    status: int = 400
    slug: str = "bad-request"
    problems: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class NotFoundError(DomainError):
    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message=message, status=404, slug="not-found")


class ForbiddenError(DomainError):
    def __init__(self, message: str = "Forbidden") -> None:
        super().__init__(message=message, status=403, slug="forbidden")


class AuthenticationError(DomainError):
    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message=message, status=401, slug="unauthenticated")


class ThrottledError(DomainError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message=message, status=429, slug="too-many-requests")
        self.retry_after_s = retry_after_s


class ConflictError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message=message, status=409, slug="conflict")


class ValidationFailed(DomainError):
    """Input rejected as a whole; ``problems`` lists every field (and row) at fault."""

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        summary = message or "; ".join(
            (f"row {p.row}, " if p.row is not None else "") + f"{p.field}: {p.message}"
            for p in problems[:5]
        )
        super().__init__(message=summary, status=422, slug="validation-failed", problems=problems)
