"""A small shared cache: Redis when configured (all workers share it), else in-process.

Used for pages that many people read and few change, such as the public store page.
Entries expire after a short TTL and are also dropped right after a transaction that
changed their source commits (see :func:`invalidate_after_commit`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from sunshine.config import get_settings

if TYPE_CHECKING:
    from redis.asyncio import Redis as AsyncRedis

_PENDING = "sunshine.cache.pending"
log = logging.getLogger(__name__)
VERSION_TTL_S = 30 * 86400


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl_s: int) -> None: ...
    def delete(self, *keys: str) -> None: ...


class MemoryCache:
    """LRU with per-entry expiry, for the embedded single-process deployment."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + ttl_s, value)
            self._data.move_to_end(key)
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)


INVALIDATION_CHANNEL = "sunshine:cache:invalidate"


class RedisCache:
    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._redis = redis.Redis.from_url(url)

    def publish_invalidation(self, keys: tuple[str, ...]) -> None:
        self._redis.publish(INVALIDATION_CHANNEL, "\n".join(keys))

    def listen_for_invalidations(self, drop: Callable[[list[str]], None]) -> None:
        """Call ``drop`` with the keys every other worker invalidates (blocking; run in a
        daemon thread). Reconnects after a lost connection."""
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
                pubsub.subscribe(INVALIDATION_CHANNEL)
                for message in pubsub.listen():
                    data = message.get("data")
                    if isinstance(data, bytes):
                        drop(data.decode("utf-8").split("\n"))
            except Exception:  # keep listening whatever happens to the connection
                log.warning("cache invalidation listener lost Redis; reconnecting", exc_info=True)
                time.sleep(1)

    def get(self, key: str) -> bytes | None:
        value = self._redis.get(f"sunshine:cache:{key}")
        return value if isinstance(value, bytes) else None

    def get_with_ttl(self, key: str) -> tuple[bytes | None, float]:
        """The value and the seconds it has left, in one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.get(f"sunshine:cache:{key}")
        pipe.pttl(f"sunshine:cache:{key}")
        value, pttl = pipe.execute()
        if not isinstance(value, bytes):
            return None, 0.0
        return value, (pttl / 1000 if isinstance(pttl, int) and pttl > 0 else 0.0)

    async def aget_with_ttl(self, client: AsyncRedis, key: str) -> tuple[bytes | None, float]:
        """``get_with_ttl`` on the event loop, through the worker's asyncio client."""
        async with client.pipeline(transaction=False) as pipe:
            pipe.get(f"sunshine:cache:{key}")
            pipe.pttl(f"sunshine:cache:{key}")
            value, pttl = await pipe.execute()
        if not isinstance(value, bytes):
            return None, 0.0
        return value, (pttl / 1000 if isinstance(pttl, int) and pttl > 0 else 0.0)

    def async_client(self) -> AsyncRedis:
        from redis.asyncio import Redis

        return Redis.from_url(self.url)

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        self._redis.set(f"sunshine:cache:{key}", value, ex=ttl_s)

    def delete(self, *keys: str) -> None:
        if keys:
            self._redis.delete(*(f"sunshine:cache:{k}" for k in keys))


