"""What an import job is made of: its kinds and states, its limits, the problems it reports.

Plain data shared by the other modules of the package (the ``ImportJob`` table itself is in
``registry/models.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sunshine.auth.principal import Principal

MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_PROBLEMS = 10_000
MAX_VALUE_CHARS = 200  # of a cell's value quoted in a problem
RECENT_JOBS = 20


class ImportKind(StrEnum):
    BUSINESSES = "businesses"
    STAFF = "staff"


class ImportStatus(StrEnum):
    QUEUED = "queued"
    VALIDATING = "validating"
    STORING = "storing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE_STATUSES = frozenset({ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.STORING})


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: ``row`` as the spreadsheet shows it (header = 1)."""

    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ImportFailed(Exception):
    """The file cannot be imported; ``problems`` says why (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class ImportRun:
    """What a job needs to know across its transactions (plain data, no ORM objects)."""

    job_id: int
    token: str
    kind: ImportKind
    stored_path: str
    actor: Principal
    business_id: int | None


@dataclass(frozen=True)
class Sheet:
    header_row: int
    header: list[object]
    rows: list[tuple[int, list[object]]]  # (row number, cells), blank rows left out
