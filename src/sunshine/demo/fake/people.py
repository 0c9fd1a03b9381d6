"""People: staff names, positions, ID numbers, health certificates and trainings."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from datetime import date

from sunshine.core.identifiers import id_check_char
from sunshine.demo import wordlists as words
from sunshine.demo.fake.draws import Draws
from sunshine.demo.fake.model import (
    CANTEEN_FORMS,
    CERT_WARNING_DAYS,
    CERT_YEARS,
    SAME_COUNTY_ID_SHARE,
    STAFF_RANGES,
    FakeStaff,
    FakeTraining,
)
from sunshine.demo.fake.places import County
from sunshine.demo.fake.planning import Slot

_SURNAMES = tuple(name for name, _ in words.SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(share for _, share in words.SURNAMES))
_SURNAME_TOTAL = _SURNAME_CUM[-1]
_MALE_GIVEN = words.GIVEN_MALE * 3 + words.GIVEN_NEUTRAL
_FEMALE_GIVEN = words.GIVEN_FEMALE * 3 + words.GIVEN_NEUTRAL
_COMPOUND_SURNAMES = frozenset(name for name in _SURNAMES if len(name) == 2)


def _weighted_table(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], list[float]]:
    return tuple(name for name, _ in pairs), list(itertools.accumulate(w for _, w in pairs))


_POSITION_TABLES = {
    "catering": _weighted_table(words.CATERING_POSITIONS),
    "drinks": _weighted_table(words.DRINKS_POSITIONS),
    "canteen": _weighted_table(words.CANTEEN_POSITIONS),
    "producer": _weighted_table(words.PRODUCER_POSITIONS),
    "trade": _weighted_table(words.TRADE_POSITIONS),
}


class StaffDraws(Draws):
    """A business's staff (从业人员): about six people per business, the hot path."""

    def phone(self) -> str:
        return f"{self.pick(words.MOBILE_PREFIXES)}{int(self.random() * 100_000_000):08d}"

    def surname(self) -> str:
        return _SURNAMES[bisect.bisect_right(_SURNAME_CUM, self.random() * _SURNAME_TOTAL)]

    def providers(self, county: County) -> list[str]:
        if not county.providers:
            county.providers = [
                f"{county.name}市场监督管理局",
                f"{county.city_prefix or county.province_name}市场监督管理局",
                f"{county.province_name}餐饮行业协会",
                "企业内部培训",
            ]
        return county.providers

    def staff_count(self, scale: str) -> int:
        low, high = STAFF_RANGES[scale]
        if scale in ("micro", "small"):
            return self.between(low, high)
        return round(self.rng.triangular(low, high, low))

    def positions(self, count: int, scale: str, form: str) -> list[str]:
        fixed = [words.POSITION_MANAGER]
        if scale != "micro":
            fixed.append(words.POSITION_SAFETY_MANAGER)
        if scale in ("medium", "large"):
            fixed.append(words.POSITION_BUYER)
        table = _POSITION_TABLES[_position_group(form)]
        others = self.rng.choices(table[0], cum_weights=table[1], k=max(0, count - len(fixed)))
        return (fixed + others)[:count]

    def person(self, position: str, county: County, direct_contact: bool) -> FakeStaff:
        draw = self.random
        male = draw() < words.MALE_SHARE[position]
        pool = _MALE_GIVEN if male else _FEMALE_GIVEN
        size = len(pool)
        given = pool[int(draw() * size)]
        if draw() < 0.75:
            given += pool[int(draw() * size)]
        cert_number, issued, expires = self.health_certificate(county)
        # Positional arguments: this constructor runs ~6 times per business.
        return FakeStaff(
            self.surname() + given,
            "male" if male else "female",
            position,
            self.id_number(county, male),
            self.phone(),
            cert_number,
            issued,
            expires,
            direct_contact,
            self.trainings(county, position),
        )

    def id_number(self, county: County, male: bool) -> str:
        """A unique resident ID number (居民身份证号码) registered in the province.

        Same layout as :func:`make_id_number`, built from precomputed birth-date digits
        because this runs for every person.
        """
        draw = self.random
        while True:
            region = county.code if draw() < SAME_COUNTY_ID_SHARE else self.pick(self.county_codes)
            born = self.birth_texts[int(draw() * len(self.birth_texts))]
            sequence = int(draw() * 500) * 2 + male or 2
            first17 = f"{region}{born}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def health_certificate(self, county: County) -> tuple[str, date | None, date | None]:
        """Health certificate (健康证明): ~2% missing, ~4% expired, ~6% expiring in 30 days."""
        draw = self.random()
        if draw < 0.02:
            return "", None, None
        if draw < 0.06:
            expires = self.days_from_today(-180, -1)
        elif draw < 0.12:
            expires = self.days_from_today(0, CERT_WARNING_DAYS)
        else:
            expires = self.days_from_today(CERT_WARNING_DAYS + 1, 364)
        issued, expires = self.validity_ending(expires, CERT_YEARS)
        state = self.state(county)
        state.certificates += 1
        return f"{county.code}{issued.year}{state.certificates:07d}", issued, expires

    def trainings(self, county: County, position: str) -> list[FakeTraining]:
        """Food-safety trainings: managers 2-4, others 0-3 (about one on average)."""
        draw = self.random()
        if position == words.POSITION_SAFETY_MANAGER:
            count = 2 + int(draw * 3)
        elif draw < 0.35:
            return []
        else:
            count = 1 if draw < 0.75 else 2 if draw < 0.95 else 3
        providers = self.providers(county)
        return [
            FakeTraining(
                self.days_from_today(-730, -1),
                self.pick(words.TRAINING_TOPICS),
                self.pick(words.TRAINING_HOURS),
                self.pick(providers),
            )
            for _ in range(count)
        ]

    def staff(self, slot: Slot, scale: str) -> list[FakeStaff]:
        positions = self.positions(self.staff_count(scale), scale, slot.form)
        trade = slot.category in ("wholesaler", "market_vendor")
        return [
            self.person(
                position,
                slot.county,
                direct_contact=not trade and position in words.DIRECT_CONTACT_POSITIONS,
            )
            for position in positions
        ]


def surname_of(name: str) -> str:
    """The surname of a generated name (compound surnames such as 欧阳 included)."""
    return name[:2] if name[:2] in _COMPOUND_SURNAMES else name[0]


def _position_group(form: str) -> str:
    if form == "drinks":
        return "drinks"
    if form in CANTEEN_FORMS:
        return "canteen"
    if form == "food_producer":
        return "producer"
    if form in ("wholesaler", "market_vendor"):
        return "trade"
    return "catering"
