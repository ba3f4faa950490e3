"""Meetings' mails through the real Celery worker, written to files: the confirmation link
confirmed over HTTP, the change and cancel mails, and the reminder exactly once."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from meetings.models import SignupMail, SignupStatus
from meetings.services import event_cancel, event_update, signup_request
from meetings.tasks import reminders_send_all
from tests.consultations.factories import staff_make
from tests.meetings.helpers import WARSAW, confirmed_signup, event_input, event_make
from tests.meetings.http import get, post_form
from tests.subscriptions.mailbox import messages_to, text_of, wait_for_message

pytestmark = pytest.mark.live


def _address(prefix: str) -> str:
    from tests.conftest import unique

    return unique(prefix) + "@poczta.test"


def test_a_resident_confirms_from_the_mail_and_gets_a_confirmation_with_the_ics(
    live_stack, committed_db, tenant_a
):
    email = _address("zapis-")
    with schema_context(tenant_a.schema_name):
        event = event_make(capacity=5)
        signup_request(event_id=event.pk, name="Jan Kowalski", email=email, consent=True)
    message = wait_for_message(live_stack, email, lambda m: "potwierdzenie zapisu" in m["Subject"])
    link = re.search(r"http://\S+/spotkania/potwierdz/\S+/", text_of(message)).group(0)
    assert link.startswith(f"http://{tenant_a.host}:{live_stack.port}/")
    # the link opened (GET) confirms nothing; the button (POST, with the page's CSRF) does
    assert "Potwierdzam zapis" in get(link)
    with schema_context(tenant_a.schema_name):
        assert event.signups.get().status == SignupStatus.PENDING
    assert "Miejsce jest potwierdzone" in post_form(link)
    confirmed = wait_for_message(
        live_stack, email, lambda m: "miejsce potwierdzone" in m["Subject"]
    )
    attachment = next(confirmed.iter_attachments())
    assert attachment.get_filename() == "spotkanie.ics"
    assert "BEGIN:VEVENT" in attachment.get_content()


def test_a_change_of_time_and_a_cancellation_mail_everyone_signed_up(
    live_stack, committed_db, tenant_a
):
    people = [_address("zmiana-") for _ in range(2)]
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        event = event_make(capacity=1)
        confirmed_signup(event, email=people[0])
        waiting = confirmed_signup(event, email=people[1])
        waiting.status = SignupStatus.WAITING
        waiting.waiting_since = timezone.now()
        waiting.save()
        data = event_input(
            title=event.title,
            starts_at=event.starts_at + timedelta(hours=1),
            ends_at=event.ends_at + timedelta(hours=1),
            venue=event.venue,
            address="ul. Nowa 5, Dębno",
            capacity=1,
        )
        event_update(acting_user=admin, event_id=event.pk, data=data)
    for email in people:
        changed = wait_for_message(
            live_stack, email, lambda m: "zmiana terminu lub miejsca" in m["Subject"]
        )
        assert "ul. Nowa 5, Dębno" in text_of(changed)
    with schema_context(tenant_a.schema_name):
        event_cancel(acting_user=admin, event_id=event.pk)
    for email in people:
        cancelled = wait_for_message(live_stack, email, lambda m: "odwołane" in m["Subject"])
        assert "Prosimy nie przychodzić" in text_of(cancelled)


def test_the_reminder_goes_once_even_when_the_task_runs_twice(live_stack, committed_db, tenant_a):
    people = [_address("jutro-") for _ in range(2)]
    tomorrow = timezone.localtime(timezone.now(), WARSAW).date() + timedelta(days=1)
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18, tzinfo=WARSAW)
    with schema_context(tenant_a.schema_name):
        event = event_make(starts_at=start, ends_at=start + timedelta(hours=2))
        signups = [confirmed_signup(event, email=email) for email in people]
    # when beat queues the task twice (from the public schema, as beat does)
    first = reminders_send_all.delay()
    second = reminders_send_all.delay()
    first.get(timeout=60)
    second.get(timeout=60)
    # then each person has exactly one reminder, with the .ics and the place
    for email in people:
        message = wait_for_message(live_stack, email, lambda m: "przypomnienie" in m["Subject"])
        assert "Sala sesyjna urzędu" in text_of(message)
    for email in people:
        assert len(messages_to(live_stack, email)) == 1
    with schema_context(tenant_a.schema_name):
        assert SignupMail.objects.filter(signup__in=signups, sent_at__isnull=False).count() == 2
