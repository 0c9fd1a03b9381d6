"""The page cache: expiry, invalidation after commit, and across workers through Redis."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy.orm import Session

from sunshine.core.cache import MemoryCache, RedisCache, TieredCache, invalidate_after_commit


def test_memory_cache_expires_and_evicts() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1", ttl_s=60)
    cache.set("b", b"2", ttl_s=60)
    cache.set("c", b"3", ttl_s=60)
    assert cache.get("a") is None  # least recently used went first
    assert cache.get("c") == b"3"
    cache.set("d", b"4", ttl_s=0)
    assert cache.get("d") is None


def test_invalidation_waits_for_commit(session: Session) -> None:
    from sunshine.core.cache import get_cache

    cache = get_cache()
    cache.set("k", b"v", ttl_s=60)
    invalidate_after_commit(session, "k")
    assert cache.get("k") == b"v"
    session.rollback()
    assert cache.get("k") == b"v"
    invalidate_after_commit(session, "k")
    session.commit()
    assert cache.get("k") is None


@pytest.mark.skipif(
    not os.environ.get("SUNSHINE_TEST_REDIS_URL"),
    reason="needs Redis (SUNSHINE_TEST_REDIS_URL; CI sets it)",
)
def test_invalidation_reaches_other_workers() -> None:
    url = os.environ["SUNSHINE_TEST_REDIS_URL"]
    worker_a, worker_b = TieredCache(RedisCache(url)), TieredCache(RedisCache(url))
    time.sleep(0.3)  # let both listeners subscribe
    worker_a.set("store:X", b"old", ttl_s=60)
    assert worker_b.get("store:X") == b"old"  # now also in b's first level
    worker_a.delete("store:X")
    deadline = time.monotonic() + 5
    while worker_b.peek_local("store:X") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_b.peek_local("store:X") is None
    assert worker_b.get("store:X") is None


@pytest.mark.skipif(
    not os.environ.get("SUNSHINE_TEST_REDIS_URL"),
    reason="needs Redis (SUNSHINE_TEST_REDIS_URL; CI sets it)",
)
def test_a_local_copy_never_outlives_the_shared_one() -> None:
    url = os.environ["SUNSHINE_TEST_REDIS_URL"]
    writer, reader = TieredCache(RedisCache(url)), TieredCache(RedisCache(url))
    writer.set("store:SHORT", b"page", ttl_s=1)
    assert reader.get("store:SHORT") == b"page"  # copied into the reader's first level
    time.sleep(1.2)
    assert reader.peek_local("store:SHORT") is None
    assert reader.get("store:SHORT") is None


def test_region_names_are_kept_and_reloaded_for_unknown_codes(session: Session) -> None:
    from sunshine.regions import service
    from sunshine.regions.enums import RegionLevel
    from sunshine.regions.models import Region

    service.forget_cached_regions()
    assert service.region_names(session=session, codes=["510000", None, "510104"]) == [
        "四川省",
        "锦江区",
    ]
    region = session.get(Region, "510104")
    assert region is not None
    region.name = "锦江区（改）"
    session.flush()
    assert service.region_names(session=session, codes=["510104"]) == ["锦江区"]  # kept
    session.add(
        Region(
            code="510104999",
            name="新街道",
            level=RegionLevel.TOWNSHIP,
            parent_code="510104",
            province_code="510000",
            prefecture_code="510100",
            county_code="510104",
            source="test",
        )
    )
    session.flush()
    # An unknown code reloads every name.
    assert service.region_names(session=session, codes=["510104", "510104999"]) == [
        "锦江区（改）",
        "新街道",
    ]


@pytest.mark.skipif(
    not os.environ.get("SUNSHINE_TEST_REDIS_URL"),
    reason="needs Redis (SUNSHINE_TEST_REDIS_URL; CI sets it)",
)
def test_pages_are_read_from_redis_on_the_event_loop() -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    url = os.environ["SUNSHINE_TEST_REDIS_URL"]
    writer, reader = TieredCache(RedisCache(url)), TieredCache(RedisCache(url))

    async def read() -> tuple[bytes | None, bytes | None]:
        assert await reader.aget("store:ASYNC") is None  # no client yet: the caller falls back
        await reader.start_async()
        try:
            return await reader.aget("store:ASYNC"), await reader.aget("store:NONE")
        finally:
            await reader.stop_async()

    writer.set("store:ASYNC", b"page", ttl_s=60)
    # A thread of its own: the browser tests keep an event loop running in the main thread.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, read()).result() == (b"page", None)
    assert reader.peek_local("store:ASYNC") == b"page"
