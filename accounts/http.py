"""Typed requests for views that only signed-in people reach."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required`` or ``permission_required``: its user is a signed-in
    ``User``, never ``AnonymousUser``. For annotations only; Django builds the request."""

    user: User
