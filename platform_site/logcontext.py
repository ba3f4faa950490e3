"""Every log line of web and worker names the municipality's schema and a request id.

- ``RequestIdMiddleware`` (first in MIDDLEWARE) takes the proxy's ``X-Request-ID`` (nginx's
  ``$request_id``) or makes one, answers it in the response header, and writes one access
  line per request (gunicorn's own access log is off: its lines could carry neither).
- A task queued during a request carries that id in its message headers; the worker logs the
  task's lines under it (signals below), in the schema tenant-schemas-celery switched to.
- ``ContextFilter`` puts ``schema`` and ``request_id`` on every record; the formatter in
  settings.LOGGING prints them ("-" outside any request or task).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery import signals
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest, HttpResponse

request_id_var: ContextVar[str] = ContextVar("konsulta_request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "konsulta_request_id"
# What we accept from the proxy: its own ids are 32 hex digits; anything odd is replaced.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

access_logger = logging.getLogger("konsulta.request")


def current_schema() -> str:
    try:
        return getattr(connection, "schema_name", None) or "-"
    except ImproperlyConfigured:  # settings not loaded yet (process start): no schema
        return "-"


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.schema = current_schema()
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if REQUEST_ID_PATTERN.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            access_logger.info(
                "%s %s %s %.0fms",
                request.method,
                request.get_full_path()[:300],
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


@signals.before_task_publish.connect
def _request_id_to_task(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id != "-":
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, Any] = {}


@signals.task_prerun.connect
def _request_id_from_task(task_id: str = "", task: Any = None, **_: Any) -> None:
    given = getattr(getattr(task, "request", None), TASK_HEADER, None)
    _task_tokens[task_id] = request_id_var.set(given or f"task-{task_id}")


@signals.task_postrun.connect
def _request_id_done(task_id: str = "", **_: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)
