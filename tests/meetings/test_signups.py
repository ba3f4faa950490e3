"""Sign-ups: double opt-in, capacity and the waiting list, cancelling, bad input."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus
from meetings.models import EventStatus, Signup, SignupStatus
from meetings.selectors import cancel_token, signup_state
from meetings.services import places_fill, signup_cancel, signup_confirm, signup_request
from meetings.services.mails import signup_mail_send
from tests.meetings.helpers import (
    confirmed_signup,
    event_make,
    meeting_consultation,
    pending_signup,
)

pytestmark = pytest.mark.django_db


def test_a_sign_up_holds_no_place_until_the_address_is_confirmed(in_a):
    # given
    event = event_make(capacity=2)
    # when
    signup, token = pending_signup(event, email="  Jan.Kowalski@Poczta.TEST ")
    # then
    signup.refresh_from_db()
    assert signup.email == "jan.kowalski@poczta.test"
    assert signup.status == SignupStatus.PENDING
    assert signup_state(event).places_left == 2
    # when confirmed
    signup = signup_confirm(token=token)
    # then a place is taken, and the link is used up
    assert signup.status == SignupStatus.CONFIRMED
    assert signup_state(event).places_left == 1
    with pytest.raises(ValidationError):
        signup_confirm(token=token)


def test_the_same_address_twice_keeps_one_sign_up(in_a):
    event = event_make()
    first, _ = pending_signup(event, email="ola@poczta.test", name="Ola")
    second, _ = pending_signup(event, email="OLA@poczta.test", name="Aleksandra")
    assert first.pk == second.pk
    assert Signup.objects.filter(event=event).count() == 1
    assert Signup.objects.get(event=event).name == "Aleksandra"


# Capacity, confirmations in order → expected status of each (an independent table).
WAITING_LIST_CASES = [
    (1, ["confirmed", "waiting", "waiting"]),
    (2, ["confirmed", "confirmed", "waiting"]),
    (3, ["confirmed", "confirmed", "confirmed"]),
    (None, ["confirmed", "confirmed", "confirmed"]),
]


@pytest.mark.parametrize(("capacity", "expected"), WAITING_LIST_CASES)
def test_confirmations_beyond_capacity_join_the_waiting_list(in_a, capacity, expected):
    event = event_make(capacity=capacity)
    tokens = [pending_signup(event)[1] for _ in expected]
    statuses = [signup_confirm(token=token).status for token in tokens]
    assert statuses == expected


def test_a_cancellation_promotes_the_first_on_the_waiting_list_who_gets_a_mail(
    in_a, django_capture_on_commit_callbacks
):
    # given a full event and two people waiting, in order
    event = event_make(capacity=1)
    holder = signup_confirm(token=pending_signup(event)[1])
    first = signup_confirm(token=pending_signup(event)[1])
    second = signup_confirm(token=pending_signup(event)[1])
    assert (first.status, second.status) == ("waiting", "waiting")
    # when the holder cancels from the mail
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signup_cancel(token=cancel_token(holder))
    # then the first waiting person has the place, the second still waits
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SignupStatus.CONFIRMED
    assert second.status == SignupStatus.WAITING
    # one mail queued: to the promoted person (the portal's recount of contributions may
    # be queued beside it)
    mails = [c for c in callbacks if "event_mail_send" in repr(c)]
    assert len(mails) == 1 and "'promoted'" in repr(mails[0])
    # and that mail says so, in Polish
    mail.outbox.clear()
    assert signup_mail_send(signup_id=first.pk, what="promoted")
    assert mail.outbox[0].to == [first.email]
    assert "zwolniło się miejsce" in mail.outbox[0].subject
    # a second cancel changes nothing
    signup_cancel(token=cancel_token(holder))
    second.refresh_from_db()
    assert second.status == SignupStatus.WAITING


def test_more_places_promote_the_waiting_list(in_a):
    event = event_make(capacity=1)
    signup_confirm(token=pending_signup(event)[1])
    waiting = signup_confirm(token=pending_signup(event)[1])
    event.capacity = 2
    event.save()
    promoted = places_fill(event=event)
    assert [s.pk for s in promoted] == [waiting.pk]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": EventStatus.CANCELLED}, "odwołane"),
        ({"starts_at_delta": -10}, "już się odbyło"),
        ({"signup_required": False}, "nie trzeba się zapisywać"),
        ({"consultation_status": ConsultationStatus.CLOSED}, "zakończyły się"),
    ],
)
def test_a_sign_up_for_a_cancelled_past_or_closed_event_is_refused_with_a_message(
    in_a, change, message
):
    # given
    consultation = meeting_consultation()
    event = event_make(consultation)
    if "status" in change:
        event.status = change["status"]
    if "starts_at_delta" in change:
        event.starts_at = timezone.now() - timedelta(days=10)
        event.ends_at = event.starts_at + timedelta(hours=2)
    if "signup_required" in change:
        event.signup_required = False
    event.save()
    if "consultation_status" in change:
        consultation.status = change["consultation_status"]
        consultation.save()
    # when / then
    with pytest.raises(ValidationError) as error:
        signup_request(event_id=event.pk, name="Jan", email="jan@poczta.test", consent=True)
    assert message in " ".join(error.value.messages).lower()
    assert not Signup.objects.filter(event=event).exists()


HOSTILE = [
    ("", "jan@poczta.test", True, "imię i nazwisko"),
    ("Jan", "nie-adres", True, "adres e-mail"),
    ("Jan", "jan@poczta.test", False, "zgodę"),
    ("x" * 201, "jan@poczta.test", True, "200 znaków"),
    ("Jan\x00Kowalski", "jan@poczta.test", True, "znaki"),
]


@pytest.mark.parametrize(("name", "email", "consent", "message"), HOSTILE)
def test_bad_input_is_refused_in_polish_and_nothing_is_stored(in_a, name, email, consent, message):
    event = event_make()
    with pytest.raises(ValidationError) as error:
        signup_request(event_id=event.pk, name=name, email=email, consent=consent)
    assert message in " ".join(error.value.messages).lower()
    assert not Signup.objects.filter(event=event).exists()


def test_a_confirmation_for_an_event_cancelled_meanwhile_is_refused(in_a):
    event = event_make()
    _, token = pending_signup(event)
    event.status = EventStatus.CANCELLED
    event.save()
    with pytest.raises(ValidationError):
        signup_confirm(token=token)


def test_a_cancel_token_of_another_municipality_is_not_genuine_here(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        signup_b = confirmed_signup(event_make())
        token_b = cancel_token(signup_b)
    with schema_context(tenant_a.schema_name):
        signup_a = confirmed_signup(event_make())
        # the same id in A, made to match B's key: the signature still differs
        Signup.objects.filter(pk=signup_a.pk).update(cancel_key=signup_b.cancel_key)
        assert signup_cancel(token=token_b) is None
        signup_a.refresh_from_db()
        assert signup_a.status == SignupStatus.CONFIRMED


def test_the_confirmation_mail_is_polish_and_carries_the_link(in_a):
    event = event_make()
    signup, token = pending_signup(event)
    mail.outbox.clear()
    assert signup_mail_send(signup_id=signup.pk, what="confirm", token=token)
    message = mail.outbox[0]
    assert "potwierdzenie zapisu" in message.subject.lower()
    assert f"/spotkania/potwierdz/{token}/" in message.body
    assert "Dzień dobry" in message.body
    # the weekday inside the sentence is written in lower case, as Polish writes it
    when = re.search(r"Kiedy: (\w+),", message.body)
    assert when is not None and when.group(1) == when.group(1).lower()
    # a token that is not the latest sends nothing
    assert not signup_mail_send(signup_id=signup.pk, what="confirm", token="old")


def test_the_mail_names_the_type_of_event_once_when_the_title_is_the_type(in_a):
    # given: an event titled as its type ("Spacer studyjny", as in the demo)
    event = event_make(event_type="study_walk", title="Spacer studyjny")
    other = event_make(event_type="study_walk", title="Spacer po rynku")
    mail.outbox.clear()

    # when
    for e in (event, other):
        signup, token = pending_signup(e)
        assert signup_mail_send(signup_id=signup.pk, what="confirm", token=token)

    # then: the title stands alone; a different title is followed by the type
    assert mail.outbox[0].body.count("Spacer studyjny") == 1
    assert "Spacer po rynku\nSpacer studyjny\n" in mail.outbox[1].body
