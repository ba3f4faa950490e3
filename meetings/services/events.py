"""Staff's writes on events: create, change, cancel, attendance and minutes."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.queue import task_queue_on_commit
from consultations.models import Consultation, ConsultationStatus
from consultations.selectors import participation_form_get
from consultations.services import (
    DOCUMENT_MAX_BYTES,
    audit_record,
    document_kind_detect,
    notice_refresh,
)
from meetings.models import ON_SITE_TYPES, ONLINE_TYPES, Event, EventStatus, Signup, SignupStatus
from meetings.selectors import KIND_NAME

# Art. 8e ust. 4 pkt 1 of the spatial planning act (Dz.U. 2023 poz. 977 as amended by
# poz. 1688): participation is run "w sposób umożliwiający aktywny udział interesariuszy, w
# tym osób ze szczególnymi potrzebami". The act sets no hour: the 16:00 line below is our
# product choice (the end of a typical office day), not a statutory limit. An event that
# ends by then on a weekday shuts out people who work then; a venue without step-free access
# shuts out wheelchair users. Both are warnings, not errors: staff may have a reason (a
# second session in the evening), so they confirm they have seen them.
WORKING_DAY_END = time(16, 0)  # product choice, not law (see above)
WEEKDAYS = range(0, 5)

# Fields a change of which residents who signed up must hear of.
WHEN_AND_WHERE = ("starts_at", "ends_at", "venue", "address", "online_url", "event_type")


@dataclass
class EventInput:
    event_type: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    opening_hours: str = ""
    venue: str = ""
    address: str = ""
    step_free_access: bool = False
    induction_loop: bool = False
    interpreter_on_request: bool = False
    accessibility_notes: str = ""
    online_url: str = ""
    signup_required: bool = False
    capacity: int | None = None


def event_warnings(data: EventInput) -> list[str]:
    """What staff are asked to confirm before scheduling (empty when nothing is amiss)."""
    warnings = []
    zone = timezone.get_current_timezone()
    start = timezone.localtime(data.starts_at, zone)
    end = timezone.localtime(data.ends_at, zone)
    if start.weekday() in WEEKDAYS and end.date() == start.date() and end.time() <= WORKING_DAY_END:
        warnings.append(
            _(
                "The event ends by %(hour)s on a working day: people who work then cannot "
                "come. Consider a second date in the evening or at the weekend."
            )
            % {"hour": WORKING_DAY_END.strftime("%H:%M")}
        )
    if data.event_type in ON_SITE_TYPES and not data.step_free_access:
        warnings.append(
            _(
                "The place has no step-free access: wheelchair users and many older people "
                "cannot come. Consider a place with step-free access."
            )
        )
    return warnings


def _check(data: EventInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Enter the title of the event.")]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    if data.event_type in ON_SITE_TYPES and not (data.venue.strip() and data.address.strip()):
        errors["address"] = [_("Enter the place and its address.")]
    if data.event_type in ONLINE_TYPES and not data.online_url:
        errors["online_url"] = [_("Enter the link to the online meeting.")]
    if data.capacity is not None and data.capacity < 1:
        errors["capacity"] = [_("The number of places must be at least 1.")]
    if errors:
        raise ValidationError(errors)


def _consultation_check(consultation: Consultation) -> None:
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise ValidationError(_("An archived consultation can no longer be changed."))
    if participation_form_get(consultation, KIND_NAME) is None:
        raise ValidationError(
            _("This consultation does not hold meetings: add that form of participation first.")
        )


def _warnings_check(data: EventInput, acknowledged: bool) -> None:
    warnings = event_warnings(data)
    if warnings and not acknowledged:
        raise ValidationError({"warnings_acknowledged": warnings}, code="warnings")


@transaction.atomic
def event_create(
    *,
    acting_user: Any,
    consultation_id: int,
    data: EventInput,
    warnings_acknowledged: bool = False,
) -> Event:
    """Schedule an event of a consultation that holds meetings. Raises ValidationError for
    bad input, and (code "warnings") for warnings not yet acknowledged."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    _consultation_check(consultation)
    _check(data)
    _warnings_check(data, warnings_acknowledged)
    event = Event(consultation=consultation, created_by=acting_user, **_values(data))
    event.save()
    audit_record(
        acting_user=acting_user,
        action="meeting_event_create",
        target=event,
        consultation=consultation,
        details={"title": event.title, "starts_at": event.starts_at},
    )
    # The announcement names every event's place and time.
    notice_refresh(acting_user=acting_user, consultation_id=consultation.pk)
    return event


def _values(data: EventInput) -> dict[str, Any]:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    for name in ("title", "description", "opening_hours", "venue", "address"):
        values[name] = values[name].strip()
    return values


