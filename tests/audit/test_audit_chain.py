"""The audit trail is hash-chained; `sunshine audit verify` finds the first broken entry."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import SYSTEM
from sunshine.cli import main


def _append(session: Session, n: int) -> list[int]:
    seqs = []
    for i in range(n):
        entry = audit.record(
            session=session,
            actor=SYSTEM,
            action="test.touch",
            entity_type="thing",
            entity_id=i,
            before={"v": i},
            after={"v": i + 1},
        )
        seqs.append(entry.seq)
    session.commit()
    return seqs


def test_verify_passes_on_an_untouched_chain(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(session, 3)
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_altered_entry_is_named(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    seqs = _append(session, 4)
    target = seqs[1]
    session.execute(
        text("UPDATE audit_entries SET actor_label = 'mallory' WHERE seq = :s"), {"s": target}
    )
    session.commit()
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"entry {target}" in err
    assert "altered" in err


def test_removed_entry_is_named(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    seqs = _append(session, 4)
    target = seqs[2]
    session.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": target})
    session.commit()
    assert main(["audit", "verify"]) == 1
    assert f"entry {target} is missing" in capsys.readouterr().err


def test_removed_tail_is_detected(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    seqs = _append(session, 3)
    session.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": seqs[-1]})
    session.commit()
    assert main(["audit", "verify"]) == 1
    assert "missing" in capsys.readouterr().err


def test_rewritten_hash_breaks_the_link(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    """Recomputing an altered entry's own hash still breaks its successor's link."""
    seqs = _append(session, 3)
    target = seqs[0]
    session.execute(
        text("UPDATE audit_entries SET action = 'test.forged' WHERE seq = :s"), {"s": target}
    )
    session.commit()
    entry = session.execute(
        text("SELECT id FROM audit_entries WHERE seq = :s"), {"s": target}
    ).scalar_one()
    from sunshine.audit.models import AuditEntry

    row = session.get(AuditEntry, entry)
    assert row is not None
    session.refresh(row)
    row.entry_hash = audit.entry_digest(row)
    session.commit()
    assert main(["audit", "verify"]) == 1
    assert f"entry {target + 1} does not link" in capsys.readouterr().err
