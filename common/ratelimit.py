"""Counters of a rate limit's window, kept in the cache."""

from __future__ import annotations

from django.core.cache import cache


def window_hit(key: str, seconds: int) -> int:
    """Count one more event under ``key`` in a window of ``seconds`` that starts with the
    first one, and return the count so far. The project's cache
    (platform_site.cache.FailSoftRedisCache) does it in one round trip to Redis; any other
    cache through add() and incr()."""
    hit = getattr(cache, "hit", None)
    if hit is not None:
        return int(hit(key, seconds))
    cache.add(key, 0, seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between the two calls
        cache.set(key, 1, seconds)
        return 1
