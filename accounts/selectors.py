"""Reads about accounts, always in the current municipality's schema."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Invitation, StaffRole, User
from accounts.personal_data import exporters


def staff_members() -> QuerySet[User]:
    """Everyone with a staff role in this municipality, administrators first."""
    role_order = Case(
        *[When(role=role, then=Value(index)) for index, role in enumerate(StaffRole.values)],
        default=Value(99),
    )
    return (
        User.objects.exclude(role="")
        .filter(is_active=True)
        .annotate(role_order=role_order)
        .order_by("role_order", "email")
    )


def staff_member_get(*, member_id: int) -> User | None:
    """A staff member of this municipality by id; None for residents and unknown ids alike."""
    return User.objects.exclude(role="").filter(pk=member_id, is_active=True).first()


def invitations_pending() -> QuerySet[Invitation]:
    """Invitations not yet accepted, the newest first (expired ones included, to resend)."""
    return Invitation.objects.filter(accepted_at__isnull=True).select_related("invited_by")


def invitation_pending_get(*, invitation_id: int) -> Invitation | None:
    return Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()


def admins_count() -> int:
    return User.objects.filter(role=StaffRole.ADMIN, is_active=True).count()


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user`` in this schema, as JSON-ready data:
    one entry per exporter registered in ``accounts.personal_data``."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "format_version": 1,
    }
    for name, exporter in exporters().items():
        data[name] = exporter(user)
    return data
