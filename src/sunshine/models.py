"""Imports every table so the metadata is complete (Alembic, tests)."""

from sunshine.audit.models import AuditEntry, AuditHead
from sunshine.auth.models import User
from sunshine.cases.models import Case, CaseEvent, CaseExtension, CasePause
from sunshine.core.db import Base
from sunshine.regions.models import OrgUnit, Region
from sunshine.registry.models import Business, ImportJob, Staff, TrainingRecord

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "Business",
    "Case",
    "CaseEvent",
    "CaseExtension",
    "CasePause",
    "ImportJob",
    "OrgUnit",
    "Region",
    "Staff",
    "TrainingRecord",
    "User",
]
