"""GET /healthz: PostgreSQL, Redis and celery beat's last tick, as JSON on any host; 503 and
the failing part named when any is down (each server really stopped or unreachable)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from platform_site.health import BEAT_HEARTBEAT_KEY, redis_client
from tests.conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "127.0.0.1:9"  # the discard port: nothing listens there


def spawn(*command: str) -> subprocess.Popen[bytes]:
    """A process of the project's virtualenv with this test run's environment."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "platform_site.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if command[0] == "gunicorn":
        env["DATABASE_URL"] = f"postgres://postgres@{CLOSED}/konsulta"
    return subprocess.Popen(
        [str(Path(sys.executable).parent / command[0]), *command[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def healthz(host: str = "localhost") -> tuple[int, dict]:
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@pytest.fixture
def beat_ticked_now():
    redis_client().set(BEAT_HEARTBEAT_KEY, f"{time.time():.3f}")
    yield
    redis_client().delete(BEAT_HEARTBEAT_KEY)


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "test-a.localhost", "198.51.100.1"])
def test_all_up_is_200_on_any_host(host, tenant_a, beat_ticked_now):
    status, body = healthz(host)
    assert status == 200, body
    assert body["ok"] is True
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "postgresql": True,
        "redis": True,
        "beat": True,
    }
    assert 0 <= body["checks"]["beat"]["last_tick_age_seconds"] < 5


@pytest.mark.django_db
def test_beat_that_stopped_ticking_is_503():
    redis_client().set(BEAT_HEARTBEAT_KEY, f"{time.time() - 600:.3f}")
    try:
        status, body = healthz()
    finally:
        redis_client().delete(BEAT_HEARTBEAT_KEY)
    assert status == 503
    assert body["checks"]["beat"]["ok"] is False
    assert "600 s ago" in body["checks"]["beat"]["error"]
    assert body["checks"]["postgresql"]["ok"] is True


@pytest.mark.django_db
def test_beat_that_never_ticked_is_503():
    redis_client().delete(BEAT_HEARTBEAT_KEY)
    status, body = healthz()
    assert status == 503
    assert "no heartbeat" in body["checks"]["beat"]["error"]


@pytest.mark.django_db
def test_redis_down_is_503_and_named(settings):
    settings.REDIS_URL = f"redis://{CLOSED}/0"
    started = time.monotonic()
    status, body = healthz()
    assert time.monotonic() - started < 5
    assert status == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["postgresql"]["ok"] is True


def test_postgresql_down_is_503_from_a_real_server(django_db_setup):
    """gunicorn with the production middleware stack and a database that is not there."""
    port = free_port()
    # (the database named is unreachable: see spawn)
    web = spawn("gunicorn", "platform_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1")
    redis_client().set(BEAT_HEARTBEAT_KEY, f"{time.time():.3f}")
    try:
        wait_for_port(port, web)
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
        elapsed = time.monotonic() - started
        body = json.loads(error.value.read())
    finally:
        web.terminate()
        web.wait(10)
        redis_client().delete(BEAT_HEARTBEAT_KEY)
    assert error.value.code == 503
    assert elapsed < 2
    assert body["checks"]["postgresql"]["ok"] is False
    assert "OperationalError" in body["checks"]["postgresql"]["error"]
    assert body["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_a_running_beat_records_its_ticks(tmp_path):
    """celery beat with the project's scheduler; it stops before any task falls due (60 s)."""
    redis_client().delete(BEAT_HEARTBEAT_KEY)
    beat = spawn(
        "celery",
        "-A",
        "platform_site",
        "beat",
        "--schedule",
        str(tmp_path / "schedule"),
        "--loglevel",
        "WARNING",
    )
    try:
        deadline = time.monotonic() + 40
        while redis_client().get(BEAT_HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            assert beat.poll() is None, "beat exited"
            time.sleep(0.3)
        status, body = healthz()
    finally:
        beat.terminate()
        beat.wait(20)
        redis_client().delete(BEAT_HEARTBEAT_KEY)
    assert status == 200, body
    assert body["checks"]["beat"]["last_tick_age_seconds"] < 20
