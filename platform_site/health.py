"""`GET /healthz` on every host: PostgreSQL, Redis and the age of celery beat's last tick, as
JSON; 200 when all answer, 503 when any does not.

A middleware, ahead of the tenant middleware: the probe must answer on any host (a load
balancer asks by IP address) and must not need the database to find a municipality first.
Each check has a short timeout, so a server that is down makes the answer slow by seconds at
most, never a hung worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATH = "/healthz"
CHECK_TIMEOUT_SECONDS = 2.0
# Written by the beat process on every tick of its loop (platform_site.heartbeat).
BEAT_HEARTBEAT_KEY = "konsulta:beat:last-tick"
# Beat's loop wakes at least every CELERY_BEAT_MAX_LOOP_INTERVAL seconds; a few missed ticks
# mean it is stuck or gone.
BEAT_STALE_AFTER_SECONDS = 90.0


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
    )


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:  # noqa: BLE001 - any failure is the answer, named
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _postgresql() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _redis() -> dict[str, Any]:
    redis_client().ping()
    return {}


def _beat() -> dict[str, Any]:
    value = redis_client().get(BEAT_HEARTBEAT_KEY)
    if value is None:
        raise RuntimeError("beat has not ticked (no heartbeat recorded)")
    age = max(0.0, time.time() - float(value))
    if age > BEAT_STALE_AFTER_SECONDS:
        raise RuntimeError(f"beat's last tick was {age:.0f} s ago")
    return {"last_tick_age_seconds": round(age, 1)}


def health_report() -> dict[str, Any]:
    """Each service's state; ``ok`` only when all are."""
    checks = {"postgresql": _timed(_postgresql), "redis": _timed(_redis)}
    if checks["redis"]["ok"]:
        checks["beat"] = _timed(_beat)
    else:
        checks["beat"] = {
            "ok": False,
            "error": "unknown: Redis, where beat records its ticks, is down",
        }
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}


def healthz(request: HttpRequest) -> HttpResponse:
    report = health_report()
    response = JsonResponse(report, status=200 if report["ok"] else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers `/healthz` before any tenant lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH and request.method in {"GET", "HEAD"}:
            return healthz(request)
        return self.get_response(request)
