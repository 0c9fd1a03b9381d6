"""What an import job is made of: its kinds and states, its limits, the problems it reports.

Plain data shared by the other modules of the package (the ``ImportJob`` table itself is in
``registry/models.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sunshine.auth.principal import Principal
from sunshine.core.errors import Translate
from sunshine.core.i18n import Message, Params, english, params_from_json, params_json

MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_PROBLEMS = 10_000
MAX_VALUE_CHARS = 200  # of a cell's value quoted in a problem
RECENT_JOBS = 20


class ImportKind(StrEnum):
    BUSINESSES = "businesses"
    STAFF = "staff"
    LEDGER = "ledger"  # purchase-ledger lines: run by ``sunshine.ingredients.tasks``


class ImportStatus(StrEnum):
    QUEUED = "queued"
    VALIDATING = "validating"
    STORING = "storing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE_STATUSES = frozenset({ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.STORING})


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: ``row`` as the spreadsheet shows it (header = 1).

    ``reason`` is an English template (msgid) and ``params`` its values, so the job page and
    the error reports show it in the reader's language.
    """

    row: int | None
    column: str
    value: str
    reason: str
    params: Params = field(default_factory=dict)

    @classmethod
    def of(cls, row: int | None, column: str, value: str, message: Message) -> Problem:
        return cls(row, column, value, message.template, dict(message.params))

    @property
    def text(self) -> str:
        """The reason in English."""
        return english(self.reason, self.params)

    def render(self, translate: Translate) -> str:
        return translate(self.reason, **self.params)

    def as_dict(self) -> dict[str, object]:
        """As kept in ``ImportJob.errors``: the English ``reason`` plus its template and
        parameters (``template``, ``params``) for showing it in another language."""
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.text,
            "template": self.reason,
            "params": params_json(self.params),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Problem:
        """A kept problem; rows stored before templates were kept have only the English
        ``reason`` (translated when it is a known message id, else shown as it is)."""
        row = data.get("row")
        template = data.get("template")
        reason = template if isinstance(template, str) else str(data.get("reason") or "")
        return cls(
            row if isinstance(row, int) else None,
            str(data.get("column") or ""),
            str(data.get("value") or ""),
            reason,
            params_from_json(data.get("params")) if isinstance(template, str) else {},
        )


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
