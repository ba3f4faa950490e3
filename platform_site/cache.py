"""Django's Redis cache, for which Redis out of reach is a miss, not an error.

Everything the project keeps in the cache (the site's settings, cached pages, rate-limit
counters) can be read again from PostgreSQL or started afresh, so a stopped Redis must not
turn a coordinator's publication, a resident's remark or a page view into an error page
(issue 13's fault tests). Reads return the default, writes are dropped, each logged once a
minute at most; the short socket timeouts in the settings bound the wait. Rate limits count
from zero meanwhile: a trade-off written down here on purpose.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")

_last_warning = 0.0


def _soft(call: Callable[[], T], fallback: T) -> T:
    global _last_warning
    try:
        return call()
    except UNREACHABLE as exc:
        now = time.monotonic()
        if now - _last_warning > 60:
            _last_warning = now
            logger.warning("cache unreachable, carrying on without it: %s", exc)
        return fallback


class FailSoftRedisCacheClient(RedisCacheClient):
    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).add(key, value, timeout), False)

    def get(self, key: Any, default: Any) -> Any:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).get(key, default), default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        _soft(lambda: super(FailSoftRedisCacheClient, self).set(key, value, timeout), None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).touch(key, timeout), False)

    def delete(self, key: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).delete(key), False)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).get_many(keys), {})

    def has_key(self, key: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).has_key(key), False)

    def incr(self, key: Any, delta: int) -> Any:
        missing = object()
        value = _soft(lambda: super(FailSoftRedisCacheClient, self).incr(key, delta), missing)
        if value is missing:
            # What a caller does for a key that is not there: it then sets one (dropped).
            raise ValueError(f"Key '{key}' not found (cache unreachable).")
        return value

    def hit(self, key: Any, timeout: int) -> int:
        """One more in ``key``'s window of ``timeout`` seconds, and the count so far: one
        round trip (SET NX with the expiry, then INCR, in one MULTI/EXEC), where add() and
        incr() took three (incr asks whether the key exists first). 1 when Redis is out of
        reach: the count starts afresh (see the module)."""

        def count() -> int:
            pipe = self.get_client(key, write=True).pipeline(transaction=True)
            pipe.set(key, 0, ex=max(1, int(timeout)), nx=True)
            pipe.incr(key)
            return int(pipe.execute()[1])

        return _soft(count, 1)

    def set_many(self, data: Any, timeout: Any) -> None:
        _soft(lambda: super(FailSoftRedisCacheClient, self).set_many(data, timeout), None)

    def delete_many(self, keys: Any) -> None:
        _soft(lambda: super(FailSoftRedisCacheClient, self).delete_many(keys), None)

    def clear(self) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).clear(), False)


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    def hit(self, key: Any, timeout: int, version: int | None = None) -> int:
        """A rate limit's counter (FailSoftRedisCacheClient.hit), under the cache's key
        (the schema name first)."""
        key = self.make_and_validate_key(key, version=version)
        return int(self._cache.hit(key, timeout))  # type: ignore[attr-defined]
