"""Planning: which county, category, form and chain each business key gets."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from sunshine.demo import wordlists as words
from sunshine.demo.fake.model import (
    CATERER_FORM_WEIGHTS,
    CATERERS_PER_CHAIN,
    CHAIN_OUTLET_SHARE,
    MIN_CATERERS_FOR_A_CHAIN,
    SUPPLIER_FORMS,
    SUPPLIER_SHARE,
    SUPPLIER_SPLIT,
)
from sunshine.demo.fake.places import County


@dataclass
class Slot:
    """One business to build: its county, category and form, and its chain if any."""

    county: County
    category: str
    form: str
    chain: int | None = None
    is_hq: bool = False


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    shares = [int(quota) for quota in quotas]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    return shares


def allocate(counties: list[County], total: int, focus: Sequence[str]) -> list[int]:
    """Businesses per county: focus counties first, then one each, then by weight.

    Focus counties always get their quota (as far as ``total`` goes); every other county gets
    one when ``total`` covers that too, and the rest is shared in proportion to the weights.
    """
    position = {county.code: index for index, county in enumerate(counties)}
    counts = [0] * len(counties)
    remaining = total
    focus_need = max(3, total // 20)
    for code in dict.fromkeys(focus):
        given = min(focus_need, remaining)
        counts[position[code]] += given
        remaining -= given
    # One for each other county, busiest kind first if there are not enough to go round.
    empty = sorted(
        (index for index, count in enumerate(counts) if count == 0),
        key=lambda index: (-counties[index].weight, index),
    )
    for index in empty[:remaining]:
        counts[index] = 1
    remaining -= min(remaining, len(empty))
    extra = _apportion(remaining, [county.weight for county in counties])
    return [count + more for count, more in zip(counts, extra, strict=True)]


def _category_list(total: int) -> list[str]:
    suppliers = round(total * SUPPLIER_SHARE)
    split = _apportion(suppliers, [share for _, share in SUPPLIER_SPLIT])
    categories = ["caterer"] * (total - suppliers)
    for (category, _), count in zip(SUPPLIER_SPLIT, split, strict=True):
        categories.extend([category] * count)
    return categories


def _assign_chains(rng: random.Random, slots: list[Slot]) -> None:
    """Turn some caterers into chain headquarters and outlets (连锁门店)."""
    caterers = [index for index, slot in enumerate(slots) if slot.category == "caterer"]
    brands = min(len(words.CHAIN_BRANDS), len(caterers) // CATERERS_PER_CHAIN)
    if brands == 0 and len(caterers) >= MIN_CATERERS_FOR_A_CHAIN:
        brands = 1  # even a small demo shows one chain, so every role has an account
    if brands == 0:
        return
    urban = [index for index in caterers if slots[index].county.urban]
    hq_pool = urban if len(urban) >= brands else caterers
    hqs = rng.sample(hq_pool, brands)
    taken = set(hqs)
    rest = [index for index in caterers if index not in taken]
    outlet_total = min(len(rest), max(2 * brands, round(len(caterers) * CHAIN_OUTLET_SHARE)))
    outlets = rng.sample(rest, outlet_total)
    extra = _apportion(outlet_total - 2 * brands, [1 / (rank + 1) for rank in range(brands)])
    sizes = [2 + more for more in extra]
    cursor = 0
    for chain, (hq, size) in enumerate(zip(hqs, sizes, strict=True)):
        kind = words.CHAIN_BRANDS[chain][1]
        slots[hq].chain, slots[hq].is_hq = chain, True
        slots[hq].form = "drinks" if kind == "drinks" else "central_kitchen"
        for index in outlets[cursor : cursor + size]:
            slots[index].chain, slots[index].form = chain, "chain_outlet"
        cursor += size


def _headquarters_first(slots: list[Slot]) -> None:
    """Swap each chain's HQ in front of its outlets so consumers can stream the output."""
    first: dict[int, int] = {}
    hq_at: dict[int, int] = {}
    for index, slot in enumerate(slots):
        if slot.chain is None:
            continue
        first.setdefault(slot.chain, index)
        if slot.is_hq:
            hq_at[slot.chain] = index
    for chain, index in first.items():
        other = hq_at[chain]
        slots[index], slots[other] = slots[other], slots[index]


def plan(rng: random.Random, counties: list[County], counts: list[int]) -> list[Slot]:
    total = sum(counts)
    categories = _category_list(total)
    rng.shuffle(categories)
    forms, form_weights = zip(*CATERER_FORM_WEIGHTS, strict=True)
    caterer_forms = iter(rng.choices(forms, weights=form_weights, k=categories.count("caterer")))
    placed = itertools.chain.from_iterable(
        itertools.repeat(county, count) for county, count in zip(counties, counts, strict=True)
    )
    slots = [
        Slot(
            county=county,
            category=category,
            form=next(caterer_forms)
            if category == "caterer"
            else SUPPLIER_FORMS.get(category, category),
        )
        for county, category in zip(placed, categories, strict=True)
    ]
    _assign_chains(rng, slots)
    rng.shuffle(slots)
    _headquarters_first(slots)
    return slots
