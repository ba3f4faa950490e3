"""Named predicates for the provider's side."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import get_public_schema_name

from common.db import connection


def is_provider_staff(user: Any) -> bool:
    """Provider staff: a staff account of the public schema, signed in on the apex domain."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and connection.schema_name == get_public_schema_name()
    )
