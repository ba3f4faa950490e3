"""Writes of a municipality's site data, one module per concern.

The package re-exports every service so callers keep importing ``consultations.services``."""

from consultations.services.audit import (
    audit_action_label,
    audit_action_labels_register,
    audit_record,
)
from consultations.services.catalogue import (
    area_save,
    category_save,
    department_save,
    geojson_check,
)
from consultations.services.clearance import (
    consultation_is_cleared,
    consultation_payment_clear,
    consultation_payment_revoke,
)
from consultations.services.content import (
    DATES_EDITABLE,
    ConsultationInput,
    consultation_create,
    consultation_dates_check,
    consultation_update,
)
from consultations.services.documents import (
    DOCUMENT_MAX_BYTES,
    document_add,
    document_frozen_message,
    document_kind_detect,
    document_remove,
    document_revise,
)
from consultations.services.legal import (
    accessibility_review_remind,
    accessibility_statement_update,
    privacy_notice_update,
)
from consultations.services.lifecycle import (
    TRANSITIONS,
    Transition,
    consultation_archive,
    consultation_close,
    consultation_dates_move,
    consultation_open,
    consultation_order,
    consultation_report_publish,
    consultation_schedule,
    consultations_advance,
)
from consultations.services.news import news_save
from consultations.services.notice import (
    notice_attach,
    notice_documents,
    notice_of,
    notice_refresh,
)
from consultations.services.participation_forms import (
    participation_form_add,
    participation_form_remove,
    participation_form_update,
    participation_forms_set,
)
from consultations.services.publications import (
    announcement_publication_add,
    announcement_publication_remove,
)
from consultations.services.rules import (
    council_resolution_get,
    council_resolution_update,
)
from consultations.services.site import site_settings_update

__all__ = [
    "DATES_EDITABLE",
    "DOCUMENT_MAX_BYTES",
    "TRANSITIONS",
    "ConsultationInput",
    "Transition",
    "accessibility_review_remind",
    "accessibility_statement_update",
    "announcement_publication_add",
    "announcement_publication_remove",
    "area_save",
    "audit_action_label",
    "audit_action_labels_register",
    "audit_record",
    "category_save",
    "consultation_archive",
    "consultation_close",
    "consultation_create",
    "consultation_dates_check",
    "consultation_dates_move",
    "consultation_is_cleared",
    "consultation_open",
    "consultation_order",
    "consultation_payment_clear",
    "consultation_payment_revoke",
    "consultation_report_publish",
    "consultation_schedule",
    "consultation_update",
    "consultations_advance",
    "council_resolution_get",
    "council_resolution_update",
    "department_save",
    "document_add",
    "document_frozen_message",
    "document_kind_detect",
    "document_remove",
    "document_revise",
    "geojson_check",
    "news_save",
    "notice_attach",
    "notice_documents",
    "notice_of",
    "notice_refresh",
    "participation_form_add",
    "participation_form_remove",
    "participation_form_update",
    "participation_forms_set",
    "privacy_notice_update",
    "site_settings_update",
]
