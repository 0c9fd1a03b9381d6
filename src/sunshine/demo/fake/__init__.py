"""Deterministic demo data: a province's catering businesses, suppliers and staff (演示数据).

:func:`generate_province` turns a seed, a size and a list of administrative divisions into
plausible businesses with licences, addresses, coordinates and staff. It is pure: no database,
no global random state, no ``hash()`` of strings, so the same arguments always give the same
output, and it is cheap enough to produce 100,000 businesses in seconds.

A sub-package: :mod:`.model` (the dataclasses and tunable shares), :mod:`.places` (counties,
townships, addresses, coordinates), :mod:`.planning` (which county, category, form and chain
each business gets), :mod:`.draws` (the seeded state), :mod:`.people` (staff, ID numbers,
certificates) and :mod:`.businesses` (names, licences, the builder).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date

from sunshine.demo.fake.businesses import Builder
from sunshine.demo.fake.model import (
    BUSINESS_CATEGORIES,
    BUSINESS_FORMS,
    BUSINESS_SCALES,
    FakeBusiness,
    FakeStaff,
    FakeTraining,
    RegionRef,
)
from sunshine.demo.fake.places import build_geography
from sunshine.demo.fake.planning import Slot, allocate, plan

__all__ = [
    "BUSINESS_CATEGORIES",
    "BUSINESS_FORMS",
    "BUSINESS_SCALES",
    "FakeBusiness",
    "FakeStaff",
    "FakeTraining",
    "RegionRef",
    "generate_province",
]


def generate_province(
    *,
    seed: int,
    businesses: int,
    regions: Sequence[RegionRef],
    today: date,
    focus_counties: Sequence[str] = (),
) -> Iterator[FakeBusiness]:
    """Generate ``businesses`` food businesses spread over the counties in ``regions``.

    The same arguments always give the same businesses, in the same order, with keys
    ``0..businesses-1``; a chain HQ always comes before its outlets. Every county gets a
    business when ``businesses`` covers the focus counties' quota plus one per other county;
    each focus county gets at least ``max(3, businesses // 20)`` (as far as ``businesses``
    allows). Arguments are checked at once; businesses are built lazily while iterating.
    """
    if businesses < 0:
        raise ValueError(f"businesses must be >= 0, got {businesses}")
    counties = build_geography(regions)
    if not counties:
        raise ValueError("regions contain no county-level division to place businesses in")
    known = {county.code for county in counties}
    unknown = [code for code in focus_counties if code not in known]
    if unknown:
        raise ValueError(f"focus counties not among the regions' counties: {', '.join(unknown)}")
    rng = random.Random(seed)
    counts = allocate(counties, businesses, focus_counties)
    slots = plan(rng, counties, counts)
    return _emit(Builder(rng, counties, counts, today), slots)


def _emit(builder: Builder, slots: list[Slot]) -> Iterator[FakeBusiness]:
    hq_keys = {
        slot.chain: key for key, slot in enumerate(slots) if slot.is_hq and slot.chain is not None
    }
    for key, slot in enumerate(slots):
        yield builder.build(key, slot, hq_keys)
