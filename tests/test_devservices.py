"""The embedded default servers that `make run` and `make test` start on a bare machine."""

import socket

import psycopg2
import redis

from platform_site.devservices import Profile, port_open, services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_embedded_postgres_and_redis_start_serve_and_stop(monkeypatch):
    # given a machine where nothing is named: no DATABASE_URL, no REDIS_URL
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("KONSULTA_SERVICES", "embedded")
    profile = Profile(
        "selftest",
        free_port(),
        free_port(),
        reuse_running=False,
        fast_unsafe=True,
        database="konsulta_selftest",
        redis_db=0,
    )
    # when the launcher brings the servers up
    with services(profile) as env:
        # then both answer on loopback, with the database created
        assert (
            env["DATABASE_URL"]
            == f"postgres://postgres@127.0.0.1:{profile.pg_port}/konsulta_selftest"
        )
        with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_database(), inet_server_addr()::text")
            assert cur.fetchone() == ("konsulta_selftest", "127.0.0.1/32")
        client = redis.Redis.from_url(env["REDIS_URL"])
        assert client.ping()
        client.close()
    # and both are stopped afterwards
    assert not port_open(profile.pg_port)
    assert not port_open(profile.redis_port)
