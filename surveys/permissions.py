"""Named predicates for surveys; views answer 404 when one says no."""

from __future__ import annotations

from typing import Any

from consultations import participation
from consultations.models import Consultation, ConsultationStatus
from consultations.permissions import can_manage_consultation

# The price-list add-on "Przygotowanie ankiety przez operatora": the municipality orders the
# provider's staff to build the consultation's survey (billing's seeded price list).
OPERATOR_SURVEY_ADDON = "addon-survey"

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


def provider_survey_ordered(consultation: Consultation) -> bool:
    """The consultation's live order includes the add-on "survey prepared by the operator"
    (asked of billing through consultations.participation; call it in the municipality's
    schema)."""
    return OPERATOR_SURVEY_ADDON in participation.order_addon_codes(consultation)


def provider_may_build_survey(user: Any, consultation: Consultation) -> bool:
    """The provider's staff build a municipality's survey only when its order includes the
    add-on, and, as the municipality's staff, until the consultation closes. ``user`` is
    checked as provider staff by the view (tenants.permissions.is_provider_staff) before it
    enters the municipality's schema."""
    return consultation.status in BUILDABLE and provider_survey_ordered(consultation)
