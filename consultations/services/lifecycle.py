"""The consultation lifecycle: one transition table, the actions along it, the beat job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from consultations.models import (
    Consultation,
    ConsultationStatus,
)
from consultations.participation import kind_get
from consultations.services.audit import audit_record
from consultations.services.clearance import consultation_is_cleared
from consultations.services.content import consultation_dates_check

S = ConsultationStatus


@dataclass(frozen=True)
class Transition:
    label: Any
    sources: frozenset[str]
    target: str
    stamp: str  # the timestamp field set when it happens


# The whole lifecycle in one table: nothing else changes a consultation's status.
TRANSITIONS: dict[str, Transition] = {
    "order": Transition(
        pgettext_lazy("lifecycle action", "order"), frozenset({S.DRAFT}), S.ORDERED, "ordered_at"
    ),
    "schedule": Transition(
        pgettext_lazy("lifecycle action", "schedule"),
        frozenset({S.ORDERED}),
        S.SCHEDULED,
        "scheduled_at",
    ),
    "open": Transition(
        pgettext_lazy("lifecycle action", "open"), frozenset({S.SCHEDULED}), S.OPEN, "opened_at"
    ),
    "close": Transition(
        pgettext_lazy("lifecycle action", "close"), frozenset({S.OPEN}), S.CLOSED, "closed_at"
    ),
    "report_publish": Transition(
        pgettext_lazy("lifecycle action", "publish the report of"),
        frozenset({S.CLOSED}),
        S.REPORT_PUBLISHED,
        "report_published_at",
    ),
    "archive": Transition(
        pgettext_lazy("lifecycle action", "archive"),
        frozenset({S.CLOSED, S.REPORT_PUBLISHED}),
        S.ARCHIVED,
        "archived_at",
    ),
}

REQUIRED_TO_ORDER = {
    "summary": gettext_lazy("a summary in plain language"),
    "description": gettext_lazy("a description"),
    "department_id": gettext_lazy("the organising department"),
    "starts_at": gettext_lazy("the start"),
    "ends_at": gettext_lazy("the end"),
    "contact_name": gettext_lazy("a contact person"),
    "contact_email": gettext_lazy("a contact e-mail"),
}


REQUIRED_FORM_LABEL = gettext_lazy("at least one available form of participation")


def _transition(consultation_id: int, action: str, *, now: datetime | None = None) -> Consultation:
    """Lock the row, check the table, apply. Must run inside a transaction."""
    transition = TRANSITIONS[action]
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in transition.sources:
        raise ValidationError(
            _("Cannot %(action)s a consultation whose status is “%(status)s”.")
            % {"action": transition.label, "status": consultation.get_status_display()},
            code="transition",
        )
    consultation.status = transition.target
    setattr(consultation, transition.stamp, now or timezone.now())
    return consultation


def _stamp_save(
    consultation: Consultation, action: str, *extra: str, acting_user: User | None
) -> None:
    consultation.save(update_fields=["status", TRANSITIONS[action].stamp, "updated_at", *extra])
    audit_record(
        acting_user=acting_user,
        action=f"consultation_{action}",
        target=consultation,
        details={"status": consultation.status},
    )


def _has_registered_form(consultation: Consultation) -> bool:
    """Ordering needs a form residents can use: one whose kind's app is installed."""
    kinds = consultation.participation_forms.values_list("kind", flat=True)
    return any(kind_get(kind) is not None for kind in kinds)


@transaction.atomic
def consultation_order(*, acting_user: User, consultation_id: int) -> Consultation:
    """draft → ordered: every required field and the dates are complete and lawful; billing
    then takes the order and calls consultation_payment_clear() once it is paid."""
    now = timezone.now()
    consultation = _transition(consultation_id, "order", now=now)
    missing = [
        str(label) for name, label in REQUIRED_TO_ORDER.items() if not getattr(consultation, name)
    ]
    if not _has_registered_form(consultation):
        missing.append(str(REQUIRED_FORM_LABEL))
    if missing:
        raise ValidationError(
            _("Before ordering, fill in: %(fields)s.") % {"fields": ", ".join(missing)},
            code="incomplete",
        )
    consultation_dates_check(
        legal_basis=consultation.legal_basis,
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        now=now,
    )
    _stamp_save(consultation, "order", acting_user=acting_user)
    return consultation


@transaction.atomic
def consultation_schedule(*, acting_user: User, consultation_id: int) -> Consultation:
    """ordered → scheduled, only once billing cleared it: residents now see it announced."""
    now = timezone.now()
    consultation = _transition(consultation_id, "schedule", now=now)
    if not consultation_is_cleared(consultation):
        raise ValidationError(
            _(
                "The consultation can be scheduled once its order is paid "
                "or approved for payment by transfer."
            ),
            code="unpaid",
        )
    consultation_dates_check(
        legal_basis=consultation.legal_basis,
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        now=now,
    )
    _stamp_save(consultation, "schedule", acting_user=acting_user)
    return consultation


@transaction.atomic
def consultation_open(*, consultation_id: int, now: datetime | None = None) -> Consultation:
    """scheduled → open (the beat task calls it once the start has come)."""
    consultation = _transition(consultation_id, "open", now=now)
    _stamp_save(consultation, "open", acting_user=None)
    return consultation


@transaction.atomic
def consultation_close(*, consultation_id: int, now: datetime | None = None) -> Consultation:
    """open → closed (the beat task calls it once the end has come): nothing more is accepted."""
    consultation = _transition(consultation_id, "close", now=now)
    _stamp_save(consultation, "close", acting_user=None)
    return consultation


@transaction.atomic
def consultation_report_publish(
    *,
    acting_user: User,
    consultation_id: int,
    report_text: str = "",
    now: datetime | None = None,
) -> Consultation:
    """closed → report_published. The report app (reports.services.report_publish) calls it
    once the report may be published, in its own transaction; ``report_text`` is the older
    free-text summary, kept for consultations published before the generated report."""
    consultation = _transition(consultation_id, "report_publish", now=now)
    consultation.report_text = report_text.strip()
    _stamp_save(consultation, "report_publish", "report_text", acting_user=acting_user)
    return consultation


@transaction.atomic
def consultation_archive(*, acting_user: User, consultation_id: int) -> Consultation:
    """closed or report_published → archived: a read-only record from now on."""
    consultation = _transition(consultation_id, "archive")
    _stamp_save(consultation, "archive", acting_user=acting_user)
    return consultation


# How many rows one run locks at most in one schema; the next minute's run takes the rest.
ADVANCE_BATCH = 200


def consultations_advance(*, now: datetime | None = None) -> tuple[int, int]:
    """Open the scheduled consultations whose start has come and close the open ones whose
    end has come, in the current schema. Returns (opened, closed).

    Safe to run twice or concurrently: rows another run holds are skipped (SKIP LOCKED) and
    each transition re-checks the status under its lock, so nothing happens twice."""
    now = now or timezone.now()
    opened = closed = 0
    for status, due, action in (
        (S.SCHEDULED, {"starts_at__lte": now}, consultation_open),
        (S.OPEN, {"ends_at__lte": now}, consultation_close),
    ):
        with transaction.atomic():
            ids = list(
                Consultation.objects.select_for_update(skip_locked=True)
                .filter(status=status, **due)
                .order_by("pk")
                .values_list("pk", flat=True)[:ADVANCE_BATCH]
            )
            for pk in ids:
                action(consultation_id=pk, now=now)
        if status == S.SCHEDULED:
            opened = len(ids)
        else:
            closed = len(ids)
    return opened, closed
