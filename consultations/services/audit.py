"""The audit log: who did what to what, and when. Every service of a change a user cares
about calls :func:`audit_record` inside its own transaction, so the row exists exactly when
the change does. Other apps (remarks, billing) call it too, with their own action slugs."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from consultations.models import AuditEvent, Consultation

# What the panel's history says for each action; an app registers its own with
# audit_action_labels_register(). An action without a label is shown by its slug.
_ACTION_LABELS: dict[str, str | Promise] = {
    "consultation_create": gettext_lazy("consultation created"),
    "consultation_update": gettext_lazy("details changed"),
    "consultation_order": gettext_lazy("consultation ordered"),
    "consultation_schedule": gettext_lazy("consultation scheduled"),
    "consultation_open": gettext_lazy("consultation opened"),
    "consultation_close": gettext_lazy("consultation closed"),
    "consultation_report_publish": gettext_lazy("report published"),
    "consultation_archive": gettext_lazy("consultation archived"),
    "consultation_payment_clear": gettext_lazy("order paid or approved"),
    "consultation_payment_revoke": gettext_lazy("order cancelled"),
    "participation_form_add": gettext_lazy("form of participation added"),
    "participation_form_update": gettext_lazy("form of participation changed"),
    "participation_form_remove": gettext_lazy("form of participation removed"),
    "document_add": gettext_lazy("document attached"),
    "document_remove": gettext_lazy("document removed"),
    "department_save": gettext_lazy("department saved"),
    "area_save": gettext_lazy("area saved"),
    "category_save": gettext_lazy("category saved"),
    "news_save": gettext_lazy("news item saved"),
    "site_settings_update": gettext_lazy("site settings changed"),
}


def audit_action_labels_register(labels: dict[str, str | Promise]) -> None:
    """Let an app name its own actions in the history (called from its ``ready()``)."""
    _ACTION_LABELS.update(labels)


def audit_action_label(action: str) -> str | Promise:
    return _ACTION_LABELS.get(action, action)


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
