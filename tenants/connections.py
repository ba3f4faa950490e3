"""Persistent database connections, each retired after it has served a number of schemas.

Opening a PostgreSQL connection costs about 6 ms of every request, so connections are kept
(``CONN_MAX_AGE``). But a PostgreSQL backend caches the catalogue entries of every relation it
touches, in every schema: a connection that served 1,010 municipalities grew to 291 MiB
(issue 14), and its worker's would never shrink. So each connection notes the search paths
it was given, and is closed at the end of the request (or Celery task) after which it has
served more than ``DB_CONN_MAX_SCHEMAS`` of them; the next request opens a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

SERVED = "konsulta_search_paths_served"


def _search_path_note(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if sql.startswith("SET search_path"):
        getattr(context["connection"], SERVED).add(sql)
    return execute(sql, params, many, context)


def connection_watch(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: a new connection has served nothing yet."""
    setattr(connection, SERVED, set())
    if _search_path_note not in connection.execute_wrappers:
        connection.execute_wrappers.append(_search_path_note)


def connections_retire_worn(**kwargs: Any) -> None:
    """request_finished, task_postrun: close each connection that has served more schemas
    than allowed (never inside a transaction)."""
    limit = settings.DB_CONN_MAX_SCHEMAS
    for connection in connections.all(initialized_only=True):
        served = getattr(connection, SERVED, ())
        if (
            connection.connection is not None
            and len(served) > limit
            and not connection.in_atomic_block
        ):
            connection.close()
