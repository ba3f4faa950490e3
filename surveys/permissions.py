"""Named predicates for surveys; views answer 404 when one says no."""

from __future__ import annotations

from typing import Any

from consultations.models import Consultation, ConsultationStatus
from consultations.permissions import can_manage_consultation

BUILDABLE = frozenset(
    {
        ConsultationStatus.DRAFT,
        ConsultationStatus.ORDERED,
        ConsultationStatus.SCHEDULED,
        ConsultationStatus.OPEN,
    }
)
PAPER_ENTRY = frozenset({ConsultationStatus.OPEN, ConsultationStatus.CLOSED})


def can_build_survey(user: Any, consultation: Consultation) -> bool:
    """Builds or changes the survey: who manages the consultation, until it closes."""
    return consultation.status in BUILDABLE and can_manage_consultation(user, consultation)


def can_see_survey_results(user: Any, consultation: Consultation) -> bool:
    """Sees live results and exports: who manages the consultation, in every state."""
    return can_manage_consultation(user, consultation)


def can_enter_paper_responses(user: Any, consultation: Consultation) -> bool:
    return consultation.status in PAPER_ENTRY and can_manage_consultation(user, consultation)
