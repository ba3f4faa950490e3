"""The page of last resort: a server error, or the database out of reach.

Django turns an exception raised anywhere below a middleware into a response at once, so an
outer middleware never sees it; the URLconf's ``handler500`` is the one place every uncaught
exception ends in, the tenant middleware's included. When PostgreSQL cannot be reached (the
server stopped, restarting, or out of connections) the answer is a Polish 503 with
``Retry-After``: browsers show it, monitors count it as unavailability, Stripe retries its
webhook. Nothing here touches the database, the cache or the session.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def database_unreachable(exc: BaseException | None) -> bool:
    """An error of the database connection, not of a query (psycopg2 reports both as
    OperationalError; a query that merely failed is a ProgrammingError or IntegrityError)."""
    while exc is not None:
        if isinstance(exc, InterfaceError | OperationalError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unreachable(sys.exc_info()[1]):
        response = HttpResponse(
            loader.get_template("503.html").render(), status=503, content_type="text/html"
        )
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
