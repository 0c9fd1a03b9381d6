"""Seeded draws shared by the builder: one RNG, days and birth dates, per-county counters."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from sunshine.demo.fake.model import EARLIEST_BIRTH, LATEST_BIRTH, LICENCE_YEARS, MIN_STAFF_AGE

if TYPE_CHECKING:
    from sunshine.demo.fake.places import County


_T = TypeVar("_T")


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_ONE_DAY = timedelta(days=1)
_FIRST_DAY_OFFSET = -730  # earliest day drawn relative to today (trainings, expired documents)
_LAST_DAY_OFFSET = 365 * LICENCE_YEARS  # latest (licence expiry)


class _Counter:
    """Per-county sequence numbers with random gaps that never repeat."""

    def __init__(self, rng: random.Random, start_max: int, gap_max: int) -> None:
        self.value = rng.randrange(1, start_max)
        self.gap_max = max(1, gap_max)

    def next(self, rng: random.Random) -> int:
        self.value += rng.randint(1, self.gap_max)
        return self.value


@dataclass
class _CountyState:
    """Sequence counters and used names of one county while generating."""

    licence: _Counter
    production: _Counter
    certificates: int
    names: dict[str, int]  # name -> how many businesses in the county share its base name


class Draws:
    """The seeded state the builder's parts share: one RNG, precomputed days, counters.

    The per-person code is the hot path (about six people per business), so it draws with
    ``random()`` arithmetic instead of ``randint``/``choice``, which cost several times more.
    """

    def __init__(
        self, rng: random.Random, counties: list[County], counts: list[int], today: date
    ) -> None:
        self.rng = rng
        self.random = rng.random
        self.counties = counties
        self.today = today
        self.today_ordinal = today.toordinal()
        self.days = [
            date.fromordinal(self.today_ordinal + offset)
            for offset in range(_FIRST_DAY_OFFSET, _LAST_DAY_OFFSET + 1)
        ]
        self.validity: dict[tuple[date, int], tuple[date, date]] = {}
        latest = min(LATEST_BIRTH, _shift_years(today, -MIN_STAFF_AGE))
        first_birth = EARLIEST_BIRTH.toordinal()
        self.birth_texts = [
            f"{born:%Y%m%d}"
            for born in map(
                date.fromordinal, range(first_birth, max(latest, EARLIEST_BIRTH).toordinal() + 1)
            )
        ]
        self.county_codes = [county.code for county in counties]
        self.expected = {county.code: count for county, count in zip(counties, counts, strict=True)}
        self.states: dict[str, _CountyState] = {}
        self.usccs: set[str] = set()
        self.id_numbers: set[str] = set()

    def pick(self, items: Sequence[_T]) -> _T:
        """A uniformly chosen item (cheaper than ``Random.choice``)."""
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """A uniformly chosen integer in ``low..high`` inclusive."""
        return low + int(self.random() * (high - low + 1))

    def state(self, county: County) -> _CountyState:
        state = self.states.get(county.code)
        if state is None:
            expected = max(1, self.expected[county.code])
            state = _CountyState(
                licence=_Counter(self.rng, 5000, min(40, 890_000 // expected)),
                production=_Counter(self.rng, 200, min(5, 9_700 // expected)),
                certificates=self.rng.randrange(1, 3000),
                names={},
            )
            self.states[county.code] = state
        return state

    def days_from_today(self, low: int, high: int) -> date:
        """A uniformly chosen day ``low..high`` days from today (within the precomputed span)."""
        return self.days[low - _FIRST_DAY_OFFSET + int(self.random() * (high - low + 1))]

    def validity_ending(self, expiry: date, years: int) -> tuple[date, date]:
        """Issue and expiry dates of a document valid ``years``, expiring on or near ``expiry``.

        The expiry is the last valid day: one day before the issue date's anniversary. Around
        29 February the wanted expiry may have no issue date, so it can move by a day.
        """
        key = (expiry, years)
        dates = self.validity.get(key)
        if dates is None:
            issued = _shift_years(expiry + _ONE_DAY, -years)
            dates = issued, _shift_years(issued, years) - _ONE_DAY
            self.validity[key] = dates
        return dates
