"""Domain errors. Each maps to an HTTP status; the API answers RFC 7807 problem+json.

Every message is a template with named parameters: ``message`` is the English msgid (marked
with ``N_()`` where it is written, so that ``scripts/i18n.py extract`` finds it) and
``params`` fills its ``{placeholders}``. ``text`` is the English sentence (the API's
``detail``/``message``, ``str(error)``, logs); ``render(_)`` is the sentence in the reader's
language (the portals).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sunshine.core.i18n import N_, Message, Params, ParamValue, english, params_json

#: ``_`` of a template or route: ``translate(template, **params)``.
Translate = Callable[..., str]


@dataclass
class FieldProblem:
    """One problem with one input field (and, for files, one row).

    ``message`` is the English template, e.g. ``"check character should be {expected}, got
    {actual}"``, and ``params`` its values; ``code`` is a stable machine key.
    """

    field: str
    message: str
    row: int | None = None
    code: str = "invalid"
    params: Params = dataclasses.field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English, parameters filled in."""
        return english(self.message, self.params)

    def render(self, translate: Translate) -> str:
        """The message in the language of ``translate`` (a ``Translator``)."""
        return translate(self.message, **self.params)

    @classmethod
    def from_error(
        cls, field: str, error: Exception, *, row: int | None = None, code: str | None = None
    ) -> FieldProblem:
        """The problem a ``ValueError`` describes (its template survives when it has one)."""
        if isinstance(error, TranslatableValueError):
            return cls(field, error.template, row, code or error.code, dict(error.params))
        return cls(field, str(error), row, code or "value_error")

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "field": self.field,
            "message": self.text,
            "code": self.code,
            "params": params_json(self.params),
        }
        if self.row is not None:
            out["row"] = self.row
        return out


@dataclass
class DomainError(Exception):
    """Base of every error the services raise on purpose.

    ``message`` is an English template (msgid) and ``params`` its values.
    """

    message: str
    status: int = 400
    slug: str = "bad-request"
    problems: list[FieldProblem] = dataclasses.field(default_factory=list)
    params: Params = dataclasses.field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English, parameters filled in (the API's ``detail``)."""
        return english(self.message, self.params)

    def render(self, translate: Translate) -> str:
        return translate(self.message, **self.params)

    def as_message(self) -> Message:
        return Message(self.message, dict(self.params))

    def __str__(self) -> str:
        return self.text


class NotFoundError(DomainError):
    def __init__(self, message: str = N_("Not found"), **params: ParamValue) -> None:
        super().__init__(message=message, status=404, slug="not-found", params=params)


class ForbiddenError(DomainError):
    def __init__(self, message: str = N_("Forbidden"), **params: ParamValue) -> None:
        super().__init__(message=message, status=403, slug="forbidden", params=params)


class AuthenticationError(DomainError):
    def __init__(self, message: str = N_("Authentication required"), **params: ParamValue) -> None:
        super().__init__(message=message, status=401, slug="unauthenticated", params=params)


class ThrottledError(DomainError):
    def __init__(self, message: str, retry_after_s: int, **params: ParamValue) -> None:
        super().__init__(message=message, status=429, slug="too-many-requests", params=params)
        self.retry_after_s = retry_after_s


class ConflictError(DomainError):
    def __init__(self, message: str, **params: ParamValue) -> None:
        super().__init__(message=message, status=409, slug="conflict", params=params)


class ValidationFailed(DomainError):
    """Input rejected as a whole; ``problems`` lists every field (and row) at fault.

    Without a ``message`` of its own, ``text`` (the API's ``detail``, ``str()``) sums up the
    first problems in English, and a portal shows a general sentence above the list.
    """

    def __init__(
        self, problems: list[FieldProblem], message: str | None = None, **params: ParamValue
    ) -> None:
        super().__init__(
            message=message or N_("Some of the values given are not valid."),
            status=422,
            slug="validation-failed",
            problems=problems,
            params=params,
        )
        self.summarised = message is None

    @property
    def text(self) -> str:
        if not self.summarised:
            return super().text
        return "; ".join(
            (f"row {p.row}, " if p.row is not None else "") + f"{p.field}: {p.text}"
            for p in self.problems[:5]
        )


@dataclass
class ProblemList:
    """The problems found so far while checking one input, each naming its field
    (``items[2].note``); raised together once every check has run."""

    problems: list[FieldProblem] = dataclasses.field(default_factory=list)

    def add(self, where: str, message: str, **params: ParamValue) -> None:
        """Note a problem; ``params`` fill the message (``code=`` is one of them here)."""
        self.problems.append(FieldProblem(where, message, params=dict(params)))


class TranslatableValueError(ValueError):
    """A ``ValueError`` whose message is a template with parameters.

    Raise it from pydantic validators: pydantic keeps the exception in the error's
    ``ctx["error"]``, so :mod:`sunshine.core.validation` turns it into a
    :class:`FieldProblem` with the template, parameters and ``code`` intact. ``field`` names
    the field a model-level check is about (pydantic gives such errors no location).
    ``str(error)`` and ``error.message`` are the English text. ``code`` and ``field`` are
    options, not parameters: name placeholders otherwise.
    """

    code: str = "value_error"

    def __init__(
        self,
        template: str,
        /,
        *,
        code: str | None = None,
        field: str | None = None,
        **params: ParamValue,
    ) -> None:
        self._set(template, params, code=code, field=field)

    def _set(
        self,
        template: str,
        params: Mapping[str, ParamValue],
        *,
        code: str | None,
        field: str | None,
    ) -> None:
        self.template = template
        self.params: Params = dict(params)
        if code is not None:
            self.code = code
        self.field = field
        self.message = english(template, self.params)
        ValueError.__init__(self, self.message)

    def as_message(self) -> Message:
        return Message(self.template, dict(self.params))
