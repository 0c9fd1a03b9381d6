"""The demo ledgers' seasons (季节性): how much of each kind of ingredient a Chengdu
restaurant buys in each month, as a small table, and the Spring Festival's run-up.

The profiles are the demo's own plausible shapes (not statistics): aquatic products, and
crayfish above all (小龙虾, May to August), peak in summer with cold drinks and beer; summer
vegetables (peppers, cucumbers) replace winter ones (Chinese cabbage, radish); meat rises in
winter and most in the three weeks before the Spring Festival (年货, banquets), when liquor
sells too (and again around Mid-Autumn and National Day); most restaurants then close for
part of the festival itself. The festival's dates come from the Chinese holiday calendar
(``chinese-calendar``); in a year it does not know yet, only the monthly table applies.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

#: Relative purchase rate by month, January to December (1.0: the product's usual rate).
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "meat": (1.2, 1.1, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.95, 1.05, 1.1, 1.2),
    "aquatic": (0.8, 0.8, 0.85, 0.95, 1.1, 1.25, 1.35, 1.35, 1.1, 0.95, 0.8, 0.8),
    "crayfish": (0.0, 0.0, 0.2, 0.6, 1.6, 2.2, 2.4, 2.0, 0.8, 0.2, 0.0, 0.0),
    "summer_vegetables": (0.6, 0.6, 0.8, 1.0, 1.2, 1.4, 1.4, 1.4, 1.2, 0.9, 0.7, 0.6),
    "winter_vegetables": (1.5, 1.4, 1.2, 0.9, 0.7, 0.6, 0.6, 0.6, 0.8, 1.0, 1.3, 1.5),
    "cold_drinks": (0.4, 0.5, 0.7, 0.9, 1.3, 1.7, 2.0, 2.0, 1.3, 0.8, 0.5, 0.4),
    "festive": (1.6, 1.4, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.2, 1.4, 0.8, 1.0),
}
#: Profiles that rise before the Spring Festival, and by how much (on top of the month's).
FESTIVAL_RUN_UP = {"meat": 1.6, "festive": 1.8, "aquatic": 1.3}
RUN_UP_DAYS = 21
#: Purchases during the festival's days off (many restaurants close for a few of them).
FESTIVAL_CLOSED = 0.35


@lru_cache(maxsize=8)
def spring_festival(year: int) -> tuple[date, date] | None:
    """The first and last day off of the Spring Festival in ``year`` (None: unknown)."""
    days = []
    day = date(year, 1, 10)
    while day < date(year, 3, 10):
        try:
            off, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        if off and name == chinese_calendar.Holiday.spring_festival.value:
            days.append(day)
        day += timedelta(days=1)
    return (days[0], days[-1]) if days else None


def factor(profile: str, day: date) -> float:
    """The purchase rate of ``profile`` on ``day`` relative to its usual one."""
    value = SEASONS[profile][day.month - 1]
    festival = spring_festival(day.year)
    if festival is None:
        return value
    first, last = festival
    if first <= day <= last:
        return value * FESTIVAL_CLOSED
    if first - timedelta(days=RUN_UP_DAYS) <= day < first:
        return value * FESTIVAL_RUN_UP.get(profile, 1.0)
    return value
