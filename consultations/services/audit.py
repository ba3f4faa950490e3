"""The audit log: who did what to what, and when. Every service of a change a user cares
about calls :func:`audit_record` inside its own transaction, so the row exists exactly when
the change does. Other apps (remarks, billing) call it too, with their own action slugs."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from consultations.audit_actions import audit_action_label, audit_action_labels_register
from consultations.models import AuditEvent, Consultation

__all__ = ["audit_action_label", "audit_action_labels_register", "audit_record"]


def audit_record(
    *,
    acting_user: Any,
    action: str,
    target: models.Model,
    consultation: Consultation | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one action. ``acting_user`` is the user who acted (of this schema, or provider
    staff of the public schema), or None when the platform acted by itself (the beat job,
    a payment webhook). Call it inside the transaction of the change it records."""
    if consultation is None and isinstance(target, Consultation):
        consultation = target
    with transaction.atomic():
        return AuditEvent.objects.create(
            actor_id=getattr(acting_user, "pk", None),
            actor_email=(getattr(acting_user, "email", "") or "")[:254],
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk) if target.pk is not None else "",
            consultation=consultation,
            details=details or {},
        )
