"""Helpers for the register's tests: consultations with remark forms and their settings."""

from __future__ import annotations

import uuid
from typing import Any

from consultations.models import ParticipationForm
from remarks import services
from remarks.models import Remark
from tests.conftest import unique
from tests.consultations.factories import consultation_in_state, department_make


def staff_make(role: str) -> Any:
    """A member of staff (or a resident, role "") without a password: hashing one costs a
    third of a second, and these tests never sign in with it (they use force_login)."""
    from accounts.models import User

    return User.objects.create(email=unique(role[:5] or "miesz") + "@urzad.test", role=role)


def form_settings(consultation: Any, kind: str = "remarks", **settings: Any) -> None:
    ParticipationForm.objects.filter(consultation=consultation, kind=kind).update(settings=settings)


def open_consultation(
    *, department: Any = None, kinds: tuple[str, ...] = ("remarks",), **settings: Any
) -> Any:
    consultation = consultation_in_state(
        "open", department=department, participation_forms=list(kinds)
    )
    for kind in kinds:
        form_settings(consultation, kind, **settings)
    return consultation


def remark_input(**overrides: Any) -> services.RemarkInput:
    values: dict[str, Any] = {
        "document_part": "§ 3 ust. 2",
        "current_wording": "Park jest otwarty w godzinach 6–22.",
        "proposed_wording": "Park jest otwarty całą dobę.",
        "justification": "Mieszkańcy wracają późno z pracy.",
        "author_kind": "person",
        "author_name": "Jan Kowalski",
        "address": "ul. Lipowa 1, 74-400 Dębno",
        "email": "jan.kowalski@example.pl",
    }
    values.update(overrides)
    return services.RemarkInput(**values)


def coordinator_with(consultation: Any = None) -> tuple[Any, Any]:
    """A coordinator and the department they run (pass it to open_consultation)."""
    coordinator = staff_make("coordinator")
    return coordinator, department_make(coordinators=(coordinator,))


def paper_remark(consultation: Any, clerk: Any, **overrides: Any) -> Remark:
    from django.utils import timezone

    values: dict[str, Any] = {
        "acting_user": clerk,
        "consultation_id": consultation.pk,
        "channel": "paper",
        "data": remark_input(email=""),
        "received_on": timezone.localdate(),
        "case_number": "OR.152.3.2026",
        "idempotency_key": uuid.uuid4(),
    }
    values.update(overrides)
    return services.remark_enter(**values)
