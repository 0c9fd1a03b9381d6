"""index the case workbench's queues

A province holds a million cases. The queues are read in order from indexes instead of
sorting every case of a queue, and each index carries the columns the queue's conditions
test (as key columns after the unique id, so SQLite can use them too), so a page's ids and
a queue's size are read from the index alone: the open cases (a few percent) in one
partial index, an officer's open cases in another; the closed queue (nearly all cases) by
each column a regulator's scope tests (the place at each level and the responsible office,
replacing the plain indexes on those columns and the one on office, state and due date),
as a whole, and the rejected alone. The indexes on kind and state alone go: three and
eight values over a million cases pick out too much to help, and they led PostgreSQL to
read the table instead of the queues' indexes.

Revision ID: 0004b
Revises: 0003
Create Date: 2026-11-29 23:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004b"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in sunshine.cases.models, fixed here.
_OPEN = "state IN ('received', 'accepted', 'assigned', 'verifying', 'handled', 'reviewed')"
_SCOPE = ["province_code", "prefecture_code", "county_code", "township_code", "org_unit_id"]
_QUEUE_INDEXES: list[tuple[str, list[str], str | None]] = [
    (
        "ix_cases_open_queue",
        ["due_on", "received_on", "id", "state", "kind", "assignee_id", *_SCOPE],
        _OPEN,
    ),
    (
        "ix_cases_open_mine",
        ["assignee_id", "due_on", "received_on", "id", "state", "kind", *_SCOPE],
        f"assignee_id IS NOT NULL AND {_OPEN}",
    ),
    *(
        (f"ix_cases_{column}_state_since", [column, "state_since", "id", "state", "kind"], None)
        for column in _SCOPE
    ),
    (
        "ix_cases_closed_queue",
        ["state_since", "id", "state", "kind", *_SCOPE],
        "state IN ('closed', 'rejected')",
    ),
    ("ix_cases_rejected", ["state_since", "id", "kind", *_SCOPE], "state IN ('rejected')"),
]
_PLAIN = ["kind", "state", "province_code", "prefecture_code", "county_code", "township_code"]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column in _PLAIN:
            batch_op.drop_index(batch_op.f(f"ix_cases_{column}"))
        batch_op.drop_index("ix_cases_org_unit_state_due")
        for name, columns, where in _QUEUE_INDEXES:
            condition = None if where is None else sa.text(where)
            batch_op.create_index(
                name, columns, unique=False, postgresql_where=condition, sqlite_where=condition
            )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, _, _ in reversed(_QUEUE_INDEXES):
            batch_op.drop_index(name)
        batch_op.create_index(
            "ix_cases_org_unit_state_due", ["org_unit_id", "state", "due_on"], unique=False
        )
        for column in _PLAIN:
            batch_op.create_index(batch_op.f(f"ix_cases_{column}"), [column], unique=False)
