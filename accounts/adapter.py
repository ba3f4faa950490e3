"""django-allauth's hooks: who may sign up where."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Provider staff are created by provider staff, never by sign-up on the apex domain.
        if connection.schema_name == get_public_schema_name():
            return False
        # Residents' sign-up arrives with the consultations issue; staff join by invitation.
        return False
