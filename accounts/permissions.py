"""Named predicates about accounts and the municipality's staff."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import get_public_schema_name

from accounts.models import StaffRole
from common.db import connection


def _in_municipality() -> bool:
    return connection.schema_name != get_public_schema_name()


def can_manage_staff(user: Any) -> bool:
    """Invite people, change roles, revoke access: the municipal administrator only."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == StaffRole.ADMIN
        and _in_municipality()
    )


def can_manage_own_account(user: Any) -> bool:
    """Profile, data export, account deletion: any signed-in person of a municipality."""
    return bool(user.is_authenticated and user.is_active and _in_municipality())
