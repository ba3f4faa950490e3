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


def test_the_host_lookup_is_one_statement_and_replaces_a_kept_connection_that_died(
    committed_db, tenant_a
):
    """tenants.middleware.municipality_by_host: no `SET search_path`, no health check of its
    own; a kept connection that PostgreSQL dropped is replaced, as the health check would."""
    import psycopg2
    from django.core.signals import request_started
    from django.test.utils import CaptureQueriesContext

    from tenants.middleware import municipality_by_host

    connection.close()
    connection.set_schema(tenant_a.schema_name)
    first = backend_pid()  # a kept connection whose search path is A's
    request_finished.send(sender=None)
    # when the next request looks up its municipality
    request_started.send(sender=None)
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as queries:
        found = municipality_by_host(tenant_a.host)
    # then one statement, on the same backend
    assert found is not None and found.pk == tenant_a.pk
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    assert backend_pid() == first
    request_finished.send(sender=None)

    # given the kept connection dropped by the server (a restart, a network cut)
    settings_dict = connection.settings_dict
    with (
        psycopg2.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"],
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
        ) as other,
        other.cursor() as cursor,
    ):
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    # when the next request looks up its municipality
    request_started.send(sender=None)
    connection.set_schema_to_public()
    found = municipality_by_host(tenant_a.host)
    # then it is found on a new connection, and the request goes on in its schema
    assert found is not None and found.pk == tenant_a.pk
    assert backend_pid() != first
    connection.set_tenant(found)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        assert cursor.fetchone()[0] == tenant_a.schema_name
    request_finished.send(sender=None)
    connection.set_schema_to_public()
