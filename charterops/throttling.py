"""API rate limits counted in fixed windows: one cache round trip per check.

DRF's own throttles keep a list of request times per client, read and written back on
every request (two round trips to Redis and a pickled list). A counter per window
(`INCR`, with an expiry) answers the same question — more than N requests in this
minute? — in one round trip. The price is the usual one of fixed windows: a client
may spend one window's allowance at its end and the next one's at the start.
"""

import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling


def _redis(cache: RedisCache) -> Any:
    """One Redis client per cache instance: Django's backend builds a new one (and its
    table of 170 response callbacks) on every call, which costs more than the round trip."""
    client = getattr(cache, "_charterops_redis", None)
    if client is None:
        client = cache._cache.get_client(write=True)
        cache._charterops_redis = client
    return client


def counter_incr(key: str, timeout: int) -> int:
    """Add one to the counter `key` (created at 0, expiring `timeout` seconds after its
    last hit) and return the new count, in one round trip on Redis."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Django stores ints as plain Redis integers, so INCR works on its keys directly.
        full_key = cache.make_and_validate_key(key)
        pipe = _redis(cache).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, timeout)
        count, _ = pipe.execute()
        return int(count)
    # Local memory (no Redis configured): add + incr is atomic there.
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def counters_get(keys: list[str]) -> list[int]:
    """The current values of counters `keys` (0 for a missing one), in one round trip."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        values = _redis(cache).mget([cache.make_and_validate_key(key) for key in keys])
        return [int(value) if value is not None else 0 for value in values]
    found = cache.get_many(keys)
    return [found.get(key, 0) for key in keys]


def window_hit(key: str, window: int, now: int | None = None) -> int:
    """Count one hit against `key` in the `window`-second window of `now` (the current
    second by default); return the hits so far in this window (this one included)."""
    now = int(time.time()) if now is None else now
    return counter_incr(f"{key}:{now // window}", window + 1)


class WindowRateThrottle(throttling.SimpleRateThrottle):
    """SimpleRateThrottle's rates and cache keys, counted per fixed window."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = int(time.time())  # one reading for the window counted and the wait it gives
        self.wait_seconds = self.duration - now % self.duration
        return window_hit(self.key, self.duration, now) <= self.num_requests

    def wait(self) -> float:
        return self.wait_seconds


class UserRateThrottle(WindowRateThrottle, throttling.UserRateThrottle):
    """Per signed-in user (per address for anyone else), scope "user"."""


class AnonRateThrottle(WindowRateThrottle, throttling.AnonRateThrottle):
    """Per address for anyone not signed in, scope "anon"."""
