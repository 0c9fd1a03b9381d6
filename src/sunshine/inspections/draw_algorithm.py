"""The draw algorithm ``sunshine-draw/1`` as pure functions: anyone holding a published
draw's document can repeat it with these, or with any SHA-256 tool (see
:mod:`sunshine.inspections.draws` for the whole procedure)."""

from __future__ import annotations

import calendar
import hashlib
import heapq
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

__all__ = [
    "ALGORITHM",
    "COUNT",
    "PERCENT",
    "candidates_digest",
    "how_many",
    "months_before",
    "pick_businesses",
    "pick_group",
    "reproduce",
    "result_digest",
]

ALGORITHM = "sunshine-draw/1"
COUNT = "count"
PERCENT = "percent"


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def candidates_digest(ids: Sequence[int]) -> str:
    """SHA-256 of the candidate ids as the JSON text ``[1,2,3]``."""
    return hashlib.sha256(_json(list(ids))).hexdigest()


def result_digest(rows: Iterable[tuple[int, Sequence[int], Sequence[int]]]) -> str:
    """SHA-256 of the result as the JSON text ``[[business, [pool...], [group...]], ...]``
    in draw order."""
    return hashlib.sha256(_json([[b, list(p), list(g)] for b, p, g in rows])).hexdigest()


def _ranked(prefix: str, ids: Sequence[int]) -> list[tuple[bytes, int]]:
    """Each id with ``SHA-256(prefix + str(id))`` (the UTF-8 text), the digest first."""
    head = prefix.encode()
    sha256 = hashlib.sha256
    return [(sha256(head + b"%d" % i).digest(), i) for i in ids]


def pick_businesses(seed: str, candidates: Sequence[int], k: int) -> list[int]:
    """The ``k`` candidates with the smallest ``SHA-256("{seed}:{id}")``, smallest first
    (digests compared as bytes; equal digests, never seen, by id)."""
    return [i for _, i in heapq.nsmallest(k, _ranked(f"{seed}:", candidates))]


def pick_group(seed: str, business_id: int, pool: Sequence[int], size: int) -> list[int]:
    """The ``size`` officers of ``pool`` with the smallest ``SHA-256("{seed}:{business}:{u}")``,
    smallest first; none when the pool is smaller than the group."""
    if len(pool) < size:
        return []
    return [u for _, u in sorted(_ranked(f"{seed}:{business_id}:", pool))[:size]]


def how_many(candidates: int, kind: str, quantity: Decimal) -> int:
    """The number of businesses to draw: the count asked for (at most the candidates), or
    the percentage of the candidates rounded up."""
    if kind == COUNT:
        return min(int(quantity), candidates)
    exact = Decimal(candidates) * quantity / Decimal(100)
    return min(int(exact.to_integral_value(rounding=ROUND_CEILING)), candidates)


def reproduce(document: Mapping[str, Any]) -> list[tuple[int, list[int], list[int]]]:
    """The result a draw's document gives: ``(business, pool, group)`` in draw order,
    recomputed from its seed, candidates, quantity, group size and each business's pool."""
    seed = str(document["seed"])
    candidates = [int(c) for c in document["candidate_ids"]]
    k = how_many(len(candidates), str(document["quantity_kind"]), Decimal(document["quantity"]))
    pools = {int(d["business_id"]): [int(u) for u in d["pool"]] for d in document["drawn"]}
    size = int(document["group_size"])
    out = []
    for business_id in pick_businesses(seed, candidates, k):
        pool = pools.get(business_id, [])
        out.append((business_id, pool, pick_group(seed, business_id, pool, size)))
    return out


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day where it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
