"""Named predicates for billing, on both sides."""

from __future__ import annotations

from typing import Any

from accounts.models import StaffRole
from consultations.models import Consultation
from consultations.permissions import can_manage_consultation, is_admin, is_municipal_staff
from tenants.permissions import is_provider_staff

ORDERING_ROLES = {StaffRole.ADMIN, StaffRole.COORDINATOR}


def can_order_consultations(user: Any) -> bool:
    """Sees the orders section of the panel: a role that orders consultations. What they may
    do with one consultation's order is ``can_order_consultation``'s to say."""
    return bool(is_municipal_staff(user) and user.role in ORDERING_ROLES)


def can_order_consultation(user: Any, consultation: Consultation | None) -> bool:
    """Order, pay for, cancel (and so refund) the order of this consultation, see its order
    and confirmation: a role that orders, and consultations' own ``can_manage_consultation``
    for the consultation concerned (a coordinator: their departments' only). An order whose
    consultation is gone: the administrator only. Call it inside the municipality's schema."""
    if not can_order_consultations(user):
        return False
    if consultation is None:
        return is_admin(user)
    return can_manage_consultation(user, consultation)


def can_edit_invoice_data(user: Any) -> bool:
    """The municipality's invoice address: its administrator only."""
    return bool(is_municipal_staff(user) and user.role == StaffRole.ADMIN)


def can_manage_billing(user: Any) -> bool:
    """Provider staff: the price list, every order, approvals, revenue."""
    return is_provider_staff(user)
