"""Errors of the EPCIS binding, named after the exceptions of EPCIS 2.0 section 8.2.7 /
the REST binding's problem types, each mapped to its HTTP status."""

from __future__ import annotations

from sunshine.core.errors import DomainError, FieldProblem
from sunshine.core.i18n import N_


class EpcisValidationError(DomainError):
    """A document, event or query refused whole (400); ``problems`` name JSON pointers."""

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        super().__init__(
            message=message or N_("The EPCIS data is not valid; nothing was stored."),
            status=400,
            slug="epcis-validation-exception",
            problems=problems,
        )


class QueryParameterError(DomainError):
    """A query with an unknown parameter or a wrong value (400, QueryParameterException)."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(
            message=N_("The query has parameters that are unknown or not valid."),
            status=400,
            slug="query-parameter-exception",
            problems=problems,
        )


class DocumentTooLarge(DomainError):
    """A capture body over ``epcis_max_document_bytes`` (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            message=N_("The document is larger than the limit of {limit} bytes."),
            status=413,
            slug="capture-limit-exceeded",
            params={"limit": limit},
        )
