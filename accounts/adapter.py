"""django-allauth's hooks: who may sign up where, and where people land after signing in."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django_tenants.utils import get_public_schema_name


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Provider staff are created by provider staff, never by sign-up on the apex domain;
        # municipal staff join by invitation. Residents' sign-up comes with their accounts.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if connection.schema_name == get_public_schema_name():
            if user.is_staff:
                return reverse("provider:municipality_list")
        elif getattr(user, "role", ""):
            return reverse("panel_home")
        return super().get_login_redirect_url(request)
