"""The one guard for pages behind a named permission predicate."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase

# Base, not HttpResponse: a guarded download returns a FileResponse (a streaming response).
View = Callable[..., HttpResponseBase]


def permission_required(predicate: Callable[[Any], bool]) -> Callable[[View], View]:
    """Anonymous visitors go to sign in; signed-in people without the right get a 404,
    the same answer as a page that does not exist."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
