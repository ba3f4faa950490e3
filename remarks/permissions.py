"""Named predicates of the register of remarks: role × consultation state × action.

Views answer 404 when one says no (the same as a page that does not exist). Residents' actions
depend on the form's window, checked by the services with the clock; these predicates say
who may act on a consultation in a given state.
"""

from __future__ import annotations

from typing import Any

from accounts.models import StaffRole
from consultations.models import Consultation, ConsultationStatus
from consultations.permissions import can_manage_consultation, is_municipal_staff

S = ConsultationStatus

# Remarks arrive while the consultation is open; after the end clerks still register paper
# ones (marked late) and coordinators answer them until the report is published. After that
# the register is a record: read, export, and moderation of what is public.
RECEIVING = frozenset({S.OPEN, S.CLOSED})
ANSWERING = frozenset({S.OPEN, S.CLOSED})
WITH_REGISTER = frozenset({S.OPEN, S.CLOSED, S.REPORT_PUBLISHED, S.ARCHIVED})
MODERATED = frozenset({S.OPEN, S.CLOSED, S.REPORT_PUBLISHED})
DRAFT_EDITABLE = frozenset({S.DRAFT, S.ORDERED, S.SCHEDULED})
# What a form asks may change until the consultation closes (its remarks were checked
# against the settings as they were).
SETTINGS_EDITABLE = frozenset({S.DRAFT, S.ORDERED, S.SCHEDULED, S.OPEN})


def _is_moderator(user: Any) -> bool:
    return bool(is_municipal_staff(user) and user.role == StaffRole.MODERATOR)


def can_view_register(user: Any, consultation: Consultation) -> bool:
    """Reads the register with personal data and the scans: who runs the consultation, and
    moderators (who decide on what is public)."""
    if consultation.status not in WITH_REGISTER:
        return False
    return can_manage_consultation(user, consultation) or _is_moderator(user)


def can_enter_remark(user: Any, consultation: Consultation) -> bool:
    """Registers a remark that came on paper, by e-mail, through ePUAP or at a meeting."""
    return consultation.status in RECEIVING and can_manage_consultation(user, consultation)


def can_check_formally(user: Any, consultation: Consultation) -> bool:
    """Records or withdraws a formal defect, groups remarks."""
    return consultation.status in ANSWERING and can_manage_consultation(user, consultation)


def can_draft_response(user: Any, consultation: Consultation) -> bool:
    return consultation.status in ANSWERING and can_manage_consultation(user, consultation)


def can_approve_response(user: Any, consultation: Consultation, drafted_by_id: int | None) -> bool:
    """A second person who runs the consultation, never the response's author."""
    return (
        consultation.status in ANSWERING
        and can_manage_consultation(user, consultation)
        and drafted_by_id is not None
        and user.pk != drafted_by_id
    )


def can_moderate(user: Any, consultation: Consultation) -> bool:
    """Hides or publishes public texts and clears flags."""
    if consultation.status not in MODERATED:
        return False
    return can_manage_consultation(user, consultation) or _is_moderator(user)


def can_edit_draft(user: Any, consultation: Consultation) -> bool:
    """Pastes or imports the draft to be commented: until the consultation opens."""
    return consultation.status in DRAFT_EDITABLE and can_manage_consultation(user, consultation)


def form_settings_open(consultation: Consultation) -> bool:
    """What the remark form (or the comments on the draft) asks may still change."""
    return consultation.status in SETTINGS_EDITABLE


def can_configure_form(user: Any, consultation: Consultation) -> bool:
    """Sets what the remark form (or the comments on the draft) asks and allows."""
    return form_settings_open(consultation) and can_manage_consultation(user, consultation)
