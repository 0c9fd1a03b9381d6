"""Turning pydantic validation errors into field problems a person can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sunshine.core.errors import FieldProblem, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def problems_from(exc: ValidationError, *, row: int | None = None) -> list[FieldProblem]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err.get("loc", ())) or "form"
        message = str(err.get("msg", "invalid"))
        message = message.removeprefix("Value error, ")
        problems.append(
            FieldProblem(field=loc, message=message, row=row, code=str(err.get("type", "invalid")))
        )
    return problems


def parse(model: type[M], data: dict[str, Any], *, row: int | None = None) -> M:
    """Validate ``data`` into ``model`` or raise ValidationFailed listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc, row=row)) from exc


def blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    """Empty form fields mean "not given"."""
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
