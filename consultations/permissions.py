"""Named predicates for a municipality's staff panel."""

from __future__ import annotations

from typing import Any

from accounts.models import StaffRole


def is_municipal_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in StaffRole.values)


def can_manage_site_settings(user: Any) -> bool:
    """Branding and legal texts: the municipal administrator only."""
    return bool(is_municipal_staff(user) and user.role == StaffRole.ADMIN)
