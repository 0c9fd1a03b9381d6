"""The demo's purchase ledgers: made through the ledger's rules, store A's among them."""

from __future__ import annotations

from ledger_helpers import store_of
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.ingredients.demo import seed_ledger
from sunshine.ingredients.models import LedgerLine


def test_the_demo_seeds_months_of_lines_for_store_a(session: Session, demo: Demo) -> None:
    store = store_of(session)
    seeded = seed_ledger(
        session=session, seed=7, today=demo.today, counties=demo.counties, featured=store.id,
        stores=2, days=30,
    )  # fmt: skip
    assert seeded.lines > 5 and seeded.stores[0] == store.id
    mine = session.execute(
        select(func.count()).select_from(LedgerLine).where(LedgerLine.business_id == store.id)
    ).scalar_one()
    assert mine > 0
