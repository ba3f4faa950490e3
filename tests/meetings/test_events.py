"""Staff's events: warnings before scheduling, bad input, changes, attendance, minutes, the
kind's registration, its report section, reminders exactly once, personal data."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.personal_data import anonymisers, exporters
from consultations import participation
from consultations.models import AuditEvent
from meetings.models import Event, EventStatus, EventType, Signup, SignupMail, SignupStatus
from meetings.services import (
    attendance_record,
    event_cancel,
    event_create,
    event_update,
    minutes_upload,
    reminders_deliver,
    reminders_plan,
)
from tests.consultations.factories import docx_bytes, exe_bytes, staff_make, upload
from tests.meetings.helpers import (
    WARSAW,
    confirmed_signup,
    evening,
    event_input,
    event_make,
    meeting_consultation,
)

pytestmark = pytest.mark.django_db


def test_meetings_register_as_the_kind_meeting_needing_the_meetings_add_on():
    kind = participation.kind_get("meeting")
    assert kind is not None
    # the code of "Moduł spotkań konsultacyjnych" in billing's price list seed
    assert kind.addon_code == "addon-meetings"
    assert kind.resident_url_name == "meeting_schedule"


def _weekday(hour: int, minute: int = 0) -> datetime:
    start = evening(days=8)
    return start.replace(hour=hour, minute=minute)


# (start hour, length in hours, step-free access) → warnings expected (independent table).
WARNING_CASES = [
    (18, 2, True, []),
    (10, 2, True, ["dzień roboczy"]),
    (14, 2, True, ["dzień roboczy"]),
    (15, 2, True, []),  # ends at 17:00: working people can still come for part of it
    (18, 2, False, ["bez schodów"]),
    (9, 1, False, ["dzień roboczy", "bez schodów"]),
]


@pytest.mark.parametrize(("hour", "hours", "step_free", "expected"), WARNING_CASES)
def test_warnings_must_be_acknowledged_before_scheduling(
    in_a, admin, hour, hours, step_free, expected
):
    consultation = meeting_consultation()
    start = _weekday(hour)
    data = event_input(
        starts_at=start, ends_at=start + timedelta(hours=hours), step_free_access=step_free
    )
    if expected:
        with pytest.raises(ValidationError) as error:
            event_create(acting_user=admin, consultation_id=consultation.pk, data=data)
        text = " ".join(error.value.messages)
        for fragment in expected:
            assert fragment in text
        assert len(error.value.messages) == len(expected)
        assert not Event.objects.filter(consultation=consultation).exists()
    event = event_create(
        acting_user=admin,
        consultation_id=consultation.pk,
        data=data,
        warnings_acknowledged=True,
    )
    assert event.pk


def test_a_weekend_morning_is_not_working_hours(in_a, admin):
    day = timezone.localtime(timezone.now(), WARSAW).date() + timedelta(days=7)
    while day.weekday() != 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=WARSAW)
    event = event_create(
        acting_user=admin,
        consultation_id=meeting_consultation().pk,
        data=event_input(starts_at=start, ends_at=start + timedelta(hours=2)),
    )
    assert event.pk


BAD_EVENTS = [
    ({"title": "   "}, "tytuł"),
    ({"ends_at_offset": -1}, "po początku"),
    ({"venue": "", "address": ""}, "miejsce i jego adres"),
    ({"event_type": EventType.ONLINE, "online_url": "", "venue": ""}, "link"),
    ({"capacity": 0}, "co najmniej 1"),
]


@pytest.mark.parametrize(("change", "message"), BAD_EVENTS)
def test_bad_event_input_is_refused_in_polish_and_nothing_is_stored(in_a, admin, change, message):
    consultation = meeting_consultation()
    change = dict(change)
    start = evening()
    if change.pop("ends_at_offset", None):
        change["ends_at"] = start - timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        event_create(
            acting_user=admin,
            consultation_id=consultation.pk,
            data=event_input(starts_at=start, **change),
            warnings_acknowledged=True,
        )
    assert message in " ".join(error.value.messages)
    assert not Event.objects.filter(consultation=consultation).exists()


def test_a_consultation_without_the_meeting_form_takes_no_events(in_a, admin):
    consultation = meeting_consultation(participation_forms=["remarks"])
    with pytest.raises(ValidationError):
        event_create(acting_user=admin, consultation_id=consultation.pk, data=event_input())
    assert not Event.objects.exists() or not Event.objects.filter(consultation=consultation)


def test_a_change_of_time_mails_everyone_signed_up_and_waiting_but_a_title_change_does_not(
    in_a, admin, django_capture_on_commit_callbacks
):
    event = event_make(capacity=1)
    confirmed_signup(event)
    Signup.objects.create(
        event=event,
        name="B",
        email="b@poczta.test",
        status=SignupStatus.WAITING,
        waiting_since=timezone.now(),
        consented_at=timezone.now(),
        cancel_key="k2",
    )
    Signup.objects.create(
        event=event, name="C", email="c@poczta.test", consented_at=timezone.now(), cancel_key="k3"
    )  # pending: not told
    data = event_input(
        title="Nowy tytuł",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        address=event.address,
        capacity=1,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_update(acting_user=admin, event_id=event.pk, data=data)
    assert len(callbacks) == 0
    data.starts_at += timedelta(hours=1)
    data.ends_at += timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_update(acting_user=admin, event_id=event.pk, data=data)
    assert len(callbacks) == 2
    assert (
        AuditEvent.objects.filter(action="meeting_event_update", target_id=str(event.pk)).count()
        == 2
    )


def test_cancelling_mails_everyone_once_and_closes_sign_up(
    in_a, admin, django_capture_on_commit_callbacks
):
    event = event_make()
    confirmed_signup(event)
    confirmed_signup(event)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_cancel(acting_user=admin, event_id=event.pk, reason="Awaria sali")
        event_cancel(acting_user=admin, event_id=event.pk)
    assert len(callbacks) == 2
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    with pytest.raises(ValidationError):
        event_update(acting_user=admin, event_id=event.pk, data=event_input())


def _past_event(**fields):
    start = timezone.now() - timedelta(days=1)
    return event_make(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def test_attendance_is_a_count_or_the_ticked_list(in_a, admin):
    event = _past_event()
    a, _b, c = (confirmed_signup(event) for _ in range(3))
    attendance_record(
        acting_user=admin, event_id=event.pk, attendance=None, attended_signup_ids=[a.pk, c.pk]
    )
    event.refresh_from_db()
    assert event.attendance == 2
    assert set(Signup.objects.filter(attended=True).values_list("pk", flat=True)) == {a.pk, c.pk}
    attendance_record(acting_user=admin, event_id=event.pk, attendance=35)
    event.refresh_from_db()
    assert event.attendance == 35
    # someone else's sign-up cannot be ticked
    other = confirmed_signup(_past_event())
    with pytest.raises(ValidationError):
        attendance_record(
            acting_user=admin, event_id=event.pk, attendance=None, attended_signup_ids=[other.pk]
        )
    # nor a future event's attendance recorded
    with pytest.raises(ValidationError):
        attendance_record(acting_user=admin, event_id=event_make().pk, attendance=3)


def test_minutes_are_checked_like_documents(in_a, admin):
    event = _past_event()
    with pytest.raises(ValidationError) as error:
        minutes_upload(
            acting_user=admin, event_id=event.pk, upload=upload("protokol.pdf", exe_bytes())
        )
    assert "PDF, DOCX lub ODT" in " ".join(error.value.messages)
    event.refresh_from_db()
    assert not event.minutes
    minutes_upload(
        acting_user=admin, event_id=event.pk, upload=upload("protokol.docx", docx_bytes())
    )
    event.refresh_from_db()
    assert event.minutes_kind == "docx"
    assert event.minutes.name.startswith(f"meetings/{event.pk}/")


def test_report_section_lists_events_held_with_attendance(in_a, admin):
    kind = participation.kind_get("meeting")
    consultation = meeting_consultation()
    assert kind.report_section(consultation) is None
    held = _past_event(consultation=consultation, title="Spacer studyjny po rynku")
    _past_event(consultation=consultation, title="Debata")
    attendance_record(acting_user=admin, event_id=held.pk, attendance=23)
    cancelled = event_make(consultation, title="Odwołane")
    event_cancel(acting_user=admin, event_id=cancelled.pk)
    event_make(consultation, title="Przyszłe")
    section = kind.report_section(consultation)
    assert section["events_held"] == 2
    assert section["attendance_total"] == 23
    assert section["attendance_unrecorded"] == 1
    assert [e["title"] for e in section["events"]] == ["Spacer studyjny po rynku", "Debata"]


def test_contribution_count_counts_people_signed_up(in_a):
    kind = participation.kind_get("meeting")
    consultation = meeting_consultation()
    event = event_make(consultation)
    confirmed_signup(event)
    confirmed_signup(event)
    Signup.objects.create(
        event=event, name="P", email="p@poczta.test", consented_at=timezone.now(), cancel_key="x"
    )
    assert kind.contribution_count(consultation) == 2


def test_reminders_are_planned_once_and_sent_once_however_often_run(in_a):
    # given confirmed people at an event tomorrow evening and one the day after
    tomorrow = timezone.localtime(timezone.now(), WARSAW).date() + timedelta(days=1)
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18, tzinfo=WARSAW)
    event = event_make(starts_at=start, ends_at=start + timedelta(hours=2))
    people = [confirmed_signup(event) for _ in range(3)]
    later = event_make(
        starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=2)
    )
    confirmed_signup(later)
    mail.outbox.clear()
    # when the job runs twice
    reminders_plan()
    reminders_plan()
    sent = reminders_deliver() + reminders_deliver()
    # then one mail per person, each with the .ics
    assert sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert SignupMail.objects.count() == 3
    message = mail.outbox[0]
    assert "przypomnienie" in message.subject
    assert message.attachments[0][0] == "spotkanie.ics"
    assert "BEGIN:VEVENT" in message.attachments[0][1]


def test_a_reminder_planned_before_a_cancellation_is_never_mailed(in_a):
    # given reminders planned for two people, one of whom then cancels
    tomorrow = timezone.localtime(timezone.now(), WARSAW).date() + timedelta(days=1)
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18, tzinfo=WARSAW)
    event = event_make(starts_at=start, ends_at=start + timedelta(hours=2))
    staying, leaving = confirmed_signup(event), confirmed_signup(event)
    reminders_plan()
    Signup.objects.filter(pk=leaving.pk).update(status=SignupStatus.CANCELLED)
    mail.outbox.clear()
    # when the reminders go out, twice
    sent = reminders_deliver() + reminders_deliver()
    # then only the one still coming is mailed; the other's row is closed, never retried
    assert sent == 1
    assert [m.to[0] for m in mail.outbox] == [staying.email]
    closed = SignupMail.objects.get(signup=leaving)
    assert closed.sent_at is not None
    assert closed.last_error == "no longer applies"
    assert closed.attempts == 1


def test_personal_data_of_sign_ups_is_exported_and_anonymised(in_a):
    user = staff_make("admin")
    event = event_make(capacity=1)
    signup = confirmed_signup(event, email=user.email.lower())
    waiting = confirmed_signup(event)
    Signup.objects.filter(pk=waiting.pk).update(
        status=SignupStatus.WAITING, waiting_since=timezone.now()
    )
    exported = exporters()["meeting_signups"](user)
    assert exported[0]["email"] == user.email.lower()
    for anonymise in anonymisers():
        anonymise(user)
    signup.refresh_from_db()
    assert signup.name == ""
    assert user.email.lower() not in signup.email
    assert exporters()["meeting_signups"](user) == []
    # the place they held goes to the person waiting
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED
