"""Fixed-window rate limits: Redis when configured (shared by every worker), else in-process."""

from __future__ import annotations

import threading
import time
from typing import Protocol

from sunshine.config import get_settings


class RateLimiter(Protocol):
    def hit(self, key: str, *, limit: int, window_s: int) -> tuple[bool, int]:
        """Count one hit; return (allowed, seconds until the window resets)."""

    def hit_many(self, key: str, *, count: int, limit: int, window_s: int) -> int:
        """Count ``count`` hits at once (a batch); return how many of them are allowed."""


class MemoryRateLimiter:
    """Per-process counters: right for the embedded single-process deployment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def hit(self, key: str, *, limit: int, window_s: int) -> tuple[bool, int]:
        now = int(time.time())
        window = now // window_s
        with self._lock:
            if len(self._windows) > 50_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            current_window, count = self._windows.get(key, (window, 0))
            if current_window != window:
                count = 0
            count += 1
            self._windows[key] = (window, count)
        return count <= limit, window_s - now % window_s

    def hit_many(self, key: str, *, count: int, limit: int, window_s: int) -> int:
        window = int(time.time()) // window_s
        with self._lock:
            current_window, before = self._windows.get(key, (window, 0))
            if current_window != window:
                before = 0
            self._windows[key] = (window, before + count)
        return _allowed(before, count, limit)


def _allowed(before: int, count: int, limit: int) -> int:
    return max(0, min(count, limit - before))


class RedisRateLimiter:
    """Counters in Redis, so limits hold across uvicorn workers and hosts."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, *, limit: int, window_s: int) -> tuple[bool, int]:
        now = int(time.time())
        bucket = f"sunshine:rl:{key}:{now // window_s}"
        pipe = self._redis.pipeline()
        pipe.incr(bucket)
        pipe.expire(bucket, window_s + 1)
        count, _ = pipe.execute()
        return int(count) <= limit, window_s - now % window_s

    def hit_many(self, key: str, *, count: int, limit: int, window_s: int) -> int:
        bucket = f"sunshine:rl:{key}:{int(time.time()) // window_s}"
        pipe = self._redis.pipeline()
        pipe.incrby(bucket, count)
        pipe.expire(bucket, window_s + 1)
        total, _ = pipe.execute()
        return _allowed(int(total) - count, count, limit)


class _Holder:
    limiter: RateLimiter | None = None


def get_rate_limiter() -> RateLimiter:
    if _Holder.limiter is None:
        url = get_settings().redis_url
        _Holder.limiter = RedisRateLimiter(url) if url else MemoryRateLimiter()
    return _Holder.limiter


def reset_rate_limiter() -> None:
    _Holder.limiter = None
