"""Food-safety training records of staff (培训记录). Services never commit."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import TranslatableValueError
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.registry import repository as repo
from sunshine.registry.models import Staff, TrainingRecord
from sunshine.registry.service.staff import visible_staff

_FIELDS = ("staff_id", "taken_date", "topic", "hours", "provider")


class TrainingCreate(BaseModel):
    """One training a staff member took."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    taken_date: date
    topic: str = Field(min_length=2, max_length=120)
    hours: int = Field(ge=1, le=200)
    provider: str = Field(min_length=2, max_length=120)

    @field_validator("taken_date")
    @classmethod
    def _not_in_the_future(cls, value: date) -> date:
        if value > today_local():
            raise TranslatableValueError(
                N_("a training date cannot be in the future"), code="training.future"
            )
        return value


def staff_training(
    *, session: Session, actor: Principal, staff_id: int
) -> tuple[Staff, list[TrainingRecord]]:
    """A staff member and their trainings, newest first (404 outside the actor's scope)."""
    staff = visible_staff(session, actor, staff_id)
    return staff, list(repo.trainings_of(session, staff.id))


def add_training(
    *, session: Session, actor: Principal, staff_id: int, data: TrainingCreate
) -> TrainingRecord:
    """Record a training (the business's editors and its regulators)."""
    access.require_business_editor(actor)
    staff = visible_staff(session, actor, staff_id)
    record = TrainingRecord(
        staff_id=staff.id,
        taken_date=data.taken_date,
        topic=data.topic,
        hours=data.hours,
        provider=data.provider,
    )
    session.add(record)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="training.create",
        entity_type="training_record",
        entity_id=record.id,
        after=audit.snapshot(record, _FIELDS),
    )
    return record
