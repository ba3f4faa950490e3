"""The names of audit actions as the panel's history shows them: a small registry below
services and selectors, so both can read it and other apps can add their own actions."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

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
    "document_revise": gettext_lazy("corrected version of a document added"),
    "notice_generate": gettext_lazy("announcement generated"),
    "department_save": gettext_lazy("department saved"),
    "area_save": gettext_lazy("area saved"),
    "category_save": gettext_lazy("category saved"),
    "news_save": gettext_lazy("news item saved"),
    "site_settings_update": gettext_lazy("site settings changed"),
    "announcement_channels_confirm": gettext_lazy(
        "announcement in the remaining channels confirmed"
    ),
    "announcement_publication_add": gettext_lazy("announcement publication recorded"),
    "announcement_publication_remove": gettext_lazy("announcement publication removed"),
    "consultation_open_refused": gettext_lazy("opening refused by the legal rules"),
    "consultation_dates_move": gettext_lazy("dates moved after a late payment"),
    "council_resolution_update": gettext_lazy("council resolution on consultations changed"),
    "privacy_notice_update": gettext_lazy("privacy notice changed"),
    "accessibility_statement_update": gettext_lazy("accessibility statement reviewed and updated"),
}


def audit_action_labels_register(labels: dict[str, str | Promise]) -> None:
    """Let an app name its own actions in the history (called from its ``ready()``)."""
    _ACTION_LABELS.update(labels)


def audit_action_label(action: str) -> str | Promise:
    return _ACTION_LABELS.get(action, action)
