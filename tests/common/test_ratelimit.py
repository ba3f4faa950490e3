"""A rate limit's window counter (common.ratelimit.window_hit) on the project's real cache
(Redis through platform_site.cache.FailSoftRedisCache), and on Redis out of reach."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django_tenants.utils import schema_context

from common.ratelimit import window_hit
from platform_site.cache import FailSoftRedisCache


def test_counts_each_hit_in_one_window_that_expires():
    key = f"test-rate:{uuid.uuid4()}"
    assert [window_hit(key, 60) for _ in range(3)] == [1, 2, 3]
    full_key = cache.make_key(key)
    client: RedisCacheClient = cache._cache  # type: ignore[attr-defined]
    ttl = client.get_client(full_key).ttl(full_key)
    assert 0 < ttl <= 60
    # The window starts with the first hit: a later hit, even one asking for a longer
    # window, neither restarts it nor stretches it (else a steady trickle never ends it).
    assert window_hit(key, 600) == 4
    assert 0 < client.get_client(full_key).ttl(full_key) <= 60
    # What the counter holds reads back through the cache like any other number.
    assert cache.get(key) == 4


def test_a_cache_without_hit_counts_through_add_and_incr():
    # Any other Django cache (a developer's locmem one): the same counts, by the fallback.
    from django.core.cache import caches
    from django.test import override_settings

    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        assert not hasattr(caches["default"], "hit")
        key = f"test-rate:{uuid.uuid4()}"
        assert [window_hit(key, 60) for _ in range(3)] == [1, 2, 3]


@pytest.mark.django_db
def test_each_schema_counts_apart(tenant_a, tenant_b):
    key = f"test-rate:{uuid.uuid4()}"
    with schema_context(tenant_a.schema_name):
        assert window_hit(key, 60) == 1
        assert window_hit(key, 60) == 2
    with schema_context(tenant_b.schema_name):
        assert window_hit(key, 60) == 1


def test_redis_out_of_reach_counts_from_one_and_raises_nothing():
    # A port nothing listens on: the project's cache, not a stand-in, answering as it does
    # when Redis is stopped (the fault tests stop the real one under the whole stack).
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    unreachable = FailSoftRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )
    assert unreachable.hit("test-rate:down", 60) == 1
    assert unreachable.hit("test-rate:down", 60) == 1
