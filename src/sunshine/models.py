"""Imports every table so the metadata is complete (Alembic, tests)."""

import sunshine.inspections.plan_models  # plans, draws and tasks
import sunshine.inspections.rectification_models  # orders, penalties
import sunshine.inspections.self_models  # noqa: F401 - self-inspections and their to-dos
from sunshine.api.open311.models import Open311Client
from sunshine.audit.models import AuditEntry, AuditHead
from sunshine.auth.models import User
from sunshine.cases.models import Case, CaseEvent, CaseExtension, CasePause
from sunshine.cogovernance.complaints.models import Complaint, ComplaintEvent
from sunshine.cogovernance.insurance.models import InsurancePolicy
from sunshine.cogovernance.reports.models import (
    Report,
    RewardDecision,
    RewardPayout,
    WhistleblowerProfile,
)
from sunshine.cogovernance.reviews.models import Review, ReviewAppeal, ReviewSummary
from sunshine.cogovernance.submissions.models import SubmissionIntake
from sunshine.core.db import Base
from sunshine.core.evidence_models import EvidenceFile
from sunshine.ingredients import shipments_models  # noqa: F401 - shipments (发货记录)
from sunshine.ingredients.models import LedgerLine, Product, Supplier
from sunshine.ingredients.signal_models import LedgerSignal
from sunshine.inspections.hygiene_models import HygieneScore
from sunshine.inspections.lives_models import LivesBusiness, LivesInspection, LivesViolation
from sunshine.inspections.models import Checklist, ChecklistItem, ChecklistSection
from sunshine.kitchen import alert_models as kitchen_alerts  # noqa: F401 - alerts, health spans
from sunshine.kitchen import camera_models as kitchen_cameras  # noqa: F401 - cameras
from sunshine.notifications.models import Delivery, Notification
from sunshine.regions.models import OrgUnit, Region
from sunshine.registry.models import Business, ImportJob, Staff, TrainingRecord
from sunshine.risk.models import RiskSignal
from sunshine.sampling import models as sampling_tables  # noqa: F401 - samples, plans, tasks
from sunshine.traceability import (
    ledger_event_models,  # noqa: F401 - ledger line ↔ event
    recall_models,  # noqa: F401 - batch recalls
)
from sunshine.traceability.epcis import models as epcis_tables  # noqa: F401 - EPCIS events

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "Business",
    "Case",
    "CaseEvent",
    "CaseExtension",
    "CasePause",
    "Checklist",
    "ChecklistItem",
    "ChecklistSection",
    "Complaint",
    "ComplaintEvent",
    "Delivery",
    "EvidenceFile",
    "HygieneScore",
    "ImportJob",
    "InsurancePolicy",
    "LedgerLine",
    "LedgerSignal",
    "LivesBusiness",
    "LivesInspection",
    "LivesViolation",
    "Notification",
    "Open311Client",
    "OrgUnit",
    "Product",
    "Region",
    "Report",
    "Review",
    "ReviewAppeal",
    "ReviewSummary",
    "RewardDecision",
    "RewardPayout",
    "RiskSignal",
    "Staff",
    "SubmissionIntake",
    "Supplier",
    "TrainingRecord",
    "User",
    "WhistleblowerProfile",
]
