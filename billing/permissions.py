"""Named predicates for billing, on both sides."""

from __future__ import annotations

from typing import Any

from accounts.models import StaffRole
from consultations.permissions import is_municipal_staff
from tenants.permissions import is_provider_staff

ORDERING_ROLES = {StaffRole.ADMIN, StaffRole.COORDINATOR}


def can_order_consultations(user: Any) -> bool:
    """Order and pay for a consultation, see and cancel the municipality's orders."""
    return bool(is_municipal_staff(user) and user.role in ORDERING_ROLES)


def can_edit_invoice_data(user: Any) -> bool:
    """The municipality's invoice address: its administrator only."""
    return bool(is_municipal_staff(user) and user.role == StaffRole.ADMIN)


def can_manage_billing(user: Any) -> bool:
    """Provider staff: the price list, every order, approvals, revenue."""
    return is_provider_staff(user)
