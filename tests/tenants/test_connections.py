"""A database connection persists between requests until it has served more schemas than
DB_CONN_MAX_SCHEMAS; then it is closed when the request ends (real PostgreSQL)."""

from __future__ import annotations

from django.core.signals import request_finished
from django.db import connection


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def request_in(schema: str) -> int:
    """What a request to a municipality does to the connection: its schema, a query, the end
    of the request. The PostgreSQL backend that answered."""
    connection.set_schema(schema)
    pid = backend_pid()
    request_finished.send(sender=None)
    return pid


def test_a_connection_serves_requests_until_it_has_seen_too_many_schemas(
    committed_db, settings, tenant_a, tenant_b
):
    # given connections kept for a minute, retired after serving two schemas
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
    settings.DB_CONN_MAX_SCHEMAS = 2
    connection.close()
    # when requests come for A, B, A, B: the same backend answers them all
    pids = [request_in(s) for s in (tenant_a.schema_name, tenant_b.schema_name) * 2]
    assert len(set(pids)) == 1
    # when a request for a third schema ends, the connection is closed
    third = request_in("tenant_template")
    assert third == pids[0]
    assert connection.connection is None
    # and the next request gets a fresh backend, which starts counting again
    fresh = [request_in(s) for s in (tenant_a.schema_name, tenant_b.schema_name)]
    assert fresh[0] == fresh[1] != pids[0]
    assert connection.connection is not None


def test_a_connection_is_never_closed_inside_a_transaction(committed_db, settings, tenant_a):
    from django.db import transaction

    settings.DB_CONN_MAX_SCHEMAS = 0
    connection.close()
    with transaction.atomic():
        request_in(tenant_a.schema_name)
        assert connection.connection is not None
    request_finished.send(sender=None)
    assert connection.connection is None
