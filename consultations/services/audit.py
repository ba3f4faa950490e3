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
    "consultation_create": gettext_lazy("created the consultation"),
    "consultation_update": gettext_lazy("changed the details"),
    "consultation_order": gettext_lazy("ordered the consultation"),
    "consultation_schedule": gettext_lazy("scheduled the consultation"),
    "consultation_open": gettext_lazy("the consultation opened"),
    "consultation_close": gettext_lazy("the consultation closed"),
    "consultation_report_publish": gettext_lazy("published the report"),
    "consultation_archive": gettext_lazy("archived the consultation"),
    "consultation_payment_clear": gettext_lazy("the order was paid or approved"),
    "consultation_payment_revoke": gettext_lazy("the order was cancelled"),
    "participation_form_add": gettext_lazy("added a form of participation"),
    "participation_form_update": gettext_lazy("changed a form of participation"),
    "participation_form_remove": gettext_lazy("removed a form of participation"),
    "document_add": gettext_lazy("attached a document"),
    "document_remove": gettext_lazy("removed a document"),
    "department_save": gettext_lazy("saved a department"),
    "area_save": gettext_lazy("saved an area"),
    "category_save": gettext_lazy("saved a category"),
    "news_save": gettext_lazy("published a news item"),
    "site_settings_update": gettext_lazy("changed the site settings"),
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