@transaction.atomic
def event_update(
    *,
    acting_user: Any,
    event_id: int,
    data: EventInput,
    warnings_acknowledged: bool = False,
) -> Event:
    """Change an event. When the time or the place changes, everyone signed up (and on the
    waiting list) is mailed after commit. A cancelled event cannot be changed."""
    event = Event.objects.select_for_update().select_related("consultation").get(pk=event_id)
    _consultation_check(event.consultation)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("A cancelled event can no longer be changed."))
    _check(data)
    _warnings_check(data, warnings_acknowledged)
    values = _values(data)
    changed = [name for name in WHEN_AND_WHERE if getattr(event, name) != values[name]]
    if data.capacity is not None and data.capacity < _confirmed(event):
        raise ValidationError(
            {
                "capacity": [
                    _(
                        "%(count)s people have confirmed places: the number of places cannot "
                        "be lower. Cancel sign-ups first if needed."
                    )
                    % {"count": _confirmed(event)}
                ]
            }
        )
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    audit_record(
        acting_user=acting_user,
        action="meeting_event_update",
        target=event,
        consultation=event.consultation,
        details={"changed": changed},
    )
    from meetings.services.signups import places_fill

    # More places (or no limit any more): the waiting list moves up.
    places_fill(event=event)
    if changed:
        _mail_everyone(event, "changed")
    notice_refresh(acting_user=acting_user, consultation_id=event.consultation_id)
    return event


def _confirmed(event: Event) -> int:
    return event.signups.filter(status=SignupStatus.CONFIRMED).count()


def _mail_everyone(event: Event, what: str) -> None:
    ids = list(
        event.signups.filter(status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITING))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for signup_id in ids:
        task_queue_on_commit("meetings.tasks.event_mail_send", signup_id, what)


@transaction.atomic
def event_cancel(*, acting_user: Any, event_id: int, reason: str = "") -> Event:
    """Cancel an event; everyone signed up or waiting is mailed after commit. Cancelling
    twice changes nothing and mails nobody again."""
    event = Event.objects.select_for_update().select_related("consultation").get(pk=event_id)
    if event.status == EventStatus.CANCELLED:
        return event
    if event.ends_at <= timezone.now():
        raise ValidationError(_("An event that has taken place cannot be cancelled."))
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action="meeting_event_cancel",
        target=event,
        consultation=event.consultation,
        details={"reason": reason.strip()[:500]},
    )
    _mail_everyone(event, "cancelled")
    notice_refresh(acting_user=acting_user, consultation_id=event.consultation_id)
    return event


@transaction.atomic
def attendance_record(
    *,
    acting_user: Any,
    event_id: int,
    attendance: int | None,
    attended_signup_ids: list[int] | None = None,
) -> Event:
    """After the event: how many came (a count), optionally ticking the sign-up list.
    Without a count, the ticked sign-ups are the count."""
    event = Event.objects.select_for_update().select_related("consultation").get(pk=event_id)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("A cancelled event has no attendance."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the event has started."))
    if attendance is not None and attendance < 0:
        raise ValidationError({"attendance": [_("Enter a number of people, 0 or more.")]})
    if attended_signup_ids is not None:
        ticked = set(attended_signup_ids)
        confirmed = Signup.objects.filter(event=event, status=SignupStatus.CONFIRMED)
        known = set(confirmed.values_list("pk", flat=True))
        if not ticked <= known:
            raise ValidationError(_("Tick people from the list of this event only."))
        confirmed.filter(pk__in=ticked).update(attended=True)
        confirmed.exclude(pk__in=ticked).update(attended=False)
        if attendance is None:
            attendance = len(ticked)
    if attendance is None:
        raise ValidationError({"attendance": [_("Enter how many people came.")]})
    event.attendance = attendance
    event.attendance_recorded_at = timezone.now()
    event.save(update_fields=["attendance", "attendance_recorded_at", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action="meeting_attendance_record",
        target=event,
        consultation=event.consultation,
        details={"attendance": attendance},
    )
    return event


@transaction.atomic
def minutes_upload(*, acting_user: Any, event_id: int, upload: UploadedFile) -> Event:
    """Attach the minutes: checked as a consultation's documents are (PDF, DOCX or ODT by
    their bytes, at most 20 MB), stored in the municipality's folder; a new file replaces
    the old one, which is deleted after commit."""
    event = Event.objects.select_for_update().select_related("consultation").get(pk=event_id)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("A cancelled event has no minutes."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("Minutes can be attached once the event has started."))
    if upload.size is not None and upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"minutes": [_("The file may be at most 20 MB.")]})
    try:
        kind = document_kind_detect(upload)
    except ValidationError as exc:  # an unsafe package: the documents' own message
        raise ValidationError({"minutes": exc.messages}) from exc
    if kind is None:
        raise ValidationError(
            {"minutes": [_("The minutes must be a PDF, DOCX or ODT document; this file is none.")]}
        )
    old_name, storage = event.minutes.name, event.minutes.storage
    event.minutes_kind = kind
    event.minutes_size = upload.size or 0
    event.minutes_name = (upload.name or "")[:250]
    event.minutes.save(f"minutes.{kind}", upload, save=False)
    event.save()
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    audit_record(
        acting_user=acting_user,
        action="meeting_minutes_upload",
        target=event,
        consultation=event.consultation,
        details={"kind": kind, "size": event.minutes_size},
    )
    return event
