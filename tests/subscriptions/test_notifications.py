"""Notifications: one mail per subscription, consultation and event, however often or
concurrently the task runs; each with a one-click unsubscribe."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus
from subscriptions.models import Notification, NotificationEvent
from subscriptions.services import notifications_deliver, notifications_plan, notifications_send
from subscriptions.tasks import notifications_send_all
from tests.consultations.factories import consultation_in_state
from tests.subscriptions.helpers import (
    announced_consultation,
    area_make,
    confirmed_subscription,
    opened_consultation,
)

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def outbox(settings):
    # live_stack may have switched this process to file mail; these tests read the outbox.
    settings.EMAIL_BACKEND = LOCMEM
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


def to(outbox, address):
    return [message for message in outbox if message.to == [address]]


@pytest.mark.django_db
def test_an_opened_consultation_is_mailed_once_to_each_matching_subscriber(in_a, outbox):
    # given two subscribers of an area and one of another area
    north, south = area_make(), area_make()
    ala = confirmed_subscription(areas=(north,))
    ola = confirmed_subscription(areas=(north, south))
    other = confirmed_subscription(areas=(south,))
    consultation = opened_consultation(areas=(north,))
    # when the task runs twice
    notifications_send()
    notifications_send()
    # then
    assert len(to(outbox, ala.email)) == 1
    assert len(to(outbox, ola.email)) == 1
    assert to(outbox, other.email) == []
    assert (
        Notification.objects.filter(consultation=consultation, sent_at__isnull=False).count() == 2
    )


@pytest.mark.django_db
def test_the_mail_is_polish_with_the_absolute_url_and_one_click_unsubscribe(in_a, outbox):
    # given
    area = area_make()
    subscription = confirmed_subscription(areas=(area,))
    consultation = opened_consultation(areas=(area,), title="Park przy ul. Lipowej")
    # when
    notifications_send()
    # then
    (message,) = to(outbox, subscription.email)
    base = f"http://{in_a.host}:"
    assert in_a.name in message.subject and "Park przy ul. Lipowej" in message.subject
    assert message.from_email.startswith(f'"{in_a.name}" <') or message.from_email.startswith(
        f"{in_a.name} <"
    )
    assert "rozpoczęły się" in message.subject.lower() or "otwarte" in message.subject.lower()
    assert f"/konsultacje/{consultation.slug}/" in message.body
    assert base in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{base}") and "/subskrypcje/wypisz/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body


@pytest.mark.django_db
def test_an_announcement_and_the_opening_are_two_events(in_a, outbox):
    # given a subscriber of the whole municipality and an announced consultation
    subscription = confirmed_subscription(whole_municipality=True)
    consultation = announced_consultation()
    notifications_send()
    # when it opens later
    from consultations.services import consultation_open

    consultation_open(consultation_id=consultation.pk, now=timezone.now() + timedelta(seconds=1))
    notifications_send(now=timezone.now() + timedelta(seconds=2))
    # then
    events = set(
        Notification.objects.filter(subscription=subscription).values_list("event", flat=True)
    )
    assert events == {NotificationEvent.ANNOUNCED, NotificationEvent.OPENED}
    assert len(to(outbox, subscription.email)) == 2


@pytest.mark.django_db
def test_nobody_is_told_of_an_announcement_once_the_consultation_has_opened(in_a, outbox):
    subscription = confirmed_subscription(whole_municipality=True)
    opened_consultation(scheduled_at=timezone.now())
    notifications_send()
    assert list(
        Notification.objects.filter(subscription=subscription).values_list("event", flat=True)
    ) == [NotificationEvent.OPENED]


@pytest.mark.django_db
def test_events_before_the_confirmation_or_long_ago_are_not_mailed(in_a, outbox):
    # given a consultation opened a week ago, and one opened before the person subscribed
    consultation_in_state(ConsultationStatus.OPEN, opened_at=timezone.now() - timedelta(days=7))
    earlier = opened_consultation()
    earlier.opened_at = timezone.now() - timedelta(minutes=1)
    earlier.save()
    subscription = confirmed_subscription(whole_municipality=True)
    # when
    notifications_send()
    # then
    assert to(outbox, subscription.email) == []


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ConsultationStatus.DRAFT, ConsultationStatus.ORDERED])
def test_drafts_and_orders_are_never_mailed(in_a, outbox, status):
    subscription = confirmed_subscription(whole_municipality=True)
    consultation_in_state(status, scheduled_at=timezone.now(), opened_at=timezone.now())
    notifications_send()
    assert to(outbox, subscription.email) == []


@pytest.mark.django_db
def test_a_batch_sends_at_most_its_size_and_the_next_run_the_rest(in_a, outbox):
    # given three subscribers
    area = area_make()
    for _ in range(3):
        confirmed_subscription(areas=(area,))
    consultation = opened_consultation(areas=(area,))
    notifications_plan()
    # when
    first = notifications_deliver(batch_size=2)
    second = notifications_deliver(batch_size=2)
    # then
    assert (first, second) == (2, 1)
    assert Notification.objects.filter(consultation=consultation, sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_subscription_of_b_never_hears_of_a_consultation_of_a(tenant_a, tenant_b, outbox):
    # given a subscriber of the whole municipality in B, and one in A
    with schema_context(tenant_b.schema_name):
        of_b = confirmed_subscription(whole_municipality=True)
    with schema_context(tenant_a.schema_name):
        of_a = confirmed_subscription(whole_municipality=True)
        opened_consultation()
    # when the beat task runs over every municipality
    notifications_send_all()
    # then
    assert len(to(outbox, of_a.email)) == 1
    assert to(outbox, of_b.email) == []
    with schema_context(tenant_b.schema_name):
        assert not Notification.objects.filter(subscription_id=of_b.pk).exists()


def test_two_runs_at_once_send_each_mail_once(committed_db, tenant_a, outbox):
    # given (committed, so both threads' connections see it) ten subscribers of a new area
    with schema_context(tenant_a.schema_name):
        area = area_make()
        subscriptions = [confirmed_subscription(areas=(area,)) for _ in range(10)]
        consultation = opened_consultation(areas=(area,))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with schema_context(tenant_a.schema_name):
                barrier.wait()
                notifications_send()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    for subscription in subscriptions:
        assert len(to(outbox, subscription.email)) == 1
    with schema_context(tenant_a.schema_name):
        # (committed tests before this one may have left whole-municipality subscribers in A)
        rows = Notification.objects.filter(
            consultation=consultation, subscription__in=[s.pk for s in subscriptions]
        )
        assert rows.count() == 10
        assert all(row.sent_at and row.attempts == 1 for row in rows)
