"""Turning pydantic validation errors into field problems a person can act on.

Pydantic's own messages ("Field required", "Input should be a valid date ...") are English
only, so each error ``type`` maps to one of our translatable templates, its ``ctx`` giving
the parameters. A ``value_error`` raised by our validators as a
:class:`~sunshine.core.errors.TranslatableValueError` (identifiers included) keeps its own
template, parameters and code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sunshine.core.errors import FieldProblem, TranslatableValueError, ValidationFailed
from sunshine.core.i18n import N_, Params

M = TypeVar("M", bound=BaseModel)

REQUIRED = N_("This field is required")
INVALID = N_("This value is not valid")
_DATE = N_("Enter a valid date (YYYY-MM-DD)")
_NUMBER = N_("Enter a number")

#: pydantic error type -> our template (its ``{placeholders}`` come from the error's ctx).
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": REQUIRED,
    "string_too_short": N_("Must be at least {min_length} characters"),
    "string_too_long": N_("Must be at most {max_length} characters"),
    "string_pattern_mismatch": N_("Has the wrong format"),
    "string_type": N_("Enter text"),
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_type": _DATE,
    "datetime_parsing": N_("Enter a valid date and time"),
    "datetime_from_date_parsing": N_("Enter a valid date and time"),
    "datetime_type": N_("Enter a valid date and time"),
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "int_parsing": _NUMBER,
    "int_type": _NUMBER,
    "finite_number": _NUMBER,
    "decimal_parsing": _NUMBER,
    "int_from_float": N_("Enter a whole number"),
    "greater_than_equal": N_("Must be at least {ge}"),
    "greater_than": N_("Must be more than {gt}"),
    "less_than_equal": N_("Must be at most {le}"),
    "less_than": N_("Must be less than {lt}"),
    "enum": N_("Choose one of the listed options"),
    "literal_error": N_("Choose one of the listed options"),
    "bool_parsing": N_("Choose yes or no"),
    "bool_type": N_("Choose yes or no"),
    "extra_forbidden": N_("Unknown field"),
    "too_long": N_("Give at most {max_length} items"),
    "too_short": N_("Give at least {min_length} items"),
    "list_type": N_("Give a list of values"),
    "json_invalid": N_("The request body is not valid JSON"),
    "model_attributes_type": N_("Give an object with the expected fields"),
    "dict_type": N_("Give an object with the expected fields"),
    "model_type": N_("Give an object with the expected fields"),
}


def _param(value: object) -> str | int:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value)


def problem_from(
    error: Mapping[str, Any], *, row: int | None = None, skip: int = 0, default: str = "form"
) -> FieldProblem:
    """One pydantic error (``ValidationError.errors()`` item) as a translatable problem.

    ``skip`` leaves out leading location parts (FastAPI's ``body``/``query``); ``default``
    names the field of an error without a location (a model-level check).
    """
    kind = str(error.get("type", "")) or "invalid"
    field = ".".join(str(part) for part in tuple(error.get("loc", ()))[skip:])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, TranslatableValueError):
        return FieldProblem.from_error(field or cause.field or default, cause, row=row)
    params: Params = {k: _param(v) for k, v in ctx.items() if k != "error"}
    template = PYDANTIC_MESSAGES.get(kind)
    if kind.endswith("_type") and error.get("input", ...) is None:
        template = REQUIRED  # a blank form field arrives as None
    elif kind == "string_too_short" and params.get("min_length") == 1:
        template = REQUIRED
    elif template is None and isinstance(cause, Exception):
        # A plain ValueError or AssertionError from a validator: its own (English) words.
        template = str(cause)
    elif template is None:
        template = INVALID
    return FieldProblem(field or default, template, row=row, code=kind, params=params)


def problems_from(exc: ValidationError, *, row: int | None = None) -> list[FieldProblem]:
    return [problem_from(err, row=row) for err in exc.errors()]


def problems_of(errors: Iterable[Mapping[str, Any]], *, skip: int = 0) -> list[FieldProblem]:
    """Problems of already extracted error dicts (FastAPI's RequestValidationError)."""
    return [problem_from(err, skip=skip, default="body") for err in errors]


def parse(model: type[M], data: dict[str, Any], *, row: int | None = None) -> M:
    """Validate ``data`` into ``model`` or raise ValidationFailed listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc, row=row)) from exc


def blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    """Empty form fields mean "not given"."""
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
