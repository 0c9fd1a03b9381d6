"""The store page is cached until something it shows changes by date alone: besides the
licence, certificates and cover, a rectification deadline passing (整改中 becomes
逾期未整改) and the oldest hygiene score leaving the 12 months of the annual grade."""

from __future__ import annotations

from datetime import date, timedelta

from rectification_helpers import inspect, order_of, store_a
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sunshine.core.time import today_local
from sunshine.inspections import hygiene, hygiene_rules
from sunshine.inspections.hygiene_models import HygieneScore
from sunshine.registry import public

FAR = date(9999, 12, 31)


def test_the_page_changes_the_day_after_an_open_order_s_deadline(session: Session) -> None:
    store = store_a(session)
    before = public.store_page(session=session, code=store.public_code).changes_on or FAR
    inspection = inspect(session, store, {"5.1": "地面油污"}, rectify_in=3)
    order = order_of(session, inspection)
    page = public.store_page(session=session, code=store.public_code)
    assert page.changes_on == min(before, order.rectify_by + timedelta(days=1))
    # The day after the deadline the order shows as overdue: the page was not kept past it.
    assert public.store_page_ttl(page) <= (order.rectify_by - today_local()).days * 86400 + 86400


def test_the_page_changes_when_the_oldest_score_leaves_the_annual_grade(session: Session) -> None:
    store = store_a(session)
    inspect(session, store, days_ago=100)  # scored (every item passed)
    today = today_local()
    since = hygiene_rules.add_months(today, -12) + timedelta(days=1)
    oldest = session.execute(
        select(func.min(HygieneScore.inspected_on)).where(
            HygieneScore.business_id == store.id, HygieneScore.inspected_on >= since
        )
    ).scalar_one()
    change = hygiene._next_annual_change(session, store.id, today)
    assert change == hygiene_rules.add_months(oldest, 12)
    page = public.store_page(session=session, code=store.public_code)
    assert page.changes_on is not None and page.changes_on <= change
    # On that day the score no longer counts.
    later = hygiene.business_rating(session=session, business_id=store.id, today=change)
    assert later is not None and later.annual_since > oldest