class TieredCache:
    """An in-process first level in front of Redis.

    The first level answers hot keys without any I/O, so an async route can serve them on
    the event loop. Invalidations are published on a Redis channel that every worker
    listens to, so a change made through one worker drops the copies held by all of them.
    """

    def __init__(self, shared: Cache, local_ttl_s: int = 3600) -> None:
        self.shared = shared
        self.local = MemoryCache()
        self.local_ttl_s = local_ttl_s
        # One asyncio client per event loop: a client belongs to the loop it was opened on
        # (a worker has one loop; tests may run several apps at once, each on its own).
        self._async: dict[int, AsyncRedis] = {}
        if isinstance(shared, RedisCache):
            threading.Thread(
                target=shared.listen_for_invalidations,
                args=(self._drop_local,),
                daemon=True,
                name="cache-invalidations",
            ).start()

    def _drop_local(self, keys: list[str]) -> None:
        self.local.delete(*keys)

    async def start_async(self) -> None:
        """Open this event loop's asyncio Redis client (called when the web app starts)."""
        loop = id(asyncio.get_running_loop())
        if isinstance(self.shared, RedisCache) and loop not in self._async:
            self._async[loop] = self.shared.async_client()

    async def stop_async(self) -> None:
        client = self._async.pop(id(asyncio.get_running_loop()), None)
        if client is not None:
            await client.aclose()

    async def aget(self, key: str) -> bytes | None:
        """The value from this process or, without leaving the event loop, from Redis.

        ``None`` when absent, or when the app runs without the asyncio client (then
        callers fall back to ``get`` in a worker thread)."""
        value = self.local.get(key)
        client = self._async.get(id(asyncio.get_running_loop()))
        if value is not None or client is None:
            return value
        assert isinstance(self.shared, RedisCache)
        value, left = await self.shared.aget_with_ttl(client, key)
        if value is not None and left > 0:
            self.local.set(key, value, min(left, self.local_ttl_s))
        return value

    def peek_local(self, key: str) -> bytes | None:
        return self.local.get(key)

    def get(self, key: str) -> bytes | None:
        value = self.local.get(key)
        if value is not None:
            return value
        if isinstance(self.shared, RedisCache):
            # The local copy must not outlive the shared one (a page valid until midnight).
            value, left = self.shared.get_with_ttl(key)
            if value is not None and left > 0:
                self.local.set(key, value, min(left, self.local_ttl_s))
            return value
        value = self.shared.get(key)
        if value is not None:
            self.local.set(key, value, self.local_ttl_s)
        return value

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        self.shared.set(key, value, ttl_s)
        self.local.set(key, value, min(ttl_s, self.local_ttl_s))

    def delete(self, *keys: str) -> None:
        self.local.delete(*keys)
        self.shared.delete(*keys)
        if isinstance(self.shared, RedisCache) and keys:
            self.shared.publish_invalidation(keys)


class _Holder:
    cache: TieredCache | None = None


def get_cache() -> TieredCache:
    """The process's cache: in-process only (embedded) or in front of Redis (server)."""
    if _Holder.cache is None:
        url = get_settings().redis_url
        if url:
            _Holder.cache = TieredCache(RedisCache(url))
        else:
            # Embedded mode has one process: the first level is the whole cache.
            _Holder.cache = TieredCache(MemoryCache(), local_ttl_s=24 * 3600)
    return _Holder.cache


def reset_cache() -> None:
    _Holder.cache = None


def invalidate_after_commit(session: Session, *keys: str) -> None:
    """Drop ``keys`` once the session's transaction commits (services never commit)."""
    pending: set[str] = session.info.setdefault(_PENDING, set())
    pending.update(keys)


@event.listens_for(Session, "after_commit")
def _drop_pending(session: Session) -> None:
    pending: set[str] | None = session.info.pop(_PENDING, None)
    if pending:
        get_cache().delete(*pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def current_version(name: str) -> str:
    """A token that changes whenever data named ``name`` changes (see below).

    Cached results put it in their key, so a change makes every older entry unreachable
    at once without having to find them.
    """
    cache = get_cache()
    key = f"version:{name}"
    value = cache.get(key)
    if value is None:
        value = secrets.token_hex(6).encode("ascii")
        cache.set(key, value, VERSION_TTL_S)
    return value.decode("ascii")


def peek_version(name: str) -> str | None:
    """``current_version`` if this process holds it (no I/O: safe on the event loop)."""
    value = get_cache().peek_local(f"version:{name}")
    return None if value is None else value.decode("ascii")


def bump_version_after_commit(session: Session, name: str) -> None:
    """Retire every cached result built on ``name`` once this transaction commits."""
    invalidate_after_commit(session, f"version:{name}")


def version_changing(session: Session, name: str) -> bool:
    """Whether this session's open transaction changed data named ``name`` (its version
    retires at commit): what it reads of that data must not come from the cache."""
    return f"version:{name}" in session.info.get(_PENDING, ())
