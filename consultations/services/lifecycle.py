"""The consultation lifecycle: one transition table, the actions along it, the beat job."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from consultations.public_changes import public_change
from consultations.services.audit import audit_record
from consultations.services.clearance import consultation_is_cleared
from consultations.services.content import consultation_dates_check
from consultations.services.notice import notice_attach
from consultations.services.rules import (
    consultation_rules,
    consultation_rules_enforce,
    consultation_rules_in_force,
)

S = ConsultationStatus
logger = logging.getLogger(__name__)


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
    public_change("lifecycle", consultation.pk)


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
        starts_at=consultation.starts_at, ends_at=consultation.ends_at, now=now
    )
    # The version in force today is the consultation's for good (a later one never applies).
    rules = consultation_rules_in_force(
        legal_basis=consultation.legal_basis, on=timezone.localdate(now)
    )
    consultation_rules_enforce(consultation, rules=rules, checkpoint="order", now=now)
    consultation.rules_snapshot = rules
    _stamp_save(consultation, "order", "rules_snapshot", acting_user=acting_user)
    return consultation


@transaction.atomic
def consultation_schedule(
    *, acting_user: User, consultation_id: int, channels_confirmed: bool = False
) -> Consultation:
    """ordered → scheduled, only once billing cleared it: residents now see it announced.

    The rule set's announcement channels must be recorded first, unless the coordinator
    confirms (``channels_confirmed``) that the missing ones will be: that is recorded in the
    audit log with the channels it covers."""
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
        starts_at=consultation.starts_at, ends_at=consultation.ends_at, now=now
    )
    rules = consultation_rules(consultation)
    consultation_rules_enforce(
        consultation,
        rules=rules,
        checkpoint="schedule",
        now=now,
        channels_confirmed=channels_confirmed,
    )
    extra = ["rules_snapshot"]
    consultation.rules_snapshot = rules
    recorded = set(consultation.announcement_publications.values_list("channel", flat=True))
    missing = [c for c in rules.get("required_channels") or [] if c not in recorded]
    if channels_confirmed and missing:
        consultation.channels_confirmed_at = now
        extra.append("channels_confirmed_at")
        audit_record(
            acting_user=acting_user,
            action="announcement_channels_confirm",
            target=consultation,
            details={"channels": missing},
        )
    _stamp_save(consultation, "schedule", *extra, acting_user=acting_user)
    # The announcement residents are told by, kept with the documents (issue 8).
    notice_attach(acting_user=acting_user, consultation_id=consultation.pk)
    return consultation


@transaction.atomic
def consultation_open(*, consultation_id: int, now: datetime | None = None) -> Consultation:
    """scheduled → open (the beat task calls it once the start has come), once more checked
    against its rule set (a form or the draft may have gone since scheduling). A consultation
    scheduled before rule sets were copied (no copy) is not judged again."""
    consultation = _transition(consultation_id, "open", now=now)
    if consultation.rules_snapshot:
        consultation_rules_enforce(
            consultation,
            rules=dict(consultation.rules_snapshot),
            checkpoint="open",
            now=consultation.opened_at or timezone.now(),
        )
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
            done = 0
            for pk in ids:
                try:
                    with transaction.atomic():
                        action(consultation_id=pk, now=now)
                except ValidationError as exc:
                    # Opening refused by its rule set: it stays scheduled, and staff see why.
                    _open_refused_record(pk, exc)
                else:
                    done += 1
        if status == S.SCHEDULED:
            opened = done
        else:
            closed = done
    return opened, closed


def _open_refused_record(consultation_id: int, exc: ValidationError) -> None:
    """One audit row per refusal reason, not one a minute: the beat tries again each run."""
    consultation = Consultation.objects.get(pk=consultation_id)
    messages_ = sorted(str(m) for m in exc.messages)
    already = consultation.audit_events.filter(
        action="consultation_open_refused", details__messages=messages_
    ).exists()
    if not already:
        logger.warning("consultation %s not opened: %s", consultation_id, messages_)
        audit_record(
            acting_user=None,
            action="consultation_open_refused",
            target=consultation,
            details={"messages": messages_},
        )


def duration_days(starts_at: datetime, ends_at: datetime) -> int:
    """Days a consultation runs as billing prices it: a begun day counts whole, on the local
    wall clock (billing.selectors.ConsultationSnapshot.duration_days counts the same way)."""
    start = timezone.localtime(starts_at).replace(tzinfo=None)
    end = timezone.localtime(ends_at).replace(tzinfo=None)
    return math.ceil((end - start) / timedelta(days=1))


@transaction.atomic
def consultation_dates_move(
    *, acting_user: User, consultation_id: int, starts_at: datetime, ends_at: datetime
) -> Consultation:
    """A payment that cleared late must not force a cancellation: once, an ordered and paid
    consultation may get new dates, as long as its length stays in the duration band paid
    for; the rule set it was ordered under is checked again, as for scheduling."""
    now = timezone.now()
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status != S.ORDERED or not consultation_is_cleared(consultation):
        raise ValidationError(
            _("The dates can be moved only once the order is paid and before scheduling."),
            code="state",
        )
    if consultation.dates_moved_at is not None:
        raise ValidationError(
            _(
                "The dates have already been moved once. To change them again, cancel the "
                "order and order the consultation anew."
            ),
            code="moved",
        )
    if consultation.paid_min_days is None:
        raise ValidationError(
            _("The paid duration band is not known for this order: please contact the provider."),
            code="band",
        )
    consultation_dates_check(starts_at=starts_at, ends_at=ends_at, now=now)
    days = duration_days(starts_at, ends_at)
    low, high = consultation.paid_min_days, consultation.paid_max_days
    if days < low or (high is not None and days > high):
        band = f"{low}–{high}" if high is not None else f"{low}+"
        raise ValidationError(
            {
                "ends_at": [
                    _(
                        "The new dates last %(days)s days; the order paid for %(band)s days. "
                        "Choose dates within the paid band."
                    )
                    % {"days": days, "band": band}
                ]
            },
            code="band",
        )
    before = (consultation.starts_at, consultation.ends_at)
    consultation.starts_at, consultation.ends_at = starts_at, ends_at
    consultation_rules_enforce(
        consultation, rules=consultation_rules(consultation), checkpoint="order", now=now
    )
    consultation.dates_moved_at = now
    consultation.save(update_fields=["starts_at", "ends_at", "dates_moved_at", "updated_at"])
    public_change("content", consultation.pk)
    audit_record(
        acting_user=acting_user,
        action="consultation_dates_move",
        target=consultation,
        details={
            "before": [value.isoformat() if value else None for value in before],
            "after": [starts_at.isoformat(), ends_at.isoformat()],
        },
    )
    return consultation
